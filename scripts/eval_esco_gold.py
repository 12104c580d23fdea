"""Precision and recall of the ESCO linking on the hand-labelled gold set.

Usage (from the repository root)::

    .venv/bin/python scripts/eval_esco_gold.py --esco ../shared/data/esco-fr/mockly-v1.2.1-api \
        --rome ../shared/data/rome-v460 [--gold tests/resources/esco-gold.tsv] [--top-k 3]

For each kind of subject (competency, rome) it runs the linker exactly as ``rncp-graph link
esco`` does (same subject variants, same top-k) on the subjects of the gold set, then, for
each threshold, counts:

* TP: proposed pairs labelled ``yes``; FP: proposed pairs labelled ``no``;
* unjudged: proposed pairs the gold set does not hold (they count in neither figure);
* precision = TP / (TP + FP); recall = TP / (all ``yes`` pairs of that kind).

Prints a Markdown table (paste it into docs/linking.md).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from rncp_graph.linking import esco, esco_data, rome

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)


def read_gold(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def subjects(gold: list[dict[str, str]], kind: str, rome_vocab: rome.RomeVocabulary | None) -> list[esco.Subject]:
    seen: dict[str, esco.Subject] = {}
    for row in gold:
        if row["kind"] != kind or row["subject_id"] in seen:
            continue
        if kind == "competency":
            seen[row["subject_id"]] = esco.competency_subject(row["subject_id"], row["subject_label"])
        else:
            code, label = row["subject_label"].split(" ", 1)
            known = rome_vocab.codes.get(code) if rome_vocab else None
            labels = known.labels() if known else [label]
            seen[row["subject_id"]] = esco.rome_subject(row["subject_id"], code, labels, labels[0])
    return list(seen.values())


Row = tuple[float, int, int, int, float, float]


def evaluate(gold: list[dict[str, str]], kind: str, proposed: Sequence[esco.Mapping]) -> list[Row]:
    labels = {(r["subject_id"], r["esco_id"]): r["match"] == "yes" for r in gold if r["kind"] == kind}
    positives = sum(labels.values())
    table = []
    for t in THRESHOLDS:
        pairs = [(m.subject.iri, m.object_id) for m in proposed if m.score >= t]
        tp = sum(1 for p in pairs if labels.get(p) is True)
        fp = sum(1 for p in pairs if labels.get(p) is False)
        unjudged = sum(1 for p in pairs if p not in labels)
        precision = tp / (tp + fp) if tp + fp else float("nan")
        table.append((t, tp, fp, unjudged, precision, tp / positives if positives else float("nan")))
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--esco", type=Path, required=True, help="ESCO CSV folder (skills_fr.csv, occupations_fr.csv)")
    parser.add_argument("--rome", type=Path, help="ROME 4.0 folder (appellations for ROME codes)")
    parser.add_argument("--gold", type=Path, default=Path("tests/resources/esco-gold.tsv"))
    parser.add_argument("--top-k", type=int, default=esco.DEFAULT_TOP_K)
    args = parser.parse_args(argv)
    gold = read_gold(args.gold)
    data = esco_data.read_esco(args.esco)
    rome_vocab = rome.read_rome(args.rome) if args.rome else None
    print(f"gold: {args.gold} ({len(gold)} pairs); ESCO: {args.esco.name}; top-k {args.top_k}\n")
    for kind, concepts in (("competency", data.skills), ("rome", data.occupations)):
        positives = sum(1 for r in gold if r["kind"] == kind and r["match"] == "yes")
        chosen = esco.DEFAULT_THRESHOLDS[kind]
        proposed = esco.propose(subjects(gold, kind, rome_vocab), concepts, threshold=min(THRESHOLDS), top_k=args.top_k)
        print(f"### {kind} ({positives} positive pairs; default threshold {chosen})\n")
        print("| threshold | TP | FP | unjudged | precision | recall |\n|---|---|---|---|---|---|")
        for t, tp, fp, unjudged, p, r in evaluate(gold, kind, proposed):
            mark = " **(default)**" if abs(t - chosen) < 1e-9 else ""
            print(f"| {t:.2f}{mark} | {tp} | {fp} | {unjudged} | {p:.2f} | {r:.2f} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
