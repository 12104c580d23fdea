"""The links as an SSSOM mapping set: metadata, rows, CURIEs, determinism."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rncp_graph.linking import calibration, run, sssom
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
    assert (
        {"skos:exactMatch", "skos:broadMatch"}
        <= {r["predicate_id"] for r in rows}
        <= {f"skos:{p}Match" for p in ("exact", "close", "broad", "narrow")}
    )
    assert {r["mapping_justification"] for r in rows} == {"semapv:LexicalMatching"}
    assert all(0.0 < float(r["confidence"]) <= 1.0 for r in rows)
    assert all(r["subject_id"].startswith(("rncpcompetency:", "rome:")) for r in rows)
    assert all(r["object_id"].startswith(("escoskill:", "escooccupation:")) for r in rows)
    assert "score" in rows[0]["comment"] and "confidence" in rows[0]["comment"]
    for r in rows:  # confidence is the shipped calibration of the raw score
        kind = "rome" if r["subject_id"].startswith("rome:") else "competency"
        assert float(r["confidence"]) == calibration.load(kind).confidence(float(r["similarity_score"]))
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


# -- sssom-py, the reference implementation (a `dev` dependency) ------------------------------
def _sssom_check(tsv: Path, tmp_path: Path) -> None:
    """``sssom parse`` (strict prefixes) and ``sssom validate`` (its default checks) accept ``tsv``,
    and a parse → write → parse round trip keeps every mapping."""
    parsers = pytest.importorskip("sssom.parsers")
    from sssom.validators import validate
    from sssom.writers import write_table

    msdf = parsers.parse_sssom_table(tsv)
    msdf.clean_prefix_map(strict=True)  # what `sssom parse` does: raises on a prefix the curie_map lacks
    validate(msdf, fail_on_error=True)  # `sssom validate`: JSON schema, prefix map completeness, strict CURIEs
    _, ours = sssom.read_sssom(tsv)
    assert len(msdf.df) == len(ours)
    assert set(zip(msdf.df["subject_id"], msdf.df["object_id"], strict=True)) == {
        (r["subject_id"], r["object_id"]) for r in ours
    }
    again = tmp_path / "again.sssom.tsv"
    with again.open("w", encoding="utf-8") as handle:
        write_table(msdf, handle)
    second = parsers.parse_sssom_table(again)
    validate(second, fail_on_error=True)
    common = sorted(set(msdf.df.columns) & set(second.df.columns))
    assert _mappings(second.df[common]) == _mappings(msdf.df[common])
    for column in set(second.df.columns) - set(msdf.df.columns):  # set-level slots sssom-py propagated to rows
        assert {_flat(v) for v in second.df[column]} == {_flat(msdf.metadata[column])}, column
    assert second.metadata["mapping_set_id"] == msdf.metadata["mapping_set_id"]
    assert second.converter.bimap == msdf.converter.bimap


def _flat(value: Any) -> str:
    return "|".join(value) if isinstance(value, list) else str(value)


def _mappings(df: Any) -> list[tuple[str, ...]]:
    columns = sorted(df.columns)
    return sorted(tuple(str(v) for v in row) for row in df[columns].itertuples(index=False))


@pytest.mark.slow
def test_sssom_py_parses_validates_and_round_trips(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    run.rome_vocabulary(LINKING / "rome", store=linking_store)
    run.link_esco(LINKING / "esco", linking_store, out=tmp_path, thresholds={"competency": 0.4, "rome": 0.5})
    _sssom_check(tmp_path / "esco.sssom.tsv", tmp_path)


def test_every_entity_reference_is_a_curie_of_the_map(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    """What sssom-py rejected: ``rncp:text`` without ``rncp`` in the map, IRIs as creator and sources."""
    run.rome_vocabulary(LINKING / "rome", store=linking_store)
    run.link_esco(LINKING / "esco", linking_store, out=tmp_path, thresholds={"competency": 0.4, "rome": 0.5})
    meta, rows = sssom.read_sssom(tmp_path / "esco.sssom.tsv")
    slots = ("subject_id", "predicate_id", "object_id", "mapping_justification", "subject_source", "object_source")
    references = [*meta["creator_id"]] + [r[key] for r in rows for key in slots]
    references += [f for r in rows for f in (r["subject_match_field"] + "|" + r["object_match_field"]).split("|")]
    prefixes = {ref.split(":", 1)[0] for ref in references}
    assert prefixes <= set(meta["curie_map"]), prefixes - set(meta["curie_map"])
    assert all("://" not in ref for ref in references)
    assert {(r["subject_category"], r["subject_source"], r["object_source"]) for r in rows} == {
        ("competency", "rncpid:dataset", "escoscheme:skills"),
        ("rome", "rncpid:scheme/rome", "escoscheme:occupations"),
    }
    assert meta["creator_id"] == ["w3id:rncp-graph/"]


@pytest.mark.shared
@pytest.mark.slow
def test_sssom_py_accepts_the_samples_mapping_set(tmp_path: Path) -> None:
    """The mapping set of the five sample fiches against the real ESCO (~v1.2.1) and ROME data."""
    from rncp_graph import build

    from .constants import FICHES_DIR, SHARED_DATA
    from .test_linking_support import ESCO_DIRS, shared

    esco_dir, rome_dir = shared(ESCO_DIRS["v1.2.1"]), shared(SHARED_DATA / "rome-v460")
    store = build([FICHES_DIR]).store
    result = run.link_esco(esco_dir, store, out=tmp_path, rome_dir=rome_dir)
    assert {m.subject.kind for m in result.mappings} == {"competency", "rome"}
    _sssom_check(tmp_path / "esco.sssom.tsv", tmp_path)
