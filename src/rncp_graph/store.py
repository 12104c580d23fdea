"""The embedded store: pyoxigraph, in memory or on disk, one named graph per source.

Queries see the union of all graphs as their default graph (the "merged view"); a
``GRAPH`` clause reaches one source. Parameters are bound with pyoxigraph
``substitutions``, never pasted into query text. An :class:`rdflib.Dataset` view over the
same store is available for users of the rdflib API (:meth:`GraphStore.rdflib_dataset`).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

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
        #: graph → the N-Triples chunks it was loaded from, when they are canonical lines (our
        #: mapping's), kept in a temporary file: :meth:`canonical_bytes` reads them instead of
        #: dumping the graph, once
        self._loaded_lines: dict[str, LineSpool] = {}

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
            40 % faster (2.0 M triples: 4.1 s instead of 6.8 s). Never for a file a user gives.
        :param bulk: on disk, use ``bulk_load`` (for a whole source); False loads each chunk in
            one transaction, which suits a few hundred triples (``rncp-graph update``).
        :param keep_lines: the chunks are lines exactly as Oxigraph writes them (our mapping's
            :mod:`rncp_graph.terms`, with ``trusted``): keep them, in a temporary file
            (:class:`LineSpool`), for :meth:`canonical_bytes`, which then need not dump this
            graph (at 30k fiches the dump takes 13 s; reading back the 1.1 GB file, 0.5 s).
        """
        if keep_lines and not trusted:
            raise ValueError("keep_lines is for our own mapping's lines (trusted=True)")
        self._canonical = None
        self.drop_graph(graph)
        name = ox.NamedNode(graph)
        # on disk, bulk_load writes sorted files instead of one transaction per chunk: 2.5× faster
        # (229k triples: 3.9 s instead of 9.8 s); in memory, load is as fast and transactional
        load = self.ox.load if self.path is None or not bulk else self.ox.bulk_load
        spool = LineSpool.open(graph) if keep_lines else None
        try:
            for chunk in chunks:
                load(input=chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=name, lenient=trusted)
                if spool is not None and not spool.append(chunk):
                    spool = None  # the graph will be dumped (the reason is logged)
        except BaseException:
            if spool is not None:
                spool.close()
            raise
        if spool is not None:
            self._loaded_lines[graph] = spool

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (nothing happens if it is absent)."""
        name = ox.NamedNode(graph)
        self._forget_lines(graph)
        if self.ox.contains_named_graph(name):
            self._canonical = None
            self.ox.remove_graph(name)

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (each in its own transaction: for a few hundred, not millions)."""
        self._canonical = None
        for graph in list(self._loaded_lines):  # whichever graphs they were in
            self._forget_lines(graph)
        for quad in quads:
            self.ox.remove(quad)

    def load_file(self, path: Path, graph: str) -> None:
        """Load a Turtle / N-Triples file of our own (ontology schemes) into ``graph``."""
        self._canonical = None
        self._forget_lines(graph)
        self.ox.load(path=str(path), to_graph=ox.NamedNode(graph))

    def _forget_lines(self, graph: str) -> None:
        spool = self._loaded_lines.pop(graph, None)
        if spool is not None:
            spool.close()

    # -- reading --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ox)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Any:
        """Run a SPARQL query on the merged view; ``bindings`` are bound as substitutions.

        Oxigraph binds a variable only if the query projects it: write ``SELECT ?n ?code``,
        not ``SELECT ?n``, to bind ``code``.

        The merged view is the union of the named graphs, and a triple stated in several graphs
        (a ROME label repeated by each source file) matches once per graph: use ``DISTINCT``.
        """
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            return self.ox.query(sparql, use_default_graph_as_union=True, substitutions=subs or None, prefixes=PREFIXES)
        except (SyntaxError, RuntimeError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[dict[str, Term | None]]:
        """Rows of a SELECT query as dicts of variable name → term (``None`` when unbound)."""
        solutions = self.query(sparql, bindings)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names} for row in solutions]

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
        the dump — at 30k fiches 13 s for the dump, 3.5 s to read and split the chunks); the lines are
        sorted as bytes (UTF-8 byte order is code-point order, so this is the canonical order)
        and repeated lines (a triple stated by several graphs, or twice by one source) dropped.
        Kept as bytes: at 30k fiches there are 5.8 M lines, and bytes take half the memory of
        ``str`` for accented French text and need no re-encoding to be written. Cached until
        the graph is changed through this object (changes made through :attr:`ox` itself are
        not seen).
        """
        if self._canonical is not None:
            return self._canonical
        lines = _LineCollector()
        for graph in [ox.DefaultGraph(), *self.ox.named_graphs()]:
            spool = self._loaded_lines.pop(graph.value, None) if isinstance(graph, ox.NamedNode) else None
            if spool is None:
                self.ox.dump(cast(IO[bytes], lines), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
                lines.close()
                continue
            with contextlib.closing(spool):
                for chunk in spool.chunks():
                    lines.extend(chunk.split(b"\n"))
        lines.sort()
        self._canonical = [line for line, _ in itertools.groupby(lines) if line]
        return self._canonical

    def canonical_lines(self) -> list[str]:
        """:meth:`canonical_bytes` decoded: for small graphs and for code that needs text."""
        return [line.decode("utf-8") for line in self.canonical_bytes()]

    def triple_count(self) -> int:
        """Distinct triples of the merged view (graph names dropped)."""
        return len(self.canonical_bytes())

    def iter_quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        name = ox.NamedNode(graph) if graph else None
        return iter(self.ox.quads_for_pattern(None, None, None, name))

    # -- views ----------------------------------------------------------------------------
    def rdflib_dataset(self) -> rdflib.Dataset:
        """An :class:`rdflib.Dataset` over this same store (no copy); its default graph is the union.

        Fine for exploring in a notebook; for big graphs prefer :meth:`select`.
        """
        from oxrdflib import OxigraphStore

        ds = rdflib.Dataset(store=OxigraphStore(store=self.ox), default_union=True)
        for prefix, iri in PREFIXES.items():
            ds.bind(prefix, iri)
        return ds

    def to_rdflib_graph(self) -> rdflib.Graph:
        """A plain in-memory :class:`rdflib.Graph` copy of the merged view (small graphs only)."""
        graph = rdflib.Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        graph.parse(data=b"\n".join(self.canonical_bytes()), format="nt")
        return graph

    def flush(self) -> None:
        if self.path is not None:
            self.ox.flush()

    def optimize(self) -> None:
        """On disk, compact the store now (RocksDB), rather than in the background of the
        processes that open it next: after a bulk load of 5.8 M quads this takes ~10 s; without
        it, the ``rncp-graph update`` runs that followed took 2.1–11.4 s, with it 1.4–2.0 s.

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
    """N-Triples chunks kept in an unnamed temporary file (``TMPDIR``) until read back once.

    Not in memory: at 30k fiches the chunks are 1.1 GB, which would stay in the process while
    the store is validated (the build's peak went from 3.8 to 4.9 GB when they were kept in a
    list). A file that cannot be written (a full disk) is given up with a warning: the graph
    is then dumped by Oxigraph, as without ``keep_lines``.
    """

    def __init__(self, graph: str, handle: IO[bytes]) -> None:
        self.graph = graph
        self._handle = handle
        self._sizes: list[int] = []
        weakref.finalize(self, handle.close)  # a store dropped unexported: the file goes with it

    @classmethod
    def open(cls, graph: str) -> LineSpool | None:
        try:
            return cls(graph, tempfile.TemporaryFile(prefix="rncp-graph-lines-"))
        except OSError as exc:
            log.warning("%s: its lines cannot be kept in a temporary file (%s); it will be dumped", graph, exc)
            return None

    def append(self, chunk: bytes) -> bool:
        """Keep one chunk; False (and the file is closed) when it could not be written."""
        try:
            self._handle.write(chunk)
        except OSError as exc:
            log.warning("%s: its lines cannot be kept in a temporary file (%s); it will be dumped", self.graph, exc)
            self.close()
            return False
        self._sizes.append(len(chunk))
        return True

    def chunks(self) -> Iterator[bytes]:
        """The chunks, in the order they were kept, one at a time."""
        self._handle.seek(0)
        for size in self._sizes:
            yield self._handle.read(size)

    def close(self) -> None:
        self._handle.close()


class _LineCollector(list[bytes]):
    """A binary file Oxigraph dumps into, keeping the lines (without ``\\n``): the whole dump
    never exists as one ``bytes`` (1.1 GB at 30k fiches, on top of its 5.8 M lines)."""

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


def is_store(path: Path) -> bool:
    """Whether ``path`` is an on-disk Oxigraph store folder (RocksDB's ``CURRENT`` marker file)."""
    return path.is_dir() and (path / "CURRENT").is_file()


def bindings_from(values: Mapping[str, str | ox.NamedNode | ox.Literal]) -> dict[str, Term]:
    """Plain strings become string literals; terms pass through (for :meth:`GraphStore.select`)."""
    return {k: (ox.Literal(v) if isinstance(v, str) else v) for k, v in values.items()}
