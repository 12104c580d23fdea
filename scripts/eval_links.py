"""Held-out evaluation and calibration of the ESCO links on a hand-labelled gold set.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python scripts/eval_links.py \\
        --esco ../shared/data/esco-fr/raw-v1.0-emanuellandell --rome ../shared/data/rome-v460 \\
        --gold tests/resources/linking/gold/rome-esco.tsv \\
        --gold tests/resources/linking/gold/competency-esco.tsv [--write-calibration]

Gold format (TSV, UTF-8, ``#`` comment lines, then a header row)::

    kind  subject_id  subject_label  object_id  object_label  judgement  relation  fold  note

``kind`` is ``rome-occupation`` or ``competency-skill``; ``judgement`` ``yes``/``no``;
``fold`` ``dev``/``test`` (when empty, the fold is taken from a stable hash of the subject id,
so that all pairs of one subject fall in one fold). The older ``tests/resources/esco-gold.tsv``
layout (``kind subject_id subject_label esco_id esco_label match source note``) is read too.

For each kind: the matcher proposes links for the gold subjects (every candidate, raw scores);
on the **dev** fold a calibration maps raw score → probability of a right link (isotonic
regression or Platt scaling, whichever has the lower Brier score in a 5-fold cross-validation
by subject within dev) and a confidence threshold is chosen (the lowest whose dev precision reaches the target, else the
best F1); on the **test** fold, precision and recall at that threshold are reported with
Wilson 95 % intervals, with a calibration table per confidence bin. Precision counts only
proposals the gold set judges (the others are reported as unjudged); recall counts the gold's
``yes`` pairs of the fold.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import itertools
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rncp_graph.linking import calibration, esco, esco_data, occupations, rome

KINDS = {"rome-occupation": "rome", "competency-skill": "competency"}
OLD_KINDS = {"rome": "rome-occupation", "competency": "competency-skill"}
TARGET_PRECISION = {"rome": 0.90, "competency": 0.70}
BINS = (0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0001)
Key = tuple[str, str]


@dataclass(frozen=True)
class GoldPair:
    kind: str  # "rome" or "competency"
    subject_id: str
    subject_label: str
    object_id: str
    object_label: str
    yes: bool
    relation: str
    fold: str


def hash_fold(subject_id: str) -> str:
    """``dev`` or ``test`` from the SHA-256 of the subject id (stable across runs and machines)."""
    return "dev" if hashlib.sha256(subject_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def read_gold(path: Path) -> list[GoldPair]:
    """The pairs of one gold file (either layout)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#") and line.strip()]
    out = []
    for row in csv.DictReader(lines, delimiter="\t"):
        kind = row["kind"] if row["kind"] in KINDS else OLD_KINDS[row["kind"]]
        subject = row["subject_id"]
        fold = (row.get("fold") or "").strip() or hash_fold(subject)
        judgement = row.get("judgement", row.get("match", ""))
        out.append(
            GoldPair(
                KINDS[kind],
                subject,
                row["subject_label"],
                row.get("object_id") or row["esco_id"],
                row.get("object_label") or row.get("esco_label") or "",
                judgement.strip() == "yes",
                (row.get("relation") or "").strip(),
                fold,
            )
        )
    return out


# -- statistics -------------------------------------------------------------------------------
def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); (nan, nan) when n = 0."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Figures:
    tp: int
    fp: int
    unjudged: int
    positives: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else math.nan

    @property
    def recall(self) -> float:
        return self.tp / self.positives if self.positives else math.nan


def figures(gold: dict[Key, bool], proposed: dict[Key, float], threshold: float) -> Figures:
    """TP, FP, unjudged and positives of the proposals with confidence ≥ ``threshold``."""
    chosen = [k for k, c in proposed.items() if c >= threshold]
    tp = sum(1 for k in chosen if gold.get(k) is True)
    fp = sum(1 for k in chosen if gold.get(k) is False)
    return Figures(tp, fp, len(chosen) - tp - fp, sum(gold.values()))


