"""Benchmark of the command line: each command run as a whole process, process start included.

Usage::

    .venv/bin/python -m rncp_graph build ../shared/data/rncp-2021-official-csv-layout \\
        --out /tmp/out2021 --store /tmp/store2021
    .venv/bin/python benchmarks/bench_cli.py --store /tmp/store2021 --runs 7 --write-readme
    .venv/bin/python benchmarks/bench_cli.py --smoke        # the samples, 1 run: no timing claim

Each command runs once to warm up (the saved queries' verdicts are then kept in the user's
cache, as after any first call: :mod:`rncp_graph.queries.verdicts`), then ``--runs`` times;
minimum, median and maximum wall times are reported. ``--write-readme`` puts the table in
``benchmarks/README.md`` under "Command line" (only that section is rewritten). ``--smoke``
builds the sample fiches into a temporary store and runs every command once: it checks that
each exits 0 and prints something, and claims no time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readme_section import replace_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: the commands timed: a label and the arguments after ``rncp-graph`` (STORE: the store)
COMMANDS = [
    ("--help", ["--help"]),
    ("query --help", ["query", "--help"]),
    ("build --help", ["build", "--help"]),
    ("queries", ["queries"]),
    ("query (ROME K1403)", ["query", "certifications-sharing-rome", "-p", "rome=K1403", "--graph", "STORE"]),
    ("query (one fiche)", ["query", "fiche-summary", "-p", "fiche=RNCP34808", "--graph", "STORE"]),
    ("sparql (count)", ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?c a rncp:Certification }", "--graph", "STORE"]),
    ("info", ["info", "STORE"]),
]
NOTES = """
Reading it: wall seconds of the whole process (interpreter start, imports, opening the store,
the query, printing), measured from Python around `subprocess.run`. The saved queries'
allow-list verdicts were in the cache (`$XDG_CACHE_HOME/rncp-graph/query-verdicts.json`), as
after a first call; with an empty cache, `queries` parses the 47 saved queries once (1.5–1.7 s
in three runs) and `query` the one it runs (0.45–0.56 s in two). `sparql` parses its ad-hoc text
on every call (importing rdflib's SPARQL parser and checking the text: 0.13–0.14 s in three runs); `info` counts
the distinct triples of the store (0.17 s for 656k quads: `len()` of the store, then only the
313 quads outside the largest graph looked up) and imports rdflib for the project's namespaces.
Before the changes of issue 21 (same store, same machine, whole-process
medians of 3 runs): `--help` 1.19 s, `query --help` 0.76 s, `query` (ROME K1403) 2.11 s,
`info` 8.06 s, `queries` 1.64 s, `sparql` (count of all triples) 1.03 s.
"""


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds, exit code and bytes printed of one ``rncp-graph`` process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rncp_graph", *args], capture_output=True, env=env, check=False)
    return time.perf_counter() - started, done.returncode, len(done.stdout)


def measure(store: Path, runs: int, env: dict[str, str]) -> list[tuple[str, list[float]]]:
    """Each of :data:`COMMANDS` on ``store``: one warm-up, then ``runs`` timed runs."""
    results = []
    for label, template in COMMANDS:
        args = [str(store) if a == "STORE" else a for a in template]
        _, code, size = run_once(args, env)
        if code != 0 or size == 0:
            raise SystemExit(f"{label}: exit {code}, {size} bytes printed")
        times = [run_once(args, env)[0] for _ in range(runs)]
        print(f"{label:<22} {min(times):6.2f} {statistics.median(times):6.2f} {max(times):6.2f} s", flush=True)
        results.append((label, times))
    return results


def table(results: list[tuple[str, list[float]]], header: str) -> str:
    lines = [header, "", "| command | min | median | max |", "|---|---:|---:|---:|"]
    for label, times in results:
        lines.append(f"| `{label}` | {min(times):.2f} s | {statistics.median(times):.2f} s | {max(times):.2f} s |")
    return "\n".join(lines) + "\n"


def write_readme(section: str) -> None:
    """Put ``section`` between the markers of ``benchmarks/README.md`` (other sections untouched)."""
    replace_section("cli", "Command line", section + NOTES)


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
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        if args.smoke:
            env["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # the user's cache is left alone
            measure(sample_store(Path(tmp), env), 1, env)
            return 0
        if args.store is None:
            parser.error("give --store (or --smoke)")
        results = measure(args.store, args.runs, env)
    header = (
        f"{args.label or args.store.name}: an on-disk store, {args.runs} runs each after a warm-up; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores:"
    )
    if args.write_readme:
        write_readme(table(results, header))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
