"""Which fiches a node belongs to, from the store (for the ``sparql`` strategy's report).

The same attribution as :func:`~rncp_graph.validate.per_fiche.partition` (``Partition.owners``)
without cutting the whole graph into units: only the focus nodes of the results are traced back,
through the links of :data:`~rncp_graph.validate.per_fiche.ALL_LINKS`, to the certifications that
reach them. A certification reaches a node when a path of those links leads from it to the node
without passing through another certification or a vocabulary node; a certification owns itself;
vocabulary nodes and literals belong to no fiche. Graphs with blank nodes on the way (never ours)
are left to ``partition``: the caller falls back when :func:`fiche_owners` returns None.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection

import pyoxigraph as ox
from rdflib.namespace import RDF

from ..mapping.ownership import ALL_LINKS, CERTIFICATION, FICHE_NUMBER, VOCABULARY_CLASSES
from ..store import GraphStore
from .sparql_engine import term_text

log = logging.getLogger(__name__)


def fiche_owners(store: GraphStore, nodes: Collection[str]) -> tuple[dict[str, tuple[str, ...]], int] | None:
    """Node (N-Triples text) → sorted fiche labels, for ``nodes``; and the number of fiches.

    None when a blank node is met (the caller then uses the partition). What each node met is
    (a certification, a vocabulary node) is looked up as the walk meets it: the cost grows with
    the nodes traced, not with the store (a few nodes after ``rncp-graph update``).
    """
    certification = ox.NamedNode(CERTIFICATION[1:-1])
    count = f"SELECT (COUNT(DISTINCT ?r) AS ?n) (SUM(IF(isBlank(?r), 1, 0)) AS ?blank) WHERE {{ ?r a {CERTIFICATION} }}"
    totals = store.select(count)[0]
    if any(n.startswith("_:") for n in nodes) or int(getattr(totals["blank"], "value", 0)):
        return None
    kinds = _Kinds(store, certification)
    wanted = {n for n in nodes if n.startswith("<") and not kinds.vocabulary(n)}
    parents: dict[str, set[str]] = defaultdict(set)
    seen = set(wanted)
    frontier = sorted(n for n in wanted if kinds.root(n) is None)
    link_nodes = {ox.NamedNode(link[1:-1]) for link in ALL_LINKS}
    while frontier:
        following: set[str] = set()
        for node in frontier:
            mine = parents[node]
            # an index look-up per node (Oxigraph's object-first index): much faster than VALUES
            # blocks of nodes (benchmarks/README.md)
            for quad in store.quads_for_pattern(None, None, ox.NamedNode(node[1:-1]), None):
                if quad.predicate not in link_nodes:
                    continue
                subject = quad.subject
                if type(subject) is not ox.NamedNode:
                    if isinstance(subject, ox.BlankNode):
                        return None
                    continue  # a quoted triple (RDF-star): not ours
                s = f"<{subject.value}>"  # term_text of an IRI
                if s in seen:
                    mine.add(s)
                    continue
                if kinds.vocabulary(s):
                    continue
                mine.add(s)
                seen.add(s)
                if kinds.root(s) is None:
                    following.add(s)
        frontier = sorted(following)
    owners = {}
    for node in wanted:
        label = kinds.root(node)
        found = {label} if label is not None else _roots_above(node, parents, kinds)
        if found:
            owners[node] = tuple(sorted(found))
    log.debug("owners of %d nodes traced through %d nodes", len(wanted), len(seen))
    return owners, int(getattr(totals["n"], "value", 0))


class _Kinds:
    """What a node is, looked up once: a certification (its fiche label) or a vocabulary node."""

    def __init__(self, store: GraphStore, certification: ox.NamedNode) -> None:
        self.store, self.certification = store, certification
        self.vocabulary_classes = {ox.NamedNode(c[1:-1]) for c in VOCABULARY_CLASSES}
        self.number = ox.NamedNode(FICHE_NUMBER[1:-1])
        self.type = ox.NamedNode(str(RDF.type))
        self._types: dict[str, list[object]] = {}
        self._labels: dict[str, str | None] = {}
        self._terms: dict[object, str] = {}

    def _types_of(self, node: str) -> list[object]:
        found = self._types.get(node)
        if found is None:
            quads = self.store.quads_for_pattern(ox.NamedNode(node[1:-1]), self.type, None, None)
            found = self._types[node] = [q.object for q in quads]
        return found

    def vocabulary(self, node: str) -> bool:
        return any(t in self.vocabulary_classes for t in self._types_of(node))

    def root(self, node: str) -> str | None:
        """The fiche label of a certification (its smallest fiche number, else its IRI's last
        segment); None for any other node."""
        if node in self._labels:
            return self._labels[node]
        label = None
        if self.certification in self._types_of(node):
            quads = self.store.quads_for_pattern(ox.NamedNode(node[1:-1]), self.number, None, None)
            # the lexical form as N-Triples writes it (escapes kept), as the partition labels fiches
            numbers = [
                term_text(q.object, self._terms).split('"')[1] for q in quads if isinstance(q.object, ox.Literal)
            ]
            label = min(numbers) if numbers else node.strip("<>").rsplit("/", 1)[-1]
        self._labels[node] = label
        return label


def _roots_above(node: str, parents: dict[str, set[str]], kinds: _Kinds) -> set[str]:
    found: set[str] = set()
    seen = {node}
    todo = [node]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent in seen:
                continue
            seen.add(parent)
            label = kinds.root(parent)
            if label is not None:
                found.add(label)
            else:
                todo.append(parent)
    return found
