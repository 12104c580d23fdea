"""Pictures of the whole register that a person can read: aggregates instead of 16,000 dots.

* :func:`heatmap`: certifications counted by two groupings (ROME domain × NSF domain, level ×
  ROME domain), the count written in each cell.
* :func:`community_map`: the communities of a certification network as labelled discs (size:
  members; label: the dominant ROME code), linked by the edges between them.
* :func:`family_picture`: one lineage family, older versions on the left.

Titles say what the marks are and how many of how many are drawn. matplotlib is imported
lazily (the ``plot`` extra), as in :mod:`.picture`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .picture import _pyparsing_untouched, _save
from .profiles import CommunityRow

#: communities drawn by :func:`community_map`
MAP_COMMUNITIES = 24
#: resolution of the pictures (kept small: the gallery lives in the repository)
DPI = 90
#: links drawn between communities (the strongest)
MAP_LINKS = 60


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def heatmap(
    counts: np.ndarray,
    rows: Sequence[str],
    cols: Sequence[str],
    path: Path,
    *,
    title: str,
    caption: str,
    fmt: str = "png",
) -> None:
    """``counts`` (rows × cols) as a heatmap with the count in each non-empty cell."""
    from matplotlib.colors import LogNorm

    with _pyparsing_untouched():
        figure, axes = _figure(3 + 0.42 * len(cols), 2.5 + 0.32 * len(rows))
        shown = np.where(counts > 0, counts, np.nan)
        image = axes.imshow(shown, cmap="YlOrRd", norm=LogNorm(vmin=1, vmax=max(int(counts.max()), 2)), aspect="auto")
        for (r, c), value in np.ndenumerate(counts):
            if value:
                dark = value > counts.max() ** 0.75
                axes.text(
                    c, r, f"{value:,}", ha="center", va="center", fontsize=6.5, color="white" if dark else "black"
                )
        axes.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=8)
        axes.set_yticks(range(len(rows)), rows, fontsize=8)
        axes.set_title(title, fontsize=11)
        figure.colorbar(image, ax=axes, shrink=0.6, label="certifications")
        figure.supxlabel(caption, fontsize=8, color="#555555")
        _save(figure, path, fmt)


def community_map(
    graph: nx.Graph, table: Sequence[CommunityRow], path: Path, *, facet: str, fmt: str = "png", seed: int = 42
) -> None:
    """The :data:`MAP_COMMUNITIES` largest communities of ``graph`` (attribute ``community``) as
    discs labelled from ``table``, linked by how many network edges join their members."""
    drawn = list(table[:MAP_COMMUNITIES])
    between = _between(graph, {r.community for r in drawn})
    with _pyparsing_untouched():
        figure, axes = _figure(13, 9.5)
        pos = nx.spring_layout(between, weight="weight", seed=seed, k=2.2 / max(len(drawn), 1) ** 0.5)
        _links(axes, between, pos)
        top = max((r.size for r in drawn), default=1)
        for row in drawn:
            x, y = pos[row.community]
            axes.scatter([x], [y], s=300 + 6000 * row.size / top, color=_tab(row.community), alpha=0.55, zorder=2)
            axes.annotate(_blob_label(row), (x, y), ha="center", va="center", fontsize=7.5, zorder=3)
        members = sum(r.size for r in drawn)
        axes.set_title(
            f"Communities of certifications linked by shared {facet.upper()} codes — {len(drawn)} of {len(table)} "
            f"communities drawn ({members:,} of {graph.number_of_nodes():,} certifications)\n"
            f"network: {graph.number_of_edges():,} edges, {graph.graph.get('reduction', '')}",
            fontsize=11,
        )
        figure.supxlabel(
            f"disc: one community (Louvain), area ∝ certifications; label: number · size, dominant ROME code "
            f"(members holding it) and its label, dominant NSF code\nline: one of the {MAP_LINKS} pairs of communities "
            "joined by the most network edges, width ∝ those edges",
            fontsize=8,
            color="#555555",
        )
        axes.set_axis_off()
        axes.margins(0.08)
        _save(figure, path, fmt)


def _between(graph: nx.Graph, kept: set[int]) -> nx.Graph:
    """Communities as nodes, weighted by the number of network edges between their members."""
    between = nx.Graph()
    between.add_nodes_from(sorted(kept))
    community = nx.get_node_attributes(graph, "community")
    for u, v in graph.edges():
        a, b = community.get(u), community.get(v)
        if a != b and a in kept and b in kept:
            weight = between.edges[a, b]["weight"] + 1 if between.has_edge(a, b) else 1
            between.add_edge(a, b, weight=weight)
    return between


def _links(axes: Any, between: nx.Graph, pos: dict[Any, Any]) -> None:
    from matplotlib.collections import LineCollection

    edges = sorted(between.edges(data="weight"), key=lambda e: (-e[2], e[0], e[1]))[:MAP_LINKS]
    if not edges:
        return
    top = max(w for _, _, w in edges)
    lines = [(pos[u], pos[v]) for u, v, _ in edges]
    widths = [0.3 + 6 * w / top for _, _, w in edges]
    axes.add_collection(LineCollection(lines, linewidths=widths, colors="#999999", alpha=0.5, zorder=1))


def _tab(index: int) -> Any:
    from matplotlib import colormaps

    return colormaps["tab20"](index % 20)


def _blob_label(row: CommunityRow) -> str:
    rome = row.top_rome.split(" · ")[0] if row.top_rome else "-"
    label = textwrap.shorten(row.top_rome_label, 30, placeholder="…")
    nsf = row.top_nsf.split(" · ")[0] if row.top_nsf else "-"
    return f"#{row.community} · {row.size:,}\n{rome}\n{label}\nNSF {nsf}"


def family_picture(graph: nx.DiGraph, members: Sequence[str], path: Path, *, fmt: str = "png") -> None:
    """One lineage family: each version placed by generation (older left), labelled with its number and title."""
    family = graph.subgraph(members)
    pos = _generations(family)
    columns = int(max(x for x, _ in pos.values())) + 1
    rows = max(sum(1 for x, _ in pos.values() if x == c) for c in range(columns))
    with _pyparsing_untouched():
        figure, axes = _figure(2.3 * columns + 1, 1.5 + 1.0 * rows)
        for u, v in family.edges():
            (x1, y1), (x2, y2) = pos[u], pos[v]
            axes.annotate(
                "",
                xy=(x2 - 0.33, y2),
                xytext=(x1 + 0.33, y1),
                arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 0, "shrinkB": 0},
            )
        for node, (x, y) in pos.items():
            data = family.nodes[node]
            text = f"{node}\n" + "\n".join(
                textwrap.wrap(str(data.get("label", node)), 22, max_lines=3, placeholder="…")
            )
            colour = "#fdd0a2" if data.get("status") == "active" else "#e5e5e5"
            axes.annotate(
                text,
                (x, y),
                ha="center",
                va="center",
                fontsize=7,
                bbox={"boxstyle": "round,pad=0.4", "facecolor": colour, "edgecolor": "#888888"},
            )
        axes.set_xlim(-0.6, columns - 0.4)
        axes.set_ylim(min(y for _, y in pos.values()) - 0.6, max(y for _, y in pos.values()) + 0.6)
        axes.set_title(
            f"One lineage family: {family.number_of_nodes()} certifications (versions), "
            f"{family.number_of_edges()} replacement links, {columns} generations (all drawn)",
            fontsize=11,
        )
        figure.supxlabel(
            "arrow: older version → newer version · orange: active, grey: inactive or not in the register",
            fontsize=8,
            color="#555555",
        )
        axes.set_axis_off()
        _save(figure, path, fmt)


def _generations(family: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Position of each version: x = its generation (members of a cycle share one), y centred per column."""
    condensed = nx.condensation(family)
    pos: dict[str, tuple[float, float]] = {}
    for x, generation in enumerate(nx.topological_generations(condensed)):
        nodes = sorted(m for c in generation for m in condensed.nodes[c]["members"])
        for y, node in enumerate(nodes):
            pos[node] = (float(x), -(y - (len(nodes) - 1) / 2))
    return pos
