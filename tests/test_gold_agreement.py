"""scripts/gold_agreement.py: Cohen's kappa and the join of the two labellings of the ESCO gold set."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .constants import RESOURCES, ROOT

GOLD = RESOURCES / "linking" / "gold"
HEADER = "kind\tsubject_id\tsubject_label\tobject_id\tobject_label\tjudgement\trelation\tfold\tnote"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gold_agreement", ROOT / "scripts" / "gold_agreement.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_kappa_of_a_hand_made_two_by_two_table() -> None:
    # 50 items: both yes 20, first yes/second no 5, first no/second yes 10, both no 15.
    # p_o = 35/50 = 0.70; first says yes 25/50, second 30/50: p_e = 0.5*0.6 + 0.5*0.4 = 0.50;
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
    first = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert _script().cohen_kappa(first, second) == pytest.approx(0.40)


def test_kappa_limits() -> None:
    kappa = _script().cohen_kappa
    assert kappa(["yes", "no", "no"], ["yes", "no", "no"]) == 1.0
    assert kappa(["yes", "no"], ["no", "yes"]) == pytest.approx(-1.0)
    assert kappa(["no", "no"], ["no", "no"]) == 1.0
    with pytest.raises(ValueError):
        kappa(["yes"], ["yes", "no"])


def _write(path: Path, rows: list[str], header: str = HEADER) -> None:
    path.write_text("# comment\n" + "\n".join([header, *rows]) + "\n", encoding="utf-8")


def test_join_on_kind_subject_object_and_report(tmp_path: Path) -> None:
    _write(
        tmp_path / "rome-esco.tsv",
        ["rome-occupation\tA1\tx\tocc/1\tone\tyes\texact\tdev\t", "rome-occupation\tA1\tx\tocc/2\ttwo\tno\t\tdev\t"],
    )
    _write(tmp_path / "competency-esco.tsv", ["competency-skill\tc1\ttext\tsk/1\tskill\tyes\t\ttest\t"])
    second = HEADER.replace("\tfold", "")
    rows = ["rome-occupation\tA1\tx\tocc/1\tone\tyes\tnarrow\tmine", "rome-occupation\tA1\tx\tocc/2\ttwo\tno\t\t"]
    _write(tmp_path / "second-pass-labels.tsv", [*rows, "competency-skill\tc1\ttext\tsk/1\tskill\tno\t\twhy"], second)
    report = _script().report(tmp_path)
    assert "| rome-occupation | 2 | 2 | 1.000 | 1.000 | 1 | 0 | 0 | 1 |" in report
    assert "| competency-skill | 1 | 0 | 0.000 |" in report
    assert "ROME pairs both judged yes: 1; same relation: 0" in report
    assert "| A1 | one | yes/exact | yes/narrow |  / mine |" in report
    assert "| text | skill | yes | no |  / why |" in report


def test_a_pair_missing_from_the_first_labelling_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "rome-esco.tsv", [])
    _write(tmp_path / "competency-esco.tsv", [])
    _write(
        tmp_path / "second-pass-labels.tsv",
        ["rome-occupation\tA1\tx\tocc/9\tnine\tno\t\t"],
        HEADER.replace("\tfold", ""),
    )
    with pytest.raises(ValueError, match="1 pairs not in the first labelling"):
        _script().join(tmp_path)


@pytest.mark.skipif(not (GOLD / "second-pass-labels.tsv").exists(), reason="no second-pass labels")
def test_the_real_second_pass_joins_the_whole_sample() -> None:
    script = _script()
    pairs = script.join(GOLD)
    assert len(pairs) == 150
    sample = {(r["kind"], r["subject_id"], r["object_id"]) for r in script.read_tsv(GOLD / "second-pass-sample.tsv")}
    assert {(s["kind"], s["subject_id"], s["object_id"]) for _, s in pairs} == sample
    assert all(s["judgement"] in {"yes", "no"} for _, s in pairs)
    figures = script.kind_figures([p for p in pairs if p[0]["kind"] == "rome-occupation"])
    assert figures.n == 60 and -1.0 <= figures.kappa <= 1.0


@pytest.mark.skipif(not (GOLD / "second-pass-labels.tsv").exists(), reason="no second-pass labels")
def test_readme_gives_the_figures_the_script_prints() -> None:
    # rerun scripts/gold_agreement.py and paste its output into the README section when the labels change
    readme = (GOLD / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Second labelling and agreement") :]
    for line in _script().report(GOLD).splitlines():
        assert line in section, line
