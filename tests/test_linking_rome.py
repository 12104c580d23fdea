"""The ROME 4.0 referential as SKOS: hand-made release v999, then the real v460."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from rncp_graph.errors import StructuralError
from rncp_graph.linking import iris_vocab, rome
from rncp_graph.linking.rdfio import to_rdflib

from .constants import SHARED_DATA
from .test_linking_support import LINKING, shared

ID = "https://w3id.org/rncp-graph/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def vocab() -> rome.RomeVocabulary:
    return rome.read_rome(LINKING / "rome")


@pytest.fixture(scope="module")
def triples(vocab: rome.RomeVocabulary) -> set[tuple[str, str, str]]:
    return set(rome.rome_triples(vocab))


def t(s: str, p: str, o: str) -> tuple[str, str, str]:
    return f"<{ID}{s}>", f"<{SKOS}{p}>", o if o.startswith('"') else f"<{ID}{o}>"


def test_release_codes_appellations_and_definition(vocab: rome.RomeVocabulary) -> None:
    assert vocab.release == "v999"
    assert sorted(vocab.codes) == ["M1501", "M1502", "N1101"]
    assert vocab.codes["M1502"].parent == "M1501"
    assert vocab.codes["M1502"].appellations == ["Gestionnaire de paie", "Technicien / Technicienne de paie"]
    # sentences in position order; the doubled apostrophe of the source repaired
    assert (
        vocab.codes["M1502"].definition
        == "Établit les bulletins de paie de l'entreprise. Contrôle les déclarations sociales."
    )
    assert set(vocab.competences) == {"300001", "100001", "100002"}
    assert set(vocab.savoirs) == {"200001", "200002"}


def test_labels_and_hierarchy(triples: set[tuple[str, str, str]]) -> None:
    assert t("rome/N1101", "prefLabel", '"Conducteur / Conductrice de chariot élévateur"@fr') in triples
    assert t("rome/N1101", "altLabel", '"Cariste"@fr') in triples
    assert t("rome/M1502", "altLabel", '"Gestionnaire de paie"@fr') not in triples  # same as the prefLabel
    assert t("rome/M1502", "broader", "rome/M1501") in triples  # ROME 4.0 parent fiche
    assert t("rome/M1502", "broader", "rome/M15") in triples  # and the code tree
    assert t("rome/M15", "broader", "rome/M") in triples
    assert t("rome/M", "topConceptOf", "scheme/rome") in triples
    assert t("rome/N1101", "broader", "rome/N1101") not in triples  # a parent equal to itself is no parent


def test_mobility_competences_and_savoirs(triples: set[tuple[str, str, str]]) -> None:
    mobility = "<https://w3id.org/rncp-graph/ontology#mobilityTarget>"
    # every mobility link is directed; skos:related only where no broader chain joins the two (S27)
    assert (f"<{ID}rome/M1502>", mobility, f"<{ID}rome/M1501>") in triples
    assert (f"<{ID}rome/M1501>", mobility, f"<{ID}rome/M1502>") in triples  # down to a child: also no related
    assert t("rome/M1502", "related", "rome/M1501") not in triples  # M1501 is M1502's parent fiche
    assert t("rome/M1501", "related", "rome/M1502") not in triples
    assert (f"<{ID}rome/N1101>", mobility, f"<{ID}rome/M1502>") in triples
    assert t("rome/N1101", "related", "rome/M1502") in triples  # another domain: associative
    assert not any("Z9999" in o for _, _, o in triples)  # a mobility target the release lacks is dropped
    assert t("rome/M1502", "related", "rome-competence/100001") in triples
    assert t("rome/M1502", "related", "rome-savoir/200001") in triples
    assert t("rome-competence/100001", "broader", "rome-competence/300001") in triples
    assert t("rome-competence/300001", "topConceptOf", "scheme/rome-competence") in triples
    assert t("rome-savoir/200002", "inScheme", "scheme/rome-savoir") in triples


def test_graph_parses_and_has_no_blank_nodes(triples: set[tuple[str, str, str]]) -> None:
    graph = to_rdflib(triples)
    assert len(graph) == len(triples)
    assert all(not s.startswith("_:") and not o.startswith("_:") for s, _, o in triples)


def test_unknown_codes_say_why() -> None:
    vocab = rome.RomeVocabulary("v999", codes={"M1502": rome.RomeCode("M1502", "Gestionnaire de paie")})
    found = {u.code: u.reason for u in rome.unknown_codes(["M1502", "A12", "C", "K1403", "H1", "M1502"], vocab)}
    assert set(found) == {"A12", "C", "K1403", "H1"}
    assert found["C"].startswith("domain code")
    assert found["A12"].startswith("field code")
    assert "v999" in found["K1403"]
    assert found["H1"] == "not a ROME code"


def test_a_folder_without_the_code_file_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(StructuralError):
        rome.read_rome(tmp_path)  # type: ignore[arg-type]


def test_iris_of_the_vocabulary() -> None:
    assert iris_vocab.rome_competence("100023") == ID + "rome-competence/100023"
    assert iris_vocab.vocab_graph("rome") == ID + "graph/vocab/rome"


@pytest.mark.shared
def test_real_release_v460() -> None:
    vocab = rome.read_rome(shared(SHARED_DATA / "rome-v460"))
    assert vocab.release == "v460"
    assert len(vocab.codes) == 1584
    assert len(vocab.competences) == 18317
    assert len(vocab.savoirs) == 15354
    assert vocab.codes["A1102"].parent == "A1101"
    assert "Cariste" in [a for c in vocab.codes.values() for a in c.appellations]


@pytest.mark.shared
def test_codes_used_in_2021_that_rome_v460_lacks() -> None:
    vocab = rome.read_rome(shared(SHARED_DATA / "rome-v460"))
    path = shared(SHARED_DATA / "derived" / "rome_codes_observed_in_rncp_2021.csv")
    with path.open(encoding="utf-8") as handle:
        observed = [row["rome_code"] for row in csv.DictReader(handle, delimiter=";")]
    unknown = rome.unknown_codes(observed, vocab)
    assert len(observed) == 625
    assert len(unknown) == 104  # as SOURCES.md says
    kinds = Counter(u.reason.split(" (")[0].split(",")[0] for u in unknown)
    assert kinds == {"field code": 68, "not in ROME 4.0 v460": 26, "domain code": 8, "not a ROME code": 2}
    assert {"A12", "C"} <= {u.code for u in unknown}
