"""The canonical lines made from the lines a graph was loaded from (``CanonicalLines(keep=True).load``).

The build keeps the mapping's N-Triples chunks so that :meth:`CanonicalLines.as_bytes` need not
dump the store again. That is right only if each line of ours is the line Oxigraph writes for
the same triple, and if a graph changed after its load is dumped again: both are checked here
against Oxigraph's own dump (:func:`canonical_bytes` keeps no lines, so it dumps).
"""

from __future__ import annotations

import dataclasses
import io
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph.exports.canonical import CanonicalLines, LineSpool, canonical_bytes
from rncp_graph.mapping import ntriples_chunks
from rncp_graph.pipeline.build import build
from rncp_graph.resources import scheme_files
from rncp_graph.store import GraphStore
from rncp_graph.terms import fr, line, lines_to_bytes, string

from .constants import FICHES_DIR, SAMPLES
from .synthetic_fiches import Generator

GRAPH = "https://example.org/graph/source"
OTHER = "https://example.org/graph/other"
#: text our loaders never produce (line breaks and tabs are collapsed), but a mapping may
ODD = 'tab\tquote" back\\slash bell\x07 del\x7f nonchar\ufffe\uffff é€😀 \u2028 \x1c'


def _dumped(store: GraphStore) -> list[bytes]:
    return canonical_bytes(store)


def _keeping() -> CanonicalLines:
    return CanonicalLines(GraphStore(), keep=True)


def _fiches() -> list[object]:
    fiches = Generator(7).fiches(40)
    fiches[0] = dataclasses.replace(fiches[0], title=ODD, objectives=ODD)
    return list(fiches)


def test_every_code_point_is_written_as_oxigraph_writes_it() -> None:
    """Every code point (surrogates aside: not text), 256 at a time in a plain and a French literal."""
    texts = ["".join(chr(p) for p in range(b, b + 256) if not 0xD800 <= p <= 0xDFFF) for b in range(0, 0x110000, 256)]
    ours = [line((f"<urn:c:{i}>", "<urn:p>", make(t))) for i, t in enumerate(texts) for make in (string, fr)]
    store = ox.Store()
    store.load(input=lines_to_bytes(ours), format=ox.RdfFormat.N_TRIPLES)
    dumped = (store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"").split(b"\n")[:-1]
    assert len(dumped) == len(ours) == 2 * 0x1100
    assert sorted(dumped) == sorted(x.encode("utf-8") for x in ours)


def test_kept_lines_give_the_lines_oxigraph_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    canonical = _keeping()
    store = canonical.store
    canonical.load(GRAPH, ntriples_chunks(_fiches(), 7))
    # another graph stating some of the same triples, loaded as a user's file is (dumped)
    shared = b"\n".join(_dumped(store)[::5]) + b"\n"
    store.replace_graph(OTHER, [shared])
    for path in scheme_files():
        store.load_file(path, "https://example.org/graph/schemes")
    assert canonical.kept_graphs() == [GRAPH]
    dumped: list[str] = []
    real = GraphStore.dump_ntriples

    def dump(self: GraphStore, graph: ox.NamedNode, output: object = None) -> bytes | None:
        dumped.append(str(graph))
        return real(self, graph, output)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphStore, "dump_ntriples", dump)
    lines = canonical.as_bytes()
    assert f"<{GRAPH}>" not in dumped and f"<{OTHER}>" in dumped  # the kept graph was read back
    assert lines == _dumped(store)
    assert len(lines) == len(set(lines)) and lines == sorted(lines)
    assert any(string(ODD)[1:-1].encode("utf-8") in x for x in lines)  # the odd title, escaped
    assert canonical.kept_graphs() == [] and canonical._spool._handle is None  # used once, closed
    dumped.clear()
    assert canonical.as_bytes() is lines and canonical.count() == len(lines) and not dumped  # made once


def test_the_lines_are_made_again_after_a_change() -> None:
    canonical = CanonicalLines(GraphStore())
    canonical.load(GRAPH, ntriples_chunks(_fiches()[:3]))
    before = canonical.as_bytes()
    canonical.store.add_quads([ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:b"))])
    assert canonical.count() == len(before) + 1 == canonical.store.triple_count()
    assert canonical.as_bytes() == sorted([*before, b"<urn:a> <urn:p> <urn:b> ."])


def test_writers_asking_at_once_get_lines_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's exports ask from several threads: one makes the lines, the others wait for them."""
    canonical = _keeping()
    canonical.load(GRAPH, ntriples_chunks(_fiches()[:5]))
    made: list[int] = []
    real = CanonicalLines._make

    def slow(self: CanonicalLines) -> list[bytes]:
        made.append(1)
        time.sleep(0.2)  # long enough for the other threads to ask meanwhile
        return real(self)

    monkeypatch.setattr(CanonicalLines, "_make", slow)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: canonical.as_bytes(), range(3)))
    assert made == [1] and all(r is results[0] for r in results)
    assert results[0] == _dumped(canonical.store)


