"""The official CSV export of France Compétences: a ``.zip`` or a folder of
``export_fiches_CSV_<table>_<yyyy_mm_dd>.csv`` files (``Standard`` plus side tables).

:func:`read_csv_export` finds the tables by file name (compared after NFC normalisation: zips
may hold NFD names), checks each header against :data:`~rncp_graph.loaders.csv_tables.TABLES`,
parses with ``csv.reader(delimiter=";", strict=True)`` from strictly decoded ``utf-8-sig``
text, and reconciles counts: physical lines = header + rows + blank lines + line breaks inside
free-text fields, and per table ``rows = loaded + dropped (+ not mapped)``. The per-table
counts are returned in :attr:`LoadResult.repairs` under ``rows:<table>``,
``rows-loaded:<table>``, ``rows-dropped:<table>`` and ``rows-not-mapped:<table>``.

Structural damage (bad encoding, wrong header or delimiter, unterminated quote, a field over
the CSV field limit, a line break in a code column, a NUL byte, two exports mixed) raises
:class:`~rncp_graph.errors.StructuralError` before anything is returned; a bad row or value is
reported and dropped (a bad ``Standard`` row quarantines its fiche).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import itemgetter
from pathlib import Path

from tqdm import tqdm

from .. import normalise
from ..errors import EmptyInput, StructuralError
from ..model import LoadResult, ProblemAction, ProblemSeverity
from . import mojibake
from .csv_tables import TABLES, Assembly, Row, Table, standard_fiche, table_named
from .export_common import CSV_NAME, SourceLog, member_name, open_zip, zip_kind
from .zip_limits import check_member_size, read_member

log = logging.getLogger(__name__)

_BREAK = re.compile(r"\r\n|\r|\n")
#: a zip member larger than this is refused (zip bomb), on its header and while decompressing:
#: far above the largest table of the 2021 register (benchmarks/README.md)
MAX_MEMBER_SIZE = 256 << 20


@dataclass(frozen=True)
class Member:
    """One CSV file of the export: its table, the name problems are filed under, and its bytes."""

    table: Table
    label: str
    day: str
    read: Callable[[], bytes]


def matches(path: Path) -> bool:
    """A folder holding an ``export_fiches_CSV_Standard_*`` file, or a ``.zip`` of such files."""
    if path.is_dir():
        try:
            return any(_is_standard(p.name) for p in path.iterdir())
        except OSError:
            return False
    return path.is_file() and path.suffix.lower() == ".zip" and zip_kind(path) == "csv"


def _is_standard(name: str) -> bool:
    match = CSV_NAME.match(unicodedata.normalize("NFC", name))
    return bool(match and table_named(match.group("table")) is TABLES["Standard"])


def read_csv_export(path: Path, *, progress: bool = False) -> LoadResult:
    """Read every fiche of a CSV export.

    :param path: the published ``.zip`` or a folder of ``export_fiches_CSV_*`` files.
    :param progress: show a progress bar (tables read).
    :raises EmptyInput: a table file is empty (or only a BOM / whitespace).
    :raises StructuralError: see the module docstring.
    """
    report = SourceLog(path.name)
    with _members(path, report) as members:
        asm = Assembly(report)
        for member in tqdm(members, desc=path.name, unit="table", disable=not progress, leave=False):
            report.file = member.label
            rows, ragged = parse_table(member.table, member.label, member.read(), report)
            _apply(asm, member.table, rows, ragged, path.name)
        day = members[0].day
    report.file = path.name
    fiches = list(asm.fiches.values())
    if report.mojibake_seen:
        for fiche in fiches:
            mojibake.check_fiche(fiche, problems=report, repairs=report.repairs)
    report.log_summary(log, len(fiches), report.quarantined)
    return LoadResult(
        source=str(path),
        fiches=fiches,
        problems=report.problems,
        quarantined=report.quarantined,
        repairs=dict(report.repairs),
        export_date=date(*(int(p) for p in day.split("_"))),
        loader="csv",
        met=dict(report.met),
    )


@contextmanager
def _members(path: Path, report: SourceLog) -> Iterator[list[Member]]:
    """The export's tables, ``Standard`` first; unknown files are reported, mixed exports refused."""
    if path.is_dir():
        files = [(unicodedata.normalize("NFC", p.name), p.read_bytes) for p in sorted(path.iterdir()) if p.is_file()]
        yield _select(files, path.name, report)
        return
    with open_zip(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        for info in infos:
            check_member_size(info, path, MAX_MEMBER_SIZE)
        files = [(member_name(i), partial(read_member, archive, i, path, MAX_MEMBER_SIZE)) for i in infos]
        yield _select(files, path.name, report)


def _select(files: list[tuple[str, Callable[[], bytes]]], source: str, report: SourceLog) -> list[Member]:
    found: dict[str, Member] = {}
    for name, read in files:
        match = CSV_NAME.match(name)
        table = table_named(match.group("table")) if match else None
        if match is None or table is None:
            if not name.startswith("."):
                report.add(
                    "unknown-file",
                    "not a table of the CSV export; not read",
                    value=name,
                    severity=ProblemSeverity.WARNING,
                    action=ProblemAction.DROPPED_FILE,
                )
            continue
        if table.name in found:
            raise StructuralError(
                f"two files for table {table.name}: {found[table.name].label} and {name}", file=source
            )
        found[table.name] = Member(table, f"{source}/{name}", match.group("date"), read)
    if "Standard" not in found:
        raise StructuralError("no export_fiches_CSV_Standard_<date>.csv in this export", file=source)
    days = sorted({m.day for m in found.values()})
    if len(days) > 1:
        raise StructuralError(f"files of several exports mixed (dates {', '.join(days)})", file=source)
    return [found[name] for name in TABLES if name in found]


def parse_table(table: Table, label: str, raw: bytes, report: SourceLog) -> tuple[list[Row], int]:
    """The data rows of one table, and the number of ragged rows reported and left out.

    :raises EmptyInput, StructuralError: see the module docstring.
    """
    text = _decode(raw, label)
    report.mojibake_seen = report.mojibake_seen or normalise.has_mojibake(text)
    _check_header(table, next(csv.reader([_BREAK.split(text, maxsplit=1)[0]], delimiter=";")), label)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    rows: list[Row] = []
    ragged = blank = breaks = 0
    try:
        next(reader)  # the header, checked above (leniently parsed, so a ',' file gets a clear message)
        start = reader.line_num + 1
        for values in reader:
            if not values:
                blank += 1
            elif len(values) != len(table.columns):
                ragged += 1
                _report_ragged(report, table, values, start)
            else:
                row = Row(start, dict(zip(table.columns, values, strict=True)))
                breaks += _line_breaks(table, row, label)
                rows.append(row)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_error(exc, label, reader.line_num) from None
    lines = len(_BREAK.findall(text)) + (0 if text.endswith(("\n", "\r")) else 1)
    if lines != 1 + len(rows) + ragged + blank + breaks:
        raise StructuralError(f"row count does not reconcile: {lines} lines for {len(rows) + ragged} rows", file=label)
    if blank:
        report.add(
            "blank-line",
            f"{blank} blank line(s) skipped",
            severity=ProblemSeverity.WARNING,
            action=ProblemAction.DROPPED_ROW,
        )
    return rows, ragged


def _decode(raw: bytes, label: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} (CP1252? the export is UTF-8)"
        raise StructuralError(message, file=label, line=line) from None
    if not text.strip():
        raise EmptyInput("empty CSV file (nothing but a BOM or whitespace)", file=label)
    if "\x00" in text:
        raise StructuralError("NUL byte in a CSV file", file=label, line=text.count("\n", 0, text.index("\x00")) + 1)
    return text


def _check_header(table: Table, header: list[str], label: str) -> None:
    found = [unicodedata.normalize("NFC", h).strip() for h in header]
    if found == list(table.columns):
        return
    hint = " — the file seems to use ',' as separator" if len(found) == 1 and "," in found[0] else ""
    raise StructuralError(
        f"unexpected header{hint}; expected the columns {'; '.join(table.columns)} separated by ';'",
        file=label,
        line=1,
        value=";".join(found)[:300],
    )


def _line_breaks(table: Table, row: Row, label: str) -> int:
    """Line breaks inside fields: allowed in free-text columns only (else: an unterminated quote)."""
    count = 0
    for column, value in row.values.items():
        if "\n" in value or "\r" in value:
            if column not in table.multiline:
                raise StructuralError(
                    f"line break inside column {column}: an unterminated quote?",
                    file=label,
                    line=row.line,
                    value=value[:80],
                )
            count += len(_BREAK.findall(value))
    return count


def _report_ragged(report: SourceLog, table: Table, values: list[str], line: int) -> None:
    missing = table.columns[len(values) :]
    detail = f"missing {', '.join(missing)}" if missing else f"{len(values) - len(table.columns)} extra field(s)"
    report.add(
        "ragged-row",
        f"row has {len(values)} fields, {len(table.columns)} expected ({detail}); row left out",
        fiche=values[table.columns.index("Numero_Fiche")]
        if len(values) > table.columns.index("Numero_Fiche")
        else None,
        field=", ".join(missing) or None,
        line=line,
        action=ProblemAction.QUARANTINED_FICHE if table.name == "Standard" else ProblemAction.DROPPED_ROW,
    )


def _csv_error(exc: csv.Error, label: str, line: int) -> StructuralError:
    message = str(exc)
    if "field larger than field limit" in message:
        limit = csv.field_size_limit()
        return StructuralError(
            f"a field is larger than the CSV field limit ({limit} characters): an unterminated quote or a damaged file",
            file=label,
            line=line,
        )
    return StructuralError(f"malformed CSV (unterminated quote?): {message}", file=label, line=line)


def _apply(asm: Assembly, table: Table, rows: list[Row], ragged: int, source: str) -> None:
    """Apply a table's rows to the fiches, counting loaded / dropped / not-mapped rows."""
    report, counts = asm.report, {"loaded": 0, "dropped": ragged, "not-mapped": 0}
    if table.name == "Standard":
        report.quarantined += ragged
    for row in rows:
        counts[_apply_row(asm, table, row, source)] += 1
    report.repairs[f"rows:{table.name}"] = len(rows) + ragged
    _count_values(report, table, rows)
    for key, value in counts.items():
        if value:
            report.repairs[f"rows-{key}:{table.name}"] = value
    if sum(counts.values()) != len(rows) + ragged:  # pragma: no cover - invariant
        raise StructuralError(f"row counts of {table.name} do not reconcile", file=report.file)


def _count_values(report: SourceLog, table: Table, rows: list[Row]) -> None:
    """How many rows give each column a value (the coverage of what was read; a column always
    empty is not listed), at C speed."""
    values = [row.values for row in rows]
    for column in table.columns:
        given = len(values) - list(map(itemgetter(column), values)).count("")
        if given:
            report.met[f"{table.name}.{column}"] += given


def _apply_row(asm: Assembly, table: Table, row: Row, source: str) -> str:
    if table.name == "Standard":
        return "loaded" if _standard(asm, row, source) else "dropped"
    fiche = asm.target(table.name, row)
    if fiche is None:
        return "dropped"
    if table.apply is None:
        return "not-mapped"
    return "loaded" if table.apply(asm, fiche, row) else "dropped"


def _standard(asm: Assembly, row: Row, source: str) -> bool:
    """A ``Standard`` row → a fiche; a repeated number is merged when identical, else reported."""
    report = asm.report
    number = report.fiche_number(row["Numero_Fiche"], field="Numero_Fiche", line=row.line)
    if number is None:
        report.quarantined += 1
        return False
    first = asm.standard_rows.get(number)
    if first is None:
        asm.standard_rows[number] = row
        asm.fiches[number] = standard_fiche(report, row, number, source)
        return True
    report.repairs["duplicate-row"] += 1
    differing = [c for c in first.values if first[c] != row[c]]
    if differing:
        report.add(
            "duplicate-row",
            f"fiche {number} given again at line {row.line} (first at line {first.line}) with different "
            f"{', '.join(differing)}; the first row is kept",
            fiche=number,
            field=", ".join(differing),
            value=" | ".join(f"{c}: {first[c]!r} ≠ {row[c]!r}" for c in differing)[:500],
            line=row.line,
            action=ProblemAction.DROPPED_ROW,
        )
    return False
