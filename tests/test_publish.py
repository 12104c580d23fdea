"""``rncp-graph publish``: the release folder, each file re-read by a tool other than its writer.

Turtle and TriG are written by pyoxigraph and re-read by rdflib; the gzipped N-Triples are
re-read by rdflib; checksums are recomputed; a rerun (in this process and in another one, with
another hash seed, through the CLI) gives byte-identical files.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from rncp_graph import Build
from rncp_graph.cli import main
from rncp_graph.exports import publish as publish_module
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.exports.publish import PublishError, publish
from rncp_graph.namespaces import RNCP
from rncp_graph.resources import project_dir

from .constants import FICHES_DIR, ROOT
from .test_publish_support import META, read_sums, release_files, sha256

GRAPH_FILES = {"rncp.ttl", "rncp.nt.gz", "rncp.jsonld", "context.jsonld", "rncp.trig"}


def test_release_holds_every_file(release: Path) -> None:
    names = set(release_files(release))
    assert names >= GRAPH_FILES | {"dcat.ttl", "manifest.json", "SHA256SUMS", "ontology/rncp.ttl"}
    assert {"docs/ontology.fr.html", "docs/ontology.en.html"} <= names
    schemes = {f"ontology/schemes/{p.name}" for p in (project_dir("ontology") / "schemes").glob("*.ttl")}
    assert schemes and schemes <= names
    shapes = {f"shapes/{p.name}" for p in (ROOT / "shapes").glob("*.ttl")}
    assert shapes <= names
    assert not [n for n in names if ".tmp-" in n]


def test_files_are_world_readable(release: Path) -> None:
    modes = {p.name: p.stat().st_mode & 0o777 for p in release.rglob("*") if p.is_file()}
    assert set(modes.values()) == {0o644}, modes


def test_turtle_written_by_pyoxigraph_reads_back_in_rdflib(release: Path, canonical: rdflib.Graph) -> None:
    graph = rdflib.Graph().parse(release / "rncp.ttl", format="turtle")
    assert len(graph) == len(canonical) > 1000
    assert isomorphic(graph, canonical)


def test_ntriples_gz_is_canonical_and_reproducible(release: Path, canonical: rdflib.Graph) -> None:
    raw = (release / "rncp.nt.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\x00\x00\x00\x00", "gzip mtime must be 0"
    assert raw[3] & 0x08 == 0, "no file name in the gzip header"
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    assert lines == sorted(set(lines))
    graph = rdflib.Graph().parse(data="\n".join(lines), format="nt")
    assert isomorphic(graph, canonical)


def test_trig_has_one_named_graph_per_source(release: Path, sample_build: Build) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(release / "rncp.trig", format="trig")
    named = {str(g.identifier): g for g in dataset.graphs() if g.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID}
    assert sorted(named) == sample_build.store.graphs()
    assert len([n for n in named if "/graph/source/" in n]) == len(sample_build.sources) == 5
    for source in sample_build.sources:
        graph = named[source.graph]
        assert (rdflib.URIRef(source.graph), RNCP.sourceFile, rdflib.Literal(source.file)) in graph
        assert len(graph) == len(list(sample_build.store.iter_quads(source.graph)))


def test_ontology_and_shapes_are_copied_byte_for_byte(release: Path) -> None:
    for folder in ("ontology", "shapes"):
        root = ROOT / folder
        for path in root.rglob("*.ttl"):
            copy = release / folder / path.relative_to(root)
            assert copy.read_bytes() == path.read_bytes(), copy
            assert len(rdflib.Graph().parse(copy, format="turtle")) > 0


def test_sha256sums_match_every_file(release: Path) -> None:
    sums = read_sums(release)
    on_disk = set(release_files(release)) - {"SHA256SUMS"}
    assert set(sums) == on_disk
    for relative, digest in sums.items():
        assert sha256(release / relative) == digest, relative


def test_manifest_describes_the_release(release: Path, sample_build: Build) -> None:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} | {"manifest.json"} == set(read_sums(release))
    for entry in manifest["files"]:
        assert entry["sha256"] == sha256(release / entry["path"])
        assert entry["bytes"] == (release / entry["path"]).stat().st_size
    assert manifest["triples"] == len(canonical_lines(sample_build.store))
    assert manifest["named_graphs"] == sample_build.store.graphs()
    assert manifest["metadata"]["modified"] == "2026-11-01"
    assert manifest["build"]["fiches"]["loaded"] == 5


def test_rerun_in_process_is_byte_identical(tmp_path: Path, release: Path, sample_build: Build) -> None:
    publish(sample_build.store, tmp_path / "again", metadata=META, build_manifest=sample_build.manifest())
    assert release_files(tmp_path / "again") == release_files(release)


@pytest.mark.slow
def test_rerun_through_the_cli_in_another_process_is_byte_identical(tmp_path: Path, release: Path) -> None:
    out = tmp_path / "cli"
    args = ["publish", str(FICHES_DIR), "--out", str(out), "--modified", "2026-11-01"]
    args += ["--publisher-name", META.publisher_name]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    command = [sys.executable, "-m", "rncp_graph", *args]
    done = subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()
    again, first = release_files(out), release_files(release)
    assert sorted(again) == sorted(first)
    assert [name for name in first if again[name] != first[name]] == []


def test_cli_writes_a_release_with_options(tmp_path: Path) -> None:
    out = tmp_path / "rel"
    args = ["publish", str(FICHES_DIR), "--out", str(out), "--base-url", "https://data.example.org/rncp/"]
    args += ["--issued", "2026-10-01", "--modified", "2026-11-02", "--release-version", "2026.11", "--no-docs"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "files in" in result.output
    dcat = (out / "dcat.ttl").read_text(encoding="utf-8")
    assert "<https://data.example.org/rncp/rncp.nt.gz>" in dcat
    assert '"2026-10-01"^^xsd:date' in dcat and '"2026-11-02"^^xsd:date' in dcat and '"2026.11"' in dcat
    assert not (out / "docs").exists()


def test_a_failed_publish_leaves_no_temp_files_and_the_old_sums(
    tmp_path: Path, sample_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rel"
    publish(sample_build.store, out, metadata=META, docs=False)
    before = release_files(out)

    def broken(*_args: object, **_kwargs: object) -> list[Path]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish_module, "write_docs", broken)
    with pytest.raises(OSError, match="No space left"):
        publish(sample_build.store, out, metadata=META, docs=True)
    after = release_files(out)
    assert not [n for n in after if ".tmp-" in n]
    assert after["SHA256SUMS"] == before["SHA256SUMS"]
    assert after["manifest.json"] == before["manifest.json"]


def test_files_of_a_previous_release_that_are_gone_are_removed(tmp_path: Path, sample_build: Build) -> None:
    out = tmp_path / "rel"
    publish(sample_build.store, out, metadata=META, docs=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].append({"path": "shapes/retired.ttl"})
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "shapes" / "retired.ttl").write_text("# gone\n", encoding="utf-8")
    (out / "README.portal.txt").write_text("the portal's own file\n", encoding="utf-8")
    publish(sample_build.store, out, metadata=META, docs=False)
    assert not (out / "shapes" / "retired.ttl").exists()
    assert (out / "README.portal.txt").exists()


def test_a_vocabulary_file_that_does_not_parse_stops_the_release(
    tmp_path: Path, sample_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "project"
    (fake / "ontology").mkdir(parents=True)
    (fake / "ontology" / "rncp.ttl").write_text("@prefix broken <", encoding="utf-8")
    monkeypatch.setattr(publish_module, "project_dir", lambda name: fake / name)
    with pytest.raises(PublishError, match="does not parse"):
        publish(sample_build.store, tmp_path / "rel", metadata=META, docs=False)
