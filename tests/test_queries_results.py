"""Answers in one shape whatever the engine; the output formats; the optional pandas frame."""

from __future__ import annotations

import csv
import io
import json
import sys
import types
from datetime import date
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib

from rncp_graph.queries import ResultTable, Value, render
from rncp_graph.queries.remote import parse_results
from rncp_graph.queries.results import FORMATTERS, XSD, from_oxigraph, from_rdflib, from_sparql_json

IRI = "https://w3id.org/rncp-graph/id/certification/RNCP34808"


def table() -> ResultTable:
    rows: list[dict[str, Value | None]] = [
        {
            "c": Value.iri(IRI),
            "n": Value.literal("2", XSD + "integer"),
            "t": Value.literal('Chef "de" service', lang="FR"),
        },
        {"c": Value.iri(IRI), "n": None, "t": Value.literal("a,b\nc")},
    ]
    return ResultTable(["c", "n", "t"], rows, query="demo")


def test_the_three_engines_give_equal_values() -> None:
    pairs = [
        (ox.NamedNode(IRI), rdflib.URIRef(IRI), {"type": "uri", "value": IRI}),
        (ox.Literal("K1403"), rdflib.Literal("K1403"), {"type": "literal", "value": "K1403"}),
        (
            ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")),
            rdflib.Literal(7),
            {"type": "literal", "value": "7", "datatype": XSD + "integer"},
        ),
        (
            ox.Literal("Niveau", language="fr"),
            rdflib.Literal("Niveau", lang="fr"),
            {"type": "literal", "value": "Niveau", "xml:lang": "fr"},
        ),
    ]
    for on_ox, on_rdflib, on_json in pairs:
        assert from_oxigraph(on_ox) == from_rdflib(on_rdflib) == from_sparql_json(on_json)
    assert from_oxigraph(None) is None and from_rdflib(None) is None and from_sparql_json(None) is None
    with pytest.raises(ValueError, match="unknown term type"):
        from_sparql_json({"type": "triple", "value": "x"})


def test_canonical_text_ignores_how_an_engine_writes_a_number() -> None:
    decimal = XSD + "decimal"
    assert Value.literal("3.50", decimal).canonical() == Value.literal("3.5", decimal).canonical() == "3.5"
    assert Value.literal("97.0", decimal).canonical() == "97"
    assert Value.literal("007", XSD + "integer").canonical() == "7"
    assert Value.iri(IRI).canonical() == "rncpid:certification/RNCP34808"
    assert Value.iri("http://example.org/x").canonical() == "<http://example.org/x>"
    assert Value.literal("2025-02-31", XSD + "date").canonical() == "2025-02-31"


def test_python_values() -> None:
    assert Value.literal("2025-07-23", XSD + "date").to_python() == date(2025, 7, 23)
    assert Value.literal("true", XSD + "boolean").to_python() is True
    assert Value.literal("12", XSD + "integer").to_python() == 12
    assert Value.literal("96.2", XSD + "decimal").to_python() == pytest.approx(96.2)
    assert Value.literal("2025-02-31", XSD + "date").to_python() == "2025-02-31"  # ill-typed: kept as text
    assert table().records()[1] == {"c": IRI, "n": None, "t": "a,b\nc"}


def test_csv_is_sparql_csv() -> None:
    rows = list(csv.reader(io.StringIO(render(table(), "csv"), newline="")))
    assert rows == [["c", "n", "t"], [IRI, "2", 'Chef "de" service'], [IRI, "", "a,b\nc"]]


def test_tsv_writes_terms_in_ntriples_syntax() -> None:
    lines = render(table(), "tsv").splitlines()
    assert lines[0] == "?c\t?n\t?t"
    assert lines[1] == f'<{IRI}>\t"2"^^<{XSD}integer>\t"Chef \\"de\\" service"@fr'
    assert lines[2] == f'<{IRI}>\t\t"a,b\\nc"'


def test_json_is_sparql_json_and_round_trips() -> None:
    text = render(table(), "json")
    data = json.loads(text)
    assert data["head"]["vars"] == ["c", "n", "t"]
    assert "n" not in data["results"]["bindings"][1]
    again = parse_results(data, endpoint="file", query="demo")
    assert again.rows == table().rows


def test_table_compacts_iris_and_counts_rows() -> None:
    text = render(table(), "table")
    assert "rncpid:certification/RNCP34808" in text
    assert text.rstrip().endswith("(2 rows)")
    assert set(FORMATTERS) == {"table", "csv", "tsv", "json"}


def test_dataframe_with_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas is optional: the frame is built from the records, columns in order."""
    calls: list[tuple[Any, Any]] = []

    class DataFrame:
        @staticmethod
        def from_records(records: Any, columns: Any) -> str:
            calls.append((records, columns))
            return "frame"

    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=DataFrame))
    assert table().to_dataframe() == "frame"
    assert calls == [(table().records(), ["c", "n", "t"])]


def test_dataframe_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    with pytest.raises(ImportError, match="pip install pandas"):
        table().to_dataframe()


def test_dataframe_with_the_real_pandas() -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is optional and not installed")
    frame = table().to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["c", "n", "t"] and len(frame) == 2
