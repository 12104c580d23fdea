"""The links as an SSSOM mapping set: metadata, rows, CURIEs, determinism."""

from __future__ import annotations

from pathlib import Path

from rncp_graph.linking import run, sssom
from rncp_graph.store import GraphStore

from .test_linking_support import LINKING, linking_store  # noqa: F401

REQUIRED_METADATA = {"curie_map", "mapping_set_id", "license", "creator_id", "mapping_tool", "object_source_version"}


def test_sssom_files_round_trip(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    result = run.link_esco(LINKING / "esco", linking_store, out=tmp_path, thresholds={"competency": 0.4, "rome": 0.5})
    tsv, yml = tmp_path / "esco.sssom.tsv", tmp_path / "esco.sssom.yml"
    assert {tsv, yml, tmp_path / "esco-links.ttl"} <= set(result.written)
    meta, rows = sssom.read_sssom(tsv)
    assert set(meta) >= REQUIRED_METADATA
    assert meta["mapping_set_id"] == "https://w3id.org/rncp-graph/id/mapping-set/esco"
    assert meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["object_source_version"] == "esco"
    assert len(rows) == len(result.mappings)
    assert {r["predicate_id"] for r in rows} == {"skos:exactMatch", "skos:closeMatch"}
    assert {r["mapping_justification"] for r in rows} == {"semapv:LexicalMatching"}
    assert all(0.0 < float(r["confidence"]) <= 1.0 for r in rows)
    assert all(r["subject_id"].startswith(("rncpcompetency:", "rome:")) for r in rows)
    assert all(r["object_id"].startswith(("escoskill:", "escooccupation:")) for r in rows)
    assert "cosine" in rows[0]["comment"]
    import yaml

    assert yaml.safe_load(yml.read_text(encoding="utf-8")) == meta


def test_output_is_deterministic(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    first = run.link_esco(LINKING / "esco", linking_store, out=tmp_path / "a").written[0].read_bytes()
    second = run.link_esco(LINKING / "esco", linking_store, out=tmp_path / "b").written[0].read_bytes()
    assert first == second


def test_curies() -> None:
    assert sssom.curie("http://data.europa.eu/esco/skill/abc") == "escoskill:abc"
    assert sssom.curie("https://w3id.org/rncp-graph/id/rome/K1403") == "rome:K1403"
    assert sssom.curie("https://w3id.org/rncp-graph/id/block/X") == "rncpid:block/X"
    assert sssom.curie("http://example.org/x") == "http://example.org/x"
