"""French levels (Niveau 1–8) ↔ EQF 1–8: the scheme of ontology/schemes/levels.ttl, and how ELM uses it."""

from __future__ import annotations

import pytest
import rdflib

from rncp_graph import iris
from rncp_graph.linking import elm

from .constants import ROOT

LEVELS = ROOT / "ontology" / "schemes" / "levels.ttl"
SKOS = rdflib.namespace.SKOS


@pytest.fixture(scope="module")
def levels() -> rdflib.Graph:
    if not LEVELS.is_file():
        pytest.skip("ontology/schemes/levels.ttl not written yet (ontology engineer)")
    return rdflib.Graph().parse(LEVELS)


@pytest.mark.parametrize("n", range(1, 9))
def test_each_level_matches_its_eqf_level_exactly(levels: rdflib.Graph, n: int) -> None:
    level = rdflib.URIRef(iris.level(n))
    assert set(levels.objects(level, SKOS.exactMatch)) == {rdflib.URIRef(f"http://data.europa.eu/snb/eqf/{n}")}
    assert (level, SKOS.inScheme, rdflib.URIRef(iris.scheme("level"))) in levels
    assert levels.value(level, SKOS.notation) == rdflib.Literal(str(n))


def test_no_other_eqf_links(levels: rdflib.Graph) -> None:
    eqf = [o for o in levels.objects(None, SKOS.exactMatch) if str(o).startswith("http://data.europa.eu/snb/eqf/")]
    assert len(eqf) == 8


def test_elm_export_uses_the_same_correspondence() -> None:
    src = elm.ElmSource(qualifications={"x": elm.Certification(iris.certification("RNCP1"), "RNCP1", ["T"], level=6)})
    triples = set(elm.elm_triples(src))
    assert (f"<{iris.certification('RNCP1')}>", elm.T["EQFLevel"], "<http://data.europa.eu/snb/eqf/6>") in triples
    assert (f"<{iris.certification('RNCP1')}>", elm.T["NQFLevel"], f"<{iris.level(6)}>") in triples
