"""The SHACL shapes as data: headers, names and messages, meta-SHACL, and one case per constraint.

The cases live in ``tests/shapes/*.ttl`` (see its README): data plus a manifest of the
expected results, globbed and parametrised here, every case run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, SH

from rncp_graph.namespaces import RNCP
from rncp_graph.validate import validate
from rncp_graph.validate.engine import path_text
from rncp_graph.validate.report import Result, Severity, nt
from rncp_graph.validate.shapes import RNCPSH, SHAPE_FILES, load_shapes, meta_validate, shape_files

CASES_DIR = Path(__file__).parent / "shapes"
T = rdflib.Namespace("https://w3id.org/rncp-graph/shapes/test#")
AS_OF = date(2026, 11, 22)
#: Severities each shape file may use.
FILE_SEVERITIES = {"core.ttl": {SH.Violation}, "ranges.ttl": {SH.Violation}, "recommended.ttl": {SH.Warning, SH.Info}}
#: Constraint parameters → the component pyshacl names in its results.
COMPONENTS = {
    SH.minCount: [SH.MinCountConstraintComponent],
    SH.maxCount: [SH.MaxCountConstraintComponent],
    SH.pattern: [SH.PatternConstraintComponent],
    SH.datatype: [SH.DatatypeConstraintComponent],
    SH["class"]: [SH.ClassConstraintComponent],
    SH.nodeKind: [SH.NodeKindConstraintComponent],
    SH["in"]: [SH.InConstraintComponent],
    SH.hasValue: [SH.HasValueConstraintComponent],
    SH.minInclusive: [SH.MinInclusiveConstraintComponent],
    SH.maxInclusive: [SH.MaxInclusiveConstraintComponent],
    SH.lessThan: [SH.LessThanConstraintComponent],
    SH.uniqueLang: [SH.UniqueLangConstraintComponent],
    SH.languageIn: [SH.LanguageInConstraintComponent],
    SH.sparql: [SH.SPARQLConstraintComponent],
    SH.qualifiedValueShape: [SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent],
    RNCPSH.asOf: [RNCPSH.ExpiredWhileActiveConstraintComponent],
}


@cache
def shapes() -> rdflib.Graph:
    return load_shapes(AS_OF)


def file_graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(shape_files()[SHAPE_FILES.index(name)], format="turtle")


def property_shapes(graph: rdflib.Graph) -> list[rdflib.term.Node]:
    return sorted(set(graph.subjects(RDF.type, SH.PropertyShape)))


# -- the shape files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_each_file_has_a_header(name: str) -> None:
    text = shape_files()[SHAPE_FILES.index(name)].read_text(encoding="utf-8")
    for field in ("Title:", "Version:", "Date:", "Licence:"):
        assert re.search(rf"^# {field}\s+\S", text, re.M), f"{name}: no '{field}' in the header comment"
    graph = file_graph(name)
    (ontology,) = list(graph.subjects(RDF.type, OWL.Ontology))
    assert str(ontology) == f"https://w3id.org/rncp-graph/shapes/{name.removesuffix('.ttl')}"
    assert {lit.language for lit in graph.objects(ontology, DCTERMS.title)} == {"fr", "en"}
    for prop in (OWL.versionInfo, DCTERMS.modified, DCTERMS.license):
        assert graph.value(ontology, prop) is not None, f"{name}: header has no {prop}"


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_property_shapes_are_named_and_bilingual(name: str) -> None:
    graph = file_graph(name)
    assert property_shapes(graph), name
    for shape in property_shapes(graph):
        assert isinstance(shape, rdflib.URIRef), f"{name}: a property shape is a blank node"
        for prop in (SH.name, SH.description, SH.message):
            langs = sorted(lit.language or "" for lit in graph.objects(shape, prop))
            assert langs == ["en", "fr"], f"{shape}: {prop} must be given once in French and once in English"
        assert graph.value(shape, SH.severity) in FILE_SEVERITIES[name], f"{shape}: severity not allowed in {name}"
    for node in graph.subjects(RDF.type, SH.NodeShape):
        assert isinstance(node, rdflib.URIRef), f"{name}: a node shape is a blank node"


def test_every_class_of_the_ontology_has_a_named_node_shape() -> None:
    classes = {getattr(RNCP, n) for n in RNCP.__annotations__ if n[0].isupper()}
    targeted = {o for s, o in shapes().subject_objects(SH.targetClass) if isinstance(s, rdflib.URIRef)}
    assert classes - targeted == set()


@pytest.mark.slow
def test_shapes_pass_meta_shacl() -> None:
    conforms, text = meta_validate(shapes())
    assert conforms, text


def test_shapes_fetch_nothing_and_run_no_code() -> None:
    graph = shapes()
    assert not list(graph.triples((None, OWL.imports, None)))
    assert not list(graph.triples((None, SH.js, None)))
    for query in graph.objects(None, SH.select):
        assert not re.search(r"\b(SERVICE|LOAD|FROM)\b", str(query), re.I), query


def test_as_of_is_set_when_loading() -> None:
    graph = load_shapes(date(2030, 1, 2))
    values = {str(v) for v in graph.objects(None, RNCPSH.asOf)}
    assert values == {"2030-01-02"}


# -- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    shape: str
    path: str
    severity: Severity
    conforming: tuple[str, ...]
    expected: frozenset[tuple[str, str, str]]  # (focus, value, component)


def read_cases(path: Path) -> tuple[rdflib.Graph, list[Case]]:
    """The data graph of a case file (manifest removed) and its cases."""
    graph = rdflib.Graph().parse(path, format="turtle")
    cases = []
    manifest_nodes: set[rdflib.term.Node] = set()
    for node in sorted(graph.subjects(RDF.type, T.Case)):
        path_node = graph.value(node, T.path)
        cases.append(
            Case(
                file=path.name,
                name=str(node).rsplit("#", 1)[-1],
                shape=str(graph.value(node, T.shape)),
                path=path_text(graph, path_node) if path_node is not None else "",
                severity=Severity.from_iri(str(graph.value(node, T.severity))),
                conforming=tuple(sorted(nt(n) for n in graph.objects(node, T.conforming))),
                expected=frozenset(_expectation(graph, e) for e in graph.objects(node, T.expect)),
            )
        )
        manifest_nodes |= {node, *_blank_nodes_under(graph, node)}
    data = rdflib.Graph()
    for triple in graph:
        if triple[0] not in manifest_nodes:
            data.add(triple)
    return data, cases


def _blank_nodes_under(graph: rdflib.Graph, node: rdflib.term.Node) -> set[rdflib.term.Node]:
    found: set[rdflib.term.Node] = set()
    todo = [o for o in graph.objects(node, None) if isinstance(o, rdflib.BNode)]
    while todo:
        bnode = todo.pop()
        if bnode not in found:
            found.add(bnode)
            todo.extend(o for o in graph.objects(bnode, None) if isinstance(o, rdflib.BNode))
    return found


def _expectation(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, str, str]:
    value = graph.value(node, T.value)
    return nt(graph.value(node, T.focus)), nt(value) if value is not None else "", str(graph.value(node, T.component))


CASE_FILES = sorted(CASES_DIR.glob("*.ttl"))
ALL_CASES = [case for path in CASE_FILES for case in read_cases(path)[1]]


@cache
def report_of(name: str, strategy: str) -> tuple[Result, ...]:
    data, _ = read_cases(CASES_DIR / name)
    return tuple(validate(data, as_of=AS_OF, strategy=strategy).results)


def test_cases_are_all_collected() -> None:
    found = sum(len(re.findall(r"\ba t:Case\b", p.read_text(encoding="utf-8"))) for p in CASE_FILES)
    assert len(CASE_FILES) >= 10
    assert len(ALL_CASES) == found, "a case was not read"


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c.file}::{c.name}")
def test_case(case: Case) -> None:
    results = [r for r in report_of(case.file, "whole") if r.shape == case.shape]
    got = {(r.focus, r.value, r.component) for r in results}
    assert got == case.expected, f"{case.name}: unexpected {got - case.expected}, missing {case.expected - got}"
    assert {r.path for r in results} <= {case.path}
    assert {r.severity for r in results} <= {case.severity}
    assert all(r.message_fr and r.message_en and r.message_fr != r.message_en for r in results)
    assert not [r for r in results if r.focus in case.conforming], "a conforming node has a result"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_per_fiche_validation_gives_the_same_report_on_each_case_file(path: Path) -> None:
    assert set(report_of(path.name, "per-fiche")) == set(report_of(path.name, "whole"))


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_sparql_validation_gives_the_same_report_on_each_case_file(path: Path) -> None:
    assert set(report_of(path.name, "sparql")) == set(report_of(path.name, "whole"))


def test_every_constraint_has_a_case() -> None:
    graph = shapes()
    needed = set()
    for shape in property_shapes(graph):
        for parameter, components in COMPONENTS.items():
            if (shape, parameter, None) in graph:
                needed |= {(str(shape), str(c)) for c in components}
    covered = {(c.shape, comp) for c in ALL_CASES for _, _, comp in c.expected}
    assert needed - covered == set(), "constraints without an expected result in tests/shapes"
    with_conforming = {c.shape for c in ALL_CASES if c.conforming}
    assert {str(s) for s in property_shapes(graph)} - with_conforming == set(), "shapes without a conforming node"


def test_sparql_stays_shallow() -> None:
    """rdflib parses SPARQL with pyparsing, which recurses about 30 frames per nested call and far
    more when packrat parsing is on (matplotlib turns it on): deep nesting overflowed the stack."""
    for query in shapes().objects(None, SH.select):
        depth = deepest = 0
        for char in str(query):
            depth += {"(": 1, ")": -1}.get(char, 0)
            deepest = max(deepest, depth)
        assert deepest <= 4, query
