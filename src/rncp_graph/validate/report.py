"""The validation report: one :class:`Result` per SHACL result, and the :class:`Report` around them.

Terms are kept as canonical N-Triples text (``<iri>``, ``"lexical"@fr``, ``"5"^^<…#integer>``),
so results from pyshacl (rdflib terms) and from the cross-fiche SPARQL checks (pyoxigraph terms)
compare equal, hash, sort and go to JSON or the cache unchanged. Paths are SPARQL property
paths with full IRIs (``<iri>``, ``^<iri>``).
"""

from __future__ import annotations

import enum
import json
import logging
from collections import Counter
from collections.abc import Callable
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
        from .text import render

        return render(self)

    def to_graph(self) -> rdflib.Graph:
        """The standard ``sh:ValidationReport`` as an rdflib graph."""
        from .text import report_graph

        return report_graph(self)

    def to_turtle(self) -> str:
        """The standard ``sh:ValidationReport`` in Turtle."""
        graph = bind_prefixes(self.to_graph())
        graph.bind("rncpsh", SHAPES_NS)
        return graph.serialize(format="turtle")

    def render(self, fmt: str) -> str:
        """The report in one of :data:`FORMATS` (``text``, ``ttl``, ``json``)."""
        return FORMATS[fmt](self)


#: Output formats: name → renderer (feeds the CLI's ``--format`` choices).
FORMATS: dict[str, Callable[[Report], str]] = {
    "text": Report.to_text,
    "ttl": Report.to_turtle,
    "json": Report.to_json,
}
