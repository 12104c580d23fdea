"""Summaries of a built graph, for the CLI and for people."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from .errors import EmptyInput, StructuralError
from .namespaces import PREFIXES
from .store import GraphStore, is_store

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
    if is_store(DEFAULT_STORE):
        return DEFAULT_STORE
    if DEFAULT_GRAPH.is_file():
        log.info("no store at %s: parsing %s (`rncp-graph build --store %s` answers faster)", *_DEFAULTS)
    return DEFAULT_GRAPH


_DEFAULTS = (DEFAULT_STORE, DEFAULT_GRAPH, DEFAULT_STORE)


def compact(iri: str) -> str:
    """``https://w3id.org/rncp-graph/ontology#Competency`` → ``rncp:Competency``."""
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return f"<{iri}>"


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
    if is_store(path):
        try:
            return GraphStore(store=ox.Store.read_only(str(path)))
        except OSError as exc:
            raise StructuralError(f"cannot open this Oxigraph store folder: {exc}", file=str(path)) from None
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
    counts = store.count_by_class()
    width = max((len(compact(c)) for c in counts), default=10)
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        yield f"  {compact(cls):<{width}}  {n:>8,}"


def describe(path: Path) -> Iterator[str]:
    store = open_graph(path)
    yield f"{path}: {store.triple_count():,} triples"
    yield from class_table(store)
