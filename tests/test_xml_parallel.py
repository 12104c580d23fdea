"""``loaders/xml_parallel.py``: a large XML export read by worker processes gives exactly what
the sequential reader gives — triples, problems (with their lines), counts — or falls back to it.

Ranges are made tiny here (a few fiches each) so that every fault lands in its own range.
"""

from __future__ import annotations

import gc
import multiprocessing
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from rncp_graph import build
from rncp_graph.errors import EmptyInput, StructuralError
from rncp_graph.exports.canonical import canonical_bytes
from rncp_graph.pipeline import xml_parallel
from rncp_graph.pipeline.build import Build
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
        canonical_bytes(result.store),
        [p.as_dict() for p in result.problems],
        {k: v for k, v in result.manifest().items() if k != "validation"},
        result.validation,
        [r.met for r in result.results],  # the coverage of what was read, merged from the workers
    )


def _compare(path: Path) -> Build:
    """Build ``path`` both ways; assert the same outcome; the parallel build."""
    parallel = build([path], jobs=2)
    assert _outcome(parallel) == _outcome(build([path], jobs=1))
    return parallel


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
    parallel = _compare(path)
    assert parallel.results[0].fiches == []
    assert parallel.manifest()["repairs"].get("duplicate-fiche") == 1


@pytest.mark.usefixtures("tiny_ranges")
def test_a_fiche_repeated_in_two_ranges_falls_back_to_the_sequential_reader(tmp_path: Path) -> None:
    def repeat_far(text: str) -> str:
        spans = _fiche_spans(text)
        first = text[spans[2][0] : spans[2][1]].replace("<INTITULE>", "<INTITULE>Autre titre : ", 1)
        return text[: spans[50][1]] + "\n    " + first + text[spans[50][1] :]

    path = _export(tmp_path, repeat_far)
    parallel = _compare(path)
    assert len(parallel.results[0].fiches) == 60  # read again in one process
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
    parallel = _compare(path)
    assert len(parallel.results[0].fiches) == 60


@pytest.mark.slow
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


@pytest.mark.parametrize(
    "prolog",
    ['<!DOCTYPE FICHES SYSTEM "http://x/">\n', '<!-- <FICHES> -->\n<!DOCTYPE FICHES [<!ENTITY e "x">]>\n'],
    ids=["doctype", "doctype-after-a-comment-naming-the-root"],
)
def test_a_doctype_is_refused_before_any_worker_starts(tmp_path: Path, prolog: str) -> None:
    path = _export(tmp_path, lambda t: t.replace("<FICHES>", prolog + "<FICHES>", 1))
    with pytest.raises(StructuralError, match="DOCTYPE"):
        xml_parallel.plan(path, min_bytes=0)
    with pytest.raises(StructuralError, match="DOCTYPE"):
        build([path], jobs=1)


def test_small_files_and_zips_are_read_in_one_process(tmp_path: Path) -> None:
    path = _export(tmp_path, n=5)
    assert xml_parallel.plan(path) is None  # under MIN_BYTES
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(path, path.name)
    assert xml_parallel.plan(archive, min_bytes=0) is None  # a zip goes through plain_xml first
    with xml_parallel.plain_xml(archive) as plain:
        assert plain is None  # its member is under MIN_BYTES: not extracted


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.parametrize("where", ["end", "twice"])
def test_version_flux_anywhere_at_the_top_level_counts_as_in_one_process(tmp_path: Path, where: str) -> None:
    def move(text: str) -> str:
        if where == "end":  # the version after the last fiche: no warning either way
            text = text.replace("<VERSION_FLUX>4.1</VERSION_FLUX>", "", 1)
            return text.replace("</FICHES>", "<VERSION_FLUX>4.1</VERSION_FLUX>\n</FICHES>")
        return text.replace("</FICHES>", "<VERSION_FLUX>4.0</VERSION_FLUX>\n</FICHES>")  # the last one wins

    parallel = _compare(_export(tmp_path, move))
    assert parallel.results[0].fiches == []
    warned = [p for p in parallel.problems if p.rule == "unexpected-version"]
    assert [p.value for p in warned] == ([] if where == "end" else ["4.0"])


@pytest.mark.usefixtures("tiny_ranges")
def test_ten_million_lines_before_a_range_do_not_stop_the_workers(tmp_path: Path) -> None:
    """The padding newlines go to the prolog: libxml2 refuses a text node over 10 MB."""

    def long_lines(text: str) -> str:  # 200,000 empty lines in each fiche: 12 M lines in all
        text = text.replace("</FICHE>", "\n" * 200_000 + "</FICHE>")
        a, b = _fiche_spans(text)[55]
        fiche = text[a:b].replace("</INTITULE>", "</INTITULE><NOUVEAU_CHAMP>x</NOUVEAU_CHAMP>", 1)
        return text[:a] + fiche + text[b:]

    parallel = _compare(_export(tmp_path, long_lines))
    assert parallel.results[0].fiches == []  # no fallback
    unknown = next(p for p in parallel.problems if p.rule == "unknown-element")
    assert unknown.line is not None and unknown.line > 11_000_000


@pytest.mark.usefixtures("tiny_ranges")
def test_an_export_without_fiches_is_refused_as_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "export-empty.xml"
    path.write_text("<FICHES><VERSION_FLUX>4.1</VERSION_FLUX><!-- <FICHE> --></FICHES>\n", encoding="utf-8")
    with pytest.raises(EmptyInput):
        build([path], jobs=2)


@pytest.mark.usefixtures("tiny_ranges")
def test_a_fiche_tag_in_a_comment_falls_back_to_the_sequential_reader(tmp_path: Path) -> None:
    def comment(text: str) -> str:
        _, b = _fiche_spans(text)[10]
        filler = "y" * (2 * SMALL_RANGE)
        return text[:b] + f"\n    <!-- {filler} <FICHE> -->" + text[b:]

    parallel = _compare(_export(tmp_path, comment))
    assert len(parallel.results[0].fiches) == 60


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.parametrize("form", ["bom-crlf", "latin-1"])
def test_other_byte_forms_give_the_sequential_outcome(tmp_path: Path, form: str) -> None:
    path = _export(tmp_path, _with_faults)
    text = path.read_text(encoding="utf-8")
    if form == "bom-crlf":
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    else:
        latin = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1)
        path.write_bytes(latin.encode("latin-1", errors="replace"))
    parallel = _compare(path)
    assert parallel.results[0].fiches == []


@pytest.mark.usefixtures("tiny_ranges")
def test_no_worker_is_left_when_the_load_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _export(tmp_path)
    calls = 0
    original = GraphStore.replace_graph

    def failing(self: GraphStore, graph: str, chunks: Iterable[bytes], **options: bool) -> None:
        def counted() -> Iterator[bytes]:
            nonlocal calls
            for chunk in chunks:
                calls += 1
                if calls == 3:
                    raise KeyboardInterrupt
                yield chunk

        original(self, graph, counted(), **options)

    monkeypatch.setattr(GraphStore, "replace_graph", failing)
    with pytest.raises(KeyboardInterrupt):
        build([path], jobs=2, validate=False)
    assert multiprocessing.active_children() == []


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
