"""What ``rncp-graph validate`` reads: a built graph, an on-disk store, or sources to build first."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from ..info import GRAPH_FORMATS, open_graph, output_graph
from ..store import GraphStore, is_store

log = logging.getLogger(__name__)

DEFAULT_GRAPH = Path("out/rncp.nt")


def is_graph(path: Path) -> bool:
    """A graph file (``.nt``, ``.ttl``...), an on-disk Oxigraph store folder, or an output
    folder of ``build`` (its ``rncp.nt`` is the graph: it is not a folder of sources)."""
    if path.is_dir():
        return is_store(path) or output_graph(path) is not None
    return path.suffix.lower() in GRAPH_FORMATS  # anything else is a source to build


def open_source(paths: Sequence[str | Path], *, progress: bool = False) -> GraphStore:
    """The store to validate.

    :param paths: one graph (file, store folder or output folder), or source files / folders / globs to build
        (without validating: the caller validates). Empty: ``out/rncp.nt`` when it exists,
        else the sample fiches.
    """
    from ..pipeline.build import DEFAULT_SOURCES, build

    if not paths:
        paths = [DEFAULT_GRAPH] if DEFAULT_GRAPH.is_file() else list(DEFAULT_SOURCES)
    if len(paths) == 1 and is_graph(Path(paths[0])) and Path(paths[0]).exists():
        log.info("validating the graph %s", paths[0])
        return open_graph(Path(paths[0]))
    log.info("building %s before validating", ", ".join(map(str, paths)))
    return build(paths, validate=False, progress=progress).store
