"""Saved queries on a REAL Oxigraph server, and every way an endpoint can fail (reliability §4, 43–47).

The server is the ``oxigraph`` binary from PyPI (the ``serve`` / ``dev`` extra), started on a
free loopback port; the sample graph is pushed into a named graph with the Graph Store
Protocol and every saved query runs there with the parameters of each of its sample cases:
the rows must equal the local answers and the expected table. The failure modes run
against small loopback servers that misbehave on purpose.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rncp_graph import Build, queries
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.push import Pusher, StoreEndpoints
from rncp_graph.queries import Endpoint
from rncp_graph.queries.errors import (
    EndpointBadResponseError,
    EndpointHTTPError,
    EndpointTimeoutError,
    EndpointUnreachableError,
)
from rncp_graph.serve import OxigraphServer, find_oxigraph, free_port, prepared_location
from rncp_graph.terms import lines_to_bytes

from .test_queries_support import Case, assert_rows, iter_sample_cases, multiset

LIVE = "https://w3id.org/rncp-graph/id/graph/test/live"
GOOD_JSON = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
SAMPLE_CASES = list(iter_sample_cases())

needs_oxigraph = pytest.mark.skipif(
    find_oxigraph() is None, reason="the oxigraph server binary is not installed (pip install 'rncp-graph[serve]')"
)


# -- a real server holding the sample graph --------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[OxigraphServer]:
    if find_oxigraph() is None:
        pytest.skip("the oxigraph server binary is not installed (pip install 'rncp-graph[serve]')")
    with OxigraphServer(None, read_only=False, timeout_s=30) as running:
        yield running


@pytest.fixture(scope="module")
def remote(server: OxigraphServer, sample_build: Build) -> Endpoint:
    lines = canonical_lines(sample_build.store)
    Pusher(StoreEndpoints.oxigraph(server.url), LIVE).push(lines_to_bytes(lines), len(lines))
    return Endpoint(server.query_url, timeout=10, deadline=30, default_graph=LIVE)


@needs_oxigraph
@pytest.mark.parametrize("case", SAMPLE_CASES, ids=lambda c: c.id)
def test_every_saved_query_gives_the_same_rows_remotely(case: Case, remote: Endpoint, sample_build: Build) -> None:
    on_server = queries.run(case.query, case.params, target=remote)
    local = queries.run(case.query, case.params, target=sample_build.store)
    assert on_server.columns == local.columns
    assert multiset(on_server) == multiset(local)
    assert_rows(on_server, case)


@needs_oxigraph
def test_long_queries_are_posted_and_give_the_same_rows(remote: Endpoint, sample_build: Build) -> None:
    posting = Endpoint(remote.url, timeout=10, deadline=30, default_graph=LIVE, post_above=0)
    for name in ("fiche-summary", "lineage-links"):
        assert multiset(queries.run(name, target=posting)) == multiset(queries.run(name, target=sample_build.store))


@needs_oxigraph
def test_the_checks_pass_remotely(remote: Endpoint) -> None:
    from rncp_graph.queries.checks import run_checks

    outcomes = run_checks(remote)
    assert outcomes and all(o.passed for o in outcomes)


@needs_oxigraph
def test_serve_read_only_answers_queries_and_refuses_updates(sample_build: Build, tmp_path: Path) -> None:
    graph = tmp_path / "rncp.nt"
    graph.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    with prepared_location(graph, tmp_path / "db") as folder, OxigraphServer(folder, read_only=True) as read_only:
        endpoint = Endpoint(read_only.query_url, timeout=10, deadline=30)
        assert len(queries.run("certifications-sharing-rome", {"rome": "K1403"}, target=endpoint)) == 4
        update = urllib.request.Request(
            read_only.url + "/update",
            data=b"DROP ALL",
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code in {403, 404, 405}
        assert len(queries.run("certifications-sharing-rome", {"rome": "K1403"}, target=endpoint)) == 4


@needs_oxigraph
def test_the_serve_command_starts_and_stops(sample_build: Build, tmp_path: Path) -> None:
    graph = tmp_path / "rncp.nt"
    graph.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    port = free_port()
    command = [sys.executable, "-m", "rncp_graph", "serve", "--graph", str(graph), "--port", str(port)]
    environment = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    # A shell starts a background job (`make test &`) with SIGINT ignored, and an ignored signal
    # stays ignored across exec: the server would never see the Ctrl-C this test sends. A
    # handled signal is reset to its default on exec, so handle it while the server starts.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    finally:
        signal.signal(signal.SIGINT, previous)
    lines: list[str] = []
    errors: list[str] = []  # drained as it comes: a full stderr pipe would block the server process
    readers = [
        threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True),
        threading.Thread(target=lambda: errors.extend(process.stderr or []), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 30
        while not any("SPARQL endpoint" in line for line in lines):
            assert process.poll() is None, "".join(errors)
            assert time.monotonic() < deadline, "rncp-graph serve did not come up"
            time.sleep(0.1)
        endpoint = Endpoint(f"http://127.0.0.1:{port}/query", timeout=2, deadline=5, retries=0)
        assert len(queries.run("level-counts", target=endpoint)) == 3
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler (PYTHONFAULTHANDLER) prints where it hangs
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            for reader in readers:
                reader.join(timeout=5)
            pytest.fail(f"rncp-graph serve did not stop within 30 s of Ctrl-C; its stderr: {''.join(errors)[-4000:]}")
        for reader in readers:
            reader.join(timeout=5)
    assert process.returncode == 0, "".join(errors)
    assert f"http://127.0.0.1:{port}/query" in "".join(lines)
    with pytest.raises(EndpointUnreachableError):
        queries.run("level-counts", target=Endpoint(f"http://127.0.0.1:{port}/query", timeout=1, deadline=2, retries=0))


# -- servers that misbehave on purpose ------------------------------------------------------
@dataclass
class Script:
    """What a fake endpoint does with each request, and what it saw."""

    respond: Callable[[http.server.BaseHTTPRequestHandler, int], None]
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)


@contextlib.contextmanager
def fake_endpoint(script: Script) -> Iterator[str]:
    """A loopback HTTP server that answers every request with ``script.respond``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            script.requests.append((self.command, self.path, body))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                script.respond(self, len(script.requests))

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def reply(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def json_reply(body: bytes = GOOD_JSON, status: int = 200) -> Callable[[http.server.BaseHTTPRequestHandler, int], None]:
    return lambda h, n: reply(h, status, body, "application/sparql-results+json")


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[str, Script]]:
    script: Script = request.param
    with fake_endpoint(script) as url:
        yield url + "/query", script


