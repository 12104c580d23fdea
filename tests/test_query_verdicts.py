"""The saved queries' allow-list verdicts kept between runs (rncp_graph.queries.verdicts): a
text is parsed once; a changed text is checked again; a bad cache file is never an error."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rncp_graph import sparql_guard
from rncp_graph.queries import catalogue, safety, verdicts
from rncp_graph.queries.errors import UnsafeQueryError

GOOD = """#+ summary: Labels
#+ description: Every label.
#+ params: []
#+ tags: []
SELECT ?s ?label WHERE { ?s <http://example.org/label> ?label }
"""
#: the same query, then a SERVICE in it: a new text, so a new hash
UNSAFE = GOOD.replace("?label }", "?label . SERVICE <http://example.org/sparql> { ?s ?p ?o } }")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder; the parser's and the process's memories emptied too."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(verdicts.NO_CACHE_ENV, raising=False)
    monkeypatch.setattr(sparql_guard, "_VOUCHED", set())
    for cached in (verdicts._read, safety._check, catalogue._load_all):
        cached.cache_clear()
    yield tmp_path / "cache" / "rncp-graph" / verdicts.CACHE_FILE
    verdicts._read.cache_clear()


def new_process() -> None:
    """What a new ``rncp-graph`` process starts with: no verdict in memory."""
    sparql_guard._VOUCHED.clear()
    for cached in (verdicts._read, safety._check, catalogue._load_all):
        cached.cache_clear()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the allow-list parses, in order."""
    seen: list[str] = []
    parse = safety.parse_query

    def counting(text: str) -> object:
        seen.append(text)
        return parse(text)

    monkeypatch.setattr(safety, "parse_query", counting)
    return seen


def saved(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "labels.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_saved_query_is_parsed_once_then_read_from_the_cache(cache: Path, parses: list[str], tmp_path: Path) -> None:
    path = saved(tmp_path / "q", GOOD)
    assert catalogue.load(path).columns == ["s", "label"]
    assert parses == [GOOD] and cache.is_file()
    new_process()
    query = catalogue.load(path)
    assert query.columns == ["s", "label"]
    assert parses == [GOOD]  # not parsed again
    assert sparql_guard.is_vouched(GOOD)  # and the network guard lets it through unparsed


def test_a_changed_query_text_is_checked_again_and_refused(cache: Path, parses: list[str], tmp_path: Path) -> None:
    path = saved(tmp_path / "q", GOOD)
    assert catalogue.load(path).columns == ["s", "label"]
    new_process()
    saved(tmp_path / "q", UNSAFE)
    with pytest.raises(UnsafeQueryError, match="SERVICE"):
        catalogue.load(path).columns  # noqa: B018 - the property runs the check
    assert parses == [GOOD, UNSAFE]
    assert verdicts.text_hash(UNSAFE) not in json.loads(cache.read_text(encoding="utf-8"))  # refusals not kept


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"abc": ["s"]}', b"\xff\xfe", b""])
def test_a_corrupt_cache_is_ignored(cache: Path, parses: list[str], tmp_path: Path, content: bytes) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_bytes(content)
    path = saved(tmp_path / "q", GOOD)
    assert catalogue.load(path).columns == ["s", "label"]
    assert parses == [GOOD]
    assert verdicts.text_hash(GOOD) in json.loads(cache.read_text(encoding="utf-8"))  # replaced by a good one


def test_an_entry_that_is_not_a_list_of_names_is_not_trusted(cache: Path, parses: list[str], tmp_path: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({verdicts.text_hash(GOOD): "s label"}), encoding="utf-8")
    assert catalogue.load(saved(tmp_path / "q", GOOD)).columns == ["s", "label"]
    assert parses == [GOOD]


def test_an_unwritable_cache_folder_is_not_an_error(
    cache: Path, parses: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = saved(tmp_path / "q", GOOD)
    assert catalogue.load(path).columns == ["s", "label"]
    new_process()
    assert catalogue.load(path).columns == ["s", "label"]
    assert parses == [GOOD, GOOD]  # checked each time, as with no cache


def test_the_cache_can_be_turned_off(
    cache: Path, parses: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(verdicts.NO_CACHE_ENV, "1")
    assert catalogue.load(saved(tmp_path / "q", GOOD)).columns == ["s", "label"]
    assert not cache.exists()


def test_the_key_holds_the_versions_and_the_whole_text() -> None:
    assert verdicts.text_hash(GOOD) != verdicts.text_hash(GOOD + " ")
    assert len(verdicts.text_hash(GOOD)) == 64


def test_every_saved_query_of_the_project_passes_with_an_empty_cache(cache: Path) -> None:
    """The project's queries are checked here, at test time, whatever the cache holds."""
    found = catalogue.discover()
    assert len(found) > 40
    assert all(q.columns for q in found.values())
    assert len(json.loads(cache.read_text(encoding="utf-8"))) == len(found)


def test_the_escape_pattern_is_rdflibs() -> None:
    """sparql_guard keeps its own copy so as not to import rdflib's parser: it must stay the same."""
    from rdflib.plugins.sparql import parser

    assert parser.expandUnicodeEscapes_re == sparql_guard.CODEPOINT_ESCAPE


def test_copying_a_cached_text_elsewhere_keeps_its_verdict(cache: Path, parses: list[str], tmp_path: Path) -> None:
    """The key is the text, not the file: the same text under another name is not parsed again."""
    catalogue.load(saved(tmp_path / "a", GOOD)).columns  # noqa: B018
    new_process()
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "labels.rq", tmp_path / "b" / "labels.rq")
    assert catalogue.load(tmp_path / "b" / "labels.rq").columns == ["s", "label"]
    assert parses == [GOOD]
