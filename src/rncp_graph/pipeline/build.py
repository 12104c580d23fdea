"""The build: sources → model → triples → store (→ validation) → exports and manifest.

:func:`build` is the Python API behind ``rncp-graph build``. Structural damage in any source
aborts before anything is written; a bad fiche or field is quarantined, reported in
``errors.jsonl`` and counted, and the rest is built (input = loaded + quarantined).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .. import iris, referentials
from ..__about__ import __version__
from ..errors import EmptyInput, NothingLoaded
from ..exports import export
from ..exports.atomic import deferred, remove_leftovers, write_bytes
from ..exports.canonical import CanonicalLines
from ..info import class_table
from ..mapping import ntriples_chunks, source_triples
from ..model import LoadResult, Problem, ProblemAction, ProblemSeverity
from ..resources import scheme_files
from ..store import GraphStore
from ..terms import line, lines_to_bytes
from ..validate import Overlap, Severity, validate_overlapping
from ..validate import validate as validate_graph
from . import merge, xml_parallel
from .sources import expand, loader_for
from .stages import SourceRecord, available_cores, is_complete, read_source, source_sha256, timed_stage

log = logging.getLogger(__name__)

DEFAULT_SOURCES = ("data/fiches",)


@dataclass
class Build:
    """What a build produced: the store, what was read, and every problem met."""

    store: GraphStore
    #: the canonical lines of :attr:`store`, which the exports write (the mapped chunks kept
    #: for them when the build makes them: :class:`~rncp_graph.exports.canonical.CanonicalLines`)
    lines: CanonicalLines
    sources: list[SourceRecord] = field(default_factory=list)
    #: one per source; a large XML export read by worker processes keeps no fiche objects
    #: (``fiches`` is empty: memory stays flat), :attr:`facts` has what the build needs of them
    results: list[LoadResult] = field(default_factory=list)
    #: number, source and compared fields of every fiche loaded, source by source
    facts: list[merge.FicheFacts] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)
    validation: dict[str, Any] | None = None
    #: seconds per stage (read + map + load, validate, write); not in the manifest, which is
    #: byte-identical from one run to the next
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def fiches_loaded(self) -> int:
        return len(self.facts)

    @property
    def fiches_quarantined(self) -> int:
        return sum(r.quarantined for r in self.results)

    @property
    def dropped(self) -> dict[str, int]:
        """Problems that lost data, by action (``dropped-field``, ``dropped-row``, …), sorted."""
        counts = Counter(p.action.value for p in self.problems if p.action.value.startswith("dropped-"))
        return dict(sorted(counts.items()))

    @property
    def complete(self) -> bool:
        """True when no fiche was quarantined and no problem is an error (exit code 0 rather than 4).

        Errors are values the source states that the graph lost (a ``Niveau 9``, a ragged CSV
        row); warnings are kept-with-a-caveat or rows about fiches the export does not hold.
        """
        return is_complete(self.results, self.problems)

    def graph(self, *, allow_federation: bool = False) -> Any:
        """An :class:`rdflib.Dataset` view of the built graph (default graph = union of sources);
        SERVICE, LOAD, FROM and USING are refused unless ``allow_federation=True``."""
        return self.store.rdflib_dataset(allow_federation=allow_federation)

    def manifest(self) -> dict[str, Any]:
        """A JSON-able summary; deterministic (no timestamps) so reruns are byte-identical."""
        by_rule = Counter(p.rule for p in self.problems)
        repairs: Counter[str] = Counter()
        for r in self.results:
            repairs.update(r.repairs)
        return {
            "tool": {"name": "rncp-graph", "version": __version__},
            "inputs": [s.__dict__ for s in self.sources],
            "fiches": {
                "input": self.fiches_loaded + self.fiches_quarantined,
                "loaded": self.fiches_loaded,
                "quarantined": self.fiches_quarantined,
                "distinct": len({f.number for f in self.facts}),
            },
            "triples": self.lines.count(),
            "instances_per_class": self.store.count_by_class(),
            "problems": {"total": len(self.problems), "by_rule": dict(sorted(by_rule.items()))},
            "errors": sum(1 for p in self.problems if p.severity is ProblemSeverity.ERROR),
            "warnings": sum(1 for p in self.problems if p.severity is ProblemSeverity.WARNING),
            "dropped": self.dropped,
            "repairs": dict(sorted(repairs.items())),
            "validation": self.validation,
            "outputs": {fmt: path.name for fmt, path in sorted(self.written.items())},
        }

    def summary_lines(self) -> Iterator[str]:
        """What ``rncp-graph build`` prints: fiches, triples, instances per class, problems,
        validation, times and the files written."""
        m = self.manifest()
        f = m["fiches"]
        yield (
            f"fiches: {f['input']} read, {f['loaded']} loaded, {f['quarantined']} quarantined "
            f"({f['distinct']} distinct numbers) from {len(self.sources)} source(s)"
        )
        yield f"triples: {m['triples']:,}"
        yield from class_table(self.store)
        if self.problems:
            dropped = ", ".join(f"{n} {action.removeprefix('dropped-')}" for action, n in m["dropped"].items())
            yield (
                f"problems: {m['problems']['total']} ({m['errors']} errors, {m['warnings']} warnings)"
                + (f"; dropped: {dropped}" if dropped else "")
                + " — see errors.jsonl"
            )
        if self.validation is not None:
            v = self.validation
            yield f"validation: {'conforms' if v.get('conforms') else 'does NOT conform'} ({v.get('summary', '')})"
        if self.timings:
            yield "time: " + " · ".join(f"{stage} {seconds:.1f} s" for stage, seconds in self.timings.items())
        for name, path in sorted(self.written.items()):
            yield f"wrote {name}: {path}"


def build(
    paths: Sequence[str | Path] = DEFAULT_SOURCES,
    *,
    out: Path | None = None,
    store_path: Path | None = None,
    report: bool | Path = False,
    progress: bool = False,
    validate: bool = True,
    strategy: str = "sparql",
    jobs: int | None = None,
) -> Build:
    """Build the graph from fiche sources.

    :param paths: files, folders or globs of sources (default: ``data/fiches`` of the current
        folder, the sample pages of a checkout).
    :param out: folder to write ``rncp.ttl``, ``rncp.nt``, ``manifest.json``, ``errors.jsonl``
        (and ``coverage.json`` with ``report``); ``None`` writes nothing. Until they are
        written, the mapped N-Triples wait in an unnamed temporary file where ``TMPDIR`` says
        (as large as ``rncp.nt``): the exports are made from them rather than from the store
        (also without ``out``, for the pyshacl strategies, which partition those lines).
    :param store_path: folder of an on-disk Oxigraph store; ``None`` keeps the store in memory.
    :param report: also write the coverage report (:func:`~rncp_graph.pipeline.coverage.coverage_report`):
        to ``out/coverage.json``, or to this path.
    :param progress: show progress bars.
    :param strategy: how to validate: ``"sparql"`` (default), ``"per-fiche"`` or ``"whole"``
        (see :func:`rncp_graph.validate.validate`; the same report).
    :param jobs: cores to use (default: all): worker processes reading and mapping a large XML
        export (:mod:`rncp_graph.pipeline.xml_parallel`; its fiche objects are then not kept in
        ``results``, only their :attr:`Build.facts`), threads running the validation queries,
        or processes for ``strategy="per-fiche"``. The graph, the problems and the report do
        not depend on it.
    :param validate: validate the graph with the SHACL shapes; the outcome goes to
        ``result.validation`` (the manifest's ``validation``).
    :raises StructuralError: when a source is damaged, or when no fiche of the sources could be
        loaded (:class:`~rncp_graph.errors.NothingLoaded`, every one quarantined); nothing is
        written then (the graphs this build added to an on-disk store are removed again).
    """
    jobs = jobs or available_cores()
    timings: dict[str, float] = {}
    store = GraphStore(store_path)
    # the canonical lines are made from the mapped chunks when this build needs them (exports,
    # the partition of the pyshacl strategies); a notebook's store keeps no temporary file
    keep = out is not None or (validate and strategy != "sparql")
    result = Build(store=store, lines=CanonicalLines(store, keep=keep), timings=timings)
    with timed_stage("read + map + load", timings):
        files = expand(paths)
        if not files:  # e.g. an empty folder: validating or exporting nothing is a mistake
            raise EmptyInput("no source to read here (no fiche page, XML or CSV export)", file=_names(paths))
        before = set(result.store.graphs())
        try:
            _load_schemes(result.store)
            for path in tqdm(files, desc="sources", unit="file", disable=not progress or len(files) < 2):
                _read_and_load(result, path, jobs=jobs, progress=progress)
            if not result.facts:  # every fiche quarantined: no empty graph replaces the outputs
                raise nothing_loaded(result.results)
        except BaseException:
            for graph in {s.graph for s in result.sources} - before:
                result.store.drop_graph(graph)
            raise
        result.problems = [p for r in result.results for p in r.problems] + merge.conflicts(result.facts)
        result.problems += referentials.unknown_codes(result.store, [(s.graph, s.file) for s in result.sources])
        _drop_stale_sources(result.store, keep={s.graph for s in result.sources})
        result.store.flush()
        result.store.optimize()  # on disk: compacted once here, not by every later reader
    if validate and out is not None and strategy == "sparql":
        _validate_while_writing(result, out, report=report, jobs=jobs)
    else:
        if validate:
            with timed_stage("validate", timings):
                result.validation = _validation(result.lines, strategy=strategy, jobs=jobs, progress=progress)
        if out is not None:
            with timed_stage("write", timings), deferred():  # the outputs replace the previous ones together
                write_outputs(result, out, report=report)
    if out is not None:
        _clean_leftovers(out)
    return result


def _names(paths: Sequence[str | Path], shown: int = 5) -> str:
    """Paths as a list for a message (the first ``shown``)."""
    return ", ".join(map(str, paths[:shown])) + (", …" if len(paths) > shown else "")


#: how many of the reasons a fiche was quarantined :func:`nothing_loaded` quotes
REASONS_SHOWN = 3


def nothing_loaded(results: Sequence[LoadResult]) -> NothingLoaded:
    """The error of a build whose sources held fiches but loaded none, quoting why."""
    problems = [p for r in results for p in r.problems]
    reasons = [p for p in problems if p.action is ProblemAction.QUARANTINED_FICHE] or problems
    quoted = "; ".join(f"{p.file}: {p.message}" for p in reasons[:REASONS_SHOWN])
    more = f"; and {len(reasons) - REASONS_SHOWN} more" if len(reasons) > REASONS_SHOWN else ""
    quarantined = sum(r.quarantined for r in results)
    return NothingLoaded(
        f"no fiche loaded from {len(results)} source(s), {quarantined} quarantined ({quoted}{more}); "
        "nothing written, the previous outputs are kept",
        problems=problems,
    )


def _clean_leftovers(out: Path) -> None:
    """Once this build's outputs are in place, remove the temp files that interrupted builds
    left in ``out`` (their writer is gone: :func:`~rncp_graph.exports.atomic.remove_leftovers`);
    name those that cannot be told from another build's (another host's, or without a writer)."""
    found = remove_leftovers(out)
    if found.removed:
        names = _names([p.name for p in found.removed])
        log.info("removed %d temp file(s) of interrupted builds from %s: %s", len(found.removed), out, names)
    if found.unknown:
        size = sum(p.stat().st_size for p in found.unknown if p.exists())
        log.warning(
            "%s holds %d temp file(s) of an interrupted build (%s, %.1f MB): remove them if no other build "
            "is writing there",
            out,
            len(found.unknown),
            _names([p.name for p in found.unknown]),
            size / 1e6,
        )


def _validation(lines: CanonicalLines, *, strategy: str, jobs: int, progress: bool) -> dict[str, Any]:
    """The manifest's ``validation``: totals, and the violations listed (and traced to their fiches)."""
    shacl = validate_graph(lines, strategy=strategy, jobs=jobs, progress=progress, severity=Severity.VIOLATION)
    return shacl.as_manifest()


