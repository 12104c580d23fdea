"""Atomic file writing: a temp file in the same folder, fsync, then ``os.replace``.

A failed export leaves the previous file byte-identical and no ``.tmp-*`` file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_output(dest: Path) -> Iterator[IO[bytes]]:
    """Open a binary temp file next to ``dest``; on success it replaces ``dest`` atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=dest.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; a published export gets the usual mode (0666 minus the umask)
        Path(tmp).chmod(0o666 & ~_umask())
        Path(tmp).replace(dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def write_bytes(dest: Path, data: bytes) -> None:
    with atomic_output(dest) as handle:
        handle.write(data)


def write_with(dest: Path, writer: Callable[[IO[bytes]], object]) -> None:
    """Atomically write ``dest`` with ``writer(handle)``."""
    with atomic_output(dest) as handle:
        writer(handle)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    dfd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
