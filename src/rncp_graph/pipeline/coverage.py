"""Coverage: what each source kind can hold and where it goes, and what a build read.

:func:`table` lists, per source kind, every page heading (:data:`.page_sections.HEADINGS`
→ :data:`.page.READERS`), every element of the XML export (:data:`.xml_fields.ELEMENT_FIELDS`,
:data:`.xml_fields.NOT_MAPPED`, :data:`.xml_fields.NOT_MAPPED_PARTS`) and every column of the
CSV export (:data:`.csv_tables.COLUMN_FIELDS`, :data:`.csv_tables.NOT_MAPPED_COLUMNS`): the model
field it fills and the predicates that field is written with
(:func:`rncp_graph.mapping.fields.predicates_of`), or why it is not read. ``COVERAGE.md`` is
:func:`markdown` of it, written by ``python -m rncp_graph.pipeline.coverage --write``.

:func:`read_coverage` tells what a build met in its sources (:attr:`LoadResult.met` and the
pages' :class:`~rncp_graph.model.SectionCoverage`), each item classified with the same tables;
:func:`summary_line` is its one-line form.
"""

from __future__ import annotations

import argparse
import dataclasses
import typing
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..loaders.csv_tables import COLUMN_FIELDS, NOT_MAPPED_COLUMNS, TABLES
from ..loaders.page import READERS
from ..loaders.page_sections import (
    BLOCK_PART_FIELDS,
    BLOCK_PARTS,
    HEADINGS,
    IGNORED_SECTIONS,
    NOT_SECTIONS,
    SECTION_FIELDS,
)
from ..loaders.xml_fields import ELEMENT_FIELDS, FICHE_ELEMENTS, NOT_MAPPED, NOT_MAPPED_PARTS
from ..mapping.fields import predicates_of
from ..model import Fiche, LoadResult

COVERAGE_FILE = Path(__file__).parent.parent / "loaders" / "COVERAGE.md"
REGENERATE = "PYTHONPATH=src python -m rncp_graph.pipeline.coverage --write"

MAPPED, IGNORED, UNKNOWN = "mapped", "ignored", "unknown"


@dataclass(frozen=True)
class Entry:
    """One heading, element or column: the field it fills and its predicates, or why it is not read."""

    kind: str  # page, xml, csv
    item: str
    status: str  # mapped, ignored, unknown
    field: str = ""
    predicates: tuple[str, ...] = ()
    note: str = ""


def _mapped(kind: str, item: str, field: str, note: str = "") -> Entry:
    return Entry(kind, item, MAPPED, field, predicates_of(field), note)


def page_field(key: str) -> str | None:
    """The model field a section key fills, or ``None`` when it is not read."""
    if key in IGNORED_SECTIONS or key in NOT_SECTIONS:
        return None
    if key in SECTION_FIELDS:
        return SECTION_FIELDS[key]
    return key if key in READERS else None


def page_entries() -> Iterator[Entry]:
    """A row per heading pattern, then per block sub-heading pattern."""
    for pattern, key in HEADINGS.items():
        field = page_field(key)
        if field is not None:
            yield _mapped("page", pattern, field, f"section `{key}`")
        elif key in IGNORED_SECTIONS:
            yield Entry("page", pattern, IGNORED, note=f"section `{key}`: {IGNORED_SECTIONS[key]}")
        else:
            yield Entry("page", pattern, UNKNOWN, note=f"section `{key}`: no reader and no reason given")
    for pattern, part in BLOCK_PARTS.items():
        yield _mapped("page", pattern, BLOCK_PART_FIELDS[part], f"block part `{part}`")


def xml_entries() -> Iterator[Entry]:
    """A row per element path under ``FICHE``: read, or not read with its reason."""
    for path, field in ELEMENT_FIELDS.items():
        yield _mapped("xml", path, field)
    for path, reason in (NOT_MAPPED | NOT_MAPPED_PARTS).items():
        yield Entry("xml", path, IGNORED, note=reason)
    for tag in FICHE_ELEMENTS.keys() - ELEMENT_FIELDS.keys():
        yield Entry("xml", tag, UNKNOWN, note="a handler reads it, but ELEMENT_FIELDS does not say into what")


