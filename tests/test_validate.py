"""SHACL validation: the samples, seeded faults, per-fiche = whole graph, cache, CLI and build.

The reference is pyshacl on the whole graph (``strategy="whole"``); the per-fiche validation
(units, cache, processes, cross-fiche SPARQL) and the shapes compiled to SPARQL
(``strategy="sparql"``) must give the same report.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF, SH, XSD

from rncp_graph import Build, build, iris
from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.cli import main
from rncp_graph.errors import ValidationFailure
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.model import Correspondence, Fiche, LinkedFiche, Status
from rncp_graph.namespaces import RNCP
from rncp_graph.resources import scheme_files
from rncp_graph.store import GraphStore
from rncp_graph.terms import lines_to_bytes
from rncp_graph.validate import Overlap, Report, Severity, as_store, validate, validate_overlapping
from rncp_graph.validate import shapes as shapes_module
from rncp_graph.validate.compile import compile_shapes
from rncp_graph.validate.engine import install_speedups
from rncp_graph.validate.shapes import load_shapes
from rncp_graph.validate.sparql_engine import has_two_values

from .constants import FICHES_DIR, SAMPLE_NUMBERS
from .synthetic_fiches import FAULTS, Generator

AS_OF = date(2026, 11, 22)
RNCPSH = "https://w3id.org/rncp-graph/shapes#"
#: Samples without a title: the page layout of four of the five samples gives none.
UNTITLED = ["RNCP34808", "RNCP36459", "RNCP41120", "RNCP41818"]


def store_of(fiches: list[Fiche]) -> GraphStore:
    """Fiches mapped and loaded as a build would, with the fixed vocabularies."""
    store = store_from_fiches(fiches)
    for path in scheme_files():
        store.load_file(path, iris.SCHEMES_GRAPH)
    return store


def edited(store: GraphStore, edit: Callable[[list[str]], list[str]]) -> GraphStore:
    """A copy of ``store`` whose N-Triples lines went through ``edit``."""
    copy = GraphStore()
    copy.load(lines_to_bytes(edit(list(canonical_lines(store)))), ox.RdfFormat.N_TRIPLES)
    return copy


def found(report: Report, shape: str, severity: Severity = Severity.VIOLATION) -> list[tuple[tuple[str, ...], str]]:
    """(fiches, value) of the results of one rule."""
    return [(r.fiches, r.value) for r in report.results if r.shape == RNCPSH + shape and r.severity == severity]


def same(a: Report, b: Report) -> None:
    assert a.results == b.results
    assert a.totals == b.totals


# -- the five samples ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_report(sample_build: Build) -> Report:
    return validate(sample_build.store, as_of=AS_OF)


def test_samples_conform_with_the_expected_warnings(sample_report: Report) -> None:
    assert sample_report.conforms
    assert sample_report.violations == 0
    untitled = sorted(f for fiches, _ in found(sample_report, "certification-title", Severity.WARNING) for f in fiches)
    assert untitled == UNTITLED
    # RNCP4525's page lists its eight blocks without their competencies.
    assert found(sample_report, "block-competency", Severity.WARNING) == [(("RNCP4525",), "")] * 8
    outside = found(sample_report, "correspondence-target-loaded", Severity.INFO)
    assert outside == [
        (("RNCP34808",), f"<{iris.certification('RNCP2514')}>"),
        (("RNCP41120",), f"<{iris.certification('RNCP16197')}>"),
    ]
    assert sample_report.totals == {"Violation": 0, "Warning": 12, "Info": 2}
    assert sample_report.stats["fiches"] == len(SAMPLE_NUMBERS)


def test_samples_per_fiche_is_the_whole_graph_report(sample_build: Build, sample_report: Report) -> None:
    same(sample_report, validate(sample_build.store, as_of=AS_OF, strategy="whole"))


def test_samples_sparql_is_the_whole_graph_report(sample_build: Build, sample_report: Report) -> None:
    report = validate(sample_build.store, as_of=AS_OF, strategy="sparql")
    same(report, sample_report)
    assert report.stats["strategy"] == "sparql"


def test_the_build_records_the_validation(sample_build: Build) -> None:
    assert sample_build.validation is not None
    assert sample_build.validation["conforms"] is True
    assert sample_build.validation["violations"] == 0
    assert set(sample_build.validation) == {"conforms", "violations", "warnings", "summary"}
    assert sample_build.manifest()["validation"] == sample_build.validation
    assert build([FICHES_DIR], validate=False).validation is None


# -- seeded faults --------------------------------------------------------------------------


SIRET = '"33196441100036"'  # ESPACE SENTEIN, certifier of RNCP34808 and RNCP36459
GRAPH_FAULTS: dict[str, tuple[Callable[[list[str]], list[str]], str, tuple[str, ...], str]] = {
    "wrong SIRET key": (
        lambda lines: [ln.replace(SIRET, '"33196441100037"') for ln in lines],
        "organisation-siret-key",
        ("RNCP34808", "RNCP36459"),
        '"33196441100037"',
    ),
    "ROME M16O7": (
        lambda lines: [
            *lines,
            f"<{iris.certification('RNCP34808')}> <{RNCP.romeCode}> <{iris.rome('M16O7')}> .",
            f"<{iris.rome('M16O7')}> <{RDF.type}> <{RNCP.RomeCode}> .",
            f'<{iris.rome("M16O7")}> <http://www.w3.org/2004/02/skos/core#notation> "M16O7" .',
        ],
        "cited-rome-notation",
        ("RNCP34808",),
        '"M16O7"',
    ),
    "block of another fiche": (
        lambda lines: [
            *lines,
            f"<{iris.certification('RNCP34808')}> <{RNCP.hasBlock}> <{iris.block('RNCP36459BC01')}> .",
        ],
        "block-prefix",
        ("RNCP34808", "RNCP36459"),
        '"RNCP36459BC01"',
    ),
    "impossible date": (
        lambda lines: [ln.replace('"2025-07-23"^^', '"2025-02-31"^^') for ln in lines],
        "certification-expiryDate-range",
        ("RNCP34808",),
        '"2025-02-31"^^<http://www.w3.org/2001/XMLSchema#date>',
    ),
}


@pytest.mark.parametrize("name", list(GRAPH_FAULTS))
def test_shacl_catches_a_fault_edited_into_the_sample_graph(sample_build: Build, name: str) -> None:
    edit, shape, fiches, value = GRAPH_FAULTS[name]
    store = edited(sample_build.store, edit)
    report = validate(store, as_of=AS_OF)
    assert not report.conforms
    assert (fiches, value) in found(report, shape), report.to_text()
    whole = validate(store, as_of=AS_OF, strategy="whole")
    same(report, whole)
    same(validate(store, as_of=AS_OF, strategy="sparql"), whole)


PAGE_FAULTS = {
    "wrong SIRET key": ("33196441100036", "33196441100037", None),
    "ROME M16O7": ("- K1207 - Intervention socioéducative", "- M16O7 - Secrétariat", "invalid-code"),
    "block of another fiche": ("RNCP34808BC02 - Organisation", "RNCP36459BC02 - Organisation", "block-of-other-fiche"),
    "impossible date": ("de l'enregistrement | 23-07-2025 |", "de l'enregistrement | 31-02-2025 |", "invalid-date"),
}


@pytest.mark.parametrize("name", list(PAGE_FAULTS))
def test_a_fault_in_a_copy_of_a_sample_page_is_caught(tmp_path: Path, name: str) -> None:
    """Some faults are caught by the page loader (the value is dropped and reported), the others by SHACL."""
    old, new, loader_rule = PAGE_FAULTS[name]
    text = (FICHES_DIR / "000_e4491d281dd4d66c.txt").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "fiche.txt").write_text(text.replace(old, new), encoding="utf-8")
    result = build([tmp_path / "fiche.txt"], validate=False)
    report = validate(result.store, as_of=AS_OF)
    if loader_rule is None:
        assert found(report, "organisation-siret-key") == [(("RNCP34808",), '"33196441100037"')]
    else:
        assert loader_rule in {p.rule for p in result.problems}
        assert report.conforms


def test_each_generated_fault_is_caught() -> None:
    expected = {
        "bad-siret": "organisation-siret-key",
        "bad-rome": "cited-rome-notation",
        "foreign-block": "block-prefix",
        "level": "professional-level",
        "bad-rate": "statistics-insertionRate6Months-range",
        "dates": "certification-dates",
        "bad-codes": "formacode-notation",
        "relabel": "concept-prefLabel",
        "lineage": "lineage-isReplacedBy",
    }
    assert set(expected) == set(FAULTS)
    for fault, shape in expected.items():
        generator = Generator(seed=5)
        fiches = generator.fiches(4)
        numbers = [f.number for f in fiches]
        fiches[0] = FAULTS[fault](generator, fiches[0], numbers[1:2])
        if fault == "relabel":  # the other fiche cites the same ROME codes with their first labels
            fiches[1].rome = [*fiches[1].rome, *Generator(seed=5).fiches(1)[0].rome]
        severity = Severity.WARNING if fault in {"dates", "relabel", "lineage"} else Severity.VIOLATION
        report = validate(store_of(fiches), as_of=AS_OF)
        assert any(numbers[0] in fiches_ for fiches_, _ in found(report, shape, severity)), (fault, report.to_text())


def test_other_fiches_never_become_focus_nodes() -> None:
    """The trap of design.md: fiches named by a fiche (lineage, correspondence) are not validated with it."""
    fiche = Generator(seed=2).fiches(1)[0]
    fiche.predecessors, fiche.correspondences = [], []
    fiche.predecessors.append(LinkedFiche("RNCP99998", "Ancien titre"))
    fiche.correspondences.append(Correspondence("RNCP99999"))
    report = validate(store_of([fiche]), as_of=AS_OF, severity="info")
    focus = {r.focus for r in report.results}
    assert f"<{iris.certification('RNCP99998')}>" not in focus
    assert f"<{iris.certification('RNCP99999')}>" not in focus
    assert found(report, "correspondence-target-loaded", Severity.INFO)


# -- generated sets: per fiche = whole graph, processes, cache -----------------------------------


@pytest.fixture(scope="module")
def generated() -> GraphStore:
    return store_of(Generator(seed=11).fiches(250, faults=0.3))


@pytest.fixture(scope="module")
def whole_report(generated: GraphStore) -> Report:
    return validate(generated, as_of=AS_OF, strategy="whole")


@pytest.fixture(scope="module")
def sparql_report(generated: GraphStore) -> Report:
    """The default strategy on one thread, the reference of the tests of how its queries are run
    (equal to ``whole_report``: ``test_sparql_is_the_whole_graph_report_on_a_generated_set``)."""
    report = validate(generated, as_of=AS_OF, strategy="sparql", jobs=1)
    assert all(report.totals[s.label] > 0 for s in Severity)
    return report


@pytest.mark.slow
def test_generated_set_has_every_severity(whole_report: Report) -> None:
    assert all(whole_report.totals[s.label] > 0 for s in Severity)


@pytest.mark.slow
def test_per_fiche_is_the_whole_graph_report_on_a_generated_set(generated: GraphStore, whole_report: Report) -> None:
    same(validate(generated, as_of=AS_OF), whole_report)


@pytest.mark.slow
def test_sparql_is_the_whole_graph_report_on_a_generated_set(generated: GraphStore, whole_report: Report) -> None:
    same(validate(generated, as_of=AS_OF, strategy="sparql"), whole_report)


@pytest.mark.slow
def test_sparql_on_other_as_of_dates_and_seeds() -> None:
    store = store_of(Generator(seed=23).fiches(120, faults=0.5))
    for day in (date(2020, 1, 1), date(2031, 6, 30)):
        same(validate(store, as_of=day, strategy="sparql"), validate(store, as_of=day, strategy="whole"))


@pytest.mark.slow
def test_two_processes_and_the_cache_give_the_same_report(
    generated: GraphStore, whole_report: Report, tmp_path: Path
) -> None:
    cold = validate(generated, as_of=AS_OF, jobs=2, cache_dir=tmp_path, strategy="per-fiche")
    same(cold, whole_report)
    assert cold.stats["cached"] == 0
    warm = validate(generated, as_of=AS_OF, jobs=2, cache_dir=tmp_path, strategy="per-fiche")
    same(warm, whole_report)
    assert warm.stats["cached"] == warm.stats["units"]


def test_only_changed_fiches_are_validated_again(tmp_path: Path) -> None:
    fiches = Generator(seed=3).fiches(20)
    first = validate(store_of(fiches), as_of=AS_OF, cache_dir=tmp_path, strategy="per-fiche")
    fiches[4].title = "Un autre titre"
    second = validate(store_of(fiches), as_of=AS_OF, cache_dir=tmp_path, strategy="per-fiche")
    assert second.stats["cached"] == first.stats["units"] - 1
    same(second, validate(store_of(fiches), as_of=AS_OF, strategy="whole"))


def test_as_of_date(tmp_path: Path) -> None:
    fiche = Generator(seed=4).fiches(1)[0]
    fiche.status, fiche.decision_date, fiche.expiry_date = Status.ACTIVE, date(2020, 7, 23), date(2025, 7, 23)
    store = store_of([fiche])
    assert not found(validate(store, as_of=date(2025, 7, 1)), "certification-expired", Severity.WARNING)
    late = validate(store, as_of=date(2025, 8, 1), cache_dir=tmp_path, strategy="per-fiche")
    assert found(late, "certification-expired", Severity.WARNING) == [
        ((fiche.number,), '"2025-07-23"^^<http://www.w3.org/2001/XMLSchema#date>')
    ]
    later = validate(store, as_of=date(2026, 8, 1), cache_dir=tmp_path, strategy="per-fiche")
    assert later.stats["cached"] == later.stats["units"]  # no date of the fiche was crossed
    same(later, late)


# -- inputs, failures, formats --------------------------------------------------------------------


def test_rdflib_and_pyoxigraph_inputs(sample_build: Build, sample_report: Report) -> None:
    graph = sample_build.store.to_rdflib_graph()
    assert validate(graph, as_of=AS_OF).results == sample_report.results
    assert validate(sample_build.store._ox, as_of=AS_OF).results == sample_report.results  # the raw pyoxigraph store
    with pytest.raises(TypeError):
        validate("out/rncp.nt", as_of=AS_OF)  # type: ignore[arg-type]


def test_blank_nodes_of_a_graph_from_elsewhere() -> None:
    """Our graphs have no blank nodes, other people's may: the per-fiche report is still the same."""
    data = """
        @prefix rncp: <https://w3id.org/rncp-graph/ontology#> .
        <urn:x:c> a rncp:Certification , rncp:ProfessionalCertification ; rncp:ficheNumber "RNCP1" ;
            rncp:hasBlock [ a rncp:CompetencyBlock ; rncp:blockCode "RNCP2BC01" ;
                            rncp:competency [ a rncp:Competency ] ] .
    """
    store = as_store(rdflib.Graph().parse(data=data, format="turtle"))  # Oxigraph renames blank nodes once
    report = validate(store, as_of=AS_OF)
    same(report, validate(store, as_of=AS_OF, strategy="whole"))
    same(report, validate(store, as_of=AS_OF, strategy="sparql"))
    assert {r.shape.rsplit("#", 1)[1] for r in report.results} >= {"block-prefix", "block-isBlockOf", "competency-text"}


