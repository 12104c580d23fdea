"""The shape of the ESCO gold set of issue 22 (tests/resources/linking/gold): columns, values, folds, sources."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from rncp_graph.iris import competency, text_hash, text_key

from .constants import RESOURCES

GOLD = RESOURCES / "linking" / "gold"
HEADER = ["kind", "subject_id", "subject_label", "object_id", "object_label", "judgement", "relation", "fold", "note"]
SAMPLE_HEADER = [*HEADER[:5], "judgement", "relation"]
FILES = {  # file: (kind, minimum pairs, object URI prefix)
    "rome-esco.tsv": ("rome-occupation", 300, "http://data.europa.eu/esco/occupation/"),
    "competency-esco.tsv": ("competency-skill", 500, "http://data.europa.eu/esco/skill/"),
}
RELATIONS = {"exact", "close", "broad", "narrow"}


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a gold TSV (``#`` lines first); every row must have the header's width."""
    lines = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[0].startswith("#"), f"{path.name}: comment lines first"
    body = [line.split("\t") for line in lines if not line.startswith("#")]
    header, rows = body[0], body[1:]
    bad = [i for i, row in enumerate(rows, 1) if len(row) != len(header)]
    assert not bad, f"{path.name}: rows {bad[:5]} do not have {len(header)} columns"
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def gold(name: str) -> list[dict[str, str]]:
    header, rows = read(GOLD / name)
    assert header == HEADER
    return rows


@pytest.mark.parametrize("name", sorted(FILES))
def test_gold_file_shape(name: str) -> None:
    kind, minimum, prefix = FILES[name]
    rows = gold(name)
    assert len(rows) >= minimum
    assert {r["kind"] for r in rows} == {kind}
    assert all(r["object_id"].startswith(prefix) and r["subject_label"] and r["object_label"] for r in rows)
    assert {r["judgement"] for r in rows} == {"yes", "no"}
    pairs = Counter((r["subject_id"], r["object_id"]) for r in rows)
    assert pairs.most_common(1)[0][1] == 1, "a pair labelled twice"
    for r in rows:
        if kind == "rome-occupation" and r["judgement"] == "yes":
            assert r["relation"] in RELATIONS, r
        else:
            assert r["relation"] == "", r


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_subject_in_one_fold_given_by_its_hash(name: str) -> None:
    folds: dict[str, set[str]] = defaultdict(set)
    for r in gold(name):
        folds[r["subject_id"]].add(r["fold"])
    assert all(len(f) == 1 for f in folds.values())
    expected = {s: "dev" if hashlib.sha256(s.encode()).digest()[0] % 2 == 0 else "test" for s in folds}
    assert {s: next(iter(f)) for s, f in folds.items()} == expected
    share = Counter(expected.values())["dev"] / len(expected)
    assert 0.35 <= share <= 0.65, f"dev holds {share:.0%} of the subjects"


def test_subject_ids_are_the_graph_ids() -> None:
    for r in gold("rome-esco.tsv"):
        assert len(r["subject_id"]) == 5 and r["subject_id"][0].isupper() and r["subject_id"][1:].isdigit()
    rows = gold("competency-esco.tsv")
    for r in rows:
        assert r["subject_label"] == text_key(r["subject_label"])
        assert r["subject_id"] == text_hash(r["subject_label"])
        assert competency(r["subject_label"]).endswith("/competency/" + r["subject_id"])
    header, subjects = read(GOLD / "competency-subjects.tsv")
    assert header == ["subject_id", "block_codes", "text"]
    assert {(s["subject_id"], s["text"]) for s in subjects} == {(r["subject_id"], r["subject_label"]) for r in rows}


def test_second_pass_sample_is_drawn_from_the_gold_pairs_blind() -> None:
    header, sample = read(GOLD / "second-pass-sample.tsv")
    assert header == SAMPLE_HEADER
    assert Counter(r["kind"] for r in sample) == {"rome-occupation": 60, "competency-skill": 90}
    assert all(r["judgement"] == "" and r["relation"] == "" for r in sample)
    labelled = {tuple(r[c] for c in HEADER[:5]) for name in FILES for r in gold(name)}
    drawn = [tuple(r[c] for c in HEADER[:5]) for r in sample]
    assert len(set(drawn)) == 150
    assert set(drawn) <= labelled


def _column(path: Path, column: str, delimiter: str = ",") -> set[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row[column] for row in csv.DictReader(f, delimiter=delimiter)}


@pytest.mark.shared
def test_subjects_and_objects_exist_in_the_sources(shared_data: Path) -> None:
    rome = _column(shared_data / "rome-v460" / "unix_referentiel_code_rome_v460_utf8.csv", "code_rome")
    used_2021 = _column(shared_data / "derived" / "rome_codes_observed_in_rncp_2021.csv", "rome_code", ";")
    assert {r["subject_id"] for r in gold("rome-esco.tsv")} <= rome & used_2021
    esco = shared_data / "esco-fr"
    for name, kind in (("rome-esco.tsv", "occupations"), ("competency-esco.tsv", "skills")):
        mockly = _column(esco / "mockly-v1.2.1-api" / f"{kind}_fr.csv", "conceptUri")
        v10 = _column(esco / "raw-v1.0-emanuellandell" / f"{kind}_fr.csv", "conceptUri")
        for r in gold(name):
            assert r["object_id"] in mockly | v10, r["object_id"]
            assert (r["object_id"] not in mockly) == ("not in mockly" in r["note"]), r
    blocks_file = next((shared_data / "rncp-2021-official-csv-layout").glob("export_fiches_CSV_Blocs_De_Comp*"))
    with blocks_file.open(encoding="utf-8", newline="") as f:
        texts = {text_key(row["Bloc_Competences_Libelle"] or "") for row in csv.DictReader(f, delimiter=";")}
    assert {r["subject_label"] for r in gold("competency-esco.tsv")} <= texts