def choose_threshold(gold: dict[Key, bool], proposed: dict[Key, float], target: float) -> float:
    """The lowest threshold whose precision reaches ``target`` (most recall); else the best F1."""
    candidates = sorted(set(proposed.values()))
    reaching = [t for t in candidates if figures(gold, proposed, t).precision >= target]
    if reaching:
        return min(reaching)

    def f1(t: float) -> float:
        f = figures(gold, proposed, t)
        return 0.0 if not f.tp else 2 * f.precision * f.recall / (f.precision + f.recall)

    return max(candidates, key=lambda t: (f1(t), -t), default=1.0)


def calibration_bins(gold: dict[Key, bool], proposed: dict[Key, float]) -> list[tuple[str, int, float, float]]:
    """Per confidence bin: label, judged links, mean confidence, share right."""
    rows = []
    for low, high in itertools.pairwise(BINS):
        inside = [(c, gold[k]) for k, c in proposed.items() if low <= c < high and k in gold]
        if inside:
            mean = sum(c for c, _ in inside) / len(inside)
            rows.append(
                (
                    f"[{low:.1f}, {min(high, 1.0):.1f}{']' if high > 1 else ')'}",
                    len(inside),
                    mean,
                    sum(y for _, y in inside) / len(inside),
                )
            )
    return rows


# -- running the matchers ---------------------------------------------------------------------
def subjects_of(pairs: Sequence[GoldPair], vocab: rome.RomeVocabulary | None) -> list[esco.Subject]:
    seen: dict[str, esco.Subject] = {}
    for p in pairs:
        if p.subject_id in seen:
            continue
        if p.kind == "competency":
            seen[p.subject_id] = esco.competency_subject(p.subject_id, p.subject_label)
            continue
        code = p.subject_id.rsplit("/", 1)[-1]
        known = vocab.codes.get(code) if vocab else None
        labels = known.labels() if known else [p.subject_label.removeprefix(code).strip(" -")]
        seen[p.subject_id] = esco.rome_subject(p.subject_id, code, labels, labels[0])
    return list(seen.values())


def run_matcher(
    kind: str, subjects: Sequence[esco.Subject], data: esco_data.Esco, cal: calibration.Calibration | None = None
) -> list[esco.Mapping]:
    """Every candidate of the matcher (threshold 0), scored with ``cal`` (identity when None)."""
    identity = cal or calibration.Calibration(kind, (0.0, 1.0), (0.0, 1.0), 0.0, "identity")
    if kind == "competency":
        return esco.propose_competencies(subjects, data, threshold=0.0, cal=identity)
    return esco.propose_rome(subjects, data, threshold=0.0, cal=identity)


def relation_lines(
    pairs: Sequence[GoldPair],
    data: esco_data.Esco,
    vocab: rome.RomeVocabulary,
    cal: calibration.Calibration,
    fold: str = "test",
) -> list[str]:
    """Our SKOS predicate against the gold ``relation`` of the test fold's right links (a table).

    The predicate rule counts the links of the whole ROME referential, so every code is matched.
    """
    test = {(p.subject_id, p.object_id): p.relation for p in pairs if p.fold == fold and p.yes and p.relation}
    subjects = subjects_of([p for p in pairs if p.fold == fold], vocab)
    referential = [occupations.RomeEntry(c, c, tuple(v.labels())) for c, v in vocab.codes.items()]
    found = esco.propose_rome(subjects, data, cal=cal, referential=referential)
    counts: dict[tuple[str, str], int] = {}
    for m in found:
        gold = test.get((m.subject.iri, m.object_id))
        if gold:
            ours = m.predicate.rsplit("#", 1)[-1].removesuffix("Match")
            counts[gold, ours] = counts.get((gold, ours), 0) + 1
    names = ("exact", "close", "broad", "narrow")
    lines = ["| gold relation \\ our predicate | " + " | ".join(names) + " |", "|---|---|---|---|---|"]
    lines += [f"| {g} | " + " | ".join(str(counts.get((g, o), 0)) for o in names) + " |" for g in names]
    agree = sum(counts.get((n, n), 0) for n in names)
    return [*lines, f"\nSame relation: {agree} of {sum(counts.values())} right links proposed on the {fold} fold.\n"]


@dataclass
class KindReport:
    kind: str
    calibration: calibration.Calibration
    dev: Figures
    test: Figures
    bins: list[tuple[str, int, float, float]]
    errors: list[str]


