"""``loaders/xml_parallel.py``: a large XML export read by worker processes gives exactly what
the sequential reader gives — triples, problems (with their lines), counts — or falls back to it.

Ranges are made tiny here (a few fiches each) so that every fault lands in its own range.
"""

from __future__ import annotations

import gc
import re
import tempfile
import zipfile
from pathlib import Path

import pytest

from rncp_graph import build
from rncp_graph.build import Build
from rncp_graph.errors import StructuralError
from rncp_graph.loaders import xml_parallel
from rncp_graph.store import GraphStore

from .test_generator import generate_xml

pytestmark = pytest.mark.skipif(not xml_parallel.available(), reason="worker processes are forked; no fork here")

SMALL_RANGE = 12_000  # bytes: 2–4 generated fiches per range


@pytest.fixture
def tiny_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xml_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(xml_parallel, "RANGE_BYTES", SMALL_RANGE)


def _export(tmp_path: Path, edit: object = None, n: int = 60) -> Path:
    path = tmp_path / "export-fiches-2026-01-01.xml"
    generate_xml.write(n, path, seed=5)
    if callable(edit):
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def _fiche_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"<FICHE>.*?</FICHE>", text, flags=re.DOTALL)]


def _with_faults(text: str) -> str:
    """Seeded faults, each in another fiche: a bad level, an unknown element in two fiches far
    apart (warned once), an unknown element between fiches."""
    spans = _fiche_spans(text)
    fiches = [text[a:b] for a, b in spans]
    fiches[3] = re.sub(
        r"<NOMENCLATURE_EUROPE><NIVEAU>NIV\d</NIVEAU>", "<NOMENCLATURE_EUROPE><NIVEAU>NIV9</NIVEAU>", fiches[3]
    )
    fiches[7] = fiches[7].replace("</INTITULE>", "</INTITULE><NOUVEAU_CHAMP>x</NOUVEAU_CHAMP>", 1)
    fiches[40] = fiches[40].replace("</INTITULE>", "</INTITULE><NOUVEAU_CHAMP>y</NOUVEAU_CHAMP>", 1)
    fiches[20] = fiches[20] + "\n    <COMMENTAIRE_FLUX>hors fiche</COMMENTAIRE_FLUX>"
    out = text[: spans[0][0]]
    for i, (_, b) in enumerate(spans):
        following = text[b : spans[i + 1][0]] if i + 1 < len(spans) else text[b:]
        out += fiches[i] + following
    return out


def _outcome(result: Build) -> tuple[object, ...]:
    return (
        result.store.canonical_bytes(),
        [p.as_dict() for p in result.problems],
        {k: v for k, v in result.manifest().items() if k != "validation"},
        result.validation,
    )


def test_ranges_cover_the_file_and_start_at_fiches(tmp_path: Path) -> None:
    path = _export(tmp_path)
    layout = xml_parallel.plan(path, range_bytes=SMALL_RANGE, min_bytes=0)
    assert layout is not None and len(layout.ranges) > 10
    data = path.read_bytes()
    assert layout.ranges[0].start == 0 and layout.ranges[-1].end == len(data) == layout.size
    for before, after in zip(layout.ranges, layout.ranges[1:], strict=False):
        assert before.end == after.start and data[after.start :].startswith(b"<FICHE>")
        # the head and its padding put the range's first byte on its own line of the file
        assert after.head.count(b"\n") + after.pad == data[: after.start].count(b"\n")
    assert layout.ranges[-1].tail == b"" and all(r.tail == b"</FICHES>" for r in layout.ranges[:-1])


@pytest.mark.usefixtures("tiny_ranges")
def test_parallel_read_gives_the_sequential_outcome_with_faults(tmp_path: Path) -> None:
    path = _export(tmp_path, _with_faults)
    parallel = build([path], jobs=2)
    sequential = build([path], jobs=1)
    assert parallel.results[0].fiches == [] and len(sequential.results[0].fiches) == 60  # the paths taken
    assert _outcome(parallel) == _outcome(sequential)
    rules = [p.rule for p in parallel.problems]
    assert rules.count("unknown-element") == 2  # NOUVEAU_CHAMP once (two ranges), COMMENTAIRE_FLUX once
    assert "invalid-level" in rules or any(p.field == "NIVEAU" for p in parallel.problems)
    assert all(p.line for p in parallel.problems if p.rule == "unknown-element")


