"""Cases of the bad-input catalogue (docs/reliability.md) that no other test file covered.

Each test is named after its catalogue number. Where the code does not do what the catalogue
expects, the test asserts the catalogue's behaviour and is marked ``xfail(strict=True)`` with
what happens instead: it turns into a failure the day the code is fixed, so the mark and the
table in docs/reliability.md are updated together.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
import urllib.request
from datetime import date
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from rncp_graph import build
from rncp_graph.cli import main
from rncp_graph.errors import StructuralError, ValidationFailure
from rncp_graph.loaders import page
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.model import AccessRouteKind, Block, LoadResult, Problem
from rncp_graph.serve import OxigraphServer, prepared_location
from rncp_graph.store import GraphStore
from rncp_graph.validate import Severity, validate
from rncp_graph.validate import shapes as shapes_module

from .constants import FICHES_DIR
from .synthetic_fiches import Generator
from .test_csv_loader import XML_FIXTURE, copy_fixture, table_file, write_table
from .test_exports_bad_input import BILLION_LAUGHS, HEAD, fiche, xml_export
from .test_queries_safety import Recorder, recorder  # noqa: F401 (a fixture)
from .test_remote import needs_oxigraph
from .test_validate import AS_OF, store_of

P000 = FICHES_DIR / "000_e4491d281dd4d66c.txt"
FICHE_WITH_TITLE = "<FICHE><NUMERO_FICHE>RNCP90001</NUMERO_FICHE>{title}</FICHE>"


def problems_of(result: LoadResult, rule: str) -> list[Problem]:
    return [p for p in result.problems if p.rule == rule]


# --- 5: a 100 MB single-line file: bounded read, bounded memory --------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="catalogue #5: the CSV loader reads the whole line before csv's field limit trips: "
    "a 20 MB line without '\\n' peaks at ~150 MB of Python allocations (30 MB: 221 MB; "
    "100 MB: 761 MB RSS); the error itself (field limit, file, line 2) is right",
)
def test_case_05_csv_single_line_without_newline_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    path = table_file(folder, "Rome")
    with path.open("wb") as handle:
        handle.write(b'"Numero_Fiche";"Codes_Rome_Code";"Codes_Rome_Libelle"\r\n')
        for _ in range(20):
            handle.write(b"a" * 1024 * 1024)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with pytest.raises(StructuralError, match="field limit") as err:
            read_csv_export(folder)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.file is not None and err.value.file.endswith("Rome_2025_03_14.csv")
    assert elapsed < 10
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB for a 20 MB line"


def test_case_05_page_single_line_without_newline_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    with path.open("wb") as handle:
        for _ in range(20):
            handle.write(b"a" * 1024 * 1024)
    tracemalloc.start()
    try:
        result = page.read_page(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.fiches == [] and result.quarantined == 1
    assert [(p.rule, p.file) for p in result.problems] == [("too-large", "one-line.txt")]
    assert peak < page.MAX_PAGE_BYTES + 1024 * 1024  # read up to the bound, never the whole file


# --- 8, 11: entity bombs and external DTDs in any XML the commands accept ----------------------

RDF_XML_BOMB = (
    '<?xml version="1.0"?>\n'
    + BILLION_LAUGHS.replace("FICHES", "rdf:RDF")
    + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
    + '<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>'
)


@pytest.mark.parametrize("name", ["bomb.rdf", "bomb.owl", "bomb.xml"])
@pytest.mark.parametrize("command", ["build", "validate", "info"])
def test_case_08_rdf_xml_billion_laughs_is_refused_fast_by_every_command(
    tmp_path: Path, name: str, command: str
) -> None:
    """No command reads RDF/XML: a bomb is refused by name (``.rdf``, ``.owl``) or by the export
    loader's DOCTYPE check (``.xml``), never handed to rdflib's or Oxigraph's RDF/XML parser."""
    path = tmp_path / name
    path.write_text(RDF_XML_BOMB, encoding="utf-8")
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "build" else [])
    started = time.perf_counter()
    result = CliRunner().invoke(main, args)
    assert time.perf_counter() - started < 2
    assert result.exit_code == 2, result.output
    expected = "not a graph file" if command == "info" else "DOCTYPE" if name.endswith(".xml") else "no loader"
    assert expected in result.output
    assert not out.exists()


