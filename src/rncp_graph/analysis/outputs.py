"""Writing analysis results: GraphML, GEXF, CSV (edges, nodes, tables) and a picture (PNG / SVG).

Every file is written atomically (:func:`rncp_graph.exports.atomic.write_with`). Graph files
carry scalar attributes only: ``None`` values are left out, anything that is not a string,
number or boolean becomes a string, so GraphML and GEXF read back the same graph.
:data:`WRITERS` is the one table of formats, used by the code and the CLI choices.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from ..csv_cells import safe_cell
from ..exports.atomic import write_bytes, write_with
from .picture import draw

log = logging.getLogger(__name__)

Scalar = str | int | float | bool


def _scalar(value: Any) -> Scalar | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(sorted(str(v) for v in value))
    return str(value)


def exportable(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` whose node, edge and graph attributes are all non-null scalars."""

    def clean(data: dict[str, Any]) -> dict[str, Scalar]:
        return {k: v for k, v in ((k, _scalar(v)) for k, v in data.items()) if v is not None}

    copy = graph.__class__()
    copy.graph.update(clean(graph.graph))
    copy.add_nodes_from((n, clean(d)) for n, d in sorted(graph.nodes(data=True)))
    copy.add_edges_from((u, v, clean(d)) for u, v, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])))
    return copy


def write_graphml(graph: nx.Graph, path: Path) -> list[Path]:
    """GraphML (typed attributes; reads back with :func:`networkx.read_graphml`)."""
    clean = exportable(graph)
    write_with(path, lambda handle: nx.write_graphml(clean, handle, encoding="utf-8", prettyprint=False))
    return [path]


def write_gexf(graph: nx.Graph, path: Path) -> list[Path]:
    """GEXF 1.2 for Gephi (node ``label`` becomes the GEXF label)."""
    clean = exportable(graph)
    write_with(path, lambda handle: nx.write_gexf(clean, handle, encoding="utf-8", prettyprint=False))
    return [path]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV (RFC 4180 quoting, ``\\n`` line ends); ``None`` is an empty cell; a text a
    spreadsheet would run as a formula gets a ``'`` first (:func:`rncp_graph.csv_cells.safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def write_edges_csv(graph: nx.Graph, path: Path) -> None:
    """Edge list: ``source,target`` then every edge attribute (sorted names), one edge per line."""
    keys = sorted({k for _, _, d in graph.edges(data=True) for k in d})
    rows = sorted(
        ((u, v, *(_scalar(d.get(k)) for k in keys)) for u, v, d in graph.edges(data=True)), key=lambda r: (r[0], r[1])
    )
    write_bytes(path, csv_bytes(["source", "target", *keys], rows))


def write_nodes_csv(graph: nx.Graph, path: Path) -> None:
    """Node table: ``id`` then every node attribute (sorted names)."""
    keys = sorted({k for _, d in graph.nodes(data=True) for k in d})
    rows = [(n, *(_scalar(d.get(k)) for k in keys)) for n, d in sorted(graph.nodes(data=True))]
    write_bytes(path, csv_bytes(["id", *keys], rows))


def write_csv(graph: nx.Graph, path: Path) -> list[Path]:
    """``NAME.edges.csv`` and ``NAME.nodes.csv`` for ``path`` = ``NAME.csv``."""
    stem = path.with_suffix("")
    paths = [stem.with_name(stem.name + ".edges.csv"), stem.with_name(stem.name + ".nodes.csv")]
    write_edges_csv(graph, paths[0])
    write_nodes_csv(graph, paths[1])
    return paths


def _draw_png(graph: nx.Graph, path: Path) -> list[Path]:
    draw(graph, path, fmt="png")
    return [path]


def _draw_svg(graph: nx.Graph, path: Path) -> list[Path]:
    draw(graph, path, fmt="svg")
    return [path]


#: format → (file suffix, writer(graph, path) returning the files written)
WRITERS: dict[str, tuple[str, Callable[[nx.Graph, Path], list[Path]]]] = {
    "graphml": (".graphml", write_graphml),
    "gexf": (".gexf", write_gexf),
    "csv": (".csv", write_csv),
    "png": (".png", _draw_png),
    "svg": (".svg", _draw_svg),
}


def write_graph(graph: nx.Graph, out: Path, name: str, formats: Iterable[str]) -> dict[str, Path]:
    """Write ``graph`` as ``out/NAME.<suffix>`` in each of ``formats`` (keys of :data:`WRITERS`).

    :returns: file name → path of every file written.
    """
    written: dict[str, Path] = {}
    for fmt in formats:
        suffix, writer = WRITERS[fmt]
        for path in writer(graph, out / f"{name}{suffix}"):
            written[path.name] = path
            log.info("wrote %s", path)
    return written


def as_records(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Table rows (dataclasses or dicts) as plain dicts."""
    return [dataclasses.asdict(r) if dataclasses.is_dataclass(r) and not isinstance(r, type) else dict(r) for r in rows]


def to_frame(rows: Iterable[Any]) -> Any:
    """A pandas DataFrame of the rows; pandas is optional and only imported here.

    :raises ImportError: when pandas is not installed (use :func:`as_records` instead).
    """
    try:
        pandas = importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError("to_frame needs pandas (pip install pandas); as_records gives plain dicts") from exc
    return pandas.DataFrame.from_records(as_records(rows))


def write_table(rows: Sequence[Any], path: Path, *, columns: Sequence[str] | None = None) -> None:
    """A table (dataclasses or dicts) as CSV; columns default to the field order of the first row."""
    records = as_records(rows)
    header = list(columns or (records[0] if records else []))
    write_bytes(path, csv_bytes(header, ([r.get(k) for k in header] for r in records)))
