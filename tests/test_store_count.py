"""GraphStore.triple_count counts the distinct triples of the merged view with Oxigraph, without
serialising it (``rncp-graph info`` on a store): the same number as the canonical lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph import store as store_module
from rncp_graph.exports.canonical import canonical_bytes
from rncp_graph.pipeline.build import Build
from rncp_graph.queries import targets
from rncp_graph.store import GraphName, GraphStore

A, B, C = (ox.NamedNode(f"http://example.org/{c}") for c in "abc")
G1, G2, G3 = (ox.NamedNode(f"http://example.org/graph/{n}") for n in "123")
#: a triple in three graphs (default included), one in two named graphs, others once
QUADS = [
    (A, B, C, G1),
    (A, B, C, G2),
    (A, B, C, ox.DefaultGraph()),
    (A, B, A, G2),
    (B, B, B, G3),
    (B, B, B, G1),
    (C, C, C, G3),
    (C, C, ox.Literal("é"), G1),
]


def filled(graph_of: Callable[[ox.NamedNode | ox.DefaultGraph], GraphName] = lambda g: g) -> GraphStore:
    graph = GraphStore()
    graph.add_quads(ox.Quad(s, p, o, graph_of(g)) for s, p, o, g in QUADS)
    return graph


def blank(graph: ox.NamedNode | ox.DefaultGraph) -> GraphName:
    """Named graphs named by blank nodes instead (a user's TriG may have some)."""
    return ox.BlankNode(graph.value.rsplit("/", 1)[1]) if isinstance(graph, ox.NamedNode) else graph


@pytest.mark.parametrize("names", [lambda g: g, blank], ids=["iris", "blank-nodes"])
@pytest.mark.parametrize("limit", [store_module._LOOKUP_LIMIT, 1], ids=["looked-up", "counted-by-oxigraph"])
def test_the_count_is_that_of_the_canonical_lines(
    limit: int, names: Callable[[ox.NamedNode | ox.DefaultGraph], GraphName], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_LOOKUP_LIMIT", limit)
    assert len(filled(names)) == len(QUADS)
    assert len(canonical_bytes(filled(names))) == 5
    monkeypatch.setattr(GraphStore, "dump_ntriples", _no_dump)
    assert filled(names).triple_count() == 5


def _no_dump(*args: object) -> None:
    raise AssertionError("counted by serialising the graph")


@pytest.mark.parametrize("limit", [store_module._LOOKUP_LIMIT, 1], ids=["looked-up", "counted-by-oxigraph"])
def test_the_samples_count_as_many_triples_as_their_canonical_lines(
    sample_build: Build, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five source graphs and the schemes graph, some triples (a ROME label, a level) in several."""
    lines = canonical_bytes(sample_build.store)
    assert len(sample_build.store) > len(lines)  # triples stated in several graphs
    monkeypatch.setattr(store_module, "_LOOKUP_LIMIT", limit)
    monkeypatch.setattr(GraphStore, "dump_ntriples", _no_dump)
    assert sample_build.store.triple_count() == len(lines)


def test_one_graph_alone_is_counted_as_it_is() -> None:
    graph = GraphStore()
    graph.add_quads(ox.Quad(s, p, o, G1) for s, p, o, _ in QUADS)
    assert graph.triple_count() == 5


def test_query_and_info_prefer_the_store_build_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert targets.default_local_graph() == Path("out/rncp.nt")
    (tmp_path / "out" / "store").mkdir(parents=True)  # a folder that is not a store: not taken
    assert targets.default_local_graph() == Path("out/rncp.nt")
    store = ox.Store(str(tmp_path / "out" / "store"))
    store.add(ox.Quad(A, B, C))
    store.flush()
    assert targets.default_local_graph() == Path("out/store")
