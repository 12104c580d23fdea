"""``exports/background.py``: the exports written by a forked process during validation are the
same bytes as those written after it; a failure on either side leaves nothing behind."""

from __future__ import annotations

import importlib
import multiprocessing
from pathlib import Path
from typing import NoReturn

import pytest

from rncp_graph import build
from rncp_graph.errors import ValidationFailure
from rncp_graph.exports import background

from .constants import FICHES_DIR

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the export process is forked; no fork here"
)


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "MIN_QUADS", 0)  # the samples are far below the threshold


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.usefixtures("always")
def test_the_forked_export_writes_the_same_bytes(tmp_path: Path) -> None:
    overlapped = build([FICHES_DIR], out=tmp_path / "a")
    after = build([FICHES_DIR], out=tmp_path / "b", overlap=False)
    assert overlapped.triples == after.store.triple_count() == 1902 and after.triples is None
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert set(_files(tmp_path / "a")) == {"errors.jsonl", "manifest.json", "rncp.nt", "rncp.ttl"}  # no staging left


@pytest.mark.usefixtures("always")
def test_a_validation_failure_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise ValidationFailure("a shape this engine cannot compile", value="urn:x:shape")

    build_module = importlib.import_module("rncp_graph.build")  # the module, not the function the package exports
    monkeypatch.setattr(build_module, "validate_graph", broken)
    with pytest.raises(ValidationFailure):
        build([FICHES_DIR], out=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []  # the staging folder and the child's files are gone


@pytest.mark.usefixtures("always")
def test_a_failing_export_process_fails_the_build_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> NoReturn:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(background, "export", full_disk)  # inherited by the forked child
    with pytest.raises(OSError, match="No space left"):
        build([FICHES_DIR], out=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_small_graphs_and_on_disk_stores_are_written_in_this_process(tmp_path: Path) -> None:
    result = build([FICHES_DIR], out=tmp_path / "out")
    assert result.triples is None  # under MIN_QUADS: exported after validation
    assert not background.suits(build([FICHES_DIR], store_path=tmp_path / "store", validate=False).store)