def test_sparql_follows_subclasses_in_the_data_like_pyshacl() -> None:
    """pyshacl finds the instances of a target class and checks sh:class through rdfs:subClassOf* in the data."""
    data = """
        @prefix rncp: <https://w3id.org/rncp-graph/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:x:Sub> rdfs:subClassOf rncp:Certification .
        <urn:x:Block> rdfs:subClassOf rncp:CompetencyBlock .
        <urn:x:c> a <urn:x:Sub> ; rncp:ficheNumber "RNCP1" , "X2" ; rncp:hasBlock <urn:x:b> .
        <urn:x:b> a <urn:x:Block> ; rncp:blockCode "RNCP1BC01" ; rncp:isBlockOf <urn:x:c> .
        <urn:x:d> a rncp:Certification , rncp:SpecificCertification ; rncp:ficheNumber "RS3" ;
            rncp:level <https://w3id.org/rncp-graph/id/level/3> ; rncp:hasBlock <urn:x:c> .
    """
    store = as_store(rdflib.Graph().parse(data=data, format="turtle"))
    report = validate(store, as_of=AS_OF, strategy="sparql")
    same(report, validate(store, as_of=AS_OF, strategy="whole"))
    assert "<urn:x:c>" in {r.focus for r in report.results}


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
def test_sparql_rechecks_corner_cases_like_pyshacl() -> None:
    """Ill-typed and odd literals, where SPARQL and rdflib could disagree: the same report."""
    data = r"""
        @prefix rncp: <https://w3id.org/rncp-graph/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:x:c> a rncp:Certification , rncp:ProfessionalCertification ; rncp:ficheNumber "RNCP1\n" ;
            rncp:title "Titre"@fr-CA , "Title"@EN ;
            rncp:decisionDate "2024-02-29"^^xsd:date ; rncp:expiryDate "2023-02-29"^^xsd:date ;
            rncp:registrationDurationYears "05"^^xsd:integer , "5.0"^^xsd:decimal ;
            rncp:statistics <urn:x:s> , <urn:x:t> ; rncp:accessModality <urn:x:a> .
        <urn:x:s> a rncp:AnnualStatistics ; rncp:year "2021"^^xsd:integer , "20x1"^^xsd:integer ;
            rncp:certifiedCount "-1"^^xsd:integer ; rncp:insertionRate6Months "100.5"^^xsd:decimal , "abc" .
        <urn:x:t> a rncp:AnnualStatistics ; rncp:year "+2022"^^xsd:integer ;
            rncp:insertionRate6Months "99"^^xsd:integer , "1e2"^^xsd:double .
        <urn:x:a> a rncp:AccessModality ; rncp:accessRoute <https://w3id.org/rncp-graph/id/access-route/vae> ;
            rncp:isOpen "1"^^xsd:boolean , "yes"^^xsd:boolean .
    """
    store = as_store(rdflib.Graph().parse(data=data, format="turtle"))
    report = validate(store, as_of=AS_OF, strategy="sparql")
    same(report, validate(store, as_of=AS_OF, strategy="whole"))
    components = {r.component.rsplit("#", 1)[1] for r in report.results}
    assert {"DatatypeConstraintComponent", "MaxInclusiveConstraintComponent"} <= components
    # two terms of one value ("05" and "5.0") are two values for sh:maxCount, as for pyshacl
    assert ("urn:x:c", "MaxCountConstraintComponent") in {
        (r.focus.strip("<>"), r.component.rsplit("#", 1)[1]) for r in report.results
    }


