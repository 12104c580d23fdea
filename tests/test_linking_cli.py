"""The thin commands: vocab rome|nsf, link esco, export elm."""

from __future__ import annotations

from pathlib import Path

import rdflib
from click.testing import CliRunner

from rncp_graph.cli import main
from rncp_graph.linking import iris_vocab
from rncp_graph.store import GraphStore

from .test_linking_support import ELM_DIR, LINKING, fixture_store


def _on_disk_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    path.parent.mkdir(parents=True, exist_ok=True)
    store = fixture_store(path)
    store.flush()
    del store
    return path


def test_vocab_rome_writes_turtle_and_reports_unknown_codes(tmp_path: Path) -> None:
    codes = tmp_path / "codes.csv"
    codes.write_text("rome_code;libelle\nM1502;Paie\nA12;Espaces\nK1403;Direction\n", encoding="utf-8")
    out = tmp_path / "rome.ttl"
    result = CliRunner().invoke(
        main, ["vocab", "rome", str(LINKING / "rome"), "--out", str(out), "--codes", str(codes)]
    )
    assert result.exit_code == 0, result.output
    assert "unknown rome code: A12\tfield code" in result.output
    assert "unknown rome code: K1403\tnot in ROME 4.0 v999" in result.output
    assert "M1502\t" not in result.output
    graph = rdflib.Graph().parse(out)
    assert (
        rdflib.URIRef(iris_vocab.rome_competence("100001")),
        rdflib.RDF.type,
        rdflib.namespace.SKOS.Concept,
    ) in graph


def test_vocab_nsf_loads_into_the_store_graph(tmp_path: Path) -> None:
    path = _on_disk_store(tmp_path)
    result = CliRunner().invoke(main, ["vocab", "nsf", str(LINKING / "nsf"), "--store", str(path)])
    assert result.exit_code == 0, result.output
    store = GraphStore(path)
    assert iris_vocab.vocab_graph("nsf") in store.graphs()
    rows = store.select("SELECT ?l WHERE { <https://w3id.org/rncp-graph/id/nsf/315t> skos:related ?l }")
    assert [r["l"].value for r in rows] == [iris_vocab.nsf_letter("t")]  # type: ignore[union-attr]


def test_link_esco_and_export_elm(tmp_path: Path) -> None:
    path = _on_disk_store(tmp_path)
    runner = CliRunner()
    linked = runner.invoke(
        main,
        [
            "link",
            "esco",
            "--esco",
            str(LINKING / "esco"),
            "--rome",
            str(LINKING / "rome"),
            "--store",
            str(path),
            "--out",
            str(tmp_path / "links"),
        ],
    )
    assert linked.exit_code == 0, linked.output
    assert "competency exactMatch: 1" in linked.output
    assert (tmp_path / "links" / "esco.sssom.tsv").is_file()
    exported = runner.invoke(main, ["export", "elm", "--store", str(path), "--out", str(tmp_path / "elm.ttl")])
    assert exported.exit_code == 0, exported.output
    assert "4 qualifications" in exported.output
    if ELM_DIR.is_dir():  # with the real profile: documented gaps only (the certifier without SIRET is one) → 0
        checked = runner.invoke(
            main, ["export", "elm", "--store", str(path), "--out", str(tmp_path / "e.ttl"), "--elm", str(ELM_DIR)]
        )
        assert checked.exit_code == 0, checked.output
        assert "ELM shapes defect:" in checked.output
        assert "known gap (4): elm:ISCEDFCode" in checked.output
        assert "known gap (1): elm:location MinCountConstraintComponent, no SIRET" in checked.output
        assert "violation (" not in checked.output


def test_bad_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["vocab", "rome", str(tmp_path)]).exit_code == 2  # no ROME files
    assert runner.invoke(main, ["vocab", "nsf", str(tmp_path)]).exit_code == 2
    path = _on_disk_store(tmp_path)
    args = ["export", "elm", "--store", str(path), "--out", str(tmp_path / "e.ttl"), "--elm", str(tmp_path)]
    assert runner.invoke(main, args).exit_code == 2  # no shapes in that folder
    other = _on_disk_store(tmp_path / "second")  # the failed run above may still hold the first store's lock
    args = ["link", "esco", "--esco", str(tmp_path), "--store", str(other), "--out", str(tmp_path / "l")]
    assert runner.invoke(main, args).exit_code == 2  # no ESCO files
