"""``rncp-graph publish`` writes the release even when it is not clean (exit 1 or 4); then it
says why, on stderr, and where the details are: the place it names does list them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from rncp_graph.cli import main

from .constants import FICHES_DIR

P000, P001 = "000_e4491d281dd4d66c.txt", "001_e5f068fda1a5b3e6.txt"
PUBLISH = ["publish", "--no-docs", "--modified", "2026-11-01"]


def _sources(tmp_path: Path) -> Path:
    """Two sample pages, one of which gives its certifier a SIRET with a wrong check digit:
    one SHACL violation (rncpsh:organisation-siret-key)."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FICHES_DIR / P001, src / P001)
    text = (FICHES_DIR / P000).read_text(encoding="utf-8")
    (src / P000).write_text(text.replace("| 33196441100036 |", "| 33196441100037 |"), encoding="utf-8")
    return src


def test_a_release_with_a_violation_says_how_many_and_where_they_are(tmp_path: Path) -> None:
    out = tmp_path / "release"
    run = CliRunner().invoke(main, [*PUBLISH, str(_sources(tmp_path)), "--out", str(out)])
    assert run.exit_code == 1, run.output
    assert run.stdout.startswith("1011 triples, 17 files in")
    assert "the graph does NOT conform to the SHACL shapes: 1 violations, 2 warnings, 1 infos" in run.stderr
    assert f"build.validation in {out / 'manifest.json'}" in run.stderr
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["build"]["validation"]["violations"] == 1
    command = f"rncp-graph validate {out} --severity violation"
    assert command in run.stderr and "the release is written all the same" in run.stderr
    listed = CliRunner().invoke(main, [*command.split()[1:], "--no-cache", "--format", "json"])
    assert listed.exit_code == 1, listed.output
    assert [(r["fiches"], r["shape"].rsplit("#", 1)[-1]) for r in json.loads(listed.stdout)] == [
        (["RNCP34808"], "organisation-siret-key")
    ]


def test_a_release_with_a_quarantined_fiche_quotes_the_error(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FICHES_DIR / P001, src / P001)
    (src / "latin.txt").write_bytes((FICHES_DIR / P000).read_text(encoding="utf-8").replace("’", "'").encode("cp1252"))
    run = CliRunner().invoke(main, [*PUBLISH, str(src), "--out", str(tmp_path / "release")])
    assert run.exit_code == 4, run.output
    assert "1 fiche(s) quarantined, 1 error(s)" in run.stderr
    assert "  latin.txt: encoding: not UTF-8: byte e9" in run.stderr


def test_a_clean_release_says_nothing_more(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FICHES_DIR / P001, src / P001)
    run = CliRunner().invoke(main, [*PUBLISH, str(src), "--out", str(tmp_path / "release")])
    assert run.exit_code == 0, run.output
    assert run.stderr == ""
    # the summary names the recommended properties no option filled, none invented
    assert "dcat.ttl: no dcat:contactPoint of the dataset (--contact-email or --contact-url)" in run.stdout
