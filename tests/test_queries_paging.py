"""``--limit`` / ``--offset`` and :class:`rncp_graph.queries.Page`: rows M+1 to M+N of an answer,
in the query's own order, on Oxigraph, rdflib and an endpoint; bad values refused (exit 2)."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from rncp_graph import Build, queries
from rncp_graph.cli import main
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.queries import Page, ParameterError
from rncp_graph.store import GraphStore
from rncp_graph.terms import lines_to_bytes

from .constants import K1403_FICHES
from .test_remote import Script, endpoint, fake_endpoint, json_reply

ORDERED = "SELECT ?n WHERE { ?c a rncp:Certification ; rncp:ficheNumber ?n } ORDER BY DESC(?n)"
#: every fiche number of the samples, as ORDERED gives them
DESCENDING = ["RNCP4525", "RNCP41818", "RNCP41120", "RNCP36459", "RNCP34808"]


@pytest.fixture(scope="module")
def engines(sample_build: Build) -> list[GraphStore | rdflib.Graph]:
    return [sample_build.store, sample_build.store.to_rdflib_graph()]


@pytest.fixture(scope="module")
def sample_nt(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    return path


def fiches(table: queries.ResultTable, column: str = "fiche") -> list[str]:
    return [row[column].value for row in table.rows if row[column] is not None]  # type: ignore[union-attr]


@pytest.mark.parametrize(("limit", "offset"), [(2, 0), (2, 1), (3, 2), (10, 3), (0, 0), (None, 3), (1, 5)])
def test_a_page_is_the_slice_of_the_whole_answer_in_its_order(
    engines: list[GraphStore | rdflib.Graph], limit: int | None, offset: int
) -> None:
    for target in engines:
        whole = queries.run("certifications-sharing-rome", {"rome": "K1403"}, target=target)
        assert fiches(whole) == K1403_FICHES  # the query's ORDER BY ?fiche
        page = queries.run("certifications-sharing-rome", {"rome": "K1403"}, target=target, page=Page(limit, offset))
        assert page.columns == whole.columns
        assert page.rows == whole.rows[offset : None if limit is None else offset + limit]
        assert (
            fiches(queries.run_text(ORDERED, target=target, page=Page(limit, offset)), "n")
            == (DESCENDING[offset : None if limit is None else offset + limit])
        )


def test_the_limit_returns_n_rows_in_the_order_by_of_the_query(engines: list[GraphStore | rdflib.Graph]) -> None:
    for target in engines:
        first = queries.run_text(ORDERED, target=target, page=Page(limit=2))
        assert fiches(first, "n") == ["RNCP4525", "RNCP41818"]  # DESC: not the store's order, not ascending
        rest = queries.run_text(ORDERED, target=target, page=Page(limit=2, offset=2))
        assert fiches(rest, "n") == ["RNCP41120", "RNCP36459"]


def test_oxigraph_stops_computing_once_the_page_is_read(sample_build: Build) -> None:
    """A cross product of the samples' triples with themselves has millions of rows; the first
    three come at once (no ORDER BY: the answer is read lazily and left there)."""
    text = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    rows = queries.run_text(text, target=sample_build.store, page=Page(limit=3))
    assert len(rows) == 3
    table = sample_build.store.table(text, timeout=30, limit=3, offset=1000)
    assert len(table[1]) == 3


def test_an_endpoint_answer_is_cut_to_the_page() -> None:
    bindings = [{"n": {"type": "literal", "value": str(i)}} for i in range(6)]
    body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": bindings}}).encode()
    script = Script(json_reply(body))
    with fake_endpoint(script) as url:
        table = queries.run_text("SELECT ?n WHERE { ?s ?p ?n }", target=endpoint(url + "/query"), page=Page(2, 3))
    assert [row["n"].value for row in table.rows] == ["3", "4"]  # type: ignore[union-attr]
    assert len(script.requests) == 1
    assert "LIMIT" not in script.requests[0][2].decode()  # the text sent is the query's own


@pytest.mark.parametrize(("limit", "offset"), [(-1, 0), (0, -2), (True, 0), (1.5, 0), ("3", 0), (None, None)])
def test_a_bad_limit_or_offset_is_refused(limit: object, offset: object) -> None:
    with pytest.raises(ParameterError, match="whole number"):
        Page(limit, offset)  # type: ignore[arg-type]


def test_the_store_refuses_a_negative_slice(sample_build: Build) -> None:
    with pytest.raises(ValueError, match="at least 0"):
        sample_build.store.table(ORDERED, limit=-1)


# -- the command line -------------------------------------------------------------------------
def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_query_and_sparql_take_limit_and_offset(sample_nt: Path) -> None:
    base = ["query", "certifications-sharing-rome", "-p", "rome=K1403", "--graph", str(sample_nt), "--format", "csv"]
    code, out, _ = invoke(*base, "--limit", "2", "--offset", "1")
    assert code == 0
    assert [row["fiche"] for row in csv.DictReader(io.StringIO(out))] == K1403_FICHES[1:3]
    code, out, _ = invoke(*base, "--offset", "3")
    assert [row["fiche"] for row in csv.DictReader(io.StringIO(out))] == K1403_FICHES[3:]
    code, out, _ = invoke("sparql", ORDERED, "--graph", str(sample_nt), "--limit", "3", "--format", "csv")
    assert (code, out.split()) == (0, ["n", *DESCENDING[:3]])
    code, out, _ = invoke("sparql", ORDERED, "--graph", str(sample_nt), "--limit", "1")
    assert code == 0 and "(1 row" in out


@pytest.mark.parametrize(
    "bad", [["--limit", "-1"], ["--limit", "two"], ["--offset", "-3"], ["--limit", "1.5"], ["--offset", ""]]
)
@pytest.mark.parametrize("command", ["query", "sparql"])
def test_a_bad_limit_or_offset_exits_2(command: str, bad: list[str], sample_nt: Path) -> None:
    what = ["certifications-sharing-rome", "-p", "rome=K1403"] if command == "query" else [ORDERED]
    code, out, err = invoke(command, *what, "--graph", str(sample_nt), *bad)
    assert code == 2, out
    assert bad[0] in err and out == ""


def test_pages_of_one_answer_read_in_threads_are_its_rows(sample_build: Build) -> None:
    """Pages are independent reads (nothing is kept between them): read at once, they still tile the answer."""
    pages: dict[int, list[str]] = {}

    def read(offset: int) -> None:
        pages[offset] = fiches(queries.run_text(ORDERED, target=sample_build.store, page=Page(2, offset)), "n")

    threads = [threading.Thread(target=read, args=(offset,)) for offset in (0, 2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert pages[0] + pages[2] + pages[4] == DESCENDING
