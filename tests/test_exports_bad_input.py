"""Bad inputs for the export loaders (docs/reliability.md §4): structural damage aborts before
anything is written; a bad value or row is reported and dropped, the rest loads."""

from __future__ import annotations

import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from rncp_graph import build
from rncp_graph.errors import EmptyInput, StructuralError
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.model import Status

from .test_csv_loader import XML_FIXTURE, copy_fixture, table_file, write_table

SENTINEL = "S3CR3T-SENTINEL-4242"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
FICHE = "<FICHE><NUMERO_FICHE>{number}</NUMERO_FICHE><INTITULE>Titre</INTITULE>{extra}</FICHE>"


def xml_export(tmp_path: Path, *fiches: str, head: str = HEAD, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(f"{head}<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>{''.join(fiches)}</FICHES>\n", encoding="utf-8")
    return path


def fiche(number: str = "RNCP90001", extra: str = "") -> str:
    return FICHE.format(number=number, extra=extra)


def assert_nothing_written(paths: list[Path], out: Path) -> None:
    with pytest.raises(StructuralError):
        build(paths, out=out)
    assert not out.exists() or not any(out.iterdir())


# --- XML: empty, truncated, encodings ----------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \r\n\t ", b"\xef\xbb\xbf\n\n"])
def test_xml_empty_or_bom_only(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(content)
    with pytest.raises(EmptyInput) as err:
        read_xml(path)
    assert err.value.file == "empty.xml"


def test_xml_truncated_aborts_with_line_and_column(tmp_path: Path) -> None:
    whole = XML_FIXTURE.read_text(encoding="utf-8")
    path = tmp_path / "truncated.xml"
    cut = whole.index("<CODES_ROME>", whole.index("<NUMERO_FICHE>RNCP90003")) + 20
    path.write_text(whole[:cut], encoding="utf-8")
    with pytest.raises(StructuralError) as err:
        read_xml(path)
    assert err.value.line is not None and err.value.line > 250
    assert "column" in err.value.message
    assert err.value.fiche == "RNCP90003"  # the last fiche number read
    assert_nothing_written([XML_FIXTURE, path], tmp_path / "out")


def test_xml_cp1252_bytes_in_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.xml"
    path.write_bytes(
        (HEAD + "<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>\n" + fiche()).encode() + "<X>é</X>".encode("cp1252")
    )
    with pytest.raises(StructuralError) as err:
        read_xml(path)
    assert err.value.line == 3


def test_xml_wrong_root(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text(HEAD + "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", encoding="utf-8")
    with pytest.raises(StructuralError, match="root element"):
        read_xml(path)


# --- XML: DOCTYPE, entities, external DTD, XXE (refused before parsing) -------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE FICHES [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)
QUADRATIC = f'<!DOCTYPE FICHES [<!ENTITY a "{"x" * 100_000}">]>'


def test_billion_laughs_refused_fast(tmp_path: Path) -> None:
    path = xml_export(tmp_path, fiche(extra="<INTITULE>&lol9;</INTITULE>"), head=HEAD + BILLION_LAUGHS)
    started = time.perf_counter()
    with pytest.raises(StructuralError, match="DOCTYPE"):
        read_xml(path)
    assert time.perf_counter() - started < 1
    assert_nothing_written([path], tmp_path / "out")


def test_quadratic_blowup_refused(tmp_path: Path) -> None:
    path = xml_export(
        tmp_path, fiche(extra="<OBJECTIFS_CONTEXTE>" + "&a;" * 20_000 + "</OBJECTIFS_CONTEXTE>"), head=HEAD + QUADRATIC
    )
    started = time.perf_counter()
    with pytest.raises(StructuralError, match="DOCTYPE"):
        read_xml(path)
    assert time.perf_counter() - started < 1


def test_xxe_refused_and_the_secret_never_appears(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SENTINEL, encoding="utf-8")
    doctype = f'<!DOCTYPE FICHES [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    path = xml_export(tmp_path, fiche(extra="<OBJECTIFS_CONTEXTE>&xxe;</OBJECTIFS_CONTEXTE>"), head=HEAD + doctype)
    out = tmp_path / "out"
    with pytest.raises(StructuralError) as err:
        build([path], out=out)
    assert SENTINEL not in str(err.value)
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(StructuralError):
        read_xml(path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE FICHES SYSTEM "http://127.0.0.1:9/fiches.dtd">',
        '<!DOCTYPE FICHES PUBLIC "-//X//DTD//EN" "https://example.org/fiches.dtd">',
        '<!-- a comment first --><!DOCTYPE FICHES SYSTEM "http://127.0.0.1:9/fiches.dtd">',
        "<!doctype FICHES>",
    ],
)
def test_external_dtd_refused_without_network(tmp_path: Path, prolog: str) -> None:
    """Sockets are disabled in the test run (pytest-socket): any fetch would fail the test."""
    path = xml_export(tmp_path, fiche(), head=HEAD + prolog)
    with pytest.raises(StructuralError, match="DOCTYPE"):
        read_xml(path)


def test_doctype_after_a_bom_refused(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + "<!DOCTYPE FICHES []><FICHES/>").encode())
    with pytest.raises(StructuralError, match="DOCTYPE"):
        read_xml(path)


def test_deep_nesting_refused_without_recursion_error(tmp_path: Path) -> None:
    depth = 100_000
    path = xml_export(tmp_path, "<FICHE>" + "<A>" * depth + "</A>" * depth + "</FICHE>")
    with pytest.raises(StructuralError, match="depth"):
        read_xml(path)


def test_huge_text_node_refused_with_the_fiche_number(tmp_path: Path) -> None:
    big = "x" * (11 * 1024 * 1024)
    path = xml_export(tmp_path, fiche("RNCP90007", f"<OBJECTIFS_CONTEXTE>{big}</OBJECTIFS_CONTEXTE>"))
    with pytest.raises(StructuralError) as err:
        read_xml(path)
    assert err.value.fiche == "RNCP90007"
    assert "too long" in err.value.message.lower() or "huge" in err.value.message.lower()


def test_zip_with_two_xml_files_refused(tmp_path: Path) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(XML_FIXTURE, "a.xml")
        z.write(XML_FIXTURE, "b.xml")
    with pytest.raises(StructuralError, match="exactly one"):
        read_xml(archive)


# --- XML: bad values (field dropped or fiche quarantined, the rest loads) -----------------------


def test_xml_bad_values_are_reported_and_the_fiche_kept(tmp_path: Path) -> None:
    extra = (
        "<NOMENCLATURE_EUROPE><NIVEAU>NIV9</NIVEAU></NOMENCLATURE_EUROPE>"
        "<DATE_FIN_ENREGISTREMENT>31/02/2025</DATE_FIN_ENREGISTREMENT>"
        "<CODES_ROME><ROME><CODE>M1607\u202f</CODE></ROME><ROME><CODE>M16O7</CODE></ROME></CODES_ROME>"
        "<ACTIF>Peut-être</ACTIF>"
    )
    result = read_xml(xml_export(tmp_path, fiche(extra=extra)))
    (f,) = result.fiches
    assert (f.level, f.expiry_date, f.status) == (None, None, None)
    assert [c.code for c in f.rome] == ["M1607"]  # narrow NBSP removed; M16O7 (letter O) dropped
    problems = {(p.rule, p.field, p.value) for p in result.problems}
    assert problems == {
        ("invalid-level", "level", "NIV9"),
        ("invalid-date", "DATE_FIN_ENREGISTREMENT", "31/02/2025"),
        ("invalid-rome", "ROME", "M16O7"),
        ("invalid-boolean", "ACTIF", "Peut-être"),
    }
    assert all(p.fiche == "RNCP90001" and p.line == 2 for p in result.problems)


def test_xml_fiche_number_forms(tmp_path: Path) -> None:
    result = read_xml(xml_export(tmp_path, fiche("RNCP 34826"), fiche("34826"), fiche("rncp34827"), fiche("")))
    assert [f.number for f in result.fiches] == ["RNCP34826", "RNCP34827"]
    assert result.quarantined == 2
    assert [(p.rule, p.value, p.action) for p in result.problems] == [
        ("fiche-number-normalised", "RNCP 34826", "repaired"),
        ("invalid-fiche-number", "34826", "quarantined-fiche"),
        ("fiche-number-normalised", "rncp34827", "repaired"),
        ("missing-fiche-number", None, "quarantined-fiche"),
    ]


def test_xml_same_fiche_twice(tmp_path: Path) -> None:
    same = fiche(extra="<ACTIF>Oui</ACTIF>")
    identical = read_xml(xml_export(tmp_path, same, same, name="identical.xml"))
    assert [f.number for f in identical.fiches] == ["RNCP90001"]
    assert identical.repairs["duplicate-fiche"] == 1 and identical.problems == []
    different = read_xml(xml_export(tmp_path, same, fiche(extra="<ACTIF>Non</ACTIF>"), name="different.xml"))
    assert [f.status for f in different.fiches] == [Status.ACTIVE]  # the first is kept
    (problem,) = different.problems
    assert (problem.rule, problem.field, problem.fiche) == ("duplicate-fiche", "status", "RNCP90001")


def test_block_of_another_fiche_is_not_attached(tmp_path: Path) -> None:
    blocks = (
        "<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>RNCP12345BC01</CODE></BLOC_COMPETENCES>"
        "<BLOC_COMPETENCES><CODE>RNCP90001BC02</CODE></BLOC_COMPETENCES></BLOCS_COMPETENCES>"
    )
    result = read_xml(xml_export(tmp_path, fiche(extra=blocks)))
    assert [b.code for b in result.fiches[0].blocks] == ["RNCP90001BC02"]
    (problem,) = result.problems
    assert problem.rule == "invalid-block-code" and "RNCP12345" in problem.message


# --- CSV: structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n"])
def test_csv_empty_or_bom_only(tmp_path: Path, content: bytes) -> None:
    folder = copy_fixture(tmp_path)
    table_file(folder, "Rome").write_bytes(content)
    with pytest.raises(EmptyInput) as err:
        read_csv_export(folder)
    assert err.value.file is not None and err.value.file.endswith("Rome_2025_03_14.csv")


def test_csv_with_commas_lists_the_expected_columns(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    path = table_file(folder, "Rome")
    path.write_bytes(path.read_bytes().replace(b'";"', b'","'))
    with pytest.raises(StructuralError) as err:
        read_csv_export(folder)
    assert "Numero_Fiche; Codes_Rome_Code; Codes_Rome_Libelle" in err.value.message
    assert "','" in err.value.message and err.value.line == 1
    assert_nothing_written([folder], tmp_path / "out")


def test_csv_wrong_header(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    path = table_file(folder, "Nsf")
    path.write_bytes(path.read_bytes().replace(b'"Nsf_Intitule"', b'"Nsf_Libelle"'))
    with pytest.raises(StructuralError, match="Nsf_Intitule"):
        read_csv_export(folder)


def test_csv_bom_before_header_is_fine(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    path = table_file(folder, "Standard")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [f.number for f in read_csv_export(folder).fiches] == ["RNCP90001", "RS90002", "RNCP90003"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b.replace(b'"N1302";"Direction', b'"N1302;"Direction'), id="mid-file"),
        pytest.param(lambda b: b.replace(b'"RNCP90001";"N1301"', b'"RNCP90001";"N1301'), id="swallows-rows"),
        pytest.param(lambda b: b.rstrip(b"\r\n").rstrip(b'"') + b"\r\n", id="at-end"),
    ],
)
def test_csv_unterminated_quote_fails_loudly(tmp_path: Path, damage: object) -> None:
    folder = copy_fixture(tmp_path)
    path = table_file(folder, "Rome")
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(StructuralError) as err:
        read_csv_export(folder)
    assert err.value.line is not None
    assert err.value.file is not None and err.value.file.endswith("Rome_2025_03_14.csv")


def test_csv_field_over_the_limit_is_a_clear_error(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    write_table(folder, "Standard", [["1", "RNCP90001", "x" * 140_000, *[None] * 13]])
    with pytest.raises(StructuralError, match="field limit"):
        read_csv_export(folder)


def test_csv_line_break_in_a_code_column(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    write_table(folder, "Rome", [["RNCP90001", "N13\r\n01", "Logistique"]])
    with pytest.raises(StructuralError, match="Codes_Rome_Code") as err:
        read_csv_export(folder)
    assert err.value.line == 2


def test_csv_cp1252_bytes(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    path = table_file(folder, "Nsf")
    path.write_bytes(path.read_bytes() + '"RNCP90001";"312";"312 : Commerce, vente, école"\r\n'.encode("cp1252"))
    with pytest.raises(StructuralError) as err:
        read_csv_export(folder)
    assert err.value.line == 5
    assert "UTF-8" in err.value.message


def test_csv_nul_byte(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    write_table(folder, "Rome", [["RNCP90001", "N1301", "Logis\x00tique"]])
    with pytest.raises(StructuralError, match="NUL"):
        read_csv_export(folder)


def test_csv_mixed_exports_and_missing_standard(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    table_file(folder, "Rome").rename(folder / "export_fiches_CSV_Rome_2025_03_21.csv")
    with pytest.raises(StructuralError, match="several exports"):
        read_csv_export(folder)
    other = copy_fixture(tmp_path, "other")
    table_file(other, "Standard").unlink()
    with pytest.raises(StructuralError, match="Standard"):
        read_csv_export(other)


def test_csv_unknown_file_is_reported(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    (folder / "export_fiches_CSV_Nouveau_2025_03_14.csv").write_text('"Numero_Fiche"\r\n', encoding="utf-8")
    (folder / "LISEZMOI.txt").write_text("notes", encoding="utf-8")
    result = read_csv_export(folder)
    assert sorted(p.value for p in result.problems if p.rule == "unknown-file") == [
        "LISEZMOI.txt",
        "export_fiches_CSV_Nouveau_2025_03_14.csv",
    ]


# --- CSV: bad rows and values --------------------------------------------------------------------


def test_csv_ragged_row_is_reported_and_dropped(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    write_table(folder, "Rome", [["RNCP90001", "N1301", "Logistique"], ["RNCP90001", "N1302"]])
    result = read_csv_export(folder)
    (problem,) = [p for p in result.problems if p.rule == "ragged-row"]
    assert (problem.line, problem.field, problem.fiche) == (3, "Codes_Rome_Libelle", "RNCP90001")
    assert [c.code for c in result.fiches[0].rome] == ["N1301"]
    assert result.repairs["rows:Rome"] == 2 and result.repairs["rows-dropped:Rome"] == 1


def test_csv_bad_values_are_reported_and_the_fiche_kept(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    row: list[str | None] = ["1", "RNCP90001", "Titre d''établissement", None, None, "NIV9", None, "Non", "Non"]
    row += [None, "12/01/2023", "31/02/2025", None, "Enregistrement sur demande", None, "ACTIVE"]
    write_table(folder, "Standard", [row])
    write_table(folder, "Rome", [["RNCP90001", "M1607\u00a0", "Secrétariat"], ["RNCP90001", "Z9", "?"]])
    write_table(folder, "Nsf", [["RNCP90001", "\u202f326", "326 : Informatique"]])
    result = read_csv_export(folder)
    (f,) = result.fiches
    assert f.title == "Titre d'établissement"
    assert result.repairs["doubled-apostrophe"] == 1
    assert (f.level, f.expiry_date, f.decision_date) == (None, None, date(2023, 1, 12))
    assert [c.code for c in f.rome] == ["M1607"] and [c.code for c in f.nsf] == ["326"]
    problems = {(p.rule, p.field, p.value) for p in result.problems if p.rule != "orphan-row"}
    assert problems == {
        ("invalid-level", "level", "NIV9"),
        ("invalid-date", "Date_Fin_Enregistrement", "31/02/2025"),
        ("invalid-rome", "ROME", "Z9"),
    }


def test_csv_fiche_number_forms(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    rows: list[list[str | None]] = [
        [str(i), n, "Titre", *[None] * 13] for i, n in enumerate(["RNCP 34826", "34826", "RS 12"])
    ]
    write_table(folder, "Standard", rows)
    result = read_csv_export(folder)
    assert [f.number for f in result.fiches] == ["RNCP34826", "RS12"]
    assert result.quarantined == 1
    rules = [(p.rule, p.value) for p in result.problems if p.field == "Numero_Fiche" and p.rule != "orphan-row"]
    assert rules == [
        ("fiche-number-normalised", "RNCP 34826"),
        ("invalid-fiche-number", "34826"),
        ("fiche-number-normalised", "RS 12"),
    ]
    assert result.repairs["rows:Standard"] == 3 == len(result.fiches) + result.quarantined


def test_block_code_with_the_fiche_prefix_written_twice_is_repaired(tmp_path: Path) -> None:
    # as in the 2021 register (RNCP35035BCRNCP35035BC01): the code meant is evident
    blocks = (
        "<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>RNCP90001BCRNCP90001BC01</CODE></BLOC_COMPETENCES>"
        "<BLOC_COMPETENCES><CODE>RNCP90001BCRNCP12345BC02</CODE></BLOC_COMPETENCES></BLOCS_COMPETENCES>"
    )
    result = read_xml(xml_export(tmp_path, fiche(extra=blocks)))
    assert [b.code for b in result.fiches[0].blocks] == ["RNCP90001BC01"]
    repaired, refused = result.problems
    assert (repaired.rule, repaired.severity, repaired.action) == ("block-code-doubled-prefix", "warning", "repaired")
    assert (repaired.fiche, repaired.value) == ("RNCP90001", "RNCP90001BCRNCP90001BC01")  # as given
    assert "read as RNCP90001BC01" in repaired.message
    assert (refused.rule, refused.value) == ("invalid-block-code", "RNCP90001BCRNCP12345BC02")  # not evident


def test_csv_block_code_with_the_fiche_prefix_written_twice_is_repaired(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    rows = [["RNCP90001", "RNCP90001BCRNCP90001BC02", "Encadrer une équipe d’entrepôt"]]
    write_table(folder, "Blocs_De_Compétences", rows)
    result = read_csv_export(folder)
    fiche_blocks = {f.number: [b.code for b in f.blocks] for f in result.fiches}
    assert fiche_blocks["RNCP90001"] == ["RNCP90001BC02"]
    (problem,) = [p for p in result.problems if p.rule == "block-code-doubled-prefix"]
    assert (problem.field, problem.value, problem.line) == ("Bloc_Competences_Code", "RNCP90001BCRNCP90001BC02", 2)
    assert not [p for p in result.problems if p.rule == "invalid-block-code"]


def test_a_rome_field_padded_to_five_characters_is_read_as_the_field(tmp_path: Path) -> None:
    # the 2021 register gives "M1500";"Ressources humaines" as well as "M15";"Ressources humaines"
    folder = copy_fixture(tmp_path)
    rows = [["RNCP90001", "M1500", "Ressources humaines"], ["RNCP90001", "M1503", "Management des ressources humaines"]]
    write_table(folder, "Rome", rows)
    result = read_csv_export(folder)
    (loaded,) = [f for f in result.fiches if f.number == "RNCP90001"]
    assert [(c.code, c.label) for c in loaded.rome] == [
        ("M15", "Ressources humaines"),
        ("M1503", "Management des ressources humaines"),
    ]
    (problem,) = [p for p in result.problems if p.fiche == "RNCP90001"]
    assert (problem.rule, problem.severity, problem.action) == ("rome-field-padded", "warning", "repaired")
    assert (problem.field, problem.value, problem.line) == ("Codes_Rome_Code", "M1500", 2)
    xml = read_xml(xml_export(tmp_path, fiche(extra="<CODES_ROME><ROME><CODE>K2500</CODE></ROME></CODES_ROME>")))
    assert [c.code for c in xml.fiches[0].rome] == ["K25"]
    assert [(p.rule, p.field, p.value) for p in xml.problems] == [("rome-field-padded", "ROME", "K2500")]
