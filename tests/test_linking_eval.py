"""scripts/eval_links.py: gold files, folds, Wilson intervals, threshold on dev, figures on test."""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from rncp_graph.linking import calibration, esco

from .constants import RESOURCES, ROOT
from .test_linking_support import LINKING

OLD_GOLD = RESOURCES / "esco-gold.tsv"
FIXTURE = LINKING / "gold-fixture.tsv"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_links", ROOT / "scripts" / "eval_links.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


def test_both_gold_layouts_are_read_with_stable_folds() -> None:
    old = SCRIPT.read_gold(OLD_GOLD)
    assert len(old) == 267 and {p.kind for p in old} == {"rome", "competency"}
    assert {p.fold for p in old} == {"dev", "test"}
    folds: dict[str, set[str]] = {}
    for p in old:
        folds.setdefault(p.subject_id, set()).add(p.fold)
        assert re.fullmatch(r"http://data\.europa\.eu/esco/(skill|occupation)/[0-9a-f-]{36}", p.object_id)
    assert all(len(f) == 1 for f in folds.values())  # all pairs of a subject in one fold
    assert SCRIPT.hash_fold("K1403") == SCRIPT.hash_fold("K1403")
    new = SCRIPT.read_gold(FIXTURE)
    assert [p.fold for p in new if p.kind == "rome"] == ["dev", "test"]  # the file's fold column wins
    assert sum(p.yes for p in new) == 7


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = SCRIPT.wilson(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    assert SCRIPT.wilson(0, 5)[0] == 0.0
    assert all(math.isnan(x) for x in SCRIPT.wilson(0, 0))


def test_threshold_is_the_lowest_reaching_the_target_precision() -> None:
    gold = {("a", "1"): True, ("a", "2"): False, ("b", "1"): True, ("b", "2"): False, ("c", "1"): True}
    proposed = {("a", "1"): 0.9, ("a", "2"): 0.5, ("b", "1"): 0.6, ("b", "2"): 0.3, ("c", "9"): 0.95}
    assert SCRIPT.choose_threshold(gold, proposed, 0.9) == 0.6  # 0.5 lets in one FP of three
    f = SCRIPT.figures(gold, proposed, 0.6)
    assert (f.tp, f.fp, f.unjudged, f.positives) == (2, 0, 1, 3)
    assert f.precision == 1.0 and f.recall == pytest.approx(2 / 3)
    # no threshold reaches 0.99 with this FP on top: the best F1 instead
    assert SCRIPT.choose_threshold(gold, {**proposed, ("b", "2"): 0.99}, 0.99) == 0.6


def test_evaluation_on_the_fixture_fits_on_dev_and_reports_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "table.py"
    argv = ["--esco", str(LINKING / "esco"), "--rome", str(LINKING / "rome"), "--gold", str(FIXTURE)]
    assert SCRIPT.main([*argv, "--calibration-out", str(out)]) == 0
    text = capsys.readouterr().out
    # competencies, dev: two right links at score 1.0 and a wrong one at 0.30 -> threshold 1.0;
    # test: the chariot link (1.0) is right, the payslip link (0.88 -> 0.83) falls below the
    # threshold, the public-desk positive is never proposed: precision 1/1, recall 1/3
    assert "| **test** | 1 | 0 | 0 | 3 | 1.00 [0.21, 1.00] | 0.33 [0.06, 0.79] |" in text
    assert "FN not proposed | Accueillir le public au guichet → droit du travail" in text
    assert "FN below threshold (0.83)" in text
    namespace: dict[str, object] = {}
    exec(out.read_text(encoding="utf-8"), namespace)
    tables = namespace["TABLES"]
    assert isinstance(tables, dict)
    assert tables["competency"]["scores"] == (0.3022, 1.0) and tables["competency"]["threshold"] == 1.0
    assert tables["competency"]["fitted_on"].startswith("isotonic; fold dev of gold-fixture.tsv: 3 competency pairs")


@pytest.mark.parametrize("kind", calibration.KINDS)
def test_shipped_calibration_is_monotone_and_a_probability(kind: str) -> None:
    cal = calibration.load(kind)
    assert list(cal.scores) == sorted(cal.scores) and len(cal.scores) == len(cal.probabilities)
    assert list(cal.probabilities) == sorted(cal.probabilities)
    assert all(0.0 <= p <= 1.0 for p in cal.probabilities)
    grid = [cal.confidence(x / 100) for x in range(-10, 111)]
    assert grid == sorted(grid) and all(0.0 <= p <= 1.0 for p in grid)
    assert 0.0 <= cal.threshold <= 1.0 and cal.fitted_on
    assert esco.DEFAULT_THRESHOLDS[kind] == cal.threshold


def test_isotonic_fit_is_monotone_on_unordered_labels() -> None:
    cal = calibration.fit(
        "rome", [0.1, 0.2, 0.3, 0.4, 0.5, 0.9], [False, True, False, True, True, True], threshold=0.5, fitted_on="t"
    )
    assert list(cal.probabilities) == sorted(cal.probabilities)
    assert cal.confidence(0.0) == cal.probabilities[0] and cal.confidence(2.0) == 1.0
