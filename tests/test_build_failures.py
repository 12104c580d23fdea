"""A build that cannot produce a graph worth writing leaves the previous outputs byte-identical.

Each case starts from an output folder holding a good build of the five sample pages, then runs
a build that must fail, as a user does, and compares every byte of the folder afterwards.
"""

from __future__ import annotations

import errno
import importlib
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rncp_graph import build
from rncp_graph.cli import main
from rncp_graph.errors import NothingLoaded
from rncp_graph.loaders import page

from .constants import FICHES_DIR

P000 = FICHES_DIR / "000_e4491d281dd4d66c.txt"


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("good") / "out"
    build([FICHES_DIR], out=out)
    return out


@pytest.fixture
def out(good_build: Path, tmp_path: Path) -> Path:
    """A copy of the good build's output folder, for this test to try to damage."""
    return Path(shutil.copytree(good_build, tmp_path / "out"))


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16)


def _cp1252(path: Path) -> None:
    path.write_bytes(P000.read_text(encoding="utf-8").replace("’", "'").encode("cp1252"))


def _truncated(path: Path) -> None:
    text = P000.read_text(encoding="utf-8")
    cut = text.index("\n", text.index("RNCP34808BC03")) + 1  # the BC03 heading, then nothing
    path.write_text(text[:cut], encoding="utf-8")


def _fifty_megabytes(path: Path) -> None:
    with path.open("wb") as handle:  # a real page followed by a sparse 50 MB tail
        handle.write(P000.read_bytes())
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"\n")
    assert path.stat().st_size > page.MAX_PAGE_BYTES


PAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "binary": (_binary, "not UTF-8"),
    "cp1252": (_cp1252, "not UTF-8"),
    "truncated": (_truncated, "RNCP34808BC03"),
    "50mb": (_fifty_megabytes, "larger than 2097152 bytes"),
}


