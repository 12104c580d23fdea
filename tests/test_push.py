"""``rncp-graph push``: PUT to staging, verify the count, switch; never a half-pushed live graph.

Against a REAL Oxigraph server (reliability §3.3, cases 48 and 49): a proxy in front of it
truncates or corrupts the PUT body to show that a bad transfer leaves the live graph as it
was; fake stores show which requests are retried (PUT, reads) and which never are (updates).
"""

from __future__ import annotations

import contextlib
import http.server
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rncp_graph import Build
from rncp_graph.cli import main
from rncp_graph.push import Pusher, PushError, StoreEndpoints, push
from rncp_graph.queries import Endpoint, run_text
from rncp_graph.serve import OxigraphServer, find_oxigraph
from rncp_graph.terms import lines_to_bytes

from .test_queries_support import inline_store
from .test_remote import Script, fake_endpoint, json_reply, reply

LIVE = "https://w3id.org/rncp-graph/id/graph/test/live"
PREVIOUS = LIVE + "/previous"

pytestmark = pytest.mark.skipif(find_oxigraph() is None, reason="the oxigraph server binary is not installed")


@pytest.fixture
def server() -> Iterator[OxigraphServer]:
    with OxigraphServer(None, read_only=False) as running:
        yield running


@pytest.fixture(scope="module")
def sample_file(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("push") / "rncp.nt"
    path.write_bytes(lines_to_bytes(sample_build.store.canonical_lines()))
    return path


def count(server_url: str, graph: str) -> int:
    table = run_text(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", target=Endpoint(server_url + "/query")
    )
    cell = table.rows[0]["n"]
    assert cell is not None
    return int(cell.value)


def graphs(server_url: str) -> list[str]:
    table = run_text("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", target=Endpoint(server_url + "/query"))
    return sorted(r["g"].value for r in table.rows if r["g"] is not None)


def test_push_then_push_again_keeps_the_previous_version(
    server: OxigraphServer, sample_file: Path, tmp_path: Path
) -> None:
    first = push(sample_file, endpoint=server.url, graph=LIVE)
    assert first.triples == len(sample_file.read_bytes().splitlines()) > 1000
    assert count(server.url, LIVE) == first.triples
    assert graphs(server.url) == [LIVE]  # staging moved, no previous on a first push

    smaller = tmp_path / "small.nt"
    smaller.write_bytes(lines_to_bytes(inline_store("overlap").canonical_lines()))
    second = push(smaller, endpoint=server.url, graph=LIVE)
    assert count(server.url, LIVE) == second.triples < first.triples
    assert count(server.url, PREVIOUS) == first.triples
    assert graphs(server.url) == sorted([LIVE, PREVIOUS])


def test_the_push_command(server: OxigraphServer, sample_file: Path) -> None:
    result = CliRunner().invoke(main, ["push", "--endpoint", server.url, "--graph", LIVE, "--source", str(sample_file)])
    assert result.exit_code == 0, result.output
    assert f"to {LIVE}" in result.output and count(server.url, LIVE) > 1000


# -- a proxy that damages the PUT body on its way to the real server -----------------------
@contextlib.contextmanager
def proxy(target: str, damage: str) -> Iterator[tuple[str, Script]]:
    """A loopback proxy to ``target`` that truncates or corrupts every PUT body."""

    def respond(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
        method, path, body = script.requests[-1]
        if method == "PUT":
            lines = body.splitlines(keepends=True)
            broken = [*lines[:1000], b"<broken line\n", *lines[1000:]]
            body = b"".join(lines[:-5] if damage == "truncate" else broken)
        request = urllib.request.Request(target + path, data=body if method != "GET" else None, method=method)
        for key in ("Content-Type", "Accept"):
            if handler.headers.get(key):
                request.add_header(key, handler.headers[key])
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                reply(handler, answer.status, answer.read(), answer.headers.get("Content-Type", "text/plain"))
        except urllib.error.HTTPError as error:
            reply(handler, error.code, error.read(), "text/plain")

    script = Script(respond)
    with fake_endpoint(script) as url:
        yield url, script


@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_cases_48_49_a_damaged_transfer_leaves_live_untouched(
    server: OxigraphServer, sample_file: Path, damage: str
) -> None:
    push(sample_file, endpoint=server.url, graph=LIVE)
    before = count(server.url, LIVE)
    with proxy(server.url, damage) as (url, script), pytest.raises(PushError, match="untouched"):
        push(sample_file, endpoint=url, graph=LIVE, retries=2)
    puts = [r for r in script.requests if r[0] == "PUT"]
    assert len(puts) == 1  # a short graph is no transport error; a 400 is not retried
    assert count(server.url, LIVE) == before
    assert graphs(server.url) == [LIVE]  # the damaged staging graph was dropped (or never written)


# -- fake stores: which requests are retried ------------------------------------------------
def store_script(*, put_statuses: list[int], staged: int, live: int, update_status: int = 204) -> Script:
    def respond(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
        method, path, _ = script.requests[-1]
        if method == "PUT":
            status = put_statuses.pop(0) if put_statuses else 201
            reply(handler, status, b"", "text/plain")
        elif path.startswith("/update"):
            reply(handler, update_status, b"", "text/plain")
        else:
            query = urllib.parse.unquote_plus(path)
            value = staged if "/staging/" in query else live
            json_reply(
                b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"%d"}}]}}' % value
            )(handler, n)

    script = Script(respond)
    return script


