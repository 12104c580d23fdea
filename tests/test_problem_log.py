"""One problem log for every loader (:class:`rncp_graph.model.ProblemLog`), typed severities
and actions, each action documented in ``docs/errors.md``, and ``errors.jsonl`` written from
them as plain strings."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from rncp_graph.loaders.export_common import SourceLog
from rncp_graph.loaders.page_sections import Issues
from rncp_graph.model import Problem, ProblemAction, ProblemLog, ProblemSeverity
from rncp_graph.pipeline.build import build

from .constants import FICHES_DIR

DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
SOURCES = Path(__file__).resolve().parents[1] / "src" / "rncp_graph"


def test_an_unknown_action_or_severity_is_refused_naming_the_problem() -> None:
    with pytest.raises(ValueError, match=r"x\.csv: problem 'bad-date' has an unknown action 'dropped' \(one of "):
        Problem("x.csv", "bad-date", "no", action="dropped")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown severity 'fatal'"):
        Problem("x.csv", "bad-date", "no", severity="fatal")  # type: ignore[arg-type]


def test_a_row_read_back_gets_the_members_and_is_written_again_as_it_was() -> None:
    row = {"file": "x.csv", "rule": "r", "message": "m", "severity": "warning", "action": "kept-both"}
    problem = Problem(**row)  # type: ignore[arg-type]
    assert problem.severity is ProblemSeverity.WARNING and problem.action is ProblemAction.KEPT_BOTH
    assert problem.as_dict() == row and all(type(v) is str for v in problem.as_dict().values())


def test_the_loaders_logs_are_one_class_logging_one_way(caplog: pytest.LogCaptureFixture) -> None:
    assert issubclass(SourceLog, ProblemLog) and issubclass(Issues, ProblemLog)
    with caplog.at_level(logging.DEBUG, logger="rncp_graph.model"):
        SourceLog("export.xml").add("invalid-level", "not a level", fiche="RNCP1", line=3)
        Issues("page.txt", "RNCP2").add("invalid-level", "not a level", line=3)
    assert caplog.messages == [
        "[RNCP1] invalid-level: not a level (export.xml, line 3)",
        "[RNCP2] invalid-level: not a level (page.txt, line 3)",
    ]


@pytest.mark.parametrize(
    ("add", "level"),
    [
        ({"severity": ProblemSeverity.WARNING, "action": ProblemAction.KEPT}, logging.INFO),
        ({}, logging.WARNING),  # an error: a dropped field
    ],
)
def test_the_summary_warns_when_the_source_lost_something(
    add: dict[str, object], level: int, caplog: pytest.LogCaptureFixture
) -> None:
    problems = ProblemLog("export.xml")
    problems.add("rule", "message", **add)  # type: ignore[arg-type]
    with caplog.at_level(logging.DEBUG):
        problems.log_summary(logging.getLogger("test"), 5, 0)
        problems.log_summary(logging.getLogger("test"), 5, 1)  # a quarantined fiche: always a warning
    assert [r.levelno for r in caplog.records] == [level, logging.WARNING]
    assert caplog.messages[0] == f"export.xml: 5 fiches read, 0 quarantined, 1 problems ({problems.errors()} errors)"


def test_every_action_and_severity_is_documented_in_one_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", text, flags=re.MULTILINE))
    assert {a.value for a in ProblemAction} | {s.value for s in ProblemSeverity} <= documented
    used = set(re.findall(r"ProblemAction\.([A-Z_]+)", "".join(p.read_text() for p in SOURCES.rglob("*.py"))))
    assert used == {a.name for a in ProblemAction}  # no member unused, none documented but never met


def test_errors_jsonl_holds_the_values_of_the_members(tmp_path: Path) -> None:
    result = build([FICHES_DIR], out=tmp_path / "out", validate=False)
    rows = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert rows == [p.as_dict() for p in result.problems] and rows
    assert {r["severity"] for r in rows} <= {s.value for s in ProblemSeverity}
    assert {r["action"] for r in rows} <= {a.value for a in ProblemAction}
