"""The ELM export of a register read from the official CSV export (the 2021 register's format):
what the source cannot give — competencies, a certifier's SIRET — is a documented gap checked
per qualification and per certifier, not a blanket pass (issue 22, last ELM point)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from rncp_graph import build
from rncp_graph.cli import main
from rncp_graph.linking import elm, elm_shacl, rdfio
from rncp_graph.store import GraphStore

from .constants import RESOURCES
from .test_linking_elm import _with_prose_blocks
from .test_linking_support import ELM_DIR, fixture_store, shared

CSV_EXPORT = RESOURCES / "csv" / "export-2025-03-14"
ID = "https://w3id.org/rncp-graph/id/"
SOURCE_ONLY = "MinCountConstraintComponent, source without competencies"


@pytest.fixture(scope="module")
def csv_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made CSV export (3 fiches: a Niveau 6 title with 3 blocks, an RS, a REPRISE CQP
    whose certifier has no SIRET) built into an on-disk store."""
    store = tmp_path_factory.mktemp("csv") / "store"
    build([CSV_EXPORT], out=store.parent / "out", store_path=store, validate=False)
    return store


def read(store: Path) -> elm.ElmSource:
    return elm.read_source(GraphStore(store=ox.Store.read_only(str(store))))


def test_every_qualification_of_a_csv_export_is_known_to_have_no_competency_text(csv_store: Path) -> None:
    src = read(csv_store)
    certifications = {q for q, c in src.qualifications.items() if c.part_of is None}
    blocks = set(src.qualifications) - certifications
    assert {c.rsplit("/", 1)[-1] for c in certifications} == {"RNCP90001", "RS90002", "RNCP90003"}
    assert blocks and all(src.qualifications[q].loaders == set() for q in blocks)  # a block: its certification's
    assert [src.qualifications[c].loaders for c in sorted(certifications)] == [{"csv"}] * 3
    assert src.facts().without_competencies == frozenset(src.qualifications)


def test_a_store_without_source_records_or_with_another_format_claims_nothing() -> None:
    src = elm.read_source(fixture_store())  # hand-made graph: no rncp:SourceGraph, no loader
    assert src.qualifications and src.facts().without_competencies == frozenset()
    cert = next(c for c in src.qualifications.values() if c.part_of is None)
    cert.loaders = {"csv", "xml"}  # also read from an XML export, which has competencies
    assert cert.iri not in src.facts().without_competencies
    cert.loaders = {"csv"}
    assert cert.iri in src.facts().without_competencies
    assert all(b in src.facts().without_competencies for b in cert.blocks)


@pytest.mark.shared
def test_the_csv_exports_gaps_are_each_explained_and_nothing_else_is(csv_store: Path) -> None:
    src = read(csv_store)
    graph = rdfio.to_rdflib(elm.elm_triples(src))
    report = elm_shacl.validate_elm(graph, shared(ELM_DIR), facts=src.facts())
    assert report.unexpected == {}
    assert report.known[("elm:learningOutcome", SOURCE_ONLY)] == len(src.qualifications)
    assert report.known[("elm:location", "MinCountConstraintComponent, no SIRET")] == 1  # the CQP's association
    unexplained = elm_shacl.validate_elm(graph, shared(ELM_DIR))  # the same graph, nothing known of its sources
    assert unexplained.unexpected == {("elm:learningOutcome", "MinCountConstraintComponent"): len(src.qualifications)}


@pytest.mark.shared
def test_export_elm_of_a_csv_export_exits_0_and_names_each_gap(csv_store: Path, tmp_path: Path) -> None:
    elm_dir = shared(ELM_DIR)
    args = ["export", "elm", "--store", str(csv_store), "--out", str(tmp_path / "elm.ttl"), "--elm", str(elm_dir)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "elm:learningOutcome MinCountConstraintComponent, source without competencies" in result.output
    assert "elm:location MinCountConstraintComponent, no SIRET" in result.output
    assert "violation (" not in result.output  # known gaps only


@pytest.mark.shared
def test_a_qualification_without_competencies_from_another_source_still_exits_1(tmp_path: Path) -> None:
    """The hand-made fiche graph names no source format: its bare block (no competency, no
    description) is not explained by the source, so export elm exits 1."""
    elm_dir = shared(ELM_DIR)
    store = _with_prose_blocks(fixture_store(tmp_path / "store"), tmp_path)
    store.flush()
    del store
    args = [
        "export",
        "elm",
        "--store",
        str(tmp_path / "store"),
        "--out",
        str(tmp_path / "e.ttl"),
        "--elm",
        str(elm_dir),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "violation (1): elm:learningOutcome MinCountConstraintComponent" in result.output
    assert "known gap (1): elm:location MinCountConstraintComponent, no SIRET" in result.output
