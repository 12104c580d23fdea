"""The data checks: every ``queries/checks/*-violation.rq`` must return no rows on good data.

:func:`run_checks` runs them all on one target (cross-fiche rules that per-fiche SHACL
cannot see: a block claimed by two certifications, a fiche number on two nodes...).
Loading the catalogue already refuses any unsafe query file (SERVICE, FROM, updates).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import Target, run_saved
from .catalogue import discover
from .results import ResultTable

log = logging.getLogger(__name__)


@dataclass
class CheckOutcome:
    """One check and the rows that break its rule (none: it passes)."""

    name: str
    summary: str
    result: ResultTable

    @property
    def passed(self) -> bool:
        return len(self.result) == 0


def run_checks(target: Target, *, root: Path | None = None) -> list[CheckOutcome]:
    """Run every ``*-violation`` check on ``target``, in name order."""
    outcomes = []
    for query in discover(root).values():
        if not query.is_check:
            continue
        outcome = CheckOutcome(query.name, query.summary, run_saved(query, target=target))
        log.info("check %s: %s", query.name, "ok" if outcome.passed else f"{len(outcome.result)} violation(s)")
        outcomes.append(outcome)
    return outcomes


def report_lines(outcomes: list[CheckOutcome], *, limit: int = 20) -> Iterator[str]:
    """A readable report: one line per check, and up to ``limit`` offending rows for each failure."""
    for outcome in outcomes:
        if outcome.passed:
            yield f"ok    {outcome.name}"
            continue
        yield f"FAIL  {outcome.name}: {len(outcome.result)} row(s) — {outcome.summary}"
        for values in outcome.result.canonical_rows()[:limit]:
            yield "        " + ", ".join(f"{c}={v or ''}" for c, v in zip(outcome.result.columns, values, strict=True))
        if len(outcome.result) > limit:
            yield f"        ... and {len(outcome.result) - limit} more"