def _shapes_copy(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    folder = tmp_path / "shapes"
    shutil.copytree(shapes_module.shapes_dir(), folder)
    core = folder / "core.ttl"
    core.write_text(edit(core.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


@pytest.mark.parametrize("strategy", ["per-fiche", "whole", "sparql"])
def test_a_sparql_constraint_with_service_is_a_failure_not_a_result(
    sample_build: Build, tmp_path: Path, strategy: str
) -> None:
    folder = _shapes_copy(
        tmp_path,
        lambda t: t.replace(
            "?certification rncp:hasBlock $this ;",
            "SERVICE <http://example.org/sparql> { ?x ?y ?z } ?certification rncp:hasBlock $this ;",
        ),
    )
    with pytest.raises(ValidationFailure, match=r"Validation Failure|SERVICE"):
        validate(sample_build.store, as_of=AS_OF, shapes_folder=folder, strategy=strategy)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("sh:minCount 1 ;", "sh:minLength 3 ; sh:minCount 1 ;", 1), "sh:minLength"),
        (lambda t: t.replace('sh:pattern "^(RNCP|RS)[0-9]+$" ;', 'sh:pattern "^(?=R)[A-Z]+" ;', 1), "sh:pattern"),
        (
            lambda t: t.replace(
                "sh:targetClass rncp:Certification ;", "sh:targetClass rncp:Certification ; sh:nodeKind sh:IRI ;", 1
            ),
            "node shape",
        ),
    ],
    ids=["component", "pattern", "node-constraint"],
)
def test_sparql_refuses_what_it_does_not_compile(
    sample_build: Build, tmp_path: Path, edit: Callable[[str], str], message: str
) -> None:
    folder = _shapes_copy(tmp_path, edit)
    with pytest.raises(ValidationFailure, match=message) as caught:
        validate(sample_build.store, as_of=AS_OF, shapes_folder=folder, strategy="sparql")
    assert "rncp-graph/shapes#" in str(caught.value)  # the shape is named


