"""The coverage tables (loaders/COVERAGE.md): generated from the loaders' tables, complete for
every heading, element and column, and true to what the loaders and the mapping really do."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from rncp_graph.loaders import xml_parts
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.csv_tables import COLUMN_FIELDS, NOT_MAPPED_COLUMNS, TABLES
from rncp_graph.loaders.export_common import SourceLog
from rncp_graph.loaders.page import READERS, read_page
from rncp_graph.loaders.page_sections import HEADINGS, IGNORED_SECTIONS, NOT_SECTIONS
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.loaders.xml_fields import (
    ELEMENT_FIELDS,
    FICHE_ELEMENTS,
    NOT_MAPPED,
    NOT_MAPPED_PARTS,
    fiche_from_element,
)
from rncp_graph.mapping import fiche_to_triples
from rncp_graph.mapping.fields import compact, field_predicates, predicates_of
from rncp_graph.model import Fiche, JobTypeGroup
from rncp_graph.pipeline import coverage
from rncp_graph.pipeline.coverage import IGNORED, MAPPED, UNKNOWN

from .constants import FICHES_DIR, RESOURCES, SHARED_DATA

XML_SAMPLE = SHARED_DATA / "rncp-xml-v4.1-sample" / "export-fiches-rncp-extract.RNCP35340.xml"
XML_FIXTURE = RESOURCES / "xml" / "export-fiches-rncp-v4-1-2025-03-14.xml"
CSV_FIXTURE = RESOURCES / "csv" / "export-2025-03-14"
CURRENT_LAYOUT_PAGE = RESOURCES / "pages" / "current_layout.txt"
#: elements the hand-made fixture holds on purpose to check that unknown elements are reported
FIXTURE_UNKNOWN = {"NOUVEL_ELEMENT_V5", "CERTIFICATEURS/CERTIFICATEUR/CODE_POSTAL"}


def test_committed_table_is_the_generated_one() -> None:
    committed = coverage.COVERAGE_FILE.read_text(encoding="utf-8")
    assert committed == coverage.markdown(), f"{coverage.COVERAGE_FILE.name} is stale: run `{coverage.REGENERATE}`"


def test_every_row_is_mapped_to_a_model_field_with_predicates_or_ignored_with_a_reason() -> None:
    rows = coverage.table()
    assert {r.kind for r in rows} == {"page", "xml", "csv"}
    assert [r for r in rows if r.status == UNKNOWN] == []
    for row in rows:
        if row.status == MAPPED:
            assert coverage.is_model_field(row.field), row
            assert row.predicates, row
        else:
            assert row.status == IGNORED and row.note and not row.field, row


def test_every_page_section_key_has_a_reader_or_a_reason() -> None:
    for key in set(HEADINGS.values()):
        assert coverage.page_field(key) is not None or key in IGNORED_SECTIONS, key
    assert IGNORED_SECTIONS.keys() <= set(HEADINGS.values()) | NOT_SECTIONS
    assert not IGNORED_SECTIONS.keys() & READERS.keys()


def test_every_xml_handler_and_accepted_sub_element_is_in_the_tables() -> None:
    assert FICHE_ELEMENTS.keys() <= ELEMENT_FIELDS.keys()
    assert not FICHE_ELEMENTS.keys() & NOT_MAPPED.keys()
    assert not ELEMENT_FIELDS.keys() & (NOT_MAPPED.keys() | NOT_MAPPED_PARTS.keys())
    last = {p.rsplit("/", 1)[-1] for p in ELEMENT_FIELDS.keys() | NOT_MAPPED_PARTS.keys()}
    accepted = xml_parts.ORGANISATION_FIELDS | xml_parts.BLOCK_FIELDS | xml_parts.JURY_FIELDS
    accepted |= xml_parts.CODE_FIELDS | xml_parts.PUBLICATION_FIELDS | set(xml_parts.STAT_FIELDS)
    assert accepted - last == set()


def test_every_csv_column_is_mapped_or_ignored_once() -> None:
    for table in TABLES.values():
        mapped, ignored = COLUMN_FIELDS.get(table.name, {}), NOT_MAPPED_COLUMNS.get(table.name, {})
        assert set(mapped) | set(ignored) == set(table.columns), table.name
        assert not set(mapped) & set(ignored), table.name


def _paths(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Every element under a ``FICHE`` with its path under it."""
    for fiche in root.iter("FICHE"):
        for el in fiche.iterdescendants():
            if isinstance(el.tag, str):
                parts = [str(a.tag) for a in el.iterancestors() if a is not fiche and a not in fiche.iterancestors()]
                yield el, "/".join([*reversed(parts), str(el.tag)])


def _known(path: str) -> bool:
    return path in ELEMENT_FIELDS or path in NOT_MAPPED or path in NOT_MAPPED_PARTS


@pytest.mark.shared
def test_every_element_of_the_real_v41_sample_is_mapped_or_ignored_with_a_reason(shared_data: Path) -> None:
    paths = {p for _, p in _paths(etree.parse(shared_data / XML_SAMPLE.relative_to(SHARED_DATA)).getroot())}
    assert len(paths) > 80
    assert sorted(p for p in paths if not _known(p)) == []


def test_every_element_of_the_fixture_is_in_the_tables_or_reported_unknown() -> None:
    paths = {p for _, p in _paths(etree.parse(XML_FIXTURE).getroot())}
    assert {p for p in paths if not _known(p)} == FIXTURE_UNKNOWN
    reported = {p.field for p in read_xml(XML_FIXTURE).problems if p.rule == "unknown-element"}
    assert reported == {"NOUVEL_ELEMENT_V5", "CERTIFICATEUR/CODE_POSTAL"}


