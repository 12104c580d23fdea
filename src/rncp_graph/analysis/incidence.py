"""Certification × code incidence: one SPARQL SELECT, then a scipy sparse matrix.

An :class:`Incidence` is the 0/1 matrix ``A`` (certifications in rows, codes of one *facet*
in columns: ROME codes, NSF codes, Formacodes or competencies). Everything "shared" is
computed from it with sparse products (``A @ A.T`` for certifications, ``A.T @ A`` for
codes), never with a SPARQL self-join or a networkx bipartite projection: the cost of a
self-join grows with Σ(certifications per code)², the sparse product stays cheap at a
national register's size (see ``benchmarks/README.md``, "Analytics").

A :class:`Scope` narrows the certifications (level, NSF code or any narrower one, active
only); it is part of the same SELECT, its values bound as pyoxigraph substitutions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyoxigraph as ox
import scipy.sparse as sp

from .. import iris
from ..errors import QueryError
from ..namespaces import DATA_BASE
from ..store import GraphStore

log = logging.getLogger(__name__)

#: facet → graph pattern binding ``?c`` (a certification) to ``?key`` (a code of the facet).
FACETS: dict[str, str] = {
    "rome": "?c rncp:romeCode ?x . ?x skos:notation ?key .",
    "nsf": "?c rncp:nsfCode ?x . ?x skos:notation ?key .",
    "formacode": "?c rncp:formacode ?x . ?x skos:notation ?key .",
    "competency": (
        "{ ?c rncp:competency ?x } UNION { ?c rncp:hasBlock ?b . ?b rncp:competency ?x } "
        'BIND(STRAFTER(STR(?x), "/competency/") AS ?key)'
    ),
}

#: facet → pattern giving each code (``?key``) its label (``?label``).
LABELS: dict[str, str] = {
    "rome": "?x a rncp:RomeCode ; skos:notation ?key ; skos:prefLabel ?label .",
    "nsf": "?x a rncp:NsfCode ; skos:notation ?key ; skos:prefLabel ?label .",
    "formacode": "?x a rncp:Formacode ; skos:notation ?key ; skos:prefLabel ?label .",
    "competency": '?x a rncp:Competency ; rncp:text ?label . BIND(STRAFTER(STR(?x), "/competency/") AS ?key)',
}

#: scope field → pattern restricting ``?c``; the variable named like the field is bound.
SCOPE_PATTERNS: dict[str, str] = {
    "level": "?c rncp:level ?level .",
    "active": "?c rncp:status ?active .",
    "nsf": "?c rncp:nsfCode ?scopeNsf . ?scopeNsf skos:broader* ?scopeTop . ?scopeTop skos:notation ?nsf .",
}

CERTIFICATION_PREFIX = DATA_BASE + "certification/"
BLOCK_PREFIX = DATA_BASE + "block/"


@dataclass(frozen=True)
class Scope:
    """Which certifications an analysis looks at.

    :param level: only this level (Niveau 1–8).
    :param nsf: only certifications with this NSF code or a narrower one (``332`` matches ``332p``).
    :param active: only certifications whose status is active.
    """

    level: int | None = None
    nsf: str | None = None
    active: bool = False

    def bindings(self) -> dict[str, ox.NamedNode | ox.Literal]:
        """The substitutions for the patterns of :data:`SCOPE_PATTERNS` in use."""
        found: dict[str, ox.NamedNode | ox.Literal] = {}
        if self.level is not None:
            found["level"] = ox.NamedNode(iris.level(self.level))
        if self.nsf:
            found["nsf"] = ox.Literal(self.nsf)
        if self.active:
            found["active"] = ox.NamedNode(iris.status("active"))
        return found

    def describe(self) -> str:
        parts = [f"level {self.level}" if self.level is not None else "", f"NSF {self.nsf}" if self.nsf else ""]
        parts.append("active only" if self.active else "")
        return ", ".join(p for p in parts if p) or "all certifications"


@dataclass
class Incidence:
    """A certification × code 0/1 matrix with its row and column names (both sorted)."""

    facet: str
    rows: list[str]
    cols: list[str]
    matrix: sp.csr_matrix

    @property
    def row_sizes(self) -> np.ndarray:
        """Number of codes of each certification."""
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    @property
    def col_sizes(self) -> np.ndarray:
        """Number of certifications having each code."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()

    def keys_of(self, row: int) -> list[str]:
        """The codes of the certification in row ``row``."""
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        return [self.cols[j] for j in sorted(self.matrix.indices[start:end])]


def check_facet(facet: str) -> None:
    if facet not in FACETS:
        raise QueryError(f"unknown facet; choose one of {', '.join(FACETS)}", value=facet)


