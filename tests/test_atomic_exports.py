"""Exports are atomic: a failed write leaves the old file byte-identical and no temp file."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import IO

import pytest

from rncp_graph.exports.atomic import deferred, write_bytes, write_with


def test_success_replaces_file(tmp_path: Path) -> None:
    dest = tmp_path / "rncp.nt"
    write_bytes(dest, b"old\n")
    write_bytes(dest, b"new\n")
    assert dest.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rncp.nt"]


def test_failure_midway_keeps_previous_export(tmp_path: Path) -> None:
    dest = tmp_path / "rncp.ttl"
    write_bytes(dest, b"previous export\n")

    def broken(handle: IO[bytes]) -> None:
        handle.write(b"@prefix half: <")
        raise ValueError("invalid IRI met while serialising")

    with pytest.raises(ValueError, match="invalid IRI"):
        write_with(dest, broken)
    assert dest.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rncp.ttl"]


def test_disk_full_keeps_previous_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "manifest.json"
    write_bytes(dest, b"{}\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        write_bytes(dest, b'{"new": true}\n')
    assert dest.read_bytes() == b"{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_deferred_writes_replace_their_files_together_at_the_end(tmp_path: Path) -> None:
    write_bytes(tmp_path / "rncp.nt", b"old nt\n")
    with deferred():
        write_bytes(tmp_path / "rncp.nt", b"new nt\n")
        write_bytes(tmp_path / "manifest.json", b"{}\n")
        # written and synced, not yet in place
        assert (tmp_path / "rncp.nt").read_bytes() == b"old nt\n"
        assert not (tmp_path / "manifest.json").exists()
    assert (tmp_path / "rncp.nt").read_bytes() == b"new nt\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "rncp.nt"]


def test_a_failure_in_a_deferred_block_keeps_every_previous_file(tmp_path: Path) -> None:
    write_bytes(tmp_path / "rncp.nt", b"old nt\n")
    with pytest.raises(RuntimeError, match="validation failed"), deferred():
        write_bytes(tmp_path / "rncp.nt", b"new nt\n")
        write_bytes(tmp_path / "rncp.ttl", b"new ttl\n")
        raise RuntimeError("validation failed")
    assert (tmp_path / "rncp.nt").read_bytes() == b"old nt\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rncp.nt"]  # no temp file left


def test_a_rename_that_fails_at_the_end_of_a_deferred_block_leaves_no_temp_file(tmp_path: Path) -> None:
    write_bytes(tmp_path / "manifest.json", b"old\n")
    (tmp_path / "rncp.ttl").mkdir()  # a folder where a file is to go: its rename fails
    (tmp_path / "rncp.ttl" / "x").write_bytes(b"")
    with pytest.raises(OSError), deferred():
        write_bytes(tmp_path / "rncp.nt", b"new nt\n")
        write_bytes(tmp_path / "rncp.ttl", b"new ttl\n")
        write_bytes(tmp_path / "manifest.json", b"new\n")
    assert (tmp_path / "rncp.nt").read_bytes() == b"new nt\n"  # renamed before the failure
    assert (tmp_path / "manifest.json").read_bytes() == b"old\n"  # written last, not renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "rncp.nt", "rncp.ttl"]