def _validate_while_writing(result: Build, out: Path, *, report: bool | Path, jobs: int) -> None:
    """Validate in a thread while this one writes the exports; then the manifest.

    Oxigraph runs the validation queries without the GIL, so they use the core that writing
    (sorting and serialising, mostly single-threaded) leaves idle: the two together take little
    more than the longer one (benchmarks/README.md). No output replaces the previous one before the
    validation has succeeded (:func:`~rncp_graph.exports.atomic.deferred`). Only for the
    ``sparql`` strategy: the others fork processes, which is not done with a second thread busy.
    """
    timings = result.timings
    started = time.perf_counter()
    written = threading.Event()  # set when the exports are written
    failed = threading.Event()  # set when they could not be: no more validation queries

    def validation() -> dict[str, Any]:
        with timed_stage("validate", timings):
            overlap = Overlap(core_busy_until=written, stop=failed)
            return validate_overlapping(result.store, overlap, jobs=jobs, severity=Severity.VIOLATION).as_manifest()

    with deferred(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate") as pool:
        validated = pool.submit(validation)
        try:
            with timed_stage("write", timings):
                result.written = export(result.lines, out)
        except BaseException:  # a failed export, Ctrl-C: the running queries end, no other starts
            failed.set()
            raise
        finally:
            written.set()  # the validation may use this core too now
        result.validation = validated.result()
        _write_reports(result, out, report=report)
    for stage in ("validate", "write"):  # in the order of the sequential build, whichever ended first
        timings[stage] = timings.pop(stage)
    timings["validate ∥ write"] = time.perf_counter() - started


def _load_schemes(store: GraphStore) -> None:
    store.drop_graph(iris.SCHEMES_GRAPH)  # an on-disk store may hold an older version
    for path in scheme_files():
        store.load_file(path, iris.SCHEMES_GRAPH)


def _drop_stale_sources(store: GraphStore, keep: set[str]) -> None:
    """In an on-disk store, drop the graphs of sources this build no longer reads.

    A source's graph is named by its content hash: a changed or removed file leaves its old
    graph behind, which would keep stale fiches in the merged view. Other graphs (code lists,
    links written by ``rncp-graph vocab`` / ``link``) are kept.
    """
    for graph in store.graphs():
        if graph.startswith(iris.SOURCE_GRAPH_PREFIX) and graph not in keep:
            log.info("dropping %s: its source is not part of this build", graph)
            store.drop_graph(graph)


def _read_and_load(result: Build, path: Path, *, jobs: int, progress: bool) -> None:
    """Read one source into its named graph; record what was read in ``result``."""
    loader = loader_for(path)  # strict: raises StructuralError naming the file when no loader reads it
    assert loader is not None
    if jobs > 1 and loader.name == "xml" and _read_in_workers(result, path, jobs=jobs, progress=progress):
        return
    loaded = read_source(path)
    chunks = ntriples_chunks(loaded.fiches)
    record = _load_source(result.lines, path, loaded.loader, loaded.export_date, chunks)
    _record(result, loaded, record, [merge.facts_of(f) for f in loaded.fiches])


def _read_in_workers(result: Build, path: Path, *, jobs: int, progress: bool) -> bool:
    """Read a large XML export with :mod:`~rncp_graph.pipeline.xml_parallel`; False when it is
    to be read in this process instead (small, not cut safely, or a range could not settle alone)."""
    with xml_parallel.plain_xml(path) as plain:
        layout = xml_parallel.plan(plain[0], label=plain[1]) if plain is not None else None
        if plain is None or layout is None:
            return False
        reader = xml_parallel.ParallelRead(plain[0], layout, jobs=jobs, progress=progress, source=path)
        try:
            # closing: when the load fails, the workers are stopped at once
            with contextlib.closing(reader.chunks()) as chunks:
                record = _load_source(result.lines, path, "xml", reader.export_date, chunks)
        except xml_parallel.Fallback as reason:
            log.warning("%s: read again in one process (%s)", path.name, str(reason))  # str: no traceback kept
            return False
    assert reader.result is not None
    _record(result, reader.result, record, reader.facts)
    return True


def _record(result: Build, loaded: LoadResult, record: SourceRecord, facts: list[merge.FicheFacts]) -> None:
    record.fiches = len(facts)
    record.quarantined = loaded.quarantined
    result.results.append(loaded)
    result.sources.append(record)
    result.facts.extend(facts)


def _load_source(
    lines: CanonicalLines, path: Path, loader: str, export_date: date | None, chunks: Iterable[bytes]
) -> SourceRecord:
    """Replace the source's named graph by its provenance and the ``chunks`` of mapped fiches
    (kept for the canonical lines when ``lines`` keeps them)."""
    sha = source_sha256(path)
    graph = iris.source_graph(sha)
    provenance = source_triples(
        graph, file=path.name, sha256=sha, loader=loader, version=__version__, export=export_date
    )
    try:
        head = lines_to_bytes(line(t) for t in provenance)
        lines.load(graph, itertools.chain([head], chunks))
    except BaseException:  # a source read while it is loaded (xml_parallel) was found damaged
        lines.store.drop_graph(graph)
        raise
    return SourceRecord(path.name, sha, loader, graph, 0, 0)


def write_outputs(result: Build, out: Path, *, report: bool | Path = False) -> None:
    """Write the exports, ``errors.jsonl``, the optional coverage report and the manifest (last)."""
    result.written = export(result.lines, out)
    _write_reports(result, out, report=report)


def _write_reports(result: Build, out: Path, *, report: bool | Path) -> None:
    """``errors.jsonl``, the optional coverage report and the manifest (last), the exports written."""
    write_bytes(out / "errors.jsonl", _jsonl(p.as_dict() for p in result.problems))
    result.written["errors"] = out / "errors.jsonl"
    if report:
        # imported here: ``python -m rncp_graph.pipeline.coverage`` runs it as __main__ after the package
        from .coverage import coverage_report

        target = report if isinstance(report, Path) else out / "coverage.json"
        write_bytes(target, _json(coverage_report(result.results)))
        result.written["coverage"] = target
    result.written["manifest"] = out / "manifest.json"
    write_bytes(out / "manifest.json", _json(result.manifest()))


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def _jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) + "\n" for r in rows).encode("utf-8")
