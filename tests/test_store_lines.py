"""The canonical export made from the lines a graph was loaded from (``replace_graph(keep_lines=True)``).

The build keeps the mapping's N-Triples chunks so that :meth:`GraphStore.canonical_bytes` does
not dump the store again (13 s at 30k fiches). That is right only if each line of ours is the
line Oxigraph writes for the same triple, and if a graph changed after its load is dumped
again: both are checked here against Oxigraph's own dump (a fresh ``GraphStore`` over the same
pyoxigraph store keeps no lines, so it dumps).
"""

from __future__ import annotations

import dataclasses
import io
import signal
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from rncp_graph.mapping import ntriples_chunks
from rncp_graph.pipeline.build import build
from rncp_graph.resources import scheme_files
from rncp_graph.store import GraphStore, LineSpool
from rncp_graph.terms import fr, line, lines_to_bytes, string

from .constants import FICHES_DIR, SAMPLES
from .synthetic_fiches import Generator

GRAPH = "https://example.org/graph/source"
OTHER = "https://example.org/graph/other"
#: text our loaders never produce (line breaks and tabs are collapsed), but a mapping may
ODD = 'tab\tquote" back\\slash bell\x07 del\x7f nonchar\ufffe\uffff é€😀 \u2028 \x1c'


def _dumped(store: GraphStore) -> list[bytes]:
    return GraphStore(store=store.ox).canonical_bytes()


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


def test_kept_lines_give_the_lines_oxigraph_dumps() -> None:
    store = GraphStore()
    store.replace_graph(GRAPH, ntriples_chunks(_fiches(), 7), trusted=True, keep_lines=True)
    # another graph stating some of the same triples, loaded as a user's file is (dumped)
    shared = b"\n".join(_dumped(store)[::5]) + b"\n"
    store.replace_graph(OTHER, [shared])
    for path in scheme_files():
        store.load_file(path, "https://example.org/graph/schemes")
    assert store._loaded_lines.graphs() == [GRAPH]
    lines = store.canonical_bytes()
    assert lines == _dumped(store)
    assert len(lines) == len(set(lines)) and lines == sorted(lines)
    assert any(string(ODD)[1:-1].encode("utf-8") in x for x in lines)  # the odd title, escaped
    assert store._loaded_lines.graphs() == [] and store._loaded_lines._handle is None  # used once, closed


@pytest.mark.parametrize("change", ["drop", "load file", "remove quads", "replace without keeping"])
def test_a_graph_changed_after_its_load_is_dumped_again(change: str) -> None:
    store = GraphStore()
    store.replace_graph(GRAPH, ntriples_chunks(_fiches(), 9), trusted=True, keep_lines=True)
    store.replace_graph(OTHER, ntriples_chunks(Generator(8).fiches(5, start=50000)), trusted=True, keep_lines=True)
    if change == "drop":
        store.drop_graph(OTHER)
    elif change == "load file":
        store.load_file(scheme_files()[0], GRAPH)
    elif change == "remove quads":
        store.remove_quads(list(store.iter_quads(GRAPH))[:10])
    else:
        store.replace_graph(GRAPH, [b"<urn:a> <urn:p> <urn:b> .\n"], trusted=True)
    assert store.canonical_bytes() == _dumped(store)


def test_lines_are_kept_only_for_trusted_chunks() -> None:
    with pytest.raises(ValueError, match="trusted"):
        GraphStore().replace_graph(GRAPH, [b"<urn:a> <urn:p> <urn:b> .\n"], keep_lines=True)


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
    store = GraphStore()
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        store.replace_graph(GRAPH, chunks, trusted=True, keep_lines=True)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert "cannot be kept in a temporary file" in caplog.text and "File too large" in caplog.text
    assert store._loaded_lines.graphs() == []
    assert store.canonical_bytes() == _dumped(store)


def test_lines_that_cannot_be_read_back_leave_the_graph_to_the_dump(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = GraphStore()
    store.replace_graph(GRAPH, ntriples_chunks(_fiches(), 5), trusted=True, keep_lines=True)
    store.replace_graph(OTHER, ntriples_chunks(Generator(8).fiches(5, start=50000)), trusted=True, keep_lines=True)
    real = LineSpool.chunks

    def failing(self: LineSpool, graph: str) -> Iterator[bytes]:
        for i, chunk in enumerate(real(self, graph)):
            if graph == GRAPH and i == 2:
                raise OSError(5, "Input/output error")
            yield chunk

    monkeypatch.setattr(LineSpool, "chunks", failing)
    assert store.canonical_bytes() == _dumped(store)  # the chunks read before the error dropped
    assert "cannot be read back" in caplog.text and GRAPH in caplog.text


def test_one_temporary_file_for_all_graphs_and_none_after_a_failed_load() -> None:
    """A build from thousands of pages keeps one file open, not one per page."""
    store = GraphStore()
    fds = Path("/proc/self/fd")
    before = len(list(fds.iterdir())) if fds.is_dir() else None
    for i, fiche in enumerate(_fiches()):
        store.replace_graph(f"{GRAPH}/{i}", ntriples_chunks([fiche]), trusted=True, keep_lines=True)
    if before is not None:
        assert len(list(fds.iterdir())) <= before + 1
    assert len(store._loaded_lines.graphs()) == 40

    def broken() -> Iterator[bytes]:
        yield b"<urn:a> <urn:p> <urn:b> .\n"
        raise KeyboardInterrupt

    lone = GraphStore()
    with pytest.raises(KeyboardInterrupt):
        lone.replace_graph(GRAPH, broken(), trusted=True, keep_lines=True)
    assert lone._loaded_lines.graphs() == [] and lone._loaded_lines._handle is None
    assert store.canonical_bytes() == _dumped(store)


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
    real = GraphStore.replace_graph

    def spy(self: GraphStore, graph: str, chunks: object, **kwargs: bool) -> None:
        asked.append(kwargs.get("keep_lines", False))
        real(self, graph, chunks, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphStore, "replace_graph", spy)
    out = tmp_path / "out" if options.pop("out", False) else None
    result = build([FICHES_DIR], out=out, **options)  # type: ignore[arg-type]
    assert len(asked) == len(SAMPLES) and set(asked) == {kept}  # one source per sample page
    assert result.store._loaded_lines.graphs() == []  # none kept, or all used by the canonical lines