def test_sparql_honours_sh_deactivated(sample_build: Build, tmp_path: Path) -> None:
    folder = _shapes_copy(
        tmp_path,
        lambda t: t.replace(
            "rncpsh:block-prefix\n    a sh:PropertyShape ;",
            "rncpsh:block-prefix\n    a sh:PropertyShape ; sh:deactivated true ;",
        ),
    )
    store = edited(sample_build.store, GRAPH_FAULTS["block of another fiche"][0])
    report = validate(store, as_of=AS_OF, shapes_folder=folder, strategy="sparql")
    assert not found(report, "block-prefix")
    same(report, validate(store, as_of=AS_OF, shapes_folder=folder, strategy="whole"))


def test_broken_shapes_are_a_failure(sample_build: Build, tmp_path: Path) -> None:
    folder = _shapes_copy(tmp_path, lambda t: t + "\nthis is not turtle\n")
    with pytest.raises(ValidationFailure, match="does not parse"):
        validate(sample_build.store, as_of=AS_OF, shapes_folder=folder)


def test_speedups_do_not_change_the_report(
    sample_build: Build, sample_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyshacl.shape

    for module in ("rncp_graph.validate", "rncp_graph.validate.pool"):
        monkeypatch.setattr(f"{module}.install_speedups", lambda: False)
    monkeypatch.delattr(pyshacl.shape, "CONSTRAINT_PARAMS", raising=False)
    plain = validate(sample_build.store, as_of=AS_OF, strategy="whole")
    assert plain.results == sample_report.results
    assert install_speedups()


def test_formats(sample_report: Report) -> None:
    rows = json.loads(sample_report.render("json"))
    assert len(rows) == len(sample_report.results)
    assert set(rows[0]) >= {"fiche", "focus", "path", "value", "severity", "message_fr", "message_en", "shape"}
    graph = rdflib.Graph().parse(data=sample_report.render("ttl"), format="turtle")
    (report,) = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms).toPython() is True
    assert len(list(graph.objects(report, SH.result))) == len(sample_report.results)
    text = sample_report.render("text")
    assert "RNCP4525 — 8 warnings" in text
    assert "Totals: 0 violations, 12 warnings, 2 infos — conforms" in text
    assert "Le bloc ne liste aucune compétence. | The block lists no competency." in text


