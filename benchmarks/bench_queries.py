"""Benchmark of the saved queries (``queries/**/*.rq``) on a generated register: median time each.

Usage::

    .venv/bin/python benchmarks/bench_queries.py                      # 10k fiches, 5 runs each
    .venv/bin/python benchmarks/bench_queries.py --fiches 1000 --runs 3
    .venv/bin/python benchmarks/bench_queries.py --xml export.xml --write-readme

The fiches come from ``benchmarks/generate_xml.py`` (a realistic XML export, flux v4.1),
built with :func:`rncp_graph.build` into an in-memory Oxigraph store, as ``rncp-graph build``
would. Each query runs once to warm up, then ``--runs`` times; the median wall time is
reported with the number of rows. Parameters are taken from the generated graph (a fiche
with blocks and a predecessor, the most cited ROME code, its most frequent certifier...),
so look-ups find something. ``--write-readme`` puts the table in ``benchmarks/README.md``
under "Queries" (only that section is rewritten).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph

from readme_section import replace_section
from rncp_graph import build, queries
from rncp_graph.namespaces import sparql_prologue
from rncp_graph.queries import SavedQuery, discover
from rncp_graph.store import GraphStore

HERE = Path(__file__).resolve().parent
NOTES = """
Reading it: parameterised look-ups stay around a millisecond because the queries let Oxigraph
substitute the parameter where it is used (see `queries/README.md`, "Writing a query"); the
others scan the register and grow with it. The 147 rows of `statistics-out-of-range-violation`
are real findings on the generated data: `generate_xml.py` draws the VAE count (0–40)
independently of the number certified (5–900), so some years have more VAE graduates than
graduates. Timings were taken while other jobs shared the 2-core machine (load average ~2).
"""

#: one look-up per parameter type (the variable names the queries use)
PICKS = {
    "fiche": """SELECT ?v WHERE { ?c rncp:ficheNumber ?v ; rncp:hasBlock ?b ; dcterms:replaces ?p ; rncp:romeCode ?r }
                ORDER BY ?v LIMIT 1""",
    "rome": """SELECT ?v (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c rncp:romeCode/skos:notation ?v } GROUP BY ?v
               ORDER BY DESC(?n) ?v LIMIT 1""",
    "nsf": """SELECT ?v (COUNT(DISTINCT ?c) AS ?n)
              WHERE { ?c rncp:nsfCode/skos:notation ?code BIND(SUBSTR(?code, 1, 2) AS ?v) }
              GROUP BY ?v ORDER BY DESC(?n) LIMIT 1""",
    "formacode": """SELECT ?v (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c rncp:formacode/skos:notation ?v } GROUP BY ?v
                    ORDER BY DESC(?n) LIMIT 1""",
    "siret": """SELECT ?v (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c rncp:certifier/rncp:siret ?v } GROUP BY ?v
                ORDER BY DESC(?n) LIMIT 1""",
}


def generate(fiches: int, folder: Path) -> Path:
    """An XML export of ``fiches`` generated fiches (seed 1), in ``folder``."""
    out = folder / f"export-fiches-{fiches}-2026-01-01.xml"
    subprocess.run(
        [sys.executable, str(HERE / "generate_xml.py"), str(fiches), "--out", str(out), "--seed", "1"], check=True
    )
    return out


def pick(store: GraphStore, sparql: str, **bound: str) -> str:
    """The ``?v`` of the first row of ``sparql`` (``bound`` values are substituted, never pasted)."""
    queries.check_query(sparql_prologue() + sparql)
    rows = store.select(sparql, {k: pyoxigraph.Literal(v) for k, v in bound.items()})
    if not rows or rows[0]["v"] is None:
        raise SystemExit(f"the generated graph has nothing for: {sparql}")
    return str(rows[0]["v"].value)


def parameters(store: GraphStore) -> dict[str, str]:
    """Values found in the graph for each parameter name the saved queries use."""
    found = {kind: pick(store, sparql) for kind, sparql in PICKS.items()}
    fiche = found["fiche"]
    block = (
        "SELECT ?fiche ?v WHERE { ?c rncp:ficheNumber ?fiche ; rncp:hasBlock/rncp:blockCode ?v } ORDER BY ?v LIMIT 1"
    )
    found["block"] = pick(store, block, fiche=fiche)
    other = """SELECT ?fiche ?v WHERE { ?c rncp:ficheNumber ?fiche ; rncp:romeCode ?r .
               ?o rncp:romeCode ?r ; rncp:ficheNumber ?v FILTER(?o != ?c) } ORDER BY ?v LIMIT 1"""
    found["other"] = pick(store, other, fiche=fiche)
    found["certification"] = f"https://w3id.org/rncp-graph/id/certification/{fiche}"
    found["before"] = "2024-01-01"
    found["text"] = "gérer"
    return found


def arguments(query: SavedQuery, found: dict[str, str]) -> dict[str, str]:
    """The query's parameters: values found in the graph by name, else the header's example."""
    out = {}
    for spec in query.params:
        if spec.name in found:
            out[spec.name] = found[spec.name]
        elif spec.default is None and spec.example is not None:
            out[spec.name] = spec.example
    return out


def time_query(store: GraphStore, query: SavedQuery, params: dict[str, str], runs: int) -> tuple[float, int]:
    """Median seconds over ``runs`` (after one warm-up run), and the number of rows."""
    started = time.perf_counter()
    rows = len(queries.run_saved(query, params, target=store))
    first = time.perf_counter() - started
    times = [first] if first > 20 else []
    for _ in range(runs if first <= 20 else 0):
        started = time.perf_counter()
        queries.run_saved(query, params, target=store)
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def table(results: list[tuple[SavedQuery, dict[str, str], float, int]], header: str) -> str:
    lines = [header, "", "| query | parameters | median | rows |", "|---|---|---:|---:|"]
    for query, params, seconds, rows in sorted(results, key=lambda r: (r[0].group, r[0].name)):
        shown = ", ".join(f"{k}={v.rsplit('/', 1)[-1]}" for k, v in params.items()) or "—"
        name = f"{query.group}/{query.name}" if query.group else query.name
        lines.append(f"| `{name}` | {shown} | {_ms(seconds)} | {rows:,} |")
    return "\n".join(lines) + "\n"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def write_readme(section: str) -> None:
    """Put ``section`` between the markers of ``benchmarks/README.md`` (other sections untouched)."""
    replace_section("queries", "Queries", section + NOTES)


def load(args: argparse.Namespace) -> tuple[GraphStore, int, str]:
    """The store to query, its number of fiches, and how long the build took."""
    if args.store is not None and args.store.is_dir():
        store = GraphStore(store=pyoxigraph.Store.read_only(str(args.store)))
        fiches = len(queries.run_text("SELECT ?c WHERE { ?c a rncp:Certification }", target=store))
        return store, fiches, "reused"
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
        source = args.xml or generate(args.fiches, Path(tmp))
        started = time.perf_counter()
        result = build([source], store_path=args.store, validate=False)
        return result.store, result.fiches_loaded, f"{time.perf_counter() - started:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fiches", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--xml", type=Path, help="an existing export to use instead of generating one")
    parser.add_argument("--store", type=Path, help="an on-disk store: built there if absent, reused if present")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    store, fiches, built = load(args)
    found = parameters(store)
    results = []
    for query in discover().values():
        params = arguments(query, found)
        seconds, rows = time_query(store, query, params, args.runs)
        print(f"{query.name:<45} {_ms(seconds):>12} {rows:>9,} rows", flush=True)
        results.append((query, params, seconds, rows))
    kind = "on-disk" if args.store else "in-memory"
    header = (
        f"{fiches:,} generated fiches ({len(store):,} quads, built in {built}), {kind} Oxigraph "
        f"(pyoxigraph {pyoxigraph.__version__}), Python {platform.python_version()}, "
        f"median of {args.runs} runs after a warm-up; `benchmarks/bench_queries.py --fiches {fiches}`."
    )
    section = table(results, header)
    print(section)
    if args.write_readme:
        write_readme(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
