"""No query path of the package reaches the network unless asked (issue 19, items 1 and 2).

A loopback listener records every request; each path is tried with SERVICE, LOAD and FROM,
and with the escape trick: ``"\\u0022"`` is one string for Oxigraph (SPARQL 1.2 reads
escapes inside strings only) and a quote for rdflib (SPARQL 1.1 expands them first), so
``"\\u0022" … SERVICE … "\\u0022"`` was a long string for the old check and a real SERVICE
call for the engine.
"""

from __future__ import annotations

import contextlib
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.plugins.sparql import prepareQuery

from rncp_graph import Build, queries, sparql_guard
from rncp_graph.cli import main
from rncp_graph.errors import QueryError
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.queries import UnsafeQueryError, catalogue, check_query
from rncp_graph.sparql_guard import check_escapes
from rncp_graph.store import GraphStore
from rncp_graph.terms import lines_to_bytes

from .constants import ROOT
from .test_queries_support import inline_store

BYPASS = (
    'SELECT ?s WHERE {{ OPTIONAL {{ ?x ?y "\\u0022" }} SERVICE <{url}> {{ ?s ?p ?o }} OPTIONAL {{ ?x ?y "\\u0022" }} }}'
)
HEADER = "#+ summary: s\n#+ description: d\n#+ params: []\n#+ tags: []\n"


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with one row of SPARQL JSON, and keeps its method and path."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        Recorder.hits.append(f"{self.command} {self.path}")
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:leak"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sample_nt(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    return path


def service(url: str) -> str:
    return f"SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


# -- item 1: the escape trick ---------------------------------------------------------------
def test_the_trick_does_reach_an_unguarded_oxigraph(url: str) -> None:
    """The zeros below mean something: Oxigraph itself calls the SERVICE hidden by the escapes."""
    with contextlib.suppress(SyntaxError, RuntimeError, OSError):
        list(ox.Store().query(BYPASS.format(url=url)))
    assert Recorder.hits == ["POST /sparql"]


def test_the_allow_list_refuses_the_trick(url: str) -> None:
    with pytest.raises(UnsafeQueryError, match=r"escape \\u0022 .*QUOTATION MARK"):
        check_query(BYPASS.format(url=url))


@pytest.mark.parametrize(
    "escape", ["\\u0022", "\\u0027", "\\u003E", "\\u003c", "\\u005C", "\\u000A", "\\u0023", "\\u007B", "\\U00000022"]
)
def test_an_escape_for_a_character_of_the_grammar_is_refused(escape: str) -> None:
    with pytest.raises(UnsafeQueryError, match="write the character itself"):
        check_escapes(f'SELECT ?s WHERE {{ ?s ?p "a{escape}b" }}')


def test_rdflib_reads_eight_digits_after_a_lower_case_u() -> None:
    """rdflib's pattern takes ``\\u0000`` + ``0022`` as one escape for a quote: refused too."""
    with pytest.raises(UnsafeQueryError, match="QUOTATION MARK"):
        check_escapes('SELECT ?s WHERE { ?s ?p "\\u00000022" }')
    with pytest.raises(UnsafeQueryError, match="not a Unicode code point"):
        check_escapes('SELECT ?s WHERE { ?s ?p "\\u00e9abcd" }')


@pytest.mark.parametrize("escape", ["\\u00e9", "\\u0041", "\\u0037", "\\U0001F600", "\\u00AB"])
def test_an_escape_for_a_letter_digit_or_symbol_is_kept(escape: str, url: str) -> None:
    store = inline_store("overlap")
    text = f'SELECT ?s WHERE {{ BIND("caf{escape}" AS ?s) }}'
    assert len(store.select(text)) == 1
    check_query(text)


def test_sparql_command_refuses_the_trick_with_no_request(url: str, sample_nt: Path) -> None:
    result = CliRunner().invoke(main, ["sparql", BYPASS.format(url=url), "--graph", str(sample_nt)])
    assert result.exit_code == 2, result.output
    assert "escape \\u0022" in result.stderr
    assert Recorder.hits == []


