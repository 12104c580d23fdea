"""Atomic file writing: a temp file in the same folder, fsync, then ``os.replace``.

A failed export leaves the previous file byte-identical and no ``.tmp-*`` file behind.
Inside :func:`deferred`, the renames wait for the end of the block: several files replace
their previous versions together, and only when the whole block succeeded.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from ..errors import OutputError

#: how the temp files of this module are named (next to their destination): ``.tmp-<pid>@<host>-…``
_TMP_PREFIX = ".tmp-"
_HOST = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:40] or "localhost"
_OWNER = re.compile(r"^\.tmp-(?P<pid>\d+)@(?P<host>[A-Za-z0-9._]+)-")
#: (temp file, destination) pairs written inside the current :func:`deferred` block
_PENDING: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar("pending", default=None)


@contextlib.contextmanager
def atomic_output(dest: Path) -> Iterator[IO[bytes]]:
    """Open a binary temp file next to ``dest``; on success it replaces ``dest`` atomically
    (at the end of the enclosing :func:`deferred` block, if any).

    :raises OutputError: the folder or the disk refused (full, file too large, read-only, a
        file where a folder should be...): ``dest`` is left as it was, no temp file remains.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=_owned_prefix(), suffix=dest.suffix)
    except OSError as exc:
        raise output_error(exc, dest) from exc
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
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise output_error(exc, dest) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def output_error(exc: OSError, dest: Path) -> OutputError:
    """The :class:`OutputError` of a write to ``dest`` that failed with ``exc`` (its ``errno`` kept)."""
    if isinstance(exc, OutputError):
        return exc
    reason = exc.strerror or str(exc)
    other = f" ({exc.filename})" if exc.filename and Path(str(exc.filename)).parent != dest.parent else ""
    error = OutputError(f"cannot write {dest.name}: {reason}{other}; what was there is kept", file=str(dest))
    error.errno, error.strerror = exc.errno, exc.strerror
    return error


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
        except OSError as exc:
            _remove(pending[done:])
            raise output_error(exc, dest) from exc
        except BaseException:
            _remove(pending[done:])
            raise
    for folder in sorted({dest.parent for _, dest in pending}):
        _fsync_dir(folder)


def leftovers(folder: Path) -> list[Path]:
    """Temp files of this module in ``folder``: being written by a running process, or left by
    one that was killed while it wrote (``kill -9``, out of memory, power cut). Sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{_TMP_PREFIX}*") if p.is_file())


class Leftovers(NamedTuple):
    """The temp files :func:`remove_leftovers` met, by what it did with them."""

    removed: list[Path]
    #: being written by a running process of this host
    running: list[Path]
    #: written by another host, or named after no writer: it cannot be told
    unknown: list[Path]


def remove_leftovers(folder: Path) -> Leftovers:
    """Remove the temp files in ``folder`` whose writer is gone.

    A temp file is named after its writer (``.tmp-<pid>@<host>-…``). It is removed when that
    process, on this host, no longer runs. Kept: the files of running processes (another build
    writing into the same folder now), of another host (a shared folder: its processes cannot
    be seen from here), and those whose name says no writer (written by an older version).
    A pid taken again by an unrelated process keeps the file too: the safe side.
    """
    found = Leftovers([], [], [])
    for path in leftovers(folder):
        owner = _OWNER.match(path.name)
        if owner is None or owner.group("host") != _HOST:
            found.unknown.append(path)
        elif _running(int(owner.group("pid"))):
            found.running.append(path)
        else:
            path.unlink(missing_ok=True)
            found.removed.append(path)
    return found


def _owned_prefix() -> str:
    return f"{_TMP_PREFIX}{os.getpid()}@{_HOST}-"


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs (on POSIX; elsewhere every writer is assumed to run)."""
    if os.name != "posix" or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only the existence and permission checks
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


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
