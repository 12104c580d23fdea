"""``GraphStore.select`` over the union of the source graphs gives each triple once, as an
endpoint loaded from ``rncp.nt`` does; the sources stay queryable with ``GRAPH``."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph import Build
from rncp_graph.exports.canonical import canonical_bytes
from rncp_graph.namespaces import PREFIXES
from rncp_graph.store import GraphStore

NOTATION = "SELECT ?n WHERE { ?c skos:notation ?n ; skos:inScheme <https://w3id.org/rncp-graph/id/scheme/formacode> }"
WHERE_STATED = (
    "SELECT ?g ?n WHERE { GRAPH ?g { ?c skos:notation ?n ; "
    "skos:inScheme <https://w3id.org/rncp-graph/id/scheme/formacode> } }"
)


def rncp_nt(store: GraphStore) -> ox.Store:
    """A store loaded from the canonical lines (what ``rncp.nt`` holds), in its default graph."""
    copy = ox.Store()
    copy.load(input=b"\n".join([*canonical_bytes(store), b""]), format=ox.RdfFormat.N_TRIPLES)
    return copy


def test_a_query_without_distinct_gives_the_rows_of_rncp_nt(sample_build: Build) -> None:
    store = sample_build.store
    expected = len(list(rncp_nt(store).query(NOTATION, prefixes=PREFIXES)))
    assert expected > 0
    assert len(store.select(NOTATION)) == expected
    stated = store.select(WHERE_STATED)  # provenance: one row per source graph stating the code
    assert len(stated) > expected and len({r["g"] for r in stated}) > 1
    store.union = "per-graph"
    try:
        # each triple pattern matches once per graph stating it: the rows multiply
        assert len(store.select(NOTATION)) > len(stated)
    finally:
        store.union = "distinct"


def test_the_distinct_union_follows_changes() -> None:
    store = GraphStore()
    quad = ("<urn:x:s>", "<urn:x:p>", '"v"')
    for graph in ("urn:x:g1", "urn:x:g2"):
        store.replace_graph(graph, [(" ".join(quad) + " .\n").encode()])
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 1
    store.add_quads(
        [ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("w"), ox.NamedNode("urn:x:g1"))]
    )
    assert sorted(r["o"].value for r in store.select("SELECT ?o WHERE { ?s ?p ?o }") if r["o"]) == ["v", "w"]
    assert len(store.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")) == 3


def test_a_union_without_repeats_is_queried_in_place() -> None:
    store = GraphStore()
    store.replace_graph("urn:x:g1", [b'<urn:x:s> <urn:x:p> "v" .\n'])
    store.replace_graph("urn:x:g2", [b'<urn:x:s> <urn:x:p> "w" .\n'])
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 2
    assert store._distinct is not None and store._distinct[1] is None  # no copy: the union repeats nothing
    store.replace_graph("urn:x:g2", [b'<urn:x:s> <urn:x:p> "v" .\n'])
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 1


def test_an_on_disk_store_answers_per_graph_unless_asked(tmp_path: Path) -> None:
    """On disk, finding out whether the union repeats a triple costs a count of the whole store:
    the default there is pyoxigraph's union (one row per graph stating a triple)."""
    store = GraphStore(tmp_path / "store")
    for graph in ("urn:x:g1", "urn:x:g2"):
        store.replace_graph(graph, [b'<urn:x:s> <urn:x:p> "v" .\n'])
    assert store.union == "per-graph"
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 2
    store.union = "distinct"
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 1


def test_one_graph_cannot_repeat_a_triple_and_is_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A store of one named graph (an ``rncp.nt`` parsed for a query) is queried in place
    without counting its triples first."""
    store = GraphStore()
    store.replace_graph("urn:x:g1", [b'<urn:x:s> <urn:x:p> "v" .\n<urn:x:s> <urn:x:p> "w" .\n'])

    def no_count(self: GraphStore) -> int:
        raise AssertionError("a store of one graph was counted")

    monkeypatch.setattr(GraphStore, "triple_count", no_count)
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 2
    assert store._distinct is not None and store._distinct[1] is None


def test_a_pyoxigraph_store_given_is_queried_per_graph() -> None:
    """A store folder opened read-only (``GraphStore(store=ox.Store.read_only(...))``, as
    ``rncp-graph query`` does) answers per graph, like an on-disk store: no count per command."""
    raw = ox.Store()
    for graph in ("urn:x:g1", "urn:x:g2"):
        raw.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("v"), ox.NamedNode(graph)))
    store = GraphStore(store=raw)
    assert store.union == "per-graph"
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 2


def test_a_store_folder_knows_whether_its_union_repeats_and_counts_only_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``open_graph`` of a store folder: distinct union when a triple is in two graphs, found by
    one count, then read from the user's cache while the folder is unchanged."""
    from rncp_graph.info import open_graph

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name, objects in (("repeats", ("v", "v")), ("plain", ("v", "w"))):
        store = GraphStore(tmp_path / name)
        for graph, value in zip(("urn:x:g1", "urn:x:g2"), objects, strict=True):
            store.replace_graph(graph, [f'<urn:x:s> <urn:x:p> "{value}" .\n'.encode()])
        del store
    assert open_graph(tmp_path / "repeats").union == "distinct"
    assert len(open_graph(tmp_path / "repeats").select("SELECT ?o WHERE { ?s ?p ?o }")) == 1
    assert open_graph(tmp_path / "plain").union == "per-graph"

    def no_count(self: GraphStore) -> int:
        raise AssertionError("counted again")

    monkeypatch.setattr(GraphStore, "triple_count", no_count)
    assert open_graph(tmp_path / "repeats").union == "distinct"
    assert open_graph(tmp_path / "plain").union == "per-graph"
