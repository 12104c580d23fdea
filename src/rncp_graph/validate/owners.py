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
from collections.abc import Iterable

import pyoxigraph as ox

from ..store import GraphStore
from .per_fiche import ALL_LINKS, CERTIFICATION, FICHE_NUMBER, VOCABULARY_CLASSES
from .sparql_engine import term_text

log = logging.getLogger(__name__)


def fiche_owners(store: GraphStore, nodes: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], int] | None:
    """Node (N-Triples text) → sorted fiche labels, for ``nodes``; and the number of fiches.

    None when a blank node is met (the caller then uses the partition).
    """
    cache: dict[object, str] = {}
    labels: dict[str, list[str]] = {}
    query = (
        f"SELECT DISTINCT ?r ?n WHERE {{ ?r a {CERTIFICATION} "
        f"OPTIONAL {{ ?r {FICHE_NUMBER} ?n FILTER isLiteral(?n) }} }}"
    )
    for row in store.select(query):
        root = term_text(row["r"], cache)  # type: ignore[arg-type]
        numbers = labels.setdefault(root, [])  # a certification without a number still is one
        number = row["n"]
        if number is not None:
            numbers.append(term_text(number, cache).split('"')[1])
    roots = {r: min(n) if n else r.strip("<>").rsplit("/", 1)[-1] for r, n in labels.items()}
    classes = " ".join(sorted(VOCABULARY_CLASSES))
    vocabulary = {
        term_text(r["v"], cache)  # type: ignore[arg-type]
        for r in store.select(f"SELECT DISTINCT ?v WHERE {{ VALUES ?c {{ {classes} }} ?v a ?c }}")
    }
    wanted = {n for n in nodes if n.startswith("<") and n not in vocabulary}
    if any(n.startswith("_:") for n in nodes) or any(r.startswith("_:") for r in roots):
        return None
    parents: dict[str, set[str]] = defaultdict(set)
    seen = set(wanted)
    frontier = sorted(n for n in wanted if n not in roots)
    link_nodes = {ox.NamedNode(link[1:-1]) for link in ALL_LINKS}
    while frontier:
        following: set[str] = set()
        for node in frontier:
            mine = parents[node]
            # an index look-up per node (Oxigraph's object-first index): 11k nodes and their 490k
            # incoming links in 0.6 s at 10k fiches, where VALUES blocks of nodes took 5 s
            for quad in store.ox.quads_for_pattern(None, None, ox.NamedNode(node[1:-1]), None):
                if quad.predicate not in link_nodes:
                    continue
                subject = quad.subject
                if type(subject) is not ox.NamedNode:
                    if isinstance(subject, ox.BlankNode):
                        return None
                    continue  # a quoted triple (RDF-star): not ours
                s = f"<{subject.value}>"  # term_text of an IRI
                if s in vocabulary:
                    continue
                mine.add(s)
                if s not in seen:
                    seen.add(s)
                    if s not in roots:
                        following.add(s)
        frontier = sorted(following)
    owners = {}
    for node in wanted:
        found = {roots[node]} if node in roots else _roots_above(node, parents, roots)
        if found:
            owners[node] = tuple(sorted(found))
    log.debug("owners of %d nodes traced through %d nodes", len(wanted), len(seen))
    return owners, len(roots)


def _roots_above(node: str, parents: dict[str, set[str]], roots: dict[str, str]) -> set[str]:
    found: set[str] = set()
    seen = {node}
    todo = [node]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent in seen:
                continue
            seen.add(parent)
            if parent in roots:
                found.add(roots[parent])
            else:
                todo.append(parent)
    return found
