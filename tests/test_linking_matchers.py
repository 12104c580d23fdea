"""The two ESCO matchers: the predicate rule table, and real ESCO / ROME data (skipped without it)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from rdflib.namespace import SKOS

from rncp_graph.linking import esco, esco_data, occupations, rome
from rncp_graph.linking.esco_data import EscoConcept

from .constants import SHARED_DATA
from .test_linking_support import ESCO_DIRS, LINKING, shared

OCCUPATION = "http://data.europa.eu/esco/occupation/"


def _evidence(code: str, iri: str, *, same: bool = False, official: bool = False) -> occupations.Evidence:
    entry = occupations.RomeEntry(f"rome/{code}", code, (code,))
    return occupations.Evidence(entry, EscoConcept(iri, iri), 0.9, 1, same, None, code, iri, official)


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ([("A", "x", True)], SKOS.exactMatch),  # one to one, same title
        ([("A", "x", False)], SKOS.closeMatch),  # one to one, other titles
        ([("A", "x", True), ("A", "y", False)], SKOS.narrowMatch),  # the code covers x and y: x is narrower
        ([("A", "x", True), ("B", "x", False)], SKOS.broadMatch),  # x is shared by two codes: x is broader
        ([("A", "x", True), ("A", "y", True), ("B", "x", True)], SKOS.closeMatch),  # many to many
    ],
)
def test_predicate_rule(links: Sequence[tuple[str, str, bool]], expected: object) -> None:
    chosen = occupations.predicates([_evidence(code, iri, same=same) for code, iri, same in links])
    assert chosen["rome/A", "x"] == str(expected)
    assert set(occupations.PREDICATE_RULE) == {(a, b) for a in (True, False) for b in (True, False)}


def test_the_codes_own_title_is_an_exact_match_even_among_several() -> None:
    links = [_evidence("A", "x", same=True, official=True), _evidence("A", "y", same=True), _evidence("B", "x")]
    chosen = occupations.predicates(links)
    assert chosen["rome/A", "x"] == str(SKOS.exactMatch)
    assert chosen["rome/A", "y"] == str(SKOS.narrowMatch)


def test_evidence_counts_support_and_isco_group() -> None:
    codes = rome.read_rome(LINKING / "rome").codes
    entries = [occupations.RomeEntry(f"rome/{c}", c, tuple(v.labels())) for c, v in codes.items()]
    found = occupations.evidence(entries, esco_data.read_esco(LINKING / "esco").occupations)
    cariste = {ev.occupation.pref_label: ev for ev in found if ev.entry.code == "N1101"}
    chariot = cariste["conducteur de chariot élévateur/conductrice de chariot élévateur"]
    assert chariot.same_title and chariot.support >= 1 and chariot.isco_agrees is True
    assert occupations.score(chariot) == 1.0
    # the API layout has no ISCO group: the evidence says "unknown", not "disagrees"
    api = occupations.evidence(entries, esco_data.read_esco(LINKING / "esco-api").occupations)
    assert {ev.isco_agrees for ev in api} == {None}


def _concept(concepts: Sequence[EscoConcept], label: str) -> EscoConcept:
    return next(c for c in concepts if c.pref_label == label)


@pytest.fixture(scope="module")
def esco_v1() -> esco_data.Esco:
    return esco_data.read_esco(shared(ESCO_DIRS["v1.0"]))


@pytest.mark.shared
def test_rome_codes_on_real_data(esco_v1: esco_data.Esco) -> None:
    vocab = rome.read_rome(shared(SHARED_DATA / "rome-v460"))
    subjects = [
        esco.rome_subject(f"rome/{c}", c, vocab.codes[c].labels(), vocab.codes[c].label) for c in ("K2503", "N4101")
    ]
    links = {(m.subject.iri, m.object_id): m for m in esco.propose_rome(subjects, esco_v1)}
    # the security guard ("garde" in v1.0, "agent de sécurité" in v1.2.1)
    security = links["rome/K2503", OCCUPATION + "31808988-fc0a-4bc3-9e47-27216d6759f5"]
    assert security.confidence >= esco.DEFAULT_THRESHOLDS["rome"] and 0 < security.score <= 1
    assert security.confidence != security.score  # calibrated, not the raw score
    # one-to-many: a ROME code covers several ESCO occupations, each then narrower than the code
    k2503 = [m for (code, _), m in links.items() if code == "rome/K2503"]
    assert len(k2503) > 1 and {m.predicate for m in k2503} <= {str(SKOS.narrowMatch), str(SKOS.closeMatch)}
    assert {m.object_label for m in links.values() if m.subject.iri == "rome/N4101"} >= {
        "conducteur de poids lourd/conductrice de poids lourd"
    }


@pytest.mark.shared
def test_competencies_on_real_data(esco_v1: esco_data.Esco) -> None:
    subjects = [
        esco.competency_subject("c/1", "Gestion et animation d'équipe"),
        esco.competency_subject("c/2", "Gérer les litiges"),
    ]
    found = esco.propose_competencies(subjects, esco_v1, threshold=0.0)
    best = {m.subject.iri: m for m in reversed(found)}  # sorted by confidence: keep each subject's first
    assert best["c/1"].object_label == "gérer une équipe"  # a noun title meets a verb skill
    assert len(esco_v1.broader) > 8000  # the v1.0 download has both hierarchies


def test_hierarchy_files_are_optional(tmp_path: Path) -> None:
    assert esco_data.read_broader(tmp_path / "absent.csv") == {}
