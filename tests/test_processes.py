"""No orphan: a killed ``rncp-graph build`` takes its XML reading workers with it (issue 19 item 9).

A real build of a generated export large enough for the worker processes (≥ ``MIN_BYTES``)
runs in a process of its own; once its workers are reading, the build is sent ``SIGKILL``
(no code of it runs: the kernel kills the workers, ``PR_SET_PDEATHSIG``) or ``SIGTERM``
(it unwinds: the pool is shut down, temporary files removed). No worker may survive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rncp_graph.pipeline import xml_parallel

from .test_generator import generate_xml
from .test_serve import alive, children, wait_until

pytestmark = pytest.mark.skipif(not xml_parallel.available(), reason="worker processes are forked; no fork here")


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,100 generated fiches: 17.5 MB, three ranges for the workers; and the same zipped."""
    path = tmp_path_factory.mktemp("big") / "export-fiches-2026-01-01.xml"
    generate_xml.write(1100, path, seed=5)
    assert xml_parallel.plan(path) is not None
    with zipfile.ZipFile(path.with_suffix(".zip"), "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, path.name)
    return path


def descendants(pid: int) -> set[int]:
    found = children(pid)
    for child in list(found):
        found |= descendants(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds used by ``pid`` (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "suffix"), [(signal.SIGKILL, ".xml"), (signal.SIGTERM, ".zip")], ids=["KILL-xml", "TERM-zip"]
)
def test_a_killed_build_leaves_no_worker(big_export: Path, tmp_path: Path, signum: int, suffix: str) -> None:
    """A ``.zip`` export's member is extracted to a temporary folder the workers read: on
    ``SIGTERM`` it is removed too (``kill -9`` runs no code of the build: it stays)."""
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    source = big_export.with_suffix(suffix)
    command = [sys.executable, "-m", "rncp_graph", "-q", "build", str(source), "-j", "2", "--no-validate"]
    process = subprocess.Popen([*command, "--out", str(tmp_path / "out")], env=environment, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        wait_until(lambda: len(descendants(process.pid)) >= 2, 60, "no worker started")
        workers |= descendants(process.pid)
        # killed while they read: each has parsed for a while (its range takes seconds)
        wait_until(lambda: all(cpu_seconds(w) >= 0.3 for w in workers), 60, "the workers did not start reading")
        assert process.poll() is None, "the build ended before it could be killed"
        extracted = list(tmp_path.glob("rncp-graph-*"))
        assert len(extracted) == (suffix == ".zip")
        process.send_signal(signum)
        process.wait(timeout=30)
        wait_until(lambda: not any(alive(w) for w in workers), 10, f"workers outlived the build: {workers}")
    finally:
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)
    assert process.returncode == -signum if signum == signal.SIGKILL else 128 + signum
    if signum == signal.SIGTERM:
        assert not [path for path in extracted if path.exists()], "the extracted export was left"
