"""Benchmark of the command line: each command run as a whole process, process start included.

Usage::

    .venv/bin/python -m rncp_graph build ../shared/data/rncp-2021-official-csv-layout \\
        --out /tmp/out2021 --store /tmp/store2021 --no-validate
    .venv/bin/python benchmarks/bench_cli.py --store /tmp/store2021 --label "2021 register" --runs 5
    .venv/bin/python benchmarks/bench_cli.py --store /tmp/store30k --label "30k generated" --write-readme
    .venv/bin/python benchmarks/bench_cli.py --smoke        # the samples, 1 run: no timing claim

Each command runs once to warm up (the saved queries' verdicts and the graph's counts are then
kept in the user's cache, as after any first call: :mod:`rncp_graph.queries.verdicts`,
:mod:`rncp_graph.info`), then ``--runs`` times; minimum, median and maximum wall times are
reported with the median CPU time (user + system, from ``getrusage`` of the child: what the
command costs whatever else runs on the machine) and the rows printed. Rows marked "no record"
run each time with an empty cache folder of their own (what the first call after a build pays).
The heavy parameterised queries (those over 50 ms at 30k fiches in ``bench_queries.py``) take
their parameters from the store (its most cited ROME code, its most frequent NSF group), and run
whole and with ``--limit 20``.

The results of each store go to ``results/cli/<label>.json``; ``--write-readme`` puts a table per
stored result in ``benchmarks/README.md`` under "Command line" (only that section is rewritten).
``--smoke`` builds the sample fiches into a temporary store and runs every command once: it
checks that each exits 0 and prints something, and claims no time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readme_section import replace_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "cli"
HEAVY = [  # the five parameterised queries over 50 ms at 30k fiches (bench_queries.py), and their parameters
    ("certifications-by-level-and-nsf", ["nsf=NSF", "level=7"]),
    ("certifications-expiring-before", ["before=2024-01-01"]),
    ("certifications-sharing-rome", ["rome=ROME"]),
    ("search-titles", ["text=gérer"]),
    ("certifications-by-eqf-level", ["eqf=http://data.europa.eu/snb/eqf/6"]),
]
COUNT = "(COUNT(*) AS ?n)"
#: label, the arguments after ``rncp-graph`` (STORE: the store; ROME, NSF: picked from it), fresh cache
COMMANDS: list[tuple[str, list[str], bool]] = [
    ("--help", ["--help"], False),
    ("query --help", ["query", "--help"], False),
    ("build --help", ["build", "--help"], False),
    ("queries", ["queries"], False),
    ("query (ROME K1403)", ["query", "certifications-sharing-rome", "-p", "rome=K1403", "--graph", "STORE"], False),
    ("query (one fiche)", ["query", "fiche-summary", "-p", "fiche=RNCP34808", "--graph", "STORE"], False),
    ("sparql (count)", ["sparql", f"SELECT {COUNT} WHERE {{ ?c a rncp:Certification }}", "--graph", "STORE"], False),
    (
        "sparql (parsed: FROM in a string)",
        ["sparql", f'SELECT {COUNT} WHERE {{ ?c rncp:title ?t FILTER(CONTAINS(?t, "from")) }}', "--graph", "STORE"],
        False,
    ),
    ("info", ["info", "STORE"], False),
    ("info (no record)", ["info", "STORE"], True),
    *[
        (f"{name}{' --limit 20' if limit else ''}", ["query", name, *(a for p in params for a in ("-p", p)),
         "--graph", "STORE", *(["--limit", "20"] if limit else [])], False)
        for name, params in HEAVY
        for limit in (False, True)
    ],
]  # fmt: skip
ROWS = re.compile(rb"\((\d+) rows?\)\s*$")
NOTES = """
The stores: the 2021 register (17,369 fiches, 656,557 triples; `build
../shared/data/rncp-2021-official-csv-layout --no-validate --store`) and 30,000 generated fiches
(`generate_xml.py 30000 --seed 1`, 6,047,099 triples, built the same way), both on disk.
`search-titles` looks for "gérer", which no title of the 2021 register holds.

