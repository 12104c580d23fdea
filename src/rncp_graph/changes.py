"""Changes to a store planned in memory, read through as if made, then committed all at once.

``rncp-graph update`` takes fiches out and loads files quad by quad, each step reading what the
steps before it left. Made on the store directly, a ``kill -9`` midway left fiches missing
(Oxigraph has no transaction over many Python calls). :class:`PendingStore` keeps the changes
aside — quads removed, quads added, graphs cleared — and answers :meth:`quads_for_pattern` as
the store *with* them; :meth:`commit` then applies them in one SPARQL update, which pyoxigraph
runs in one transaction ("either the full operation succeeds, or nothing is written to the
database", ``Store.update``): interrupted at any point, the store is entirely old or entirely
new.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from .store import GraphStore

log = logging.getLogger(__name__)

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class PendingStore:
    """A :class:`GraphStore` seen through changes not made yet (see the module docstring)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._reset()

    def _reset(self) -> None:
        #: quad → True: added; False: removed (insertion-ordered)
        self._pending: dict[ox.Quad, bool] = {}
        #: triple → how many added quads state it
        self._triples: Counter[ox.Triple] = Counter()
        self._by_subject: defaultdict[object, set[ox.Quad]] = defaultdict(set)
        self._by_object: defaultdict[object, set[ox.Quad]] = defaultdict(set)
        self._by_graph: defaultdict[object, set[ox.Quad]] = defaultdict(set)
        self._cleared: dict[ox.NamedNode, None] = {}

    # -- reading ----------------------------------------------------------------------------
    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
        predicate: ox.NamedNode | None,
        obj: Node | None,
        graph: ox.NamedNode | None,
    ) -> Iterator[ox.Quad]:
        """As :meth:`pyoxigraph.Store.quads_for_pattern`, with the pending changes made."""
        pending, cleared = self._pending, self._cleared
        for quad in self.store.quads_for_pattern(subject, predicate, obj, graph):
            # one look-up (a quad's hash is computed anew each time): removed, or added (below)
            if (pending and quad in pending) or (cleared and quad.graph_name in cleared):
                continue
            yield quad
        yield from (q for q in self._candidates(subject, obj, graph) if _matches(q, subject, predicate, obj, graph))

    def _candidates(self, subject: object, obj: object, graph: object) -> Iterable[ox.Quad]:
        """The added quads that may match, from the narrowest index (not copied: nothing is
        added or removed while a caller iterates)."""
        if not self._pending:
            return ()
        if subject is not None:
            return self._by_subject.get(subject, ())
        if obj is not None:
            return self._by_object.get(obj, ())
        if graph is not None:
            return self._by_graph.get(graph, ())
        return self.added

    @property
    def added(self) -> list[ox.Quad]:
        return [quad for quad, present in self._pending.items() if present]

    @property
    def removed(self) -> list[ox.Quad]:
        return [quad for quad, present in self._pending.items() if not present]

    def holds(self, triple: ox.Triple) -> bool:
        """Whether the merged view (any graph) holds ``triple``, with the pending changes made."""
        if self._triples.get(triple):
            return True
        pending, cleared = self._pending, self._cleared
        return any(
            not ((pending and quad in pending) or (cleared and quad.graph_name in cleared))
            for quad in self.store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        )

    def iter_quads(self, graph: str) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    # -- changing (in memory) ---------------------------------------------------------------
    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            if self._pending.get(quad):
                self._forget(quad)
            self._pending[quad] = False

    def drop_graph(self, graph: str) -> None:
        name = ox.NamedNode(graph)
        for quad in list(self._by_graph.get(name, ())):
            self._forget(quad)
        self._cleared[name] = None

    def replace_graph(self, graph: str, chunks: Iterable[bytes]) -> None:
        """Replace a named graph by the N-Triples ``chunks`` (our mapping's: parsed leniently)."""
        self.drop_graph(graph)
        name = ox.NamedNode(graph)
        for chunk in chunks:
            for quad in ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES, lenient=True):
                self._add(ox.Quad(quad.subject, quad.predicate, quad.object, name))

    def _add(self, quad: ox.Quad) -> None:
        if self._pending.get(quad):
            return
        self._pending[quad] = True
        self._triples[quad.triple] += 1
        self._by_subject[quad.subject].add(quad)
        self._by_object[quad.object].add(quad)
        self._by_graph[quad.graph_name].add(quad)

    def _forget(self, quad: ox.Quad) -> None:
        del self._pending[quad]
        self._triples[quad.triple] -= 1
        self._by_subject[quad.subject].discard(quad)
        self._by_object[quad.object].discard(quad)
        self._by_graph[quad.graph_name].discard(quad)

    # -- committing -------------------------------------------------------------------------
    def sparql(self) -> str:
        """The pending changes as one SPARQL update: clear graphs, delete quads, insert quads."""
        operations = [f"DROP SILENT GRAPH {graph}" for graph in self._cleared]
        removed, added = self.removed, self.added
        if removed:
            operations.append("DELETE DATA {\n" + "".join(_data(removed)) + "}")
        if added:
            operations.append("INSERT DATA {\n" + "".join(_data(added)) + "}")
        return " ;\n".join(operations)

    def commit(self) -> None:
        """Make the pending changes in one transaction (nothing is written if it fails)."""
        text = self.sparql()
        if text:
            log.info(
                "committing %d removed, %d added quads, %d graph(s) cleared",
                len(self.removed), len(self.added), len(self._cleared),
            )  # fmt: skip
            self.store.transact(text)
        self._reset()


def _matches(quad: ox.Quad, subject: object, predicate: object, obj: object, graph: object) -> bool:
    return (
        (subject is None or quad.subject == subject)
        and (predicate is None or quad.predicate == predicate)
        and (obj is None or quad.object == obj)
        and (graph is None or quad.graph_name == graph)
    )


def _data(quads: Iterable[ox.Quad]) -> Iterator[str]:
    """``GRAPH <g> { s p o }`` lines, in N-Triples syntax (which SPARQL's DATA blocks accept)."""
    for quad in quads:
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        default = isinstance(quad.graph_name, ox.DefaultGraph)
        yield f"{triple}\n" if default else f"GRAPH {quad.graph_name} {{ {triple} }}\n"
