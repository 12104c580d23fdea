"""The build end to end on the five sample fiches: outputs, determinism, round trips, bad input."""

from __future__ import annotations

import importlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import to_isomorphic

from rncp_graph import build, iris
from rncp_graph.cli import main
from rncp_graph.errors import EmptyInput, StructuralError
from rncp_graph.namespaces import RNCP
from rncp_graph.store import GraphStore

from .constants import FICHES_DIR, SAMPLE_NUMBERS, SAMPLES


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build([FICHES_DIR], out=out, report=True)
    return out


def test_outputs_and_manifest(built: Path) -> None:
    assert {p.name for p in built.iterdir()} >= {
        "rncp.nt",
        "rncp.ttl",
        "manifest.json",
        "errors.jsonl",
        "coverage.json",
    }
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["fiches"] == {"input": 5, "loaded": 5, "quarantined": 0, "distinct": 5}
    assert sorted(i["file"] for i in manifest["inputs"]) == sorted(SAMPLES)
    per_class = manifest["instances_per_class"]
    assert per_class[str(RNCP.Certification)] >= 5
    assert per_class[str(RNCP.CompetencyBlock)] == 6 + 5 + 8 + 4 + 4
    lines = (built / "rncp.nt").read_text().splitlines()
    assert manifest["triples"] == len(lines)


def test_canonical_ntriples_are_sorted_unique_and_byte_identical(built: Path, tmp_path: Path) -> None:
    first = (built / "rncp.nt").read_bytes()
    lines = first.decode().splitlines()
    assert lines == sorted(set(lines))
    assert "_:" not in first.decode()
    # same input in another order (and one file twice) → the same bytes
    shuffled = tmp_path / "in"
    shuffled.mkdir()
    for i, name in enumerate(sorted(SAMPLES, reverse=True)):
        shutil.copy(FICHES_DIR / name, shuffled / f"{i}_{name}")
    shutil.copy(FICHES_DIR / "000_e4491d281dd4d66c.txt", shuffled / "again.txt")
    again = build([shuffled], out=tmp_path / "out")
    assert again.fiches_loaded == 6
    second = (tmp_path / "out" / "rncp.nt").read_text().splitlines()
    # provenance names the files, so compare everything but the source-graph descriptions
    strip = [ln for ln in lines if "/graph/source/" not in ln]
    assert [ln for ln in second if "/graph/source/" not in ln] == strip


def test_turtle_round_trips_to_the_same_graph(built: Path) -> None:
    nt = rdflib.Graph().parse(built / "rncp.nt", format="nt")
    ttl = rdflib.Graph().parse(built / "rncp.ttl", format="turtle")
    assert to_isomorphic(nt) == to_isomorphic(ttl)
    assert "@prefix rncp:" in (built / "rncp.ttl").read_text()


def test_each_source_is_a_named_graph_with_provenance(sample_build: object) -> None:
    store = sample_build.store  # type: ignore[attr-defined]
    rows = store.select(
        'SELECT ?g ?file WHERE { GRAPH ?g { ?g rncp:sourceFile ?file ; rncp:loader "page" } } ORDER BY ?file'
    )
    assert [r["file"].value for r in rows] == sorted(SAMPLES)
    for row in rows:
        n = store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c a rncp:Certification } } GROUP BY ?g", {"g": row["g"]}
        )
        assert int(n[0]["n"].value) >= 1


def test_the_merged_view_answers_sparql(sample_build: object) -> None:
    store = sample_build.store  # type: ignore[attr-defined]
    rows = store.select(
        "SELECT DISTINCT ?n ?code WHERE { ?c rncp:romeCode ?r ; rncp:ficheNumber ?n . ?r skos:notation ?code }"
        " ORDER BY ?n",
        {"code": ox.Literal("K1403")},
    )
    assert [r["n"].value for r in rows] == ["RNCP36459", "RNCP41120", "RNCP41818", "RNCP4525"]
    numbers = store.select("SELECT ?n WHERE { ?c a rncp:Certification ; rncp:ficheNumber ?n } ORDER BY ?n")
    assert sorted(r["n"].value for r in numbers) == SAMPLE_NUMBERS


def test_rdflib_view_is_the_same_graph(sample_build: object) -> None:
    ds = sample_build.graph()  # type: ignore[attr-defined]
    c = rdflib.URIRef(iris.certification("RNCP34808"))
    assert ds.value(c, RNCP.level) == rdflib.URIRef(iris.level(6))
    rows = list(ds.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a rncp:Certification ; rncp:ficheNumber ?x }"))
    assert int(rows[0][0]) == 5