Reading it: wall seconds of the whole process (interpreter start, imports, opening the store,
the query, printing) and its CPU seconds (user + system), on the idle machine (load average in
each table's header). Targets: ≤ 0.3 s for `--help`, ≤ 0.4 s for `query`, `queries`, `info`,
`sparql`.

- Met on the 2021 store: `--help` 0.08 s, `query --help` 0.24 s, `queries` 0.25 s, `query` on
  a ROME code 0.34 s (334 rows) and on one fiche 0.28 s, `sparql` with a plain SELECT 0.28 s,
  `info` of a graph already counted 0.09 s. On the 30k store: `--help` 0.13 s, `query --help`
  0.27 s, one fiche 0.27 s, `sparql` 0.30 s, `info` 0.14 s; over: `queries` 0.49 s median
  (0.37–0.81 s: it reads no store, the spread is the machine's) and `query` on a ROME code
  0.46 s (175 rows; 0.30 s at best).
- `sparql`: a text whose first keyword is SELECT and that holds no `\\u` escape and none of
  the words SERVICE, LOAD, FROM runs without rdflib's parse (`sparql_guard.plain_select`); one
  holding such a word, even in a string (`"from"`), is parsed (0.52 s on the 2021 store; that
  row also scans every title, so it is not the parse alone).
- `info`: the counts of a graph are kept in the user's cache with its signature (files, inodes,
  sizes, times) and read without opening it. **Missed on the first call after a build or an
  update** ("no record": two Oxigraph scans, the store's length and every `rdf:type`): 0.48 s
  on the 2021 store, 2.02 s on the 30k one.
- The five heavy parameterised queries all end in an ORDER BY, so Oxigraph finds and sorts every
  matching row before the first comes out, and `--limit 20` saves only the rows' conversion and
  printing: at 30k `certifications-expiring-before` (15,038 rows) 2.03 → 1.65 s,
  `linking/certifications-by-eqf-level` (6,512) 2.02 → 1.61 s, `certifications-sharing-rome`
  (4,970) 0.74 → 0.57 s. For `certifications-by-level-and-nsf` (872 rows, 0.75 → 0.63 s) and
  `search-titles` (970 rows, 1.01 → 1.04 s) the rows are not the cost, the scan is (every title
  lower-cased and searched; every NSF code compared).
"""


def run_once(args: list[str], env: dict[str, str], fresh_cache: bool) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds (user + system), exit code and output of one ``rncp-graph`` process."""
    with tempfile.TemporaryDirectory(prefix="bench-cli-cache-") as cache:
        if fresh_cache:
            env = {**env, "XDG_CACHE_HOME": cache}
        cpu = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "rncp_graph", *args], capture_output=True, env=env, check=False)
        return time.perf_counter() - started, _children_cpu() - cpu, done.returncode, done.stdout


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(store: Path, values: dict[str, str], runs: int, env: dict[str, str]) -> list[dict[str, object]]:
    """Each of :data:`COMMANDS` on ``store``: one warm-up, then ``runs`` timed runs."""
    results: list[dict[str, object]] = []
    for label, template, fresh in COMMANDS:
        args = [str(store) if a == "STORE" else _fill(a, values) for a in template]
        _, _, code, out = run_once(args, env, fresh)
        if code != 0 or not out:
            raise SystemExit(f"{label}: exit {code}, {len(out)} bytes printed")
        match = ROWS.search(out)
        runs_ = [run_once(args, env, fresh)[:2] for _ in range(runs)]
        times, cpu = [r[0] for r in runs_], [r[1] for r in runs_]
        shown = " ".join(args).replace(str(store), "STORE")
        rows = int(match.group(1)) if match else None
        spread = f"{min(times):6.2f} {statistics.median(times):6.2f} {max(times):6.2f} s"
        print(f"{label:<44} {spread}  CPU {statistics.median(cpu):6.2f} s  {rows}", flush=True)
        results.append({"label": label, "command": shown, "times": times, "cpu": cpu, "rows": rows})
    return results


def _fill(arg: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        arg = arg.replace(f"={name}", f"={value}")
    return arg


def store_values(store: Path) -> dict[str, str]:
    """ROME: the store's most cited ROME code; NSF: its most frequent NSF group (bench_queries.PICKS)."""
    import pyoxigraph

    from bench_queries import PICKS, pick
    from rncp_graph.store import GraphStore

    graph = GraphStore(store=pyoxigraph.Store.read_only(str(store)))
    return {"ROME": pick(graph, PICKS["rome"]), "NSF": pick(graph, PICKS["nsf"])}


def table(result: dict[str, object]) -> str:
    lines = [
        str(result["header"]),
        "",
        "| command | wall min | median | max | CPU median | rows |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:  # type: ignore[attr-defined]
        times = row["times"]
        rows = "" if row["rows"] is None else f"{row['rows']:,}"
        spread = f"{min(times):.2f} s | {statistics.median(times):.2f} s | {max(times):.2f} s"
        lines.append(f"| `{row['label']}` | {spread} | {statistics.median(row['cpu']):.2f} s | {rows} |")
    return "\n".join(lines) + "\n"


def write_readme() -> None:
    """A table per result of ``results/cli/`` between the markers of ``benchmarks/README.md``."""
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))]
    replace_section("cli", "Command line", "\n".join(table(r) for r in results) + NOTES)


def sample_store(folder: Path, env: dict[str, str]) -> Path:
    """The sample fiches (data/fiches) built into an on-disk store under ``folder``."""
    store = folder / "store"
    args = ["build", str(ROOT / "data" / "fiches"), "--out", str(folder / "out"), "--store", str(store)]
    code = subprocess.run([sys.executable, "-m", "rncp_graph", "-q", *args], env=env, check=False).returncode
    if code not in (0, 1, 4, 6):  # built (violations or quarantined fiches are the samples' own)
        raise SystemExit(f"building the samples failed: exit {code}")
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an on-disk store made by `rncp-graph build --store`")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="the samples, one run each, no README")
    parser.add_argument("--label", help="what the store holds, for the README (default: its folder name)")
    parser.add_argument("--write-readme", action="store_true", help="the README section from results/cli/*.json")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        if args.smoke:
            env["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # the user's cache is left alone
            store = sample_store(Path(tmp), env)
            measure(store, store_values(store), 1, env)
            return 0
        if args.store is not None:
            before = _load()
            rows = measure(args.store, store_values(args.store), args.runs, env)
            label = args.label or args.store.name
            header = (
                f"{label}: an on-disk store, {args.runs} runs each after a warm-up; Python "
                f"{platform.python_version()}, {os.cpu_count()} cores, load average {before} before, "
                f"{_load()} after:"
            )
            RESULTS.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            (RESULTS / f"{slug}.json").write_text(json.dumps({"header": header, "rows": rows}, indent=1), "utf-8")
    if args.write_readme:
        write_readme()
    elif args.store is None and not args.smoke:
        parser.error("give --store, --smoke or --write-readme")
    return 0


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
