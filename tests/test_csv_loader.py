"""The CSV export loader: the real 9-fiche sample (zip and folder), the 2021 register (17k
fiches), a hand-made export, and the same fiche from the XML and the CSV export merged."""

from __future__ import annotations

import shutil
import time
import unicodedata
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from rncp_graph import build
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.csv_tables import TABLES
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.model import AccessRouteKind, Fiche, LoadResult, Status
from rncp_graph.pipeline import merge
from rncp_graph.pipeline.sources import expand, loader_for

from .constants import RESOURCES

SAMPLE_DIR = Path("rncp-csv-official-sample/sample")
SAMPLE_ZIP = Path("rncp-csv-official-sample/export-fiches-csv-2024-02-22.sample.zip")
REGISTER_2021 = Path("rncp-2021-official-csv-layout")
FIXTURE = RESOURCES / "csv" / "export-2025-03-14"
XML_FIXTURE = RESOURCES / "xml" / "export-fiches-rncp-v4-1-2025-03-14.xml"
SAMPLE_NUMBERS = [
    "RNCP509",
    "RNCP1197",
    "RNCP4049",
    "RNCP22094",
    "RNCP28155",
    "RNCP30271",
    "RS5000",
    "RNCP19468",
    "RS6117",
]


def copy_fixture(tmp_path: Path, name: str = "export") -> Path:
    """A writable copy of the hand-made export, to damage or change in a test."""
    return Path(shutil.copytree(FIXTURE, tmp_path / name))


def table_file(folder: Path, table: str) -> Path:
    return folder / f"export_fiches_CSV_{table}_2025_03_14.csv"


def write_table(folder: Path, table: str, rows: list[list[str | None]], *, header: bool = True) -> Path:
    """Write a table the way the export does: ';', every non-empty value quoted, CRLF, no BOM."""
    lines = [";".join(f'"{c}"' for c in TABLES[table].columns)] if header else []
    lines += [";".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row) for row in rows]
    path = table_file(folder, table)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def by_number(result: LoadResult) -> dict[str, Fiche]:
    return {f.number: f for f in result.fiches}


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> LoadResult:
    return read_csv_export(shared_data / SAMPLE_DIR)


@pytest.fixture(scope="module")
def fixture() -> LoadResult:
    return read_csv_export(FIXTURE)


# --- the real 9-fiche sample -------------------------------------------------------------------


def test_sample_numbers_levels_and_status(sample: LoadResult) -> None:
    assert sample.loader == "csv"
    assert sample.export_date == date(2024, 2, 22)
    assert [f.number for f in sample.fiches] == SAMPLE_NUMBERS
    assert {f.number: f.level for f in sample.fiches} == {
        "RNCP509": 3,
        "RNCP1197": 6,
        "RNCP4049": 6,
        "RNCP22094": 6,
        "RNCP28155": 6,
        "RNCP30271": 6,
        "RS5000": None,  # RS: no level
        "RNCP19468": None,  # REPRISE
        "RS6117": None,
    }
    fiches = by_number(sample)
    assert fiches["RS5000"].status is Status.ACTIVE and fiches["RNCP509"].status is Status.INACTIVE
    assert fiches["RNCP509"].expiry_date == date(2023, 8, 31)
    assert fiches["RS6117"].decision_date == date(2022, 9, 29)
    assert fiches["RS5000"].partial_validation is False
    assert fiches["RNCP1197"].title == "Technico-commercial pour l'agro-alimentaire (Fiche incomplète)"


def test_sample_rs_fiches_have_partners_and_sirets_lose_their_tab(sample: LoadResult) -> None:
    fiches = by_number(sample)
    assert {n: len(fiches[n].partners) for n in ("RS5000", "RS6117", "RNCP19468")} == {
        "RS5000": 3,
        "RS6117": 6,
        "RNCP19468": 1,
    }
    sirets = [o.siret for f in sample.fiches for o in f.certifiers + f.partners]
    assert len(sirets) == 16
    assert all(s is not None and len(s) == 14 and s.isdigit() for s in sirets)
    assert [o.siret for o in fiches["RS6117"].certifiers] == ["78466840200018", "31504294500032"]
    assert sample.repairs["siret-tab"] == 16


