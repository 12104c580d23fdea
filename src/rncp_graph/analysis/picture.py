"""A picture of a network (PNG or SVG) with matplotlib's Agg canvas, no pyplot, no GUI.

Node size grows with degree, colour is the ``community`` attribute (grey when absent),
edge width grows with the ``shared`` weight. Only the :data:`MAX_NODES` best-connected
nodes are drawn and the :data:`MAX_LABELS` best-connected are labelled (fiche number and
the start of the title), so the picture stays readable at any scale. matplotlib is
imported lazily: it is an optional dependency (``pip install rncp-graph[plot]``).
"""

from __future__ import annotations

import contextlib
import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from ..exports.atomic import write_with

log = logging.getLogger(__name__)

MAX_NODES = 150
MAX_LABELS = 40
DEFAULT_SEED = 42
#: graph kind → caption under the picture
CAPTIONS = {
    "certifications": "node size: degree · colour: community · edge width: shared codes",
    "codes": "node size: degree · colour: community · edge width: certifications holding both codes",
    "lineage": "arrow: older version → newer version · node size: degree",
    "equivalence": "arrow: what is held or granted → what it gives",
}


def largest_nodes(graph: nx.Graph, limit: int) -> list[Any]:
    """The ``limit`` nodes of highest degree (ties by identifier)."""
    return sorted(graph.nodes, key=lambda n: (-graph.degree(n), str(n)))[:limit]


def node_label(graph: nx.Graph, node: Any, width: int = 26) -> str:
    """``RNCP36459`` and, when different, the title shortened to two lines of ``width``."""
    label = str(graph.nodes[node].get("label", node))
    if label == str(node):
        return label
    return str(node) + "\n" + "\n".join(textwrap.wrap(label, width, max_lines=2, placeholder=" …"))


def layout(graph: nx.Graph, seed: int = DEFAULT_SEED) -> dict[Any, tuple[float, float]]:
    """Each connected component laid out on its own (seeded spring layout weighted by ``shared``),
    in a box whose side grows with the square root of its size; boxes packed in rows, largest first.
    A single spring layout would fling isolated nodes to the edges and crush the rest."""
    parts = sorted(
        (sorted(c, key=str) for c in nx.connected_components(graph.to_undirected())), key=lambda c: (-len(c), str(c[0]))
    )
    sides = [1.0 + len(part) ** 0.5 for part in parts]
    row_width = max([*sides[:1], sum(s * s for s in sides) ** 0.5 * 1.2])
    pos: dict[Any, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for part, side in zip(parts, sides, strict=True):
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height, 0.0
        local = _component_layout(graph.subgraph(part), side / 2 - 0.5, seed)
        pos.update({n: (px + x + side / 2, py + y - side / 2) for n, (px, py) in local.items()})
        x, row_height = x + side, max(row_height, side)
    return pos


def _component_layout(graph: nx.Graph, scale: float, seed: int) -> dict[Any, tuple[float, float]]:
    if graph.number_of_nodes() == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    k = 1.5 / graph.number_of_nodes() ** 0.5
    pos = nx.spring_layout(graph, seed=seed, weight="shared", k=k, iterations=200, scale=scale)
    return {n: (float(px), float(py)) for n, (px, py) in pos.items()}


def draw(
    graph: nx.Graph,
    path: Path,
    *,
    fmt: str = "png",
    title: str | None = None,
    max_nodes: int = MAX_NODES,
    max_labels: int = MAX_LABELS,
    seed: int = DEFAULT_SEED,
) -> None:
    """Draw ``graph`` to ``path`` (``fmt`` ``png`` or ``svg``), written atomically.

    :param title: picture title (default: from the graph's ``facet`` / ``kind`` attributes).
    :param max_nodes: draw only this many nodes (highest degree first).
    :param max_labels: label only this many nodes (highest degree first).
    """
    shown = graph.subgraph(largest_nodes(graph, max_nodes))
    if shown.number_of_nodes() < graph.number_of_nodes():
        log.info("picture shows the %d best-connected of %d nodes", shown.number_of_nodes(), graph.number_of_nodes())
    with _pyparsing_untouched():
        figure = _figure(graph, shown, title=title, max_labels=max_labels, seed=seed)
        _save(figure, path, fmt)


def _figure(graph: nx.Graph, shown: nx.Graph, *, title: str | None, max_labels: int, seed: int) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    side = min(8 + shown.number_of_nodes() ** 0.5, 20)
    figure = Figure(figsize=(side, side * 0.75), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    pos = layout(shown, seed)
    _edges(axes, shown, pos)
    _nodes(axes, shown, pos)
    _labels(axes, shown, pos, set(largest_nodes(shown, max_labels)))
    axes.set_title(title or _title(graph, shown), fontsize=13)
    figure.supxlabel(CAPTIONS.get(str(graph.graph.get("kind")), ""), fontsize=9, color="#555555")
    axes.set_axis_off()
    axes.margins(0.15)
    return figure


def _save(figure: Any, path: Path, fmt: str) -> None:
    from matplotlib import rc_context

    metadata = {"Date": None} if fmt == "svg" else {}
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "rncp-graph"}):  # SVG text stays text
        write_with(path, lambda handle: figure.savefig(handle, format=fmt, metadata=metadata))


