"""A real Virtuoso server on loopback for the tests (Debian's ``virtuoso-opensource``).

:class:`VirtuosoServer` writes a ``virtuoso.ini`` of its own into a temporary folder (the
database, its log and lock files go there; SQL and HTTP ports are free loopback ports), starts
``virtuoso-t +foreground``, waits until ``/sparql`` answers ``ASK {}``, and grants the role
``SPARQL_UPDATE`` to the user ``SPARQL`` with ``isql-vt`` (as the default ``dba`` of a fresh
database) so that ``/sparql`` takes updates and ``/sparql-graph-crud`` takes the Graph Store
Protocol without authentication. The server dies with the test process (``PR_SET_PDEATHSIG``).

``bash scripts/ensure-virtuoso.sh`` installs the package; without it the tests marked
``virtuoso`` are skipped with that hint.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from rncp_graph.processes import die_with_parent
from rncp_graph.push import StoreEndpoints
from rncp_graph.serve import free_port

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
MISSING = "Virtuoso is not installed (virtuoso-t, isql-vt): bash scripts/ensure-virtuoso.sh"
#: the Debian package's pages served at the HTTP root (the SPARQL endpoints do not need them)
VSP = "/var/lib/virtuoso-opensource-7/vsp"

INI = """\
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = .
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {vsp}
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 60
"""


class VirtuosoServer:
    """A Virtuoso server over a fresh database in ``folder``, on two free loopback ports."""

    def __init__(self, folder: Path) -> None:
        if VIRTUOSO is None or ISQL is None:
            raise RuntimeError(MISSING)
        self.folder = folder
        self.sql_port, self.http_port = free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoints(self) -> StoreEndpoints:
        return StoreEndpoints.virtuoso(self.url)

    def start(self, *, wait: float = 90.0) -> VirtuosoServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(sql_port=self.sql_port, http_port=self.http_port, vsp=VSP), encoding="utf-8")
        assert VIRTUOSO is not None
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=functools.partial(die_with_parent, os.getpid(), signal.SIGTERM),  # noqa: PLW1509
        )
        deadline = time.monotonic() + wait
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Virtuoso did not start on {self.url}: {self.log()[-800:]}")
            time.sleep(0.2)
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        return self

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%7D", timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def isql(self, statement: str) -> str:
        """Run one SQL statement as ``dba`` (the default password of a fresh database)."""
        assert ISQL is not None
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt {statement!r} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def version(self) -> str:
        """What the server says it is (its ``Server`` header), e.g. ``Virtuoso/07.20.3229 (Linux) ...``."""
        with urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%7D", timeout=5) as answer:
            return str(answer.headers.get("Server", "")).strip()

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
