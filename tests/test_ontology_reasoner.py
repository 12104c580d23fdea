"""The ontology (with the fixed schemes) loads in an OWL 2 DL reasoner: HermiT, through owlready2.

owlready2 ships HermiT's jar and runs it with ``java``; both are needed (``dev`` extra, and a
JRE on the machine): without either the tests skip. owlready2 reads RDF/XML, N-Triples or
OWL/XML, not Turtle, so the Turtle files are converted with rdflib first. Pellet, also shipped
by owlready2 0.51, needs a newer Java than 17 (its Jena jars are class version 69) and is not
used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import RDFS, XSD

from rncp_graph.namespaces import RNCP

from .constants import ROOT

owlready2 = pytest.importorskip("owlready2")
if shutil.which("java") is None:
    pytest.skip("no java on this machine: HermiT cannot run", allow_module_level=True)

pytestmark = pytest.mark.slow

ONTOLOGY = ROOT / "ontology" / "rncp.ttl"
SCHEMES = sorted((ROOT / "ontology" / "schemes").glob("*.ttl"))


def hermit(graph: rdflib.Graph, tmp_path: Path) -> list[object]:
    """Run HermiT on ``graph`` (classification and consistency); the unsatisfiable classes."""
    path = tmp_path / "ontology.owl"
    graph.serialize(path, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return list(world.inconsistent_classes())


def test_hermit_loads_the_ontology_and_schemes(tmp_path: Path) -> None:
    graph = rdflib.Graph().parse(ONTOLOGY)
    for path in SCHEMES:
        graph.parse(path)
    assert hermit(graph, tmp_path) == []


def test_hermit_refuses_a_datatype_outside_the_owl2_map(tmp_path: Path) -> None:
    """What the ontology had: ``rdfs:range xsd:date`` (not in the OWL 2 datatype map)."""
    graph = rdflib.Graph().parse(ONTOLOGY)
    graph.set((RNCP.expiryDate, RDFS.range, XSD.date))
    with pytest.raises(owlready2.OwlReadyJavaError, match="XMLSchema#date"):
        hermit(graph, tmp_path)
