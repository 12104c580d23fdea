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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from rncp_graph import Build
from rncp_graph.cli import main
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.push import Pusher, PushError, StoreEndpoints, canonical_ntriples, push
from rncp_graph.queries import Endpoint, run_text
from rncp_graph.serve import OxigraphServer, find_oxigraph
from rncp_graph.terms import lines_to_bytes

from .test_queries_support import inline_store
from .test_remote import Script, fake_endpoint, json_reply, reply
from .virtuoso import MISSING, VIRTUOSO, VirtuosoServer

LIVE = "https://w3id.org/rncp-graph/id/graph/test/live"
PREVIOUS = LIVE + "/previous"

TEST_GRAPHS = "https://w3id.org/rncp-graph/id/graph/test/"


@dataclass(frozen=True)
class Store:
    """A real store under test: its base URL and the layout of its URLs (:data:`rncp_graph.push.LAYOUTS`)."""

    layout: str
    url: str

    @property
    def endpoints(self) -> StoreEndpoints:
        return StoreEndpoints.layout(self.layout, self.url)

    def at(self, url: str) -> StoreEndpoints:
        """The URLs of this store reached through ``url`` (a proxy in front of it)."""
        return StoreEndpoints.layout(self.layout, url)


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso server per module (it takes seconds to start); each test clears its graphs."""
    if VIRTUOSO is None:
        pytest.skip(MISSING)
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


@pytest.fixture(params=["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each real store, empty of test graphs: an in-memory Oxigraph server, Virtuoso."""
    if request.param == "virtuoso":
        running = request.getfixturevalue("virtuoso_server")
        store = Store("virtuoso", running.url)
        for graph in graphs(store):
            Pusher(store.endpoints, LIVE).update(f"DROP SILENT GRAPH <{graph}>")
        yield store
        return
    if find_oxigraph() is None:
        pytest.skip("the oxigraph server binary is not installed")
    with OxigraphServer(None, read_only=False) as oxigraph:
        yield Store("oxigraph", oxigraph.url)


