"""Shared helpers of the query tests: the expected-rows table, the graphs it names, and fixtures.

``tests/queries_expected.yaml`` holds, for each saved query, cases of ``params`` → ``rows``
on a named graph: ``sample`` (the five sample fiches, built once per session) or one of the
small hand-made Turtle graphs of its ``graphs:`` section. Cells are written as
:meth:`rncp_graph.queries.Value.canonical` gives them: IRIs compacted (``rncpid:...``),
literals by their lexical value, numbers canonical; ``null`` is unbound.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import yaml

from rncp_graph import Build
from rncp_graph.namespaces import DATA_BASE, PREFIXES
from rncp_graph.queries import ResultTable
from rncp_graph.store import GraphStore

from .constants import ROOT

EXPECTED = ROOT / "tests" / "queries_expected.yaml"
TURTLE_PROLOGUE = f"@base <{DATA_BASE}> .\n" + "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())


@dataclass(frozen=True)
class Case:
    """One row of the table: a query, its parameters, the graph, and what must come back."""

    query: str
    index: str
    graph: str = "sample"
    params: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, str | None]] | None = None
    columns: list[str] | None = None
    ordered: bool = False
    error: str | None = None

    @property
    def id(self) -> str:
        return f"{self.query}[{self.index}]@{self.graph}"


def cell(value: Any) -> str | None:
    """A YAML scalar as the canonical text of a cell (YAML turns 2025-07-23 into a date, 7 into an int)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        twice = sorted({str(k) for k in keys if keys.count(k) > 1})
        if twice:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {twice}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(EXPECTED.read_text(encoding="utf-8"), Loader=StrictLoader)
    return data


def cases() -> list[Case]:
    """Every case of the table: the hand-made graphs' section, then the samples'."""
    out = []
    sections = [(q, e, "") for q, e in table()["queries"].items()] + [
        (q, e, "s") for q, e in table()["samples"].items()
    ]
    for query, entries, prefix in sections:
        for index, entry in enumerate(entries or []):
            rows = entry.get("rows")
            out.append(
                Case(
                    query=query,
                    index=f"{prefix}{index}",
                    graph=entry.get("graph", "sample"),
                    params={k: cell(v) or "" for k, v in (entry.get("params") or {}).items()},
                    rows=None if rows is None else [{k: cell(v) for k, v in r.items()} for r in rows],
                    columns=entry.get("columns"),
                    ordered=bool(entry.get("ordered", False)),
                    error=entry.get("error"),
                )
            )
    return out


def graph_names() -> list[str]:
    return sorted(table()["graphs"])


def inline_store(name: str) -> GraphStore:
    """A memory store holding the hand-made Turtle graph ``name`` of the table (in a named graph)."""
    store = GraphStore()
    text = TURTLE_PROLOGUE + table()["graphs"][name]
    store.load(text.encode("utf-8"), ox.RdfFormat.TURTLE, graph=DATA_BASE + "graph/test/" + name)
    return store


class Graphs:
    """The graphs of the table, each as an Oxigraph store and an rdflib graph (made on demand)."""

    def __init__(self, sample: Build) -> None:
        self._stores: dict[str, GraphStore] = {"sample": sample.store}
        self._rdflib: dict[str, rdflib.Graph] = {}

    def store(self, name: str) -> GraphStore:
        if name not in self._stores:
            self._stores[name] = inline_store(name)
        return self._stores[name]

    def rdflib(self, name: str) -> rdflib.Graph:
        if name not in self._rdflib:
            self._rdflib[name] = self.store(name).to_rdflib_graph()
        return self._rdflib[name]


@pytest.fixture(scope="session")
def graphs(sample_build: Build) -> Graphs:
    return Graphs(sample_build)


def actual_rows(result: ResultTable, case: Case) -> list[dict[str, str | None]]:
    """The result as the table writes rows (only the case's columns, when it names some)."""
    columns = case.columns or result.columns
    return [dict(zip(columns, row, strict=True)) for row in result.canonical_rows(columns)]


def assert_rows(result: ResultTable, case: Case) -> None:
    """The result has exactly the expected rows (as a multiset, or in order for ``ordered`` cases)."""
    assert case.rows is not None, f"{case.id}: no rows in the table"
    got = actual_rows(result, case)
    want = [{c: r.get(c) for c in (case.columns or result.columns)} for r in case.rows]
    if case.ordered:
        assert got == want, f"{case.id}: rows differ (order matters)"
    else:
        assert sorted(got, key=_key) == sorted(want, key=_key), f"{case.id}: rows differ"


def _key(row: dict[str, str | None]) -> list[tuple[str, str]]:
    return sorted((k, "\0" if v is None else v) for k, v in row.items())


def multiset(result: ResultTable) -> list[tuple[str | None, ...]]:
    """Canonical rows, sorted: what two engines must agree on."""
    return sorted(result.canonical_rows(), key=lambda r: ["\0" if v is None else v for v in r])


def iter_sample_cases() -> Iterator[Case]:
    yield from (c for c in cases() if c.graph == "sample" and c.error is None)
