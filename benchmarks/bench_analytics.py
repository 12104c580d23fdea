"""Benchmark of the analytics (``rncp_graph.analysis``) on generated fiches: time and peak memory.

Usage::

    .venv/bin/python benchmarks/bench_analytics.py                          # 10k and 30k fiches
    .venv/bin/python benchmarks/bench_analytics.py --source xml             # via generate_xml.py + build
    .venv/bin/python benchmarks/bench_analytics.py --sizes 10000 --compare-networkx
    .venv/bin/python benchmarks/bench_analytics.py --register /tmp/reg/rncp.nt --runs 3 --write-readme

``--register GRAPH`` runs every ``rncp-graph analyze`` kind with its default options on a built
register (``rncp-graph build ../shared/data/rncp-2021-official-csv-layout --out /tmp/reg``) as a
whole process, ``--runs`` times: wall and CPU time and peak RSS (``/usr/bin/time``), the size of
the files written, and whether networkx reads each graph file back (its time). It skips cleanly
(exit 0, a message) when GRAPH is absent; ``--write-readme`` puts its table in the
"Analytics on a built register" section of ``benchmarks/README.md`` (only that section).

Each size runs in a fresh process (so peak memory is that size's own). Two sources of fiches:
``model`` (default) makes synthetic model objects here (``rncp_graph.model.Fiche``: ROME
codes clustered by domain with a skewed popularity, NSF, Formacodes, blocks and competencies
with a shared pool of common sentences, lineage links, block and total correspondences) and
maps them with ``fiche_to_triples`` into a ``GraphStore``; ``xml`` writes a flux v4.1 export
with ``benchmarks/generate_xml.py`` (seed 1) and builds it with ``rncp_graph.build``. Per
stage: wall time and peak resident memory of the stage (Linux ``VmHWM``, reset before each
stage through ``/proc/self/clear_refs``; it includes the store already in memory).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rncp_graph.model import Block, Code, Correspondence, CorrespondenceNature, Fiche, LinkedFiche, Status

DOMAINS = "ABCDEFGHIJKLMN"


def rome_codes(rng: random.Random) -> dict[str, list[str]]:
    """About 530 ROME-like codes (``K1403``), grouped by domain letter."""
    codes: dict[str, list[str]] = {}
    for d in DOMAINS:
        fields = [f"{d}{f}" for f in range(11, 11 + rng.randint(3, 7))]
        codes[d] = [f"{field}{c:02d}" for field in fields for c in range(1, rng.randint(4, 10))]
    return codes


def zipf_pick(rng: random.Random, items: list[str], s: float = 1.0) -> str:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


class Generator:
    """Deterministic synthetic fiches (same seed, same fiches)."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.rome = rome_codes(self.rng)
        self.all_rome = [c for codes in self.rome.values() for c in codes]
        self.nsf = [f"{n}{s}" for n in range(100, 440, 3) for s in ("", "p", "t")]
        self.formacodes = [str(10000 + 37 * i) for i in range(1200)]
        self.common = [f"Compétence commune numéro {i} du référentiel" for i in range(3000)]

    def fiche(self, i: int, n: int) -> Fiche:
        rng = self.rng
        number = f"RNCP{10000 + i}"
        domain = zipf_pick(rng, list(DOMAINS), 0.6)
        rome = {zipf_pick(rng, self.rome[domain]) if rng.random() < 0.8 else zipf_pick(rng, self.all_rome, 0.8)}
        rome |= {zipf_pick(rng, self.rome[domain]) for _ in range(min(int(rng.expovariate(0.5)), 7))}
        blocks = [
            Block(f"{number}BC{b:02d}", f"Bloc {b}", self._competencies(number, b)) for b in range(1, rng.randint(3, 7))
        ]
        return Fiche(
            number=number,
            source="bench",
            title=f"Certification {i} ({domain})",
            level=rng.choice([3, 4, 5, 5, 6, 6, 6, 7, 7, 8]),
            status=Status.ACTIVE if rng.random() < 0.7 else Status.INACTIVE,
            rome=[Code(c, f"Métier {c}") for c in sorted(rome)],
            nsf=[Code(zipf_pick(rng, self.nsf, 0.7))],
            formacodes=[Code(zipf_pick(rng, self.formacodes, 0.7)) for _ in range(rng.randint(1, 3))],
            competencies=self._competencies(number, 0),
            blocks=blocks,
            predecessors=[LinkedFiche(f"RNCP{5000 + i}")] if rng.random() < 0.3 else [],
            successors=[LinkedFiche(f"RNCP{10000 + i + 1}")] if rng.random() < 0.05 and i + 1 < n else [],
            correspondences=self._correspondences(i, n, blocks),
        )

    def _competencies(self, number: str, block: int) -> list[str]:
        rng = self.rng
        own = [f"{number} bloc {block} compétence {k}" for k in range(rng.randint(3, 6))]
        return [*own, zipf_pick(rng, self.common[:300], 0.9) if rng.random() < 0.5 else rng.choice(self.common)]

    def _correspondences(self, i: int, n: int, blocks: list[Block]) -> list[Correspondence]:
        rng = self.rng
        other = f"RNCP{10000 + rng.randrange(n)}"
        if rng.random() < 0.1:
            return [
                Correspondence(
                    other,
                    nature=CorrespondenceNature.PARTIAL,
                    source_block=blocks[0].code,
                    target_blocks=(f"{other}BC01",),
                )
            ]
        if rng.random() < 0.05:
            return [Correspondence(other, nature=CorrespondenceNature.TOTAL)]
        return []

    def fiches(self, n: int) -> Iterator[Fiche]:
        return (self.fiche(i, n) for i in range(n))


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def reset_peak() -> None:
    with contextlib.suppress(OSError):  # not Linux: peaks become cumulative
        Path("/proc/self/clear_refs").write_text("5")