def test_case_11_external_dtd_makes_no_request(tmp_path: Path, recorder: str) -> None:  # noqa: F811
    """The DTD is on a loopback listener (pytest-socket lets loopback through): it counts requests."""
    path = xml_export(tmp_path, fiche(), head=HEAD + f'<!DOCTYPE FICHES SYSTEM "{recorder}">')
    with pytest.raises(StructuralError, match="DOCTYPE"):
        build([path], out=tmp_path / "out")
    assert Recorder.hits == []
    assert not (tmp_path / "out").exists()


# --- 15, 16, 17: spaces, quotes and apostrophes ----------------------------------------------


def test_case_15_codes_lose_their_spaces_and_labels_keep_their_typography(tmp_path: Path) -> None:
    title = "<INTITULE>Assistant d’accueil « bilingue » – option\u00a0: Œnologie</INTITULE>"
    rome = "<CODES_ROME><ROME><CODE>M1607\u202f</CODE><LIBELLE>Secrétariat\u00a0: accueil</LIBELLE></ROME></CODES_ROME>"
    result = read_xml(xml_export(tmp_path, FICHE_WITH_TITLE.format(title=title + rome)))
    (f,) = result.fiches
    assert [c.code for c in f.rome] == ["M1607"]
    # the typographic characters stay; a no-break space becomes a plain space (normalise.text)
    assert f.title == "Assistant d’accueil « bilingue » – option : Œnologie"
    assert f.rome[0].label == "Secrétariat : accueil"
    assert result.problems == []