def test_severity_threshold(sample_build: Build) -> None:
    report = validate(sample_build.store, as_of=AS_OF, severity="violation")
    assert report.results == []
    assert report.totals == {"Violation": 0, "Warning": 12, "Info": 2}
    assert "14 below violation not listed" in report.to_text()


# -- the command line -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_nt(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    return path


def test_cli_exit_codes(sample_build: Build, sample_nt: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(sample_nt), "--as-of", "2026-11-22", "--cache", str(tmp_path / "c")])
    assert ok.exit_code == 0, ok.output
    assert "conforms: 0 violations, 12 warnings, 2 infos" in ok.output
    bad = tmp_path / "bad.nt"
    bad.write_text(sample_nt.read_text(encoding="utf-8").replace(SIRET, '"33196441100037"'), encoding="utf-8")
    failed = runner.invoke(main, ["validate", str(bad), "--format", "json", "--severity", "violation", "--no-cache"])
    assert failed.exit_code == 1, failed.output
    rows = json.loads(failed.output)
    assert [(r["fiches"], r["shape"]) for r in rows] == [
        (["RNCP34808", "RNCP36459"], RNCPSH + "organisation-siret-key")
    ]
    missing = runner.invoke(main, ["validate", str(tmp_path / "nope")])
    assert missing.exit_code == 2