def test_sample_blocks_codes_and_labels(sample: LoadResult) -> None:
    fiches = by_number(sample)
    assert sorted(b.code for b in fiches["RNCP509"].blocks) == [f"RNCP509BC0{i}" for i in range(1, 7)]
    assert fiches["RNCP509"].blocks[0].title == "UG2 : Mathématiques-Sciences physiques et chimiques"
    assert all(not f.blocks for n, f in fiches.items() if n != "RNCP509")
    # the NSF and Formacode labels lose their "code : " prefix; ROME labels have none
    assert [(c.code, c.label) for c in fiches["RS5000"].nsf] == [
        ("326", "Informatique, traitement de l'information, réseaux de transmission"),
        ("114b", "Modèles mathématiques ; Informatique mathématique"),
    ]
    assert [(c.code, c.label) for c in fiches["RNCP509"].formacodes] == [("42872", "Sécurité incendie")]
    # doubled apostrophes repaired and counted
    assert ("H1102", "Management et ingénierie d'affaires") in [(c.code, c.label) for c in fiches["RNCP4049"].rome]
    assert sample.repairs["doubled-apostrophe"] == 4


def test_sample_lineage_and_access_routes(sample: LoadResult) -> None:
    fiches = by_number(sample)
    lineage = {n: ([p.number for p in f.predecessors], [s.number for s in f.successors]) for n, f in fiches.items()}
    assert lineage["RNCP4049"] == (["RNCP1197"], ["RNCP22094"])
    assert lineage["RNCP509"] == ([], ["RNCP38228"])
    assert lineage["RNCP19468"] == ([], ["RS6117"])
    assert lineage["RS6117"] == (["RNCP19468"], [])
    assert len(fiches["RNCP509"].access_routes) == 6
    assert {r.route for r in fiches["RS5000"].access_routes} == {
        AccessRouteKind.CONTINUING,
        AccessRouteKind.INDIVIDUAL,
        AccessRouteKind.VAE,
    }
    assert all(r.open for f in sample.fiches for r in f.access_routes)
    # the lineage row of RNCP38228 (not in Standard) is reported and dropped
    assert [(p.rule, p.fiche, p.line) for p in sample.problems] == [("orphan-row", "RNCP38228", 3)]


def test_sample_counts_reconcile_per_table(sample: LoadResult) -> None:
    repairs = sample.repairs
    for table in TABLES:
        rows = repairs[f"rows:{table}"]
        used = sum(repairs.get(f"rows-{k}:{table}", 0) for k in ("loaded", "dropped", "not-mapped"))
        assert rows == used, table
    assert repairs["rows:Standard"] == 9
    assert repairs["rows:VoixdAccès"] == 34
    assert repairs["rows-loaded:CCN"] == 2
    fiches = by_number(sample)
    assert [(c.code, c.label) for c in fiches["RS6117"].collective_agreements] == [
        ("3117", "Boulangerie-pâtisserie (Entreprises artisanales)")
    ]
    abbreviation = fiches["RNCP509"].abbreviation
    assert abbreviation is not None
    assert (abbreviation.code, abbreviation.label) == ("CAP", "Certificat d'aptitude professionnelle")
    assert fiches["RS5000"].abbreviation is None


def test_sample_zip_equals_folder(sample: LoadResult, shared_data: Path) -> None:
    zipped = read_csv_export(shared_data / SAMPLE_ZIP)
    strip = [{**vars(f), "source": ""} for f in zipped.fiches]
    assert strip == [{**vars(f), "source": ""} for f in sample.fiches]
    assert zipped.repairs == sample.repairs


def test_zip_with_nfd_names(shared_data: Path, tmp_path: Path) -> None:
    archive = tmp_path / "nfd.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((shared_data / SAMPLE_DIR).iterdir()):
            z.write(path, unicodedata.normalize("NFD", path.name))
    assert any(unicodedata.normalize("NFC", n) != n for n in zipfile.ZipFile(archive).namelist())
    result = read_csv_export(archive)
    assert [f.number for f in result.fiches] == SAMPLE_NUMBERS
    assert len(by_number(result)["RNCP509"].blocks) == 6  # Blocs_De_Compétences found
    assert len(by_number(result)["RNCP509"].access_routes) == 6  # VoixdAccès found