ADDED = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:b"), ox.NamedNode(GRAPH))
CHANGES: dict[str, Callable[[GraphStore], None]] = {
    "drop": lambda store: store.drop_graph(OTHER),
    "load file": lambda store: store.load_file(scheme_files()[0], GRAPH),
    "load document": lambda store: store.load(b"<urn:a> <urn:p> <urn:b> .\n", ox.RdfFormat.N_TRIPLES, graph=GRAPH),
    "remove quads": lambda store: store.remove_quads(list(store.iter_quads(GRAPH))[:10]),
    "add quads": lambda store: store.add_quads([ADDED]),
    "sparql update": lambda store: store.transact(f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"),
    "replace without keeping": lambda store: store.replace_graph(GRAPH, [b"<urn:a> <urn:p> <urn:b> .\n"]),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_graph_changed_after_its_load_is_dumped_again(change: str) -> None:
    canonical = _keeping()
    canonical.load(GRAPH, ntriples_chunks(_fiches(), 9))
    canonical.load(OTHER, ntriples_chunks(Generator(8).fiches(5, start=50000)))
    before = canonical.store.revision(GRAPH)
    CHANGES[change](canonical.store)
    assert canonical.as_bytes() == _dumped(canonical.store)
    assert change == "drop" or canonical.store.revision(GRAPH) != before


def test_a_build_exports_the_lines_oxigraph_would_dump(tmp_path: Path) -> None:
    result = build([FICHES_DIR], out=tmp_path / "out")
    assert (tmp_path / "out" / "rncp.nt").read_bytes() == b"\n".join(_dumped(result.store)) + b"\n"


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE and SIGXFSZ (POSIX)")
def test_lines_that_cannot_be_kept_on_disk_leave_the_graph_to_the_dump(caplog: pytest.LogCaptureFixture) -> None:
    """A file size limit (as a full disk would) stops the temporary file after a few chunks:
    a warning, the graph forgotten, and the export still right (from the dump). Chunks of one
    fiche, smaller than the file's buffer: the error must come when the chunk is kept."""
    resource = pytest.importorskip("resource")
    lines = b"".join(ntriples_chunks(_fiches())).splitlines(keepends=True)
    chunks = [b"".join(lines[i : i + 20]) for i in range(0, len(lines), 20)]
    assert 100 < len(chunks[-1]) < io.DEFAULT_BUFFER_SIZE
    limit = sum(map(len, chunks[:-1])) + 100  # the last chunk cannot be written whole
    canonical = _keeping()
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        canonical.load(GRAPH, chunks)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert "cannot be kept in a temporary file" in caplog.text and "File too large" in caplog.text
    assert canonical.kept_graphs() == []
    assert canonical.as_bytes() == _dumped(canonical.store)


def test_lines_that_cannot_be_read_back_leave_the_graph_to_the_dump(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    canonical = _keeping()
    canonical.load(GRAPH, ntriples_chunks(_fiches(), 5))
    canonical.load(OTHER, ntriples_chunks(Generator(8).fiches(5, start=50000)))
    real = LineSpool.chunks

    def failing(self: LineSpool, graph: str) -> Iterator[bytes]:
        for i, chunk in enumerate(real(self, graph)):
            if graph == GRAPH and i == 2:
                raise OSError(5, "Input/output error")
            yield chunk

    monkeypatch.setattr(LineSpool, "chunks", failing)
    assert canonical.as_bytes() == _dumped(canonical.store)  # the chunks read before the error dropped
    assert "cannot be read back" in caplog.text and GRAPH in caplog.text


def test_one_temporary_file_for_all_graphs_and_none_after_a_failed_load() -> None:
    """A build from thousands of pages keeps one file open, not one per page."""
    canonical = _keeping()
    fds = Path("/proc/self/fd")
    before = len(list(fds.iterdir())) if fds.is_dir() else None
    for i, fiche in enumerate(_fiches()):
        canonical.load(f"{GRAPH}/{i}", ntriples_chunks([fiche]))
    if before is not None:
        assert len(list(fds.iterdir())) <= before + 1
    assert len(canonical.kept_graphs()) == 40

    def broken() -> Iterator[bytes]:
        yield b"<urn:a> <urn:p> <urn:b> .\n"
        raise KeyboardInterrupt

    lone = _keeping()
    with pytest.raises(KeyboardInterrupt):
        lone.load(GRAPH, broken())
    assert lone.kept_graphs() == [] and lone._spool._handle is None
    assert canonical.as_bytes() == _dumped(canonical.store)


@pytest.mark.parametrize(
    ("options", "kept"),
    [({"out": True}, True), ({}, False), ({"validate": False}, False), ({"strategy": "whole"}, True)],
)
def test_a_build_keeps_lines_only_when_it_makes_canonical_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, object], kept: bool
) -> None:
    """Exports and the pyshacl strategies make canonical lines; a store built for a notebook
    keeps no temporary file."""
    asked: list[bool] = []
    real = CanonicalLines.load

    def spy(self: CanonicalLines, graph: str, chunks: Iterable[bytes]) -> None:
        asked.append(self.keep)
        real(self, graph, chunks)

    monkeypatch.setattr(CanonicalLines, "load", spy)
    out = tmp_path / "out" if options.pop("out", False) else None
    result = build([FICHES_DIR], out=out, **options)  # type: ignore[arg-type]
    assert len(asked) == len(SAMPLES) and set(asked) == {kept}  # one source per sample page
    assert result.lines.kept_graphs() == []  # none kept, or all used by the canonical lines
