"""Running pyshacl safely and reading its report into :class:`~rncp_graph.validate.report.Result` rows.

pyshacl is always called with rdflib graphs (never a path or URL, so nothing can be fetched),
no inference, no ``owl:imports``, no JavaScript, no SHACL-AF. A "Validation Failure" (an
exception, or a report whose text says so) raises :class:`~rncp_graph.errors.ValidationFailure`:
it never reads as "does not conform".
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from ..errors import ValidationFailure
from .report import Result, Severity, nt

log = logging.getLogger(__name__)

MAX_VALIDATION_DEPTH = 8
XSD_STRING = str(XSD.string)


def run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph, *, label: str = "graph") -> list[Result]:
    """Validate ``data`` against ``shapes`` with pyshacl; every result, fiches not yet attributed.

    :param label: what is validated, for error messages (a fiche number, "graph").
    :raises ValidationFailure: when pyshacl cannot validate (bad shapes, engine failure).
    """
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    try:
        conforms, graph, text = pyshacl.validate(
            data_graph=data,
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            do_owl_imports=False,
            inplace=True,
            allow_warnings=True,
            allow_infos=True,
            abort_on_first=False,
            meta_shacl=False,
            max_validation_depth=MAX_VALIDATION_DEPTH,
        )
    except ReportableRuntimeError as exc:
        raise ValidationFailure(f"pyshacl could not validate: {exc}", fiche=label) from exc
    if isinstance(graph, BaseException) or not isinstance(graph, rdflib.Graph) or "Validation Failure" in str(text):
        raise ValidationFailure(f"pyshacl could not validate: {str(text).strip()[:500]}", fiche=label)
    results = list(read_results(graph, languages=message_languages(shapes)))
    # The report's conformance is computed from the results (Report.conforms). pyshacl 0.40 may
    # say "does not conform" for a warning of a SPARQL-based constraint component evaluated at
    # the top level (allow_warnings is not applied there); the reverse would be a real bug.
    if conforms and any(r.severity >= Severity.VIOLATION for r in results):
        raise ValidationFailure("pyshacl says the graph conforms but reports violations", fiche=label)
    return results


def message_languages(shapes: rdflib.Graph) -> dict[str, str]:
    """Text → language of every ``sh:message`` in the shapes.

    pyshacl drops the language tag of the messages of SPARQL constraints (it formats them as
    plain strings); the text of the message tells which of ours it was.
    """
    return {
        str(m): m.language for m in shapes.objects(None, SH.message) if isinstance(m, rdflib.Literal) and m.language
    }


def read_results(graph: rdflib.Graph, *, languages: dict[str, str] | None = None) -> Iterator[Result]:
    """The ``sh:ValidationResult`` nodes of a pyshacl report graph (top-level results only)."""
    for report in graph.subjects(RDF.type, SH.ValidationReport):
        for node in graph.objects(report, SH.result):
            yield _result(graph, node, languages or {})


def _result(graph: rdflib.Graph, node: rdflib.term.Node, languages: dict[str, str]) -> Result:
    focus = graph.value(node, SH.focusNode)
    path = graph.value(node, SH.resultPath)
    value = graph.value(node, SH.value)
    shape = graph.value(node, SH.sourceShape)
    messages = {
        getattr(m, "language", None) or languages.get(str(m)): str(m) for m in graph.objects(node, SH.resultMessage)
    }
    default = messages.get(None, "")
    return Result(
        focus=nt(focus) if focus is not None else "",
        path=path_text(graph, path) if path is not None else "",
        value=nt(value) if value is not None else "",
        severity=Severity.from_iri(str(graph.value(node, SH.resultSeverity))),
        shape=str(shape) if isinstance(shape, rdflib.URIRef) else nt(shape) if shape is not None else "",
        component=str(graph.value(node, SH.sourceConstraintComponent)),
        message_fr=messages.get("fr", default),
        message_en=messages.get("en", default),
    )


def path_text(graph: rdflib.Graph, path: rdflib.term.Node) -> str:
    """A SHACL path as SPARQL property-path text with full IRIs (``<p>``, ``^<p>``, ``<a>/<b>``)."""
    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _grouped(path_text(graph, inverse))
    for prop, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return _grouped(path_text(graph, inner)) + suffix
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        items = rdflib.collection.Collection(graph, alternatives)
        return "(" + "|".join(path_text(graph, p) for p in items) + ")"
    if (path, RDF.first, None) in graph:
        return "/".join(_grouped(path_text(graph, p)) for p in rdflib.collection.Collection(graph, path))
    raise ValidationFailure("unsupported SHACL path", value=str(path))


def _grouped(text: str) -> str:
    return text if text.startswith("<") and text.endswith(">") else f"({text})"


@contextlib.contextmanager
def quiet_literal_warnings() -> Iterator[None]:
    """Silence rdflib's traceback for ill-typed literals (``"2025-02-31"^^xsd:date``) while parsing.

    SHACL reports those literals itself (sh:datatype), with the fiche, the focus node and the path.
    """
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph whose ``query(text)`` parses each distinct query text once per process.

    pyshacl runs a SPARQL constraint once per focus node with the same text and new
    ``initBindings``; rdflib would parse and translate the text every time, which costs far
    more than evaluating it. The prepared query is evaluated with the same bindings, so the
    answers are rdflib's own.
    """

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def graph_from_lines(lines: list[str] | tuple[str, ...]) -> rdflib.Graph:
    """An rdflib graph from N-Triples lines (a unit of the per-fiche validation, or a whole graph).

    The lines are parsed by pyoxigraph (Rust) and the terms added with ``addN``: the same
    graph as rdflib's N-Triples parser gives, in about two thirds of the time.
    """
    graph = PreparedQueryGraph()
    if not lines:
        return graph
    data = ("\n".join(lines) + "\n").encode("utf-8")
    terms: dict[object, rdflib.term.Node] = {}
    with quiet_literal_warnings():
        graph.addN(
            (_term(q.subject, terms), _term(q.predicate, terms), _term(q.object, terms), graph)
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        )
    return graph


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, cache: dict[object, rdflib.term.Node]) -> Any:
    found = cache.get(term)
    if found is None:
        found = cache[term] = _convert(term)
    return found


def _convert(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else rdflib.URIRef(datatype))
    raise ValidationFailure("RDF-star triples cannot be validated", value=str(term))


class _ParameterList(list):  # type: ignore[type-arg]
    """pyshacl's list of constraint parameters, with set-speed ``in`` (same items, same order)."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _ParameterList:
        return _ParameterList(self)


def install_speedups() -> bool:
    """Pre-fill pyshacl's own lazy cache of constraint parameters with a set-backed list.

    pyshacl 0.40 tests every predicate of a shape against a plain list of ~40 parameters, for
    every focus node; that list lookup (rdflib term ``__eq__`` in Python) was half of the
    validation time. The cache (``pyshacl.shape.CONSTRAINT_PARAMS``) is one pyshacl fills
    itself on first use; we fill it with the same items in the same order, with O(1)
    membership. Nothing else changes. Skipped (returns False) on a pyshacl that has not this
    cache, so a new pyshacl is only slower, never different.
    """
    import pyshacl
    import pyshacl.shape as shape_module

    if not pyshacl.__version__.startswith("0.40.") or not hasattr(shape_module, "module"):
        return False
    current = getattr(shape_module, "CONSTRAINT_PARAMS", None)
    if current is not None and isinstance(current[0], _ParameterList):
        return True
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    params = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
    shape_module.CONSTRAINT_PARAMS = params  # type: ignore[attr-defined]
    return True
