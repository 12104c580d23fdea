"""Meta-tests of the saved queries: every .rq parses, is safe, is listed, and has test rows.

Also the rules a query file must follow (header, parameters in the projection, the
``# @params`` marker at the top of the WHERE group), each shown to reject a bad file.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph.queries import MARKER, QueryError, UnsafeQueryError, discover
from rncp_graph.queries.catalogue import HEADER_KEYS, load, marker_depth, parse_header
from rncp_graph.queries.readme import REGENERATE, readme_path, render_readme

from .constants import ROOT
from .test_queries_support import cases, graph_names, table

QUERY_DIR = ROOT / "queries"
FILES = sorted(QUERY_DIR.rglob("*.rq"))
CATALOGUE = discover()


def test_there_are_enough_queries() -> None:
    main = [q for q in CATALOGUE.values() if not q.group]
    checks = [q for q in CATALOGUE.values() if q.is_check]
    assert len(main) >= 25
    assert len(checks) >= 6
    assert len(CATALOGUE) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(QUERY_DIR).as_posix())
def test_every_file_parses_on_both_engines_and_has_a_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, name=path.stem)
    assert all(key in header for key in HEADER_KEYS)
    assert str(header["summary"]).strip() and header["tags"]
    query = load(path, root=QUERY_DIR)  # rdflib parser + algebra allow-list
    ox.Store().query(text)  # Oxigraph's parser: raises on a syntax error, prefixes from the file only
    assert query.columns, "a SELECT with an explicit projection"
    for spec in query.params:
        assert spec.example is not None, f"parameter {spec.name} needs an example"
        spec.convert(spec.example)


def test_check_files_are_named_for_what_they_find() -> None:
    for path in (QUERY_DIR / "checks").glob("*.rq"):
        assert path.stem.endswith("-violation"), path.name
        assert CATALOGUE[path.stem].is_check


def test_readme_is_generated_from_the_headers() -> None:
    expected = render_readme(CATALOGUE.values())
    current = readme_path().read_text(encoding="utf-8") if readme_path().exists() else ""
    assert current == expected, f"queries/README.md is stale: run `{REGENERATE}`"
    for name in CATALOGUE:
        assert f"### {name}\n" in current, f"{name} is not listed in queries/README.md"


def test_every_query_has_test_rows_and_no_row_is_stale() -> None:
    by_query: dict[str, list[str]] = {}
    for case in cases():
        by_query.setdefault(case.query, []).append(case.graph)
    assert sorted(set(by_query) - set(CATALOGUE)) == [], "rows for queries that do not exist"
    missing = sorted(set(CATALOGUE) - set(by_query))
    assert missing == [], f"queries without expected rows in tests/queries_expected.yaml: {missing}"
    no_sample = sorted(name for name, graphs in by_query.items() if "sample" not in graphs)
    assert no_sample == [], f"queries without a case on the sample graph: {no_sample}"
    assert {c.graph for c in cases()} <= {"sample", *graph_names()}


def test_every_check_is_shown_to_find_something() -> None:
    """A check that returns no rows on good data must return some on bad data, or it tests nothing."""
    for name, query in CATALOGUE.items():
        if query.is_check:
            on_bad = [c for c in cases() if c.query == name and c.graph != "sample" and c.rows]
            on_good = [c for c in cases() if c.query == name and c.graph == "sample"]
            assert on_bad, f"{name}: no case where it finds a violation"
            assert on_good and all(c.rows == [] for c in on_good), f"{name}: must return no rows on the samples"
    assert "bad" in table()["graphs"]


def test_every_parameter_is_exercised() -> None:
    """Each parameter of each query is given in at least one case (or has a default)."""
    given = {(c.query, p) for c in cases() for p in c.params}
    for name, query in CATALOGUE.items():
        for spec in query.params:
            assert (name, spec.name) in given or spec.default is not None, f"{name}: ?{spec.name} never given"


# -- the rules, each shown to reject a bad file (reliability case 40) --------------------------
HEADER = "#+ summary: s\n#+ description: d\n#+ params: []\n#+ tags: [t]\n"
PARAM_HEADER = (
    "#+ summary: s\n#+ description: d\n#+ params:\n#+   - {name: rome, type: rome, example: K1403}\n#+ tags: [t]\n"
)
BAD_FILES = {
    "service": (HEADER + "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", UnsafeQueryError),
    "service-in-optional": (
        HEADER + "SELECT ?s WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x/> { ?s ?q ?v } } }",
        UnsafeQueryError,
    ),
    "from": (HEADER + "SELECT ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }", UnsafeQueryError),
    "from-named": (HEADER + "SELECT ?s FROM NAMED <http://ex.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", UnsafeQueryError),
    "load": (HEADER + "LOAD <http://example.org/data.ttl>", UnsafeQueryError),
    "insert": (HEADER + "INSERT DATA { <urn:a> <urn:b> <urn:c> }", UnsafeQueryError),
    "delete-where": (HEADER + "DELETE WHERE { ?s ?p ?o }", UnsafeQueryError),
    "construct": (HEADER + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", UnsafeQueryError),
    "syntax": (HEADER + "SELECT ?s WHERE { ?s ?p }", QueryError),
    "no-header": ("SELECT ?s WHERE { ?s ?p ?o }", QueryError),
    "param-not-projected": (PARAM_HEADER + "SELECT ?s WHERE {\n  # @params\n  ?s ?p ?rome }", QueryError),
    "no-marker": (PARAM_HEADER + "SELECT ?rome WHERE { ?s ?p ?rome }", QueryError),
    "marker-in-subquery": (
        PARAM_HEADER + "SELECT ?rome WHERE { { SELECT ?rome WHERE {\n  # @params\n  ?s ?p ?rome } } }",
        QueryError,
    ),
    "unknown-type": (
        HEADER.replace("params: []", "params: [{name: x, type: colour, example: red}]")
        + "SELECT ?x WHERE {\n  # @params\n  ?s ?p ?x }",
        QueryError,
    ),
    "bound-on-param": (
        PARAM_HEADER + "SELECT ?rome ?s WHERE {\n  # @params\n  ?s ?p ?o FILTER(!BOUND(?rome)) }",
        QueryError,
    ),
    "bad-example": (
        PARAM_HEADER.replace("K1403", "K14O3") + "SELECT ?rome WHERE {\n  # @params\n  ?s ?p ?rome }",
        QueryError,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_query_file_is_refused(name: str, tmp_path: Path) -> None:
    text, error = BAD_FILES[name]
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / f"{name}-violation.rq").write_text(text, encoding="utf-8")
    with pytest.raises(error):
        discover(tmp_path)


def test_a_good_file_in_the_same_place_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "ok.rq").write_text(
        PARAM_HEADER + "SELECT ?rome ?s WHERE {\n  # @params\n  ?s ?p ?rome }", encoding="utf-8"
    )
    assert list(discover(tmp_path)) == ["ok"]


def test_two_files_with_one_name_are_refused(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.rq").write_text(HEADER + "SELECT ?s WHERE { ?s ?p ?o }", encoding="utf-8")
    with pytest.raises(QueryError, match="two saved queries"):
        discover(tmp_path)


def test_marker_depth_ignores_braces_in_strings_iris_and_comments() -> None:
    text = 'SELECT ?x WHERE { # {{\n  ?s <urn:{a}> "}{" .\n  # @params\n ?s ?p ?x }'
    assert marker_depth(text) == 1
    assert MARKER in text


def test_get_reads_only_the_named_query_and_refuses_a_name_held_twice(tmp_path: Path) -> None:
    """``rncp-graph query NAME`` parses one header, not the whole catalogue's (issue 21)."""
    from rncp_graph.queries import catalogue

    good = "#+ summary: S\n#+ description: D\n#+ params: []\n#+ tags: []\nSELECT ?s WHERE { ?s ?p ?o }\n"
    (tmp_path / "good.rq").write_text(good, encoding="utf-8")
    (tmp_path / "broken.rq").write_text("#+ summary: [unclosed\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert catalogue.get("good", tmp_path).columns == ["s"]
    with pytest.raises(catalogue.QueryError, match="not valid YAML"):
        catalogue.discover(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "good.rq").write_text(good, encoding="utf-8")
    with pytest.raises(catalogue.QueryError, match="two saved queries are named good"):
        catalogue.get("good", tmp_path)
