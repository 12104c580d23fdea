"""Summaries of a built graph, for the CLI and for people.

``rncp-graph info`` counts the distinct triples and the instances of each class; on the 2021
register's store that is 0.2–0.3 s of Oxigraph scans (every quad, then every ``rdf:type``).
The counts are kept as a record in the user's cache (:mod:`rncp_graph.user_cache`,
``graph-counts.json``) under the graph's resolved path and the package version, with the
graph's signature: for a store folder the name, inode, size and modification time (ns) of each
of its files, for a graph file its own. Any write to a store changes a file of it (the write-ahead
log grows, a table file appears), so a changed graph is counted again; opening a store
read-only, as ``info`` does, changes none. The next ``info`` of an unchanged graph reads the
record without opening the graph, nor importing the store and rdflib.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from . import user_cache
from .__about__ import __version__
from .errors import EmptyInput, StructuralError

if TYPE_CHECKING:  # imported where used: `info` on a counted graph needs it not (nor rdflib)
    from .store import GraphStore

log = logging.getLogger(__name__)


#: The graph ``rncp-graph build`` writes, used when neither a graph nor an endpoint is given
#: and there is no :data:`DEFAULT_STORE`: parsed into a memory store on every call (seconds).
DEFAULT_GRAPH = Path("out/rncp.nt")
#: The store ``rncp-graph build --store out/store`` keeps, tried first: opened in milliseconds.
DEFAULT_STORE = Path("out/store")
#: How the command-line help says it.
DEFAULT_HELP = "[default: out/store if `build --store out/store` made it, else out/rncp.nt]"


def default_local_graph() -> Path:
    """:data:`DEFAULT_STORE` when it is an Oxigraph store folder, else :data:`DEFAULT_GRAPH`."""
    if _is_store(DEFAULT_STORE):
        return DEFAULT_STORE
    if DEFAULT_GRAPH.is_file():
        log.info("no store at %s: parsing %s (`rncp-graph build --store %s` answers faster)", *_DEFAULTS)
    return DEFAULT_GRAPH


_DEFAULTS = (DEFAULT_STORE, DEFAULT_GRAPH, DEFAULT_STORE)


def compact(iri: str) -> str:
    """``https://w3id.org/rncp-graph/ontology#Competency`` → ``rncp:Competency``."""
    for prefix, base in _longest_first():
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return f"<{iri}>"


@cache
def _longest_first() -> list[tuple[str, str]]:
    from .namespaces import PREFIXES  # rdflib's namespaces: only when an IRI is to be written

    return sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _is_store(path: Path) -> bool:
    """:func:`rncp_graph.store.is_store`, without importing the store module (and rdflib)."""
    return path.is_dir() and (path / "CURRENT").is_file()


#: Graph files a command can read, by suffix (the formats ``build`` and ``publish`` write).
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}


#: the graph file of an output folder (``build --out``, ``publish --out``): the first one found
OUTPUT_GRAPHS = ("rncp.nt", "rncp.ttl")


def output_graph(folder: Path) -> Path | None:
    """The graph file of an output folder written by ``build`` (``rncp.nt``) or ``publish``
    (``rncp.ttl``); None for a folder that holds neither, nor a ``manifest.json``.

    :raises StructuralError: a ``manifest.json`` without its graph file.
    """
    for name in OUTPUT_GRAPHS:
        if (folder / name).is_file():
            return folder / name
    if (folder / "manifest.json").is_file():
        expected = " or ".join(OUTPUT_GRAPHS)
        raise StructuralError(f"an output folder (manifest.json) without its graph file ({expected})", file=str(folder))
    return None


def _open_folder(path: Path) -> GraphStore:
    """An on-disk store, or the graph file of an output folder."""
    from .store import GraphStore

    if _is_store(path):
        try:
            store = GraphStore(store=ox.Store.read_only(str(path)))
        except OSError as exc:
            raise StructuralError(f"cannot open this Oxigraph store folder: {exc}", file=str(path)) from None
        store.union = "distinct" if union_repeats(path, store) else "per-graph"
        return store
    graph = output_graph(path)
    if graph is None:
        raise StructuralError(
            "neither an Oxigraph store folder (no CURRENT file) nor an output folder of rncp-graph build "
            "(no rncp.nt): give a graph file, a store folder or an output folder",
            file=str(path),
        )
    log.info("%s is an output folder: reading its graph %s", path, graph.name)
    return open_graph(graph)


def open_graph(path: Path) -> GraphStore:
    """A store folder, the graph file of an output folder (:func:`output_graph`), or an
    N-Triples / Turtle / N-Quads / TriG file loaded into a memory store.

    :raises StructuralError: the path is missing, of another kind, does not parse (the
        message names the file and the parser's line and column) or holds no triples.
    """
    from .store import GraphStore

    if path.is_dir():
        return _open_folder(path)
    rdf_format = GRAPH_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        known = ", ".join(GRAPH_FORMATS)
        raise StructuralError(f"not a graph file: expected a store folder or one of {known}", file=str(path))
    store = GraphStore()
    try:
        store.load(path, rdf_format)
    except SyntaxError as exc:
        raise StructuralError(f"does not parse as {rdf_format.name}: {exc}", file=str(path)) from None
    except OSError as exc:
        raise StructuralError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if len(store) == 0:  # an empty file would "conform" and count nothing: almost surely a mistake
        raise EmptyInput("the graph file holds no triples", file=str(path))
    return store


