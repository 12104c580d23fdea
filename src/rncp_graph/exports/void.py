"""VoID statistics of a built graph, computed in one pass over its canonical N-Triples.

:func:`graph_stats` reads the sorted, deduplicated lines the exports write (no SPARQL, no
rdflib), so the numbers describe exactly the published files. :func:`void_triples` turns
them into VoID: ``void:triples``, ``void:entities``, one ``void:classPartition`` per class,
one ``void:propertyPartition`` per property and one ``void:Linkset`` per link target and
predicate (EQF levels, ESCO concepts when the graph holds links to them).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rdflib.namespace import RDF, SKOS, VOID

from .. import iris
from ..namespaces import RNCP
from ..terms import Triple, integer, term_iri
from .jsonld import compact

log = logging.getLogger(__name__)

#: Link targets counted as VoID linksets: key → (namespace of the linked IRIs, the target's IRI).
LINK_TARGETS: dict[str, tuple[str, str]] = {
    "eqf": ("http://data.europa.eu/snb/eqf/", "http://data.europa.eu/snb/eqf/25831c2"),
    "esco": ("http://data.europa.eu/esco/", "https://esco.ec.europa.eu/"),
}
LINK_PREDICATES = tuple(
    str(p) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
)
_DATE_PREDICATES = {f"<{RNCP.decisionDate}>": "coverage", f"<{RNCP.expiryDate}>": "coverage"}
_EXPORT_DATE = f"<{RNCP.exportDate}>"
_TYPE = f"<{RDF.type}>"
_ISO_DATE = re.compile(r'^"(\d{4}-\d{2}-\d{2})"\^\^')


@dataclass
class GraphStats:
    """What :func:`graph_stats` counts: triples, entities, classes, properties, links and dates."""

    triples: int = 0
    entities: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    properties: Counter[str] = field(default_factory=Counter)
    links: Counter[tuple[str, str]] = field(default_factory=Counter)
    coverage: list[date] = field(default_factory=list)
    export_dates: list[date] = field(default_factory=list)

    @property
    def period(self) -> tuple[date, date] | None:
        """Earliest and latest decision or expiry date in the data (temporal coverage)."""
        return (min(self.coverage), max(self.coverage)) if self.coverage else None


def _iso(obj: str) -> date | None:
    match = _ISO_DATE.match(obj)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _link_target(obj: str) -> str | None:
    for key, (namespace, _target) in LINK_TARGETS.items():
        if obj.startswith("<" + namespace):
            return key
    return None


def graph_stats(lines: Iterable[str]) -> GraphStats:
    """Count everything VoID and DCAT need from canonical N-Triples lines (one pass)."""
    stats = GraphStats()
    subjects: set[str] = set()
    coverage: set[date] = set()
    exports: set[date] = set()
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        obj = rest[:-2]
        stats.triples += 1
        stats.properties[predicate[1:-1]] += 1
        if subject.startswith("<"):
            subjects.add(subject)
        if predicate == _TYPE:
            stats.classes[obj[1:-1]] += 1
        elif predicate in _DATE_PREDICATES and (day := _iso(obj)) is not None:
            coverage.add(day)
        elif predicate == _EXPORT_DATE and (day := _iso(obj)) is not None:
            exports.add(day)
        elif predicate[1:-1] in LINK_PREDICATES and (target := _link_target(obj)) is not None:
            stats.links[target, predicate[1:-1]] += 1
    stats.entities = len(subjects)
    stats.coverage = sorted(coverage)
    stats.export_dates = sorted(exports)
    return stats


def _segment(iri: str) -> str:
    """A readable, valid IRI path segment for a class or property (``rncp-Certification``)."""
    short = compact(iri).replace(":", "-").replace("#", "-").replace("/", "-")
    if re.fullmatch(r"[A-Za-z0-9._~-]+", short):
        return short
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def _u(iri: str) -> str:
    return f"<{iri}>"


def void_triples(dataset: str, stats: GraphStats) -> list[Triple]:
    """VoID description of ``dataset`` from ``stats`` (partitions and linksets have minted IRIs)."""
    ds = _u(dataset)
    v = {name: term_iri(getattr(VOID, name)) for name in ("triples", "entities", "classes", "properties")}
    out: list[Triple] = [
        (ds, term_iri(RDF.type), term_iri(VOID.Dataset)),
        (ds, v["triples"], integer(stats.triples)),
        (ds, v["entities"], integer(stats.entities)),
        (ds, v["classes"], integer(len(stats.classes))),
        (ds, v["properties"], integer(len(stats.properties))),
    ]
    for cls, count in sorted(stats.classes.items()):
        part = _u(iris.mint("dataset", "class-partition", _segment(cls)))
        out += [(ds, term_iri(VOID.classPartition), part), (part, term_iri(VOID["class"]), _u(cls))]
        out.append((part, v["entities"], integer(count)))
    for prop, count in sorted(stats.properties.items()):
        part = _u(iris.mint("dataset", "property-partition", _segment(prop)))
        out += [(ds, term_iri(VOID.propertyPartition), part), (part, term_iri(VOID.property), _u(prop))]
        out.append((part, v["triples"], integer(count)))
    out += _linksets(ds, stats)
    return out


def _linksets(ds: str, stats: GraphStats) -> list[Triple]:
    out: list[Triple] = []
    for (key, predicate), count in sorted(stats.links.items()):
        target = _u(LINK_TARGETS[key][1])
        linkset = _u(iris.mint("dataset", "linkset", f"{key}-{_segment(predicate)}"))
        out += [
            (linkset, term_iri(RDF.type), term_iri(VOID.Linkset)),
            (ds, term_iri(VOID.subset), linkset),
            (linkset, term_iri(VOID.subjectsTarget), ds),
            (linkset, term_iri(VOID.objectsTarget), target),
            (linkset, term_iri(VOID.linkPredicate), _u(predicate)),
            (linkset, term_iri(VOID.triples), integer(count)),
            (target, term_iri(RDF.type), term_iri(VOID.Dataset)),
        ]
    return out