def test_cli_sparql_strategy(sample_nt: Path) -> None:
    runner = CliRunner()
    args = ["validate", str(sample_nt), "--as-of", "2026-11-22", "--no-cache", "--format", "json"]
    sparql = runner.invoke(main, [*args, "--strategy", "sparql"])
    assert sparql.exit_code == 0, sparql.output
    assert json.loads(sparql.output) == json.loads(runner.invoke(main, args).output)


def test_cli_builds_sources_and_reports_bad_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    built = runner.invoke(main, ["validate", str(FICHES_DIR), "--format", "ttl", "--no-cache", "-j", "1"])
    assert built.exit_code == 0, built.output
    assert "sh:ValidationReport" in built.output
    folder = _shapes_copy(tmp_path, lambda t: t.replace("sh:minCount 1 ;", "sh:minCount 1 ] ;", 1))
    monkeypatch.setattr(shapes_module, "shapes_dir", lambda: folder)
    broken = runner.invoke(main, ["validate", str(FICHES_DIR), "--no-cache", "-j", "1"])
    assert broken.exit_code == 2, broken.output
    assert "shape file does not parse" in broken.output


def test_the_maxcount_skip_asks_whether_any_subject_has_two_values() -> None:
    """``sh:maxCount 1`` checks are skipped when no subject has two values of the predicate:
    a triple stated by two sources is one value; two terms of one number are two values."""
    p, q = "<https://example.org/p>", "<https://example.org/q>"
    store = GraphStore()
    one = f'<https://example.org/a> {p} "1" .\n<https://example.org/b> {q} "05"^^<{XSD.integer}> .\n'
    store.replace_graph("https://example.org/g1", [one.encode()])
    store.replace_graph("https://example.org/g2", [one.encode()])  # the same triples again
    assert not has_two_values(store, p) and not has_two_values(store, q)
    store.replace_graph("https://example.org/g3", [f'<https://example.org/b> {q} "5.0"^^<{XSD.decimal}> .\n'.encode()])
    assert has_two_values(store, q) and not has_two_values(store, p)


