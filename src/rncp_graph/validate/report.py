"""The validation report: one :class:`Result` per SHACL result, the :class:`Report` around them,
and its renderings (text for people, the standard SHACL report graph, JSON).

Terms are kept as canonical N-Triples text (``<iri>``, ``"lexical"@fr``, ``"5"^^<…#integer>``),
so results from pyshacl (rdflib terms) and from the cross-fiche SPARQL checks (pyoxigraph terms)
compare equal, hash, sort and go to JSON or the cache unchanged. Paths are SPARQL property
paths with full IRIs (``<iri>``, ``^<iri>``).
"""

from __future__ import annotations

import enum
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import rdflib
from rdflib.namespace import RDF, SH, XSD

from ..namespaces import PREFIXES, bind_prefixes
from ..terms import string

log = logging.getLogger(__name__)

SHAPES_NS = "https://w3id.org/rncp-graph/shapes#"
#: Prefixes used to show terms to people (the project's, plus the shapes' own).
DISPLAY_PREFIXES = {**PREFIXES, "rncpsh": SHAPES_NS}
NO_FICHE = "(no fiche)"


class Severity(enum.IntEnum):
    """SHACL severities, ordered: ``Severity.VIOLATION > Severity.WARNING > Severity.INFO``."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @property
    def iri(self) -> str:
        return str(SH[self.name.capitalize()])

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def from_iri(cls, iri: str) -> Severity:
        """``sh:Violation`` → ``VIOLATION``; a custom severity counts as a violation (SHACL §3.6.1)."""
        name = iri.rsplit("#", 1)[-1].upper()
        return cls[name] if name in cls.__members__ else cls.VIOLATION

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"warning"`` → ``WARNING`` (for the CLI and keyword arguments)."""
        return cls[text.strip().upper()]


