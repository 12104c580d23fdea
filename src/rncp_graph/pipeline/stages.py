"""Helpers every pipeline stage shares (the build and the incremental update): reading one
source, its content hash, the record of a loaded source, timing a stage, the cores at hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import EmptyInput
from ..model import LoadResult, Problem
from .sources import loader_for

log = logging.getLogger(__name__)


@dataclass
class SourceRecord:
    file: str
    sha256: str
    loader: str
    graph: str
    fiches: int
    quarantined: int


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity: a container's limit, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@contextlib.contextmanager
def timed_stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    """Time one stage (of a build, of an update) into ``timings`` (seconds) and log it."""
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    log.info("%s: %.2f s", name, timings[name])


def is_complete(results: list[LoadResult], problems: list[Problem]) -> bool:
    """No fiche quarantined and no problem an error (exit code 0 rather than 4)."""
    return not sum(r.quarantined for r in results) and not any(p.severity == "error" for p in problems)


def read_source(path: Path) -> LoadResult:
    """Read one source in this process (every fiche object kept).

    :raises StructuralError: the source is damaged, or no loader reads it.
    :raises EmptyInput: it holds no fiche.
    """
    loader = loader_for(path)  # strict: raises StructuralError naming the file when no loader reads it
    assert loader is not None
    loaded = loader.read(path)
    if not loaded.fiches and not loaded.quarantined:  # e.g. an export whose root holds no FICHE
        raise EmptyInput(f"no fiche in this {loader.name} source", file=str(path))
    return loaded


def source_sha256(path: Path) -> str:
    """SHA-256 of a file; of a folder source (a CSV export), of its sorted ``name sha256`` lines."""
    if path.is_dir():
        listing = "".join(f"{p.name} {source_sha256(p)}\n" for p in sorted(path.iterdir()) if p.is_file())
        return hashlib.sha256(listing.encode("utf-8")).hexdigest()
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
