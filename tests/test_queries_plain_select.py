"""An ad-hoc SELECT on Oxigraph whose allow-list verdict is known without a parse
(:func:`rncp_graph.sparql_guard.plain_select`) runs unparsed; every other text is parsed and
checked as before, and nothing the allow-list refuses gets through (issue 21: ``sparql``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rncp_graph import Build, queries
from rncp_graph.namespaces import sparql_prologue
from rncp_graph.queries import QueryError, UnsafeQueryError, check_query, safety
from rncp_graph.sparql_guard import plain_select

PLAIN = [
    "SELECT ?n WHERE { ?c rncp:ficheNumber ?n } ORDER BY ?n",
    "select ?n where { ?c rncp:ficheNumber ?n }",
    "# fiche numbers\nPREFIX x: <http://example.org/a#b>\nBASE <http://example.org/>\n  SELECT (COUNT(*) AS ?n) {}",
    'SELECT ?s WHERE { ?s ?p "caf\\u00e9" }'.replace("\\u00e9", "é"),
]
#: texts that must be parsed: not plainly a SELECT, or a word the allow-list looks for
PARSED = [
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <urn:a>",
    "# SELECT\nASK { ?s ?p ?o }",
    "PREFIX select: <http://x/> ASK { ?s ?p ?o }",
    "BASE <http://x/SELECT> ASK { ?s ?p ?o }",
    "PREFIX x: <http://x/ SELECT> ASK { }",
    "SELECT ?s FROM <urn:g> WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    'SELECT ?s WHERE { ?s ?p "download" }',
    "SELECT ?s WHERE { ?s ?p '\\u0041' }",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    " ",
]


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts the allow-list parsed (``check_query`` as :func:`safety.ensure_safe` calls it)."""
    seen: list[str] = []
    original = safety.check_query

    def recording(text: str, *, name: str = "ad-hoc") -> object:
        seen.append(text)
        return original(text, name=name)

    monkeypatch.setattr(safety, "check_query", recording)
    yield seen


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_select_runs_on_oxigraph_without_a_parse(text: str, checked: list[str], sample_build: Build) -> None:
    assert plain_select(sparql_prologue() + text)
    queries.run_text(text, target=sample_build.store)
    assert checked == []


def test_its_rows_are_those_of_the_checked_path(sample_build: Build) -> None:
    unparsed = queries.run_text(PLAIN[0], target=sample_build.store)
    parsed = queries.run_text(PLAIN[0], target=sample_build.store.to_rdflib_graph())  # rdflib: always parsed
    assert unparsed.rows == parsed.rows and len(unparsed) == 5


@pytest.mark.parametrize("text", PARSED)
def test_any_other_text_is_parsed_first(text: str, checked: list[str], sample_build: Build) -> None:
    assert not plain_select(sparql_prologue() + text)
    with contextlib.suppress(QueryError):  # refused or not, the point is that it was parsed
        queries.run_text(text, target=sample_build.store)
    assert checked == [sparql_prologue() + text]


@pytest.mark.parametrize("text", [t for t in PARSED if "SELECT ?s" not in t or "FROM" in t or "SERVICE" in t])
def test_what_the_allow_list_refuses_is_still_refused_on_oxigraph(text: str, sample_build: Build) -> None:
    with pytest.raises(QueryError):
        queries.run_text(text, target=sample_build.store)


def test_a_select_oxigraph_cannot_parse_is_a_query_error(sample_build: Build) -> None:
    with pytest.raises(QueryError, match="SPARQL query failed"):
        queries.run_text("SELECT ?s WHERE { ?s ?p ?o } ; DROP ALL", target=sample_build.store)


#: pieces of SPARQL (and of non-SPARQL) whose sequences exercise the form, the prologue and the words
TOKENS = st.sampled_from(
    [
        "SELECT", "select", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "PREFIX", "BASE", "x:", "select:", "<http://x/>",
        "<urn:SELECT>", "#", "# SELECT", "\n", " ", "{", "}", "?s", "?p", "?o", "*", ".", ";", '"', "'", '"ASK"',
        "DELETE", "INSERT", "DATA", "DROP ALL", "GRAPH", "FILTER", "EXISTS", "OPTIONAL", "(", ")", "VALUES",
        "LIMIT 1", "ORDER BY", "FROM", "SERVICE", "LOAD", "NAMED", "\\u0022", "<<", ">>", "a", "1",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, max_size=14).map(" ".join))
def test_a_text_let_through_unparsed_is_never_one_the_allow_list_refuses(text: str) -> None:
    if not plain_select(text):
        return
    try:
        check_query(text)
    except UnsafeQueryError as exc:  # pragma: no cover - what the test exists to catch
        pytest.fail(f"let through unparsed, refused by the allow-list: {text!r} ({exc})")
    except QueryError:
        pass  # a syntax error: Oxigraph reports its own


def test_the_project_prologue_holds_none_of_the_words() -> None:
    """Else no ad-hoc text of ``rncp-graph sparql`` (prologue first) could skip the parse."""
    assert plain_select(sparql_prologue() + "SELECT * {}")


def test_a_long_prologue_that_is_not_a_select_fails_in_one_pass() -> None:
    """Possessive repetition: 20,000 blanks and comments before ASK are read once, not re-split."""
    text = "PREFIX x: <http://x/>" + " \n# c\n" * 20_000 + "ASK {}"
    assert not plain_select(text)