def nt(term: rdflib.term.Node) -> str:
    """An rdflib term as canonical N-Triples (``xsd:string`` implicit, escapes as the exports)."""
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    if isinstance(term, rdflib.Literal):
        return literal_nt(str(term), term.language, str(term.datatype) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


def literal_nt(lexical: str, language: str | None, datatype: str | None) -> str:
    """A literal as canonical N-Triples from its parts."""
    if language:
        return f"{string(lexical)}@{language.lower()}"
    if datatype and datatype not in (str(XSD.string), str(RDF.langString)):
        return f"{string(lexical)}^^<{datatype}>"
    return string(lexical)


def compact(text: str) -> str:
    """``<https://w3id.org/rncp-graph/ontology#title>`` → ``rncp:title``; literals unchanged."""
    if text.startswith("^"):
        return "^" + compact(text[1:])
    if not (text.startswith("<") and text.endswith(">")):
        return text
    iri = text[1:-1]
    for prefix, base in sorted(DISPLAY_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return text


@dataclass(frozen=True)
class Result:
    """One validation result.

    :param fiches: the fiche numbers whose triples hold the focus node (several for shared
        nodes such as a ROME code or a competency; empty for vocabulary and provenance nodes).
    """

    focus: str
    path: str
    value: str
    severity: Severity
    shape: str
    component: str
    message_fr: str
    message_en: str
    fiches: tuple[str, ...] = ()

    def identity(self) -> tuple[str, str, str, str, str, int]:
        """What makes two results the same result (the fiches are derived, not part of it)."""
        return (self.focus, self.path, self.value, self.shape, self.component, int(self.severity))

    def sort_key(self) -> tuple[Any, ...]:
        return (self.fiches or ("~",), -self.severity, self.shape, self.focus, self.path, self.value, self.component)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.label
        data["fiche"] = self.fiches[0] if self.fiches else None
        data["fiches"] = list(self.fiches)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["severity"] = Severity.parse(data["severity"])
        fields["fiches"] = tuple(data.get("fiches", ()))
        return cls(**fields)


@dataclass
class Report:
    """What a validation found: results (at or above ``threshold``), totals and how it ran."""

    results: list[Result]
    as_of: date
    threshold: Severity = Severity.INFO
    rules: dict[str, tuple[str, str]] = field(default_factory=dict)
    hidden: Counter[str] = field(default_factory=Counter)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        """Number of results per severity, hidden ones included."""
        counts = Counter(r.severity.label for r in self.results) + self.hidden
        return {s.label: counts.get(s.label, 0) for s in sorted(Severity, reverse=True)}

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos allowed)."""
        return self.totals[Severity.VIOLATION.label] == 0

    @property
    def violations(self) -> int:
        return self.totals[Severity.VIOLATION.label]

    @property
    def warnings(self) -> int:
        return self.totals[Severity.WARNING.label]

    def summary(self) -> str:
        t = self.totals
        state = "conforms" if self.conforms else "does NOT conform"
        return f"{state}: {t['Violation']} violations, {t['Warning']} warnings, {t['Info']} infos"

    def as_manifest(self) -> dict[str, Any]:
        """The ``validation`` entry of a build manifest."""
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "summary": self.summary(),
        }

    def rule_name(self, shape: str) -> str:
        fr, en = self.rules.get(shape, ("", ""))
        return f"{fr} / {en}" if fr and en and fr != en else (fr or en)

    def to_json(self) -> str:
        """A flat JSON list, one object per result."""
        return json.dumps([r.as_dict() for r in self.results], ensure_ascii=False, indent=2) + "\n"

    def to_text(self) -> str:
        """The report for people: per fiche and per rule one line per result, then totals."""
        return render_text(self)

    def to_graph(self) -> rdflib.Graph:
        """The standard ``sh:ValidationReport`` as an rdflib graph."""
        return report_graph(self)

    def to_turtle(self) -> str:
        """The standard ``sh:ValidationReport`` in Turtle."""
        graph = bind_prefixes(self.to_graph())
        graph.bind("rncpsh", SHAPES_NS)
        return graph.serialize(format="turtle")

    def render(self, fmt: str) -> str:
        """The report in one of :data:`FORMATS` (``text``, ``ttl``, ``json``)."""
        return FORMATS[fmt](self)


# -- renderings: text for people, the SHACL report graph ----------------------------------------

_IRI = re.compile(r"<[^<>\s]*>")
VALUE_WIDTH = 60
FICHES_SHOWN = 5


def render_text(report: Report) -> str:
    """The report as text: a header, then per fiche and per rule one line per result, then totals."""
    return "\n".join(_lines(report)) + "\n"


def _lines(report: Report) -> Iterator[str]:
    stats = report.stats
    yield f"SHACL validation as of {report.as_of.isoformat()}: {report.summary()}"
    if "nodes" in stats:  # validate_nodes: the results on chosen nodes only
        yield f"(the results on {stats['nodes']} nodes only, {stats.get('seconds', 0.0):.1f} s)"
    elif stats:
        yield (
            f"({stats.get('fiches', 0)} fiches in {stats.get('units', 0)} units, "
            f"{stats.get('cached', 0)} from the cache, strategy {stats.get('strategy', '?')}, "
            f"{stats.get('seconds', 0.0):.1f} s)"
        )
    by_fiche: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_fiche[fiche_list(result.fiches)].append(result)
    for fiche in sorted(by_fiche, key=lambda f: (f == NO_FICHE, f)):
        yield ""
        yield from _fiche_block(report, fiche, by_fiche[fiche])
    yield ""
    yield _totals_line(report)


def _fiche_block(report: Report, fiche: str, results: list[Result]) -> Iterator[str]:
    counts = Counter(r.severity for r in results)
    parts = [f"{counts[s]} {s.label.lower()}{'s' if counts[s] != 1 else ''}" for s in sorted(counts, reverse=True)]
    yield f"{fiche} — {', '.join(parts)}"
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_rule[result.shape].append(result)
    for shape in sorted(by_rule, key=lambda s: (-max(r.severity for r in by_rule[s]), s)):
        rows = by_rule[shape]
        yield f"  {compact(f'<{shape}>')} — {report.rule_name(shape)} ({len(rows)})"
        for row in sorted(rows, key=Result.sort_key):
            yield "    " + result_line(row)


def fiche_list(fiches: tuple[str, ...], most: int = FICHES_SHOWN) -> str:
    """``RNCP1, RNCP2`` — or ``RNCP1, RNCP2, RNCP3 and 12 more`` beyond ``most``."""
    if not fiches:
        return NO_FICHE
    shown = ", ".join(fiches[:most])
    return shown if len(fiches) <= most else f"{shown} and {len(fiches) - most} more"


def result_line(result: Result) -> str:
    """One result: severity, fiche, focus, path, value, French and English messages."""
    value = compact(result.value) if result.value else "-"
    if len(value) > VALUE_WIDTH:
        value = value[: VALUE_WIDTH - 1] + "…"
    fiche = fiche_list(result.fiches).replace(", ", ",") if result.fiches else "-"
    path = compact(result.path) if result.path else "-"
    return (
        f"{result.severity.label:<9} {fiche}  {compact(result.focus)}  {path}  {value}  "
        f"{result.message_fr} | {result.message_en}"
    )


def _totals_line(report: Report) -> str:
    totals = report.totals
    text = "Totals: " + ", ".join(f"{n} {label.lower()}{'s' if n != 1 else ''}" for label, n in totals.items())
    hidden = sum(report.hidden.values())
    if hidden:
        text += f" ({hidden} below {report.threshold.label.lower()} not listed; use --severity info to see them)"
    return text + (" — conforms" if report.conforms else " — does NOT conform")


def report_graph(report: Report) -> rdflib.Graph:
    """The standard SHACL validation report (``sh:ValidationReport``) for ``report``."""
    lines = [
        f"_:report <{RDF.type}> <{SH.ValidationReport}> .",
        f'_:report <{SH.conforms}> "{str(report.conforms).lower()}"^^<http://www.w3.org/2001/XMLSchema#boolean> .',
    ]
    for n, result in enumerate(report.results):
        lines.extend(_result_lines(f"_:r{n}", result))
    graph = rdflib.Graph()
    graph.parse(data="\n".join(lines) + "\n", format="nt")
    return graph


def _result_lines(node: str, r: Result) -> list[str]:
    out = [
        f"_:report <{SH.result}> {node} .",
        f"{node} <{RDF.type}> <{SH.ValidationResult}> .",
        f"{node} <{SH.focusNode}> {r.focus} .",
        f"{node} <{SH.resultSeverity}> <{r.severity.iri}> .",
        f"{node} <{SH.sourceShape}> {r.shape if r.shape.startswith('_:') else f'<{r.shape}>'} .",
        f"{node} <{SH.sourceConstraintComponent}> <{r.component}> .",
    ]
    if r.value:
        out.append(f"{node} <{SH.value}> {r.value} .")
    if _IRI.fullmatch(r.path.removeprefix("^")):  # other paths (sequences...) are not written back
        if r.path.startswith("^"):
            out += [f"{node} <{SH.resultPath}> {node}p .", f"{node}p <{SH.inversePath}> {r.path[1:]} ."]
        else:
            out.append(f"{node} <{SH.resultPath}> {r.path} .")
    for message, lang in ((r.message_fr, "fr"), (r.message_en, "en")):
        if message:
            out.append(f"{node} <{SH.resultMessage}> {string(message)}@{lang} .")
    return out


#: Output formats: name → renderer (feeds the CLI's ``--format`` choices).
FORMATS: dict[str, Callable[[Report], str]] = {
    "text": Report.to_text,
    "ttl": Report.to_turtle,
    "json": Report.to_json,
}