@pytest.fixture(scope="module")
def sample_file(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("push") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    return path


def count(store: Store, graph: str) -> int:
    table = run_text(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", target=Endpoint(store.endpoints.query)
    )
    cell = table.rows[0]["n"]
    assert cell is not None
    return int(cell.value)


def graphs(store: Store) -> list[str]:
    """The test graphs on the store (Virtuoso has graphs of its own)."""
    query = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{TEST_GRAPHS}")) }}'
    table = run_text(query, target=Endpoint(store.endpoints.query))
    return sorted(r["g"].value for r in table.rows if r["g"] is not None)


def test_push_then_push_again_keeps_the_previous_version(store: Store, sample_file: Path, tmp_path: Path) -> None:
    first = push(sample_file, endpoint=store.url, layout=store.layout, graph=LIVE)
    assert first.triples == len(sample_file.read_bytes().splitlines()) > 1000
    assert count(store, LIVE) == first.triples
    assert graphs(store) == [LIVE]  # staging moved, no previous on a first push

    smaller = tmp_path / "small.nt"
    smaller.write_bytes(lines_to_bytes(canonical_lines(inline_store("overlap"))))
    second = push(smaller, endpoint=store.url, layout=store.layout, graph=LIVE)
    assert count(store, LIVE) == second.triples < first.triples
    assert count(store, PREVIOUS) == first.triples
    assert graphs(store) == sorted([LIVE, PREVIOUS])


def test_the_push_command(store: Store, sample_file: Path) -> None:
    command = ["push", "--endpoint", store.url, "--layout", store.layout, "--graph", LIVE, "--source", str(sample_file)]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    assert f"to {LIVE}" in result.output and count(store, LIVE) > 1000


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
def test_cases_48_49_a_damaged_transfer_leaves_live_untouched(store: Store, sample_file: Path, damage: str) -> None:
    push(sample_file, endpoint=store.url, layout=store.layout, graph=LIVE)
    before = count(store, LIVE)
    with proxy(store.url, damage) as (url, script), pytest.raises(PushError, match="untouched"):
        push(sample_file, endpoint=url, layout=store.layout, graph=LIVE, retries=2)
    puts = [r for r in script.requests if r[0] == "PUT"]
    assert len(puts) == 1  # a short graph is no transport error; a 400 is not retried
    assert count(store, LIVE) == before
    assert graphs(store) == [LIVE]  # the damaged staging graph was dropped (or never written)


# -- fake stores: which requests are retried ------------------------------------------------
def store_script(*, put_statuses: list[int], staged: int, live: list[int], update_status: int = 204) -> Script:
    """A fake store; ``live`` is the live graph's count at each of its reads, in turn (the last one repeats)."""

    def respond(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
        method, path, _ = script.requests[-1]
        if method == "PUT":
            status = put_statuses.pop(0) if put_statuses else 201
            reply(handler, status, b"", "text/plain")
        elif path.startswith("/update"):
            reply(handler, update_status, b"", "text/plain")
        else:
            query = urllib.parse.unquote_plus(path)
            if "STRSTARTS" in query:  # the leftovers of earlier pushes: none
                json_reply(b'{"head":{"vars":["g"]},"results":{"bindings":[]}}')(handler, n)
                return
            value = staged if "/staging/" in query else (live.pop(0) if len(live) > 1 else live[0])
            cells = f'"n":{{"type":"literal","value":"{value}"}},"c":{{"type":"literal","value":"{10 * value}"}}'
            json_reply(b'{"head":{"vars":["n","c"]},"results":{"bindings":[{%s}]}}' % cells.encode())(handler, n)

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


def updates(script: Script) -> list[str]:
    return [body.decode() for method, path, body in script.requests if path.startswith("/update")]


def test_a_put_is_retried_on_503() -> None:
    script = store_script(put_statuses=[503], staged=10, live=[5, 10])
    _, error = run_fake(script)
    assert error is None
    reads = ["GET /query"] * 2  # leftovers, live's fingerprint
    assert methods(script) == [*reads, "PUT /store", "PUT /store", "GET /query", "POST /update", "GET /query"]


def test_an_update_is_never_retried() -> None:
    script = store_script(put_statuses=[], staged=10, live=[5], update_status=500)
    _, error = run_fake(script)
    assert isinstance(error, PushError) and "not applied" in str(error) and "HTTP 500" in str(error)
    assert updates(script)[0].startswith("COPY SILENT") and updates(script)[1:] == [
        f"DROP SILENT GRAPH <{script_staging(script)}>"
    ]


def script_staging(script: Script) -> str:
    (put,) = {p for m, p, _ in script.requests if m == "PUT"}
    return urllib.parse.parse_qs(urllib.parse.urlsplit(put).query)["graph"][0]


def test_a_damaged_live_graph_is_restored_from_previous_only_when_previous_is_the_former_live() -> None:
    # live: 5 before, 9 after the switch (neither 5 nor the 10 sent); previous: read as 5 too
    script = store_script(put_statuses=[], staged=10, live=[5, 9, 5, 5])
    pusher, error = run_fake(script)
    assert isinstance(error, PushError) and "restored the former graph" in str(error)
    assert re.fullmatch(
        rf"COPY SILENT <{re.escape(LIVE)}> TO <{re.escape(PREVIOUS)}> ; MOVE <.*/staging/\w+> TO <{re.escape(LIVE)}>",
        updates(script)[0],
    )
    assert updates(script)[1] == f"COPY SILENT <{PREVIOUS}> TO <{LIVE}>"
    assert pusher.staging.startswith(LIVE + "/staging/")


def test_a_staging_count_mismatch_drops_staging_and_never_switches() -> None:
    script = store_script(put_statuses=[], staged=7, live=[10])
    _, error = run_fake(script)
    assert isinstance(error, PushError) and "untouched" in str(error)
    assert len(updates(script)) == 1 and updates(script)[0].startswith("DROP SILENT GRAPH <")


def test_graph_iris_are_validated() -> None:
    with pytest.raises(Exception, match="invalid IRI"):
        Pusher(StoreEndpoints.oxigraph("http://127.0.0.1:9"), "https://x/> DROP ALL")


# -- fault modes: a proxy in front of the REAL server drops, fakes or alters one request ------
@dataclass(frozen=True)
class Fault:
    """What the proxy does to the first request ``matches`` accepts (others are forwarded)."""

    matches: Callable[[str, str, bytes], bool]
    #: "ack": answered 204, not forwarded; "error": forwarded, answered 500; "hang-up":
    #: forwarded, connection closed with no answer; "rewrite": forwarded as ``rewrite`` makes it
    action: str
    rewrite: Callable[[bytes], bytes] | None = None


def is_switch(method: str, path: str, body: bytes) -> bool:
    return b"MOVE" in body


def is_restore(method: str, path: str, body: bytes) -> bool:
    return body.startswith(f"COPY SILENT <{PREVIOUS}> TO <{LIVE}>".encode())


def is_put(method: str, path: str, body: bytes) -> bool:
    return method == "PUT"


def is_staging_read(method: str, path: str, body: bytes) -> bool:
    query = urllib.parse.unquote_plus(path)
    return method == "GET" and "/staging/" in query and "COUNT" in query


def damage_live(body: bytes) -> bytes:  # a store that applies the COPY, then loses live
    return f"COPY SILENT <{LIVE}> TO <{PREVIOUS}> ; DROP SILENT GRAPH <{LIVE}>".encode()


def lose_live(body: bytes) -> bytes:  # loses live, previous not refreshed
    return f"DROP SILENT GRAPH <{LIVE}>".encode()


def copy_only(body: bytes) -> bytes:  # half of the switch: a store where the requests are not atomic
    return body.split(b" ; ")[0]


#: fault mode → (what the proxy does, the error the push raises or None, the live graph after, previous after)
FAULTS: dict[str, tuple[list[Fault], str | None, str, str]] = {
    "switch-acknowledged-not-applied": ([Fault(is_switch, "ack")], "not applied", "old", "older"),
    "switch-applied-answer-500": ([Fault(is_switch, "error")], None, "new", "old"),
    "switch-applied-no-answer": ([Fault(is_switch, "hang-up")], None, "new", "old"),
    "switch-half-applied-copy-only": ([Fault(is_switch, "rewrite", copy_only)], "not applied", "old", "old"),
    "switch-loses-live-after-copy": (
        [Fault(is_switch, "rewrite", damage_live)], "restored the former graph", "old", "old",
    ),
    "switch-loses-live-previous-older": ([Fault(is_switch, "rewrite", lose_live)], "nothing restored", "none", "older"),
    "restore-acknowledged-not-applied": (
        [Fault(is_switch, "rewrite", damage_live), Fault(is_restore, "ack")], "restoring it from", "none", "old",
    ),
    "put-applied-no-answer-retried": ([Fault(is_put, "hang-up")], None, "new", "old"),
    "put-applied-no-answer-twice": ([Fault(is_put, "hang-up")] * 2, "untouched", "old", "older"),
    "put-applied-answer-503-retried": ([Fault(is_put, "error")], None, "new", "old"),
    "staging-unreadable": ([Fault(is_staging_read, "error")] * 2, "cannot read", "old", "older"),
}  # fmt: skip


@contextlib.contextmanager
def faulty_proxy(target: str, faults: list[Fault]) -> Iterator[str]:
    """A loopback proxy to ``target`` applying each fault once, to the first request it matches."""
    pending = list(faults)

    def respond(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:
        method, path, body = script.requests[-1]
        fault = next((f for f in pending if f.matches(method, path, body)), None)
        if fault is not None:
            pending.remove(fault)
        if fault is not None and fault.action == "ack":
            reply(handler, 204, b"", "text/plain")
            return
        if fault is not None and fault.rewrite is not None:
            body = fault.rewrite(body)
        status, answer, kind = forward(target, handler, method, path, body)
        if fault is None or fault.action == "rewrite":
            reply(handler, status, answer, kind)
        elif fault.action == "error":
            reply(handler, 503 if method == "PUT" else 500, b"proxy error", "text/plain")
        # "hang-up": no answer at all, the connection is closed

    script = Script(respond)
    with fake_endpoint(script) as url:
        yield url


def forward(
    target: str, handler: http.server.BaseHTTPRequestHandler, method: str, path: str, body: bytes
) -> tuple[int, bytes, str]:
    request = urllib.request.Request(target + path, data=body if method != "GET" else None, method=method)
    for key in ("Content-Type", "Accept"):
        if handler.headers.get(key):
            request.add_header(key, handler.headers[key])
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), answer.headers.get("Content-Type", "text/plain")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), "text/plain"


@pytest.mark.parametrize("mode", list(FAULTS))
def test_fault_modes_never_lose_the_live_graph_nor_leave_staging(
    store: Store, sample_file: Path, tmp_path: Path, mode: str
) -> None:
    faults, error, live_after, previous_after = FAULTS[mode]
    older, new = tmp_path / "older.nt", tmp_path / "new.nt"
    older.write_bytes(lines_to_bytes(canonical_lines(inline_store("overlap"))))
    new.write_bytes(lines_to_bytes(canonical_lines(inline_store("overlap"))[:-3]))
    push(older, endpoint=store.url, layout=store.layout, graph=LIVE)
    push(sample_file, endpoint=store.url, layout=store.layout, graph=LIVE)  # live: the sample; previous: older
    expected = {
        name: path.read_bytes().count(b"\n") for name, path in [("old", sample_file), ("new", new), ("older", older)]
    }
    with faulty_proxy(store.url, faults) as url:
        pusher = Pusher(store.at(url), LIVE, timeout=5, deadline=20, retries=1, backoff=0.05)
        payload, triples = canonical_ntriples(new)
        if error is None:
            pusher.push(payload, triples)
        else:
            with pytest.raises(PushError, match=error):
                pusher.push(payload, triples)
    assert count(store, LIVE) == expected.get(live_after, 0)
    assert count(store, PREVIOUS) == expected[previous_after]
    assert not [g for g in graphs(store) if "/staging/" in g], f"{mode}: a staging graph was left"


def test_staging_left_by_an_interrupted_push_is_dropped_by_the_next(store: Store, sample_file: Path) -> None:
    leftover = LIVE + "/staging/killed0push"
    Pusher(store.endpoints, LIVE).put(leftover, b"<urn:a> <urn:b> <urn:c> .\n")
    push(sample_file, endpoint=store.url, layout=store.layout, graph=LIVE)
    assert graphs(store) == [LIVE]


# -- what the stores do to terms, chunks and blank nodes -------------------------------------
def read_back(store: Store, graph: str) -> bytes:
    """The graph as the store gives it back (Graph Store Protocol GET, N-Triples)."""
    url = f"{store.endpoints.store}?{urllib.parse.urlencode({'graph': graph})}"
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return bytes(answer.read())


def canonical(data: bytes) -> set[str]:
    """The triples of N-Triples ``data`` as pyoxigraph writes them (one form per term)."""
    return {str(t) for t in ox.parse(input=data, format=ox.RdfFormat.N_TRIPLES)}


BIG = "é" * 1_000_000 + " 🎓"  # 2 MB of UTF-8 in one literal
X, SK, ONT, XSD = (
    "<https://w3id.org/rncp-graph/id/x/1>",
    "<http://www.w3.org/2004/02/skos/core#",
    "<https://w3id.org/rncp-graph/ontology#",
    "<http://www.w3.org/2001/XMLSchema#",
)
AWKWARD = "\n".join(
    [
        f'{X} {SK}prefLabel> "Café « crème »"@fr .',
        f'{X} {SK}prefLabel> "Coffee"@en .',
        f'{X} {SK}altLabel> "Café"@fr-ca .',
        f'{X} {SK}note> "a \\"quoted\\" \\\\ line\\nnext\\ttab" .',
        f'{X} {SK}note> "astral 😀 𝔘" .',
        f'{X} {SK}note> "" .',
        f'{X} {ONT}level> "6"^^{XSD}integer> .',
        f'{X} {ONT}active> "true"^^{XSD}boolean> .',
        f'{X} {ONT}decisionDate> "2021-04-01"^^{XSD}date> .',
        f"<https://w3id.org/rncp-graph/id/x/é> {SK}note> {X} .",
        f'{X} {SK}definition> "{BIG}"@fr .',
    ]
).encode()


def test_terms_come_back_as_they_were_sent(store: Store, tmp_path: Path) -> None:
    """Language tags (with a region), escapes, astral characters, a non-ASCII IRI, the datatypes
    of the graph and a 2 MB literal: the live graph read back holds exactly the triples sent."""
    source = tmp_path / "awkward.nt"
    source.write_bytes(AWKWARD + b"\n")
    payload, triples = canonical_ntriples(source)
    report = push(source, endpoint=store.url, layout=store.layout, graph=LIVE)
    assert report.triples == triples == 11
    assert canonical(read_back(store, LIVE)) == canonical(payload)


def test_the_sample_graph_comes_back_as_it_was_sent_in_chunks(store: Store, sample_file: Path) -> None:
    payload, triples = canonical_ntriples(sample_file)
    pusher = Pusher(store.endpoints, LIVE, chunk_lines=500)
    assert len(pusher.chunks(payload)) == -(-triples // 500) >= 4
    pusher.push(payload, triples)
    assert count(store, LIVE) == triples
    assert canonical(read_back(store, LIVE)) == canonical(payload)


def test_a_chunk_applied_but_unanswered_is_sent_again_harmlessly(store: Store, sample_file: Path) -> None:
    payload, triples = canonical_ntriples(sample_file)

    def is_post(method: str, path: str, body: bytes) -> bool:
        return method == "POST" and "staging" in path

    with faulty_proxy(store.url, [Fault(is_post, "hang-up")]) as url:
        Pusher(store.at(url), LIVE, timeout=5, deadline=20, retries=1, backoff=0.05, chunk_lines=500).push(
            payload, triples
        )
    assert count(store, LIVE) == triples
    assert canonical(read_back(store, LIVE)) == canonical(payload)


def test_blank_nodes_go_in_one_request_and_keep_their_structure(store: Store) -> None:
    data = b"".join(
        b'<urn:x:s> <urn:x:p> _:n%d .\n_:n%d <urn:x:q> _:n%d .\n_:n%d <urn:x:v> "%d" .\n' % (i, i, i + 1, i, i)
        for i in range(30)
    )
    pusher = Pusher(store.endpoints, LIVE, chunk_lines=7)
    (piece,) = pusher.chunks(data)  # blank nodes of two requests would be two nodes
    assert sorted(piece.splitlines()) == sorted(data.splitlines())
    pusher.push(data, 90)
    sent = rdflib.Graph().parse(data=data, format="nt")
    back = rdflib.Graph().parse(data=read_back(store, LIVE), format="nt")
    assert len(back) == 90 and isomorphic(sent, back)


def test_a_store_that_merges_equal_values_is_refused_not_half_pushed(store: Store, sample_file: Path) -> None:
    """``"01"`` and ``"1"`` are two integer literals for RDF, one value for both stores, which keep
    one triple of the two: the count check refuses the push and live stays as it was. (A graph
    read by pyoxigraph, as ``push`` reads it, never holds both.)"""
    push(sample_file, endpoint=store.url, layout=store.layout, graph=LIVE)
    before = count(store, LIVE)
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    payload = f'<urn:x:s> <urn:x:p> "01"^^{integer} .\n<urn:x:s> <urn:x:p> "1"^^{integer} .\n'.encode()
    with pytest.raises(PushError, match=r"holds 1 triples, 2 were sent: live graph .* left untouched"):
        Pusher(store.endpoints, LIVE).push(payload, 2)
    assert count(store, LIVE) == before and not [g for g in graphs(store) if "/staging/" in g]


def test_a_body_the_store_cannot_parse_is_not_sent_again(store: Store) -> None:
    """Oxigraph answers 400, Virtuoso 500 "Error 37000": both are final, and the store's words are kept."""
    payload = b"<urn:x:s> <urn:x:p> <urn:x:o> .\n<broken line\n"

    def respond(handler: http.server.BaseHTTPRequestHandler, n: int) -> None:  # a proxy that counts
        reply(handler, *forward(store.url, handler, *script.requests[-1]))

    script = Script(respond)
    with fake_endpoint(script) as url:
        pusher = Pusher(store.at(url), LIVE, timeout=5, deadline=20, retries=2, backoff=0.05)
        with pytest.raises(PushError, match="untouched") as raised:
            pusher.push(payload, 2)
    assert [method for method, _, _ in script.requests].count("PUT") == 1
    assert re.search(r"HTTP (400|500) [^:]*: \S", str(raised.value)), raised.value  # with what the store said
    assert not [g for g in graphs(store) if "/staging/" in g]


def test_chunks_cut_between_lines() -> None:
    payload = b"".join(b'<urn:x:s> <urn:x:p> "%d" .\n' % i for i in range(10))
    pusher = Pusher(StoreEndpoints.oxigraph("http://127.0.0.1:9"), LIVE, chunk_lines=3)
    pieces = pusher.chunks(payload)
    assert [piece.count(b"\n") for piece in pieces] == [3, 3, 2, 2]  # 4 requests of even sizes
    assert b"".join(pieces).splitlines() == payload.splitlines()  # each piece was already ordered by length
    whole = Pusher(StoreEndpoints.oxigraph("http://127.0.0.1:9"), LIVE, chunk_lines=10).chunks(payload)
    assert whole == [payload]
    long_first = b'<urn:x:s> <urn:x:p> "%s" .\n<urn:x:s> <urn:x:p> "b" .\n<urn:x:s> <urn:x:q> "c" .' % (b"a" * 100)
    assert pusher.chunks(long_first) == [
        b'<urn:x:s> <urn:x:p> "b" .\n<urn:x:s> <urn:x:q> "c" .\n' + long_first.split(b"\n")[0] + b"\n"
    ]


def test_the_command_uploads_in_chunks_of_the_library_default() -> None:
    from rncp_graph.push import CHUNK_LINES

    command = main.get_command(click.Context(main), "push")
    assert command is not None
    (option,) = [p for p in command.params if p.name == "chunk_lines"]
    assert option.default == CHUNK_LINES
