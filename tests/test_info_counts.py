"""``rncp-graph info`` keeps its counts as a record in the user's cache, keyed by the graph's path
and checked against the graph's files: an unchanged graph is not opened again, a changed one
is counted again (issue 21: ``info`` ≤ 0.4 s)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rncp_graph import info, user_cache

EX = "http://example.org/"
RNCP = "https://w3id.org/rncp-graph/ontology#"


def write_store(store: Path, triples: list[tuple[str, str, str]]) -> None:
    """Add ``triples`` (IRIs) to the on-disk store ``store`` in another process, which then closes it."""
    quads = ", ".join(
        f"ox.Quad(ox.NamedNode({s!r}), ox.NamedNode({p!r}), ox.NamedNode({o!r}), ox.NamedNode('{EX}g'))"
        for s, p, o in triples
    )
    code = f"import pyoxigraph as ox\ns = ox.Store({str(store)!r})\ns.extend([{quads}])\ns.flush()\ndel s"
    subprocess.run([sys.executable, "-c", code], check=True)


TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FIRST = [
    (EX + "a", TYPE, RNCP + "Certification"),
    (EX + "b", TYPE, RNCP + "Certification"),
    (EX + "a", EX + "p", EX + "b"),
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(user_cache.NO_CACHE_ENV, raising=False)
    return tmp_path / "xdg" / "rncp-graph" / info.COUNTS_FILE


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    write_store(path, FIRST)
    return path


def not_opened(path: Path) -> None:
    raise AssertionError(f"{path} was opened: the record was not used")


def test_an_unchanged_store_is_counted_once(cache: Path, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = list(info.describe(store))
    assert first == [f"{store}: 3 triples", "  rncp:Certification         2"]
    assert cache.is_file()
    monkeypatch.setattr(info, "open_graph", not_opened)
    assert list(info.describe(store)) == first


def test_a_changed_store_is_counted_again(cache: Path, store: Path) -> None:
    assert info.graph_counts(store).triples == 3
    write_store(store, [(EX + "c", TYPE, RNCP + "Organisation")])
    counts = info.graph_counts(store)
    assert counts.triples == 4
    assert counts.classes == [("rncp:Certification", 2), ("rncp:Organisation", 1)]
    assert len(json.loads(cache.read_text(encoding="utf-8"))) == 1  # the record was replaced


def replace(path: Path, text: str) -> None:
    """Write ``path`` as ``build`` does: a new file, renamed over the old one."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def test_a_changed_graph_file_is_counted_again(cache: Path, tmp_path: Path) -> None:
    graph = tmp_path / "rncp.nt"
    replace(graph, f"<{EX}a> <{TYPE}> <{RNCP}Certification> .\n")
    assert info.graph_counts(graph).classes == [("rncp:Certification", 1)]
    replace(graph, f"<{EX}a> <{TYPE}> <{RNCP}Organisation> .\n")
    assert info.graph_counts(graph).classes == [("rncp:Organisation", 1)]
    replace(graph, f"<{EX}a> <{TYPE[:-1]}o> <{RNCP}Organisation> .\n")  # the same size, at once
    assert list(info.describe(tmp_path)) == [f"{tmp_path}: 1 triples"]  # an output folder: its rncp.nt


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"k": 1}',
        json.dumps({"x": {"signature": [], "triples": 99, "classes": []}}).encode(),
    ],
)
def test_an_unusable_record_file_is_ignored_and_replaced(cache: Path, store: Path, content: bytes) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_bytes(content)
    assert info.graph_counts(store).triples == 3
    assert any(r.get("triples") == 3 for r in json.loads(cache.read_text(encoding="utf-8")).values())


def test_a_record_of_other_counts_or_shape_is_not_trusted(cache: Path, store: Path) -> None:
    info.graph_counts(store)
    records = json.loads(cache.read_text(encoding="utf-8"))
    (key,) = records
    for bad in ({"classes": [["rncp:Certification"]]}, {"triples": "3"}, {"signature": [["CURRENT", 1, 2, 3]]}):
        cache.write_text(json.dumps({key: {**records[key], "triples": 1000, **bad}}), encoding="utf-8")
        assert info.graph_counts(store).triples == 3


def test_a_graph_that_changes_while_it_is_counted_is_not_recorded(
    cache: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the first look, then the folder as it is found at every later one (opening the store reads
    # it too: whether its union repeats a triple)
    signatures = itertools.chain([[["a", 1, 1, 1]]], itertools.repeat([["a", 1, 2, 2]]))
    monkeypatch.setattr(info, "_signature", lambda path: next(signatures))
    assert info.graph_counts(store).triples == 3
    assert not cache.exists()


def test_no_record_when_the_cache_is_off(cache: Path, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(user_cache.NO_CACHE_ENV, "1")
    assert info.graph_counts(store).triples == 3
    assert not cache.exists()


def test_the_second_info_opens_neither_the_store_nor_rdflib(cache: Path, store: Path) -> None:
    probe = (
        "import sys\nfrom rncp_graph.cli import main\ntry:\n"
        f"    main(['info', {str(store)!r}])\nexcept SystemExit:\n    pass\n"
        "print('LOADED:', *(m for m in ('rdflib', 'rncp_graph.store', 'rncp_graph.namespaces') if m in sys.modules))"
    )

    def loaded() -> tuple[list[str], list[str]]:
        run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        printed, _, modules = run.stdout.rpartition("LOADED:")
        return printed.splitlines(), modules.split()

    first, modules = loaded()
    assert "rdflib" in modules and first[0].endswith("3 triples")
    second, modules = loaded()
    assert (second, modules) == (first, [])
