"""Typed query parameters: validated, then BOUND as RDF terms, never pasted into query text.

Each type in :data:`PARAM_TYPES` normalises the raw text (``k1403 `` → ``K1403``), checks its
shape, and gives an :mod:`rdflib` term. The engines bind that term: pyoxigraph
``substitutions``, rdflib ``initBindings``, or — for a remote endpoint only — its
``.n3()`` form inside a ``VALUES`` block (see :func:`values_block`), which escapes ``\\``
and ``"``. IRIs are checked with :func:`rncp_graph.iris.validate_iri` and by pyoxigraph.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..errors import InvalidIRI
from ..iris import validate_iri
from .errors import ParameterError

log = logging.getLogger(__name__)

Term = URIRef | Literal
T = TypeVar("T")

#: Longest text a ``string`` parameter may hold.
MAX_STRING = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@dataclass(frozen=True)
class ParamType:
    """How one kind of parameter is normalised, checked and turned into a term.

    :param name: the type name used in query headers (``rome``, ``date``...).
    :param pattern: a regular expression the normalised text must match (``None``: any).
    :param normalise: text → normalised text.
    :param to_term: normalised text → rdflib term.
    :param shape: a human description used in error messages.
    """

    name: str
    pattern: re.Pattern[str] | None
    normalise: Callable[[str], str]
    to_term: Callable[[str], Term]
    shape: str


def _code(text: str) -> str:
    return _SPACES.sub("", text).upper()


def _nsf(text: str) -> str:
    return _SPACES.sub("", text).lower()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _literal(text: str) -> Term:
    return Literal(text)


def _date(text: str) -> Term:
    return Literal(date.fromisoformat(text), datatype=XSD.date)


def _integer(text: str) -> Term:
    return Literal(int(text), datatype=XSD.integer)


def _iri(text: str) -> Term:
    try:
        validate_iri(text)
        ox.NamedNode(text)
    except (InvalidIRI, ValueError) as exc:
        raise ValueError(f"not a valid IRI: {exc}") from exc
    return URIRef(text)


PARAM_TYPES: dict[str, ParamType] = {
    t.name: t
    for t in (
        ParamType(
            "rome",
            re.compile(r"[A-N](?:\d{2}(?:\d{2})?)?|H[12]"),
            _code,
            _literal,
            "a ROME code such as K1403 (or a field K14, a domain K)",
        ),
        ParamType("nsf", re.compile(r"\d{1,3}[a-z]?"), _nsf, _literal, "an NSF code such as 332p or 332"),
        ParamType("formacode", re.compile(r"\d{5}"), _code, _literal, "a five-digit Formacode such as 44047"),
        ParamType("fiche", re.compile(r"(RNCP|RS)\d{1,6}"), _code, _literal, "a fiche number such as RNCP34808"),
        ParamType(
            "block", re.compile(r"(RNCP|RS)\d{1,6}BC\d{2}"), _code, _literal, "a block code such as RNCP34808BC01"
        ),
        ParamType("siret", re.compile(r"\d{14}"), _code, _literal, "a 14-digit SIRET such as 33196441100036"),
        ParamType("date", re.compile(r"\d{4}-\d{2}-\d{2}"), _plain, _date, "an ISO date such as 2026-01-01"),
        ParamType("integer", re.compile(r"-?\d{1,9}"), _plain, _integer, "an integer such as 2"),
        ParamType("iri", None, _plain, _iri, "an absolute IRI"),
        ParamType("string", None, _plain, _literal, f"a text of at most {MAX_STRING} characters"),
    )
}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter a saved query declares in its ``#+ params:`` header."""

    name: str
    type: str
    example: str | None = None
    optional: bool = False
    default: str | None = None
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None

    def convert(self, raw: object) -> Term:
        """Normalise, check and convert ``raw`` into a term; :class:`ParameterError` if it does not fit."""
        kind = PARAM_TYPES[self.type]
        text = raw.isoformat() if isinstance(raw, date) else str(raw)
        value = kind.normalise(text)
        if _CONTROL.search(value) or len(value) > MAX_STRING:
            raise ParameterError("parameter has control characters or is too long", field=self.name, value=text)
        if kind.pattern is not None and not kind.pattern.fullmatch(value):
            raise ParameterError(f"parameter must be {kind.shape}", field=self.name, value=text)
        try:
            term = kind.to_term(value)
        except ValueError as exc:
            raise ParameterError(f"parameter must be {kind.shape} ({exc})", field=self.name, value=text) from exc
        self._check_range(term, text)
        return term

    def _check_range(self, term: Term, text: str) -> None:
        if self.type != "integer":
            return
        number = int(str(term))
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise ParameterError(
                f"parameter must be between {self.minimum} and {self.maximum}", field=self.name, value=text
            )