def csv_entries() -> Iterator[Entry]:
    """A row per ``table.column`` of :data:`TABLES`."""
    for table in TABLES.values():
        fields, ignored = COLUMN_FIELDS.get(table.name, {}), NOT_MAPPED_COLUMNS.get(table.name, {})
        for column in table.columns:
            item = f"{table.name}.{column}"
            if column in fields:
                note = "the fiche the row belongs to" if column == "Numero_Fiche" and table.name != "Standard" else ""
                yield _mapped("csv", item, fields[column], note)
            elif column in ignored:
                yield Entry("csv", item, IGNORED, note=ignored[column])
            else:
                yield Entry("csv", item, UNKNOWN, note="neither in COLUMN_FIELDS nor in NOT_MAPPED_COLUMNS")


def table() -> list[Entry]:
    """Every entry of the three source kinds, in their tables' order (XML sorted by path)."""
    xml = sorted(xml_entries(), key=lambda e: e.item)
    return [*page_entries(), *xml, *csv_entries()]


def is_model_field(field: str) -> bool:
    """``title``, ``blocks.code``: a :class:`Fiche` attribute, or an attribute of its parts' class."""
    head, _, part = field.partition(".")
    fields = {f.name: f for f in dataclasses.fields(Fiche)}
    if head not in fields:
        return False
    return not part or part in _part_fields(head)


def _part_fields(attr: str) -> set[str]:
    """The fields of the part class of a ``Fiche`` attribute (``list[Block]``, ``Code | None``)."""
    hint = typing.get_type_hints(Fiche)[attr]
    for cls in (hint, *typing.get_args(hint)):
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            return {f.name for f in dataclasses.fields(cls)}
    return set()


# --- the published table ------------------------------------------------------------------

