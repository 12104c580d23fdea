"""Writing the graph exports in a forked process while the build validates the same store.

At 30k fiches, validating (Oxigraph queries on two threads, then tracing fiche owners in
Python) and writing the exports (dump, sort, N-Triples, Turtle) take about 30 s each, one after
the other, and neither keeps both cores busy all along. A forked child sees the in-memory store
as it was at the fork (copy-on-write: reading it copies nothing), writes the exports into a
staging folder inside ``out`` and reports the triple count; the parent validates meanwhile, then
moves the files into place (``os.replace``, atomic as every export) — or, when validation fails,
removes them: a failed build still writes nothing.

Only for an in-memory store (an on-disk RocksDB store has background threads a fork must not
inherit) and where processes can be forked.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..store import GraphStore
from .atomic import fsync_dir
from .rdf import export

log = logging.getLogger(__name__)

#: Below this many quads the exports take well under a second: not worth a process.
MIN_QUADS = 500_000


def suits(store: GraphStore) -> bool:
    """Whether the exports of ``store`` are worth writing in a forked process here."""
    return store.path is None and "fork" in multiprocessing.get_all_start_methods() and len(store) >= MIN_QUADS


class ExportProcess:
    """The exports of ``store`` being written into ``out`` by a forked child (see the module docstring)."""

    def __init__(self, store: GraphStore, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(store, self.staging, send), name="rncp-graph-export")
        self._process.start()
        send.close()  # the child holds the other end; EOF here if it dies

    def finish(self) -> tuple[dict[str, Path], int]:
        """Wait for the child, move its files into ``out``; returns format → path and the triple count.

        :raises: the child's exception, or :class:`ChildProcessError` when it died without a word.
        """
        try:
            try:
                outcome: tuple[str, Any] = self._receive.recv()
            except EOFError:
                outcome = ("died", None)
            self._process.join()
            if outcome[0] == "error":
                raise outcome[1]
            if outcome[0] != "done":
                raise ChildProcessError(f"the export process ended with exit code {self._process.exitcode}")
            names, count = outcome[1]
            written = {}
            for fmt, name in names.items():
                (self.staging / name).replace(self.out / name)
                written[fmt] = self.out / name
            fsync_dir(self.out)
            return written, count
        finally:
            self._cleanup()

    def cancel(self) -> None:
        """Stop the child and remove what it wrote (the build failed)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._cleanup()

    def _cleanup(self) -> None:
        self._receive.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def _child(store: GraphStore, staging: Path, send: Connection) -> None:
    """In the forked process: write the exports and send their names and the triple count."""
    try:
        written = export(store, staging)
        send.send(("done", ({fmt: path.name for fmt, path in written.items()}, store.triple_count())))
    except BaseException as exc:  # reported to the parent, which raises it
        try:
            send.send(("error", exc))
        except Exception:  # an exception that does not pickle
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        raise SystemExit(1) from None  # the parent raises it: no second traceback from here
    finally:
        send.close()
