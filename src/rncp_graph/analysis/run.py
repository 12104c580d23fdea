"""One analysis end to end, as ``rncp-graph analyze KIND`` runs it: compute, summarise, write.

:data:`KINDS` is the one table of analyses (it feeds the CLI choices). Each returns an
:class:`Analysis`: named graphs, named tables (lists of dataclasses), data errors, and the
lines the CLI prints.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import QueryError
from ..store import GraphStore
from . import network
from .backbone import Reduction
from .correspondences import Statement
from .equivalence import Reachable, equivalence_report, paths_graph
from .incidence import Incidence, Scope, certification_attributes, code_labels, extract_incidence
from .lineage import Chain, LineageRow, current_versions, lineage_report
from .maps import community_map
from .outputs import write_graph
from .picture import MAX_NODES
from .profiles import CommunityRow, community_table
from .similarity import MAX_EDGES, code_network, network_of
from .tables import Table, check_table_format, write_table_as

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """Options of every analysis (each kind reads the ones it needs).

    :param scope: certifications looked at by the similarity networks.
    :param reduction: similarity: which pairs become edges (filters and rule, :mod:`.backbone`).
    :param max_edges: similarity: refuse to build a network of more edges (``None``: no limit).
    :param method: community detection: ``louvain`` (seeded) or ``greedy``.
    :param seed: random seed (Louvain, betweenness sampling, picture layout).
    :param top: rows of the ranked tables.
    :param items: equivalence: the blocks / certifications held; lineage: whose current version to show.
    :param symmetric: equivalence: also read correspondences backwards.
    """

    scope: Scope = field(default_factory=Scope)
    reduction: Reduction = field(default_factory=Reduction)
    max_edges: int | None = MAX_EDGES
    method: str = "louvain"
    seed: int = network.DEFAULT_SEED
    top: int = 20
    items: tuple[str, ...] = ()
    symmetric: bool = False


@dataclass
class Analysis:
    """What an analysis produced."""

    kind: str
    graphs: dict[str, nx.Graph] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    #: graph name → what to draw instead of its nodes (too many to read): function(path, fmt)
    pictures: dict[str, Callable[[Path, str], None]] = field(default_factory=dict)

    def to_frame(self, table: str) -> Any:
        """The table ``table`` (a key of :attr:`tables`) as a pandas DataFrame (pandas is optional)."""
        return self.tables[table].to_frame()

    def frames(self) -> dict[str, Any]:
        """Every table as a pandas DataFrame, by name."""
        return {name: t.to_frame() for name, t in self.tables.items()}

    def summary_lines(self, *, limit: int = 10) -> list[str]:
        """The summary lines, then the first ``limit`` rows of each table of :data:`PRINTED`."""
        lines = list(self.lines)
        for name, columns in PRINTED.items():
            if name in self.tables and self.tables[name].rows:
                lines += ["", f"{name}:", *self.tables[name].lines(columns, limit=limit)]
        return lines


def similarity(store: GraphStore, facet: str, options: Options) -> Analysis:
    """Certification network of ``facet``: components, communities (with their dominant codes),
    centrality, ranked codes."""
    inc = extract_incidence(store, facet, scope=options.scope)
    graph = network_of(inc, certification_attributes(store), reduction=options.reduction, max_edges=options.max_edges)
    network.annotate(graph, method=options.method, seed=options.seed)
    codes = network.annotate(code_network(inc, code_labels(store, facet)), method=options.method, seed=options.seed)
    result = Analysis(facet, graphs={f"{facet}-network": graph, f"{facet}-code-network": codes})
    result.tables = {
        "central": Table.of(network.CentralityRow, network.centrality_table(graph, top=options.top, seed=options.seed)),
        "codes": Table.of(network.CodeRow, network.code_table(codes, top=options.top)),
        "communities": Table.of(CommunityRow, _communities(store, graph, facet, inc)),
        "groups": Table.of(network.GroupRow, network.group_table(graph, method=options.method, seed=options.seed)),
    }
    result.lines = _similarity_lines(graph, facet, options)
    if graph.number_of_nodes() > MAX_NODES:
        rows = result.tables["communities"].rows
        result.pictures[f"{facet}-network"] = lambda path, fmt: community_map(graph, rows, path, facet=facet, fmt=fmt)
    return result


def _communities(store: GraphStore, graph: nx.Graph, facet: str, inc: Incidence) -> list[CommunityRow]:
    """The communities of ``graph`` with their dominant ROME and NSF codes (``inc`` reused for its facet)."""
    incs = {f: inc if f == facet else extract_incidence(store, f) for f in ("rome", "nsf")}
    return community_table(graph, incs["rome"], incs["nsf"], {f: code_labels(store, f) for f in incs})


def _similarity_lines(graph: nx.Graph, facet: str, options: Options) -> list[str]:
    comps = network.components(graph)
    largest = comps[0] if comps else []
    return [
        f"{facet} network ({options.scope.describe()}): {graph.number_of_nodes():,} certifications, "
        f"{graph.number_of_edges():,} edges kept of {graph.graph['pairs']:,} pairs: {graph.graph['reduction']}",
        f"components: {len(comps)}; largest: {len(largest):,} "
        f"({' '.join(largest[:10]) or '-'}{' …' if len(largest) > 10 else ''})",
        f"communities ({options.method}): {len({d.get('community') for _, d in graph.nodes(data=True)}):,}",
    ]


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


def write_analysis(result: Analysis, out: Path, formats: Iterable[str], *, tables: str = "csv") -> dict[str, Path]:
    """Write every graph of ``result`` in ``formats`` and every table as ``out/KIND-TABLE.csv``
    (or ``.parquet`` with ``tables="parquet"``)."""
    check_table_format(tables)
    written: dict[str, Path] = {}
    for name, graph in result.graphs.items():
        drawn = [f for f in formats if f in PICTURE_FORMATS and name in result.pictures]
        written.update(write_graph(graph, out, name, [f for f in formats if f not in drawn]))
        for fmt in drawn:
            path = out / f"{name}.{fmt}"
            result.pictures[name](path, fmt)
            written[path.name] = path
    for name, table in result.tables.items():
        path = write_table_as(table, out / f"{result.kind}-{name}", tables)
        written[path.name] = path
    return written


#: graph formats that are pictures
PICTURE_FORMATS = ("png", "svg")

#: table → columns printed by the CLI (every column is in the CSV files)
PRINTED: dict[str, list[str]] = {
    "central": ["rank", "node", "label", "degree", "strength", "pagerank", "betweenness", "community"],
    "codes": ["rank", "code", "label", "certifications", "linked_codes", "pagerank"],
    "communities": ["community", "size", "top_rome", "top_rome_label", "top_nsf", "levels"],
    "versions": ["number", "predecessors", "successors", "current_versions", "label"],
    "chains": ["index", "length", "size", "longest", "has_cycle"],
    "reachable": ["rank", "number", "blocks", "obtained", "granted", "missing", "complete", "label", "via"],
}