@pytest.mark.parametrize("case", sorted(PAGES))
def test_a_build_that_loads_no_fiche_exits_2_and_keeps_the_previous_outputs(out: Path, case: str) -> None:
    make, reason = PAGES[case]
    bad = out.parent / f"{case}.txt"
    make(bad)
    before = files(out)
    result = CliRunner().invoke(main, ["build", str(bad), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "no fiche loaded from 1 source(s), 1 quarantined" in result.output
    assert f"{case}.txt" in result.output and reason in result.output
    assert "nothing written" in result.output
    assert files(out) == before


def test_the_python_api_raises_with_the_problems_and_writes_nothing(out: Path) -> None:
    bad = out.parent / "binary.txt"
    _binary(bad)
    before = files(out)
    with pytest.raises(NothingLoaded) as caught:
        build([bad], out=out)
    assert [(p.file, p.rule, p.action) for p in caught.value.problems] == [
        ("binary.txt", "encoding", "quarantined-fiche")
    ]
    assert files(out) == before


def test_one_good_fiche_among_bad_ones_is_still_built(out: Path) -> None:
    """Only a build that loads nothing is refused: a quarantine next to a loaded fiche exits 4."""
    src = out.parent / "src"
    src.mkdir()
    shutil.copy(P000, src / "good.txt")
    _binary(src / "binary.txt")
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert "2 read, 1 loaded, 1 quarantined" in result.output


# --- the system refuses an output: disk full, file too large, not a folder, read-only ------------


class _FullDisk(io.BufferedWriter):
    """A file on a disk that fills up after its first 64 KiB (every file counts)."""

    room = 64 * 1024

    def write(self, data: Any) -> int:
        _FullDisk.room -= len(data)
        if _FullDisk.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


def _cli_build(out: Path) -> Any:
    return CliRunner().invoke(main, ["build", str(FICHES_DIR), "--out", str(out)])


def test_a_full_disk_exits_2_with_the_file_and_keeps_the_previous_outputs(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(out)
    real = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return _FullDisk(io.FileIO(fd, "wb")) if mode == "wb" else real(fd, mode, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fdopen)
    result = _cli_build(out)
    assert result.exit_code == 2, result.output
    assert "error: cannot write rncp." in result.output
    assert "No space left on device; what was there is kept" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert files(out) == before  # and no temp file left


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_file_too_large_for_the_limit_exits_2_and_keeps_the_previous_outputs(out: Path) -> None:
    """A real limit (``ulimit -f``), in a real process: the exports (380 KB of N-Triples) pass it."""
    resource = pytest.importorskip("resource")
    before = files(out)
    limit = 200_000
    assert max(map(len, before.values())) > limit

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    run = subprocess.run(
        [sys.executable, "-m", "rncp_graph", "build", str(FICHES_DIR), "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        preexec_fn=limited,
    )
    assert run.returncode == 2, run.stderr
    assert "error: cannot write rncp." in run.stderr and "File too large" in run.stderr
    assert "Traceback" not in run.stderr
    assert files(out) == before


def test_an_output_folder_under_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    result = _cli_build(tmp_path / "a-file" / "out")
    assert result.exit_code == 2, result.output
    assert "error: cannot write rncp." in result.output and "Not a directory" in result.output
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder\n"


def test_a_read_only_output_folder_exits_2(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores permission bits: the file system's answer is played by ``mkstemp``."""
    before = files(out)

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(out))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    result = _cli_build(out)
    assert result.exit_code == 2, result.output
    assert "Read-only file system" in result.output and "Traceback" not in result.output
    assert files(out) == before


def test_a_refusal_outside_the_exports_is_bad_input_too(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk met by any writer (a temporary file, a library): exit 2, not an internal error."""
    before = files(out)

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/tmp/spool")

    monkeypatch.setattr(importlib.import_module("rncp_graph.pipeline.build"), "export", full)
    result = _cli_build(out)
    assert result.exit_code == 2, result.output
    assert "error: No space left on device: /tmp/spool" in result.output and "Traceback" not in result.output
    assert files(out) == before


# --- temp files of interrupted builds -------------------------------------------------------------

_WRITER = """
import os, sys
from pathlib import Path
from rncp_graph.exports.atomic import atomic_output
with atomic_output(Path(sys.argv[1])) as handle:
    handle.write(b"half of it")
    handle.flush()
    print("writing", flush=True)
    if sys.argv[2] == "die":
        os._exit(9)  # as kill -9: nothing removed
    sys.stdin.readline()  # alive, writing, until told to finish
    handle.write(b" and the rest\\n")
"""


def test_temp_files_of_dead_writers_are_removed_by_the_next_build_and_running_ones_kept(
    out: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A writer killed mid-file leaves its temp file; the next build removes it. A writer still
    running (another build into the same folder) keeps its file, and finishes normally. A name
    that says no writer (an older version's) is kept and named."""
    writer = [sys.executable, "-c", _WRITER]
    dead = subprocess.run([*writer, str(out / "rncp.nt"), "die"], check=False, capture_output=True, text=True)
    assert dead.returncode == 9 and dead.stdout == "writing\n", dead.stderr
    [left] = [p for p in out.glob(".tmp-*")]
    assert left.name.startswith(".tmp-") and "@" in left.name and left.read_bytes() == b"half of it"
    legacy = out / ".tmp-k2j4h1.ttl"
    legacy.write_bytes(b"@prefix x: <urn:x#> .\n")
    with subprocess.Popen(
        [*writer, str(out / "other.txt"), "wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as p:
        assert p.stdout is not None and p.stdin is not None
        assert p.stdout.readline() == b"writing\n"
        running = {q for q in out.glob(".tmp-*")} - {left, legacy}
        assert len(running) == 1
        with caplog.at_level(logging.INFO, logger="rncp_graph"):
            build([FICHES_DIR], out=out)
        assert (
            not left.exists() and f"removed 1 temp file(s) of interrupted builds from {out}: {left.name}" in caplog.text
        )
        assert all(q.exists() for q in running) and legacy.exists()
        assert "1 temp file(s) of an interrupted build (.tmp-k2j4h1.ttl" in caplog.text
        p.stdin.write(b"finish\n")
        p.stdin.close()
        assert p.wait() == 0
    assert (out / "other.txt").read_bytes() == b"half of it and the rest\n"
    assert sorted(q.name for q in out.glob(".tmp-*")) == [legacy.name]
