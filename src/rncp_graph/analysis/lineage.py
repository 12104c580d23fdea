"""Lineage: which certification replaces which, as a directed graph (older → newer).

Each fiche states its own lineage: ``dcterms:replaces`` (its predecessors) and
``dcterms:isReplacedBy`` (its successors); the mapping never infers the inverse. Here the
two directions are united: an edge ``old → new`` exists when the newer fiche says it
replaces the older one, or the older fiche says it is replaced by the newer one. The edge
attribute ``stated_by`` lists the fiche(s) saying so; ``both_sides`` is true when both did.

Lineage should be a DAG. A cycle (A replaces B, B replaces A, or a fiche replacing itself)
is a data error: :func:`lineage_cycles` returns them and :func:`lineage_report` logs them.
The *current version* of a certification is found by following successors to the end;
when the lineage branches (a fiche split into several), every end is returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import networkx as nx

from ..store import GraphStore
from .incidence import certification_attributes, number_of

log = logging.getLogger(__name__)

LINEAGE_QUERY = """
SELECT DISTINCT ?old ?new ?stater WHERE {
  { ?new dcterms:replaces ?old . BIND(?new AS ?stater) }
  UNION
  { ?old dcterms:isReplacedBy ?new . BIND(?old AS ?stater) }
}"""

REFERENCED_TITLES = "SELECT DISTINCT ?c ?title WHERE { ?c rncp:titleAsReferenced ?title }"


def lineage_graph(store: GraphStore) -> nx.DiGraph:
    """The lineage of every certification in ``store``: nodes are fiche numbers, edges old → new.

    Node attributes: ``label`` (title, or the title other fiches give it), ``number``,
    ``in_graph`` (the graph holds its fiche), ``level`` and ``status`` when known.
    """
    graph = nx.DiGraph()
    for s in store.query(LINEAGE_QUERY):
        old, new, stater = (number_of(s[v].value) for v in ("old", "new", "stater"))
        stated = set(graph.edges[old, new]["stated_by"].split()) if graph.has_edge(old, new) else set()
        stated.add(stater)
        graph.add_edge(old, new, stated_by=" ".join(sorted(stated)), both_sides={old, new} <= stated)
    _label_nodes(store, graph)
    graph.graph["kind"] = "lineage"
    log.info("lineage: %d certifications, %d links", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def _label_nodes(store: GraphStore, graph: nx.DiGraph) -> None:
    attributes = certification_attributes(store)
    referenced: dict[str, str] = {}
    for s in store.query(REFERENCED_TITLES):
        number, title = number_of(s["c"].value), s["title"].value
        referenced[number] = min(title, referenced.get(number, title))
    for node, data in graph.nodes(data=True):
        known = attributes.get(node)
        data.update(known or {"number": node, "label": referenced.get(node, node)})
        data["in_graph"] = known is not None


def lineage_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Every elementary cycle (a data error), each rotated to start at its smallest member, sorted."""
    found = []
    for cycle in nx.simple_cycles(graph):
        start = cycle.index(min(cycle))
        found.append(cycle[start:] + cycle[:start])
    return sorted(found)


def current_versions(graph: nx.DiGraph, number: str) -> list[str]:
    """The current version(s) of ``number``: the ends reached by following successors.

    A certification without successor is its own current version; several ends (a split)
    are all returned, sorted. A cycle at the end returns all of its members.
    """
    if number not in graph:
        return [number]
    reach = nx.descendants(graph, number) | {number}
    condensed = nx.condensation(graph.subgraph(reach))
    ends = (n for n in condensed if condensed.out_degree(n) == 0)
    return sorted(m for e in ends for m in condensed.nodes[e]["members"])


@dataclass(frozen=True)
class Chain:
    """A lineage family: one weakly connected part of the lineage graph.

    ``length`` counts the links of its longest chain of versions (``longest``); in a family
    with a cycle, the members of the cycle count as one version.
    """

    index: int
    size: int
    length: int
    roots: str
    ends: str
    longest: str
    members: str
    has_cycle: bool


def chains(graph: nx.DiGraph) -> list[Chain]:
    """Lineage families, longest first (then by size, then by first member)."""
    found = [_chain(graph, sorted(part)) for part in nx.weakly_connected_components(graph)]
    found.sort(key=lambda c: (-c.length, -c.size, c.members))
    return [Chain(i, c.size, c.length, c.roots, c.ends, c.longest, c.members, c.has_cycle) for i, c in enumerate(found)]


def _chain(graph: nx.DiGraph, members: list[str]) -> Chain:
    sub = graph.subgraph(members)
    condensed = nx.condensation(sub)
    path = nx.dag_longest_path(condensed, default_weight=1)
    longest = [min(condensed.nodes[n]["members"]) for n in path]
    roots = [m for m in members if sub.in_degree(m) == 0]
    ends = [m for m in members if sub.out_degree(m) == 0]
    has_cycle = condensed.number_of_nodes() < len(members) or any(sub.has_edge(m, m) for m in members)
    return Chain(
        0,
        len(members),
        max(len(longest) - 1, 0),
        " ".join(roots),
        " ".join(ends),
        " ".join(longest),
        " ".join(members),
        has_cycle,
    )


@dataclass(frozen=True)
class LineageRow:
    """The lineage of one certification."""

    number: str
    label: str
    in_graph: bool
    predecessors: str
    successors: str
    current_versions: str


def lineage_table(graph: nx.DiGraph) -> list[LineageRow]:
    """One row per certification of the lineage graph, sorted by number."""
    return [
        LineageRow(
            number=n,
            label=str(graph.nodes[n].get("label", n)),
            in_graph=bool(graph.nodes[n].get("in_graph", False)),
            predecessors=" ".join(sorted(graph.predecessors(n))),
            successors=" ".join(sorted(graph.successors(n))),
            current_versions=" ".join(current_versions(graph, n)),
        )
        for n in sorted(graph.nodes)
    ]


@dataclass
class LineageReport:
    """Lineage graph, families, per-certification table and data errors (cycles)."""

    graph: nx.DiGraph
    chains: list[Chain] = field(default_factory=list)
    table: list[LineageRow] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)


def lineage_report(store: GraphStore) -> LineageReport:
    """Everything about lineage in ``store``; cycles are logged as data errors."""
    graph = lineage_graph(store)
    report = LineageReport(graph, chains(graph), lineage_table(graph), lineage_cycles(graph))
    for cycle in report.cycles:
        log.error("[%s] lineage cycle (data error): %s", cycle[0], " → ".join([*cycle, cycle[0]]))
    return report
