"""Mojibake (UTF-8 read as CP1252 or Latin-1) in the three loaders: found per field, repaired
only when the bytes decode back cleanly, counted; legitimate French text is left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rncp_graph import normalise
from rncp_graph.loaders import page
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.model import LoadResult, Problem

from .constants import FICHES_DIR, RESOURCES

XML_FIXTURE = RESOURCES / "xml" / "export-fiches-rncp-v4-1-2025-03-14.xml"
CSV_FIXTURE = RESOURCES / "csv" / "export-2025-03-14"
P000 = FICHES_DIR / "000_e4491d281dd4d66c.txt"


def garbled(text: str, codec: str = "cp1252") -> str:
    """``text`` as a program reading its UTF-8 bytes as ``codec`` shows it."""
    return text.encode("utf-8").decode(codec)


@pytest.mark.parametrize(
    ("value", "found", "repaired"),
    [
        ("vÃ©rificateur", 1, "vérificateur"),
        (garbled("l’équipe d’œuvre « à » 10 €"), 8, "l’équipe d’œuvre « à » 10 €"),
        (garbled("Ingénierie", "latin-1"), 1, "Ingénierie"),  # an ISO-8859-1 declaration over UTF-8
        (garbled("ÉTUDES SUPÉRIEURES"), 2, "ÉTUDES SUPÉRIEURES"),
        ("Ã partir de", 1, "à partir de"),  # "à" whose A0 byte became a space
        ("Ã©tÃ© réalisé", 2, None),  # mojibake next to a correct accent: not certain, not guessed
        ("BÂTIMENT, âge, pâte, SÃO PAULO, Åsa, Ãtre", 0, None),  # legitimate letters
    ],
)
def test_detection_and_repair_rules(value: str, found: int, repaired: str | None) -> None:
    assert normalise.mojibake(value) == found
    assert normalise.has_mojibake(f"x\n{value}\ny") is bool(found)
    assert normalise.repair_mojibake(value) == repaired


def mojibake(result: LoadResult) -> list[Problem]:
    return [p for p in result.problems if p.rule == "mojibake"]


def test_page_fields_are_repaired_and_reported(tmp_path: Path) -> None:
    text = P000.read_text(encoding="utf-8")
    title = "Élaboration et gestion du budget d'un service social ou médico-social"
    heading = f"RNCP34808BC06 - {title}"
    assert text.count(heading) == 1
    path = tmp_path / P000.name  # the same name: the fiche names its source
    path.write_text(text.replace(heading, f"RNCP34808BC06 - {garbled(title)}"), encoding="utf-8")
    result = page.read_page(path)
    assert [(p.file, p.fiche, p.field, p.value, p.severity, p.action) for p in mojibake(result)] == [
        (P000.name, "RNCP34808", "blocks[5].title", garbled(title), "warning", "repaired")
    ]
    assert result.repairs["mojibake"] == 1
    assert result.fiches == page.read_page(P000).fiches


def test_an_xml_export_declared_latin1_holding_utf8_reads_as_its_utf8_twin(tmp_path: Path) -> None:
    """The whole fixture, its declaration changed to ISO-8859-1: every accent of every field is
    read garbled by the parser, and every one is repaired to what the UTF-8 document says."""
    data = XML_FIXTURE.read_bytes()
    path = tmp_path / XML_FIXTURE.name  # the same name: the fiches name their source
    path.write_bytes(data.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1))
    twin, latin = read_xml(XML_FIXTURE), read_xml(path)
    assert latin.fiches == twin.fiches
    found = mojibake(latin)
    assert found and {(p.action, p.severity) for p in found} == {("repaired", "warning")}
    assert latin.repairs["mojibake"] == len(found)
    assert {p.fiche for p in found} == {"RNCP90001", "RS90002", "RNCP90003"}
    assert ("RNCP90001", "title") in {(p.fiche, p.field) for p in found}
    assert not mojibake(twin) and "mojibake" not in twin.repairs


def test_csv_fields_are_repaired_or_reported_as_kept(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(CSV_FIXTURE, tmp_path / "export"))
    [standard] = folder.glob("export_fiches_CSV_Standard_*.csv")
    original = read_csv_export(CSV_FIXTURE)
    title = next(f.title for f in original.fiches if f.number == "RNCP90003") or ""
    assert "â" in title and title.count("é") == 0  # "Agent de maintenance des bâtiments (…)"
    raw = standard.read_text(encoding="utf-8")
    raw = raw.replace("maintenance des bâtiments", garbled("maintenance des bâtiments"))  # both rows
    raw = raw.replace("Responsable", "Responsable (vÃ©rifié)", 1)
    standard.write_text(raw, encoding="utf-8")
    result = read_csv_export(folder)
    fiches = {f.number: f for f in result.fiches}
    assert fiches["RNCP90003"].title == title
    rows = [(p.file, p.fiche, p.field, p.action, p.severity) for p in mojibake(result)]
    assert rows == [
        ("export", "RNCP90001", "title", "kept", "error"),
        ("export", "RNCP90003", "title", "repaired", "warning"),
    ]
    assert fiches["RNCP90001"].title is not None and "vÃ©rifié" in fiches["RNCP90001"].title
    assert result.repairs["mojibake"] == 1


def test_a_clean_source_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fiches are checked field by field only when the source holds a suspicious sequence."""
    from rncp_graph.loaders import mojibake as walker

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked a clean source")

    monkeypatch.setattr(walker, "check_fiche", fail)
    assert read_csv_export(CSV_FIXTURE).fiches and read_xml(XML_FIXTURE).fiches and page.read_page(P000).fiches


def test_a_multi_line_field_is_repaired_line_by_line() -> None:
    """A field kept one line per source line (``job_types_text``) keeps its lines when repaired."""
    garbled_text = "responsable dâ\x80\x99entrepÃ´t\nchef de quai\nresponsable des flux."
    assert normalise.repair_mojibake(garbled_text) == "responsable d’entrepôt\nchef de quai\nresponsable des flux."
    assert normalise.repair_mojibake("ligne\x00 vÃ©rifiée") is None  # another control character: not certain
