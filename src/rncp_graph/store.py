"""The embedded store: pyoxigraph, in memory or on disk, one named graph per source.

Queries see the union of all graphs as their default graph (the "merged view"); a
``GRAPH`` clause reaches one source. Parameters are bound with pyoxigraph
``substitutions``, never pasted into query text. An :class:`rdflib.Dataset` view over the
same store is available for users of the rdflib API (:meth:`GraphStore.rdflib_dataset`).

Every query path here is local: :meth:`GraphStore.query`, :meth:`GraphStore.select` and the
rdflib views refuse ``SERVICE``, ``LOAD`` (and, where rdflib evaluates, ``FROM`` / ``USING``)
unless the caller passes ``allow_federation=True`` (:mod:`rncp_graph.sparql_guard`), and
stop waiting for a query after :attr:`GraphStore.query_timeout` seconds
(:mod:`rncp_graph.deadline`). The raw pyoxigraph store, :attr:`GraphStore.ox`, has neither.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import tempfile
import time
import weakref
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


class GraphStore:
    """A pyoxigraph store holding the graph, with the few operations the project needs.

    :param path: a directory for an on-disk store (created if absent); ``None`` for memory.
    """

    def __init__(self, path: Path | None = None, *, store: ox.Store | None = None) -> None:
        self.path = path
        if store is not None:
            self.ox = store
        elif path is None:
            self.ox = ox.Store()
        else:
            try:
                path.mkdir(parents=True, exist_ok=True)
                self.ox = ox.Store(str(path))
            except OSError as exc:  # not a folder, no permission, or a store another process holds
                raise StructuralError(f"cannot open the Oxigraph store: {exc}", file=str(path)) from None
        self._canonical: list[bytes] | None = None  # cache, dropped by every change made through this object
        #: the N-Triples chunks graphs were loaded from, when they are canonical lines (our
        #: mapping's), kept in a temporary file: :meth:`canonical_bytes` reads them instead of
        #: dumping those graphs, once
        self._loaded_lines = LineSpool()
        #: seconds :meth:`query` and :meth:`select` wait for a query (None: no limit)
        self.query_timeout: float | None = deadline.default_timeout()

    # -- loading --------------------------------------------------------------------------
    def replace_graph(
        self,
        graph: str,
        chunks: Iterable[bytes],
        *,
        trusted: bool = False,
        bulk: bool = True,
        keep_lines: bool = False,
    ) -> None:
        """Replace one named graph by the N-Triples ``chunks`` (in memory each chunk is loaded
        atomically; on disk with ``bulk_load``, which is not transactional).

        :param trusted: the chunks come from our own mapping, whose IRIs were validated when
            minted (:mod:`rncp_graph.iris`): Oxigraph's lenient parser skips checking them again,
            markedly faster (benchmarks/README.md). Never for a file a user gives.
        :param bulk: on disk, use ``bulk_load`` (for a whole source); False loads each chunk in
            one transaction, which suits a few hundred triples (``rncp-graph update``).
        :param keep_lines: the chunks are lines exactly as Oxigraph writes them (our mapping's
            :mod:`rncp_graph.terms`, with ``trusted``): keep them, in a temporary file
            (:class:`LineSpool`), for :meth:`canonical_bytes`, which then need not dump this
            graph (reading the chunks back is several times faster than the dump).
        """
        if keep_lines and not trusted:
            raise ValueError("keep_lines is for our own mapping's lines (trusted=True)")
        self._canonical = None
        self.drop_graph(graph)
        name = ox.NamedNode(graph)
        # on disk, bulk_load writes sorted files instead of one transaction per chunk: much faster
        # (benchmarks/README.md); in memory, load is as fast and transactional
        load = self.ox.load if self.path is None or not bulk else self.ox.bulk_load
        if keep_lines:
            self._loaded_lines.start(graph)
        try:
            for chunk in chunks:
                load(input=chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=name, lenient=trusted)
                if keep_lines:
                    self._loaded_lines.append(graph, chunk)
        except BaseException:
            self._loaded_lines.forget(graph)
            raise

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (nothing happens if it is absent)."""
        name = ox.NamedNode(graph)
        self._loaded_lines.forget(graph)
        if self.ox.contains_named_graph(name):
            self._canonical = None
            self.ox.remove_graph(name)

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (each in its own transaction: for a few hundred, not millions)."""
        self._forget_exports()
        for quad in quads:
            self.ox.remove(quad)

    def transact(self, update: str) -> None:
        """Run one SPARQL update in one transaction: all of it is written, or nothing
        (pyoxigraph ``Store.update``); :class:`rncp_graph.changes.PendingStore` commits with it."""
        self._forget_exports()
        self.ox.update(update)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add these quads (each in its own transaction: for a few hundred, not millions)."""
        self._forget_exports()
        for quad in quads:
            self.ox.add(quad)

    def _forget_exports(self) -> None:
        """A change to any graph: the canonical export and every graph's kept lines are stale."""
        self._canonical = None
        self._loaded_lines.close()

    def load_file(self, path: Path, graph: str) -> None:
        """Load a Turtle / N-Triples file of our own (ontology schemes) into ``graph``."""
        self._canonical = None
        self._loaded_lines.forget(graph)
        self.ox.load(path=str(path), to_graph=ox.NamedNode(graph))

    # -- reading --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ox)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

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

    def _execute(self, sparql: str, bindings: Mapping[str, Term] | None) -> Any:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            return self.ox.query(sparql, use_default_graph_as_union=True, substitutions=subs or None, prefixes=PREFIXES)
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
    ) -> tuple[list[str], list[dict[str, Term | None]]]:
        """:meth:`select`, with the names of the projected variables in the engine's order."""
        if not allow_federation:
            sparql_guard.guard(sparql, engine="oxigraph", name=name)

        def work(stopped: Callable[[], bool]) -> tuple[list[str], list[dict[str, Term | None]]]:
            solutions = self._execute(sparql, bindings)
            try:  # on an error, the traceback reaches the caller's thread: it must not hold the results
                names = [v.value for v in solutions.variables]
                return names, deadline.rows_until(iter(solutions), stopped, lambda row: {n: row[n] for n in names})
            finally:
                del solutions

        limit = self.query_timeout if timeout == "default" else timeout
        return deadline.bounded(work, timeout=limit, name=name)

    def count_by_class(self) -> dict[str, int]:
        """Number of distinct instances of each ``rdf:type`` in the merged view."""
        rows = self.select(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF.type}> ?c }} GROUP BY ?c ORDER BY ?c"
        )
        return {r["c"].value: int(r["n"].value) for r in rows if r["c"] is not None and r["n"] is not None}

    def canonical_bytes(self) -> list[bytes]:
        """The merged view as sorted, deduplicated N-Triples lines, UTF-8 bytes without ``\\n``.

        Each graph is serialised by Oxigraph (Rust), or read from the chunks it was loaded
        from when they were kept (``replace_graph(keep_lines=True)``: the same lines, without
        the dump, several times slower; a chunk
        that cannot be read back gives the graph to the dump); the lines are sorted as bytes
        (UTF-8 byte order is code-point order, so this is the canonical order) and repeated
        lines (a triple stated by several graphs, or twice by one source) dropped. Kept as
        bytes: a national register has millions of lines, and bytes take half the memory of ``str``
        for accented French text and need no re-encoding to be written. Cached until the graph
        is changed through this object (changes made through :attr:`ox` itself, or through the
        rdflib view, are not seen — neither by the cache nor by the kept lines).
        """
        if self._canonical is not None:
            return self._canonical
        lines = _LineCollector()
        for graph in [ox.DefaultGraph(), *self.ox.named_graphs()]:
            if not (isinstance(graph, ox.NamedNode) and self._kept_lines(graph.value, lines)):
                self.ox.dump(cast(IO[bytes], lines), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
                lines.close()
        lines.sort()
        self._canonical = [line for line, _ in itertools.groupby(lines) if line]
        self._loaded_lines.close()  # used once; the lines of graphs no longer in the store go too
        return self._canonical

    def _kept_lines(self, graph: str, lines: list[bytes]) -> bool:
        """Add the kept lines of ``graph`` to ``lines``; False (nothing added) when there are
        none, or they cannot be read back (then logged)."""
        if graph not in self._loaded_lines:
            return False
        mark = len(lines)
        try:
            for chunk in self._loaded_lines.chunks(graph):
                lines.extend(chunk.split(b"\n"))
        except OSError as exc:
            del lines[mark:]
            log.warning("%s: its kept lines cannot be read back (%s); it is dumped", graph, exc)
            self._loaded_lines.forget(graph)
            return False
        return True

    def canonical_lines(self) -> list[str]:
        """:meth:`canonical_bytes` decoded: for small graphs and for code that needs text."""
        return [line.decode("utf-8") for line in self.canonical_bytes()]

    def triple_count(self) -> int:
        """Distinct triples of the merged view (graph names dropped).

        Counted without serialising (``rncp-graph info`` on a register: a fraction of a second
        instead of seconds, benchmarks/README.md): every quad, less the repeats of a triple held by
        several graphs, looked up for the quads outside the one large graph; when those are
        many, Oxigraph counts the distinct triples itself.
        """
        graphs = [ox.DefaultGraph(), *self.ox.named_graphs()]
        if self._canonical is not None or any(isinstance(g, ox.BlankNode) for g in graphs):
            return len(self.canonical_bytes())
        small = {g: n for g in graphs if (n := self._count(g, limit=_LOOKUP_LIMIT + 1)) <= _LOOKUP_LIMIT}
        large = [g for g in graphs if g not in small]
        if len(large) > 1 or sum(small.values()) > _LOOKUP_LIMIT:
            return self._count(None)
        largest = large[0] if large else max(small, key=lambda g: small[g])
        repeats = 0
        for graph in small.keys() - {largest}:
            for quad in self.ox.quads_for_pattern(None, None, None, graph):
                holders = [q.graph_name for q in self.ox.quads_for_pattern(quad.subject, quad.predicate, quad.object)]
                repeats += largest in holders or graph != min(holders, key=str)
        return len(self.ox) - repeats

    def _count(self, graph: ox.DefaultGraph | ox.NamedNode | ox.BlankNode | None, *, limit: int | None = None) -> int:
        """Triples of ``graph`` (None: distinct triples of the union), at most ``limit``, counted by Oxigraph."""
        pattern = f"SELECT * {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        if graph is None or isinstance(graph, ox.DefaultGraph):
            pattern = f"SELECT {'DISTINCT ?s ?p ?o' if graph is None else '*'} {{ ?s ?p ?o }}"
        bound = f" LIMIT {limit}" if limit is not None else ""
        rows = self.ox.query(
            f"SELECT (COUNT(*) AS ?n) {{ {pattern}{bound} }}", use_default_graph_as_union=graph is None
        )
        return int(next(iter(cast(Any, rows)))[0].value)

    def iter_quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        name = ox.NamedNode(graph) if graph else None
        return iter(self.ox.quads_for_pattern(None, None, None, name))

    # -- views ----------------------------------------------------------------------------
    def rdflib_dataset(self, *, allow_federation: bool = False) -> rdflib.Dataset:
        """An :class:`rdflib.Dataset` over this same store (no copy); its default graph is the union.

        Fine for exploring in a notebook; for big graphs prefer :meth:`select`. Its ``query`` and
        ``update`` refuse SERVICE, LOAD, FROM and USING unless ``allow_federation=True``
        (:mod:`rncp_graph.rdflib_views`); they have no time limit (the results are lazy).
        """
        from .rdflib_views import GuardedOxigraphStore

        store = GuardedOxigraphStore(store=self.ox, allow_federation=allow_federation)
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
        graph.parse(data=b"\n".join(self.canonical_bytes()), format="nt")
        return graph

    def flush(self) -> None:
        if self.path is not None:
            self.ox.flush()

    def optimize(self) -> None:
        """On disk, compact the store now (RocksDB), rather than in the background of the
        processes that open it next: without it, the ``rncp-graph update`` runs that follow a
        bulk load are slower and vary more (benchmarks/README.md).

        The data is already saved: a compaction that fails (a full disk) is logged, not raised.
        """
        if self.path is None:
            return
        try:
            self.ox.optimize()
        except (OSError, RuntimeError) as exc:
            log.warning(
                "%s: the store is complete but could not be compacted (%s); reads may be slower", self.path, exc
            )


class LineSpool:
    """The N-Triples chunks graphs were loaded from, kept in one unnamed temporary file where
    ``TMPDIR`` says, until they are read back.

    Not in this process's memory: the chunks are as large as ``rncp.nt``, and would stay there
    while the store is validated (the build's peak grew markedly when they were kept
    in a list). One file for all graphs: a build from thousands of fiche pages holds one file
    descriptor, not one per page. Where ``/tmp`` is a RAM file system (tmpfs), the file is in
    memory after all: point ``TMPDIR`` at a disk for a national build. A chunk that cannot be
    written (a full disk) is logged and its graph forgotten: it is then dumped by Oxigraph.
    """

    def __init__(self) -> None:
        self._handle: IO[bytes] | None = None
        self._end = 0
        #: graph → (offset, size) of each chunk, in the order they were kept
        self._extents: dict[str, list[tuple[int, int]]] = {}

    def __contains__(self, graph: str) -> bool:
        return graph in self._extents

    def graphs(self) -> list[str]:
        return sorted(self._extents)

    def start(self, graph: str) -> None:
        """Keep the chunks of ``graph`` from now on (forgetting any kept before)."""
        self.forget(graph)
        self._extents[graph] = []

    def append(self, graph: str, chunk: bytes) -> None:
        """Keep one chunk of ``graph``, if it is kept (:meth:`start`); a chunk that cannot be
        written forgets the graph (logged): it will be dumped."""
        if graph not in self._extents:
            return
        try:
            if self._handle is None:
                self._handle = tempfile.TemporaryFile(prefix="rncp-graph-lines-")  # noqa: SIM115 - kept open
                weakref.finalize(self, _close_quietly, self._handle)  # a store dropped unexported: the file goes
            self._handle.seek(self._end)
            self._handle.write(chunk)
            self._handle.flush()  # a write error is raised here, not at the next read
        except OSError as exc:
            log.warning("%s: its lines cannot be kept in a temporary file (%s); it will be dumped", graph, exc)
            self.forget(graph)
            return
        self._extents[graph].append((self._end, len(chunk)))
        self._end += len(chunk)

    def chunks(self, graph: str) -> Iterator[bytes]:
        """The chunks of ``graph``, in the order they were kept, one at a time."""
        for offset, size in self._extents.get(graph, []):
            assert self._handle is not None
            self._handle.seek(offset)
            chunk = self._handle.read(size)
            if len(chunk) != size:
                raise OSError(f"the temporary file ended {size - len(chunk)} bytes early")
            yield chunk

    def forget(self, graph: str) -> None:
        """Forget the chunks of ``graph`` (the file is closed when no graph is left)."""
        self._extents.pop(graph, None)
        if not self._extents:
            self.close()

    def close(self) -> None:
        """Forget every graph and close the file."""
        self._extents.clear()
        self._end = 0
        handle, self._handle = self._handle, None
        if handle is not None:
            _close_quietly(handle)


def _close_quietly(handle: IO[bytes]) -> None:
    """Close a temporary file whose content is given up: a buffer that cannot be written is no error."""
    with contextlib.suppress(OSError):
        handle.close()


class _LineCollector(list[bytes]):
    """A binary file Oxigraph dumps into, keeping the lines (without ``\\n``): the whole dump
    never exists as one ``bytes`` (as large as ``rncp.nt``, on top of its lines)."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[bytes] = []  # the start of a line not ended yet (a long literal: many writes)

    def write(self, data: bytes) -> int:
        cut = data.rfind(b"\n")
        if cut < 0:
            self._pending.append(bytes(data))
            return len(data)
        if self._pending:
            self._pending.append(data[:cut])
            self.extend(b"".join(self._pending).split(b"\n"))
            self._pending = []
        else:
            self.extend(data[:cut].split(b"\n"))
        if cut + 1 < len(data):
            self._pending.append(data[cut + 1 :])
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """The end of one dump: a last line without ``\\n`` (never written by Oxigraph) is kept."""
        if self._pending:
            self.append(b"".join(self._pending))
            self._pending = []


#: quads outside the largest graph above which :meth:`GraphStore.triple_count` asks Oxigraph
#: for the distinct count (a whole scan: benchmarks/README.md) instead of looking each one up from Python
_LOOKUP_LIMIT = 50_000


def is_store(path: Path) -> bool:
    """Whether ``path`` is an on-disk Oxigraph store folder (RocksDB's ``CURRENT`` marker file)."""
    return path.is_dir() and (path / "CURRENT").is_file()


def bindings_from(values: Mapping[str, str | ox.NamedNode | ox.Literal]) -> dict[str, Term]:
    """Plain strings become string literals; terms pass through (for :meth:`GraphStore.select`)."""
    return {k: (ox.Literal(v) if isinstance(v, str) else v) for k, v in values.items()}
