"""GraphStore.triple_count counts the distinct triples of the merged view without serialising
it (``rncp-graph info`` on a store): the same number as the canonical lines."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph import store as store_module
from rncp_graph.queries import targets
from rncp_graph.store import GraphStore

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


def filled() -> GraphStore:
    graph = GraphStore()
    for quad in QUADS:
        graph.ox.add(ox.Quad(*quad))
    return graph


@pytest.mark.parametrize("limit", [store_module._LOOKUP_LIMIT, 1], ids=["looked-up", "counted-by-oxigraph"])
def test_the_count_is_that_of_the_canonical_lines(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_LOOKUP_LIMIT", limit)
    assert filled().triple_count() == len(filled().canonical_bytes()) == 5
    assert len(filled()) == len(QUADS)


def test_one_graph_alone_is_counted_as_it_is() -> None:
    graph = GraphStore()
    for s, p, o, _ in QUADS:
        graph.ox.add(ox.Quad(s, p, o, G1))
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
