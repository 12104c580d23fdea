"""Bad pages: each case is a copy of a sample, damaged in one way, or a small hand-made page.

Expected behaviour (docs/reliability.md §4): empty input raises; an undecodable, oversized or
numberless page is quarantined with a problem saying why; a bad field is dropped and reported
with its name and value while the fiche is kept.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from rncp_graph.errors import EmptyInput
from rncp_graph.loaders import page
from rncp_graph.model import AccessRouteKind, LoadResult, Problem
from rncp_graph.pipeline.sources import expand

from .constants import FICHES_DIR

P000 = "000_e4491d281dd4d66c.txt"
P001 = "001_e5f068fda1a5b3e6.txt"


def sample(name: str = P000) -> str:
    return (FICHES_DIR / name).read_text(encoding="utf-8")


def write(tmp_path: Path, text: str | bytes, name: str = "page.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str | bytes, name: str = "page.txt") -> LoadResult:
    return page.read_page(write(tmp_path, text, name))


def rules(result: LoadResult) -> list[str]:
    return [p.rule for p in result.problems]


def only(result: LoadResult, rule: str) -> Problem:
    [problem] = [p for p in result.problems if p.rule == rule]
    return problem


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \n\t\r\n  \n", b"\xef\xbb\xbf \n\xc2\xa0\n"])
def test_empty_bom_only_and_whitespace_only_files_raise(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content, "empty.txt")
    with pytest.raises(EmptyInput) as caught:
        page.read_page(path)
    assert caught.value.file == "empty.txt"
    with pytest.raises(EmptyInput):
        page.parse_page(content.decode("utf-8-sig"), source="empty.txt")


def test_truncated_inside_the_blocks_quarantines_the_fiche_and_names_the_missing_section(tmp_path: Path) -> None:
    text = sample()
    cut = text.index("RNCP34808BC03")
    cut = text.index("\n", cut) + 1  # keep the BC03 heading, lose its table and everything after it
    truncated = load(tmp_path, text[:cut], "cut.txt")
    intact = page.read_page(FICHES_DIR / "001_e5f068fda1a5b3e6.txt")
    assert truncated.fiches == [] and truncated.quarantined == 1
    problems = [p for p in truncated.problems if p.rule == "truncated"]
    assert [(p.field, p.value, p.file, p.fiche, p.severity, p.action) for p in problems] == [
        ("blocks", "RNCP34808BC03", "cut.txt", "RNCP34808", "warning", "warning"),
        ("block", None, "cut.txt", "RNCP34808", "error", "quarantined-fiche"),
    ]
    assert "RNCP34808BC03" in problems[1].message and "Statistiques" in problems[1].message
    assert problems[1].line == text[:cut].count("\n")
    assert intact.fiches and "truncated" not in rules(intact)


def test_no_fiche_number_and_no_blocks_is_quarantined(tmp_path: Path) -> None:
    text = sample()
    head = text[: text.index("RNCP34808BC01")]  # everything before the first block
    result = load(tmp_path, head, "numberless.txt")
    assert result.fiches == [] and result.quarantined == 1
    problem = only(result, "no-fiche-number")
    assert (problem.file, problem.action, problem.fiche) == ("numberless.txt", "quarantined-fiche", None)
    assert result.coverage[0].fiche is None


def test_impossible_date_drops_the_field_only(tmp_path: Path) -> None:
    result = load(tmp_path, sample().replace("23-07-2025", "31-02-2025"))
    [fiche] = result.fiches
    assert fiche.expiry_date is None
    assert fiche.decision_date == date(2020, 7, 23)
    problem = only(result, "invalid-date")
    assert (problem.field, problem.value, problem.action, problem.fiche) == (
        "expiry_date",
        "31-02-2025",
        "dropped-field",
        "RNCP34808",
    )
    assert problem.line == 12


def test_two_different_expiry_dates_keep_the_first_and_warn(tmp_path: Path) -> None:
    result = load(tmp_path, sample().replace("| 23-07-2025 |", "| 24-07-2025 |"))
    assert result.fiches[0].expiry_date == date(2025, 7, 23)
    problem = only(result, "conflicting-values")
    assert (problem.field, problem.value, problem.severity, problem.line) == (
        "expiry_date",
        "24-07-2025",
        "warning",
        158,
    )
    assert "expiry_date is stated 2 times; kept: '23-07-2025' (line 12), the first valid value" in problem.message


def test_an_impossible_date_beside_a_valid_one_is_reported_with_the_value_kept(tmp_path: Path) -> None:
    """The masthead gives 31-02-2025, the table 23-07-2025: the valid one is kept and the report
    says that the page stated two values, which one was kept, where, and why."""
    result = load(tmp_path, sample().replace("23-07-2025", "31-02-2025", 1))
    assert result.fiches[0].expiry_date == date(2025, 7, 23)
    problem = only(result, "invalid-date")
    assert (problem.value, problem.line, problem.severity, problem.action) == (
        "31-02-2025",
        12,
        "error",
        "dropped-value",
    )
    assert "kept: '23-07-2025' (line 158), the first valid value; this value is dropped" in problem.message
    assert not [p for p in result.problems if p.rule == "conflicting-values"]


def test_level_9_is_refused(tmp_path: Path) -> None:
    result = load(tmp_path, sample().replace("Niveau 6", "Niveau 9"))
    assert result.fiches[0].level is None
    problem = only(result, "invalid-level")
    assert (problem.field, problem.value, problem.line) == ("level", "Niveau 9", 4)


def test_block_of_another_fiche_is_not_attached(tmp_path: Path) -> None:
    text = "N° de fiche\nRNCP34808\n" + sample().replace("RNCP34808BC01", "RNCP12345BC01")
    result = load(tmp_path, text)
    [fiche] = result.fiches
    assert (fiche.number, fiche.number_inferred) == ("RNCP34808", False)
    assert [b.code for b in fiche.blocks] == [f"RNCP34808BC0{i}" for i in range(2, 7)]
    problem = only(result, "block-of-other-fiche")
    assert "RNCP12345" in problem.message and "RNCP34808" in problem.message
    assert (problem.value, problem.fiche, problem.field) == ("RNCP12345BC01", "RNCP34808", "blocks")


def test_cp1252_bytes_quarantine_the_page_with_their_line(tmp_path: Path) -> None:
    lines = sample().split("\n")
    assert lines[6].startswith("330 : Spécialites")  # line 7 gets its é in CP1252
    data = "\n".join(lines[:6]).encode("utf-8") + b"\n" + lines[6].encode("cp1252") + b"\n"
    result = load(tmp_path, data, "latin.txt")
    assert result.fiches == [] and result.quarantined == 1
    problem = only(result, "encoding")
    assert (problem.file, problem.line, problem.value, problem.action) == ("latin.txt", 7, "e9", "quarantined-fiche")


def test_bad_rome_code_drops_the_link_and_keeps_the_fiche(tmp_path: Path) -> None:
    result = load(tmp_path, sample().replace("- K1207 - Intervention", "- M16O7 - Intervention"))
    [fiche] = result.fiches
    assert [c.code for c in fiche.rome] == ["K1201", "J1502", "K1203"]
    problem = only(result, "invalid-code")
    assert (problem.field, problem.value, problem.action) == ("rome", "M16O7", "dropped-field")


def test_nbsp_in_codes_is_normalised_and_counted(tmp_path: Path) -> None:
    text = (
        sample()
        .replace("332 : Travail", "332\u00a0: Travail")
        .replace("K1201 - Action", "K1201\u202f- Action")
        .replace("Niveau 6", "Niveau\u00a06")
        .replace("RNCP34808BC02 -", "RNCP34808\u00a0BC02 -")
        .replace("| 33196441100036 |", "| 331\u00a0964\u00a0411\u00a000036 |")
    )
    result = load(tmp_path, text)
    [fiche] = result.fiches
    assert fiche.level == 6
    assert [c.code for c in fiche.nsf] == ["332", "330"] and fiche.nsf[0].label == "Travail social"
    assert fiche.rome[0].code == "K1201"
    assert [b.code for b in fiche.blocks][1] == "RNCP34808BC02"
    assert fiche.certifiers[0].siret == "33196441100036"
    assert result.repairs["nbsp"] == 7
    assert [p.rule for p in result.problems] == ["number-inferred"]


def test_curly_and_straight_apostrophes_in_route_labels_are_the_same(tmp_path: Path) -> None:
    curly = page.read_page(FICHES_DIR / P000).fiches[0]
    straight = load(tmp_path, sample().replace("’", "'")).fiches[0]
    assert "d’apprentissage" in sample()
    assert [r.route for r in straight.access_routes] == list(AccessRouteKind)
    assert [(r.route, r.open) for r in straight.access_routes] == [(r.route, r.open) for r in curly.access_routes]


def test_unknown_route_label_is_not_invented(tmp_path: Path) -> None:
    text = sample().replace("En contrat de professionnalisation | X |", "En alternance libre | X |")
    fiche = load(tmp_path, text).fiches[0]
    assert AccessRouteKind.PROFESSIONALISATION not in [r.route for r in fiche.access_routes]
    assert len(fiche.access_routes) == 5


def test_oversized_page_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write(sample().encode("utf-8"))
        handle.write(b"x" * (20 * 1024 * 1024))
    result = page.read_page(path)
    assert result.fiches == [] and result.quarantined == 1
    assert only(result, "too-large").file == "huge.txt"


def test_single_line_page_without_newline_is_read_in_bounded_time(tmp_path: Path) -> None:
    result = load(tmp_path, "RNCP34808BC01 - Un bloc " + "a" * (page.MAX_PAGE_BYTES - 100))
    assert result.fiches == [] and rules(result) == ["no-fiche-number"]


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "body",
    [
        "Compétences attestées :\n" + "Gérer x\n" * 200_000,
        "RNCP1BC01 - t\nListe de compétences | Modalités |\n---|---|\n" + "posée Concevoir " * 100_000 + "|\n",
        "".join(f"RNCP1BC{i % 100:02d} - t\nA\n" for i in range(100_000)),
        "RNCP1BC01 - t\nVoie d’accès à la certification | Oui |\n" + "En contrat d’apprentissage | X |\nj |\n" * 40_000,
        "RNCP1BC01 - t\nStatistiques :\n" + "| " * 900_000,
    ],
    ids=["many-lines", "one-long-cell", "many-blocks", "many-routes", "empty-cells"],
)
def test_adversarial_pages_at_the_size_bound_do_not_crash(tmp_path: Path, body: str) -> None:
    assert len(body.encode("utf-8")) <= page.MAX_PAGE_BYTES
    result = load(tmp_path, body)
    assert result.quarantined + len(result.fiches) == 1


def test_stated_number_that_is_not_a_fiche_number(tmp_path: Path) -> None:
    result = load(tmp_path, "Code de la fiche : 34808bis\n" + sample())
    problem = only(result, "invalid-code")
    assert (problem.field, problem.value) == ("number", "34808bis")
    assert result.fiches[0].number == "RNCP34808" and result.fiches[0].number_inferred


def test_bad_statistics_and_duration_are_dropped(tmp_path: Path) -> None:
    text = (
        sample()
        .replace("2018 | 33 | 0 | 94 |", "2018 | 33 | 0 | 9x |")
        .replace("en années | 5 |", "en années | cinq |")
    )
    result = load(tmp_path, text)
    fiche = result.fiches[0]
    assert fiche.statistics[0].insertion_6_months is None and fiche.statistics[0].certified == 33
    assert fiche.registration_years is None
    assert {(p.field, p.value) for p in result.problems if p.action == "dropped-field"} == {
        ("statistics", "9x"),
        ("registration_years", "cinq"),
    }


def test_flattened_page_missing_its_end_is_truncated(tmp_path: Path) -> None:
    text = sample(P001)
    result = load(tmp_path, text[: text.index("Code(s) ROME")], "short.txt")
    assert result.fiches == [] and result.quarantined == 1
    problem = only(result, "truncated")
    assert (problem.field, problem.severity, problem.action) == ("job_types", "error", "quarantined-fiche")


# --- saved HTML pages: not read, and said so --------------------------------------------------


def test_an_html_page_given_is_bad_input_and_nothing_is_written(tmp_path: Path) -> None:
    html = write(tmp_path, "<html><body><h1>Expert en développement logiciel</h1></body></html>", "RNCP36912.html")
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "rncp_graph", "build", str(html), "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "RNCP36912.html" in run.stderr and "saved HTML pages are not read" in run.stderr and ".txt" in run.stderr
    assert not out.exists()


def test_html_pages_in_a_folder_are_named_in_a_warning_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, sample(), "000.txt")
    write(tmp_path, "<html></html>", "b.html")
    write(tmp_path, "<html></html>", "a.HTM")
    write(tmp_path, "notes", "README.md")
    with caplog.at_level(logging.WARNING, logger="rncp_graph.pipeline.sources"):
        found = expand([tmp_path])
    assert [p.name for p in found] == ["000.txt"]
    (record,) = caplog.records
    assert "2 file(s) skipped (a.HTM, b.html)" in record.getMessage()
    assert "saved HTML pages are not read" in record.getMessage()


def test_a_level_stated_twice_differently_keeps_the_first_and_says_so(tmp_path: Path) -> None:
    """Any single-valued field, not only dates: a second, different level is no longer ignored."""
    text = sample().replace("Statistiques :", "Nomenclature du niveau de qualification\nNiveau 7\nStatistiques :", 1)
    result = load(tmp_path, text)
    assert result.fiches[0].level == 6
    problem = only(result, "conflicting-values")
    assert (problem.field, problem.value, problem.severity) == ("level", "Niveau 7", "warning")
    assert "kept: 'Niveau 6' (line 4)" in problem.message