def spec_from_header(entry: Mapping[str, Any], *, query: str) -> ParamSpec:
    """A :class:`ParamSpec` from one item of a ``#+ params:`` list (checked)."""
    name, kind = str(entry.get("name", "")), str(entry.get("type", ""))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ParameterError(f"query {query}: parameter name is not a SPARQL variable name", value=name)
    if kind not in PARAM_TYPES:
        raise ParameterError(f"query {query}: unknown parameter type (known: {', '.join(PARAM_TYPES)})", value=kind)
    spec = ParamSpec(
        name=name,
        type=kind,
        example=None if entry.get("example") is None else _scalar(entry["example"]),
        optional=bool(entry.get("optional", False)) or entry.get("default") is not None,
        default=None if entry.get("default") is None else _scalar(entry["default"]),
        description=str(entry.get("description", "")).strip(),
        minimum=entry.get("min"),
        maximum=entry.get("max"),
    )
    for sample in (spec.example, spec.default):
        if sample is not None:
            spec.convert(sample)  # the header's own example and default must be valid
    return spec


def _scalar(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def bind(specs: list[ParamSpec], raw: Mapping[str, object], *, query: str) -> dict[str, Term]:
    """Check ``raw`` against ``specs``: every required one present, none unknown; defaults applied."""
    known = {s.name: s for s in specs}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ParameterError(
            f"query {query}: unknown parameter(s) {', '.join(unknown)} (it takes: {', '.join(known) or 'none'})"
        )
    bound: dict[str, Term] = {}
    for spec in specs:
        value = raw.get(spec.name, spec.default)
        if value is None or value == "":
            if not spec.optional:
                raise ParameterError(f"query {query}: missing required parameter", field=spec.name)
            continue
        bound[spec.name] = spec.convert(value)
    log.debug("query %s: bound %s", query, {k: v.n3() for k, v in bound.items()})
    return bound


def to_oxigraph(term: Term) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term for an rdflib one (for ``substitutions``)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { ("x" <iri>) }`` from bound terms (each written with ``.n3()``); ``""`` if none."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["rome=K1403", "min=2"]`` → ``{"rome": "K1403", "min": "2"}`` (CLI ``--param k=v``)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError("a parameter is written NAME=VALUE", value=pair)
        out[key.strip()] = value
    return out


@dataclass(frozen=True)
class Page:
    """Which rows of an answer to return: at most ``limit`` (None: all) after the first ``offset``.

    The rows ``LIMIT`` and ``OFFSET`` on the whole query would give, in the query's own order
    (its ORDER BY): the query text is not changed. Oxigraph stops computing once the page is
    read (a query with ORDER BY still sorts every row first); an endpoint sends its whole
    answer, which is then cut.

    :raises ParameterError: a negative or non-integer limit or offset.
    """

    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        for name, value in (("limit", self.limit), ("offset", self.offset)):
            if name == "limit" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ParameterError("must be a whole number, 0 or more", field=name, value=repr(value))

    @property
    def stop(self) -> int | None:
        """The index after the last row kept (None: the end)."""
        return None if self.limit is None else self.offset + self.limit

    def cut(self, rows: Sequence[T]) -> list[T]:
        """The rows of the page, from an answer already read whole (an endpoint's)."""
        return list(rows[self.offset : self.stop])