_TITLES = {
    "page": ("Page headings", "heading (pattern, on the folded line)"),
    "xml": ("XML export (flux v4.1)", "element (path under `FICHE`)"),
    "csv": ("CSV export", "`table.column`"),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(entries: Iterable[Entry] | None = None) -> str:
    """The coverage tables as Markdown (the content of ``COVERAGE.md``)."""
    rows = list(table() if entries is None else entries)
    out = [
        "# Coverage of the sources",
        "",
        f"Generated from the loaders' tables by `{REGENERATE}`; do not edit by hand",
        "(`tests/test_coverage.py` fails when this file and the tables differ).",
        "Each heading, element or column of a source is read into a model field, written with the",
        "predicates shown, or not read, for the reason given.",
    ]
    for kind, (title, head) in _TITLES.items():
        these = [e for e in rows if e.kind == kind]
        counts = Counter(e.status for e in these)
        summary = ", ".join(f"{counts[s]} {s}" for s in (MAPPED, IGNORED, UNKNOWN) if counts[s])
        out += ["", f"## {title}", "", f"{len(these)} rows: {summary}.", ""]
        out += [f"| {head} | model field | predicates | note |", "|---|---|---|---|"]
        for e in these:
            field = f"`{e.field}`" if e.field else f"*{e.status}*"
            preds = ", ".join(f"`{p}`" for p in e.predicates)
            out.append(f"| `{_cell(e.item)}` | {field} | {preds} | {_cell(e.note)} |")
    return "\n".join(out) + "\n"


# --- what a build read ----------------------------------------------------------------------


def classify_xml(key: str) -> tuple[str, list[str]]:
    """Status and fields of an element met: a child of ``FICHE`` (``INTITULE``) or a parent/child
    pair (``CERTIFICATEUR/ETAT_CERTIFICATEUR``), matched against the paths of the tables."""
    if "/" not in key:
        paths = [key]
    else:
        paths = [p for p in ELEMENT_FIELDS.keys() | NOT_MAPPED_PARTS.keys() if p == key or p.endswith("/" + key)]
    fields = sorted({ELEMENT_FIELDS[p] for p in paths if p in ELEMENT_FIELDS})
    if fields:
        return MAPPED, fields
    if any(p in NOT_MAPPED or p in NOT_MAPPED_PARTS for p in paths):
        return IGNORED, []
    return UNKNOWN, []


def classify_csv(key: str) -> tuple[str, list[str]]:
    table, _, column = key.partition(".")
    field = COLUMN_FIELDS.get(table, {}).get(column)
    if field is not None:
        return MAPPED, [field]
    return (IGNORED, []) if column in NOT_MAPPED_COLUMNS.get(table, {}) else (UNKNOWN, [])


def classify_page(key: str) -> tuple[str, list[str]]:
    field = page_field(key)
    if field is not None:
        return MAPPED, [field]
    return (IGNORED, []) if key in IGNORED_SECTIONS else (UNKNOWN, [])


_CLASSIFY = {"page": classify_page, "xml": classify_xml, "csv": classify_csv}


def read_coverage(results: Iterable[LoadResult]) -> dict[str, Any]:
    """What the sources held, per source kind: items met with their counts and status, and
    the page headings no table knows (file, line, text). JSON-able and deterministic."""
    kinds: dict[str, dict[str, Any]] = {}
    for result in results:
        kind = kinds.setdefault(result.loader, {"sources": 0, "met": Counter(), "unrecognised": []})
        kind["sources"] += 1
        kind["met"].update(result.met)
        for page in result.coverage:
            kind["met"].update(page.recognised)
            lines = page.unrecognised_lines or [0] * len(page.unrecognised)
            kind["unrecognised"] += [
                {"file": page.file, "line": no or None, "text": text}
                for text, no in zip(page.unrecognised, lines, strict=True)
            ]
    return {name: _kind_report(name, kind) for name, kind in sorted(kinds.items())}


def _kind_report(loader: str, kind: dict[str, Any]) -> dict[str, Any]:
    classify = _CLASSIFY.get(loader, classify_page)
    met = {}
    for key, count in sorted(kind["met"].items()):
        status, fields = classify(key)
        met[key] = {"count": count, "status": status, "fields": fields}
    statuses = Counter(m["status"] for m in met.values())
    return {
        "sources": kind["sources"],
        "totals": {s: statuses[s] for s in (MAPPED, IGNORED, UNKNOWN)},
        "met": met,
        "unrecognised": kind["unrecognised"],
    }


def coverage_report(results: Iterable[LoadResult]) -> dict[str, Any]:
    """The content of ``coverage.json``: :func:`read_coverage` by source kind, and each page's
    sections (recognised, and headings not recognised with their lines)."""
    results = list(results)
    pages = [dataclasses.asdict(c) for r in results for c in r.coverage]
    return {"by_kind": read_coverage(results), "pages": pages}


_NOUN = {"page": "sections", "xml": "elements", "csv": "columns"}
_LISTED = 5


def summary_line(coverage: dict[str, Any]) -> str:
    """``coverage: xml 61 elements read, 4 ignored (…), 1 not understood (…)``, one part per kind."""
    parts = []
    for loader, kind in coverage.items():
        met, totals = kind["met"], kind["totals"]
        text = f"{loader} {totals[MAPPED]} {_NOUN.get(loader, 'items')} read"
        for status, label in ((IGNORED, "ignored"), (UNKNOWN, "not understood")):
            names = [k for k, m in met.items() if m["status"] == status]
            if names:
                text += f", {len(names)} {label} ({_names(names, met)})"
        unrecognised = kind["unrecognised"]
        if unrecognised:
            where = [f"{u['file']}:{u['line']} {u['text']!r}" for u in unrecognised[:_LISTED]]
            more = f", … {len(unrecognised) - _LISTED} more" if len(unrecognised) > _LISTED else ""
            noun = "heading" if len(unrecognised) == 1 else "headings"
            text += f", {len(unrecognised)} {noun} not recognised ({'; '.join(where)}{more})"
        parts.append(text)
    return "coverage: " + ("; ".join(parts) if parts else "nothing read")


def _names(names: list[str], met: dict[str, Any]) -> str:
    shown = ", ".join(f"{n} ×{met[n]['count']}" for n in names[:_LISTED])
    return shown + (f", … {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def main(argv: list[str] | None = None) -> int:
    """Print the coverage tables, or write them to ``COVERAGE.md`` (``--write``)."""
    parser = argparse.ArgumentParser(description="The coverage tables of the loaders (COVERAGE.md).")
    parser.add_argument("--write", action="store_true", help="write loaders/COVERAGE.md")
    args = parser.parse_args(argv)
    text = markdown()
    if args.write:
        COVERAGE_FILE.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