def test_empty_file_aborts_before_writing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FICHES_DIR / "000_e4491d281dd4d66c.txt", src / "a.txt")
    (src / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    (out / "rncp.nt").write_text("previous\n")
    with pytest.raises(EmptyInput):
        build([src], out=out)
    assert (out / "rncp.nt").read_text() == "previous\n"
    assert sorted(p.name for p in out.iterdir()) == ["rncp.nt"]


def test_missing_path_is_a_structural_error(tmp_path: Path) -> None:
    with pytest.raises(StructuralError, match="no such file"):
        build([tmp_path / "nope"])


def test_cli_build_and_info(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(FICHES_DIR), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "5 loaded, 0 quarantined" in result.output
    info = runner.invoke(main, ["info", str(out / "rncp.nt")])
    assert info.exit_code == 0
    assert "rncp:Certification" in info.output


def test_cli_exit_codes_for_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "empty.txt").write_bytes(b"\xef\xbb\xbf  \n")
    result = runner.invoke(main, ["build", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "empty.txt" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_quarantine_exit_code(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FICHES_DIR / "003_5ca7f7331b8d7c91.txt", src / "good.txt")
    (src / "nonumber.txt").write_text("L'essentiel\nNiveau 5\nCompétences attestées :\nFaire quelque chose\n")
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 4, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["fiches"]["input"] == manifest["fiches"]["loaded"] + manifest["fiches"]["quarantined"] == 2
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert any(e["file"].endswith("nonumber.txt") and e["action"] == "quarantined-fiche" for e in errors)


def test_an_on_disk_store_in_a_new_folder_is_rebuilt_in_place(tmp_path: Path) -> None:
    store_dir = tmp_path / "stores" / "rncp"  # neither folder exists yet
    first = build([FICHES_DIR], store_path=store_dir, validate=False)
    lines = first.store.canonical_lines()
    del first  # releases the store's lock
    again = build([FICHES_DIR], store_path=store_dir, validate=False)
    assert again.store.canonical_lines() == lines  # each source graph replaced, nothing doubled
    assert len(again.store.graphs()) == len(SAMPLES) + 1  # one per page + the schemes


class _FullDisk:
    """A pyoxigraph store whose compaction fails (a full disk); the rest goes to the real store."""

    def __init__(self, real: ox.Store) -> None:
        self._real = real

    def optimize(self) -> None:
        raise OSError("IO error: No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __len__(self) -> int:  # special methods are not looked up through __getattr__
        return len(self._real)


def test_a_compaction_that_fails_is_logged_and_the_build_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_init = GraphStore.__init__

    def init(self: GraphStore, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self.ox = _FullDisk(self.ox)  # type: ignore[assignment]

    monkeypatch.setattr(GraphStore, "__init__", init)
    with caplog.at_level("WARNING", logger="rncp_graph.store"):
        result = build([FICHES_DIR], store_path=tmp_path / "store", validate=False)
    assert "could not be compacted" in caplog.text and "No space left on device" in caplog.text
    assert result.fiches_loaded == len(SAMPLES) and result.store.triple_count() > 0


def test_a_locked_store_is_bad_input(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    holder = ox.Store(str(store_dir))  # another process or object holds the lock
    with pytest.raises(StructuralError, match="cannot open the Oxigraph store"):
        build([FICHES_DIR], store_path=store_dir, validate=False)
    del holder


def test_a_rebuild_into_a_store_forgets_sources_no_longer_read(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in SAMPLES:
        shutil.copy(FICHES_DIR / name, src / name)
    store_dir = tmp_path / "store"
    first = build([src], store_path=store_dir, validate=False)
    assert len(first.store.graphs()) == len(SAMPLES) + 1
    del first
    names = sorted(SAMPLES)
    (src / names[0]).unlink()  # one page removed, one page changed
    changed = src / names[1]
    changed.write_text(changed.read_text(encoding="utf-8").replace("Niveau 7", "Niveau 6", 1), encoding="utf-8")
    again = build([src], store_path=store_dir, validate=False)
    assert sorted(again.store.graphs()) == sorted([*(s.graph for s in again.sources), iris.SCHEMES_GRAPH])
    numbers = again.store.select("SELECT DISTINCT ?n WHERE { ?c a rncp:Certification ; rncp:ficheNumber ?n }")
    assert len(numbers) == len(SAMPLES) - 1
    rows = again.store.select(
        "SELECT DISTINCT ?n ?level WHERE { ?c rncp:ficheNumber ?n ; rncp:level/skos:notation ?level }"
    )
    levels = {r["n"].value: r["level"].value for r in rows}  # one level each: the old graph is gone
    assert len(levels) == len(rows) == len(SAMPLES) - 1


def test_turtle_streamed_in_small_chunks_is_the_same_graph(sample_build: object) -> None:
    from rncp_graph.exports.rdf import LinesReader

    lines = sample_build.store.canonical_bytes()  # type: ignore[attr-defined]
    reader = io.BufferedReader(LinesReader(lines, chunk=7), 64)  # chunk and buffer borders everywhere
    parsed = {str(t) for t in ox.parse(input=reader, format=ox.RdfFormat.N_TRIPLES)}
    assert parsed == {str(t) for t in ox.parse(input=b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_TRIPLES)}
    assert len(parsed) == len(lines)


def test_canonical_lines_survive_any_cut_of_the_dump() -> None:
    """Oxigraph writes the dump in pieces of its choosing: a line may span many writes."""
    from rncp_graph.store import _LineCollector

    text = b'<urn:a> <urn:p> "' + b"x" * 50_000 + b'" .\n<urn:b> <urn:p> "y" .\n<urn:c> <urn:p> "z" .'
    for size in (1, 7, 4096, len(text)):
        collector = _LineCollector()
        for start in range(0, len(text), size):
            collector.write(text[start : start + size])
        collector.close()
        assert collector == text.split(b"\n")


def test_validation_runs_while_the_exports_are_written_and_gives_the_sequential_outcome(tmp_path: Path) -> None:
    together = build([FICHES_DIR], out=tmp_path / "together")
    assert {"validate", "write", "validate ∥ write"} <= set(together.timings)
    apart = build([FICHES_DIR], out=tmp_path / "apart", strategy="whole")  # validated, then written
    assert "validate ∥ write" not in apart.timings
    for name in ("rncp.nt", "rncp.ttl", "errors.jsonl"):
        assert (tmp_path / "together" / name).read_bytes() == (tmp_path / "apart" / name).read_bytes()
    assert together.validation is not None and apart.validation is not None
    assert together.validation["conforms"] == apart.validation["conforms"]


def test_a_validation_that_fails_while_the_exports_are_written_leaves_the_previous_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _previous_outputs(tmp_path)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the shapes could not be read")

    monkeypatch.setattr(importlib.import_module("rncp_graph.pipeline.build"), "validate_graph", broken)
    with pytest.raises(RuntimeError, match="shapes could not be read"):
        build([FICHES_DIR / sorted(SAMPLES)[0]], out=out)  # other outputs, were they written
    assert _outputs(out) == before  # no temp file either


def test_an_export_that_fails_during_the_validation_is_the_error_and_the_outputs_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _previous_outputs(tmp_path)
    stopped: list[bool] = []
    module = importlib.import_module("rncp_graph.pipeline.build")
    real_validate = module.validate_graph

    def broken_export(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    def watched_validate(*args: Any, **kwargs: Any) -> Any:
        kwargs["stop"].wait(5)  # the validation is still running when the export fails
        stopped.append(kwargs["stop"].is_set())
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(module, "export", broken_export)
    monkeypatch.setattr(module, "validate_graph", watched_validate)
    with pytest.raises(OSError, match="No space left"):
        build([FICHES_DIR], out=out)
    assert stopped == [True]  # told to stop (and it did: the error above is the export's)
    assert _outputs(out) == before


def _previous_outputs(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder of a sample build, and its files."""
    out = tmp_path / "out"
    build([FICHES_DIR], out=out)
    return out, _outputs(out)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


def test_temp_files_of_an_interrupted_build_are_named_and_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A temp file whose name says no writer (an older version's) cannot be told from another
    build's: the next build into the folder names it (which, how big) and leaves it. Those
    named after their writer: test_build_failures.py."""
    out = tmp_path / "out"
    out.mkdir()
    left = out / ".tmp-k2j4h1.nt"
    left.write_bytes(b"<urn:a> <urn:p> <urn:b> .\n" * 1000)
    build([FICHES_DIR / sorted(SAMPLES)[0]], out=out)
    assert "1 temp file(s) of an interrupted build (.tmp-k2j4h1.nt, 0.0 MB)" in caplog.text
    assert left.exists() and not [p for p in out.glob(".tmp-*") if p != left]
    caplog.clear()
    left.unlink()
    build([FICHES_DIR / sorted(SAMPLES)[0]], out=out)
    assert "interrupted build" not in caplog.text
