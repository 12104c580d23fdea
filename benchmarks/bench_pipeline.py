"""End-to-end benchmark of the pipeline, per stage, incremental, against the naive pipeline and the ceiling.

Usage::

    .venv/bin/python benchmarks/bench_pipeline.py --sizes 1000 10000 30000          # everything
    .venv/bin/python benchmarks/bench_pipeline.py --sizes 1000 --modes e2e ceiling  # the smoke test

Inputs are XML exports (flux v4.1) written by ``benchmarks/generate_xml.py`` (seed 1, kept in
``benchmarks/results/tmp/``), plus the real 2021 CSV register when ``--csv`` names it. Every
measurement runs in a fresh subprocess (this script with ``--worker``), so its peak resident
memory is its own: ``peak`` is ``ru_maxrss`` of the worker, ``children`` that of its validation
pool (forked workers, max of them), and each stage of a ``staged`` run has the peak sampled from
``/proc/self/status`` every 20 ms while it ran. Modes:

- ``e2e``: ``rncp_graph.build([xml], out=tmp, jobs=J)`` (read, map, load, validate, write
  Turtle + N-Triples + manifest), with the memory of all its processes together
  (:class:`SystemMemory`); ``e2e-novalidate`` the same with ``validate=False``;
- ``staged``: the same steps as ``build`` done one by one in one process (read, map + load,
  canonical lines, validate, write N-Triples, write Turtle), each timed with its own peak;
- ``incremental``: an on-disk store, then one fiche changes: ``rncp_graph.pipeline.update`` in this
  process, ``rncp-graph update`` in a new one (see :func:`worker_incremental`);
- ``naive``: rdflib ``Graph`` + ``g.add`` per triple, pyshacl on the whole graph, rdflib
  ``serialize`` (Turtle up to ``--naive-ttl-max`` fiches), under ``--naive-timeout``;
- ``ceiling``: pyoxigraph loading our ``rncp.nt`` into a ``Store`` (and dumping Turtle).

Each result is one JSON line in ``<out-dir>/<name>.jsonl`` (with the load average; the file
accumulates runs) and the Markdown table of all its rows goes to ``<out-dir>/<name>.md``
(``--name`` defaults to ``pipeline``). Work files (exports, stores, logs) go to
``<out-dir>/tmp/`` (git-ignored for the default out-dir).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_xml  # noqa: E402

DEFAULT_CSV = Path("/work/shared/data/rncp-2021-official-csv-layout")
#: runs of each ``rncp-graph update`` of the incremental mode (median reported)
CLI_RUNS = 5
MODES = ("e2e", "e2e-novalidate", "staged", "incremental", "naive", "ceiling")
MIB = 1024 * 1024


# -- measuring inside a worker --------------------------------------------------------------
def rss_now() -> int:
    """Resident memory of this process in bytes (``VmRSS``)."""
    return _status("VmRSS")


def peaks() -> dict[str, int]:
    """High-water marks (MiB) of this process and of its waited-for children."""
    return {
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "children_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }


class Sampler:
    """Times a block and keeps its peak RSS.

    The kernel's high-water mark (``VmHWM``) is reset at the start of each stage (``5`` written
    to ``/proc/self/clear_refs``) and read at its end, so the peak is exact even while a Rust
    call holds the GIL. Where the reset is refused, a thread samples ``VmRSS`` every 20 ms.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.current = 0
        self.exact = _reset_hwm()
        if not self.exact:
            threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            self.current = max(self.current, rss_now())
            time.sleep(self.interval)

    @contextlib.contextmanager
    def stage(self, name: str, into: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        row: dict[str, Any] = {"stage": name, "rss_before_mib": rss_now() // MIB}
        self.current = rss_now()
        _reset_hwm()
        started = time.perf_counter()
        yield row
        row["seconds"] = round(time.perf_counter() - started, 3)
        peak = _status("VmHWM") if self.exact else max(self.current, rss_now())
        row["stage_peak_mib"] = peak // MIB
        into.append(row)
        emit("STAGE", row)


class SystemMemory:
    """Peak memory in use by the whole run, its worker processes included: the largest drop of
    ``MemAvailable`` (``/proc/meminfo``) below its value at the start, sampled every 0.1 s.

    ``ru_maxrss`` is one process's peak; forked workers share pages with the parent until
    either writes them, so adding their peaks would overcount. Read it on an otherwise idle
    machine (another program's memory counts too)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.start = self.lowest = _meminfo("MemAvailable")
        self.running = True
        self.thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self.thread.start()

    def _run(self, interval: float) -> None:
        while self.running:
            self.lowest = min(self.lowest, _meminfo("MemAvailable"))
            time.sleep(interval)

    def stop(self) -> int:
        """Stop sampling; the peak in MiB."""
        self.running = False
        self.thread.join()
        return (self.start - self.lowest) // MIB


def _meminfo(key: str) -> int:
    """A ``kB`` field of ``/proc/meminfo``, in bytes (0 where there is none)."""
    with contextlib.suppress(OSError), Path("/proc/meminfo").open(encoding="ascii") as handle:
        for row in handle:
            if row.startswith(key + ":"):
                return int(row.split()[1]) * 1024
    return 0


def _status(key: str) -> int:
    """A ``kB`` field of ``/proc/self/status``, in bytes."""
    with Path("/proc/self/status").open(encoding="ascii") as handle:
        for row in handle:
            if row.startswith(key + ":"):
                return int(row.split()[1]) * 1024
    return 0


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def emit(kind: str, row: dict[str, Any]) -> None:
    print(kind, json.dumps(row, default=str), flush=True)


# -- workers --------------------------------------------------------------------------------
def worker_e2e(args: argparse.Namespace) -> dict[str, Any]:
    from rncp_graph import build

    out = args.work / f"out-e2e-{args.label}"
    shutil.rmtree(out, ignore_errors=True)
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="LOG %(name)s %(message)s")
    logging.getLogger("rncp_graph.validate").setLevel(logging.INFO)
    system = SystemMemory()
    started = time.perf_counter()
    result = build([args.source], out=out, jobs=args.jobs, validate=not args.no_validate)
    seconds = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        "seconds": round(seconds, 2),
        "stages_s": {k: round(v, 1) for k, v in result.timings.items()},
        "all_processes_mib": system.stop(),
        "fiches": result.fiches_loaded,
        "quarantined": result.fiches_quarantined,
        "quads": len(result.store),
        "triples": manifest["triples"],
        "validation": manifest["validation"],
        "nt_mb": round((out / "rncp.nt").stat().st_size / 1e6, 1),
        "ttl_mb": round((out / "rncp.ttl").stat().st_size / 1e6, 1),
    }


def worker_staged(args: argparse.Namespace) -> dict[str, Any]:
    """The steps of :func:`rncp_graph.pipeline.build.build`, one by one, each with its time and peak."""
    from rncp_graph.exports.rdf import write_ntriples, write_turtle
    from rncp_graph.mapping import ntriples_chunks
    from rncp_graph.pipeline import merge
    from rncp_graph.pipeline.build import Build, _load_schemes, _load_source, write_outputs
    from rncp_graph.pipeline.sources import expand
    from rncp_graph.pipeline.stages import read_source
    from rncp_graph.store import GraphStore
    from rncp_graph.validate import validate

    out = args.work / f"out-staged-{args.label}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sampler = Sampler()
    stages: list[dict[str, Any]] = []
    files = expand([args.source])
    with sampler.stage("read + parse (loader, one process)", stages) as row:
        results = [read_source(f) for f in files]
        row["fiches"] = sum(len(r.fiches) for r in results)
    with sampler.stage("map + load into Oxigraph (memory, one process)", stages) as row:
        result = Build(store=GraphStore(None), results=results)
        result.facts = [merge.facts_of(f) for r in results for f in r.fiches]
        result.problems = [p for r in results for p in r.problems] + merge.conflicts(result.facts)
        _load_schemes(result.store)
        for path, loaded in zip(files, results, strict=True):
            chunks = ntriples_chunks(loaded.fiches)
            result.sources.append(
                _load_source(result.store, path, loaded.loader, loaded.export_date, chunks, keep_lines=True)
            )
        row["quads"] = len(result.store)
    with sampler.stage("canonical lines (dump, sort, dedupe)", stages) as row:
        row["triples"] = result.store.triple_count()
    if not args.no_validate:
        with sampler.stage(f"validate (sparql, jobs={args.jobs} threads)", stages) as row:
            report = validate(result.store, jobs=args.jobs)
            row["summary"] = report.summary()
            result.validation = report.as_manifest()
    with sampler.stage("write N-Triples", stages):
        write_ntriples(result.store, out / "rncp.nt")
    with sampler.stage("write Turtle", stages):
        write_turtle(result.store, out / "rncp.ttl")
    with sampler.stage("write manifest + errors (build's write_outputs, both exports again)", stages):
        write_outputs(result, out / "all")
    return {"stages": stages}


def worker_ceiling(args: argparse.Namespace) -> dict[str, Any]:
    import pyoxigraph as ox

    sampler = Sampler()
    stages: list[dict[str, Any]] = []
    store = ox.Store()
    with sampler.stage("pyoxigraph load rncp.nt into a Store", stages) as row:
        store.load(path=str(args.source), format=ox.RdfFormat.N_TRIPLES)
        row["triples"] = len(store)
    with sampler.stage("pyoxigraph dump Turtle", stages):
        store.dump(
            str(args.work / f"ceiling-{args.label}.ttl"), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()
        )
    return {"stages": stages}


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "\\": "\\", "'": "'"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if len(code) > 1 else _SIMPLE[code]


def rdflib_term(text: str) -> Any:
    """An N-Triples term of our mapper as the rdflib term a naive mapper would have built."""
    import rdflib

    if text.startswith("<"):
        return rdflib.URIRef(text[1:-1])
    if text.startswith("_:"):
        return rdflib.BNode(text[2:])
    end = text.rindex('"')
    value = _ESCAPE.sub(_unescape, text[1:end])
    rest = text[end + 1 :]
    if rest.startswith("@"):
        return rdflib.Literal(value, lang=rest[1:])
    if rest.startswith("^^"):
        return rdflib.Literal(value, datatype=rdflib.URIRef(rest[3:-1]))
    return rdflib.Literal(value)


def worker_naive(args: argparse.Namespace) -> dict[str, Any]:
    """rdflib ``Graph`` + ``g.add``, pyshacl on the whole graph, rdflib serialisers."""
    import pyshacl
    import rdflib
    from rdflib.namespace import XSD

    from rncp_graph.mapping import fiche_to_triples
    from rncp_graph.pipeline.sources import expand
    from rncp_graph.pipeline.stages import read_source
    from rncp_graph.resources import scheme_files
    from rncp_graph.validate.shapes import shapes_dir

    sampler = Sampler()
    stages: list[dict[str, Any]] = []
    files = expand([args.source])
    with sampler.stage("read + parse (our loader, same as ours)", stages):
        results = [read_source(f) for f in files]
    graph = rdflib.Graph()
    with sampler.stage("map + g.add per triple (rdflib Graph)", stages) as row:
        for path in scheme_files():
            graph.parse(path)
        for loaded in results:
            for fiche in loaded.fiches:
                for s, p, o in fiche_to_triples(fiche):
                    graph.add((rdflib_term(s), rdflib_term(p), rdflib_term(o)))
        row["triples"] = len(graph)
    if "validate" not in args.naive_skip:
        with sampler.stage("pyshacl.validate(whole graph, shapes/*.ttl)", stages) as row:
            shapes = rdflib.Graph()
            for path in sorted(shapes_dir().glob("*.ttl")):
                shapes.parse(path)
            as_of = rdflib.URIRef("https://w3id.org/rncp-graph/shapes#asOf")
            for shape in list(shapes.subjects(as_of, None)):
                shapes.set((shape, as_of, rdflib.Literal(date.today().isoformat(), datatype=XSD.date)))
            conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes)
            row["conforms"] = conforms
    if "ttl" not in args.naive_skip:
        with sampler.stage("g.serialize(format='turtle')", stages):
            graph.serialize(destination=str(args.work / f"naive-{args.label}.ttl"), format="turtle")
    with sampler.stage("g.serialize(format='nt')", stages):
        graph.serialize(destination=str(args.work / f"naive-{args.label}.nt"), format="nt")
    return {"stages": stages}


def worker_incremental(args: argparse.Namespace) -> dict[str, Any]:
    """One fiche changes in a built on-disk store: :func:`rncp_graph.pipeline.update.update` and ``rncp-graph update``.

    Setup (timed, not part of the target): the export built into an on-disk store
    (``validate=False``), then closed. Then three updates of one fiche (the first with blocks
    after the middle of the export),
    each timed from opening the store: (1) its title edited, through the API in this process
    (stage times, nodes revalidated, report); (2) its blocks removed, and (3) back to its
    original text, each with the command ``rncp-graph update --store S FILE`` in a new process
    (wall time, interpreter start and imports included: the time a user waits), (2) and (3)
    alternating :data:`CLI_RUNS` times (median and every run reported).
    """
    from rncp_graph import build
    from rncp_graph.pipeline.update import update
    from rncp_graph.store import GraphStore

    sampler = Sampler()
    stages: list[dict[str, Any]] = []
    store_dir = args.work / f"store-{args.label}"
    shutil.rmtree(store_dir, ignore_errors=True)
    with sampler.stage("setup: build into an on-disk store (validate=False)", stages) as row:
        built = build([args.source], store_path=store_dir, validate=False, jobs=args.jobs)
        row["quads"] = len(built.store)
    del built
    gc.collect()  # closes the store: the commands below open it
    data = args.source.read_bytes()
    at = data.index(b"<BLOCS_COMPETENCES>", len(data) // 2)  # the first fiche with blocks after the middle
    start, end = data.rindex(b"<FICHE>", 0, at), data.index(b"</FICHE>", at) + len(b"</FICHE>")
    fiche = data[start:end]
    del data
    head = (generate_xml.HEAD + f"    {generate_xml.text('VERSION_FLUX', generate_xml.VERSION)}\n    ").encode()
    variants = {
        "title": fiche.replace(b"<INTITULE>", "<INTITULE>Modifié : ".encode(), 1),
        "blocks removed": re.sub(rb"<BLOCS_COMPETENCES>.*?</BLOCS_COMPETENCES>", b"", fiche, flags=re.S),
        "original": fiche,
    }
    files = {}
    for name, text in variants.items():
        files[name] = args.work / f"delta-{name.replace(' ', '-')}-{args.label}.xml"
        files[name].write_bytes(head + text + b"\n</FICHES>\n")
    with sampler.stage("(1) API: GraphStore(S) + update([title edited], severity=warning)", stages) as row:
        done = update(GraphStore(store_dir), [files["title"]], severity="warning")  # as the command lists
        assert done.report is not None
        row.update(
            timings={k: round(v, 3) for k, v in done.timings.items()},
            changes=[c.__dict__ for c in done.changes],
            nodes=len(done.affected),
            report=done.report.summary(),
        )
    del done
    gc.collect()
    # (2) and (3) alternate CLI_RUNS times: one run's wall time varies by ±25 % with the state
    # of RocksDB's files and the page cache; the row's seconds are the median
    walls: dict[str, list[float]] = {"blocks removed": [], "original": []}
    outputs: dict[str, tuple[int, list[str]]] = {}
    for _ in range(CLI_RUNS):
        for name, runs in walls.items():
            command = [sys.executable, "-m", "rncp_graph", "update", "--store", str(store_dir), str(files[name])]
            started = time.perf_counter()
            ran = subprocess.run(command, capture_output=True, text=True, check=False)
            runs.append(round(time.perf_counter() - started, 3))
            outputs[name] = (ran.returncode, ran.stdout.splitlines()[:8])
    for step, (name, times) in enumerate(walls.items(), start=2):
        exit_code, output = outputs[name]
        # the memory column is this process's, as for the other stages (the command's own is not sampled)
        row = {
            "stage": f"({step}) CLI: rncp-graph update ({name}), median of {CLI_RUNS}",
            "stage_peak_mib": rss_now() // MIB,
        }
        row.update(seconds=statistics.median(times), runs_s=times, exit_code=exit_code, output=output)
        stages.append(row)
        emit("STAGE", row)
    command = [sys.executable, "-c", "import rncp_graph.cli, rncp_graph.update"]
    with sampler.stage("(for comparison) a new process importing the CLI", stages):
        subprocess.run(command, check=True)
    return {"stages": stages}


def worker_api_rebuild(args: argparse.Namespace) -> dict[str, Any]:
    """``build([changed], store_path=S)`` on a store built from the original file (the only API)."""
    from rncp_graph import build

    store_dir = args.work / f"store-api-{args.label}"
    shutil.rmtree(store_dir, ignore_errors=True)
    first = build([args.source], store_path=store_dir, validate=False)
    graphs_before = len(first.store.graphs())
    del first
    gc.collect()
    data = args.source.read_bytes()
    at = data.index(b"<INTITULE>", len(data) // 2)
    changed = args.work / f"changed-api-{args.source.name}"
    changed.write_bytes(data[: at + 10] + b"Modifi\xc3\xa9 : " + data[at + 10 :])
    started = time.perf_counter()
    again = build([changed], store_path=store_dir, jobs=args.jobs)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "graphs_before": graphs_before,
        "graphs_after": len(again.store.graphs()),
        "quads": len(again.store),
        "validation": again.validation,
    }


WORKERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "e2e": worker_e2e,
    "staged": worker_staged,
    "ceiling": worker_ceiling,
    "naive": worker_naive,
    "incremental": worker_incremental,
    "api-rebuild": worker_api_rebuild,
}


def cpu_seconds() -> dict[str, float]:
    """CPU time of this process and of its waited-for children (the build's reading workers).

    Steadier than the wall clock on a shared machine, not steady: when this VM is slow, the same
    build also takes more CPU seconds (110 → 140 s user at 30k within an hour).
    """
    times = os.times()
    return {
        "user": round(times.user + times.children_user, 1),
        "system": round(times.system + times.children_system, 1),
    }


def run_worker(args: argparse.Namespace) -> int:
    result = WORKERS[args.worker](args)
    result.update(peaks())
    result["cpu_s"] = cpu_seconds()
    # the per-stage resets of VmHWM also reset ru_maxrss: the process peak is the largest stage peak
    stage_peaks = [s["stage_peak_mib"] for s in result.get("stages", [])]
    result["peak_mib"] = max([result["peak_mib"], *stage_peaks])
    emit("RESULT", result)
    return 0


# -- the driver -----------------------------------------------------------------------------
@dataclass
class Driver:
    out_dir: Path
    jobs: int
    name: str = "pipeline"
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def work(self) -> Path:
        return self.out_dir / "tmp"

    def run(self, worker: str, label: str, source: Path, *extra: str, timeout: float | None = None) -> dict[str, Any]:
        """Run one worker in a fresh process; its result row (also appended to the JSONL file)."""
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, "--label", label]
        command += ["--source", str(source), "--work", str(self.work), "--jobs", str(self.jobs), *extra]
        log = self.work / f"{worker}-{label}.log"
        load_before = os.getloadavg()
        probe = speed_probe()
        started = time.perf_counter()
        print(f"[{time.strftime('%H:%M:%S')}] {worker} {label} ...", file=sys.stderr, flush=True)
        with log.open("w", encoding="utf-8") as handle:
            process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
            try:
                process.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                timed_out = True
        row: dict[str, Any] = {"worker": worker, "label": label, "wall": round(time.perf_counter() - started, 2)}
        stages: list[dict[str, Any]] = []
        for text in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if text.startswith("RESULT "):
                row.update(json.loads(text[7:]))
            elif text.startswith("STAGE "):
                stages.append(json.loads(text[6:]))
            elif text.startswith("LOG rncp_graph.validate validation"):
                row["validation_log"] = text[4:]
        row.setdefault("stages", stages)
        row.update(
            timed_out=timed_out,
            returncode=process.returncode,
            load_before=[round(x, 2) for x in load_before],
            probe_s=probe,
            load_after=[round(x, 2) for x in os.getloadavg()],
            when=time.strftime("%Y-%m-%d %H:%M:%S"),
            commit=_git("rev-parse", "--short", "HEAD"),
            src_dirty=bool(_git("status", "--porcelain", "src")),
        )
        if process.returncode != 0 and not timed_out:
            row["error"] = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        print(json.dumps({k: v for k, v in row.items() if k != "error"}, default=str), file=sys.stderr, flush=True)
        with (self.out_dir / f"{self.name}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, default=str) + "\n")
        self.rows.append(row)
        return row


def speed_probe() -> float:
    """Seconds of a fixed piece of Python work (best of three, ~0.2 s each), timed before each run.

    This machine's speed moves by a third within an hour (the same 30k build: 64.8 s, then 96 s);
    a run's seconds divided by the probe's compare across such moves better than seconds alone.
    """
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        words = [f"{i:07d}-{i * 7919 % 100003}" for i in range(200_000)]
        words.sort(key=lambda w: w[::-1])
        _ = {w: len(w) for w in words}
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def _git(*args: str) -> str:
    """Output of a git command in the repository ('' when git is missing): which code was measured."""
    try:
        done = subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return done.stdout.strip()


def xml_for(size: int, folder: Path) -> Path:
    """The generated export of ``size`` fiches (seed 1), written once."""
    path = folder / f"export-fiches-{size}-2026-01-01.xml"
    if not path.exists():
        generate_xml.write(size, path, seed=1)
    return path


def bench_size(driver: Driver, size: int, modes: list[str], args: argparse.Namespace) -> None:
    label = str(size)
    source = xml_for(size, driver.work)
    if "e2e" in modes:
        driver.run("e2e", label, source, timeout=args.e2e_timeout)
    if "staged" in modes:
        driver.run("staged", label, source, *(["--no-validate"] if size > args.staged_validate_max else []))
    if "ceiling" in modes:
        nt = driver.work / f"out-e2e-{label}" / "rncp.nt"
        if not nt.exists():
            nt = driver.work / f"out-staged-{label}" / "rncp.nt"
        if nt.exists():
            driver.run("ceiling", label, nt)
    if "naive" in modes and size <= args.naive_max:
        skip = ([] if size <= args.naive_ttl_max else ["ttl"]) + (["validate"] if args.naive_no_validate else [])
        name = f"{label}-novalidate" if args.naive_no_validate else label
        driver.run("naive", name, source, "--naive-skip", *skip, "none", timeout=args.naive_timeout)
    if "incremental" in modes and size <= args.incremental_max:
        driver.run("incremental", label, source)
        if size <= 1000:
            driver.run("api-rebuild", label, source)
    if "e2e-novalidate" in modes:
        driver.run("e2e", f"{label}-novalidate", source, "--no-validate")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 30000])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--jobs", type=int, default=2, help="validation processes")
    parser.add_argument(
        "--csv", type=Path, default=None, help=f"a CSV register to build end to end (e.g. {DEFAULT_CSV})"
    )
    parser.add_argument("--e2e-timeout", type=float, default=None, help="seconds before an e2e run is killed")
    parser.add_argument("--naive-max", type=int, default=10000, help="largest size run naively")
    parser.add_argument("--naive-ttl-max", type=int, default=1000, help="largest size serialised to Turtle by rdflib")
    parser.add_argument("--naive-no-validate", action="store_true", help="naive run without pyshacl")
    parser.add_argument("--naive-timeout", type=float, default=900.0, help="seconds before the naive run is killed")
    parser.add_argument("--staged-validate-max", type=int, default=1000, help="largest size validated in 'staged'")
    parser.add_argument("--incremental-max", type=int, default=30000, help="largest size of the incremental run")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--name", default="pipeline", help="results go to <out-dir>/<name>.jsonl and .md")
    # worker mode (internal)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--naive-skip", nargs="*", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)
    driver = Driver(args.out_dir, args.jobs, args.name)
    driver.work.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        bench_size(driver, size, args.modes, args)
    if args.csv is not None:
        if args.csv.exists():
            driver.run("e2e", f"csv-{args.csv.name}", args.csv, timeout=args.e2e_timeout)
        else:
            print(f"no CSV register at {args.csv}: skipped", file=sys.stderr)
    results = args.out_dir / f"{args.name}.jsonl"
    rows = [json.loads(t) for t in results.read_text(encoding="utf-8").splitlines() if t] if results.exists() else []
    report = markdown(rows, args.jobs)
    (args.out_dir / f"{args.name}.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


# -- the report -----------------------------------------------------------------------------
def markdown(rows: list[dict[str, Any]], jobs: int) -> str:
    import pyoxigraph

    lines = [
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}; "
        f"validation jobs={jobs}; {time.strftime('%Y-%m-%d')}.",
        "",
        "| run | what | seconds | peak MiB (pool) | load avg before→after | notes |",
        "|---|---|---:|---:|---|---|",
    ]
    for row in rows:
        load = f"{row['load_before'][0]:.1f}→{row['load_after'][0]:.1f}"
        if row.get("commit"):
            load += f" @{row['commit']}{'+' if row.get('src_dirty') else ''}"
        peak = f"{row.get('peak_mib', '—')} ({row.get('children_peak_mib', '—')})"
        if row.get("timed_out"):
            note = f"**timed out** after {row['wall']:.0f} s"
        elif row.get("returncode"):
            note = "**failed** (see log)"
        else:
            note = _notes(row)
        total = row.get("seconds", "")
        lines.append(f"| {row['worker']} {row['label']} | total | {total} | {peak} | {load} | {note} |")
        lines.extend(
            f"| | {s['stage']} | {s['seconds']:.2f} | {s['stage_peak_mib']} | | "
            + ", ".join(f"{k}={v}" for k, v in s.items() if k not in {"stage", "seconds", "stage_peak_mib"})
            + " |"
            for s in row.get("stages", [])
        )
    return "\n".join(lines) + "\n"


def _notes(row: dict[str, Any]) -> str:
    keys = ("fiches", "quads", "triples", "nt_mb", "ttl_mb", "graphs_before", "graphs_after", "B_seconds", "C_seconds")
    parts = [f"{k}={row[k]}" for k in keys if k in row]
    if isinstance(row.get("cpu_s"), dict) and row.get("seconds"):
        cpu = row["cpu_s"]["user"] + row["cpu_s"]["system"]
        parts.append(
            f"CPU {cpu:.0f} s ({row['cpu_s']['user']:.0f} user + {row['cpu_s']['system']:.0f} system, "
            f"{cpu / row['seconds']:.2f} cores busy)"
        )
    if row.get("probe_s"):
        parts.append(f"speed probe {row['probe_s']} s")
    if "all_processes_mib" in row:
        parts.append(f"all processes {row['all_processes_mib']} MiB")
    if row.get("stages_s"):
        parts.append(" · ".join(f"{k} {v} s" for k, v in row["stages_s"].items()))
    if row.get("validation_log"):
        parts.append(row["validation_log"])
    if isinstance(row.get("validation"), dict):
        parts.append(str(row["validation"].get("summary", "")))
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