def stage(results: list[dict[str, Any]], name: str, fn: Callable[[], Any], note: Callable[[Any], str] = str) -> Any:
    reset_peak()
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    row = {"stage": name, "seconds": round(seconds, 3), "peak_mib": round(peak_kib() / 1024), "result": note(value)}
    results.append(row)
    print(f"  {name:<44} {seconds:8.2f} s {row['peak_mib']:>7} MiB  {row['result']}", file=sys.stderr, flush=True)
    return value


def run_size(n: int, *, compare_networkx: bool, source: str = "model") -> list[dict[str, Any]]:
    """Every stage at ``n`` fiches (in this process)."""
    out: list[dict[str, Any]] = []
    print(f"{n:,} fiches ({source})", file=sys.stderr)
    store = stage(out, "generate + load (not analytics)", lambda: SOURCES[source](n), lambda s: f"{len(s):,} quads")
    inc = similarity_stages(out, store)
    other_stages(out, store)
    if compare_networkx:
        stage(out, "networkx bipartite projection (for comparison)", lambda: _bipartite(inc), lambda e: f"{e:,} edges")
    return out


def model_store(n: int) -> Any:
    """Synthetic model objects mapped with ``fiche_to_triples`` into a store."""
    from rncp_graph.analysis.fixtures import store_from_fiches

    return store_from_fiches(Generator().fiches(n))


def xml_store(n: int) -> Any:
    """An XML export written by ``benchmarks/generate_xml.py`` (seed 1), built with ``rncp_graph.build``."""
    import tempfile

    import rncp_graph

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate_xml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export-fiches.xml"
        generate_xml.write(n, path, 1)
        return rncp_graph.build([path]).store


#: where the fiches come from: ``model`` (this file's generator) or ``xml`` (generate_xml.py + build)
SOURCES: dict[str, Callable[[int], Any]] = {"model": model_store, "xml": xml_store}


