"""Atomic file writing: a temp file in the same folder, fsync, then ``os.replace``.

A failed export leaves the previous file byte-identical and no ``.tmp-*`` file behind.
Inside :func:`deferred`, the renames wait for the end of the block: several files replace
their previous versions together, and only when the whole block succeeded.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

#: how the temp files of this module are named (next to their destination)
_TMP_PREFIX = ".tmp-"
#: (temp file, destination) pairs written inside the current :func:`deferred` block
_PENDING: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar("pending", default=None)


@contextlib.contextmanager
def atomic_output(dest: Path) -> Iterator[IO[bytes]]:
    """Open a binary temp file next to ``dest``; on success it replaces ``dest`` atomically
    (at the end of the enclosing :func:`deferred` block, if any)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=_TMP_PREFIX, suffix=dest.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; a published export gets the usual mode (0666 minus the umask)
        Path(tmp).chmod(0o666 & ~_umask())
        pending = _PENDING.get()
        if pending is not None:
            pending.append((Path(tmp), dest))
            return
        Path(tmp).replace(dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold back the renames of the files written atomically in this block (in this thread, and
    in threads running a copy of its context: :func:`contextvars.copy_context`).

    When the block succeeds every file replaces its destination, one rename after the other in
    the order written (the build writes its manifest last); when it raises, the temp files are
    removed and every destination is left as it was. A rename that fails (a destination that
    became a folder) stops there: the files renamed before it stay new, the temp files of the
    others are removed. A block inside another commits at its own end.
    """
    pending: list[tuple[Path, Path]] = []
    token = _PENDING.set(pending)
    try:
        yield
    except BaseException:
        _remove(pending)
        raise
    finally:
        _PENDING.reset(token)
    for done, (tmp, dest) in enumerate(pending):
        try:
            tmp.replace(dest)
        except BaseException:
            _remove(pending[done:])
            raise
    for folder in sorted({dest.parent for _, dest in pending}):
        _fsync_dir(folder)


def leftovers(folder: Path) -> list[Path]:
    """Temp files of this module left in ``folder`` by a process that was killed while it wrote
    (``kill -9``, out of memory, power cut): never renamed, never removed. Sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{_TMP_PREFIX}*") if p.is_file())


def _remove(pending: list[tuple[Path, Path]]) -> None:
    for tmp, _ in pending:
        tmp.unlink(missing_ok=True)


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
