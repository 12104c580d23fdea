"""Serve the built graph over the SPARQL protocol with the Oxigraph server (``oxigraph`` on PyPI).

``rncp-graph serve`` loads the graph into an Oxigraph database folder
(``oxigraph load --location DIR --file rncp.nt``) and starts
``oxigraph serve-read-only --location DIR --bind 127.0.0.1:PORT --timeout-s 30
--union-default-graph``: read-only and on loopback by default. With ``cors`` (``serve --cors``)
the server adds ``--cors``: it answers the preflight ``OPTIONS`` and puts
``Access-Control-Allow-Origin: *`` on every answer, so a page of any origin (a notebook in the
browser, a JavaScript client) can query it. A store folder made by
``rncp-graph build --store`` is served as it is; its triples are in one named graph per
source, and ``--union-default-graph`` makes queries see their union, as local queries do
(:mod:`rncp_graph.store`): the same saved query gives the same rows either way.

The server cannot turn SERVICE off (reliability §2.6): put it behind a proxy that allows only
``GET/POST /query`` and firewall its egress before binding it to anything but loopback.
Install the server with ``pip install 'rncp-graph[serve]'``.

The server dies with the process that started it (``PR_SET_PDEATHSIG``, even on ``kill -9``),
and on ``SIGTERM`` the command stops it and removes its temporary database folder; the folder
of a ``serve`` killed by ``kill -9`` is removed by the next one (:mod:`rncp_graph.processes`).

:class:`OxigraphServer` is also what the tests use to start a real server.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from .errors import RNCPGraphError
from .processes import die_with_parent, owned_folder

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class ServerError(RNCPGraphError):
    """The Oxigraph server binary is missing, or could not load or start."""


def find_oxigraph() -> Path | None:
    """The ``oxigraph`` binary: next to this Python (a venv's ``bin/``), else on ``PATH``."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file():
        return here
    found = shutil.which("oxigraph")
    return Path(found) if found else None


def _binary(binary: Path | None) -> Path:
    path = binary or find_oxigraph()
    if path is None:
        raise ServerError("the oxigraph server is not installed: pip install 'rncp-graph[serve]' (or oxigraph)")
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def load_location(source: Path, location: Path, *, binary: Path | None = None, graph: str | None = None) -> None:
    """``oxigraph load``: put an RDF file (``.nt``, ``.ttl``...) into the database folder ``location``."""
    command = [str(_binary(binary)), "load", "--location", str(location), "--file", str(source)]
    if graph:
        command += ["--graph", graph]
    log.info("loading %s into %s", source, location)
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=3600,
        preexec_fn=functools.partial(die_with_parent, os.getpid()),
    )  # fmt: skip
    if done.returncode != 0:
        raise ServerError(f"oxigraph load failed: {done.stderr.strip()[-500:]}", file=str(source))


