"""docs/reliability.md stays true: each test it cites exists, each catalogue case and each point
of issue 19 has its row, and a row says "xfail" exactly when it cites a test marked xfail."""

from __future__ import annotations

import ast
import functools
import re

from .constants import ROOT

DOC = ROOT / "docs" / "reliability.md"
#: the numbers of the catalogue (reliability notes §4): 13, 18, 22 and 38 do not exist there
CATALOGUE = sorted(set(range(1, 55)) - {13, 18, 22, 38})
ISSUE_19 = list(range(1, 17))
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
ROW = re.compile(r"^\|\s*(\d+)\s*\|")


def tables() -> dict[str, dict[int, str]]:
    """Heading of each ``## Table`` section → row number → the row's text."""
    found: dict[str, dict[int, str]] = {}
    current: dict[int, str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = found.setdefault(line[3:].strip(), {}) if line.startswith("## Table") else None
        elif current is not None and (match := ROW.match(line)):
            assert int(match.group(1)) not in current, f"{DOC.name}: row {match.group(1)} given twice"
            current[int(match.group(1))] = line
    return found


@functools.cache
def defined_tests(path: str) -> dict[str, bool]:
    """Module-level test functions of a test file → whether an ``xfail`` mark decorates them."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {
        node.name: any("xfail" in ast.unparse(d) for d in node.decorator_list)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def rows() -> list[tuple[str, str]]:
    """(a label naming the row, the row) for every row of both tables."""
    return [(f"{table} row {n}", row) for table, by_number in tables().items() for n, row in by_number.items()]


def test_both_tables_have_a_row_for_every_case() -> None:
    (catalogue, issue) = tables().values()
    assert sorted(catalogue) == CATALOGUE
    assert sorted(issue) == ISSUE_19


def test_every_cited_test_exists() -> None:
    missing = [
        f"{label}: {path}::{name}"
        for label, row in rows()
        for path, name in CITED.findall(row)
        if not (ROOT / path).is_file() or name not in defined_tests(path)
    ]
    assert missing == [], "docs/reliability.md cites tests that do not exist (renamed?):\n" + "\n".join(missing)


def test_every_row_cites_a_test_or_says_why_not() -> None:
    bare = [
        label
        for label, row in rows()
        if not CITED.search(row) and "in progress" not in row and "not covered" not in row
    ]
    assert bare == [], f"rows without a test: {bare}"


def test_a_row_says_xfail_exactly_when_it_cites_an_xfail_test() -> None:
    wrong = []
    for label, row in rows():
        result = row.rstrip(" |").rsplit("|", 1)[-1]
        marked = [f"{p}::{n}" for p, n in CITED.findall(row) if defined_tests(p).get(n)]
        if ("xfail" in result) != bool(marked):
            wrong.append(f"{label}: result {result.strip()!r}, xfail tests cited: {marked}")
    assert wrong == [], "\n".join(wrong)


def test_every_xfail_of_the_catalogue_tests_is_in_the_doc() -> None:
    path = "tests/test_reliability_catalogue.py"
    cited = {name for _, row in rows() for p, name in CITED.findall(row) if p == path}
    xfails = {name for name, marked in defined_tests(path).items() if marked}
    assert xfails - cited == set()
