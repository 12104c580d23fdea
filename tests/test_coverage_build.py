"""What a build read: the ``coverage:`` line ``rncp-graph build`` prints and the JSON
``--report`` writes, on the sample pages, a hand-made XML export and a hand-made CSV export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rncp_graph.cli import main
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.pipeline.coverage import read_coverage, summary_line

from .constants import FICHES_DIR, RESOURCES

XML_FIXTURE = RESOURCES / "xml" / "export-fiches-rncp-v4-1-2025-03-14.xml"
CSV_FIXTURE = RESOURCES / "csv" / "export-2025-03-14"


def _build(tmp_path: Path, *args: str) -> tuple[str, int]:
    result = CliRunner().invoke(
        main, ["build", *args, "--out", str(tmp_path / "out"), "--no-validate"], catch_exceptions=False
    )
    return result.output, result.exit_code


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """The printed line and the JSON of one build of the three kinds of source."""
    tmp = tmp_path_factory.mktemp("cov")
    output, _ = _build(tmp, str(XML_FIXTURE), str(CSV_FIXTURE), str(FICHES_DIR), "--report", str(tmp / "cov.json"))
    line = next(text for text in output.splitlines() if text.startswith("coverage:"))
    return line, json.loads((tmp / "cov.json").read_text(encoding="utf-8"))


def test_the_printed_line_names_what_was_ignored_and_not_understood(report: tuple[str, dict[str, Any]]) -> None:
    line, _ = report
    assert line.startswith("coverage: csv 40 columns read, 3 ignored (Partenaires.Habilitation_Partenaire ×2, ")
    assert "; page 40 sections read, 3 ignored (other_links ×1, referential ×4, territories ×5)" in line
    assert "4 headings not recognised (001_e5f068fda1a5b3e6.txt:382 'Expérience hors champ médico-social :'" in line
    assert "004_d3f4a8fc6affab52.txt:164 'Epreuves finales :'" in line
    assert "CERTIFICATEUR/ETAT_CERTIFICATEUR" not in line  # read: the certifier's state on its role
    assert line.endswith("2 not understood (CERTIFICATEUR/CODE_POSTAL ×1, NOUVEL_ELEMENT_V5 ×2)")


def test_the_report_holds_every_item_met_with_its_count_status_and_fields(report: tuple[str, dict[str, Any]]) -> None:
    _, data = report
    kinds = data["by_kind"]
    assert sorted(kinds) == ["csv", "page", "xml"]
    xml = kinds["xml"]
    assert xml["met"]["INTITULE"] == {"count": 3, "status": "mapped", "fields": ["title"]}
    assert xml["met"]["CERTIFICATEUR/ETAT_CERTIFICATEUR"] == {
        "count": 1,
        "status": "mapped",
        "fields": ["certifier_states.active"],
    }
    assert xml["met"]["NOUVEL_ELEMENT_V5"]["status"] == "unknown"
    assert xml["met"]["BLOC_COMPETENCES/CODE"]["fields"] == [
        "blocks.code",
        "correspondences.source_block",
        "correspondences.target_blocks",
    ]
    assert xml["totals"] == {"mapped": 109, "ignored": 10, "unknown": 2}
    csv = kinds["csv"]
    assert csv["met"]["Standard.Id_Fiche"] == {"count": 4, "status": "ignored", "fields": []}
    assert csv["met"]["Nsf.Nsf_Code"]["status"] == "mapped"
    page = kinds["page"]
    assert page["sources"] == 5
    assert {"file": "004_d3f4a8fc6affab52.txt", "line": 164, "text": "Epreuves finales :"} in page["unrecognised"]
    assert len(data["pages"]) == 5 and all("unrecognised_lines" in p for p in data["pages"])


def test_report_without_a_file_goes_to_the_output_folder(tmp_path: Path) -> None:
    output, code = _build(tmp_path, str(XML_FIXTURE), "--report")
    assert code in (0, 4), output
    data = json.loads((tmp_path / "out" / "coverage.json").read_text(encoding="utf-8"))
    assert list(data["by_kind"]) == ["xml"]
    assert "coverage: xml 109 elements read, 10 ignored" in output


def test_the_loaders_count_what_they_met() -> None:
    xml = read_xml(XML_FIXTURE)
    assert xml.met["NUMERO_FICHE"] == len(xml.fiches) + xml.quarantined
    assert xml.met["CODES_ROME/ROME"] >= 1
    csv = read_csv_export(CSV_FIXTURE)
    assert csv.met["Standard.Numero_Fiche"] == csv.repairs["rows:Standard"]
    assert summary_line(read_coverage([])) == "coverage: nothing read"


@pytest.mark.slow
@pytest.mark.shared
def test_the_2021_register_read_every_column_it_holds(shared_data: Path) -> None:
    """The 2021 register: seven tables (no Partenaires, CCN, Formacode); of the 33 columns, 25
    hold values and are read, the level's label is not (the level is); 7 are always empty."""
    result = read_csv_export(shared_data / "rncp-2021-official-csv-layout")
    kind = read_coverage([result])["csv"]
    assert kind["totals"] == {"mapped": 25, "ignored": 1, "unknown": 0}
    assert kind["met"]["Standard.Nomenclature_Europe_Intitule"] == {"count": 17470, "status": "ignored", "fields": []}
    assert "Standard.Id_Fiche" not in kind["met"]  # the column is there, always empty
    assert kind["met"]["Nsf.Nsf_Code"]["count"] == result.repairs["rows:Nsf"] == 50925


@pytest.mark.shared
def test_the_real_samples_hold_nothing_the_loaders_do_not_understand(shared_data: Path) -> None:
    """The XML sample (RNCP35340) and the official CSV sample: every element and column met is
    read or ignored with a reason; what is ignored is said, with its count."""
    xml = read_xml(shared_data / "rncp-xml-v4.1-sample" / "export-fiches-rncp-extract.RNCP35340.xml")
    csv = read_csv_export(shared_data / "rncp-csv-official-sample" / "sample")
    coverage = read_coverage([xml, csv])
    assert coverage["xml"]["totals"]["unknown"] == coverage["csv"]["totals"]["unknown"] == 0
    ignored = {k for kind in coverage.values() for k, m in kind["met"].items() if m["status"] == "ignored"}
    assert ignored == {
        "ID_FICHE",
        "EXISTENCE_PARTENAIRES",
        "NOMENCLATURE_EUROPE/LIBELLE",
        "Standard.Id_Fiche",
        "Standard.Nomenclature_Europe_Intitule",
        "Partenaires.Habilitation_Partenaire",
    }
    assert summary_line(coverage).startswith(
        "coverage: csv 39 columns read, 3 ignored (Partenaires.Habilitation_Partenaire ×10, "
    )
