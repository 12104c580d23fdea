"""``bench_analytics.py --register GRAPH``: every ``rncp-graph analyze`` kind with its default
options on a built register, as whole processes; time, peak RSS, files written and read back."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from readme_section import replace_section

ROOT = Path(__file__).resolve().parent.parent
#: kind → extra arguments (equivalence needs what is held: HOLD is replaced by a real target)
KINDS: list[tuple[str, list[str]]] = [
    ("rome", []),
    ("nsf", []),
    ("formacode", []),
    ("competency", []),
    ("lineage", []),
    ("equivalence", ["--hold", "HOLD"]),
]
#: graph file suffix → networkx reader
READERS = {".graphml": "read_graphml", ".gexf": "read_gexf"}


def run_once(args: list[str]) -> tuple[float, float, int, int, str]:
    """Wall and CPU (user + system) seconds, peak RSS (KiB) and exit code of one ``rncp-graph``
    process, and its stdout. Measured by ``/usr/bin/time``: a child forked from this (large)
    process would report this process's high-water mark as its own."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "time.txt"
        timed = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(report)]
        done = subprocess.run(
            [*timed, sys.executable, "-m", "rncp_graph", "-q", *args], capture_output=True, env=env, check=False
        )
        wall, user, system, peak = report.read_text().split()[-4:]
    return float(wall), float(user) + float(system), int(peak), done.returncode, done.stdout.decode("utf-8")


def read_back(folder: Path) -> tuple[int, list[str]]:
    """Total bytes of the files in ``folder``, and for each graph file: networkx's read time and size."""
    import networkx as nx

    notes = []
    for path in sorted(folder.iterdir()):
        if path.suffix in READERS:
            started = time.perf_counter()
            graph = getattr(nx, READERS[path.suffix])(path)
            seconds = time.perf_counter() - started
            notes.append(
                f"{path.name}: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges, "
                f"{path.stat().st_size / 1e6:.1f} MB, read in {seconds:.1f} s"
            )
    return sum(p.stat().st_size for p in folder.iterdir()), notes


def held_item(graph: Path) -> str:
    """A certification that some fiche's correspondence names (so equivalence reaches something),
    else the first certification (a register without correspondences, as the 2021 CSV export)."""
    sys.path.insert(0, str(ROOT / "src"))
    from rncp_graph.analysis.correspondences import read_correspondences
    from rncp_graph.analysis.incidence import certification_attributes
    from rncp_graph.info import open_graph

    store = open_graph(graph)
    targets = sorted(s.target for s in read_correspondences(store).statements)
    return targets[0] if targets else sorted(certification_attributes(store))[0]


def measure(graph: Path, runs: int) -> list[dict[str, Any]]:
    hold = held_item(graph)
    rows = []
    for kind, extra in KINDS:
        times, cpus, peaks = [], [], []
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
                args = [
                    "analyze",
                    kind,
                    "--graph",
                    str(graph),
                    "--out",
                    tmp,
                    *[hold if a == "HOLD" else a for a in extra],
                ]
                seconds, cpu, peak, code, text = run_once(args)
                if code != 0:
                    raise SystemExit(f"{kind}: exit {code}")
                times.append(seconds)
                cpus.append(cpu)
                peaks.append(peak)
                size, notes = read_back(Path(tmp))
        first = text.splitlines()[0] if text else ""
        row = {
            "kind": kind,
            "times": times,
            "cpu": cpus,
            "peak_mib": max(peaks) / 1024,
            "bytes": size,
            "notes": notes,
            "line": first,
        }
        print(
            f"{kind:<12} {min(times):6.1f} {statistics.median(times):6.1f} {max(times):6.1f} s "
            f"{row['peak_mib']:7.0f} MiB {size / 1e6:7.1f} MB  {first}",
            flush=True,
        )
        rows.append(row)
    return rows


NOTES = """
Reading it: CPU is the user + system seconds of the process; on a machine shared with other jobs
the wall times grow past it (the load average before and after is in the header). Before issue 23 (same register,
as reported in the issue): `analyze rome` ran 36 minutes (21 min of CPU) with a 16.9 GB peak,
wrote 2.5 GB, and networkx could not read its GraphML back (MemoryError at 13.7 GB).
"""


def table(rows: list[dict[str, Any]], header: str) -> str:
    lines = [
        header,
        "",
        "| kind | wall min | median | max | CPU median | peak RSS | files | what the summary says |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        t = r["times"]
        lines.append(
            f"| `{r['kind']}` | {min(t):.1f} s | {statistics.median(t):.1f} s | {max(t):.1f} s | "
            f"{statistics.median(r['cpu']):.1f} s | "
            f"{r['peak_mib']:,.0f} MiB | {r['bytes'] / 1e6:.1f} MB | {r['line']} |"
        )
    lines += ["", "Graph files read back by networkx (last run):", ""]
    lines += [f"- `{r['kind']}`: " + "; ".join(r["notes"]) for r in rows if r["notes"]]
    return "\n".join(lines) + "\n" + NOTES


def register_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", type=Path, required=True, help="a built rncp.nt (or store folder)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="the 2021 register (17,369 fiches)")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    if not args.register.exists():
        print(f"skipped: no built register at {args.register}")
        return 0
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True
    )
    load_before = os.getloadavg()[0]
    rows = measure(args.register, args.runs)
    header = (
        f"{args.label}, `{args.register.name}`, {args.runs} runs of each kind with default options "
        f"(`rncp-graph analyze KIND --graph {args.register.name} --out DIR`); "
        f"{datetime.date.today()}, commit {commit.stdout.strip()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} at the end. "
        "Wall, CPU and peak RSS of each process: `/usr/bin/time`."
    )
    if args.write_readme:
        replace_section("analytics-register", "Analytics on a built register", table(rows, header))
    return 0
