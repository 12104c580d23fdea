"""Summaries of a built graph, for the CLI and for people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .namespaces import PREFIXES
from .store import GraphStore

if TYPE_CHECKING:
    from .build import Build


def compact(iri: str) -> str:
    """``https://w3id.org/rncp-graph/ontology#Competency`` → ``rncp:Competency``."""
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return f"<{iri}>"


def open_graph(path: Path) -> GraphStore:
    """A store folder, or an N-Triples / Turtle file loaded into a memory store."""
    if path.is_dir():
        return GraphStore(store=ox.Store.read_only(str(path)))
    store = GraphStore()
    store.ox.load(path=str(path))
    return store


def class_table(store: GraphStore) -> Iterator[str]:
    counts = store.count_by_class()
    width = max((len(compact(c)) for c in counts), default=10)
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        yield f"  {compact(cls):<{width}}  {n:>8,}"


def describe(path: Path) -> Iterator[str]:
    store = open_graph(path)
    yield f"{path}: {len(store.canonical_lines()):,} triples"
    yield from class_table(store)


def summary_lines(result: Build) -> Iterator[str]:
    m = result.manifest()
    f = m["fiches"]
    yield (
        f"fiches: {f['input']} read, {f['loaded']} loaded, {f['quarantined']} quarantined "
        f"({f['distinct']} distinct numbers) from {len(result.sources)} source(s)"
    )
    yield f"triples: {m['triples']:,}"
    yield from class_table(result.store)
    if result.problems:
        yield f"problems: {m['problems']['total']} ({m['warnings']} warnings) — see errors.jsonl"
    if result.validation is not None:
        v = result.validation
        yield f"validation: {'conforms' if v.get('conforms') else 'does NOT conform'} ({v.get('summary', '')})"
    for name, path in sorted(result.written.items()):
        yield f"wrote {name}: {path}"
