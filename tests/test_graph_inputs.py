"""What ``validate`` and ``info`` read when given a folder: an output folder is the graph it
holds; a folder holding nothing to read is bad input (exit 2), never "conforms" over 0 fiches."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rncp_graph import build
from rncp_graph.cli import main

from .constants import FICHES_DIR


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built") / "out"
    build([FICHES_DIR], out=folder, validate=False)
    return folder


def untimed(report: str) -> str:
    return re.sub(r", \d+\.\d+ s\)", ")", report)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_validate_an_output_folder_validates_the_graph_it_holds(out: Path) -> None:
    code, text = invoke("validate", "--no-cache", str(out))
    assert code == 0, text
    assert "(5 fiches in" in text
    of_file = invoke("validate", "--no-cache", str(out / "rncp.nt"))
    assert (of_file[0], untimed(of_file[1])) == (code, untimed(text))


def test_validate_an_empty_folder_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("not a source\n", encoding="utf-8")
    code, text = invoke("validate", "--no-cache", str(tmp_path))
    assert code == 2, text
    assert "no source to read here" in text and str(tmp_path) in text
    assert "conforms" not in text


def test_validate_sources_that_load_no_fiche_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes("Spécialités\n".encode("cp1252"))
    code, text = invoke("validate", "--no-cache", str(tmp_path))
    assert code == 2, text
    assert "no fiche loaded" in text and "page.txt" in text and "conforms" not in text


def test_info_on_an_output_folder_describes_its_graph(out: Path) -> None:
    code, text = invoke("info", str(out))
    assert code == 0, text
    _, of_file = invoke("info", str(out / "rncp.nt"))
    assert text.splitlines()[1:] == of_file.splitlines()[1:]  # the same counts; line 1 names the path
    assert "rncp:Certification" in text


def test_info_on_a_folder_that_is_no_graph_says_what_it_expected(tmp_path: Path) -> None:
    code, text = invoke("info", str(tmp_path))
    assert code == 2, text
    assert "neither an Oxigraph store folder (no CURRENT file) nor an output folder" in text
    assert "No such file" not in text and "Traceback" not in text


def test_an_output_folder_that_lost_its_graph_is_bad_input(out: Path, tmp_path: Path) -> None:
    shutil.copy(out / "manifest.json", tmp_path / "manifest.json")
    for command in ("info", "validate"):
        code, text = invoke(command, *(["--no-cache"] if command == "validate" else []), str(tmp_path))
        assert code == 2, text
        assert "output folder (manifest.json) without its graph file (rncp.nt or rncp.ttl)" in text
