"""Structure of a projected network: components, communities, centrality, ranked tables.

Everything here works on the (already filtered) networkx graphs of :mod:`.similarity`.
Results are deterministic: communities use a fixed seed and are numbered by decreasing
size (ties broken by their smallest member), tables are sorted with explicit tie-breaks.

Centralities: ``degree`` (networkx degree centrality), ``strength`` (sum of the ``shared``
weights), ``pagerank`` (weighted by ``shared``) and ``betweenness`` (unweighted: weights
here are similarities, not distances). Betweenness is exact up to
:data:`EXACT_BETWEENNESS_MAX` nodes and estimated from :data:`BETWEENNESS_SAMPLES` sampled
sources above (seeded, so reruns agree).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from ..errors import QueryError

log = logging.getLogger(__name__)

EXACT_BETWEENNESS_MAX = 1000
BETWEENNESS_SAMPLES = 100
BETWEENNESS_BUDGET = 1_500_000
BETWEENNESS_MIN_SAMPLES = 10
DEFAULT_SEED = 42


def _louvain(graph: nx.Graph, weight: str, seed: int) -> list[set[str]]:
    return list(nx.community.louvain_communities(graph, weight=weight, seed=seed))


def _greedy(graph: nx.Graph, weight: str, seed: int) -> list[set[str]]:
    return [set(c) for c in nx.community.greedy_modularity_communities(graph, weight=weight)]


#: community detection method → function(graph, weight, seed)
COMMUNITY_METHODS: dict[str, Callable[[nx.Graph, str, int], list[set[str]]]] = {"louvain": _louvain, "greedy": _greedy}


def ordered(groups: list[set[str]]) -> list[list[str]]:
    """Groups as sorted lists, largest first, ties broken by their smallest member."""
    return sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))


def components(graph: nx.Graph) -> list[list[str]]:
    """Connected components, largest first."""
    return ordered([set(c) for c in nx.connected_components(graph)])


def communities(
    graph: nx.Graph, *, method: str = "louvain", weight: str = "shared", seed: int = DEFAULT_SEED
) -> list[list[str]]:
    """Communities of ``graph`` (Louvain with a fixed seed, or greedy modularity), largest first.

    :param method: a key of :data:`COMMUNITY_METHODS`.
    :param weight: edge attribute used as weight.
    :param seed: random seed of Louvain (ignored by greedy modularity, which is deterministic).
    """
    if method not in COMMUNITY_METHODS:
        raise QueryError(f"unknown community method; choose one of {', '.join(COMMUNITY_METHODS)}", value=method)
    if graph.number_of_nodes() == 0:
        return []
    return ordered(COMMUNITY_METHODS[method](graph, weight, seed))


def annotate(graph: nx.Graph, *, method: str = "louvain", seed: int = DEFAULT_SEED) -> nx.Graph:
    """Set node attributes ``component`` and ``community`` (0 = largest) and ``degree``; return ``graph``."""
    for attr, groups in (("component", components(graph)), ("community", communities(graph, method=method, seed=seed))):
        for index, group in enumerate(groups):
            for node in group:
                graph.nodes[node][attr] = index
    for node, degree in graph.degree():
        graph.nodes[node]["degree"] = int(degree)
    graph.graph["community_method"] = method
    return graph


@dataclass(frozen=True)
class CentralityRow:
    """One certification (or code) of a ranked centrality table."""

    rank: int
    node: str
    label: str
    degree: int
    strength: int
    degree_centrality: float
    pagerank: float
    betweenness: float
    component: int | None
    community: int | None


def betweenness(graph: nx.Graph, *, seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Betweenness centrality; estimated from :data:`BETWEENNESS_SAMPLES` sources on big graphs."""
    n = graph.number_of_nodes()
    budget = max(BETWEENNESS_MIN_SAMPLES, BETWEENNESS_BUDGET // max(graph.number_of_edges(), 1))
    k = min(BETWEENNESS_SAMPLES, budget) if n > EXACT_BETWEENNESS_MAX else None
    if k is not None:
        log.info("betweenness estimated from %d of %d sources (seed %d)", k, n, seed)
    return dict(nx.betweenness_centrality(graph, k=k, seed=seed, normalized=True))


def centrality_table(
    graph: nx.Graph, *, top: int | None = 20, weight: str = "shared", seed: int = DEFAULT_SEED
) -> list[CentralityRow]:
    """The most central nodes: ranked by PageRank, then degree, then identifier.

    :param graph: a network from :mod:`.similarity` (annotated or not).
    :param top: how many rows (``None``: all).
    :param weight: edge attribute for strength and PageRank.
    """
    if graph.number_of_nodes() == 0:
        return []
    pagerank = nx.pagerank(graph, weight=weight) if graph.number_of_edges() else dict.fromkeys(graph, 1 / len(graph))
    between = betweenness(graph, seed=seed)
    centrality = nx.degree_centrality(graph)
    strength = dict(graph.degree(weight=weight))
    ranked = sorted(graph.nodes, key=lambda n: (-round(pagerank[n], 12), -graph.degree(n), n))[:top]
    return [
        CentralityRow(
            rank=index,
            node=n,
            label=str(graph.nodes[n].get("label", n)),
            degree=int(graph.degree(n)),
            strength=int(strength[n]),
            degree_centrality=round(float(centrality[n]), 6),
            pagerank=round(float(pagerank[n]), 6),
            betweenness=round(float(between[n]), 6),
            component=graph.nodes[n].get("component"),
            community=graph.nodes[n].get("community"),
        )
        for index, n in enumerate(ranked, start=1)
    ]


@dataclass(frozen=True)
class GroupRow:
    """One component or community: its index, size and members."""

    kind: str
    index: int
    size: int
    members: str


def group_table(graph: nx.Graph, *, method: str = "louvain", seed: int = DEFAULT_SEED) -> list[GroupRow]:
    """Components and communities of ``graph`` as rows (members joined by spaces); those of
    :func:`annotate` when it ran with the same method, else computed."""
    annotated = graph.graph.get("community_method") == method
    found = _annotated(graph, "community") if annotated else communities(graph, method=method, seed=seed)
    rows: list[GroupRow] = []
    for kind, groups in (("component", components(graph)), ("community", found)):
        rows.extend(GroupRow(kind, i, len(g), " ".join(g)) for i, g in enumerate(groups))
    return rows


def _annotated(graph: nx.Graph, attr: str) -> list[list[str]]:
    groups: dict[int, list[str]] = {}
    for node, data in graph.nodes(data=True):
        groups.setdefault(data[attr], []).append(node)
    return [sorted(groups[k]) for k in sorted(groups)]


@dataclass(frozen=True)
class CodeRow:
    """One code (ROME, NSF, Formacode...) of a ranked table."""

    rank: int
    code: str
    label: str
    certifications: int
    linked_codes: int
    pagerank: float


def code_table(code_graph: nx.Graph, *, top: int | None = 20) -> list[CodeRow]:
    """Codes ranked by how many certifications hold them, then by PageRank in the code network.

    :param code_graph: a network from :func:`~rncp_graph.analysis.similarity.code_network`.
    :param top: how many rows (``None``: all).
    """
    if code_graph.number_of_nodes() == 0:
        return []
    pagerank = nx.pagerank(code_graph, weight="shared") if code_graph.number_of_edges() else {}
    default = 1 / code_graph.number_of_nodes()

    def key(code: str) -> tuple[int, float, str]:
        return (-int(code_graph.nodes[code].get("certifications", 0)), -round(pagerank.get(code, default), 12), code)

    return [
        CodeRow(
            rank=index,
            code=code,
            label=str(code_graph.nodes[code].get("label", code)),
            certifications=int(code_graph.nodes[code].get("certifications", 0)),
            linked_codes=int(code_graph.degree(code)),
            pagerank=round(float(pagerank.get(code, default)), 6),
        )
        for index, code in enumerate(sorted(code_graph.nodes, key=key)[:top], start=1)
    ]
