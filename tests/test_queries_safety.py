"""Parameters are validated and bound, never pasted; only read-only SELECTs run (reliability §4).

Cases 36 (filter injection), 37 (update injection), 39 (IRI parameter opening a SERVICE)
and the algebra allow-list, on both local engines and in the text sent to endpoints.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import date
from typing import ClassVar

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rncp_graph import queries
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.queries import ParameterError, UnsafeQueryError, check_query, get
from rncp_graph.queries.params import PARAM_TYPES, ParamSpec, bind, values_block
from rncp_graph.store import GraphStore

from .test_queries_support import inline_store

INJECTION = 'x" || true || "'
UPDATE_INJECTION = 'A1203" } ; DELETE WHERE { ?s ?p ?o } ; INSERT DATA { <urn:x> <urn:y> "pwned'
IRI_INJECTION = "http://x/> } SERVICE <http://169.254.169.254/> {"
ESCAPED_QUOTE = "x\\u0022 || true || \\u0022"


@pytest.fixture
def store() -> GraphStore:
    return inline_store("overlap")


@pytest.fixture
def engines(store: GraphStore) -> list[GraphStore | rdflib.Graph]:
    return [store, store.to_rdflib_graph()]


class Recorder(http.server.BaseHTTPRequestHandler):
    """A loopback server that counts every request it gets."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:leak"}}]}}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


# -- types ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("rome", " k1403 ", "K1403"),
        ("nsf", "332P", "332p"),
        ("formacode", "44047", "44047"),
        ("fiche", "rncp34808", "RNCP34808"),
        ("fiche", "RS5000", "RS5000"),
        ("block", "RNCP34808bc01", "RNCP34808BC01"),
        ("siret", "331 964 411 00036", "33196441100036"),
        ("date", "2026-01-01", "2026-01-01"),
        ("integer", "7", "7"),
        (
            "iri",
            "https://w3id.org/rncp-graph/id/certification/RNCP1",
            "https://w3id.org/rncp-graph/id/certification/RNCP1",
        ),
        ("string", "  Directeur ", "Directeur"),
    ],
)
def test_a_valid_value_is_normalised(kind: str, raw: str, expected: str) -> None:
    assert str(ParamSpec("p", kind).convert(raw)) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("rome", "M16O7"),
        ("rome", "Z9999"),
        ("rome", INJECTION),
        ("nsf", "33x2"),
        ("formacode", "4404"),
        ("fiche", "RNCP 34826bis"),
        ("fiche", "34826"),
        ("block", "RNCP34808"),
        ("siret", "7328293200007A"),
        ("siret", "1234"),
        ("date", "31/02/2025"),
        ("date", "2025-02-31"),
        ("integer", "2.5"),
        ("integer", "1e3"),
        ("iri", IRI_INJECTION),
        ("iri", "not an iri"),
        ("iri", 'http://x/"'),
        ("string", "a\x00b"),
        ("string", "x" * 501),
    ],
)
def test_an_invalid_value_is_refused(kind: str, raw: str) -> None:
    with pytest.raises(ParameterError):
        ParamSpec("p", kind).convert(raw)


def test_bound_terms_have_the_right_datatypes() -> None:
    assert ParamSpec("d", "date").convert(date(2026, 1, 1)) == rdflib.Literal(date(2026, 1, 1))
    assert ParamSpec("n", "integer").convert("2").datatype == rdflib.XSD.integer
    assert isinstance(ParamSpec("i", "iri").convert("urn:x"), rdflib.URIRef)
    assert ParamSpec("r", "rome").convert("K1403") == rdflib.Literal("K1403")


def test_missing_unknown_and_out_of_range_parameters() -> None:
    sharing = get("certifications-sharing-rome-codes")
    with pytest.raises(ParameterError, match="missing"):
        bind(sharing.params, {}, query=sharing.name)
    with pytest.raises(ParameterError, match="unknown"):
        bind(sharing.params, {"fiche": "RNCP1", "colour": "red"}, query=sharing.name)
    with pytest.raises(ParameterError, match="between"):
        bind(sharing.params, {"fiche": "RNCP1", "min": "0"}, query=sharing.name)
    assert str(bind(sharing.params, {"fiche": "RNCP1"}, query=sharing.name)["min"]) == "2"  # the default


def test_every_type_is_documented() -> None:
    assert set(PARAM_TYPES) == {
        "rome",
        "nsf",
        "formacode",
        "fiche",
        "block",
        "siret",
        "date",
        "integer",
        "iri",
        "string",
    }


# -- case 36: a filter injection through a parameter -------------------------------------------
def test_case_36_injection_is_refused_by_validation(engines: list[GraphStore | rdflib.Graph]) -> None:
    for target in engines:
        with pytest.raises(ParameterError):
            queries.run("certifications-sharing-rome", {"rome": INJECTION}, target=target)


@pytest.mark.parametrize("text", [INJECTION, ESCAPED_QUOTE, '") } #', "\\", '"'])
def test_case_36_even_bound_as_text_it_returns_no_extra_rows(
    text: str, engines: list[GraphStore | rdflib.Graph]
) -> None:
    for target in engines:
        assert len(queries.run("search-titles", {"text": text}, target=target)) == 0
        assert len(queries.run("search-titles", {"text": "u"}, target=target)) == 2  # "Un" and "Deux"