def fit_on_dev(kind: str, gold: dict[Key, bool], raw: dict[Key, float], fitted_on: str) -> calibration.Calibration:
    """The calibration (method chosen by cross-validation) and threshold fitted on the dev fold."""
    judged = [(k[0], s, gold[k]) for k, s in raw.items() if k in gold]
    method = choose_method(kind, judged)
    scores, labels = [s for _, s, _ in judged], [y for _, _, y in judged]
    fitted = calibration.fit(kind, scores, labels, threshold=0.0, fitted_on=fitted_on, method=method)
    threshold = choose_threshold(gold, {k: fitted.confidence(s) for k, s in raw.items()}, TARGET_PRECISION[kind])
    return calibration.Calibration(kind, fitted.scores, fitted.probabilities, threshold, fitted.fitted_on)


def choose_method(kind: str, judged: Sequence[tuple[str, float, bool]], folds: int = 5) -> str:
    """The calibration method with the lowest Brier score in a cross-validation by subject."""

    def part(subject: str) -> int:
        return hashlib.sha256(f"cv:{subject}".encode()).digest()[0] % folds

    def brier(method: str) -> float:
        errors = []
        for k in range(folds):
            train = [(s, y) for subject, s, y in judged if part(subject) != k]
            held = [(s, y) for subject, s, y in judged if part(subject) == k]
            if not held or len({y for _, y in train}) < 2:
                continue
            cal = calibration.fit(
                kind, [s for s, _ in train], [y for _, y in train], threshold=0, fitted_on="cv", method=method
            )
            errors += [(cal.confidence(s) - y) ** 2 for s, y in held]
        return sum(errors) / len(errors) if errors else math.inf

    return min(calibration.METHODS, key=lambda m: (brier(m), m))


def evaluate_kind(
    kind: str,
    pairs: Sequence[GoldPair],
    proposals: Sequence[esco.Mapping],
    fitted_on: str,
    shipped: calibration.Calibration | None = None,
) -> KindReport:
    """Fit on dev, choose the threshold on dev, measure on test (or apply ``shipped`` as it is)."""
    gold = {f: {(p.subject_id, p.object_id): p.yes for p in pairs if p.fold == f} for f in ("dev", "test")}
    fold_of = {p.subject_id: p.fold for p in pairs}
    raw = {
        f: {(m.subject.iri, m.object_id): m.score for m in proposals if fold_of.get(m.subject.iri) == f} for f in gold
    }
    fitted = shipped or fit_on_dev(kind, gold["dev"], raw["dev"], fitted_on)
    conf = {f: {k: fitted.confidence(s) for k, s in raw[f].items()} for f in raw}
    threshold = fitted.threshold
    errors = error_lines(gold["test"], conf["test"], threshold, {m.object_id: m.object_label for m in proposals}, pairs)
    return KindReport(
        kind,
        fitted,
        figures(gold["dev"], conf["dev"], threshold),
        figures(gold["test"], conf["test"], threshold),
        calibration_bins(gold["test"], conf["test"]),
        errors,
    )


def error_lines(
    gold: dict[Key, bool], conf: dict[Key, float], threshold: float, labels: dict[str, str], pairs: Sequence[GoldPair]
) -> list[str]:
    """The test fold's false positives and missed positives, one line each (for the error analysis)."""
    names = {p.subject_id: p.subject_label for p in pairs}
    names |= {p.object_id: p.object_label or labels.get(p.object_id, p.object_id) for p in pairs}
    out = []
    for (s, o), yes in sorted(gold.items()):
        c = conf.get((s, o))
        if not yes and c is not None and c >= threshold:
            out.append(f"FP {c:.2f} | {names[s][:90]} → {names[o]}")
        elif yes and (c is None or c < threshold):
            why = "not proposed" if c is None else f"below threshold ({c:.2f})"
            out.append(f"FN {why} | {names[s][:90]} → {names[o]}")
    return out


# -- report -----------------------------------------------------------------------------------
def _pct(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.2f}"


