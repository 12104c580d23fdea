"""A build that cannot produce a graph worth writing leaves the previous outputs byte-identical.

Each case starts from an output folder holding a good build of the five sample pages, then runs
a build that must fail, as a user does, and compares every byte of the folder afterwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from rncp_graph import build
from rncp_graph.cli import main
from rncp_graph.errors import NothingLoaded
from rncp_graph.loaders import page

from .constants import FICHES_DIR

P000 = FICHES_DIR / "000_e4491d281dd4d66c.txt"


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("good") / "out"
    build([FICHES_DIR], out=out)
    return out


@pytest.fixture
def out(good_build: Path, tmp_path: Path) -> Path:
    """A copy of the good build's output folder, for this test to try to damage."""
    return Path(shutil.copytree(good_build, tmp_path / "out"))


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16)


def _cp1252(path: Path) -> None:
    path.write_bytes(P000.read_text(encoding="utf-8").replace("’", "'").encode("cp1252"))


def _truncated(path: Path) -> None:
    text = P000.read_text(encoding="utf-8")
    cut = text.index("\n", text.index("RNCP34808BC03")) + 1  # the BC03 heading, then nothing
    path.write_text(text[:cut], encoding="utf-8")


def _fifty_megabytes(path: Path) -> None:
    with path.open("wb") as handle:  # a real page followed by a sparse 50 MB tail
        handle.write(P000.read_bytes())
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"\n")
    assert path.stat().st_size > page.MAX_PAGE_BYTES


PAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "binary": (_binary, "not UTF-8"),
    "cp1252": (_cp1252, "not UTF-8"),
    "truncated": (_truncated, "RNCP34808BC03"),
    "50mb": (_fifty_megabytes, "larger than 2097152 bytes"),
}


@pytest.mark.parametrize("case", sorted(PAGES))
def test_a_build_that_loads_no_fiche_exits_2_and_keeps_the_previous_outputs(out: Path, case: str) -> None:
    make, reason = PAGES[case]
    bad = out.parent / f"{case}.txt"
    make(bad)
    before = files(out)
    result = CliRunner().invoke(main, ["build", str(bad), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "no fiche loaded from 1 source(s), 1 quarantined" in result.output
    assert f"{case}.txt" in result.output and reason in result.output
    assert "nothing written" in result.output
    assert files(out) == before


def test_the_python_api_raises_with_the_problems_and_writes_nothing(out: Path) -> None:
    bad = out.parent / "binary.txt"
    _binary(bad)
    before = files(out)
    with pytest.raises(NothingLoaded) as caught:
        build([bad], out=out)
    assert [(p.file, p.rule, p.action) for p in caught.value.problems] == [
        ("binary.txt", "encoding", "quarantined-fiche")
    ]
    assert files(out) == before


def test_one_good_fiche_among_bad_ones_is_still_built(out: Path) -> None:
    """Only a build that loads nothing is refused: a quarantine next to a loaded fiche exits 4."""
    src = out.parent / "src"
    src.mkdir()
    shutil.copy(P000, src / "good.txt")
    _binary(src / "binary.txt")
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert "2 read, 1 loaded, 1 quarantined" in result.output