def class_table(store: GraphStore) -> Iterator[str]:
    yield from class_lines(class_rows(store.count_by_class()))


def class_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(class as written, instances), the most instances first."""
    return sorted(((compact(c), n) for c, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))


def class_lines(rows: list[tuple[str, int]]) -> Iterator[str]:
    """One line per class: ``  rncp:Competency    12,345``."""
    width = max((len(name) for name, _ in rows), default=10)
    for name, n in rows:
        yield f"  {name:<{width}}  {n:>8,}"


def describe(path: Path) -> Iterator[str]:
    """``rncp-graph info``: the distinct triples, then the instances per class (:func:`graph_counts`)."""
    counts = graph_counts(path)
    yield f"{path}: {counts.triples:,} triples"
    yield from class_lines(counts.classes)


@dataclass(frozen=True)
class GraphCounts:
    """What ``rncp-graph info`` prints: distinct triples, and (class as written, instances) rows."""

    triples: int
    classes: list[tuple[str, int]]


#: the counts of this many graphs are kept (the graphs counted last)
KEPT_COUNTS = 64
COUNTS_FILE = "graph-counts.json"


def graph_counts(path: Path) -> GraphCounts:
    """The counts of the graph at ``path`` (as :func:`open_graph` reads it): from the record of
    an unchanged graph, else counted (then recorded, unless the graph changed meanwhile)."""

    def count() -> dict[str, Any]:
        store = open_graph(path)
        return {"triples": store.triple_count(), "classes": class_rows(store.count_by_class())}

    record = _recorded(COUNTS_FILE, _counted_path(path), count, _is_counts)
    return GraphCounts(record["triples"], [(c, n) for c, n in record["classes"]])


def _recorded(
    name: str, path: Path, make: Callable[[], dict[str, Any]], usable: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """What ``make`` finds of the file or store folder ``path``, kept in the user's cache
    (records ``name``) with ``path``'s signature: read back while ``path`` is unchanged (and
    ``usable``), else made again and recorded — unless ``path`` changed while it was made."""
    key = hashlib.sha256(f"rncp-graph {__version__}\0{path.resolve()}".encode()).hexdigest()
    signature = _signature(path)
    records = {k: v for k, v in user_cache.read_records(user_cache.cache_file(name)).items() if isinstance(v, dict)}
    found = records.get(key)
    if signature and found is not None and found.get("signature") == signature and usable(found):
        return found
    made = make()
    if signature and _signature(path) == signature:
        records.pop(key, None)  # the newest record goes last: the oldest are dropped first
        records[key] = {"signature": signature, **made}
        user_cache.write_records(user_cache.cache_file(name), records, keep=KEPT_COUNTS)
    return made


def _counted_path(path: Path) -> Path:
    """The file or store folder :func:`open_graph` reads for ``path`` (an output folder's graph file)."""
    if path.is_dir() and not _is_store(path):
        return output_graph(path) or path
    return path


def _signature(path: Path) -> list[list[str | int]]:
    """Name, inode, size and modification time (ns) of ``path``, or of each file of the folder
    ``path``; empty when it cannot be read (then nothing is recorded). A file replaced by a rename
    (how ``build`` writes) has a new inode even within one tick of the file system's clock."""
    try:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        stats = [(f.name, f.stat()) for f in files]
    except OSError:
        return []
    return [[name, st.st_ino, st.st_size, st.st_mtime_ns] for name, st in stats]


def _is_counts(record: dict[str, Any]) -> bool:
    """Whether a record holds counts as :func:`graph_counts` writes them."""
    triples, classes = record.get("triples"), record.get("classes")
    if not isinstance(triples, int) or not isinstance(classes, list):
        return False
    return all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) and isinstance(c[1], int) for c in classes)


#: whether a store folder's union states a triple in several graphs, per store (the stores seen last)
UNION_FILE = "graph-union.json"


def union_repeats(path: Path, store: GraphStore) -> bool:
    """Whether some triple of the store folder ``path`` is in several of its graphs
    (:meth:`~rncp_graph.store.GraphStore.repeats_triples`): then
    :meth:`~rncp_graph.store.GraphStore.select` answers over the union without repeats, as an
    endpoint over ``rncp.nt`` does; else over pyoxigraph's union, the same rows at no cost.
    Found once, then kept in the user's cache with the folder's signature, like the counts."""
    record = _recorded(
        UNION_FILE, path, lambda: {"repeats": store.repeats_triples()}, lambda r: isinstance(r.get("repeats"), bool)
    )
    return bool(record["repeats"])
