"""Linking the five sample fiches to the real ESCO and ROME data (skipped without ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rncp_graph import build
from rncp_graph.linking import run

from .constants import FICHES_DIR, SHARED_DATA
from .test_linking_support import ESCO_DIRS, shared

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_samples_link_to_esco_and_export_to_elm(tmp_path: Path) -> None:
    esco_dir = shared(ESCO_DIRS["v1.2.1"])
    rome_dir = shared(SHARED_DATA / "rome-v460")
    store = build([FICHES_DIR]).store  # a build of our own: the session's sample_build stays untouched
    vocab = run.rome_vocabulary(rome_dir, store=store)
    assert vocab.unknown == []  # the samples use current ROME codes
    result = run.link_esco(esco_dir, store, out=tmp_path, rome_dir=rome_dir)
    assert {m.subject.kind for m in result.mappings} == {"competency", "rome"}
    rome_links = {
        (m.subject.iri.rsplit("/", 1)[-1], m.object_label) for m in result.mappings if m.subject.kind == "rome"
    }
    assert ("K1201", "assistant de service social/assistante de service social") in rome_links
    exported = run.export_elm(store, out=tmp_path / "elm.ttl", elm_dir=shared(SHARED_DATA / "elm"))
    assert exported.qualifications >= 5
    assert exported.missing_terms == []
    assert exported.report is not None and exported.report.corrected
    # nothing but documented gaps: RNCP4525's 8 blocks, described in prose only, are one of them
    assert dict(exported.report.unexpected) == {}
    assert exported.report.known[("elm:learningOutcome", "MinCountConstraintComponent, summary only")] == 8