def run_fake(script: Script, triples: int = 10) -> tuple[Pusher, Exception | None]:
    with fake_endpoint(script) as url:
        pusher = Pusher(StoreEndpoints.oxigraph(url), LIVE, timeout=2, deadline=10, retries=2, backoff=0.05)
        try:
            pusher.push(b"<urn:a> <urn:b> <urn:c> .\n" * triples, triples)
        except PushError as exc:
            return pusher, exc
        return pusher, None


def methods(script: Script) -> list[str]:
    return [f"{m} {p.split('?')[0]}" for m, p, _ in script.requests]


def test_a_put_is_retried_on_503() -> None:
    script = store_script(put_statuses=[503], staged=10, live=10)
    _, error = run_fake(script)
    assert error is None
    assert methods(script) == ["PUT /store", "PUT /store", "GET /query", "POST /update", "GET /query"]


def test_an_update_is_never_retried() -> None:
    script = store_script(put_statuses=[], staged=10, live=10, update_status=500)
    _, error = run_fake(script)
    assert isinstance(error, PushError) and "unknown" in str(error)
    assert methods(script).count("POST /update") == 1


def test_a_wrong_live_count_after_the_switch_restores_previous() -> None:
    script = store_script(put_statuses=[], staged=10, live=9)
    pusher, error = run_fake(script)
    assert isinstance(error, PushError) and "restored" in str(error)
    updates = [body.decode() for method, path, body in script.requests if path.startswith("/update")]
    assert re.fullmatch(
        rf"COPY SILENT <{re.escape(LIVE)}> TO <{re.escape(PREVIOUS)}> ; MOVE <.*/staging/\w+> TO <{re.escape(LIVE)}>",
        updates[0],
    )
    assert updates[1] == f"COPY SILENT <{PREVIOUS}> TO <{LIVE}>"
    assert pusher.staging.startswith(LIVE + "/staging/")


def test_a_staging_count_mismatch_drops_staging_and_never_switches() -> None:
    script = store_script(put_statuses=[], staged=7, live=10)
    _, error = run_fake(script)
    assert isinstance(error, PushError) and "untouched" in str(error)
    updates = [body.decode() for method, path, body in script.requests if path.startswith("/update")]
    assert len(updates) == 1 and updates[0].startswith("DROP SILENT GRAPH <")


def test_graph_iris_are_validated() -> None:
    with pytest.raises(Exception, match="invalid IRI"):
        Pusher(StoreEndpoints.oxigraph("http://127.0.0.1:9"), "https://x/> DROP ALL")