def test_case_36_without_validation_substitution_still_binds_a_literal(store: GraphStore) -> None:
    text = get("certifications-sharing-rome").text
    assert store.select(text, {"rome": ox.Literal(INJECTION)}) == []
    assert store.to_rdflib_graph().query(text, initBindings={"rome": rdflib.Literal(INJECTION)}).bindings == []


def test_case_36_remote_text_escapes_the_value() -> None:
    query = get("search-titles")
    bound = bind(query.params, {"text": INJECTION}, query=query.name)
    sent = queries.remote_text(query, bound)
    assert 'VALUES (?text) { ("x\\" || true || \\"") }' in sent
    check_query(sent, name=query.name)  # still one read-only SELECT
    assert inline_store("overlap").select(sent) == []


# -- case 37: an update through a parameter or a query text ------------------------------------
def test_case_37_update_injection_is_never_executed(store: GraphStore) -> None:
    before = sorted(canonical_lines(store))
    for target in (store, store.to_rdflib_graph()):
        with pytest.raises(ParameterError):
            queries.run("certifications-sharing-rome", {"rome": UPDATE_INJECTION}, target=target)
        assert len(queries.run("search-titles", {"text": UPDATE_INJECTION}, target=target)) == 0
        for text in (f'SELECT ?s WHERE {{ ?s ?p "{UPDATE_INJECTION}" }}', "DELETE WHERE { ?s ?p ?o }", "DROP ALL"):
            with pytest.raises(queries.QueryError):
                queries.run_text(text, target=target)
    assert sorted(canonical_lines(store)) == before
    assert not any("pwned" in line for line in canonical_lines(store))


# -- case 39: an IRI parameter that opens a SERVICE; zero network calls ---------------------------
def test_case_39_iri_injection_and_service_make_no_request(
    engines: list[GraphStore | rdflib.Graph], recorder: str
) -> None:
    for target in engines:
        with pytest.raises(ParameterError):
            queries.run("certifications-by-eqf-level", {"eqf": IRI_INJECTION}, target=target)
        for text in (
            f"SELECT ?s WHERE {{ SERVICE <{recorder}> {{ ?s ?p ?o }} }}",
            f"SELECT ?s WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT <{recorder}> {{ ?s ?q ?v }} }} }}",
            f"SELECT ?s FROM <{recorder}> WHERE {{ ?s ?p ?o }}",
            f"LOAD <{recorder}>",
        ):
            with pytest.raises(queries.QueryError):
                queries.run_text(text, target=target)
    assert Recorder.hits == []


def test_the_recorder_would_see_a_request(recorder: str) -> None:
    """The zero above means something: rdflib, unguarded, does call the SERVICE."""
    graph = rdflib.Graph()
    rows = list(graph.query(f"SELECT ?s WHERE {{ SERVICE <{recorder}> {{ ?s ?p ?o }} }}"))
    assert Recorder.hits and rows


# -- the allow-list itself ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { { SELECT ?s WHERE { OPTIONAL { SERVICE <http://y/> { ?s ?p ?o } } } } }",
        "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://y/> { ?s ?p ?o } } }",
        "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE ?endpoint { ?s ?p ?o } } }",
        "PREFIX x: <http://x/> SELECT * WHERE { SERVICE x:e { ?s ?p ?o } }",
        "select * where { service <http://y/> { ?s ?p ?o } }",
        "CLEAR ALL",
        "CREATE GRAPH <urn:g>",
        "COPY <urn:a> TO <urn:b>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
        "DESCRIBE <urn:a>",
    ],
)
def test_the_allow_list_refuses(text: str) -> None:
    with pytest.raises(UnsafeQueryError):
        check_query(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT ?s WHERE { ?s ?p ?o } # FROM <http://x/> LOAD <http://x/>",
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_the_allow_list_reads_the_algebra_not_the_words(text: str) -> None:
    check_query(text)


# -- a property: random text for a string parameter never widens the answer ---------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_text_only_matches_titles_that_contain_it(store: GraphStore, text: str) -> None:
    before = len(store)
    try:
        result = queries.run("search-titles", {"text": text}, target=store)
    except ParameterError:
        return
    needle = str(ParamSpec("t", "string").convert(text)).lower()
    assert all(needle in str(row["title"]).lower() for row in result.rows)
    assert len(store) == before


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20))
def test_any_text_is_a_valid_rome_code_or_refused(text: str) -> None:
    try:
        value = str(ParamSpec("r", "rome").convert(text))
    except ParameterError:
        return
    letter, digits = value[0], value[1:]
    assert letter in "ABCDEFGHIJKLMN" and (digits == "" or digits.isdigit())
    assert len(digits) in {0, 2, 4} or value in {"H1", "H2"}  # K, K14, K1403; ROME v3's H1, H2


def test_values_block_is_empty_without_bindings() -> None:
    assert values_block({}) == ""
    query = get("rome-codes-ranked")
    sent = queries.remote_text(query, {})
    assert sent.startswith("PREFIX") and sent in query.text and "#+" not in sent
