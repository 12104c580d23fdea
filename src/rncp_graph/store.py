"""The embedded store: pyoxigraph, in memory or on disk, one named graph per source.

Queries see the union of all graphs as their default graph (the "merged view"); a
``GRAPH`` clause reaches one source. A triple stated in several graphs (a ROME label repeated
by each source file) is in that union once per graph: in memory, :meth:`GraphStore.select`
answers over a default graph holding it once, as an endpoint loaded from ``rncp.nt`` does
(:attr:`GraphStore.union`). Parameters are bound with pyoxigraph
``substitutions``, never pasted into query text. An :class:`rdflib.Dataset` view over the
same store is available for users of the rdflib API (:meth:`GraphStore.rdflib_dataset`).

Every query path here is local: :meth:`GraphStore.query`, :meth:`GraphStore.select` and the
rdflib views refuse ``SERVICE``, ``LOAD`` (and, where rdflib evaluates, ``FROM`` / ``USING``)
unless the caller passes ``allow_federation=True`` (:mod:`rncp_graph.sparql_guard`), and
stop waiting for a query after :attr:`GraphStore.query_timeout` seconds
(:mod:`rncp_graph.deadline`). The pyoxigraph store itself stays inside :class:`GraphStore`
(and :class:`rncp_graph.changes.PendingStore`, its transactional view): callers use the
operations below — quads of a pattern, named graphs, a graph's N-Triples, loading, a
transaction.

The store knows nothing of exports: the canonical lines (sorted, deduplicated N-Triples) are
made by :mod:`rncp_graph.exports.canonical`, which reads :meth:`GraphStore.revision` to tell
whether what it kept is still the store's content.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal, cast

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from . import deadline, sparql_guard
from .errors import QueryError, StructuralError
from .namespaces import PREFIXES

log = logging.getLogger(__name__)

Term = ox.NamedNode | ox.Literal | ox.BlankNode
Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class GraphStore:
    """A pyoxigraph store holding the graph, with the few operations the project needs.

    :param path: a directory for an on-disk store (created if absent); ``None`` for memory.
    """

    def __init__(self, path: Path | None = None, *, store: ox.Store | None = None) -> None:
        self.path = path
        if store is not None:
            self._ox = store
        elif path is None:
            self._ox = ox.Store()
        else:
            try:
                path.mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(str(path))
            except OSError as exc:  # not a folder, no permission, or a store another process holds
                raise StructuralError(f"cannot open the Oxigraph store: {exc}", file=str(path)) from None
        #: changes made through this object: in all, per named graph (IRI), and the last change
        #: whose graphs are not known (a SPARQL update): see :meth:`revision`
        self._changes = 0
        self._graph_changes: dict[str, int] = {}
        self._unknown_change = 0
        #: seconds :meth:`query` and :meth:`select` wait for a query (None: no limit)
        self.query_timeout: float | None = deadline.default_timeout()
        #: the default graph of :meth:`select` and :meth:`table`. ``"distinct"``: each triple of
        #: the merged view once, as an endpoint loaded from ``rncp.nt`` answers (when some triple
        #: is in several graphs, an in-memory copy of the union, made at the first query after a
        #: change). ``"per-graph"``: once per named graph stating it (pyoxigraph's union, as
        #: :meth:`query` sees it). Default: ``"distinct"`` for a store made in memory here
        #: (notebooks); ``"per-graph"`` on disk or for a pyoxigraph store given (a store folder
        #: opened read-only), where finding out whether the union repeats a triple would cost
        #: every command a count of the whole store (use ``DISTINCT``, or set it)
        self.union: Literal["distinct", "per-graph"] = "distinct" if path is None and store is None else "per-graph"
        #: (revision, the copy or None when the union repeats no triple) of :meth:`_distinct_union`
        self._distinct: tuple[int, ox.Store | None] | None = None

    # -- changing -------------------------------------------------------------------------
    def revision(self, graph: str | None = None) -> int:
        """A number that changes whenever ``graph`` (``None``: any graph) is changed through this
        object, for whoever keeps something made from the store (the canonical lines of
        :mod:`rncp_graph.exports.canonical`): the same number, the same content. Changes made
        through the rdflib view (:meth:`rdflib_dataset`) are not counted."""
        if graph is None:
            return self._changes
        return max(self._graph_changes.get(graph, 0), self._unknown_change)

    def _changed(self, graph: GraphName | str | None) -> None:
        """Count one change of ``graph`` (``None``: graphs not known)."""
        self._changes += 1
        if graph is None:
            self._unknown_change = self._changes
        elif isinstance(graph, str | ox.NamedNode):
            self._graph_changes[graph if isinstance(graph, str) else graph.value] = self._changes

    def replace_graph(self, graph: str, chunks: Iterable[bytes], *, trusted: bool = False, bulk: bool = True) -> None:
        """Replace one named graph by the N-Triples ``chunks`` (in memory each chunk is loaded
        atomically; on disk with ``bulk_load``, which is not transactional).

        :param trusted: the chunks come from our own mapping, whose IRIs were validated when
            minted (:mod:`rncp_graph.iris`): Oxigraph's lenient parser skips checking them again,
            markedly faster (benchmarks/README.md). Never for a file a user gives.
        :param bulk: on disk, use ``bulk_load`` (for a whole source); False loads each chunk in
            one transaction, which suits a few hundred triples (``rncp-graph update``).
        """
        self.drop_graph(graph)
        name = ox.NamedNode(graph)
        # on disk, bulk_load writes sorted files instead of one transaction per chunk: much faster
        # (benchmarks/README.md); in memory, load is as fast and transactional
        load = self._ox.load if self.path is None or not bulk else self._ox.bulk_load
        self._changed(graph)
        for chunk in chunks:
            load(input=chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=name, lenient=trusted)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (nothing happens if it is absent)."""
        name = ox.NamedNode(graph)
        if self._ox.contains_named_graph(name):
            self._changed(graph)
            self._ox.remove_graph(name)

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (each in its own transaction: for a few hundred, not millions)."""
        for quad in quads:
            self._changed(quad.graph_name)
            self._ox.remove(quad)

    def transact(self, update: str) -> None:
        """Run one SPARQL update in one transaction: all of it is written, or nothing
        (pyoxigraph ``Store.update``); :class:`rncp_graph.changes.PendingStore` commits with it."""
        self._changed(None)
        self._ox.update(update)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add these quads (each in its own transaction: for a few hundred, not millions)."""
        for quad in quads:
            self._changed(quad.graph_name)
            self._ox.add(quad)

    def load_file(self, path: Path, graph: str) -> None:
        """Load a Turtle / N-Triples file of our own (ontology schemes) into ``graph``."""
        self._changed(graph)
        self._ox.load(path=str(path), to_graph=ox.NamedNode(graph))

    def load(self, document: bytes | Path, rdf_format: ox.RdfFormat, *, graph: str | None = None) -> None:
        """Load a whole document, parsed strictly: a file a user gives, or data (N-Triples,
        Turtle, N-Quads, TriG…); triples go to ``graph`` (default: the default graph), quads
        to their graphs.

        :raises SyntaxError: it does not parse (Oxigraph names the line and column).
        :raises OSError: the file cannot be read.
        """
        self._changed(graph)
        target = ox.NamedNode(graph) if graph is not None else None
        if isinstance(document, Path):
            self._ox.load(path=str(document), format=rdf_format, to_graph=target)
        else:
            self._ox.load(input=document, format=rdf_format, to_graph=target)

    # -- reading --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ox)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        """The names of the named graphs, in the store's order (blank nodes too: a user's TriG may have some)."""
        return list(self._ox.named_graphs())

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
        predicate: ox.NamedNode | None,
        obj: Node | None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything; ``graph=None``: any graph,
        the default one included), read from Oxigraph's indexes; the same call as
        :meth:`rncp_graph.changes.PendingStore.quads_for_pattern`."""
        return iter(self._ox.quads_for_pattern(subject, predicate, obj, graph))

    def dump_ntriples(self, graph: GraphName, output: IO[bytes] | None = None) -> bytes | None:
        """The triples of one graph as N-Triples, written by Oxigraph into ``output`` (then
        ``None`` is returned) or returned as bytes; in the store's order, not sorted."""
        return self._ox.dump(output, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        allow_federation: bool = False,
        timeout: float | Literal["default"] | None = "default",
    ) -> Any:
        """Run a SPARQL query on the merged view; ``bindings`` are bound as substitutions.

        Oxigraph binds a variable only if the query projects it: write ``SELECT ?n ?code``,
        not ``SELECT ?n``, to bind ``code``.

        The merged view is the union of the named graphs, and a triple stated in several graphs
        (a ROME label repeated by each source file) matches once per graph: use ``DISTINCT``.

        :param allow_federation: let ``SERVICE`` and ``LOAD`` reach the network (refused by default).
        :param timeout: seconds (None: no limit; default :attr:`query_timeout`). The results are
            lazy and pyoxigraph's cannot leave the thread that made them, so here the deadline is
            checked between rows only: a query that computes long before its first row (an
            aggregate) or between two rows is not stopped. :meth:`select` is bounded in every case.
        :raises QueryTimeoutError: a row came after the deadline.
        """
        if not allow_federation:
            sparql_guard.guard(sparql, engine="oxigraph")
        limit = self.query_timeout if timeout == "default" else timeout
        started = time.monotonic()
        results = self._execute(sparql, bindings)
        if limit is None or isinstance(results, ox.QueryBoolean):
            return results
        return deadline.BoundedRows(results, deadline=started + limit, timeout=limit, name="ad-hoc")

    def _execute(self, sparql: str, bindings: Mapping[str, Term] | None, distinct: ox.Store | None = None) -> Any:
        """Run ``sparql`` over the union of the named graphs, or over ``distinct``'s default graph."""
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            if distinct is not None:
                return distinct.query(sparql, substitutions=subs or None, prefixes=PREFIXES)
            return self._ox.query(
                sparql, use_default_graph_as_union=True, substitutions=subs or None, prefixes=PREFIXES
            )
        except (SyntaxError, RuntimeError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        allow_federation: bool = False,
        timeout: float | Literal["default"] | None = "default",
        name: str = "ad-hoc",
    ) -> list[dict[str, Term | None]]:
        """Rows of a SELECT query as dicts of variable name → term (``None`` when unbound).

        With :attr:`union` ``"distinct"`` (the default in memory) the default graph holds each
        triple of the merged view once, so a query without ``DISTINCT`` gives the rows an
        endpoint loaded from ``rncp.nt`` gives, not one per source graph stating a triple. A
        query that names graphs (``GRAPH``, ``FROM``: the provenance) runs over the named graphs
        as they are stored.

        The query runs in a worker thread: the caller gets its rows, or
        :class:`~rncp_graph.deadline.QueryTimeoutError` after ``timeout`` seconds (default
        :attr:`query_timeout`) whatever the query (:mod:`rncp_graph.deadline`).

        :param allow_federation: let ``SERVICE`` and ``LOAD`` reach the network (refused by default).
        """
        return self.table(sparql, bindings, allow_federation=allow_federation, timeout=timeout, name=name)[1]

    def table(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        allow_federation: bool = False,
        timeout: float | Literal["default"] | None = "default",
        name: str = "ad-hoc",
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[str], list[dict[str, Term | None]]]:
        """:meth:`select`, with the names of the projected variables in the engine's order.

        :param limit, offset: only the rows ``offset`` to ``offset + limit`` of the answer (what
            ``OFFSET``/``LIMIT`` on the whole query give), read from it lazily: Oxigraph stops there.
        """
        if offset < 0 or (limit is not None and limit < 0):
            raise ValueError(f"limit and offset must be at least 0 (limit {limit}, offset {offset})")
        if not allow_federation:
            sparql_guard.guard(sparql, engine="oxigraph", name=name)
        over = self._distinct_union() if self.union == "distinct" and not _names_graphs(sparql) else None
        stop = None if limit is None else offset + limit

        def work(stopped: Callable[[], bool]) -> tuple[list[str], list[dict[str, Term | None]]]:
            solutions = self._execute(sparql, bindings, over)
            page = itertools.islice(solutions, offset, stop)  # the rows OFFSET and LIMIT would keep
            try:  # on an error, the traceback reaches the caller's thread: it must not hold the results
                names = [v.value for v in solutions.variables]
                return names, deadline.rows_until(page, stopped, lambda row: {n: row[n] for n in names})
            finally:
                del solutions, page

        seconds = self.query_timeout if timeout == "default" else timeout
        return deadline.bounded(work, timeout=seconds, name=name)

    def _distinct_union(self) -> ox.Store | None:
        """A store whose default graph holds each triple of the merged view once (same terms:
        blank nodes keep their identity), or None when the union repeats no triple; made again
        after a change made through this object."""
        revision = self.revision()
        if self._distinct is None or self._distinct[0] != revision:
            copy = None
            if self.repeats_triples():
                copy = ox.Store()
                copy.extend(
                    ox.Quad(q.subject, q.predicate, q.object) for q in self._ox.quads_for_pattern(None, None, None)
                )
            self._distinct = (revision, copy)
        return self._distinct[1]

    def repeats_triples(self) -> bool:
        """Whether some triple is in several graphs (then the union states it more than once).
        A store of one graph cannot: it is not counted; else the distinct triples are counted
        against the quads."""
        several = len(list(itertools.islice(self._ox.named_graphs(), 2))) > 1
        default = next(iter(self._ox.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
        return (several or default) and self.triple_count() != len(self._ox)

    def count_by_class(self) -> dict[str, int]:
        """Number of distinct instances of each ``rdf:type`` in the merged view."""
        rows = self.select(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF.type}> ?c }} GROUP BY ?c ORDER BY ?c"
        )
        return {r["c"].value: int(r["n"].value) for r in rows if r["c"] is not None and r["n"] is not None}

    def triple_count(self) -> int:
        """Distinct triples of the merged view (graph names dropped), counted by Oxigraph.

        Counted without serialising: every quad, less the repeats of a triple held by several
        graphs, found by looking up, in Oxigraph's indexes, each quad outside the one large graph
        (a source's): far cheaper than a distinct count of the whole union, which a query makes
        when those quads are many (benchmarks/README.md).
        """
        graphs: list[GraphName] = [ox.DefaultGraph(), *self._ox.named_graphs()]
        small = {g: n for g in graphs if (n := self._count(g, limit=_LOOKUP_LIMIT + 1)) <= _LOOKUP_LIMIT}
        large = [g for g in graphs if g not in small]
        if len(large) > 1 or sum(small.values()) > _LOOKUP_LIMIT:
            return self._distinct_triples()
        largest = large[0] if large else max(small, key=lambda g: small[g])
        repeats = 0
        for graph in small.keys() - {largest}:
            for quad in self._ox.quads_for_pattern(None, None, None, graph):
                holders = [q.graph_name for q in self._ox.quads_for_pattern(quad.subject, quad.predicate, quad.object)]
                repeats += largest in holders or graph != min(holders, key=str)
        return len(self._ox) - repeats

    def _count(self, graph: GraphName, *, limit: int) -> int:
        """Quads of ``graph``, at most ``limit``, counted by an Oxigraph query (a graph named by
        a blank node, which a query cannot name, is walked)."""
        if isinstance(graph, ox.BlankNode):
            return sum(1 for _ in itertools.islice(self._ox.quads_for_pattern(None, None, None, graph), limit))
        pattern = "?s ?p ?o" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ ?s ?p ?o }}"
        rows = self._ox.query(f"SELECT (COUNT(*) AS ?n) {{ SELECT * {{ {pattern} }} LIMIT {limit} }}")
        return int(next(iter(cast(Any, rows)))[0].value)

    def _distinct_triples(self) -> int:
        """Distinct triples of the union of all graphs, counted by an Oxigraph query."""
        rows = self._ox.query(
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", use_default_graph_as_union=True
        )
        return int(next(iter(cast(Any, rows)))[0].value)

    def iter_quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        name = ox.NamedNode(graph) if graph else None
        return iter(self._ox.quads_for_pattern(None, None, None, name))

    # -- views ----------------------------------------------------------------------------
    def rdflib_dataset(self, *, allow_federation: bool = False) -> rdflib.Dataset:
        """An :class:`rdflib.Dataset` over this same store (no copy); its default graph is the union.

        Fine for exploring in a notebook; for big graphs prefer :meth:`select`. Its ``query`` and
        ``update`` refuse SERVICE, LOAD, FROM and USING unless ``allow_federation=True``
        (:mod:`rncp_graph.rdflib_views`); they have no time limit (the results are lazy).
        """
        from .rdflib_views import GuardedOxigraphStore

        store = GuardedOxigraphStore(store=self._ox, allow_federation=allow_federation)
        ds = rdflib.Dataset(store=store, default_union=True)
        for prefix, iri in PREFIXES.items():
            ds.bind(prefix, iri)
        return ds

    def to_rdflib_graph(self, *, allow_federation: bool = False) -> rdflib.Graph:
        """An in-memory :class:`rdflib.Graph` copy of the merged view (small graphs only); its
        ``query`` and ``update`` refuse SERVICE, LOAD, FROM and USING unless ``allow_federation=True``."""
        from .rdflib_views import GuardedMemory

        graph = rdflib.Graph(store=GuardedMemory(allow_federation=allow_federation))
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        names: list[GraphName] = [ox.DefaultGraph(), *self._ox.named_graphs()]
        # one document: a blank node of two graphs stays one node; a triple of two graphs is added once
        graph.parse(data=b"".join(self.dump_ntriples(name) or b"" for name in names), format="nt")
        return graph

    def flush(self) -> None:
        if self.path is not None:
            self._ox.flush()

    def optimize(self) -> None:
        """On disk, compact the store now (RocksDB), rather than in the background of the
        processes that open it next: without it, the ``rncp-graph update`` runs that follow a
        bulk load are slower and vary more (benchmarks/README.md).

        The data is already saved: a compaction that fails (a full disk) is logged, not raised.
        """
        if self.path is None:
            return
        try:
            self._ox.optimize()
        except (OSError, RuntimeError) as exc:
            log.warning(
                "%s: the store is complete but could not be compacted (%s); reads may be slower", self.path, exc
            )


#: quads outside the largest graph above which :meth:`GraphStore.triple_count` asks Oxigraph
#: for the distinct count (a whole scan: benchmarks/README.md) instead of looking each one up from Python
_LOOKUP_LIMIT = 50_000


def is_store(path: Path) -> bool:
    """Whether ``path`` is an on-disk Oxigraph store folder (RocksDB's ``CURRENT`` marker file)."""
    return path.is_dir() and (path / "CURRENT").is_file()


#: a word that names graphs in a query (``GRAPH``, ``FROM [NAMED]``), outside IRIs
_GRAPH_WORDS = re.compile(r"\b(?:graph|from)\b", re.IGNORECASE)


def _names_graphs(sparql: str) -> bool:
    """Whether ``sparql`` may name graphs: then it runs over the named graphs as they are stored.
    (The same word in a string or comment only costs the distinct union.)"""
    return bool(_GRAPH_WORDS.search(re.sub(r"<[^<>\s]*>", "", sparql)))
