"""Query answers in one engine-neutral shape, and the output formats of ``rncp-graph query``.

Every engine (pyoxigraph, rdflib, a remote endpoint's JSON) gives a :class:`ResultTable` of
:class:`Value` cells, so answers can be compared across engines and printed the same way.
A plain literal is an ``xsd:string`` (RDF 1.1), whichever engine produced it.

The CSV output is meant for spreadsheets: a text cell a spreadsheet would run as a formula
(``=…``, ``+…``, ``-…``, ``@…``, a leading tab or CR) is written after a ``'``
(:mod:`rncp_graph.csv_cells`); plain numbers are kept. TSV (SPARQL TSV: N-Triples terms, every
text quoted, tabs escaped) and JSON give the values unchanged.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import pyoxigraph as ox
import rdflib

from ..csv_cells import safe_cell
from ..info import compact

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
DECIMAL_TYPES = {XSD + "decimal"}
FLOAT_TYPES = {XSD + "double", XSD + "float"}


@dataclass(frozen=True, slots=True)
class Value:
    """One RDF term of an answer: ``kind`` is ``iri``, ``literal`` or ``bnode``."""

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def iri(cls, value: str) -> Value:
        return cls("iri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Value:
        if lang:
            return cls("literal", value, RDF_LANG_STRING, lang.lower())
        return cls("literal", value, datatype or XSD_STRING)

    def n3(self) -> str:
        """The term in N-Triples syntax (SPARQL TSV results use it)."""
        if self.kind == "iri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = json.dumps(self.value, ensure_ascii=False)
        if self.lang:
            return f"{text}@{self.lang}"
        return text if self.datatype == XSD_STRING else f"{text}^^<{self.datatype}>"

    def to_python(self) -> Any:
        """``int``, ``float``, ``bool``, :class:`datetime.date` or ``str`` (for data frames)."""
        try:
            if self.datatype in INTEGER_TYPES:
                return int(self.value)
            if self.datatype in DECIMAL_TYPES | FLOAT_TYPES:
                return float(self.value)
            if self.datatype == XSD + "boolean":
                return self.value in {"true", "1"}
            if self.datatype == XSD + "date":
                return date.fromisoformat(self.value)
        except ValueError:
            log.warning("ill-typed literal %s kept as text", self.n3())
        return self.value

    def canonical(self) -> str:
        """A text that is equal for equal values whatever the engine wrote (``3.50`` = ``3.5``)."""
        if self.kind == "iri":
            return compact(self.value)
        if self.kind == "bnode":
            return "_:"
        try:
            if self.datatype in INTEGER_TYPES:
                return str(int(self.value))
            if self.datatype in DECIMAL_TYPES | FLOAT_TYPES:
                number = Decimal(self.value).normalize()
                return format(number, "f") if number != number.to_integral() else str(int(number))
        except (ValueError, InvalidOperation):
            pass
        return self.value

    def __str__(self) -> str:
        return self.value


Row = dict[str, Value | None]
R = TypeVar("R")


def _apply(value: Value | None, function: Callable[[Value], R]) -> R | None:
    """``function(value)``, or ``None`` for an unbound cell."""
    return None if value is None else function(value)


@dataclass
class ResultTable:
    """The answer of one SELECT: its column names and rows (``None`` = unbound)."""

    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    query: str = "ad-hoc"
    engine: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """Rows as plain Python values (``int``, ``date``, ``str``...; ``None`` when unbound)."""
        return [{c: _apply(r.get(c), Value.to_python) for c in self.columns} for r in self.rows]

    def canonical_rows(self, columns: Iterable[str] | None = None) -> list[tuple[str | None, ...]]:
        """Rows as tuples of :meth:`Value.canonical` texts, in answer order (for comparisons)."""
        cols = list(columns) if columns is not None else self.columns
        return [tuple(_apply(r.get(c), Value.canonical) for c in cols) for r in self.rows]

    def to_dataframe(self) -> Any:
        """A :class:`pandas.DataFrame` of :meth:`records` (pandas is optional: ``pip install pandas``)."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError as exc:
            raise ImportError(
                "to_dataframe() needs pandas, which rncp-graph does not install: pip install pandas"
            ) from exc
        return pandas.DataFrame.from_records(self.records(), columns=self.columns)


# -- conversions from each engine ---------------------------------------------------------
def from_oxigraph(term: Any) -> Value | None:
    """A pyoxigraph term (or ``None``) → :class:`Value`."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Value.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return Value("bnode", term.value)
    return Value.literal(term.value, term.datatype.value, term.language)


def from_rdflib(term: Any) -> Value | None:
    """An rdflib term (or ``None``) → :class:`Value`."""
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return Value.iri(str(term))
    if isinstance(term, rdflib.BNode):
        return Value("bnode", str(term))
    lit: rdflib.Literal = term
    return Value.literal(str(lit), None if lit.datatype is None else str(lit.datatype), lit.language)


def from_sparql_json(cell: Mapping[str, Any] | None) -> Value | None:
    """One binding of the SPARQL 1.1 JSON results format → :class:`Value`."""
    if cell is None:
        return None
    kind, value = cell.get("type"), str(cell.get("value", ""))
    if kind == "uri":
        return Value.iri(value)
    if kind == "bnode":
        return Value("bnode", value)
    if kind in {"literal", "typed-literal"}:
        return Value.literal(value, cell.get("datatype"), cell.get("xml:lang"))
    raise ValueError(f"unknown term type in SPARQL JSON results: {kind!r}")


# -- output formats -----------------------------------------------------------------------
def _table(result: ResultTable) -> str:
    cells = [[_apply(r.get(c), _short) or "" for c in result.columns] for r in result.rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _short(value: Value) -> str:
    text = compact(value.value) if value.kind == "iri" else value.value
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"


def _csv(result: ResultTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.columns)
    for r in result.rows:
        writer.writerow([safe_cell(_apply(r.get(c), str) or "") for c in result.columns])
    return out.getvalue()


def _tsv(result: ResultTable) -> str:
    lines = ["\t".join(f"?{c}" for c in result.columns)]
    lines += ["\t".join(_apply(r.get(c), Value.n3) or "" for c in result.columns) for r in result.rows]
    return "\n".join(lines) + "\n"


def _json(result: ResultTable) -> str:
    def cell(v: Value) -> dict[str, str]:
        if v.kind == "iri":
            return {"type": "uri", "value": v.value}
        if v.kind == "bnode":
            return {"type": "bnode", "value": v.value}
        if v.lang:
            return {"type": "literal", "value": v.value, "xml:lang": v.lang}
        return {"type": "literal", "value": v.value, "datatype": v.datatype or XSD_STRING}

    bindings = [{c: cell(v) for c, v in r.items() if v is not None} for r in result.rows]
    return (
        json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1)
        + "\n"
    )


#: Output formats: name → writer. Feeds both the API and the CLI ``--format`` choices.
FORMATTERS: dict[str, Callable[[ResultTable], str]] = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json}


def render(result: ResultTable, fmt: str = "table") -> str:
    """The result in one of :data:`FORMATTERS` (SPARQL 1.1 CSV / TSV / JSON results, or a text table)."""
    return FORMATTERS[fmt](result)