class OxigraphServer:
    """An Oxigraph server process on ``host:port`` over the database folder ``location``.

    :param location: the database folder (``None``: in memory, read-write only).
    :param read_only: ``serve-read-only`` (default) or ``serve``.
    :param timeout_s: the server's own SPARQL query timeout.
    :param union_default_graph: queries see the union of all graphs as default graph.
    :param cors: answer cross-origin requests from any origin (``--cors``).
    """

    def __init__(
        self,
        location: Path | None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        read_only: bool = True,
        timeout_s: int = 30,
        union_default_graph: bool = False,
        cors: bool = False,
        binary: Path | None = None,
    ) -> None:
        if read_only and location is None:
            raise ServerError("a read-only server needs a database folder (location)")
        self.location, self.host, self.read_only = location, host, read_only
        self.port = port or free_port(host)
        self.timeout_s, self.union_default_graph, self.cors = timeout_s, union_default_graph, cors
        self.binary = _binary(binary)
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def command(self) -> list[str]:
        """The ``oxigraph serve[-read-only]`` command line."""
        command = [str(self.binary), "serve-read-only" if self.read_only else "serve"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        command += ["--bind", f"{self.host}:{self.port}", "--timeout-s", str(self.timeout_s)]
        command += ["--union-default-graph"] if self.union_default_graph else []
        return command + (["--cors"] if self.cors else [])

    def start(self, *, wait: float = 20.0) -> OxigraphServer:
        """Start the process and wait until it answers a query (or raise :class:`ServerError`)."""
        if self.host not in LOOPBACK:
            log.warning(
                "serving on %s: Oxigraph runs SERVICE queries; firewall its egress (reliability §2.6)", self.host
            )
        log.info("starting %s", " ".join(self.command()))
        # a file, not a pipe: a full pipe would block the server; closed by stop()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115
        # SIGTERM when this process dies, however it dies (start the server from a thread that
        # lives as long); die_with_parent takes no lock, so other threads cannot deadlock the fork
        dies_with_us = functools.partial(die_with_parent, os.getpid(), signal.SIGTERM)
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=dies_with_us,  # noqa: PLW1509 - see above
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"oxigraph server exited with code {self.process.returncode}: {self.stderr()[-500:]}")
            if self.ready():
                log.info("oxigraph server ready at %s", self.url)
                return self
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"oxigraph server did not answer on {self.url} within {wait:g} s")

    def ready(self) -> bool:
        """Whether the server answers ``ASK {}``."""
        try:
            with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stderr(self) -> str:
        """What the server wrote on its standard error so far."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").strip()

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop within 5 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            log.info("oxigraph server on %s stopped", self.url)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


@contextlib.contextmanager
def prepared_location(graph: Path, location: Path | None = None, *, binary: Path | None = None) -> Iterator[Path]:
    """A database folder holding ``graph``: the store folder itself, or ``graph`` loaded into one.

    :param graph: an on-disk store folder (``rncp-graph build --store``) or an RDF file.
    :param location: where to load an RDF file (kept); ``None``: a temporary folder, removed after.
    """
    if graph.is_dir():
        yield graph
        return
    if location is not None:
        load_location(graph, location, binary=binary)
        yield location
        return
    with owned_folder("rncp-graph-serve-") as tmp:  # also removes those of a serve killed by kill -9
        load_location(graph, tmp, binary=binary)
        yield tmp


@contextlib.contextmanager
def serving(
    graph: Path,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    read_only: bool = True,
    timeout_s: int = 30,
    location: Path | None = None,
    cors: bool = False,
) -> Iterator[OxigraphServer]:
    """The Oxigraph server answering queries over ``graph``, stopped (its temporary folder
    removed) when the block ends. Queries see the union of the graphs as default graph.

    :param graph: an RDF file, or a store folder (``rncp-graph build --store``).
    :param location: where to keep the database made from an RDF file (default: temporary).
    :param cors: answer cross-origin requests (``Access-Control-Allow-Origin: *``).
    """
    with prepared_location(graph, location) as folder:
        server = OxigraphServer(
            folder, host=host, port=port, read_only=read_only, timeout_s=timeout_s, union_default_graph=True, cors=cors
        )
        try:  # from before the start: an interrupt at any point must not leave the server running
            yield server.start()
        finally:
            server.stop()


def serve(
    graph: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    read_only: bool = True,
    timeout_s: int = 30,
    location: Path | None = None,
    cors: bool = False,
    on_ready: Callable[[OxigraphServer], None] | None = None,
) -> int:
    """Serve ``graph`` until interrupted (Ctrl-C); return the server's exit code.

    :param on_ready: called once the server answers (the CLI prints the endpoint URL).
    """
    try:
        with serving(
            graph, host=host, port=port, read_only=read_only, timeout_s=timeout_s, location=location, cors=cors
        ) as server:
            if on_ready is not None:
                on_ready(server)
            assert server.process is not None
            return server.process.wait()
    except KeyboardInterrupt:
        return 0
