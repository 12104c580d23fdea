"""CSV outputs never hand a spreadsheet a formula (issue 19, item 4; OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.cli import main
from rncp_graph.csv_cells import safe_cell
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.model import Code, Fiche
from rncp_graph.terms import lines_to_bytes

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9/x","x")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-3", "-3"),
        ("+2.5", "+2.5"),
        ("-1e-3", "-1e-3"),
        ("Titre « RNCP1 »", "Titre « RNCP1 »"),
        ("", ""),
        (-3, -3),
        (0.5, 0.5),
    ],
)
def test_safe_cell(cell: object, written: object) -> None:
    assert safe_cell(cell) == written


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fiches = [
        Fiche(number=f"RNCP{n}", source="test", title=title, rome=[Code("K1403", "K1403")])
        for n, title in ((1, HYPERLINK), (2, "-1+1"), (3, "Plain"))
    ]
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(store_from_fiches(fiches))))
    return path


QUERY = "SELECT ?title ?n WHERE { ?c rncp:title ?title ; rncp:ficheNumber ?f . BIND(-3 AS ?n) } ORDER BY ?f"


def test_query_csv_neutralises_formulas_and_keeps_numbers(graph_file: Path) -> None:
    result = CliRunner().invoke(main, ["sparql", QUERY, "--graph", str(graph_file), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["title", "n"], ["'" + HYPERLINK, "-3"], ["'-1+1", "-3"], ["Plain", "-3"]]


def test_query_json_and_tsv_keep_the_values(graph_file: Path) -> None:
    result = CliRunner().invoke(main, ["sparql", QUERY, "--graph", str(graph_file), "--format", "json"])
    titles = [b["title"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]]
    assert titles == [HYPERLINK, "-1+1", "Plain"]
    result = CliRunner().invoke(main, ["sparql", QUERY, "--graph", str(graph_file), "--format", "tsv"])
    cells = [line.split("\t")[0] for line in result.stdout.splitlines()[1:]]
    assert cells[0] == json.dumps(HYPERLINK) + "@fr"  # a quoted N-Triples literal
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_analyze_csv_tables_neutralise_formulas(graph_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    result = CliRunner().invoke(
        main, ["analyze", "rome", "--graph", str(graph_file), "--out", str(out), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    cells = [
        cell for path in sorted(out.glob("*.csv")) for row in csv.reader(path.open(encoding="utf-8")) for cell in row
    ]
    assert "'" + HYPERLINK in cells and "'-1+1" in cells
    assert HYPERLINK not in cells
    assert not [
        c
        for c in cells
        if c.startswith(("=", "+", "@")) or (c.startswith("-") and not c[1:].replace(".", "").isdigit())
    ]
