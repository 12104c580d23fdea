"""Validating units with pyshacl: from the cache, or in batches, in this process or in a pool.

Units that are not cached are validated in batches (the union of a few units' lines, so
pyshacl's fixed cost per call is shared); each result is then given back to the units where
its focus node is full, and each unit's results are cached on their own. Batches run in this
process (``jobs=1``) or in a :class:`concurrent.futures.ProcessPoolExecutor` whose workers load
the shapes once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import rdflib
from tqdm import tqdm

from ..processes import die_with_parent
from .cache import ResultCache, unit_key
from .engine import graph_from_lines, install_speedups, run_pyshacl
from .per_fiche import FICHE, Unit
from .report import Result
from .shapes import EXCLUDED_SCOPES, direct_targets, fingerprint, load_shapes

log = logging.getLogger(__name__)

#: "fork" on Linux: workers start at once and scripts need no ``if __name__ == "__main__"`` guard;
#: they only run rdflib and pyshacl (never the parent's Oxigraph store) and leave by ``os._exit``.
START_METHOD = "fork" if sys.platform == "linux" else "spawn"
#: Lines per pyshacl call: about 100 fiches (the per-call cost is shared; still small graphs).
BATCH_LINES = 8000


@dataclass(frozen=True)
class Settings:
    """What a worker needs to validate: the as-of date and where the shapes are."""

    as_of: date
    folder: Path | None = None


_SHAPES: dict[tuple[Settings, str], rdflib.Graph] = {}


def shapes_for(settings: Settings, kind: str) -> rdflib.Graph:
    """The shapes graph for a kind of unit, loaded once per process."""
    key = (settings, "fiche" if kind == FICHE else "local")
    if key not in _SHAPES:
        shapes = load_shapes(settings.as_of, exclude=EXCLUDED_SCOPES[key[1]], folder=settings.folder)
        _SHAPES[key] = direct_targets(shapes)
    return _SHAPES[key]


def validate_batch(settings: Settings, kind: str, units: Sequence[Unit]) -> list[list[Result]]:
    """Validate ``units`` together; the results of each unit (those whose focus it holds in full)."""
    install_speedups()
    lines = sorted({ln for unit in units for ln in unit.lines})
    label = units[0].name if len(units) == 1 else f"{units[0].name}…{units[-1].name}"
    results = run_pyshacl(graph_from_lines(lines), shapes_for(settings, kind), label=label)
    per_unit: list[list[Result]] = [[] for _ in units]
    for result in results:
        for i, unit in enumerate(units):
            if result.focus in unit.full:
                per_unit[i].append(result)
    return per_unit


Keyed = tuple[str, Unit]


def _batches(todo: list[Keyed], limit: int) -> Iterator[tuple[str, list[Keyed]]]:
    """Units grouped by kind of shapes, each group cut into batches of about ``limit`` lines."""
    for kind_is_fiche in (True, False):
        batch: list[Keyed] = []
        size = 0
        for keyed in (k for k in todo if (k[1].kind == FICHE) == kind_is_fiche):
            if batch and size + len(keyed[1].lines) > limit:
                yield batch[0][1].kind, batch
                batch, size = [], 0
            batch.append(keyed)
            size += len(keyed[1].lines)
        if batch:
            yield batch[0][1].kind, batch


def validate_units(
    units: list[Unit],
    *,
    settings: Settings,
    jobs: int = 1,
    cache: ResultCache | None = None,
    batch_lines: int = BATCH_LINES,
    progress: bool = False,
) -> list[Result]:
    """Every result of every unit (duplicates possible: shared nodes), using and filling ``cache``."""
    cache = cache or ResultCache(None)
    stamp = fingerprint(settings.folder)
    results: list[Result] = []
    todo: list[Keyed] = []
    for unit in units:
        key = unit_key(unit, fingerprint=stamp, as_of=settings.as_of)
        cached = cache.get(key)
        if cached is None:
            todo.append((key, unit))
        else:
            results.extend(cached)
    batches = list(_batches(todo, batch_lines))
    log.info("validating %d of %d units in %d batches (%d from cache)", len(todo), len(units), len(batches), cache.hits)
    for batch, per_unit in _run(batches, settings, jobs, progress):
        for (key, _), unit_results in zip(batch, per_unit, strict=True):
            cache.put(key, unit_results)
            results.extend(unit_results)
    return results


def _run(
    batches: list[tuple[str, list[Keyed]]], settings: Settings, jobs: int, progress: bool
) -> Iterator[tuple[list[Keyed], list[list[Result]]]]:
    bar = tqdm(total=sum(len(b) for _, b in batches), desc="validating", unit="unit", disable=not progress)
    with bar:
        if jobs <= 1 or len(batches) <= 1:
            for kind, batch in batches:
                yield batch, validate_batch(settings, kind, [u for _, u in batch])
                bar.update(len(batch))
            return
        context = multiprocessing.get_context(START_METHOD)
        # the workers die with this process, even on kill -9 (rncp_graph.processes)
        with ProcessPoolExecutor(jobs, context, _start_worker, (os.getpid(),)) as pool:
            futures = [(b, pool.submit(validate_batch, settings, kind, [u for _, u in b])) for kind, b in batches]
            for batch, future in futures:
                yield batch, future.result()
                bar.update(len(batch))


def _start_worker(parent: int) -> None:
    """In a new worker: SIGTERM ends it (not the parent's handler), and it dies with the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
