"""Graph exports: canonical N-Triples (sorted, deduplicated) and readable Turtle with prefixes.

Also gzipped canonical N-Triples, TriG (one named graph per source) and JSON-LD with a
local context (:mod:`.jsonld`). All go through pyoxigraph (never rdflib's Python
serialisers, which are far too slow at national scale) and are written atomically.
"""

from __future__ import annotations

import contextvars
import gzip
import io
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ..namespaces import FILE_PREFIXES
from ..store import GraphStore
from .atomic import write_with
from .canonical import CanonicalLines, lines_of
from .jsonld import write_jsonld

#: what an export is made from: a store, or its canonical lines when they are made already
Source = GraphStore | CanonicalLines


def encoded_chunks(lines: list[bytes], chunk: int = 50_000) -> Iterator[bytes]:
    """N-Triples lines as a document, ``chunk`` lines at a time: the whole text never exists at
    once (at a national register's size it is the largest object of the build: benchmarks/README.md)."""
    for start in range(0, len(lines), chunk):
        yield b"\n".join(lines[start : start + chunk]) + b"\n"


def write_ntriples(source: Source, dest: Path) -> int:
    """The merged view as canonical N-Triples; returns the number of triples written."""
    lines = lines_of(source).as_bytes()
    write_with(dest, lambda handle: handle.writelines(encoded_chunks(lines)))
    return len(lines)


def write_turtle(source: Source, dest: Path) -> int:
    """The merged view as Turtle with the project's prefixes; returns the number of triples.

    The canonical lines are sorted, so each subject's triples are consecutive: Oxigraph's
    streaming serialiser groups them (``;`` and ``,``) without building a store (2× faster
    than loading a store and dumping it, and deterministic: subjects in canonical order).
    The lines are the store's own dump and are parsed leniently (IRIs and language tags not
    checked again: 25 % faster, the same Turtle): the mapping validates every IRI it mints
    (:mod:`rncp_graph.iris`) and other sources are parsed strictly when loaded.
    """
    lines = lines_of(source).as_bytes()
    reader = io.BufferedReader(LinesReader(lines), 1 << 20)
    triples = ox.parse(input=reader, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    write_with(dest, lambda handle: ox.serialize(triples, handle, ox.RdfFormat.TURTLE, prefixes=FILE_PREFIXES))
    return len(lines)


class LinesReader(io.RawIOBase):
    """A binary file over N-Triples lines, encoded chunk by chunk (:func:`encoded_chunks`) as
    the parser reads."""

    def __init__(self, lines: list[bytes], chunk: int = 20_000) -> None:
        self._chunks = encoded_chunks(lines, chunk)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            next_chunk = next(self._chunks, None)
            if next_chunk is None:
                return 0
            self._buffer = next_chunk
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def write_ntriples_gz(source: Source, dest: Path) -> int:
    """Canonical N-Triples, gzipped with ``mtime=0`` and no file name: reruns are byte-identical."""
    lines = lines_of(source).as_bytes()

    def writer(handle: IO[bytes]) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=6) as gz:
            gz.writelines(encoded_chunks(lines))

    write_with(dest, writer)
    return len(lines)


def _sorted_quads(store: GraphStore) -> Iterator[ox.Quad]:
    """Every quad, the default graph first then graph by graph (sorted by name), triples in canonical order."""
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph(), *(ox.NamedNode(g) for g in store.graphs())]
    for graph in graphs:
        dump = store.dump_ntriples(graph) or b""
        lines = sorted(set(dump.splitlines()) - {b""})
        for triple in ox.parse(input=b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_TRIPLES):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def write_trig(source: Source, dest: Path) -> int:
    """TriG with one named graph per source (and the schemes graph), in a canonical order.

    Returns the number of quads written (a triple stated by two sources counts twice).
    """
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in _sorted_quads(lines_of(source).store):
            count += 1
            yield quad

    def writer(handle: IO[bytes]) -> None:
        ox.serialize(counted(), handle, ox.RdfFormat.TRIG, prefixes=FILE_PREFIXES)

    write_with(dest, writer)
    return count


#: format name → (file name, writer)
EXPORTERS: dict[str, tuple[str, Callable[[Source, Path], int]]] = {
    "nt": ("rncp.nt", write_ntriples),
    "ttl": ("rncp.ttl", write_turtle),
    "nt.gz": ("rncp.nt.gz", write_ntriples_gz),
    "trig": ("rncp.trig", write_trig),
    "jsonld": ("rncp.jsonld", write_jsonld),
}


def export(source: Source, out: Path, formats: tuple[str, ...] = ("nt", "ttl")) -> dict[str, Path]:
    """Write each format of :data:`EXPORTERS` into ``out``; returns format → path.

    The canonical lines are made first (once: pass the :class:`~.canonical.CanonicalLines`
    that will be used again, the build's); then each format is written in its own thread:
    writing N-Triples is mostly the system's work (writing and syncing the file, benchmarks/README.md)
    and goes on while Turtle is serialised. Each thread runs in a copy of this context, so a
    :func:`~.atomic.deferred` block around the call holds back every rename.
    """
    lines = lines_of(source)
    lines.as_bytes()
    with ThreadPoolExecutor(max_workers=len(formats) or 1, thread_name_prefix="export") as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, EXPORTERS[fmt][1], lines, out / EXPORTERS[fmt][0])
            for fmt in formats
        ]
        for future in futures:
            future.result()  # the first error, once every writer has ended
    return {fmt: out / EXPORTERS[fmt][0] for fmt in formats}