def test_sources_table_recognises_csv_exports(shared_data: Path) -> None:
    folder, archive = shared_data / SAMPLE_DIR, shared_data / SAMPLE_ZIP
    assert loader_for(folder).name == "csv"  # type: ignore[union-attr]
    assert loader_for(archive).name == "csv"  # type: ignore[union-attr]
    assert expand([folder]) == [folder]  # the folder is one source, not ten files
    assert expand([shared_data / "rncp-csv-official-sample"]) == [archive, folder]


# --- the 2021 register: 17k fiches --------------------------------------------------------------


@pytest.mark.slow
def test_register_2021(shared_data: Path) -> None:
    started = time.perf_counter()
    result = read_csv_export(shared_data / REGISTER_2021)
    elapsed = time.perf_counter() - started
    assert elapsed < 30
    assert len(result.fiches) == 17369
    assert result.quarantined == 0
    # 101 repeated Standard rows, all identical: merged and counted, no problem
    assert result.repairs["duplicate-row"] == 101
    assert result.repairs["rows:Standard"] == 17470 == 17369 + 101
    rules = Counter(p.rule for p in result.problems)
    assert "duplicate-row" not in rules
    # ROME codes of every level of the tree (domain C, field A12, ROME v3's H1) and NSF codes of
    # every level of the nomenclature (domain 33, general domain 3): all kept, none reported
    assert not {"invalid-rome", "invalid-nsf"} & set(rules)
    fiches = by_number(result)
    assert {"A12", "C", "H1"} <= {c.code for f in result.fiches for c in f.rome}
    assert result.repairs["rows-loaded:Rome"] == 45165
    assert [(c.code, c.label) for c in fiches["RNCP15412"].rome if len(c.code) < 5] == [
        ("A13", "Études et assistance technique"),
        ("H1", "Études et supports techniques à l'industrie"),
    ]
    nsf = {c.code for f in result.fiches for c in f.nsf}
    assert {"3", "31", "33", "332p"} <= nsf
    assert result.repairs["rows-loaded:Nsf"] == 50925
    for table in TABLES:
        if f"rows:{table}" in result.repairs:
            used = sum(result.repairs.get(f"rows-{k}:{table}", 0) for k in ("loaded", "dropped", "not-mapped"))
            assert used == result.repairs[f"rows:{table}"], table


# --- the hand-made export -----------------------------------------------------------------------


def test_fixture_fiches_and_repairs(fixture: LoadResult) -> None:
    fiches = by_number(fixture)
    assert list(fiches) == ["RNCP90001", "RS90002", "RNCP90003"]
    assert fixture.export_date == date(2025, 3, 14)
    assert fiches["RNCP90003"].title == "Agent de maintenance des bâtiments (ancienne version)"  # over two lines
    assert fixture.repairs["duplicate-row"] == 1  # identical repeated row, merged
    assert fiches["RNCP90001"].french_polynesia is True
    assert fiches["RNCP90001"].effective_date == date(2023, 1, 12)
    assert [c.code for c in fiches["RNCP90001"].collective_agreements] == ["3085"]
    assert fiches["RNCP90003"].level is None  # REPRISE
    assert [(c.code, c.label) for c in fiches["RNCP90003"].nsf] == [("233", "Bâtiment : finitions")]
    assert [c.code for c in fiches["RNCP90003"].rome] == ["I1203", "H1102"]  # I12O3 (letter O) dropped
    assert fiches["RNCP90003"].rome[1].label == "Management et ingénierie d'affaires"
    assert [b.code for b in fiches["RNCP90003"].blocks] == ["RNCP90003BC01"]  # BC1 padded
    assert [(o.legal_name, o.siret) for o in fiches["RNCP90003"].certifiers] == [
        ("ASSOCIATION PARITAIRE FICTIVE", None)
    ]
    assert [r.route for r in fiches["RNCP90001"].access_routes] == [
        AccessRouteKind.VAE,
        AccessRouteKind.APPRENTICESHIP,  # typographic and straight apostrophes: one route
        AccessRouteKind.CONTINUING,
    ]
    assert fixture.repairs["duplicate-access-route"] == 1
    assert [(p.rule, p.fiche, p.value) for p in fixture.problems] == [
        ("block-code-padded", "RNCP90003", "RNCP90003BC1"),
        ("invalid-rome", "RNCP90003", "I12O3"),
        ("orphan-row", "RNCP90009", "RNCP90009"),
    ]
    assert fixture.problems[1].file == "export-2025-03-14/export_fiches_CSV_Rome_2025_03_14.csv"
    assert fixture.problems[1].line == 5


