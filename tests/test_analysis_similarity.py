"""Similarity networks, components, communities and centrality on small hand-made graphs.

The fiches go through the real mapping into a GraphStore, so the graphs have the shape of a
built one; each expected value below was worked out by hand from the fiches.
"""

from __future__ import annotations

import networkx as nx
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rncp_graph import iris
from rncp_graph.analysis import (
    Scope,
    annotate,
    centrality_table,
    code_table,
    communities,
    components,
    extract_incidence,
    pairs_of,
    rome_code_network,
    similarity_network,
)
from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.analysis.incidence import certification_attributes, incidence_from_lists, incidence_query
from rncp_graph.errors import QueryError
from rncp_graph.mapping import fiche_to_triples
from rncp_graph.model import Block, Code, Fiche, Status
from rncp_graph.store import GraphStore
from rncp_graph.terms import line, lines_to_bytes


def fiche(number: str, rome: list[str], **kw: object) -> Fiche:
    codes = [Code(c, f"Métier {c}") for c in rome]
    return Fiche(number=number, source="test", title=f"Titre {number}", rome=codes, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def small() -> GraphStore:
    """A, B, C share K1403 (A and C also M1301); D and E share J1502; F has no ROME code."""
    return store_from_fiches(
        [
            fiche(
                "RNCP1",
                ["K1403", "M1301"],
                level=7,
                status=Status.ACTIVE,
                nsf=[Code("332p")],
                formacodes=[Code("44047")],
                competencies=["Piloter le budget", "Manager l'équipe"],
            ),
            fiche("RNCP2", ["K1403"], level=7, status=Status.ACTIVE, competencies=["Manager l'équipe"]),
            fiche(
                "RNCP3",
                ["K1403", "M1301", "M1302"],
                level=6,
                status=Status.INACTIVE,
                formacodes=[Code("44047")],
                blocks=[Block("RNCP3BC01", "Budget", ["Piloter le budget."])],
            ),
            fiche("RNCP4", ["J1502"], level=6),
            fiche("RNCP5", ["J1502", "K1201"]),
            fiche("RNCP6", []),
        ]
    )


def edges(graph: nx.Graph) -> dict[tuple[str, str], tuple[int, float]]:
    return {tuple(sorted((u, v))): (d["shared"], round(d["jaccard"], 4)) for u, v, d in graph.edges(data=True)}  # type: ignore[misc]


def test_incidence_is_one_row_per_certification_with_codes(small: GraphStore) -> None:
    inc = extract_incidence(small, "rome")
    assert inc.rows == ["RNCP1", "RNCP2", "RNCP3", "RNCP4", "RNCP5"]
    assert inc.cols == ["J1502", "K1201", "K1403", "M1301", "M1302"]
    assert inc.row_sizes.tolist() == [2, 1, 3, 1, 2]
    assert inc.col_sizes.tolist() == [2, 1, 3, 2, 1]
    assert inc.keys_of(0) == ["K1403", "M1301"]
    assert isinstance(inc.matrix, sp.csr_matrix)


def test_incidence_query_binds_scope_values_instead_of_pasting_them() -> None:
    query = incidence_query("rome", Scope(level=7, nsf="33' } DROP", active=True))
    assert "DROP" not in query and "?level" in query and "?nsf" in query and "?active" in query


def test_a_fact_in_several_source_graphs_counts_once(small: GraphStore) -> None:
    fiches = [fiche("RNCP1", ["K1403", "M1301"]), fiche("RNCP3", ["K1403", "M1301"])]
    store = store_from_fiches(fiches)
    store.replace_graph(
        iris.source_graph("1" * 16), [lines_to_bytes(line(t) for f in fiches for t in fiche_to_triples(f))]
    )
    assert len(store.graphs()) == 2
    inc = extract_incidence(store, "rome")
    assert inc.matrix.data.tolist() == [1, 1, 1, 1]
    assert edges(similarity_network(store, "rome")) == {("RNCP1", "RNCP3"): (2, 1.0)}


def test_incidence_from_lists_dedupes_and_sorts() -> None:
    inc = incidence_from_lists("x", ["b", "a", "b", "b"], ["k2", "k1", "k2", "k1"])
    assert (inc.rows, inc.cols) == (["a", "b"], ["k1", "k2"])
    assert inc.matrix.toarray().tolist() == [[1, 0], [1, 1]]


def test_unknown_facet_is_a_query_error(small: GraphStore) -> None:
    with pytest.raises(QueryError):
        extract_incidence(small, "esco")


def test_rome_network_weights(small: GraphStore) -> None:
    graph = similarity_network(small, "rome")
    assert edges(graph) == {
        ("RNCP1", "RNCP2"): (1, 0.5),
        ("RNCP1", "RNCP3"): (2, 0.6667),
        ("RNCP2", "RNCP3"): (1, 0.3333),
        ("RNCP4", "RNCP5"): (1, 0.5),
    }
    assert sorted(graph.nodes) == ["RNCP1", "RNCP2", "RNCP3", "RNCP4", "RNCP5"]  # RNCP6 has no ROME code
    assert graph.nodes["RNCP1"] == {
        "number": "RNCP1",
        "label": "Titre RNCP1",
        "level": 7,
        "status": "active",
        "codes": 2,
    }


def test_min_weight_filters(small: GraphStore) -> None:
    assert set(edges(similarity_network(small, "rome", min_shared=2))) == {("RNCP1", "RNCP3")}
    by_jaccard = similarity_network(small, "rome", min_jaccard=0.5)
    assert set(edges(by_jaccard)) == {("RNCP1", "RNCP2"), ("RNCP1", "RNCP3"), ("RNCP4", "RNCP5")}
    without_isolates = similarity_network(small, "rome", min_shared=2, isolates=False)
    assert sorted(without_isolates.nodes) == ["RNCP1", "RNCP3"]


@pytest.mark.parametrize(
    ("scope", "nodes"),
    [
        (Scope(level=7), ["RNCP1", "RNCP2"]),
        (Scope(level=6), ["RNCP3", "RNCP4"]),
        (Scope(active=True), ["RNCP1", "RNCP2"]),
        (Scope(nsf="332"), ["RNCP1"]),  # 332p is narrower than 332
        (Scope(nsf="33"), ["RNCP1"]),
        (Scope(nsf="332p"), ["RNCP1"]),
        (Scope(nsf="331"), []),
        (Scope(level=7, active=True), ["RNCP1", "RNCP2"]),
    ],
)
def test_scope(small: GraphStore, scope: Scope, nodes: list[str]) -> None:
    assert sorted(similarity_network(small, "rome", scope=scope).nodes) == nodes


def test_other_facets(small: GraphStore) -> None:
    assert edges(similarity_network(small, "formacode")) == {("RNCP1", "RNCP3"): (1, 1.0)}
    # competencies of the fiche and of its blocks count; "Piloter le budget." is the same node
    assert edges(similarity_network(small, "competency")) == {
        ("RNCP1", "RNCP2"): (1, 0.5),
        ("RNCP1", "RNCP3"): (1, 0.5),
    }


def test_components_and_communities_on_small(small: GraphStore) -> None:
    graph = annotate(similarity_network(small, "rome"))
    assert components(graph) == [["RNCP1", "RNCP2", "RNCP3"], ["RNCP4", "RNCP5"]]
    assert [graph.nodes[n]["component"] for n in sorted(graph)] == [0, 0, 0, 1, 1]
    assert graph.nodes["RNCP3"]["degree"] == 2


def test_rome_code_table(small: GraphStore) -> None:
    codes = rome_code_network(small)
    assert codes.nodes["K1403"] == {"label": "Métier K1403", "code": "K1403", "certifications": 3}
    assert codes.edges["K1403", "M1301"]["shared"] == 2
    table = code_table(codes)
    assert [r.code for r in table][:1] == ["K1403"]
    assert (table[0].certifications, table[0].linked_codes) == (3, 2)
    assert [r.certifications for r in table] == sorted((r.certifications for r in table), reverse=True)


@pytest.fixture(scope="module")
def two_cliques() -> GraphStore:
    """RNCP101–104 all share X0001, RNCP201–204 all share Y0001; RNCP101 and RNCP201 also share Z0001."""
    left = [fiche(f"RNCP10{i}", ["X0001", *(["Z0001"] if i == 1 else [])]) for i in range(1, 5)]
    right = [fiche(f"RNCP20{i}", ["Y0001", *(["Z0001"] if i == 1 else [])]) for i in range(1, 5)]
    return store_from_fiches(left + right)


LEFT = ["RNCP101", "RNCP102", "RNCP103", "RNCP104"]
RIGHT = ["RNCP201", "RNCP202", "RNCP203", "RNCP204"]


@pytest.mark.parametrize("method", ["louvain", "greedy"])
def test_communities_split_the_two_cliques(two_cliques: GraphStore, method: str) -> None:
    graph = similarity_network(two_cliques, "rome")
    assert components(graph) == [sorted(LEFT + RIGHT)]
    assert communities(graph, method=method) == [LEFT, RIGHT]


def test_louvain_is_deterministic_with_its_seed(two_cliques: GraphStore) -> None:
    graph = similarity_network(two_cliques, "rome")
    assert communities(graph, seed=7) == communities(graph, seed=7)


def test_unknown_community_method(two_cliques: GraphStore) -> None:
    with pytest.raises(QueryError):
        communities(similarity_network(two_cliques, "rome"), method="leiden")


def test_centrality_ranks_the_bridges_first(two_cliques: GraphStore) -> None:
    graph = annotate(similarity_network(two_cliques, "rome"))
    table = centrality_table(graph, top=3)
    assert [r.node for r in table] == ["RNCP101", "RNCP201", "RNCP102"]
    bridge = table[0]
    assert (bridge.rank, bridge.degree, bridge.strength, bridge.label) == (1, 4, 4, "Titre RNCP101")
    assert bridge.betweenness == pytest.approx(nx.betweenness_centrality(graph)["RNCP101"], abs=1e-6)
    assert bridge.betweenness > table[2].betweenness == 0.0
    assert bridge.community != graph.nodes["RNCP201"]["community"]
    assert len(centrality_table(graph, top=None)) == 8


def test_certification_attributes_fall_back_to_the_number() -> None:
    store = store_from_fiches([Fiche(number="RNCP9", source="test")])
    assert certification_attributes(store) == {"RNCP9": {"number": "RNCP9", "label": "RNCP9"}}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sets(st.integers(0, 7), max_size=5), min_size=1, max_size=12),
    st.integers(1, 3),
    st.sampled_from([0.0, 0.25, 0.5]),
    st.sampled_from([1, 3, 4096]),
)
def test_sparse_pairs_equal_brute_force(rows: list[set[int]], min_shared: int, min_jaccard: float, chunk: int) -> None:
    matrix = sp.csr_matrix([[1 if c in r else 0 for c in range(8)] for r in rows])
    pairs = pairs_of(matrix, min_shared=min_shared, min_jaccard=min_jaccard, chunk_rows=chunk)
    assert list(zip(pairs.i.tolist(), pairs.j.tolist(), strict=True)) == sorted(
        zip(pairs.i.tolist(), pairs.j.tolist(), strict=True)
    )
    got = {(a, b): (s, j) for a, b, s, j in zip(pairs.i, pairs.j, pairs.shared, pairs.jaccard, strict=True)}
    expected = {}
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            shared = len(rows[a] & rows[b])
            if shared >= min_shared and shared / len(rows[a] | rows[b]) >= min_jaccard:
                expected[(a, b)] = (shared, shared / len(rows[a] | rows[b]))
    assert set(got) == set(expected)
    for key, (shared, jaccard) in expected.items():
        assert got[key][0] == shared and got[key][1] == pytest.approx(jaccard)
