"""Graph exports: canonical N-Triples (sorted, deduplicated) and readable Turtle with prefixes.

Both go through pyoxigraph (never rdflib's Python serialisers, which are far too slow at
national scale) and are written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..namespaces import PREFIXES
from ..store import GraphStore
from .atomic import write_with


def write_ntriples(store: GraphStore, dest: Path) -> int:
    """The merged view as canonical N-Triples; returns the number of triples written."""
    lines = store.canonical_lines()

    def writer(handle: IO[bytes]) -> None:
        for chunk_start in range(0, len(lines), 50_000):
            chunk = lines[chunk_start : chunk_start + 50_000]
            handle.write(("\n".join(chunk) + "\n").encode("utf-8"))

    write_with(dest, writer)
    return len(lines)


def write_turtle(store: GraphStore, dest: Path) -> int:
    """The merged view as Turtle with the project's prefixes; returns the number of triples."""
    lines = store.canonical_lines()
    merged = ox.Store()
    merged.load(input=("\n".join(lines) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    write_with(dest, lambda handle: merged.dump(handle, format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES))
    return len(lines)


#: format name → (file name, writer)
EXPORTERS: dict[str, tuple[str, Callable[[GraphStore, Path], int]]] = {
    "nt": ("rncp.nt", write_ntriples),
    "ttl": ("rncp.ttl", write_turtle),
}


def export(store: GraphStore, out: Path, formats: tuple[str, ...] = ("nt", "ttl")) -> dict[str, Path]:
    """Write each format of :data:`EXPORTERS` into ``out``; returns format → path."""
    written = {}
    for fmt in formats:
        name, writer = EXPORTERS[fmt]
        writer(store, out / name)
        written[fmt] = out / name
    return written
