"""SHACL validation of the graph with the project's shapes (``shapes/*.ttl``) and pyshacl.

In a notebook::

    from rncp_graph import build
    from rncp_graph.validate import validate
    report = validate(build(["data/fiches"], validate=False).store)
    print(report.to_text())          # or report.to_json(), report.to_turtle()
    report.conforms, report.totals

The default strategy, ``"sparql"``, compiles the shapes to SPARQL queries run by Oxigraph on
the whole store (:mod:`.compile`, :mod:`.sparql_engine`), refusing any shape it cannot compile
exactly (its speed: ``benchmarks/README.md``, "Validation"); ``jobs`` threads run the queries at
once. ``strategy="per-fiche"`` runs pyshacl fiche by fiche (:mod:`.per_fiche`), in parallel
with ``jobs`` processes and cached by content in ``cache_dir``, with cross-fiche rules as
SPARQL (:mod:`.cross`). ``strategy="whole"`` runs
pyshacl once on the whole graph: slow beyond a few hundred fiches, it is the reference the
tests compare both others with — all three give the same report.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..exports.canonical import CanonicalLines, canonical_lines
from ..store import GraphStore
from .cache import ResultCache
from .cross import cross_results
from .engine import graph_from_lines, install_speedups, run_pyshacl
from .focused import focused_results
from .owners import fiche_owners
from .per_fiche import Partition, partition
from .pool import Settings, validate_units
from .report import Report, Result, Severity
from .shapes import load_shapes, rule_names
from .sparql_engine import Overlap, sparql_results

__all__ = [
    "STRATEGIES",
    "Overlap",
    "Report",
    "Result",
    "Severity",
    "as_store",
    "validate",
    "validate_nodes",
    "validate_overlapping",
]

log = logging.getLogger(__name__)

Source = GraphStore | CanonicalLines | ox.Store | rdflib.Graph


@dataclass(frozen=True)
class Run:
    """What a strategy validates, and with what."""

    store: GraphStore
    #: the store's canonical lines (the build's, when it validates what it just loaded)
    lines: CanonicalLines
    shapes: rdflib.Graph
    day: date
    shapes_folder: Path | None
    threshold: Severity
    jobs: int
    cache: ResultCache
    progress: bool
    overlap: Overlap | None


#: a strategy: every result of the shapes on the store, the fiches owning their focus nodes,
#: and the number of fiches
Engine = Callable[[Run], tuple[list[Result], Partition, int]]


def _sparql(run: Run) -> tuple[list[Result], Partition, int]:
    """The shapes compiled to SPARQL, run by Oxigraph on the whole store (``jobs`` threads)."""
    found = sparql_results(run.store, run.shapes, threads=run.jobs, overlap=run.overlap)
    parts, fiches = _attributed(run.store, found, run.threshold)
    return found, parts, fiches


def _per_fiche(run: Run) -> tuple[list[Result], Partition, int]:
    """pyshacl fiche by fiche (``jobs`` processes, cached), cross-fiche rules as SPARQL."""
    parts = partition(run.lines.as_text())
    settings = Settings(run.day, run.shapes_folder)
    found = validate_units(parts.units, settings=settings, jobs=run.jobs, cache=run.cache, progress=run.progress)
    return found + cross_results(run.store, run.shapes), parts, parts.fiches


def _whole(run: Run) -> tuple[list[Result], Partition, int]:
    """pyshacl once on the whole graph: the reference."""
    parts = partition(run.lines.as_text())
    install_speedups()
    found = run_pyshacl(graph_from_lines(run.lines.as_text()), run.shapes, label="whole graph")
    return found, parts, parts.fiches


#: strategy name → engine; all give the same report
STRATEGIES: dict[str, Engine] = {"per-fiche": _per_fiche, "whole": _whole, "sparql": _sparql}


def validate(
    source: Source,
    *,
    as_of: date | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    severity: Severity | str = Severity.INFO,
    strategy: str = "sparql",
    shapes_folder: Path | None = None,
    progress: bool = False,
) -> Report:
    """Validate a graph with the project's SHACL shapes.

    :param source: a :class:`~rncp_graph.store.GraphStore` (or its canonical lines, when they
        are made already or kept: the build's), a pyoxigraph store or an rdflib graph.
    :param as_of: the date "today" is taken to be (expired registrations); default: today.
    :param jobs: worker processes for the per-fiche validation (1: in this process); threads
        running queries at once for the ``sparql`` strategy.
    :param cache_dir: a folder of cached results (``None``: no cache).
    :param severity: the lowest severity listed in the report (the totals count them all).
    :param strategy: a key of :data:`STRATEGIES`: ``"sparql"`` (default: the shapes compiled to
        SPARQL, run by Oxigraph on the whole store), ``"per-fiche"`` (pyshacl fiche by fiche,
        ``jobs``, ``cache_dir``) or ``"whole"`` (pyshacl on the whole graph).
    :param shapes_folder: other shapes than the project's (tests).
    :param progress: show a progress bar.
    :raises ValidationFailure: when the shapes are bad or pyshacl cannot validate.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {tuple(STRATEGIES)}, not {strategy!r}")
    return _validate(
        source,
        strategy,
        as_of=as_of,
        jobs=jobs,
        cache_dir=cache_dir,
        severity=severity,
        shapes_folder=shapes_folder,
        progress=progress,
    )


def validate_overlapping(
    store: GraphStore,
    overlap: Overlap,
    *,
    as_of: date | None = None,
    jobs: int = 1,
    severity: Severity | str = Severity.INFO,
) -> Report:
    """:func:`validate` with the ``sparql`` strategy while the caller works on one of the
    ``jobs`` cores (the build writes its exports meanwhile): see :class:`Overlap`."""
    return _validate(store, "sparql", as_of=as_of, jobs=jobs, severity=severity, overlap=overlap)


def _validate(
    source: Source,
    strategy: str,
    *,
    as_of: date | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    severity: Severity | str = Severity.INFO,
    shapes_folder: Path | None = None,
    progress: bool = False,
    overlap: Overlap | None = None,
) -> Report:
    started = time.perf_counter()
    day = as_of or date.today()
    shapes = load_shapes(day, folder=shapes_folder)
    cache = ResultCache(cache_dir)
    threshold = Severity.parse(severity) if isinstance(severity, str) else severity
    store = as_store(source)
    lines = source if isinstance(source, CanonicalLines) else CanonicalLines(store)
    run = Run(store, lines, shapes, day, shapes_folder, threshold, jobs, cache, progress, overlap)
    found, parts, fiches = STRATEGIES[strategy](run)
    stats = {"fiches": fiches, "units": len(parts.units), "cached": cache.hits, "strategy": strategy}
    report = make_report(found, parts, as_of=day, threshold=threshold, rules=rule_names(shapes), stats=stats)
    report.stats["seconds"] = seconds = round(time.perf_counter() - started, 3)
    log.info("validation %s in %.1f s (%d units, %d cached)", report.summary(), seconds, len(parts.units), cache.hits)
    return report


def validate_nodes(
    store: GraphStore,
    nodes: Iterable[ox.NamedNode],
    *,
    as_of: date | None = None,
    severity: Severity | str = Severity.INFO,
    shapes_folder: Path | None = None,
    jobs: int = 1,
) -> Report:
    """The results of the shapes whose focus node is one of ``nodes`` (:mod:`.focused`; ``jobs``
    threads validate nodes at once).

    They are the whole store's results (:func:`validate`) on those nodes, at a cost that grows
    with the number of nodes, not with the store: :func:`rncp_graph.pipeline.update.update` revalidates
    the nodes a changed fiche can reach this way. ``stats["nodes"]`` is the number of nodes.
    """
    started = time.perf_counter()
    day = as_of or date.today()
    shapes = load_shapes(day, folder=shapes_folder)
    wanted = set(nodes)
    threshold = Severity.parse(severity) if isinstance(severity, str) else severity
    found = focused_results(store, shapes, wanted, threads=jobs)
    parts, _ = _attributed(store, found, threshold)
    stats = {"nodes": len(wanted), "strategy": "focused"}
    report = make_report(found, parts, as_of=day, threshold=threshold, rules=rule_names(shapes), stats=stats)
    report.stats["seconds"] = round(time.perf_counter() - started, 3)
    return report


def _attributed(store: GraphStore, found: list[Result], threshold: Severity) -> tuple[Partition, int]:
    """The fiches of the results at or above ``threshold`` (the others are only counted), and
    the number of fiches; from the partition when a blank node is met (never in our data)."""
    traced = fiche_owners(store, {r.focus for r in found if r.severity >= threshold})
    if traced is None:
        parts = partition(canonical_lines(store))
        return parts, parts.fiches
    return Partition(owners=traced[0]), traced[1]


def make_report(
    found: list[Result],
    parts: Partition,
    *,
    as_of: date,
    threshold: Severity,
    rules: dict[str, tuple[str, str]],
    stats: dict[str, object],
) -> Report:
    """Deduplicate, attribute each result to its fiches, sort, and keep those at or above ``threshold``."""
    unique: dict[tuple[str, str, str, str, str, int], Result] = {}
    for result in found:
        unique.setdefault(result.identity(), result)
    kept: list[Result] = []
    hidden: Counter[str] = Counter()
    for result in unique.values():
        fiches = parts.owners.get(result.focus, ())
        attributed = Result(**{**result.__dict__, "fiches": fiches})
        if attributed.severity >= threshold:
            kept.append(attributed)
        else:
            hidden[attributed.severity.label] += 1
    kept.sort(key=Result.sort_key)
    return Report(kept, as_of, threshold, rules, hidden, dict(stats))


def as_store(source: Source) -> GraphStore:
    """A :class:`GraphStore` over ``source`` (an rdflib graph is copied through N-Triples)."""
    if isinstance(source, GraphStore):
        return source
    if isinstance(source, CanonicalLines):
        return source.store
    if isinstance(source, ox.Store):
        return GraphStore(store=source)
    if isinstance(source, rdflib.Graph):
        store = GraphStore()
        quads = isinstance(source, rdflib.ConjunctiveGraph)  # Dataset too
        data = source.serialize(format="nquads" if quads else "nt", encoding="utf-8")
        store.load(data, ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES)
        return store
    raise TypeError(f"cannot validate a {type(source).__name__}")