def test_a_core_lent_to_the_caller_changes_nothing_but_when_the_queries_run(
    generated: GraphStore, sparql_report: Report
) -> None:
    """``Overlap.core_busy_until``: one thread waits for the caller's event; the report is the
    same, whether the event is set during the validation or never (then the queries all run on
    the other thread, and the validation still ends)."""
    never = Overlap(core_busy_until=threading.Event(), stop=threading.Event())
    same(validate_overlapping(generated, never, as_of=AS_OF, jobs=2), sparql_report)
    soon = Overlap(core_busy_until=threading.Event(), stop=threading.Event())
    threading.Timer(0.2, soon.core_busy_until.set).start()
    same(validate_overlapping(generated, soon, as_of=AS_OF, jobs=2), sparql_report)


def test_the_focus_nodes_of_a_shape_are_fetched_once_and_only_for_its_rows(
    generated: GraphStore, sparql_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SPARQL-based constraint's rows are kept for the shape's focus nodes, fetched when the
    first row comes: once (two query threads), and never for a shape whose queries have no row."""
    shapes = load_shapes(AS_OF)
    focus = {c.focus for sub in (False, True) for c in compile_shapes(shapes, subclasses=sub) if c.focus}
    asked: Counter[str] = Counter()
    real = GraphStore.select

    def counting(self: GraphStore, sparql: str, bindings: object = None) -> object:
        asked[sparql] += sparql in focus
        return real(self, sparql, bindings)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphStore, "select", counting)
    same(validate(generated, as_of=AS_OF, jobs=2), sparql_report)
    fetched = {q for q, n in asked.items() if n}
    assert fetched and all(asked[q] == 1 for q in fetched) and len(fetched) < len(focus)
    asked.clear()
    assert validate(GraphStore(), as_of=AS_OF, jobs=2).conforms
    assert not +asked


def test_a_stopped_validation_starts_no_query_and_says_so(generated: GraphStore) -> None:
    stopped = Overlap(core_busy_until=threading.Event(), stop=threading.Event())
    stopped.stop.set()
    with pytest.raises(ValidationFailure, match="stopped"):
        validate_overlapping(generated, stopped, as_of=AS_OF, jobs=2)


def test_an_unknown_strategy_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"one of \('per-fiche', 'whole', 'sparql'\), not 'fast'"):
        validate(GraphStore(), strategy="fast")