@contextlib.contextmanager
def _pyparsing_untouched() -> Iterator[None]:
    """Undo matplotlib's global ``ParserElement.enablePackrat()`` (matplotlib#19391).

    matplotlib's mathtext, imported with matplotlib's text modules, turns on pyparsing's packrat
    cache for every parser in the process; rdflib's SPARQL parser (used by pyshacl) then
    hits ``RecursionError`` on long queries. The previous setting is restored.
    """
    import pyparsing

    before = pyparsing.ParserElement._packratEnabled
    try:
        yield
    finally:
        if not before and pyparsing.ParserElement._packratEnabled:
            pyparsing.ParserElement.disable_memoization()
            log.debug("pyparsing packrat cache turned on by matplotlib: turned off again")


#: graph kind → what its nodes are, given the facet
NODES = {
    "certifications": "Certifications linked by shared {facet} codes",
    "codes": "{facet} codes linked by the certifications holding both",
    "lineage": "Certifications linked by replacement (older → newer)",
    "equivalence": "What is held, granted and reached through correspondences",
}


def _title(graph: nx.Graph, shown: nx.Graph) -> str:
    """What the nodes are, how many of how many are drawn, and the edges of the whole network."""
    facet = str(graph.graph.get("facet", "")).upper()
    kind = str(graph.graph.get("kind", "network"))
    what = NODES.get(kind, kind.capitalize()).format(facet=facet)
    drawn = (
        f"{shown.number_of_nodes():,} of {graph.number_of_nodes():,} nodes drawn (the most linked)"
        if len(shown) < len(graph)
        else f"all {len(graph):,} nodes drawn"
    )
    return f"{what}\n{drawn}; network: {graph.number_of_edges():,} edges, {shown.number_of_edges():,} drawn"


def _edges(axes: Any, graph: nx.Graph, pos: dict[Any, tuple[float, float]]) -> None:
    from matplotlib.collections import LineCollection

    edges = list(graph.edges(data=True))
    if not edges:
        return
    top = max(int(d.get("shared", 1)) for _, _, d in edges)
    widths = [1.0 + 4.0 * (int(d.get("shared", 1)) - 1) / max(top - 1, 1) for _, _, d in edges]
    lines = [(pos[u], pos[v]) for u, v, _ in edges]
    axes.add_collection(LineCollection(lines, linewidths=widths, colors="#8c8c8c", alpha=0.6, zorder=1))
    if graph.is_directed():
        for u, v, _ in edges:
            axes.annotate(
                "", xy=pos[v], xytext=pos[u], arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkB": 14}
            )


def _nodes(axes: Any, graph: nx.Graph, pos: dict[Any, tuple[float, float]]) -> None:
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    nodes = list(graph.nodes)
    top = max((graph.degree(n) for n in nodes), default=1) or 1
    sizes = [250 + 1250 * graph.degree(n) / top for n in nodes]
    colours = [_colour(palette, graph.nodes[n].get("community")) for n in nodes]
    xs, ys = [pos[n][0] for n in nodes], [pos[n][1] for n in nodes]
    axes.scatter(xs, ys, s=sizes, c=colours, edgecolors="white", linewidths=1.5, zorder=2)


def _colour(palette: Any, community: Any) -> Any:
    return palette(int(community) % 10) if isinstance(community, int) else "#b0b0b0"


def _labels(axes: Any, graph: nx.Graph, pos: dict[Any, tuple[float, float]], labelled: set[Any]) -> None:
    for node in sorted(labelled, key=str):
        x, y = pos[node]
        axes.annotate(
            node_label(graph, node),
            (x, y),
            xytext=(0, -16),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=9,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#cccccc", "alpha": 0.85},
        )
