"""Running the compiled checks (:mod:`.compile`) on the whole store with Oxigraph (``strategy="sparql"``).

Every check is one SELECT over the union of the store's graphs (``DISTINCT``: a triple stated in
several graphs matches once per graph). Terms of the rows go through the same conversion as the
whole-graph pyshacl run (pyoxigraph term → rdflib term → canonical N-Triples), so the results
compare equal to pyshacl's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDFS

from ..errors import QueryError, ValidationFailure
from ..store import GraphStore
from .compile import Batch, Check, batches, compile_shapes
from .engine import _convert, quiet_literal_warnings
from .report import Result, nt

log = logging.getLogger(__name__)

#: At most this many queries at once (213 queries; more threads only add contention).
MAX_THREADS = 8


@dataclass(frozen=True)
class Overlap:
    """A caller working on one core while the queries run (the build writes its exports meanwhile).

    :param core_busy_until: until this event is set, one thread of ``threads`` waits instead of
        running queries: the caller is busy on that core. (The build writes its exports during
        the validation: lending them a core makes them faster and the whole no slower,
        benchmarks/README.md.)
    :param stop: once set, no further query starts: :class:`ValidationFailure` is raised (the
        caller failed: the validation is no longer wanted; a running query cannot be interrupted).
    """

    core_busy_until: threading.Event
    stop: threading.Event


def sparql_results(
    store: GraphStore, shapes: rdflib.Graph, *, threads: int = 1, overlap: Overlap | None = None
) -> list[Result]:
    """Every result of the shapes on the whole store.

    :param threads: queries run at once. Oxigraph releases the GIL while it evaluates a query,
        so two threads on two cores validate in about half the time.
    :param overlap: the caller's events, when it works meanwhile.
    :raises ValidationFailure: when a shape is not compiled or a query fails.
    """
    subclasses = bool(store.query(f"ASK {{ ?a <{RDFS.subClassOf}> ?b }}"))
    checks = compile_shapes(shapes, subclasses=subclasses)
    log.debug("%d checks compiled from the shapes", len(checks))
    return _run_checks(store, checks, threads, overlap)


def _run_checks(
    store: GraphStore,
    checks: list[Check],
    threads: int,
    overlap: Overlap | None = None,
) -> list[Result]:
    """Run the batches in a pool of threads; results in the order of the batches (deterministic)."""
    terms: dict[object, str] = {}
    todo = batches(checks)

    def focus_nodes(query: str, shape: str) -> set[str]:
        return {term_text(r["this"], terms) for r in select_rows(store, query, shape) if r["this"]}

    def run(batch: Batch) -> list[Result]:
        if overlap is not None and overlap.stop.is_set():
            raise ValidationFailure("sparql strategy: the validation was stopped", value=batch.checks[0].shape)
        started = time.perf_counter()
        first = batch.checks[0]
        focus = focus_sets[first.focus].get if first.focus is not None else None
        found = run_batch(store, batch, terms, focus=focus)
        names = ", ".join(c.component.rsplit("#", 1)[-1] for c in batch.checks)
        seconds = time.perf_counter() - started
        log.debug("%s %s: %d results in %.3f s", batch.checks[0].shape, names, len(found), seconds)
        return found

    # the focus nodes of a shape are fetched when one of its batches has rows (most have none)
    focus_sets = {
        b.checks[0].focus: _Once(partial(focus_nodes, b.checks[0].focus, b.checks[0].shape))
        for b in todo
        if b.checks[0].focus is not None
    }
    single_valued = sorted({c.single_valued for c in checks if c.single_valued is not None})
    workers = max(1, min(threads, MAX_THREADS))
    finished = threading.Event()
    with quiet_literal_warnings(), ThreadPoolExecutor(workers, thread_name_prefix="shacl") as pool:
        if overlap is not None and workers > 1:
            pool.submit(_hold, overlap.core_busy_until, finished)  # first in the queue: one thread waits
        try:
            answers = pool.map(partial(has_two_values, store), single_valued)
            several = {p for p, two in zip(single_valued, answers, strict=True) if two}
            kept = [b for b in todo if not _cannot_fail(b, several)]
            log.debug("%d batches of checks; %d skipped: no subject has two values", len(todo), len(todo) - len(kept))
            return [result for found in pool.map(run, kept) for result in found]
        finally:
            finished.set()  # a hold still waiting ends: the pool can shut down


class _Once:
    """A value computed on first use, once, whichever thread asks first (the others wait)."""

    def __init__(self, compute: Callable[[], set[str]]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._value: set[str] | None = None

    def get(self) -> set[str]:
        with self._lock:
            if self._value is None:
                self._value = self._compute()
            return self._value


def _hold(busy: threading.Event, finished: threading.Event) -> None:
    """Keep one thread of the pool until ``busy`` is set (or the queries are all done)."""
    while not busy.wait(0.05) and not finished.is_set():
        pass


def has_two_values(store: GraphStore, predicate: str) -> bool:
    """Whether some subject of the store has two values of ``predicate`` (``<iri>``).

    One pass over the predicate's triples, without the focus nodes: far cheaper than the checks
    it lets skip, which join each shape's focus nodes (benchmarks/README.md).
    (``predicate`` is a term of the shapes, written by the compiler.)
    """
    distinct = f"SELECT DISTINCT ?s ?v {{ ?s {predicate} ?v }}"
    query = f"SELECT (COUNT(*) AS ?pairs) (COUNT(DISTINCT ?s) AS ?subjects) {{ {distinct} }}"
    row = select_rows(store, query, predicate)[0]
    pairs, subjects = row["pairs"], row["subjects"]
    return pairs is None or subjects is None or pairs.value != subjects.value


def _cannot_fail(batch: Batch, several: set[str]) -> bool:
    """A batch of ``sh:maxCount 1`` checks of predicates no subject has two values of."""
    return all(c.single_valued is not None and c.single_valued not in several for c in batch.checks)


def select_rows(
    store: GraphStore, query: str, shape: str, bindings: dict[str, ox.NamedNode] | None = None
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
    try:
        return store.select(query, bindings)
    except (QueryError, SyntaxError, ValueError, OSError) as exc:
        raise ValidationFailure(f"sparql strategy: query failed: {exc}", value=shape) from exc


def run_batch(
    store: GraphStore,
    batch: Batch,
    terms: dict[object, str],
    *,
    focus: Callable[[], set[str]] | None = None,
    this: ox.NamedNode | None = None,
) -> list[Result]:
    """The results of one batch of checks.

    :param focus: gives the shape's focus nodes, asked only when a row comes: rows whose
        ``?this`` is not one of them are dropped (SPARQL-based constraints run with ``$this``
        free give rows for nodes that are not focus nodes of the shape). Fetching the focus
        nodes of every such shape beforehand cost time (benchmarks/README.md), and most of
        their batches have no row.
    :param this: run for this one node only (``?this`` substituted; the caller knows it is a
        focus node of the shape), with the batch's :attr:`~.compile.Batch.one_focus` query.
    """
    first = batch.checks[0]
    flagged = len(batch.checks) > 1
    results = []
    focus_nodes: set[str] | None = None  # asked of ``focus`` at the first row
    query, bindings = (batch.query, None) if this is None else (batch.one_focus, {"this": this})
    for row in select_rows(store, query, first.shape, bindings):
        node = row.get("this")
        if node is None:
            continue
        focus_text = term_text(node, terms)
        if focus is not None:
            focus_nodes = focus_nodes if focus_nodes is not None else focus()
            if focus_text not in focus_nodes:
                continue
        value = row.get("value")
        for i, check in enumerate(batch.checks):
            if flagged and not _true(row.get(f"c{i}")):
                continue
            if check.recheck is not None:
                other = row.get("other")
                if not check.recheck(
                    _convert(node), _convert(value) if value is not None else None, _convert(other) if other else None
                ):
                    continue
            path = row.get("path")
            results.append(
                Result(
                    focus=focus_text,
                    path=term_text(path, terms) if path is not None else check.path,
                    value=term_text(value, terms) if value is not None else "",
                    severity=check.severity,
                    shape=check.shape,
                    component=check.component,
                    message_fr=check.message_fr,
                    message_en=check.message_en,
                )
            )
    return results


def _true(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> bool:
    return isinstance(term, ox.Literal) and term.value == "true"


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal, cache: dict[object, str]) -> str:
    """A pyoxigraph term as the canonical N-Triples text of the whole-graph run (through rdflib)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"  # what nt(URIRef) gives, without the detour
    found = cache.get(term)
    if found is None:
        found = cache[term] = nt(_convert(term))
    return found
