"""The canonical lines of a store: its merged view as sorted, deduplicated N-Triples lines.

Every export of the graph (:mod:`.rdf`, :mod:`.jsonld`, the release's statistics) and the
pyshacl validation strategies start from them. :class:`CanonicalLines` makes them once for a
state of the store (:meth:`~rncp_graph.store.GraphStore.revision`): each graph is serialised
by Oxigraph, or — for the graphs a build loaded through :meth:`CanonicalLines.load` with
``keep=True`` — read back from the chunks of our mapping's lines it was loaded from, kept in a
temporary file (:class:`LineSpool`): the same lines (our mapping writes each term as Oxigraph
does, :mod:`rncp_graph.terms`), without dumping the store again. A graph changed after its
load, or whose kept chunks cannot be read back, is dumped.

The lines are sorted as bytes (UTF-8 byte order is code-point order, so this is the canonical
order) and a line repeated (a triple stated by several graphs, or twice by one source) kept
once. They stay bytes: at national scale there are millions of lines, and bytes take half the
memory of ``str`` for accented French text and need no re-encoding to be written.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import IO, cast

import pyoxigraph as ox

from ..store import GraphName, GraphStore

log = logging.getLogger(__name__)


class CanonicalLines:
    """The canonical lines of one store, made once for each state of it.

    :param keep: keep the chunks :meth:`load` loads, so that :meth:`as_bytes` need not dump those
        graphs (the build keeps them when it exports or validates with pyshacl; a store built
        for a notebook keeps no temporary file).
    """

    def __init__(self, store: GraphStore, *, keep: bool = False) -> None:
        self.store = store
        self.keep = keep
        self._spool = LineSpool()
        #: graph → the store's revision of it once its chunks were all kept
        self._kept: dict[str, int] = {}
        self._made: tuple[int, list[bytes]] | None = None
        self._making = threading.Lock()  # the build's writers ask at once: the lines are made once

    def load(self, graph: str, chunks: Iterable[bytes]) -> None:
        """Replace ``graph`` by the N-Triples ``chunks`` of our own mapping (loaded as trusted,
        :meth:`~rncp_graph.store.GraphStore.replace_graph`), keeping them when :attr:`keep`."""
        self._forget(graph)
        if not self.keep:
            self.store.replace_graph(graph, chunks, trusted=True)
            return
        self._spool.start(graph)
        try:
            self.store.replace_graph(graph, self._keeping(graph, chunks), trusted=True)
        except BaseException:
            self._forget(graph)
            raise
        if graph in self._spool:  # not forgotten by a chunk that could not be written
            self._kept[graph] = self.store.revision(graph)

    def _keeping(self, graph: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The chunks, each kept once the store asks for the next (it has loaded this one)."""
        for chunk in chunks:
            yield chunk
            self._spool.append(graph, chunk)

    def _forget(self, graph: str) -> None:
        self._kept.pop(graph, None)
        self._spool.forget(graph)

    def as_bytes(self) -> list[bytes]:
        """The lines, UTF-8 without ``\\n``; made again only when the store has changed."""
        with self._making:
            revision = self.store.revision()
            if self._made is None or self._made[0] != revision:
                self._made = (revision, self._make())
            return self._made[1]

    def _make(self) -> list[bytes]:
        """Each graph's lines (kept, else dumped), sorted, a line repeated kept once."""
        lines = _LineCollector()
        graphs: list[GraphName] = [ox.DefaultGraph(), *self.store.named_graphs()]
        for graph in graphs:
            if not (isinstance(graph, ox.NamedNode) and self._read_kept(graph.value, lines)):
                self.store.dump_ntriples(graph, cast(IO[bytes], lines))
                lines.close()
        lines.sort()
        self.close()  # used once; the lines of graphs no longer in the store go too
        return [line for line, _ in itertools.groupby(lines) if line]

    def as_text(self) -> list[str]:
        """:meth:`as_bytes` decoded: for small graphs and for code that needs text."""
        return [line.decode("utf-8") for line in self.as_bytes()]

    def count(self) -> int:
        """The number of lines (distinct triples): counted from the lines when they are made for
        the store as it is, else by the store (:meth:`~rncp_graph.store.GraphStore.triple_count`)."""
        if self._made is not None and self._made[0] == self.store.revision():
            return len(self._made[1])
        return self.store.triple_count()

    def close(self) -> None:
        """Give up the kept chunks (the temporary file is closed)."""
        self._kept.clear()
        self._spool.close()

    def kept_graphs(self) -> list[str]:
        """The graphs whose chunks are kept, sorted."""
        return self._spool.graphs()

    def _read_kept(self, graph: str, lines: list[bytes]) -> bool:
        """Add the kept lines of ``graph`` to ``lines``; False (nothing added) when there are
        none, the graph changed since, or they cannot be read back (then logged)."""
        if self._kept.get(graph) != self.store.revision(graph):
            return False
        mark = len(lines)
        try:
            for chunk in self._spool.chunks(graph):
                lines.extend(chunk.split(b"\n"))
        except OSError as exc:
            del lines[mark:]
            log.warning("%s: its kept lines cannot be read back (%s); it is dumped", graph, exc)
            self._forget(graph)
            return False
        return True


def canonical_bytes(store: GraphStore) -> list[bytes]:
    """The canonical lines of ``store``, dumped (UTF-8 bytes without ``\\n``)."""
    return CanonicalLines(store).as_bytes()


def canonical_lines(store: GraphStore) -> list[str]:
    """:func:`canonical_bytes` decoded: for small graphs and for code that needs text."""
    return CanonicalLines(store).as_text()


def lines_of(source: GraphStore | CanonicalLines) -> CanonicalLines:
    """``source`` itself, or the canonical lines of a store (made when first asked for)."""
    return source if isinstance(source, CanonicalLines) else CanonicalLines(source)


class LineSpool:
    """The N-Triples chunks graphs were loaded from, kept in one unnamed temporary file where
    ``TMPDIR`` says, until they are read back.

    Not in this process's memory: at 30k fiches the chunks are 1.1 GB, which would stay there
    while the store is validated (the build's peak went from 3.8 to 4.9 GB when they were kept
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