def test_a_fiche_given_twice_within_one_range_is_merged_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xml_parallel, "MIN_BYTES", 0)  # and the default range size: one range here

    def twice(text: str) -> str:
        a, b = _fiche_spans(text)[30]
        return text[:b] + "\n    " + text[a:b] + text[b:]

    path = _export(tmp_path, twice)
    parallel = build([path], jobs=2)
    assert parallel.results[0].fiches == []
    assert _outcome(parallel) == _outcome(build([path], jobs=1))
    assert parallel.manifest()["repairs"].get("duplicate-fiche") == 1


@pytest.mark.usefixtures("tiny_ranges")
def test_a_fiche_repeated_in_two_ranges_falls_back_to_the_sequential_reader(tmp_path: Path) -> None:
    def repeat_far(text: str) -> str:
        spans = _fiche_spans(text)
        first = text[spans[2][0] : spans[2][1]].replace("<INTITULE>", "<INTITULE>Autre titre : ", 1)
        return text[: spans[50][1]] + "\n    " + first + text[spans[50][1] :]

    path = _export(tmp_path, repeat_far)
    parallel = build([path], jobs=2)
    assert len(parallel.results[0].fiches) == 60  # read again in one process
    assert _outcome(parallel) == _outcome(build([path], jobs=1))
    duplicate = next(p for p in parallel.problems if p.rule == "duplicate-fiche")
    assert duplicate.field == "title" and duplicate.action == "dropped-fiche"


@pytest.mark.usefixtures("tiny_ranges")
def test_a_fiche_tag_inside_cdata_falls_back_to_the_sequential_reader(tmp_path: Path) -> None:
    def cdata(text: str) -> str:
        spans = _fiche_spans(text)
        fiche = text[spans[10][0] : spans[10][1]]
        filler = "x" * (2 * SMALL_RANGE)  # so a range boundary is looked for inside the CDATA section
        edited = fiche.replace("</INTITULE>", f"<![CDATA[ {filler} <FICHE> ]]></INTITULE>", 1)
        return text[: spans[10][0]] + edited + text[spans[10][1] :]

    path = _export(tmp_path, cdata)
    parallel = build([path], jobs=2)
    assert len(parallel.results[0].fiches) == 60
    assert _outcome(parallel) == _outcome(build([path], jobs=1))


@pytest.mark.usefixtures("tiny_ranges")
def test_a_truncated_export_aborts_with_the_sequential_error_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    good = _export(tmp_path)
    store = tmp_path / "store"
    first = build([good], store_path=store, jobs=2, validate=False)
    graphs = first.store.graphs()
    del first
    gc.collect()  # the on-disk store is locked while a GraphStore holds it
    truncated = tmp_path / "export-fiches-2026-02-01.xml"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(StructuralError) as sequential:
        build([truncated], jobs=1, validate=False)
    with pytest.raises(StructuralError) as parallel:
        build([good, truncated], store_path=store, jobs=2, validate=False)
    assert str(parallel.value) == str(sequential.value)
    del parallel  # its traceback holds the store
    gc.collect()
    reopened = GraphStore(store)
    assert reopened.graphs() == graphs  # the good export's graph, as before; nothing of the truncated one


def test_a_doctype_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    path = _export(tmp_path, lambda t: t.replace("<FICHES>", '<!DOCTYPE FICHES SYSTEM "http://x/">\n<FICHES>', 1))
    with pytest.raises(StructuralError, match="DOCTYPE"):
        xml_parallel.plan(path, min_bytes=0)


def test_small_files_and_zips_are_read_in_one_process(tmp_path: Path) -> None:
    path = _export(tmp_path, n=5)
    assert xml_parallel.plan(path) is None  # under MIN_BYTES
    assert xml_parallel.plan(path.with_suffix(".zip"), min_bytes=0) is None


@pytest.mark.usefixtures("tiny_ranges")
def test_a_zip_export_is_read_in_workers_with_the_sequential_outcome(tmp_path: Path) -> None:
    xml = _export(tmp_path, _with_faults)
    archive = tmp_path / "export-2026-01-01.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.write(xml, xml.name)
    parallel = build([archive], jobs=2)
    sequential = build([archive], jobs=1)
    assert parallel.results[0].fiches == [] and len(sequential.results[0].fiches) == 60
    assert _outcome(parallel) == _outcome(sequential)
    assert {p.file for p in parallel.problems} == {f"{archive.name}/{xml.name}"}
    assert parallel.results[0].source == str(archive)
    assert not list(Path(tempfile.gettempdir()).glob("rncp-graph-*/member.xml"))  # the extracted copy is gone
