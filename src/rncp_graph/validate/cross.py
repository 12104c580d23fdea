"""Cross-fiche rules: the SPARQL of the ``rncpsh:CrossFiche`` shapes, run once over the whole store.

Lineage symmetry, correspondence targets outside the loaded graph and competencies shared by
several fiches need several fiches at once, so they cannot be checked fiche by fiche. Their
shapes (``shapes/recommended.ttl``) are the single source: this module reads each one's
target class, path, severity, messages and ``sh:select`` from the shapes graph and runs the
query on the pyoxigraph store (union of all graphs), unbound: ``$this`` is the same SPARQL
variable as ``?this``, and the rows are kept for the focus nodes of the target. The results
are those pyshacl gives for the same shapes on the whole graph.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from ..errors import ValidationFailure
from ..store import GraphStore
from .engine import path_text
from .report import Result, Severity, literal_nt
from .shapes import CROSS_FICHE, SCOPE

log = logging.getLogger(__name__)

SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)


@dataclass(frozen=True)
class CrossRule:
    """One SPARQL constraint of a cross-fiche property shape."""

    shape: str
    target: str
    path: str
    severity: Severity
    query: str
    message_fr: str
    message_en: str


def cross_rules(shapes: rdflib.Graph) -> list[CrossRule]:
    """The SPARQL constraints of the cross-fiche shapes, ready to run.

    :raises ValidationFailure: when a cross-fiche shape uses something this runner does not
        reproduce exactly (another kind of target or constraint, message placeholders).
    """
    rules: list[CrossRule] = []
    for node in sorted(shapes.subjects(SCOPE, CROSS_FICHE), key=str):
        targets = list(shapes.objects(node, SH.targetClass))
        other = [t for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf) for t in shapes.objects(node, p)]
        if len(targets) != 1 or other:
            raise ValidationFailure("a cross-fiche shape needs exactly one sh:targetClass", value=str(node))
        for prop in sorted(shapes.objects(node, SH.property), key=str):
            rules.extend(_property_rules(shapes, prop, str(targets[0])))
    return rules


def _property_rules(shapes: rdflib.Graph, prop: rdflib.term.Node, target: str) -> list[CrossRule]:
    supported = {RDF.type, SH.path, SH.name, SH.description, SH.severity, SH.message, SH.sparql}
    extra = {p for p in shapes.predicates(prop, None) if p not in supported}
    if extra:
        raise ValidationFailure("a cross-fiche shape may only hold sh:sparql constraints", value=str(prop))
    path_node = shapes.value(prop, SH.path)
    if path_node is None:
        raise ValidationFailure("a cross-fiche property shape has no sh:path", value=str(prop))
    path = path_text(shapes, path_node)
    severity = Severity.from_iri(str(shapes.value(prop, SH.severity) or SH.Violation))
    rules = []
    for constraint in shapes.objects(prop, SH.sparql):
        messages = _messages(shapes, constraint) or _messages(shapes, prop)
        if any("{" in m for m in messages.values()):
            raise ValidationFailure("cross-fiche messages must not use {?var} placeholders", value=str(prop))
        query = _prologue(shapes, constraint) + str(shapes.value(constraint, SH.select))
        if "$PATH" in query:
            query = query.replace("$PATH", path)
        rules.append(
            CrossRule(str(prop), target, path, severity, query, messages.get("fr", ""), messages.get("en", ""))
        )
    return rules


def _messages(shapes: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    return {getattr(m, "language", None) or "": str(m) for m in shapes.objects(node, SH.message)}


def _prologue(shapes: rdflib.Graph, constraint: rdflib.term.Node) -> str:
    lines = []
    for ontology in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            lines.append(f"PREFIX {shapes.value(declaration, SH.prefix)}: <{shapes.value(declaration, SH.namespace)}>")
    return "\n".join(sorted(set(lines))) + "\n"


def ox_nt(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A pyoxigraph term as the same canonical N-Triples text as :func:`report.nt`."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return literal_nt(term.value, term.language, term.datatype.value if term.datatype else None)


def run_rule(store: GraphStore, rule: CrossRule) -> list[Result]:
    """The results of one cross-fiche rule on the whole store."""
    focus = {ox_nt(r["x"]) for r in store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a <{rule.target}> }}") if r["x"]}
    results = []
    try:
        rows = store.select(rule.query)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationFailure(f"cross-fiche query failed: {exc}", value=rule.shape) from exc
    for row in rows:
        this = row.get("this")
        if this is None or ox_nt(this) not in focus:
            continue
        value = row.get("value")
        path = row.get("path")
        results.append(
            Result(
                focus=ox_nt(this),
                path=ox_nt(path) if path is not None else rule.path,
                value=ox_nt(value) if value is not None else "",
                severity=rule.severity,
                shape=rule.shape,
                component=SPARQL_COMPONENT,
                message_fr=rule.message_fr,
                message_en=rule.message_en,
            )
        )
    return results


def cross_results(store: GraphStore, shapes: rdflib.Graph) -> list[Result]:
    """Every result of every cross-fiche rule in ``shapes`` on ``store``."""
    results: list[Result] = []
    for rule in cross_rules(shapes):
        found = run_rule(store, rule)
        log.debug("cross-fiche rule %s: %d results", rule.shape, len(found))
        results.extend(found)
    return results
