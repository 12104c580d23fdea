"""Benchmark of the SHACL validation (``rncp_graph.validate``) on generated fiches.

Usage::

    .venv/bin/python benchmarks/bench_validate.py                          # 1k and 10k, 2 processes
    .venv/bin/python benchmarks/bench_validate.py --sizes 1000 --whole-max 1000 --jobs 1 2

For each size (fiches from ``tests/synthetic_fiches.py``: realistic values, 10 % of the fiches
with one seeded fault, shared ROME codes, certifiers and competencies; mapped with
``fiche_to_triples`` into a ``GraphStore`` with the fixed vocabularies), and each number of
processes: per-fiche validation with an empty cache (cold), again with the filled cache (warm),
and after 1 % of the fiches changed (incremental); for sizes up to ``--whole-max`` also pyshacl
on the whole graph, the reference, and a check that both reports are equal. The ``sparql``
strategy (the shapes compiled to SPARQL, run by Oxigraph on the whole store) is timed at every
size and its report checked equal to the others. ``--strategies sparql`` skips the per-fiche
runs (e.g. at 30k fiches). Prints one JSON line per measurement and a Markdown table at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.synthetic_fiches import Generator  # noqa: E402

from rncp_graph import iris  # noqa: E402
from rncp_graph.analysis.fixtures import store_from_fiches  # noqa: E402
from rncp_graph.exports.canonical import canonical_lines  # noqa: E402
from rncp_graph.model import Fiche  # noqa: E402
from rncp_graph.resources import scheme_files  # noqa: E402
from rncp_graph.store import GraphStore  # noqa: E402
from rncp_graph.validate import Report, validate  # noqa: E402
from rncp_graph.validate.per_fiche import partition  # noqa: E402

AS_OF = date(2026, 11, 22)


def make_store(fiches: list[Fiche]) -> GraphStore:
    store = store_from_fiches(fiches)
    for path in scheme_files():
        store.load_file(path, iris.SCHEMES_GRAPH)
    return store


def timed(
    label: str, size: int, jobs: int, rows: list[dict[str, Any]], run: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """``run(*args, **kwargs)``, timed; one JSON line printed and appended to ``rows``."""
    started = time.perf_counter()
    value = run(*args, **kwargs)
    row = {"size": size, "jobs": jobs, "stage": label, "seconds": round(time.perf_counter() - started, 2)}
    if isinstance(value, Report):
        row.update(totals=value.totals, units=value.stats["units"], cached=value.stats["cached"])
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(row), flush=True)
    rows.append(row)
    return value


def bench_size(
    size: int, jobs_list: list[int], whole_max: int, rows: list[dict[str, Any]], strategies: list[str]
) -> None:
    """Every measurement for one number of fiches."""
    fiches = timed("generate", size, 0, rows, Generator(seed=1).fiches, size, faults=0.1)
    store = timed("load into Oxigraph", size, 0, rows, make_store, fiches)
    timed("partition into units", size, 0, rows, partition, canonical_lines(store))
    reference = None
    if size <= whole_max:
        reference = timed(
            "whole graph (pyshacl, reference)", size, 1, rows, validate, store, as_of=AS_OF, strategy="whole"
        )
    sparql = None
    if "sparql" in strategies:
        sparql = timed(
            "whole store, SPARQL on Oxigraph", size, 1, rows, validate, store, as_of=AS_OF, strategy="sparql"
        )
        timed("whole store, SPARQL on Oxigraph (again)", size, 1, rows, validate, store, as_of=AS_OF, strategy="sparql")
        if reference is not None:
            assert sparql.results == reference.results, "sparql and whole-graph reports differ"
    if "per-fiche" not in strategies:
        return
    changed = [replace(f, title=f"{f.title or ''} (modifié)") if i % 100 == 0 else f for i, f in enumerate(fiches)]
    changed_store = make_store(changed)
    for jobs in jobs_list:
        with tempfile.TemporaryDirectory() as cache:
            run = partial(validate, as_of=AS_OF, jobs=jobs, cache_dir=Path(cache))
            cold = timed("per fiche, cold cache", size, jobs, rows, run, store)
            timed("per fiche, warm cache", size, jobs, rows, run, store)
            timed("per fiche, 1 % of fiches changed", size, jobs, rows, run, changed_store)
        if reference is not None:
            assert cold.results == reference.results, "per-fiche and whole-graph reports differ"
        if sparql is not None:
            assert cold.results == sparql.results, "per-fiche and sparql reports differ"


def table(rows: list[dict[str, Any]]) -> str:
    sizes = sorted({r["size"] for r in rows})
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    keys = sorted({(r["stage"], r["jobs"]) for r in rows}, key=lambda k: (stages.index(k[0]), k[1]))
    lines = ["| stage | jobs | " + " | ".join(f"{s:,} fiches" for s in sizes) + " |", "|---|---|" + "---|" * len(sizes)]
    for stage, jobs in keys:
        cells = []
        for size in sizes:
            found = [r for r in rows if r["size"] == size and r["stage"] == stage and r["jobs"] == jobs]
            cells.append(f"{found[0]['seconds']:.1f} s" if found else "—")
        lines.append(f"| {stage} | {jobs or ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[2])
    parser.add_argument("--whole-max", type=int, default=1000, help="Largest size also validated whole.")
    parser.add_argument("--strategies", nargs="+", default=["per-fiche", "sparql"], choices=["per-fiche", "sparql"])
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        bench_size(size, args.jobs, args.whole_max, rows, args.strategies)
    print(table(rows))


if __name__ == "__main__":
    main()
