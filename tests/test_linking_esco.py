"""Proposed links to ESCO, on hand-made ESCO files and the hand-made fiche graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from rncp_graph.errors import StructuralError
from rncp_graph.linking import calibration, esco, esco_data, iris_vocab, run
from rncp_graph.store import GraphStore

from .test_linking_support import LINKING, linking_store  # noqa: F401

SKILL = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-00000000000"
OCCUPATION = "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-0000000000"
ID = "https://w3id.org/rncp-graph/id/"


def test_both_esco_layouts_are_read() -> None:
    official = esco_data.read_esco(LINKING / "esco")
    api = esco_data.read_esco(LINKING / "esco-api")
    assert len(official.skills) == 6  # the SkillGroup row is not a skill
    assert official.skills[0].alt_labels == ("gérer les salaires", "assurer la gestion de la paie")
    assert api.skills[0].alt_labels == official.skills[0].alt_labels
    assert official.occupations[1].labels()[:2] == [
        "conducteur de chariot élévateur",
        "conductrice de chariot élévateur",
    ]


def test_a_folder_without_esco_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StructuralError):
        esco_data.read_esco(tmp_path)


def test_rome_gendered_labels_are_split_into_full_forms() -> None:
    assert esco_data.rome_forms("Conducteur / Conductrice d'engins agricoles") == [
        "Conducteur d'engins agricoles",
        "Conductrice d'engins agricoles",
    ]
    assert esco_data.rome_forms("Chef de projet / Cheffe de projet (PMO)") == [
        "Chef de projet (PMO)",
        "Cheffe de projet (PMO)",
    ]
    assert esco_data.rome_forms("Cariste") == ["Cariste"]


@pytest.fixture
def linked(linking_store: GraphStore) -> dict[str, tuple[str, str, float]]:  # noqa: F811
    run.rome_vocabulary(LINKING / "rome", store=linking_store)
    result = run.link_esco(LINKING / "esco", linking_store, thresholds={"competency": 0.4, "rome": 0.5})
    return {
        f"{m.subject.iri}|{m.object_id}": (m.predicate.rsplit("#")[-1], m.object_label, m.score)
        for m in result.mappings
    }


def test_competencies_get_exact_broad_and_close_matches(linked: dict[str, tuple[str, str, float]]) -> None:
    assert linked[f"{ID}competency/fixture-01|{SKILL}1"][0] == "exactMatch"  # "Gérer la paie"
    # every word of the skill is in the sentence, which says more: the skill is broader
    assert linked[f"{ID}competency/fixture-02|{SKILL}2"][0] == "broadMatch"  # bulletins de salaire
    assert linked[f"{ID}competency/fixture-05|{SKILL}4"][0] == "broadMatch"  # utiliser un tableur (pour...)
    assert not any(k.startswith(f"{ID}competency/fixture-03|") for k in linked)  # nothing fits "Accueillir le public"
    assert all(0 <= score <= 1 for _, _, score in linked.values())


def test_competency_predicate_table_covers_every_case() -> None:
    assert set(esco.COMPETENCY_PREDICATES) == {(a, b) for a in (True, False) for b in (True, False)}
    assert esco.COMPETENCY_PREDICATES[False, False] == esco.CLOSE_MATCH


def test_rome_codes_match_occupations_by_official_label_and_appellations(
    linked: dict[str, tuple[str, str, float]],
) -> None:
    assert linked[f"{ID}rome/M1502|{OCCUPATION}11"][0] == "exactMatch"
    assert linked[f"{ID}rome/N1101|{OCCUPATION}12"][0] == "exactMatch"
    assert not any(k.startswith(f"{ID}rome/A12|") for k in linked)


def test_links_land_in_their_own_graph_and_never_type_our_data_as_esco(linking_store: GraphStore) -> None:  # noqa: F811
    run.link_esco(LINKING / "esco", linking_store, thresholds={"competency": 0.4, "rome": 0.5})
    graph = iris_vocab.links_graph("esco")
    assert graph in linking_store.graphs()
    esco_links = (
        "SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s skos:closeMatch|skos:exactMatch|skos:broadMatch|skos:narrowMatch ?o }"
        " FILTER(CONTAINS(STR(?o), '/esco/')) }"
    )
    links = linking_store.select(esco_links)
    assert {row["g"].value for row in links} == {graph}  # type: ignore[union-attr]
    assert len(links) >= 4  # the four competencies that have a match
    typed = linking_store.select(
        "SELECT ?s ?c WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), 'http://data.europa.eu/esco/')) }"
    )
    assert typed == []


def test_threshold_and_top_k_bound_the_links(linking_store: GraphStore) -> None:  # noqa: F811
    subjects = esco.competency_subjects(linking_store)
    data = esco_data.read_esco(LINKING / "esco")
    top = calibration.load("competency").confidence(1.0)  # what an exact label match gets
    strict = esco.propose_competencies(subjects, data, threshold=top, top_k=3)
    loose = esco.propose_competencies(subjects, data, threshold=0.0, top_k=3)
    assert 0 < len(strict) < len(loose)
    assert all(m.confidence >= top for m in strict)
    by_subject: dict[str, int] = {}
    for m in esco.propose_competencies(subjects, data, threshold=0.0, top_k=1):
        by_subject[m.subject.iri] = by_subject.get(m.subject.iri, 0) + 1
    assert max(by_subject.values()) == 1
