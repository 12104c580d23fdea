"""The CLI as a user runs it: a real process, real exit codes, real pipes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.constants import FICHES_DIR

CLI = [sys.executable, "-m", "rncp_graph"]


def test_build_then_info_through_a_closed_pipe(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = subprocess.run(
        [*CLI, "-q", "build", str(FICHES_DIR), "--out", str(out)], check=False, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert "5 loaded, 0 quarantined" in built.stdout
    # the reader is gone before the first line is written, as with `| head -0`
    with subprocess.Popen([*CLI, "info", str(out / "rncp.nt")], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        stderr = p.stderr.read()
        rc = p.wait()
    assert rc == 0, stderr
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr


def test_missing_path_is_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        [*CLI, "build", str(tmp_path / "nowhere"), "--out", str(out)], check=False, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert "nowhere" in run.stderr and "no such file or folder" in run.stderr
    assert not out.exists()
