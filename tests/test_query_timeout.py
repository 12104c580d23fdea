"""Local queries stop at a deadline (issue 19, item 3): a cross product no longer runs until killed."""

from __future__ import annotations

import gc
import shutil
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from rncp_graph import queries
from rncp_graph.cli import main
from rncp_graph.deadline import TIMEOUT_ENV, QueryTimeoutError, default_timeout
from rncp_graph.errors import QueryError
from rncp_graph.queries import catalogue
from rncp_graph.store import GraphStore

from .constants import ROOT

#: four patterns over N triples: N**4 rows (300**4 = 8.1e9: hours of rows, yielded one by one)
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: an aggregate computes before its first row: 200**3 = 8e6 combinations, ~2 s of Oxigraph
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: how late a stop may come on an idle machine (an aggregate must stop well before its ~2 s)
SLACK = 1.5
#: the same for a cross product, whose rows would go on for hours: wide enough for a machine
#: running other test suites at once (seen: 2.9 s at a load of 10 on 2 cores), still far below
#: what the query takes when nothing stops it
CROSS_SLACK = 8.0


def store_of(n: int) -> GraphStore:
    store = GraphStore()
    for i in range(n):
        store.add_quads(
            [ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)), ox.NamedNode("urn:g"))]
        )
    return store


def elapsed(function: object, *args: object, **kwargs: object) -> float:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"no complete answer within 0\.5 s"):
        function(*args, **kwargs)  # type: ignore[operator]
    return time.monotonic() - started


def test_select_stops_a_cross_product_at_the_deadline() -> None:
    assert elapsed(store_of(300).select, CROSS, timeout=0.5) < 0.5 + CROSS_SLACK


def test_select_frees_the_caller_of_an_aggregate_at_the_deadline() -> None:
    assert elapsed(store_of(200).select, COUNT, timeout=0.5) < 0.5 + SLACK


def test_the_store_default_applies_to_saved_and_ad_hoc_queries() -> None:
    store = store_of(300)
    store.query_timeout = 0.5
    assert elapsed(queries.run_text, CROSS, target=store) < 0.5 + CROSS_SLACK


def test_rdflib_evaluation_is_bounded_too() -> None:
    graph = store_of(60).to_rdflib_graph()
    assert elapsed(queries.local.run_rdflib, graph, CROSS, {}, timeout=0.5) < 0.5 + CROSS_SLACK


def test_lazy_results_stop_between_rows() -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        for _ in store_of(300).query(CROSS, timeout=0.5):
            pass
    assert time.monotonic() - started < 0.5 + CROSS_SLACK


def test_a_query_within_the_limit_is_answered() -> None:
    rows = store_of(3).select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", timeout=5)
    assert [r["s"].value for r in rows if r["s"] is not None] == ["urn:s0", "urn:s1", "urn:s2"]


def test_the_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "2.5")
    assert default_timeout() == 2.5 and GraphStore().query_timeout == 2.5
    monkeypatch.setenv(TIMEOUT_ENV, "none")
    assert default_timeout() is None
    monkeypatch.setenv(TIMEOUT_ENV, "soon")
    with pytest.raises(QueryError, match=TIMEOUT_ENV):
        default_timeout()
    monkeypatch.delenv(TIMEOUT_ENV)
    assert default_timeout() == 120.0


@pytest.fixture(scope="module")
def big_nt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cross") / "g.nt"
    path.write_text("".join(f'<urn:s{i}> <urn:p> "{i}" .\n' for i in range(300)), encoding="utf-8")
    return path


def test_sparql_command_exits_2_at_the_deadline(big_nt: Path) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["sparql", CROSS, "--graph", str(big_nt), "--deadline", "0.5"])
    assert time.monotonic() - started < 0.5 + CROSS_SLACK + 1.0  # and the graph to load
    assert result.exit_code == 2
    assert "no complete answer within 0.5 s" in result.stderr and "--deadline" in result.stderr


def test_sparql_command_takes_the_limit_from_the_environment(big_nt: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    result = CliRunner().invoke(main, ["sparql", CROSS, "--graph", str(big_nt)])
    assert result.exit_code == 2 and "within 0.5 s" in result.stderr


def test_results_are_freed_by_the_thread_that_made_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyoxigraph's results must be freed by their own thread: none may be left in cyclic garbage
    (rdflib's parser keeps the frames it ran under alive) for another thread's collection."""
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(QueryTimeoutError):
        store_of(300).select(CROSS, timeout=0.2)
    time.sleep(0.3)  # the stopped worker ends at its next row
    store = store_of(3)
    store.select("SELECT ?o WHERE { ?s ?p ?o }")
    for _ in store.query("SELECT ?s WHERE { ?s ?p ?o }"):  # parsed last: what the parser keeps is from here
        pass
    collector = threading.Thread(target=gc.collect)
    collector.start()
    collector.join()
    assert unraisable == []
    assert not [o for o in gc.get_objects() if type(o).__name__ == "QuerySolutions"]


def test_query_command_stops_a_saved_query_at_the_deadline(
    big_nt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", copy, ignore=shutil.ignore_patterns("checks"))
    (copy / "cross.rq").write_text(
        "#+ summary: s\n#+ description: d\n#+ params: []\n#+ tags: []\n" + CROSS + "\n", encoding="utf-8"
    )
    monkeypatch.setattr(catalogue, "queries_root", lambda: copy)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["query", "cross", "--graph", str(big_nt), "--deadline", "0.5"])
    assert time.monotonic() - started < 0.5 + CROSS_SLACK + 1.0
    assert result.exit_code == 2 and "query cross: no complete answer within 0.5 s" in result.stderr