def test_query_command_refuses_a_saved_query_with_the_trick(
    url: str, sample_nt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", copy, ignore=shutil.ignore_patterns("checks"))
    (copy / "leak.rq").write_text(HEADER + BYPASS.format(url=url) + "\n", encoding="utf-8")
    monkeypatch.setattr(catalogue, "queries_root", lambda: copy)
    result = CliRunner().invoke(main, ["query", "leak", "--graph", str(sample_nt)])
    assert result.exit_code == 2, result.output
    assert "escape \\u0022" in result.stderr
    assert Recorder.hits == []


# -- item 2: every query path of the Python API -------------------------------------------------
def api_paths(store: GraphStore, build: Build) -> dict[str, Callable[[str], Any]]:
    """name → a function running one network-reaching text on that path, returning its rows."""
    return {
        "store.select": lambda url: store.select(service(url)),
        "store.select, escapes": lambda url: store.select(BYPASS.format(url=url)),
        "store.query": lambda url: list(store.query(service(url))),
        "queries.run_text": lambda url: queries.run_text(BYPASS.format(url=url), target=store),
        "graph().query": lambda url: list(build.graph().query(service(url))),
        "graph().query, escapes": lambda url: list(build.graph().query(BYPASS.format(url=url))),
        "graph().query, prepared": lambda url: list(build.graph().query(prepareQuery(service(url)))),
        "graph().query, FROM": lambda url: list(
            build.graph().query(prepareQuery(f"SELECT ?s FROM <{url}> WHERE {{ ?s ?p ?o }}"))
        ),
        "graph().update LOAD": lambda url: build.graph().update(f"LOAD <{url}>"),
        "graph().get_context().query": lambda url: list(build.graph().get_context(url).query(service(url))),
        "to_rdflib_graph().query": lambda url: list(store.to_rdflib_graph().query(service(url))),
        "to_rdflib_graph().update LOAD": lambda url: store.to_rdflib_graph().update(f"LOAD <{url}>"),
        "to_rdflib_graph().query FROM": lambda url: list(
            store.to_rdflib_graph().query(f"SELECT ?s FROM <{url}> WHERE {{ ?s ?p ?o }}")
        ),
    }


PATHS = list(api_paths(GraphStore(), Build.__new__(Build)))


@pytest.mark.parametrize("path", PATHS)
def test_no_api_path_reaches_the_network(path: str, url: str, sample_build: Build) -> None:
    run = api_paths(sample_build.store, sample_build)[path]
    with pytest.raises(UnsafeQueryError, match=r"not allowed|escape"):
        run(url)
    assert Recorder.hits == []


def test_federation_is_an_explicit_opt_in(url: str, sample_build: Build) -> None:
    store = inline_store("overlap")
    rows = store.select(service(url), allow_federation=True)
    assert [str(r["s"].value) for r in rows if r["s"] is not None] == ["urn:leak"]
    assert len(list(sample_build.graph(allow_federation=True).query(service(url)))) == 1
    with contextlib.suppress(Exception):  # the listener's JSON is no RDF document: rdflib fails after fetching
        store.to_rdflib_graph(allow_federation=True).update(f"LOAD <{url}>")
    assert len(Recorder.hits) >= 3


def test_local_from_and_graph_clauses_still_work_on_oxigraph(sample_build: Build) -> None:
    """FROM on Oxigraph names a graph of the store: nothing is fetched, so it is allowed there."""
    graph = sample_build.store.graphs()[0]
    rows = sample_build.store.select(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    assert int(str(rows[0]["n"].value)) > 0  # type: ignore[union-attr]


def test_a_text_rdflib_cannot_parse_is_refused_unless_opted_in() -> None:
    """A text with a network word in it (here only in an IRI) must be parsed to be checked."""
    store = inline_store("overlap")
    text = "SELECT ?t WHERE { BIND(<<( <urn:a> <urn:service> <urn:c> )>> AS ?t) }"
    with pytest.raises(QueryError, match="cannot be checked"):
        store.select(text)
    with contextlib.suppress(QueryError):  # Oxigraph's own verdict, whatever it is, is reached
        store.select(text, allow_federation=True)


def test_a_text_without_network_words_or_escapes_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generated validation queries hold no SERVICE/LOAD: no ~25 ms pyparsing parse for them."""
    parsed: list[str] = []
    monkeypatch.setattr(sparql_guard, "_parse", lambda text, name: parsed.append(text))
    sparql_guard._guard_text.cache_clear()
    sparql_guard.guard("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", engine="oxigraph")
    sparql_guard.guard("SELECT ?s WHERE { ?s ?p 'x' } LIMIT 2", engine="rdflib")
    assert parsed == []
    for text in ("SELECT * { SERVICE <urn:x> { ?s ?p ?o } }", "SELECT * { ?s ?p '\\u0041' }"):
        sparql_guard.guard(text, engine="oxigraph")
    sparql_guard.guard("SELECT * FROM <urn:g> { ?s ?p ?o }", engine="rdflib")
    assert len(parsed) == 3
    sparql_guard._guard_text.cache_clear()
