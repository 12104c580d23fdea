"""One analysis end to end, as ``rncp-graph analyze KIND`` runs it: compute, summarise, write.

:data:`KINDS` is the one table of analyses (it feeds the CLI choices). Each returns an
:class:`Analysis`: named graphs, named tables (lists of dataclasses), data errors, and the
lines the CLI prints.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import QueryError
from ..store import GraphStore
from . import network
from .correspondences import Statement
from .equivalence import Reachable, equivalence_report, paths_graph
from .incidence import Scope, certification_attributes, code_labels, extract_incidence
from .lineage import Chain, LineageRow, current_versions, lineage_report
from .outputs import write_graph, write_table
from .similarity import code_network, network_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """Options of every analysis (each kind reads the ones it needs).

    :param scope: certifications looked at by the similarity networks.
    :param min_shared: similarity: minimum number of shared codes for an edge.
    :param min_jaccard: similarity: minimum Jaccard index for an edge.
    :param method: community detection: ``louvain`` (seeded) or ``greedy``.
    :param seed: random seed (Louvain, betweenness sampling, picture layout).
    :param top: rows of the ranked tables.
    :param items: equivalence: the blocks / certifications held; lineage: whose current version to show.
    :param symmetric: equivalence: also read correspondences backwards.
    """

    scope: Scope = field(default_factory=Scope)
    min_shared: int = 1
    min_jaccard: float = 0.0
    method: str = "louvain"
    seed: int = network.DEFAULT_SEED
    top: int = 20
    items: tuple[str, ...] = ()
    symmetric: bool = False


@dataclass
class Table:
    """Rows (dataclasses) with their column names (known even when there is no row)."""

    columns: list[str]
    rows: list[Any]

    @classmethod
    def of(cls, row_type: type, rows: Iterable[Any]) -> Table:
        return cls([f.name for f in fields(row_type)], list(rows))

    def lines(self, columns: list[str] | None = None, *, limit: int = 10, width: int = 40) -> list[str]:
        """The first ``limit`` rows as aligned text (cells cut at ``width`` characters)."""
        names = columns or self.columns
        cells = [[_cell(getattr(r, c), width) for c in names] for r in self.rows[:limit]]
        widths = [max([len(n), *(len(row[i]) for row in cells)]) for i, n in enumerate(names)]
        return ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in [names, *cells]]


def _cell(value: Any, width: int) -> str:
    text = "" if value is None else (f"{value:.4f}" if isinstance(value, float) else str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Analysis:
    """What an analysis produced."""

    kind: str
    graphs: dict[str, nx.Graph] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def summary_lines(self, *, limit: int = 10) -> list[str]:
        """The summary lines, then the first ``limit`` rows of each table of :data:`PRINTED`."""
        lines = list(self.lines)
        for name, columns in PRINTED.items():
            if name in self.tables and self.tables[name].rows:
                lines += ["", f"{name}:", *self.tables[name].lines(columns, limit=limit)]
        return lines


def similarity(store: GraphStore, facet: str, options: Options) -> Analysis:
    """Certification network of ``facet``: components, communities, centrality, ranked codes."""
    inc = extract_incidence(store, facet, scope=options.scope)
    graph = network_of(
        inc, certification_attributes(store), min_shared=options.min_shared, min_jaccard=options.min_jaccard
    )
    network.annotate(graph, method=options.method, seed=options.seed)
    codes = network.annotate(code_network(inc, code_labels(store, facet)), method=options.method, seed=options.seed)
    result = Analysis(facet, graphs={f"{facet}-network": graph, f"{facet}-code-network": codes})
    result.tables = {
        "central": Table.of(network.CentralityRow, network.centrality_table(graph, top=options.top, seed=options.seed)),
        "codes": Table.of(network.CodeRow, network.code_table(codes, top=options.top)),
        "groups": Table.of(network.GroupRow, network.group_table(graph, method=options.method, seed=options.seed)),
    }
    comps = network.components(graph)
    result.lines = [
        f"{facet} network ({options.scope.describe()}): {graph.number_of_nodes()} certifications, "
        f"{graph.number_of_edges()} edges (shared ≥ {options.min_shared}, Jaccard ≥ {options.min_jaccard})",
        f"components: {len(comps)}; largest: {len(comps[0]) if comps else 0} "
        f"({' '.join(comps[0][:10]) if comps else '-'}{' …' if comps and len(comps[0]) > 10 else ''})",
        f"communities ({options.method}): {len({d.get('community') for _, d in graph.nodes(data=True)})}",
    ]
    return result


def lineage(store: GraphStore, options: Options) -> Analysis:
    """Lineage families, per-certification table, current versions of ``options.items``, cycles."""
    report = lineage_report(store)
    tables = {"versions": Table.of(LineageRow, report.table), "chains": Table.of(Chain, report.chains)}
    result = Analysis("lineage", graphs={"lineage": report.graph}, tables=tables)
    result.errors = [f"lineage cycle: {' → '.join([*c, c[0]])}" for c in report.cycles]
    result.lines = [
        f"lineage: {report.graph.number_of_nodes()} certifications, {report.graph.number_of_edges()} links, "
        f"{len(report.chains)} families, longest chain {max((c.length for c in report.chains), default=0)} link(s)"
    ]
    result.lines += [f"current version of {n}: {' '.join(current_versions(report.graph, n))}" for n in options.items]
    return result


def equivalence(store: GraphStore, options: Options) -> Analysis:
    """Certifications reachable from the held blocks, ranked; hints for unusable correspondences."""
    if not options.items:
        raise QueryError("equivalence needs what the person holds (--hold RNCP34808BC01 or --hold RNCP2514)")
    report = equivalence_report(store, options.items, symmetric=options.symmetric)
    labels = {n: a["label"] for n, a in certification_attributes(store).items()}
    result = Analysis("equivalence", graphs={"equivalence": paths_graph(report, labels)})
    result.tables = {
        "reachable": Table.of(Reachable, report.reachable[: options.top]),
        "hints": Table.of(Statement, report.hints),
    }
    complete = sum(1 for r in report.reachable if r.complete)
    result.lines = [
        f"holding {' '.join(options.items)}: {len(report.reachable)} certification(s) reached, {complete} complete"
    ]
    result.lines += [f"hint: {h.describe()}: {h.text or '(no text)'}" for h in report.hints]
    return result


def _similarity_kind(facet: str) -> Callable[[GraphStore, Options], Analysis]:
    return lambda store, options: similarity(store, facet, options)


#: analysis kind → function(store, options); feeds ``rncp-graph analyze KIND``.
KINDS: dict[str, Callable[[GraphStore, Options], Analysis]] = {
    "rome": _similarity_kind("rome"),
    "nsf": _similarity_kind("nsf"),
    "formacode": _similarity_kind("formacode"),
    "competency": _similarity_kind("competency"),
    "lineage": lineage,
    "equivalence": equivalence,
}


def analyze(store: GraphStore, kind: str, options: Options | None = None) -> Analysis:
    """Run the analysis ``kind`` (a key of :data:`KINDS`) on ``store``."""
    if kind not in KINDS:
        raise QueryError(f"unknown analysis; choose one of {', '.join(KINDS)}", value=kind)
    result = KINDS[kind](store, options or Options())
    for error in result.errors:
        log.error("data error: %s", error)
    return result


def write_analysis(result: Analysis, out: Path, formats: Iterable[str]) -> dict[str, Path]:
    """Write every graph of ``result`` in ``formats`` and every table as ``out/KIND-TABLE.csv``."""
    written: dict[str, Path] = {}
    for name, graph in result.graphs.items():
        written.update(write_graph(graph, out, name, formats))
    for name, table in result.tables.items():
        path = out / f"{result.kind}-{name}.csv"
        write_table(table.rows, path, columns=table.columns)
        written[path.name] = path
    return written


#: table → columns printed by the CLI (every column is in the CSV files)
PRINTED: dict[str, list[str]] = {
    "central": ["rank", "node", "label", "degree", "strength", "pagerank", "betweenness", "community"],
    "codes": ["rank", "code", "label", "certifications", "linked_codes", "pagerank"],
    "versions": ["number", "predecessors", "successors", "current_versions", "label"],
    "chains": ["index", "length", "size", "longest", "has_cycle"],
    "reachable": ["rank", "number", "blocks", "obtained", "granted", "missing", "complete", "label", "via"],
}
