"""The embedded store: pyoxigraph, in memory or on disk, one named graph per source.

Queries see the union of all graphs as their default graph (the "merged view"); a
``GRAPH`` clause reaches one source. Parameters are bound with pyoxigraph
``substitutions``, never pasted into query text. An :class:`rdflib.Dataset` view over the
same store is available for users of the rdflib API (:meth:`GraphStore.rdflib_dataset`).
"""

from __future__ import annotations

import ctypes
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
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
        #: mapping's): :meth:`canonical_bytes` takes them instead of dumping the graph, once
        self._loaded_lines: dict[str, list[bytes]] = {}

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
            :mod:`rncp_graph.terms`, with ``trusted``): keep them for :meth:`canonical_bytes`,
            which then need not dump this graph (at 30k fiches the dump alone takes 13 s; the
            kept chunks, 1.1 GB, are released when it has used them).
        """
        if keep_lines and not trusted:
            raise ValueError("keep_lines is for our own mapping's lines (trusted=True)")
        self._canonical = None
        self.drop_graph(graph)
        name = ox.NamedNode(graph)
        # on disk, bulk_load writes sorted files instead of one transaction per chunk: 2.5× faster
        # (229k triples: 3.9 s instead of 9.8 s); in memory, load is as fast and transactional
        load = self.ox.load if self.path is None or not bulk else self.ox.bulk_load
        kept: list[bytes] = []
        for chunk in chunks:
            load(input=chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=name, lenient=trusted)
            if keep_lines:
                kept.append(chunk)
        if keep_lines:
            self._loaded_lines[graph] = kept

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples (nothing happens if it is absent)."""
        name = ox.NamedNode(graph)
        self._loaded_lines.pop(graph, None)
        if self.ox.contains_named_graph(name):
            self._canonical = None
            self.ox.remove_graph(name)

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (each in its own transaction: for a few hundred, not millions)."""
        self._canonical = None
        self._loaded_lines.clear()  # whichever graphs they were in
        for quad in quads:
            self.ox.remove(quad)

    def load_file(self, path: Path, graph: str) -> None:
        """Load a Turtle / N-Triples file of our own (ontology schemes) into ``graph``."""
        self._canonical = None
        self._loaded_lines.pop(graph, None)
        self.ox.load(path=str(path), to_graph=ox.NamedNode(graph))

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

        Each graph is serialised by Oxigraph (Rust), or taken from the chunks it was loaded
        from when they were kept (``replace_graph(keep_lines=True)``: the same lines, without
        the dump — at 30k fiches 13 s for the dump, 3 s to split the chunks); the lines are
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
            kept = self._loaded_lines.pop(graph.value, None) if isinstance(graph, ox.NamedNode) else None
            if kept is None:
                self.ox.dump(cast(IO[bytes], lines), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
                lines.close()
                continue
            kept.reverse()
            while kept:  # each chunk released once split: the chunks and their lines never coexist
                lines.extend(kept.pop().split(b"\n"))
                release_freed_memory()
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


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (AttributeError, OSError):  # not glibc (macOS, Windows, musl)
        return None


_MALLOC_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Give the memory freed in this process back to the system, where the C library allows it.

    glibc keeps freed blocks of a few megabytes (the chunks of N-Triples the workers send) in
    the process for later use, which Python's small objects never make (they come from their
    own arenas): splitting the 30k fiches' 1.1 GB of kept chunks into lines took the peak from
    3.8 to 4.9 GB without this, with it the chunks' memory goes back as the lines grow
    (``malloc_trim``; a few milliseconds a call). Elsewhere than glibc, nothing is done.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


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