def test_case_16_csv_route_labels_match_across_quotes_and_an_unknown_one_names_the_field(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    write_table(
        folder,
        "VoixdAccès",
        [
            ["RNCP90001", "En contrat d’apprentissage"],  # typographic apostrophe
            ["RNCP90001", "En contrat d'apprentissage"],  # the same route, straight
            ["RNCP90001", "En alternance libre"],
        ],
    )
    result = read_csv_export(folder)
    fiche_ = next(f for f in result.fiches if f.number == "RNCP90001")
    assert [r.route for r in fiche_.access_routes] == [AccessRouteKind.APPRENTICESHIP]
    (problem,) = problems_of(result, "unknown-access-route")
    assert (problem.field, problem.value, problem.fiche, problem.line) == (
        "Si_Jury",
        "En alternance libre",
        "RNCP90001",
        4,
    )


def test_case_16_page_unknown_route_label_is_reported_with_its_field(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    text = P000.read_text(encoding="utf-8")
    path.write_text(text.replace("En contrat de professionnalisation | X |", "En alternance libre | X |"), "utf-8")
    result = page.read_page(path)
    (f,) = result.fiches
    assert not any("En alternance libre" in (r.jury or "") for r in f.access_routes)
    assert [p.field for p in result.problems if "En alternance libre" in (p.value or "")] == ["access_routes"]


def test_case_17_doubled_apostrophe_repaired_and_counted_an_empty_quote_pair_untouched(tmp_path: Path) -> None:
    result = read_xml(
        xml_export(
            tmp_path,
            FICHE_WITH_TITLE.format(title="<INTITULE>Responsable d''établissement</INTITULE>"),
            fiche("RNCP90002").replace("<INTITULE>Titre</INTITULE>", "<INTITULE>''</INTITULE>"),
        )
    )
    assert [f.title for f in result.fiches] == ["Responsable d'établissement", "''"]
    assert result.repairs["doubled-apostrophe"] == 1


# --- 24: the same fiche twice, identical ------------------------------------------------------


def test_case_24_the_same_export_twice_gives_the_same_graph(tmp_path: Path) -> None:
    """The same export given twice (another copy of the same file, under its own name). Two
    files of one content are one source graph (named by the SHA-256), described by the file
    read last in path order: a copy under another name would make the graph's ``sourceFile``
    (and the export date its name tells) depend on where the two files are."""
    (tmp_path / "copy").mkdir()
    again = shutil.copy(XML_FIXTURE, tmp_path / "copy" / XML_FIXTURE.name)
    once = build([XML_FIXTURE], out=tmp_path / "once", validate=False)
    twice = build([XML_FIXTURE, again], out=tmp_path / "twice", validate=False)
    assert (tmp_path / "twice" / "rncp.nt").read_bytes() == (tmp_path / "once" / "rncp.nt").read_bytes()
    assert not [p for p in twice.problems if p.rule == "source-conflict"]
    assert sorted(p.rule for p in twice.problems) == sorted([p.rule for p in once.problems] * 2)


# --- 25 to 31, 33: identifiers, codes, SIRET, dates, levels, blocks ----------------------------


def test_case_25_fiche_number_with_a_suffix_is_quarantined(tmp_path: Path) -> None:
    result = read_xml(xml_export(tmp_path, fiche("RNCP34826bis"), fiche("RNCP34827")))
    assert [f.number for f in result.fiches] == ["RNCP34827"] and result.quarantined == 1
    assert [(p.rule, p.field, p.value, p.action) for p in result.problems] == [
        ("invalid-fiche-number", "NUMERO_FICHE", "RNCP34826bis", "quarantined-fiche")
    ]


def test_case_26_rome_codes_pattern(tmp_path: Path) -> None:
    codes = "".join(f"<ROME><CODE>{c}</CODE></ROME>" for c in ["M16O7", "Z9999", "m1607", "A1203 "])
    result = read_xml(xml_export(tmp_path, fiche(extra=f"<CODES_ROME>{codes}</CODES_ROME>")))
    (f,) = result.fiches  # the fiche is kept
    assert [c.code for c in f.rome] == ["M1607", "A1203"]
    assert [(p.rule, p.value, p.action) for p in result.problems] == [
        ("invalid-rome", "M16O7", "dropped-field"),
        ("invalid-rome", "Z9999", "dropped-field"),
    ]


SIRETS = {
    "73282932000075": "checksum",
    "1234": "length",
    "7328293200007A": "format",
}


def _certifiers_fiche(tmp_path: Path, sirets: list[str]) -> LoadResult:
    items = "".join(
        f"<CERTIFICATEUR><SIRET_CERTIFICATEUR>{s}</SIRET_CERTIFICATEUR>"
        f"<NOM_CERTIFICATEUR>ORGANISME {i}</NOM_CERTIFICATEUR></CERTIFICATEUR>"
        for i, s in enumerate(sirets)
    )
    return read_xml(xml_export(tmp_path, fiche(extra=f"<CERTIFICATEURS>{items}</CERTIFICATEURS>")))


def test_case_27_bad_sirets_flag_the_certifier_and_keep_the_fiche(tmp_path: Path) -> None:
    result = _certifiers_fiche(tmp_path, [*SIRETS, "732 829 320 00074", "35600000000048"])
    (f,) = result.fiches
    assert [o.siret for o in f.certifiers] == [*SIRETS, "73282932000074", "35600000000048"]  # spaces removed
    flagged = [(p.value, p.severity, p.action, p.fiche) for p in problems_of(result, "invalid-siret")]
    assert flagged == [(s, "warning", "kept", "RNCP90001") for s in SIRETS]  # La Poste's 356000000… passes


def test_case_27_the_problem_says_which_rule_the_siret_breaks(tmp_path: Path) -> None:
    result = _certifiers_fiche(tmp_path, list(SIRETS))
    messages = [p.message.lower() for p in problems_of(result, "invalid-siret")]
    assert len(messages) == 3
    for message, kind in zip(messages, SIRETS.values(), strict=True):
        others = set(SIRETS.values()) - {kind}
        assert kind in message and not any(o in message for o in others), message


@pytest.mark.parametrize("value", ["2025-02-31", "31/02/2025", "01/02/25", "2025-13-01", "1er janvier 2025"])
def test_cases_28_29_dates_outside_the_explicit_rules_are_dropped_and_named(tmp_path: Path, value: str) -> None:
    extra = f"<DATE_DECISION>12/01/2023</DATE_DECISION><DATE_FIN_ENREGISTREMENT>{value}</DATE_FIN_ENREGISTREMENT>"
    result = read_xml(xml_export(tmp_path, fiche(extra=extra)))
    (f,) = result.fiches
    assert (f.decision_date, f.expiry_date) == (date(2023, 1, 12), None)
    assert [(p.rule, p.field, p.value, p.action) for p in result.problems] == [
        ("invalid-date", "DATE_FIN_ENREGISTREMENT", value, "dropped-field")
    ]


def test_cases_28_29_the_explicit_rules(tmp_path: Path) -> None:
    forms = ["23/07/2025", "23-07-2025", "2025-07-23"]
    fiches = [
        fiche(f"RNCP9000{i}", f"<DATE_FIN_ENREGISTREMENT>{v}</DATE_FIN_ENREGISTREMENT>") for i, v in enumerate(forms)
    ]
    result = read_xml(xml_export(tmp_path, *fiches))
    assert [f.expiry_date for f in result.fiches] == [date(2025, 7, 23)] * 3 and result.problems == []


def test_case_30_registration_ending_before_its_decision_is_a_warning_with_both_values(tmp_path: Path) -> None:
    extra = "<DATE_DECISION>01/06/2024</DATE_DECISION><DATE_FIN_ENREGISTREMENT>01/05/2021</DATE_FIN_ENREGISTREMENT>"
    result = read_xml(xml_export(tmp_path, fiche(extra=extra)))
    (f,) = result.fiches
    assert (f.decision_date, f.expiry_date) == (date(2024, 6, 1), date(2021, 5, 1))  # both kept
    (problem,) = result.problems
    assert (problem.rule, problem.severity, problem.action) == ("dates-inconsistent", "warning", "kept")
    assert problem.value == "2021-05-01 < 2024-06-01"


@pytest.mark.parametrize(
    ("value", "level", "problem"),
    [
        ("NIV9", None, True),
        ("Niveau 9", None, True),
        ("Niveau V", None, True),
        ("REPRISE", None, False),
        ("NIV6", 6, False),
    ],
)
def test_case_31_levels(tmp_path: Path, value: str, level: int | None, problem: bool) -> None:
    result = read_xml(
        xml_export(tmp_path, fiche(extra=f"<NOMENCLATURE_EUROPE><NIVEAU>{value}</NIVEAU></NOMENCLATURE_EUROPE>"))
    )
    assert result.fiches[0].level == level
    expected = [("invalid-level", "level", value, "dropped-field")] if problem else []
    assert [(p.rule, p.field, p.value, p.action) for p in result.problems] == expected


def test_case_33_the_same_block_code_with_two_labels_is_an_error(tmp_path: Path) -> None:
    blocks = "".join(
        f"<BLOC_COMPETENCES><CODE>RNCP90001BC01</CODE><LIBELLE>{label}</LIBELLE></BLOC_COMPETENCES>"
        for label in ("Piloter", "Gérer")
    )
    result = read_xml(xml_export(tmp_path, fiche(extra=f"<BLOCS_COMPETENCES>{blocks}</BLOCS_COMPETENCES>")))
    assert [(b.code, b.title) for b in result.fiches[0].blocks] == [("RNCP90001BC01", "Piloter")]
    (problem,) = result.problems
    assert (problem.rule, problem.severity, problem.value) == ("duplicate-block", "error", "Gérer")
    assert "RNCP90001BC01" in problem.message


def test_case_33_shacl_catches_two_titles_on_one_block() -> None:
    """What the loaders prevent, SHACL catches too: one block code given two titles in a fiche."""
    (fiche_,) = Generator(seed=3).fiches(1)
    code = fiche_.blocks[0].code
    fiche_.blocks = [*fiche_.blocks, Block(code, "Un autre intitulé")]
    report = validate(store_of([fiche_]), as_of=AS_OF)
    results = [r for r in report.results if r.shape.endswith("#block-title")]
    assert [(r.severity, r.component.rsplit("#", 1)[-1]) for r in results] == [
        (Severity.VIOLATION, "MaxCountConstraintComponent")
    ]
    assert code in results[0].focus and results[0].fiches == (fiche_.number,)


# --- 34: a missing title ---------------------------------------------------------------------


def test_case_34_missing_title_is_a_min_count_result_with_focus_and_path() -> None:
    """Deviation by design: a warning (shapes/recommended.ttl), not a violation, and the fiche is
    kept: four of the five sample pages give no title."""
    (untitled,) = Generator(seed=4).fiches(1)
    untitled.title = None
    report = validate(store_of([untitled]), as_of=AS_OF)
    (result,) = [r for r in report.results if r.shape.endswith("#certification-title")]
    assert result.component.endswith("MinCountConstraintComponent")
    assert result.severity == Severity.WARNING
    assert untitled.number in result.focus and result.path.endswith("#title>")
    assert result.fiches == (untitled.number,)


# --- 41: JSON-LD input -----------------------------------------------------------------------


def test_case_41_a_json_ld_file_with_a_remote_context_is_refused_unread(tmp_path: Path, recorder: str) -> None:  # noqa: F811
    path = tmp_path / "fiches.jsonld"
    path.write_text(f'{{"@context": "{recorder}", "@id": "urn:x", "name": "x"}}', encoding="utf-8")
    for args in (["validate", str(path)], ["info", str(path)], ["build", str(path), "--out", str(tmp_path / "o")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
    assert Recorder.hits == []


# --- 42: shapes with owl:imports -------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["whole", "sparql"])
def test_case_42_owl_imports_in_the_shapes_are_refused_and_fetch_nothing(
    tmp_path: Path,
    recorder: str,  # noqa: F811
    strategy: str,
) -> None:
    folder = tmp_path / "shapes"
    shutil.copytree(shapes_module.shapes_dir(), folder)
    core = folder / "core.ttl"
    core.write_text(
        core.read_text(encoding="utf-8") + f"\n<urn:x:shapes> a owl:Ontology ; owl:imports <{recorder}> .\n", "utf-8"
    )
    store = store_of(Generator(seed=1).fiches(1))
    with pytest.raises(ValidationFailure, match="owl:imports"):
        validate(store, as_of=AS_OF, shapes_folder=folder, strategy=strategy)
    assert Recorder.hits == []


# --- 50: SERVICE sent to the served graph ------------------------------------------------------


@needs_oxigraph
def test_case_50_the_server_binds_loopback_and_runs_service_a_known_limit(
    tmp_path: Path,
    recorder: str,  # noqa: F811
) -> None:
    """Pins the limit the catalogue names: Oxigraph runs SERVICE and cannot be told not to, so
    the defence is loopback by default and a proxy/egress firewall before any other bind. If this
    starts failing, Oxigraph has a switch: use it in serve.py and update docs/reliability.md."""
    graph = tmp_path / "g.nt"
    graph.write_bytes(b"<urn:a> <urn:b> <urn:c> .\n")
    with prepared_location(graph, tmp_path / "db") as folder, OxigraphServer(folder, read_only=True) as server:
        assert server.host == "127.0.0.1"
        query = f"SELECT * WHERE {{ SERVICE <{recorder}> {{ ?s ?p ?o }} }}".encode()
        request = urllib.request.Request(
            server.query_url, data=query, headers={"Content-Type": "application/sparql-query"}
        )
        with urllib.request.urlopen(request, timeout=20) as answer:
            answer.read()
    assert Recorder.hits, "Oxigraph no longer runs SERVICE"


# --- 54: rdflib's Dataset.update into the default graph ----------------------------------------


def test_case_54_rdflib_dataset_insert_into_the_default_graph_still_raises() -> None:
    """rdflib #2019, pinned: also the project's ``Build.graph()`` view; a named graph or a Graph works."""
    assert rdflib.__version__ == "7.6.0", "rdflib changed: check whether #2019 is fixed and update this pin"
    for dataset in (rdflib.Dataset(), GraphStore().rdflib_dataset()):
        with pytest.raises(ValueError, match="not enough values to unpack"):
            dataset.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    named = rdflib.Dataset()
    named.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    assert len(named.graph(rdflib.URIRef("urn:g"))) == 1
    plain = rdflib.Graph()
    plain.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert len(plain) == 1
