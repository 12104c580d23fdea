"""Agreement between the first labelling of the ESCO gold set and the blind second pass (issue 22).

Usage (from the repository root)::

    PYTHONPATH=src python scripts/gold_agreement.py [--gold tests/resources/linking/gold]

Joins ``second-pass-labels.tsv`` with ``rome-esco.tsv`` and ``competency-esco.tsv`` on
(kind, subject_id, object_id) and prints, per kind, as Markdown: the number of pairs, the
raw agreement and Cohen's kappa on yes/no, the 2×2 table, the agreement on the relation
for the ROME pairs both annotators judged ``yes``, and the list of disagreements.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GOLD = Path("tests/resources/linking/gold")
FIRST = ("rome-esco.tsv", "competency-esco.tsv")
SECOND = "second-pass-labels.tsv"
KINDS = ("rome-occupation", "competency-skill")
Key = tuple[str, str, str]


def read_tsv(path: Path) -> list[dict[str, str]]:
    """The rows of a gold TSV (``#`` comment lines, then a header); a short or long row is an error."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path}: data line {number} has {len(cells)} cells, the header {len(header)}")
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def by_key(rows: Sequence[dict[str, str]]) -> dict[Key, dict[str, str]]:
    return {(r["kind"], r["subject_id"], r["object_id"]): r for r in rows}


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two labellings of the same items: (p_o - p_e) / (1 - p_e).

    p_o is the observed agreement, p_e the agreement expected from each annotator's label
    frequencies. Defined as 1.0 when both annotators use one and the same label throughout.
    """
    if len(first) != len(second) or not first:
        raise ValueError("two labellings of the same, non-empty list of items are needed")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_1, count_2 = Counter(first), Counter(second)
    expected = sum(count_1[label] * count_2[label] for label in count_1) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


def join(gold: Path) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(first, second) row pairs for every pair of the second pass; a pair missing from the first is an error."""
    first: dict[Key, dict[str, str]] = {}
    for name in FIRST:
        first.update(by_key(read_tsv(gold / name)))
    second = read_tsv(gold / SECOND)
    missing = [k for k in by_key(second) if k not in first]
    if missing:
        raise ValueError(f"{gold / SECOND}: {len(missing)} pairs not in the first labelling, e.g. {missing[0]}")
    return [(first[k], row) for k, row in by_key(second).items()]


@dataclass(frozen=True)
class KindFigures:
    """The agreement figures of the pairs of one kind."""

    n: int
    agree: int
    kappa: float
    table: Counter[tuple[str, str]]  # (first, second) judgement -> pairs
    relations: Counter[tuple[str, str]]  # (first, second) relation of the pairs both judged yes

    @property
    def both_yes(self) -> int:
        return sum(self.relations.values())

    @property
    def relation_agree(self) -> int:
        return sum(count for (one, two), count in self.relations.items() if one == two)

    def relation_kappa(self) -> float:
        pairs = list(self.relations.elements())
        return cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])


def kind_figures(pairs: Sequence[tuple[dict[str, str], dict[str, str]]]) -> KindFigures:
    a = [f["judgement"] for f, _ in pairs]
    b = [s["judgement"] for _, s in pairs]
    both_yes = [(f["relation"], s["relation"]) for f, s in pairs if f["judgement"] == s["judgement"] == "yes"]
    return KindFigures(
        n=len(pairs),
        agree=sum(x == y for x, y in zip(a, b, strict=True)),
        kappa=cohen_kappa(a, b),
        table=Counter(zip(a, b, strict=True)),
        relations=Counter(both_yes),
    )


def disagreements(pairs: Sequence[tuple[dict[str, str], dict[str, str]]]) -> list[str]:
    """One Markdown row per pair the two annotators judged differently (yes/no or, both yes, relation)."""
    lines = []
    for f, s in sorted(pairs, key=lambda p: (p[0]["kind"], p[0]["subject_id"], p[0]["object_id"])):
        one = "/".join(filter(None, (f["judgement"], f["relation"])))
        two = "/".join(filter(None, (s["judgement"], s["relation"])))
        if one != two:
            subject = f["subject_id"] if f["kind"] == "rome-occupation" else f["subject_label"][:70]
            notes = f"{f['note'][:90]} / {s['note'][:90]}"
            lines.append(f"| {subject} | {f['object_label'][:60]} | {one} | {two} | {notes} |")
    return lines


def report(gold: Path) -> str:
    """The Markdown report: one table row per kind, the relation agreement, the disagreements."""
    pairs = join(gold)
    out = [
        "| kind | n | agree | raw agreement | kappa (yes/no) | yes/yes | yes/no | no/yes | no/no |",
        "|---" * 9 + "|",
    ]
    figures = {kind: kind_figures([p for p in pairs if p[0]["kind"] == kind]) for kind in KINDS}
    for kind, fig in figures.items():
        cells = " | ".join(str(fig.table[(one, two)]) for one in ("yes", "no") for two in ("yes", "no"))
        out.append(f"| {kind} | {fig.n} | {fig.agree} | {fig.agree / fig.n:.3f} | {fig.kappa:.3f} | {cells} |")
    out.append("\n(yes/no = first annotator yes, second no.)\n")
    rome = figures["rome-occupation"]
    out.append(
        f"ROME pairs both judged yes: {rome.both_yes}; same relation: {rome.relation_agree}"
        f" (kappa on the relation {rome.relation_kappa():.3f}); (first, second) relation counts:"
        f" {dict(sorted(rome.relations.items()))}\n"
    )
    out += [
        "| subject | object | first | second | notes (first / second) |",
        "|---|---|---|---|---|",
        *disagreements(pairs),
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="the gold folder (default: %(default)s)")
    print(report(parser.parse_args().gold))


if __name__ == "__main__":
    main()
