"""Child processes die with their parent, and ``SIGTERM`` unwinds the stack as an exit would.

* :func:`die_with_parent` runs in a child (an XML reading worker, the Oxigraph server before
  ``exec``): on Linux, ``prctl(PR_SET_PDEATHSIG)`` has the kernel send it a signal when the
  parent dies — even by ``kill -9``, when no code of the parent runs. The signal is sent when
  the *thread* that started the child ends, so children are started from the main thread.
* :func:`exit_on_sigterm` (installed by the console script) turns ``SIGTERM`` into
  ``SystemExit(143)``: ``finally`` blocks and context managers run, so worker pools are shut
  down, the Oxigraph server is stopped and temporary folders are removed, as on Ctrl-C.
* :func:`owned_folder` is a temporary folder that names the process owning it: the folders a
  process killed by ``kill -9`` left (no code of it ran) are removed by the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

#: ``<linux/prctl.h>``
PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # a libc without prctl (not glibc nor musl)
        return None


#: looked up once, in the parent: a forked child only calls it
_PRCTL = _prctl()


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """In a freshly started child: receive ``signum`` when the process ``parent`` dies.

    If the parent died before this call (the child was re-parented), the child exits at once.
    Elsewhere than on Linux this does nothing (the parent's own handlers still stop children).
    Safe between ``fork`` and ``exec`` (``preexec_fn``): it takes no lock (no logging, no
    import, no allocation worth the name), so threads of the parent cannot deadlock it.
    """
    if _PRCTL is None:
        return
    _PRCTL(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)  # cannot fail with a valid signal number
    if os.getppid() != parent:
        os._exit(1)


#: set when SIGTERM was received: clean-up code stops children at once rather than wait for them
terminating = threading.Event()


def exit_on_sigterm() -> None:
    """From the main thread: ``SIGTERM`` raises ``SystemExit(143)`` (128 + 15, as a shell reports it).

    A second ``SIGTERM`` during the clean-up kills the process as by default.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        terminating.set()
        log.warning("terminated (SIGTERM): stopping child processes, removing temporary files")
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


#: the file, in a folder made by :func:`owned_folder`, holding the pid of the process that owns it
OWNER = ".owner-pid"


@contextlib.contextmanager
def owned_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder (where ``TMPDIR`` says) removed when the block ends, after the folders
    of the same ``prefix`` whose owner process is dead (:func:`remove_orphans`)."""
    remove_orphans(Path(tempfile.gettempdir()), prefix)
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        (Path(folder) / OWNER).write_text(str(os.getpid()), encoding="ascii")
        yield Path(folder)


def remove_orphans(parent: Path, prefix: str) -> list[Path]:
    """Remove the folders ``parent/prefix*`` whose owner process is dead; those removed.

    A folder without an owner file, or whose owner runs (or whose pid was reused), is kept.
    """
    removed = []
    for folder in sorted(parent.glob(prefix + "*")):
        try:
            owner = int((folder / OWNER).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            log.info("removing %s, left by process %d (killed)", folder, owner)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
