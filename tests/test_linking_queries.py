"""The saved linking queries: header, parse, and answers on the hand-made fixture graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph.linking import run
from rncp_graph.store import GraphStore

from .constants import ROOT
from .test_linking_support import LINKING, fixture_store

QUERIES = sorted((ROOT / "queries" / "linking").glob("*.rq"))
HEADER_KEYS = ("#+ summary:", "#+ description:", "#+ params:", "#+ tags:")
ID = "https://w3id.org/rncp-graph/id/"


@pytest.fixture(scope="module")
def linked_store() -> GraphStore:
    store = fixture_store()
    run.rome_vocabulary(LINKING / "rome", store=store)
    run.link_esco(LINKING / "esco", store, thresholds={"competency": 0.4, "rome": 0.5})
    return store


def test_the_three_queries_exist() -> None:
    assert {q.stem for q in QUERIES} == {
        "certifications-to-esco-occupations",
        "competencies-to-esco-skills",
        "certifications-by-eqf-level",
    }


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_header_and_parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for key in HEADER_KEYS:
        assert any(line.startswith(key) for line in text.splitlines()), key
    ox.Store().query(text)  # raises on a syntax error


def _run(store: GraphStore, name: str, **bindings: str) -> list[dict[str, str]]:
    text = (ROOT / "queries" / "linking" / f"{name}.rq").read_text(encoding="utf-8")
    rows = store.select(text, {k: ox.NamedNode(v) for k, v in bindings.items()})
    return [{k: v.value for k, v in row.items() if v is not None} for row in rows]


def test_certifications_to_occupations(linked_store: GraphStore) -> None:
    rows = _run(linked_store, "certifications-to-esco-occupations")
    pairs = {(r["number"], r["romeCode"], r["occupationLabel"]) for r in rows}
    assert ("RNCP90001", "M1502", "gestionnaire de paie") in pairs
    assert ("RS90002", "M1502", "gestionnaire de paie") in pairs
    one = _run(linked_store, "certifications-to-esco-occupations", certification=ID + "certification/RS90002")
    assert {r["number"] for r in one} == {"RS90002"}


def test_competencies_to_skills(linked_store: GraphStore) -> None:
    rows = _run(linked_store, "competencies-to-esco-skills", certification=ID + "certification/RNCP90001")
    skills = {r["skillLabel"] for r in rows}
    assert {"gérer la paie", "établir des bulletins de salaire", "conduire un chariot élévateur"} <= skills
    assert {r["certification"] for r in rows} == {ID + "certification/RNCP90001"}


def test_certifications_by_eqf_level(linked_store: GraphStore) -> None:
    rows = _run(linked_store, "certifications-by-eqf-level", eqf="http://data.europa.eu/snb/eqf/5")
    assert [r["number"] for r in rows] == ["RNCP90001"]
    assert _run(linked_store, "certifications-by-eqf-level", eqf="http://data.europa.eu/snb/eqf/7") == []