def similarity_stages(out: list[dict[str, Any]], store: Any) -> Any:
    """ROME incidence, pairs, networkx graph, communities, centrality; competency pairs."""
    from rncp_graph.analysis import annotate, centrality_table, code_network, extract_incidence, pairs_of
    from rncp_graph.analysis.backbone import Reduction, reduced_pairs
    from rncp_graph.analysis.incidence import certification_attributes
    from rncp_graph.analysis.similarity import network_of

    def size(g: Any) -> str:
        return f"{g.number_of_nodes():,} nodes {g.number_of_edges():,} edges"

    inc = stage(out, "rome incidence: 1 SELECT + CSR", lambda: extract_incidence(store, "rome"), _shape)
    stage(out, "rome pairs shared>=1 (A @ A.T, filter)", lambda: pairs_of(inc.matrix, min_shared=1), _count)
    stage(out, "rome pairs shared>=2", lambda: pairs_of(inc.matrix, min_shared=2), _count)
    stage(out, "rome top-10 neighbours (default)", lambda: reduced_pairs(inc.matrix, Reduction()), _count)
    attrs = stage(out, "certification attributes (1 SELECT)", lambda: certification_attributes(store), _count)
    graph = stage(
        out,
        "networkx graph, shared>=2, Jaccard>=0.5",
        lambda: network_of(inc, attrs, reduction=Reduction("all", min_shared=2, min_jaccard=0.5), max_edges=None),
        size,
    )
    stage(out, "components + Louvain (seed 42)", lambda: annotate(graph), lambda g: f"{_communities(g):,} communities")
    stage(out, "centrality table (PageRank, betweenness)", lambda: centrality_table(graph, top=20), lambda t: t[0].node)
    stage(out, "ROME code network (A.T @ A)", lambda: code_network(inc), size)
    comp = stage(out, "competency incidence: 1 SELECT + CSR", lambda: extract_incidence(store, "competency"), _shape)
    stage(out, "competency pairs shared>=2", lambda: pairs_of(comp.matrix, min_shared=2), _count)
    return inc


def other_stages(out: list[dict[str, Any]], store: Any) -> None:
    """Lineage and equivalence."""
    from rncp_graph.analysis import equivalence_report, lineage_report
    from rncp_graph.analysis.correspondences import read_correspondences

    def families(r: Any) -> str:
        return f"{r.graph.number_of_edges():,} links, {len(r.chains):,} families"

    stage(out, "lineage report", lambda: lineage_report(store), families)
    data = stage(
        out, "read correspondences (2 SELECTs)", lambda: read_correspondences(store), lambda d: _count(d.statements)
    )
    held = sorted({s.target for s in data.statements if s.target_block})[:5]
    stage(
        out,
        "equivalence report, 1 person holding 5 certifications",
        lambda: equivalence_report(store, held, data=data),
        lambda r: f"{len(r.reachable)} reached, {sum(x.complete for x in r.reachable)} complete",
    )


def _shape(inc: Any) -> str:
    return f"{inc.matrix.shape[0]:,}×{inc.matrix.shape[1]:,} nnz {inc.matrix.nnz:,}"


def _count(items: Any) -> str:
    return f"{len(items):,}"


def _communities(graph: Any) -> int:
    return len({d["community"] for _, d in graph.nodes(data=True)})


def _bipartite(inc: Any) -> int:
    import networkx as nx
    from networkx.algorithms import bipartite

    b = nx.Graph()
    b.add_nodes_from(inc.rows, bipartite=0)
    b.add_nodes_from((f"code:{c}" for c in inc.cols), bipartite=1)
    coo = inc.matrix.tocoo()
    b.add_edges_from(
        (inc.rows[i], f"code:{inc.cols[j]}") for i, j in zip(coo.row.tolist(), coo.col.tolist(), strict=True)
    )
    return int(bipartite.weighted_projected_graph(b, inc.rows).number_of_edges())


def main() -> None:
    if "--register" in sys.argv:
        from bench_analytics_register import register_main

        raise SystemExit(register_main(sys.argv[1:]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000])
    parser.add_argument("--compare-networkx", action="store_true", help="also time networkx's bipartite projection")
    parser.add_argument(
        "--source", choices=list(SOURCES), default="model", help="generated model objects or XML export"
    )
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, compare_networkx=args.compare_networkx, source=args.source)))
        return
    report = {}
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--source", args.source]
        cmd += ["--compare-networkx"] if args.compare_networkx else []
        report[n] = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


def markdown(report: dict[int, list[dict[str, Any]]]) -> str:
    sizes = list(report)
    lines = ["| stage | " + " | ".join(f"{n:,} fiches" for n in sizes) + " |", "|---|" + "---|" * len(sizes)]
    for i, row in enumerate(report[sizes[0]]):
        cells = [
            f"{r[i]['seconds']:.2f} s · {r[i]['peak_mib']} MiB · {r[i]['result']}" for r in (report[n] for n in sizes)
        ]
        lines.append(f"| {row['stage']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