def test_different_duplicate_rows_are_reported_with_both_lines(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    standard = table_file(folder, "Standard")
    lines = standard.read_bytes().split(b"\r\n")
    changed = lines[2].replace(b"01/06/2027", b"01/06/2028")  # RS90002 again, another end date
    standard.write_bytes(b"\r\n".join([*lines[:-1], changed, b""]))
    result = read_csv_export(folder)
    dup = [p for p in result.problems if p.rule == "duplicate-row"]
    assert len(dup) == 1
    assert dup[0].fiche == "RS90002" and dup[0].field == "Date_Fin_Enregistrement"
    assert "line 8" in dup[0].message and "first at line 3" in dup[0].message
    assert by_number(result)["RS90002"].expiry_date == date(2027, 6, 1)  # the first row is kept


# --- the same fiche from the XML and the CSV export --------------------------------------------


def test_same_fiches_from_xml_and_csv_both_load_and_conflicts_are_reported() -> None:
    results = [read_xml(XML_FIXTURE), read_csv_export(FIXTURE)]
    assert [sorted(f.number for f in r.fiches) for r in results] == [["RNCP90001", "RNCP90003", "RS90002"]] * 2
    conflicts = merge.conflicts(merge.facts_of(f) for r in results for f in r.fiches)
    assert {(p.fiche, p.field) for p in conflicts} == {
        ("RNCP90001", "title"),  # "… logistique et transport" in the XML
        ("RNCP90001", "rome"),  # N1303 in the XML, N1302 in the CSV
        ("RNCP90003", "rome"),  # H1102 only in the CSV
        ("RNCP90003", "certifier_sirets"),  # the CSV gives no SIRET
    }
    title = next(p for p in conflicts if p.field == "title")
    assert "export-fiches-rncp-v4-1-2025-03-14.xml" in (title.value or "")
    assert "export-2025-03-14" in (title.value or "")


def test_build_from_xml_and_csv_zip(tmp_path: Path) -> None:
    archive = tmp_path / "export-fiches-csv-2025-03-14.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(FIXTURE.iterdir()):
            z.write(path, path.name)
    result = build([XML_FIXTURE, archive], out=tmp_path / "out")
    manifest = result.manifest()
    assert manifest["fiches"] == {"input": 6, "loaded": 6, "quarantined": 0, "distinct": 3}
    assert sorted(s.loader for s in result.sources) == ["csv", "xml"]
    assert manifest["problems"]["by_rule"]["source-conflict"] == 4
    errors = (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8")
    assert '"rule": "invalid-rome"' in errors and '"rule": "unknown-element"' in errors
    conflict_values = [p.value or "" for p in result.problems if p.rule == "source-conflict"]
    assert conflict_values and not any("datetime" in v or "(" in v for v in conflict_values)  # no Python reprs


def test_a_bad_siret_names_the_siret_column_and_its_line(tmp_path: Path) -> None:
    """The SIRET warnings name the column that holds the SIRET, not the one holding the name."""
    folder = copy_fixture(tmp_path)
    certifiers = table_file(folder, "Certificateurs")
    certifiers.write_bytes(certifiers.read_bytes().replace(b"90000001900019", b"90000001900018"))
    partners = table_file(folder, "Partenaires")
    partners.write_bytes(partners.read_bytes().replace(b"90000004300019", b"9000000430001"))
    result = read_csv_export(folder)
    assert [(p.fiche, p.field, p.value, p.line, p.action) for p in result.problems if p.rule == "invalid-siret"] == [
        ("RNCP90001", "Siret_Certificateur", "90000001900018", 2, "kept"),
        ("RS90002", "Siret_Partenaire", "9000000430001", 3, "kept"),
    ]