def report_lines(r: KindReport) -> Iterable[str]:
    yield f"### {r.kind}: threshold {r.calibration.threshold:.2f} ({r.calibration.fitted_on})\n"
    yield "| fold | TP | FP | unjudged | positives | precision [95 % CI] | recall [95 % CI] |"
    yield "|---|---|---|---|---|---|---|"
    for name, f in (("dev", r.dev), ("**test**", r.test)):
        p_lo, p_hi = wilson(f.tp, f.tp + f.fp)
        r_lo, r_hi = wilson(f.tp, f.positives)
        yield (
            f"| {name} | {f.tp} | {f.fp} | {f.unjudged} | {f.positives}"
            f" | {_pct(f.precision)} [{_pct(p_lo)}, {_pct(p_hi)}] | {_pct(f.recall)} [{_pct(r_lo)}, {_pct(r_hi)}] |"
        )
    yield "\nCalibration on the test fold (judged proposals, all thresholds):\n"
    yield "| confidence bin | links | mean confidence | share right [95 % CI] |\n|---|---|---|---|"
    for label, n, mean, right in r.bins:
        lo, hi = wilson(round(right * n), n)
        yield f"| {label} | {n} | {mean:.2f} | {right:.2f} [{lo:.2f}, {hi:.2f}] |"
    yield f"\nErrors on the test fold ({len(r.errors)}):\n"
    yield from (f"    {line}" for line in r.errors)
    yield ""


def evaluate_all(
    pairs: Sequence[GoldPair],
    data: esco_data.Esco,
    vocab: rome.RomeVocabulary | None,
    *,
    source: str,
    shipped: bool = False,
) -> list[KindReport]:
    """One report per kind of the gold pairs, printed as it is made."""
    reports = []
    for kind in ("rome", "competency"):
        mine = [p for p in pairs if p.kind == kind]
        if not mine:
            continue
        proposals = run_matcher(kind, subjects_of(mine, vocab), data)
        where = f"fold dev of {source}: {sum(p.fold == 'dev' for p in mine)} {kind} pairs; ESCO {data.source}"
        cal = calibration.load(kind) if shipped else None
        reports.append(evaluate_kind(kind, mine, proposals, where, cal))
        print("\n".join(report_lines(reports[-1])))
        if kind == "rome" and vocab is not None:
            print("\n".join(relation_lines(mine, data, vocab, reports[-1].calibration)))
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--esco", type=Path, required=True, help="ESCO CSV folder (either layout)")
    parser.add_argument("--rome", type=Path, help="ROME 4.0 folder (appellations of the ROME codes)")
    parser.add_argument("--gold", type=Path, action="append", help="gold TSV (repeatable)")
    parser.add_argument("--write-calibration", action="store_true", help="write the fitted tables into the package")
    parser.add_argument("--calibration-out", type=Path, help="write the fitted tables here instead (tests)")
    parser.add_argument("--swap-folds", action="store_true", help="fit on test, report on dev (a second estimate)")
    parser.add_argument("--shipped", action="store_true", help="apply the shipped calibration and thresholds, no fit")
    args = parser.parse_args(argv)
    paths = args.gold or [Path("tests/resources/esco-gold.tsv")]
    pairs = [p for path in paths for p in read_gold(path)]
    if args.swap_folds:
        swapped = {"dev": "test", "test": "dev"}
        pairs = [dataclasses.replace(p, fold=swapped[p.fold]) for p in pairs]
    data = esco_data.read_esco(args.esco)
    vocab = rome.read_rome(args.rome) if args.rome else None
    print(f"gold: {', '.join(map(str, paths))} ({len(pairs)} pairs); ESCO: {args.esco.name}\n")
    source = " + ".join(p.name for p in paths) + (" (folds swapped)" if args.swap_folds else "")
    reports = evaluate_all(pairs, data, vocab, source=source, shipped=args.shipped)
    if args.write_calibration or args.calibration_out:
        dest = args.calibration_out or Path(calibration.__file__).with_name("calibration_table.py")
        fitted = {kind: calibration.load(kind) for kind in calibration.KINDS} | {r.kind: r.calibration for r in reports}
        command = " ".join(["scripts/eval_links.py", *(argv if argv is not None else sys.argv[1:])])
        calibration.write([fitted[kind] for kind in calibration.KINDS], dest, command=command)
        print(f"wrote {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
