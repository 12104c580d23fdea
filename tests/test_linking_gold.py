"""The hand-labelled ESCO gold set: well formed, big enough, and the figures of docs/linking.md."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest

from rncp_graph.linking import esco, esco_data, rome

from .constants import RESOURCES, ROOT, SHARED_DATA
from .test_linking_support import ESCO_DIRS, shared

GOLD = RESOURCES / "esco-gold.tsv"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_esco_gold", ROOT / "scripts" / "eval_esco_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gold_set_is_well_formed() -> None:
    header = [line for line in GOLD.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("Labelling rules" in line for line in header)
    rows = _script().read_gold(GOLD)
    assert len(rows) >= 100
    assert {r["match"] for r in rows} == {"yes", "no"}
    assert {r["kind"] for r in rows} == {"competency", "rome"}
    assert len({(r["subject_id"], r["esco_id"]) for r in rows}) == len(rows)  # no pair twice
    for r in rows:
        prefix = "skill" if r["kind"] == "competency" else "occupation"
        assert re.fullmatch(rf"http://data\.europa\.eu/esco/{prefix}/[0-9a-f-]{{36}}", r["esco_id"]), r
        assert r["subject_id"].startswith("https://w3id.org/rncp-graph/id/")


@pytest.mark.slow
@pytest.mark.shared
def test_documented_figures_at_the_default_thresholds() -> None:
    script = _script()
    gold = script.read_gold(GOLD)
    data = esco_data.read_esco(shared(ESCO_DIRS["v1.2.1"]))
    vocab = rome.read_rome(shared(SHARED_DATA / "rome-v460"))
    figures = {}
    for kind, concepts in (("competency", data.skills), ("rome", data.occupations)):
        proposed = esco.propose(script.subjects(gold, kind, vocab), concepts, threshold=0.2)
        rows = {round(t, 2): (p, r) for t, _, _, _, p, r in script.evaluate(gold, kind, proposed)}
        figures[kind] = tuple(round(x, 2) for x in rows[esco.DEFAULT_THRESHOLDS[kind]])
    # the figures docs/linking.md gives; rerun scripts/eval_esco_gold.py and update both together
    assert figures == {"competency": (0.55, 0.22), "rome": (0.81, 0.79)}
    docs = (ROOT / "docs" / "linking.md").read_text(encoding="utf-8")
    assert "**0.55** | **0.22**" in docs and "**0.81** | **0.79**" in docs