def incidence_query(facet: str, scope: Scope) -> str:
    """The one SELECT giving (fiche number, code) pairs for ``facet`` within ``scope``.

    No ``DISTINCT``: a pair repeated (same fact in several source graphs) counts once in the matrix.
    """
    check_facet(facet)
    used = scope.bindings()
    projected = " ".join(f"?{name}" for name in used)
    restrict = " ".join(SCOPE_PATTERNS[name] for name in used)
    return (
        f"SELECT DISTINCT ?number ?key {projected} WHERE {{ ?c rncp:ficheNumber ?number . {restrict} {FACETS[facet]} }}"
    )


def extract_incidence(store: GraphStore, facet: str = "rome", *, scope: Scope | None = None) -> Incidence:
    """Certification × code incidence of ``facet`` (one SPARQL SELECT) as a CSR matrix.

    :param store: the graph.
    :param facet: one of :data:`FACETS`.
    :param scope: which certifications (default: all).
    """
    scope = scope or Scope()
    numbers: list[str] = []
    keys: list[str] = []
    for solution in store.query(incidence_query(facet, scope), scope.bindings()):
        numbers.append(solution[0].value)
        keys.append(solution[1].value)
    inc = incidence_from_lists(facet, numbers, keys)
    log.info(
        "%s incidence (%s): %d certifications × %d codes, %d links",
        facet,
        scope.describe(),
        *inc.matrix.shape,
        inc.matrix.nnz,
    )
    return inc


def incidence_from_lists(facet: str, row_names: list[str], col_names: list[str]) -> Incidence:
    """The 0/1 CSR matrix of the pairs ``(row_names[k], col_names[k])``; repeated pairs count once."""
    rows, i = _index(row_names)
    cols, j = _index(col_names)
    data = np.ones(len(i), dtype=np.int32)
    matrix = sp.csr_matrix((data, (i, j)), shape=(len(rows), len(cols)), dtype=np.int32)
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return Incidence(facet, rows, cols, matrix)


def _index(names: list[str]) -> tuple[list[str], np.ndarray]:
    """Sorted distinct names, and the position of each name of ``names`` among them."""
    first: dict[str, int] = {}
    codes = np.fromiter((first.setdefault(n, len(first)) for n in names), dtype=np.int64, count=len(names))
    distinct = list(first)
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    rank = np.empty(len(distinct), dtype=np.int32)
    rank[order] = np.arange(len(distinct), dtype=np.int32)
    return [distinct[k] for k in order], rank[codes]


def code_labels(store: GraphStore, facet: str) -> dict[str, str]:
    """Label of every code of ``facet`` in the graph (the smallest one when sources disagree)."""
    check_facet(facet)
    labels: dict[str, str] = {}
    for s in store.query(f"SELECT DISTINCT ?key ?label WHERE {{ {LABELS[facet]} }}"):
        key, label = s["key"].value, s["label"].value
        labels[key] = min(label, labels.get(key, label))
    return labels


CERTIFICATION_ATTRIBUTES = """
SELECT DISTINCT ?number ?title ?level ?status WHERE {
  ?c rncp:ficheNumber ?number .
  OPTIONAL { ?c rncp:title ?title }
  OPTIONAL { ?c rncp:level ?level }
  OPTIONAL { ?c rncp:status ?status }
}"""


def certification_attributes(store: GraphStore) -> dict[str, dict[str, Any]]:
    """number → ``{"label", "number", "level", "status"}`` for every certification with a fiche.

    ``label`` is the title (the number when the fiche has none); absent values are left out.
    When sources disagree the smallest value is kept, so the result is deterministic.
    """
    found: dict[str, dict[str, Any]] = {}
    for s in store.query(CERTIFICATION_ATTRIBUTES):
        number = s["number"].value
        attrs = found.setdefault(number, {"number": number})
        _keep_min(attrs, "label", s["title"].value if s["title"] is not None else None)
        _keep_min(attrs, "level", int(last_segment(s["level"].value)) if s["level"] is not None else None)
        _keep_min(attrs, "status", last_segment(s["status"].value) if s["status"] is not None else None)
    for attrs in found.values():
        attrs.setdefault("label", attrs["number"])
    return found


def _keep_min(attrs: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        attrs[key] = min(value, attrs.get(key, value))


def last_segment(iri: str) -> str:
    """``.../level/6`` → ``6``."""
    return iri.rsplit("/", 1)[-1]


def number_of(iri: str) -> str:
    """The fiche number of a certification IRI (``.../certification/RNCP34808`` → ``RNCP34808``)."""
    if not iri.startswith(CERTIFICATION_PREFIX):
        raise QueryError("not a certification IRI", value=iri)
    return iri[len(CERTIFICATION_PREFIX) :].split("/", 1)[0]


def block_code_of(iri: str) -> str:
    """The block code of a block IRI (``.../block/RNCP34808BC01`` → ``RNCP34808BC01``)."""
    if not iri.startswith(BLOCK_PREFIX):
        raise QueryError("not a block IRI", value=iri)
    return iri[len(BLOCK_PREFIX) :]