def _read(fiche: etree._Element) -> tuple[Fiche | None, dict[str, int]]:
    """A fiche element mapped, and the repairs counted (a repeat merged is a repair)."""
    report = SourceLog("probe")
    return fiche_from_element(fiche, report), dict(report.repairs)


def _fiches_without(root: etree._Element, path: str) -> list[tuple[Fiche | None, dict[str, int]]]:
    """Each fiche mapped again with every element at ``path`` removed."""
    found = []
    for fiche in root.iter("FICHE"):
        bare = copy.deepcopy(fiche)
        for el, p in list(_paths(bare)):
            if p == path and el.getparent() is not None:
                el.getparent().remove(el)
        found.append(_read(bare))
    return found


#: NUMERO_FICHE: without it the fiche is quarantined; the date of a publication under AUTRE that
#: repeats the one under CREATION (both files): one publication, the CREATION date kept
UNPROBED = {"NUMERO_FICHE", "PUBLICATION_DECRET_AUTRE/PUBLICATION_JO/DATE_PUBLICATION_JO"}


def _xml_roots() -> Iterator[etree._Element]:
    yield etree.parse(XML_FIXTURE).getroot()
    if XML_SAMPLE.is_file():
        yield etree.parse(XML_SAMPLE).getroot()


@pytest.mark.parametrize("root", list(_xml_roots()), ids=lambda r: str(len(r)))
def test_removing_an_element_changes_the_fiche_exactly_when_the_table_says_it_is_read(root: etree._Element) -> None:
    """The tables against the handlers' behaviour: an element listed as read changes the fiche
    when it is removed (if it holds text; a publication repeated under two headings is merged,
    a repair), one listed as not read never does."""
    original = [_read(f) for f in root.iter("FICHE")]
    wrong = []
    for path in sorted({p for el, p in _paths(root) if "".join(el.itertext()).strip()} - FIXTURE_UNKNOWN):
        if path in UNPROBED:
            continue
        changed = _fiches_without(root, path) != original
        if changed != (path in ELEMENT_FIELDS):
            wrong.append((path, "read" if changed else "not read"))
    assert wrong == []


def _csv_without(tmp_path: Path, table: str, column: str) -> list[Fiche]:
    folder = Path(shutil.copytree(CSV_FIXTURE, tmp_path / f"{table}-{column}" / CSV_FIXTURE.name))
    path = next(p for p in folder.iterdir() if f"_{table}_" in p.name)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    index = rows[0].index(column)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([rows[0], *([*r[:index], "", *r[index + 1 :]] for r in rows[1:])])
    path.write_text(out.getvalue(), encoding="utf-8")
    return read_csv_export(folder).fiches


def test_blanking_a_csv_column_changes_the_fiches_exactly_when_the_table_says_it_is_read(tmp_path: Path) -> None:
    original = read_csv_export(CSV_FIXTURE)
    wrong = []
    for table in TABLES.values():
        for column in table.columns:
            if not original.met.get(f"{table.name}.{column}"):
                continue  # no value in the fixture: blanking it proves nothing
            changed = _csv_without(tmp_path, table.name, column) != original.fiches
            if changed != (column in COLUMN_FIELDS.get(table.name, {})):
                wrong.append((table.name, column, "read" if changed else "not read"))
    assert wrong == []


#: predicates every concept or node carries whatever the field (its class, its scheme, its parents)
STRUCTURAL = {"rdf:type", "skos:inScheme", "skos:broader", "skos:topConceptOf", "skos:hasTopConcept"}


#: Values for the fields no fixture fills (no job-type list with option headings, no second description address).
PROBES: dict[str, object] = {
    "job_type_groups": [JobTypeGroup("Option « Réseaux »", ("Administrateur réseaux",), "Les emplois visés :")],
    "more_description_urls": ["https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000038529532"],
}


def _rich_fiches() -> list[Fiche]:
    fiches = list(read_xml(XML_FIXTURE).fiches) + list(read_csv_export(CSV_FIXTURE).fiches)
    pages = [*sorted(FICHES_DIR.glob("*.txt")), CURRENT_LAYOUT_PAGE]  # the last one: certifier changes
    return fiches + [f for page in pages for f in read_page(page).fiches]


def _predicates(fiche: Fiche) -> set[str]:
    found = {compact(p) for _, p, _ in fiche_to_triples(fiche)}
    return {"rdf:type" if p.endswith("22-rdf-syntax-ns#type>") else p for p in found} - STRUCTURAL


def test_field_predicates_are_the_ones_the_mapping_writes() -> None:
    """Each field mapped alone: the predicates it adds are those :mod:`mapping.fields` declares
    for it and its parts, and its own predicates are among them."""
    table, fiches = field_predicates(), _rich_fiches()
    empty = _predicates(Fiche(number="RNCP1", source="probe"))
    checked = set()
    for attr in (f.name for f in dataclasses.fields(Fiche) if f.name not in {"number", "source", "register"}):
        given = [getattr(f, attr) for f in fiches if getattr(f, attr) not in (None, [])]
        fallback = PROBES.get(attr, True)  # True: no fixture infers its number
        value = next((v for v in given if v), given[0] if given else fallback)
        alone = dataclasses.replace(Fiche(number="RNCP1", source="probe"), **{attr: value})
        declared = {p for key in table if key.partition(".")[0] == attr for p in predicates_of(key)}
        added = _predicates(alone) - empty
        assert added <= declared, (attr, added - declared)
        assert set(table[attr]) <= added | empty, attr
        checked.add(attr)
    assert checked == {f.name for f in dataclasses.fields(Fiche)} - {"number", "source", "register"}
