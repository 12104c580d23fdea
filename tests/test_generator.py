"""``benchmarks/generate_xml.py``: realistic, deterministic, streamed XML exports that the loader reads cleanly."""

from __future__ import annotations

import importlib.util
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from stdnum.fr import siret

from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.model import LoadResult

from .constants import ROOT


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_xml", ROOT / "benchmarks" / "generate_xml.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_xml"] = module
    spec.loader.exec_module(module)
    return module


generate_xml = _load_generator()


@pytest.fixture(scope="module")
def four_hundred(tmp_path_factory: pytest.TempPathFactory) -> LoadResult:
    path = tmp_path_factory.mktemp("gen") / "export-fiches-2026-01-01.xml"
    generate_xml.write(400, path, seed=11)
    return read_xml(path)


def test_fifty_fiches_load_with_zero_problems(tmp_path: Path) -> None:
    path = tmp_path / "fifty.xml"
    assert generate_xml.main(["50", "--out", str(path), "--seed", "5"]) == 0
    result = read_xml(path)
    assert len(result.fiches) == 50
    assert result.quarantined == 0
    assert result.problems == []
    assert all(f.title and f.certifiers and f.rome and f.access_routes for f in result.fiches)


def test_same_seed_same_bytes_other_seed_other_file(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    generate_xml.write(30, a, seed=3)
    generate_xml.write(30, b, seed=3)
    generate_xml.write(30, c, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_distributions(four_hundred: LoadResult) -> None:
    fiches = four_hundred.fiches
    assert four_hundred.problems == []
    rs = [f for f in fiches if f.number.startswith("RS")]
    assert 0.10 <= len(rs) / len(fiches) <= 0.20
    assert all(f.level is None and not f.blocks and f.partners for f in rs)
    rncp = [f for f in fiches if f.number.startswith("RNCP")]
    assert all(3 <= len(f.blocks) <= 8 and f.level in range(3, 9) for f in rncp)
    assert all(3 <= len(b.competencies) <= 10 for f in rncp for b in f.blocks)
    # some competency sentences recur across fiches
    owners = Counter(c for f in rncp for c in {c for b in f.blocks for c in b.competencies})
    assert sum(1 for n in owners.values() if n > 1) > 50
    # ROME codes: real-looking, skewed (the most used code is far above the median)
    uses = Counter(c.code for f in fiches for c in f.rome)
    assert all(len(code) == 5 and code[0] in "ABCDEFGHIJKLMN" and code[1:].isdigit() for code in uses)
    counts = sorted(uses.values(), reverse=True)
    assert counts[0] >= 5 * counts[len(counts) // 2]
    assert all(siret.is_valid(o.siret) for f in fiches for o in f.certifiers + f.partners)


def test_lineage_and_correspondences_point_to_generated_fiches(four_hundred: LoadResult) -> None:
    fiches = {f.number: f for f in four_hundred.fiches}
    successors = [(f.number, s.number) for f in fiches.values() for s in f.successors]
    assert len(successors) >= 40
    for old, new in successors:
        assert old in [p.number for p in fiches[new].predecessors]
    correspondences = [(f, c) for f in fiches.values() for c in f.correspondences]
    assert len(correspondences) >= 20
    for f, c in correspondences:
        assert c.target in fiches
        assert c.source_block in {b.code for b in f.blocks}
        assert len(c.target_blocks) == 1
        assert c.target_blocks[0] in {b.code for b in fiches[c.target].blocks}


@pytest.mark.slow
def test_written_as_a_stream(tmp_path: Path) -> None:
    """Memory does not grow with the number of fiches (each fiche is written, then forgotten)."""
    peaks = []
    for n in (100, 1000):
        tracemalloc.start()
        generate_xml.write(n, tmp_path / f"{n}.xml", seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert (tmp_path / "1000.xml").stat().st_size > 9 * (tmp_path / "100.xml").stat().st_size
    assert peaks[1] < 1.5 * peaks[0]
