"""The NSF nomenclature as SKOS, with the letter facet as a scheme of its own."""

from __future__ import annotations

import csv

import pytest

from rncp_graph.linking import nsf

from .constants import SHARED_DATA
from .test_linking_support import LINKING, shared

ID = "https://w3id.org/rncp-graph/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def t(s: str, p: str, o: str) -> tuple[str, str, str]:
    return f"<{ID}{s}>", f"<{SKOS}{p}>", o if o.startswith('"') else f"<{ID}{o}>"


@pytest.fixture(scope="module")
def vocab() -> nsf.NsfVocabulary:
    return nsf.read_nsf(LINKING / "nsf")


def test_hierarchy_labels_and_letters(vocab: nsf.NsfVocabulary) -> None:
    triples = set(nsf.nsf_triples(vocab, ["315t", "315", "999x"]))
    assert t("nsf/315", "broader", "nsf/31") in triples
    assert t("nsf/31", "broader", "nsf/3") in triples
    assert t("nsf/3", "topConceptOf", "scheme/nsf") in triples
    assert t("nsf/332", "prefLabel", '"Travail social"@fr') in triples  # the legal text's final full stop dropped
    assert t("nsf/315t", "broader", "nsf/315") in triples
    assert t("nsf/315t", "related", "nsf-letter/t") in triples
    label = '"Ressources humaines, gestion du personnel, gestion de l\'emploi (réalisation du service)"@fr'
    assert t("nsf/315t", "prefLabel", label) in triples
    assert t("nsf-letter/t", "broader", "nsf-letter/fonction") in triples
    assert t("nsf-letter/b", "broader", "nsf-letter/champ-application") in triples
    assert t("nsf-letter/p", "inScheme", "scheme/nsf-letter") in triples
    assert not any("999x" in s for s, _, _ in triples)


def test_specialties_are_made_only_for_the_codes_asked(vocab: nsf.NsfVocabulary) -> None:
    subjects = {s for s, _, _ in nsf.nsf_triples(vocab)}
    assert f"<{ID}nsf/315t>" not in subjects
    assert f"<{ID}nsf/315>" in subjects


def test_unknown_codes(vocab: nsf.NsfVocabulary) -> None:
    assert nsf.unknown_codes(["315", "315t", "315q", "999x", "3"], vocab) == ["315q", "999x"]


@pytest.mark.shared
def test_real_nomenclature_covers_the_codes_fiches_use() -> None:
    vocab = nsf.read_nsf(shared(SHARED_DATA / "nsf"))
    levels = [e.level for e in vocab.entries.values()]
    assert (levels.count("domaine_4"), levels.count("domaine_17"), levels.count("groupe_93")) == (4, 17, 93)
    assert set(vocab.letters) == set("abcdefgmnprstuvwz")
    path = shared(SHARED_DATA / "derived" / "nsf_codes_observed_in_rncp.csv")
    with path.open(encoding="utf-8") as handle:
        observed = [row["nsf_code"] for row in csv.DictReader(handle, delimiter=";")]
    assert len(observed) == 449
    assert nsf.unknown_codes(observed, vocab) == []
    triples = set(nsf.nsf_triples(vocab, observed))
    assert t("nsf/332p", "broader", "nsf/332") in triples
    assert t("nsf/332p", "related", "nsf-letter/p") in triples
    assert t("nsf-letter/p", "prefLabel", '"Organisation, gestion"@fr') in triples
    assert t("nsf-letter/n", "prefLabel", '"Conception"@fr') in triples