def endpoint(url: str, *, timeout: float = 1.0, deadline: float = 4.0) -> Endpoint:
    return Endpoint(url, timeout=timeout, deadline=deadline, retries=2, backoff=0.1)


def never(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
    time.sleep(30)


def drip(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
    """Headers, then one byte every 0.3 s: no socket operation ever times out."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(200):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.3)


@pytest.mark.parametrize("fake", [Script(never), Script(drip)], indirect=True, ids=["never-answers", "drips"])
def test_case_43_a_silent_or_dripping_endpoint_times_out_within_the_deadline(fake: tuple[str, Script]) -> None:
    url, _ = fake
    started = time.monotonic()
    with pytest.raises(EndpointTimeoutError) as failure:
        queries.run("status-counts", target=endpoint(url, deadline=3.0))
    assert time.monotonic() - started < 4.5
    assert url in str(failure.value) and "status-counts" in str(failure.value)


@pytest.mark.parametrize("fake", [Script(json_reply(b"oops", 500))], indirect=True)
def test_case_44_http_500_is_retried_then_reported(fake: tuple[str, Script]) -> None:
    url, script = fake
    with pytest.raises(EndpointHTTPError) as failure:
        queries.run("status-counts", target=endpoint(url))
    assert failure.value.status == 500
    assert len(script.requests) == 3  # one try and two retries: a read is idempotent


def first_500_then_good(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
    json_reply(b"busy", 500)(handler, n) if n == 1 else json_reply()(handler, n)


@pytest.mark.parametrize("fake", [Script(first_500_then_good)], indirect=True)
def test_a_transient_500_is_survived(fake: tuple[str, Script]) -> None:
    url, script = fake
    table = queries.run_text("SELECT ?n WHERE { ?s ?p ?n }", target=endpoint(url))
    assert [r["n"].value for r in table.rows if r["n"]] == ["1"]
    assert len(script.requests) == 2


@pytest.mark.parametrize("fake", [Script(json_reply(b"bad query", 400))], indirect=True)
def test_a_400_is_not_retried(fake: tuple[str, Script]) -> None:
    url, script = fake
    with pytest.raises(EndpointHTTPError) as failure:
        queries.run("status-counts", target=endpoint(url))
    assert failure.value.status == 400 and len(script.requests) == 1


@pytest.mark.parametrize(
    "fake",
    [
        Script(json_reply(GOOD_JSON[:40])),
        Script(lambda h, n: reply(h, 200, b"<html><body>Maintenance</body></html>", "text/html")),
        Script(json_reply(b'{"error": "not results"}')),
        Script(json_reply(b"")),
    ],
    indirect=True,
    ids=["truncated-json", "html-200", "json-not-results", "empty-body"],
)
def test_cases_45_46_a_body_that_is_not_results_is_an_error(fake: tuple[str, Script]) -> None:
    url, script = fake
    with pytest.raises(EndpointBadResponseError) as failure:
        queries.run("status-counts", target=endpoint(url))
    assert url in str(failure.value)
    assert len(script.requests) == 1  # not transient: not retried


def test_case_47_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    with pytest.raises(EndpointUnreachableError) as failure:
        queries.run("status-counts", target=endpoint(url))
    assert time.monotonic() - started < 4.5
    assert "cannot reach" in str(failure.value)


@pytest.mark.parametrize("fake", [Script(json_reply())], indirect=True)
def test_long_queries_are_posted_short_ones_sent_with_get(fake: tuple[str, Script]) -> None:
    url, script = fake
    queries.run_text("SELECT ?n WHERE { ?s ?p ?n }", target=endpoint(url), prologue=False)
    queries.run_text("SELECT ?n WHERE { ?s ?p ?n }" + " " * 2000, target=endpoint(url), prologue=False)
    assert [method for method, _, _ in script.requests] == ["GET", "POST"]
    assert b"query=SELECT" in script.requests[1][2]


@pytest.mark.parametrize("fake", [Script(json_reply())], indirect=True)
def test_parameters_travel_as_a_values_block(fake: tuple[str, Script]) -> None:
    url, script = fake
    queries.run("certifications-sharing-rome", {"rome": "k1403"}, target=endpoint(url, timeout=2.0))
    sent = urllib.parse.unquote_plus(script.requests[0][1])
    assert 'VALUES (?rome) { ("K1403") }' in sent
    assert "# @params" not in sent
