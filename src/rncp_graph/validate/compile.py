"""Compiling the project's SHACL shapes to SPARQL SELECT queries for Oxigraph (``strategy="sparql"``).

Each constraint of each shape becomes one :class:`Check`: a SELECT query over the whole store
(union of all graphs) whose rows are the *candidate* results (``?this``, optionally ``?value``
and ``?other``), and, for the components where SPARQL and pyshacl/rdflib may disagree on a
corner case (ill-typed literals, comparisons, regular expressions, language tags), a Python
recheck that applies pyshacl's own rule to each candidate. Queries only ever drop rows that
certainly pass, so the recheck sees every real failure. The result is the report pyshacl
gives on the whole graph (tests compare them).

Only what the shapes use is compiled; anything else (another constraint component, a node
shape's own constraints, generic messages, ``sh:node``, ASK validators...) raises
:class:`~rncp_graph.errors.ValidationFailure` naming the shape and the parameter: the
strategy refuses, it never silently skips.

SPARQL-based constraints (``sh:sparql`` and SPARQL-based constraint components) are run with
``$this`` free and their rows kept for the shape's focus nodes, as :mod:`.cross` does: their
queries must anchor ``$this`` in a triple pattern (``shapes/README.md``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD

from ..errors import ValidationFailure
from ..namespaces import RNCPSH
from .engine import path_text
from .report import Severity

SUB_CLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
#: The same when the data has no ``rdfs:subClassOf`` triple (a zero-length path: the type itself).
TYPE = f"<{RDF.type}>"
#: The same SPARQL constraint written for one focus node at a time (see :attr:`Check.one_focus`).
SELECT_ONE_FOCUS = RNCPSH.selectOneFocus
TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
#: Predicates of a shape that are not constraints (documentation, targets, structure).
NON_CONSTRAINTS = {
    RDF.type,
    SH.path,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.property,
    SH.flags,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    RDFS.label,
    RDFS.comment,
    *TARGETS,
}
#: Lexical forms SPARQL may accept without asking rdflib: rdflib certainly parses them to the
#: Python type pyshacl expects. Anything else of the datatype is rechecked with rdflib.
SURE_LEXICAL = {
    str(XSD.integer): r"^[+-]?[0-9]+$",
    str(XSD.boolean): r"^(true|false)$",
    str(XSD.date): r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    str(XSD.decimal): r"^[+-]?[0-9]+(\.[0-9]+)?$",
}
#: Regular expressions whose meaning is the same for Oxigraph (Rust ``regex``) and Python ``re``,
#: except Python's ``$`` also matching before a final newline (the recheck handles it).
SAFE_PATTERN = re.compile(r"^(?:[\w^$()|\[\]{}+*?.,:/ -]|\\[.\-/()\[\]{}^$|?*+])*$")

#: a path that is one predicate (an IRI), as :func:`_term` writes it
_PREDICATE = re.compile(r"^<[^<>\s]+>$")

Recheck = Callable[[rdflib.term.Node, rdflib.term.Node | None, rdflib.term.Node | None], bool]


@dataclass(frozen=True)
class Check:
    """One compiled constraint of one shape.

    :param query: a SELECT query giving ``?this`` and, when the result has one, ``?value``
        (and ``?other`` for :data:`recheck` of property pairs).
    :param focus: when set, a SELECT query of the shape's focus nodes (``?this``): rows of
        ``query`` for other nodes are dropped (SPARQL-based constraints run with ``$this`` free).
    :param recheck: pyshacl's rule on a candidate row (rdflib terms): True when it is a result.
    :param target: the SPARQL group binding ``?this`` to the shape's focus nodes (the same
        text for every check of a shape): :mod:`.focused` asks it whether a node is a focus.
    :param one_focus: the query to run when ``?this`` is substituted by one node, when it is
        not ``query``: Oxigraph plans a query before the substitution, so a query written to
        scan the whole store fast (``rncpsh:selectOneFocus`` in the shapes) may be slow for one node.
    :param single_valued: for ``sh:maxCount 1`` on a predicate (``<iri>``): the check can have
        no result when no subject of the store has two values of the predicate, which one
        query without the focus nodes tells (:func:`.sparql_engine.has_two_values`).
    """

    shape: str
    component: str
    severity: Severity
    path: str
    query: str
    message_fr: str
    message_en: str
    focus: str | None = None
    recheck: Recheck | None = field(default=None, compare=False)
    condition: str | None = None
    target: str = ""
    one_focus: str | None = None
    single_valued: str | None = None


@dataclass(frozen=True)
class Batch:
    """Checks run by one query: several value checks of one property shape share a pass over its values.

    With more than one check, the query binds ``?c0``, ``?c1``... to each check's condition and
    a row belongs to the checks whose flag is true.
    """

    query: str
    checks: tuple[Check, ...]

    @property
    def one_focus(self) -> str:
        """The query to run with ``?this`` substituted by one node."""
        return self.checks[0].one_focus or self.query


def batches(checks: list[Check]) -> list[Batch]:
    """The checks grouped into queries: the value checks (``condition``) of each shape together."""
    groups: dict[tuple[str, str, str], list[Check]] = {}
    out: list[Batch] = []
    for check in checks:
        if check.condition is None or check.focus is not None:
            out.append(Batch(check.query, (check,)))
        else:
            groups.setdefault((check.shape, check.path, check.target), []).append(check)
    for (_, path, focus), group in groups.items():
        conditions = [c.condition for c in group if c.condition is not None]
        out.append(Batch(_value_query(focus, path, conditions), tuple(group)))  # one: the check's own query
    return out


def compile_shapes(shapes: rdflib.Graph, *, subclasses: bool = True) -> list[Check]:
    """Every check of every active shape with targets.

    :param subclasses: whether the data graph has ``rdfs:subClassOf`` triples: SHACL instances
        are then found through ``rdf:type/rdfs:subClassOf*`` (as pyshacl does), else through
        ``rdf:type`` alone (the same nodes, a cheaper query).

    :raises ValidationFailure: when a shape uses something this compiler does not reproduce.
    """
    components = _custom_components(shapes)
    type_path = SUB_CLASS if subclasses else TYPE
    checks: list[Check] = []
    seen: set[tuple[rdflib.term.Node, str]] = set()
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | {s for p in TARGETS for s in shapes.subjects(p, None)}
    for node in sorted(nodes, key=str):
        if _deactivated(shapes, node):
            continue
        focus = _focus_pattern(shapes, node, type_path)
        if focus is None:
            continue
        if (node, RDF.type, SH.PropertyShape) in shapes or shapes.value(node, SH.path) is not None:
            property_shapes = [node]
        else:
            _refuse_node_constraints(shapes, node, components)
            property_shapes = sorted(shapes.objects(node, SH.property), key=str)
        for prop in property_shapes:
            if _deactivated(shapes, prop) or (prop, focus) in seen:
                continue
            seen.add((prop, focus))
            checks.extend(_property_checks(shapes, prop, focus, components, type_path))
    return checks


# -- targets --------------------------------------------------------------------------------


def _focus_pattern(shapes: rdflib.Graph, node: rdflib.term.Node, type_path: str) -> str | None:
    """A SPARQL group binding ``?this`` to each focus node of ``node`` (None: no target)."""
    parts = []
    for cls in shapes.objects(node, SH.targetClass):
        parts.append(f"{{ ?this {type_path} {_term(cls)} }}")
    if (node, RDF.type, RDFS.Class) in shapes:  # implicit class target (SHACL §2.1.3.3)
        parts.append(f"{{ ?this {type_path} {_term(node)} }}")
    nodes = sorted(shapes.objects(node, SH.targetNode), key=str)
    if nodes:
        parts.append("{ VALUES ?this { " + " ".join(_term(n) for n in nodes) + " } }")
    for prop in shapes.objects(node, SH.targetSubjectsOf):
        parts.append(f"{{ ?this {_term(prop)} [] }}")
    for prop in shapes.objects(node, SH.targetObjectsOf):
        parts.append(f"{{ [] {_term(prop)} ?this }}")
    if not parts:
        return None
    return "{ " + " UNION ".join(sorted(parts)) + " }"


# -- property shapes ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    node: rdflib.term.Node
    iri: str
    path: str
    focus: str
    severity: Severity
    messages: dict[str | None, str]
    type_path: str = SUB_CLASS

    def check(self, component: rdflib.term.Node, query: str, **kwargs: object) -> Check:
        return _check(self, str(component), query, self.messages, **kwargs)

    def value_check(self, component: rdflib.term.Node, condition: str, recheck: Recheck | None = None) -> Check:
        """A check of each value of the path: ``condition`` holds for the candidate results."""
        return self.check(component, _values(self, condition), condition=condition, recheck=recheck)


def _check(shape: _Shape, component: str, query: str, messages: dict[str | None, str], **kwargs: object) -> Check:
    default = messages.get(None, "")
    return Check(
        shape=shape.iri,
        component=component,
        severity=shape.severity,
        path=shape.path,
        query=query,
        message_fr=messages.get("fr", default),
        message_en=messages.get("en", default),
        target=shape.focus,
        **kwargs,  # type: ignore[arg-type]
    )


def _property_checks(
    shapes: rdflib.Graph,
    prop: rdflib.term.Node,
    focus: str,
    components: dict[rdflib.term.Node, _Component],
    type_path: str = SUB_CLASS,
) -> list[Check]:
    path_node = shapes.value(prop, SH.path)
    if path_node is None:
        raise ValidationFailure("sparql strategy: a property shape has no sh:path", value=str(prop))
    path = path_text(shapes, path_node)
    iri = str(prop) if isinstance(prop, rdflib.URIRef) else f"_:{prop}"
    severity = Severity.from_iri(str(shapes.value(prop, SH.severity) or SH.Violation))
    shape = _Shape(prop, iri, path, focus, severity, _messages(shapes, prop), type_path)
    custom_params = {p for c in components.values() for p in c.parameters}
    checks: list[Check] = []
    for predicate in sorted(set(shapes.predicates(prop, None)), key=str):
        if predicate in NON_CONSTRAINTS or predicate in custom_params:
            continue
        builder = BUILDERS.get(predicate)
        if builder is None:
            if str(predicate).startswith(str(SH)):
                raise ValidationFailure(f"sparql strategy: constraint {_qname(predicate)} is not compiled", value=iri)
            continue  # an annotation of our own (rncpsh:scope...)
        for value in sorted(shapes.objects(prop, predicate), key=str):
            checks.extend(builder(shapes, shape, value))
    for component in components.values():
        if component.applies(shapes, prop):
            checks.append(component.check(shapes, shape))
    if any(c.component != str(SH.SPARQLConstraintComponent) for c in checks) and not shape.messages:
        raise ValidationFailure("sparql strategy: a shape without sh:message (generic messages)", value=iri)
    return checks


def _messages(shapes: rdflib.Graph, *nodes: rdflib.term.Node) -> dict[str | None, str]:
    """Language → message of the shape (and of its SPARQL constraint), as read from pyshacl's report."""
    found: dict[str | None, str] = {}
    for node in nodes:
        for message in shapes.objects(node, SH.message):
            if not isinstance(message, rdflib.Literal):
                raise ValidationFailure("sparql strategy: sh:message must be a literal", value=str(node))
            if "{" in str(message):
                raise ValidationFailure("sparql strategy: messages with {?var} placeholders", value=str(node))
            lang = message.language
            if found.get(lang, str(message)) != str(message):
                raise ValidationFailure("sparql strategy: two different messages in one language", value=str(node))
            found[lang] = str(message)
    return found


def _select(shape: _Shape, body: str, projection: str = "?this ?value") -> str:
    return f"SELECT DISTINCT {projection} WHERE {{ {shape.focus} {body} }}"


def _values(shape: _Shape, condition: str) -> str:
    """Focus nodes and values of the path for which ``condition`` (on ``?value``) holds."""
    return _value_query(shape.focus, shape.path, [condition])


def _value_query(focus: str, path: str, conditions: list[str]) -> str:
    """The focus nodes and values of ``path`` for which one of ``conditions`` holds; with more
    than one, ``?c0``, ``?c1``... say which (see :class:`Batch`).

    A condition that only looks at the value (datatype, node kind, pattern...) is tested first
    and the focus last, as ``FILTER EXISTS`` on the few rows left: joining the focus nodes first
    made Oxigraph enumerate them and hash-join them with every value (much slower on the block
    titles of a large export, benchmarks/README.md). A condition that looks things up — a filter reads the
    graph only through ``EXISTS`` (a class) — would then run for the values of every subject,
    focus or not: the focus is joined first.
    """
    if len(conditions) == 1:
        names, keep = "", f"FILTER ({conditions[0]})"
    else:
        flags = " ".join(f"BIND (({c}) AS ?c{i})" for i, c in enumerate(conditions))
        names = "".join(f" ?c{i}" for i in range(len(conditions)))
        keep = f"{flags} FILTER ({' || '.join(f'COALESCE(?c{i}, false)' for i in range(len(conditions)))})"
    if any("EXISTS" in c for c in conditions):
        body = f"{focus} ?this {path} ?value . {keep}"
    else:
        body = f"?this {path} ?value . {keep} FILTER EXISTS {{ {focus} }}"
    return f"SELECT DISTINCT ?this ?value{names} WHERE {{ {body} }}"


def _count(shape: _Shape, having: str, inner: str = "") -> str:
    return (
        f"SELECT ?this WHERE {{ {shape.focus} OPTIONAL {{ ?this {shape.path} ?v . {inner} }} }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) {having})"
    )


def _integer(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> int:
    if not isinstance(value, rdflib.Literal) or not isinstance(value.value, int):
        raise ValidationFailure("sparql strategy: a count must be an integer", value=shape.iri)
    return int(value.value)


def _min_count(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    n = _integer(shapes, shape, value)
    if n == 1:  # the common case, twice as fast as counting
        query = _select(shape, f"FILTER NOT EXISTS {{ ?this {shape.path} ?v }}", "?this")
        return [shape.check(SH.MinCountConstraintComponent, query)]
    return [shape.check(SH.MinCountConstraintComponent, _count(shape, f"< {n}"))] if n > 0 else []


def _max_count(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    n = _integer(shapes, shape, value)
    if n == 1:  # the common case: a value and another one, twice as fast as grouping and counting
        # (EXISTS, not a join: a node with n values costs n look-ups, not n² pairs)
        other = f"FILTER EXISTS {{ ?this {shape.path} ?w . FILTER (!sameTerm(?v, ?w)) }}"
        query = _select(shape, f"?this {shape.path} ?v . {other}", "?this")
        single = shape.path if _PREDICATE.match(shape.path) else None
        return [shape.check(SH.MaxCountConstraintComponent, query, single_valued=single)]
    return [shape.check(SH.MaxCountConstraintComponent, _count(shape, f"> {n}"))]


def _datatype(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    datatype = str(value)
    if value == XSD.string:
        sure = f"isLiteral(?value) && DATATYPE(?value) = <{XSD.string}>"
    elif value == RDF.langString:
        sure = 'isLiteral(?value) && LANG(?value) != ""'
    elif datatype in SURE_LEXICAL:
        sure = f'isLiteral(?value) && DATATYPE(?value) = <{datatype}> && REGEX(STR(?value), "{SURE_LEXICAL[datatype]}")'
    else:
        sure = "false"
    return [shape.value_check(SH.DatatypeConstraintComponent, f"!({sure})", _datatype_recheck(value))]


def _datatype_recheck(rule: rdflib.term.Node) -> Recheck:
    """pyshacl 0.40's DatatypeConstraintComponent on one value."""

    def failed(_: rdflib.term.Node, v: rdflib.term.Node | None, __: rdflib.term.Node | None) -> bool:
        if not isinstance(v, rdflib.Literal):
            return True
        if v.datatype == rule:
            return getattr(v, "ill_typed", None) is True or not _actual(v, rule)
        if rule == RDFS.Literal or (rule == RDFS.Datatype and v.datatype):
            return False
        if v.datatype is None and v.language is None and rule == XSD.string:
            return not _actual(v, rule)
        if rule == RDF.langString and v.language:
            return not _actual(v, rule)
        return True

    return failed


def _actual(v: rdflib.Literal, rule: rdflib.term.Node) -> bool:
    import datetime
    from decimal import Decimal

    kinds: dict[object, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: datetime.date,
        XSD.dateTime: datetime.datetime,
        XSD.time: datetime.time,
    }
    kind = kinds.get(rule)
    return True if kind is None else isinstance(v.value, kind)


def _pattern(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    flags = str(shapes.value(shape.node, SH.flags) or "")
    text = str(value)
    if not SAFE_PATTERN.match(text) or not set(flags) <= {"i"}:
        raise ValidationFailure(f"sparql strategy: sh:pattern {text!r} flags {flags!r} not compiled", value=shape.iri)
    python = re.compile(text, re.I if "i" in flags else 0)
    condition = f"isBlank(?value) || !REGEX(STR(?value), {_string(text)}{', ' + _string(flags) if flags else ''})"

    def failed(_: rdflib.term.Node, v: rdflib.term.Node | None, __: rdflib.term.Node | None) -> bool:
        if isinstance(v, rdflib.BNode) or v is None:
            return True
        if isinstance(v, rdflib.Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
            text = str(v.value)
        else:
            text = str(v)
        return not python.search(text)

    return [shape.value_check(SH.PatternConstraintComponent, condition, failed)]


def _in(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    members = list(rdflib.collection.Collection(shapes, value))
    condition = "!(" + (" || ".join(f"sameTerm(?value, {_term(m)})" for m in members) or "false") + ")"
    allowed = set(members)

    def failed(_: rdflib.term.Node, v: rdflib.term.Node | None, __: rdflib.term.Node | None) -> bool:
        return v not in allowed

    return [shape.value_check(SH.InConstraintComponent, condition, failed)]


def _class(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    condition = f"NOT EXISTS {{ ?value {shape.type_path} {_term(value)} }}"
    return [shape.value_check(SH.ClassConstraintComponent, condition)]


NODE_KINDS: dict[rdflib.term.Node, str] = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}


def _node_kind(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    if value not in NODE_KINDS:
        raise ValidationFailure(f"sparql strategy: unknown sh:nodeKind {value}", value=shape.iri)
    return [shape.value_check(SH.NodeKindConstraintComponent, f"!{NODE_KINDS[value]}")]


def _range(inclusive_min: bool) -> Callable[[rdflib.Graph, _Shape, rdflib.term.Node], list[Check]]:
    component = SH.MinInclusiveConstraintComponent if inclusive_min else SH.MaxInclusiveConstraintComponent
    operator = ">=" if inclusive_min else "<="

    def build(shapes: rdflib.Graph, shape: _Shape, bound: rdflib.term.Node) -> list[Check]:
        from pyshacl.rdfutil.compare import compare_literal

        if not isinstance(bound, rdflib.Literal) or bound.value is None:
            raise ValidationFailure("sparql strategy: a range bound must be a well-typed literal", value=shape.iri)
        datatype = str(bound.datatype or XSD.string)
        if datatype in SURE_LEXICAL:
            lexical = SURE_LEXICAL[datatype]
            sure = (
                f'isLiteral(?value) && DATATYPE(?value) = <{datatype}> && REGEX(STR(?value), "{lexical}")'
                f" && ?value {operator} {_term(bound)}"
            )
        else:
            sure = "false"
        bound_is_string = isinstance(bound.value, str)

        def failed(_: rdflib.term.Node, v: rdflib.term.Node | None, __: rdflib.term.Node | None) -> bool:
            if not isinstance(v, rdflib.Literal):
                return True  # blank nodes and IRIs never pass (pyshacl 0.40)
            if isinstance(v.value, str) != bound_is_string:
                return True
            try:
                order = int(compare_literal(v, bound))  # type: ignore[no-untyped-call]
            except (TypeError, NotImplementedError):
                return True
            return not (order >= 0 if inclusive_min else order <= 0)

        return [shape.value_check(component, f"!({sure})", failed)]

    return build


def _language_in(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    wanted = {str(m).lower() for m in rdflib.collection.Collection(shapes, value)}
    listed = ", ".join(_string(w) for w in sorted(wanted)) or '""'
    condition = f"!isLiteral(?value) || !(LCASE(LANG(?value)) IN ({listed}))"

    def failed(_: rdflib.term.Node, v: rdflib.term.Node | None, __: rdflib.term.Node | None) -> bool:
        if not isinstance(v, rdflib.Literal) or not v.language:
            return True
        lang = str(v.language).lower()
        return not ("*" in wanted or lang in wanted or lang.split("-")[0] in wanted)

    return [shape.value_check(SH.LanguageInConstraintComponent, condition, failed)]


def _unique_lang(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    if not (isinstance(value, rdflib.Literal) and isinstance(value.value, bool)):
        raise ValidationFailure("sparql strategy: sh:uniqueLang must be a boolean", value=shape.iri)
    if not value.value:
        return []
    query = (
        f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this ?lang (COUNT(DISTINCT ?v) AS ?n) "
        f'WHERE {{ {shape.focus} ?this {shape.path} ?v . FILTER (isLiteral(?v) && LANG(?v) != "") '
        f"BIND (LCASE(LANG(?v)) AS ?lang) }} GROUP BY ?this ?lang }} FILTER (?n > 1) }}"
    )
    return [shape.check(SH.UniqueLangConstraintComponent, query)]


def _has_value(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    query = _select(
        shape, f"FILTER NOT EXISTS {{ ?this {shape.path} ?v . FILTER (sameTerm(?v, {_term(value)})) }}", "?this"
    )
    return [shape.check(SH.HasValueConstraintComponent, query)]


def _less_than(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    if not isinstance(value, rdflib.URIRef):
        raise ValidationFailure("sparql strategy: sh:lessThan must be an IRI", value=shape.iri)
    sure = " && ".join(
        f'isLiteral({v}) && DATATYPE({v}) = <{XSD.date}> && REGEX(STR({v}), "{SURE_LEXICAL[str(XSD.date)]}")'
        for v in ("?value", "?other")
    )
    body = f"?this {shape.path} ?value . ?this {_term(value)} ?other . FILTER (!({sure} && ?value < ?other))"

    def failed(_: rdflib.term.Node, v: rdflib.term.Node | None, other: rdflib.term.Node | None) -> bool:
        if isinstance(v, rdflib.BNode) or isinstance(other, rdflib.BNode):
            raise ValidationFailure("Cannot use sh:lessThan to compare a BlankNode.", value=shape.iri)
        a, b = _comparable(v), _comparable(other)
        if isinstance(a, str) != isinstance(b, str):
            return True
        return not a < b  # type: ignore[operator]

    return [shape.check(SH.LessThanConstraintComponent, _select(shape, body, "?this ?value ?other"), recheck=failed)]


def _comparable(node: rdflib.term.Node | None) -> object:
    if isinstance(node, rdflib.URIRef):
        return str(node)
    if isinstance(node, rdflib.Literal) and isinstance(node.value, str):
        return node.value
    return node


def _qualified(shapes: rdflib.Graph, shape: _Shape, value: rdflib.term.Node) -> list[Check]:
    """sh:qualifiedValueShape whose shape holds only sh:in (what the shapes use)."""
    inner = set(shapes.predicates(value, None)) - {RDF.type}
    disjoint = shapes.value(shape.node, SH.qualifiedValueShapesDisjoint)
    if inner != {SH["in"]} or (disjoint is not None and bool(getattr(disjoint, "value", False))):
        raise ValidationFailure("sparql strategy: sh:qualifiedValueShape other than one sh:in", value=shape.iri)
    members = list(rdflib.collection.Collection(shapes, shapes.value(value, SH["in"]) or RDF.nil))
    condition = "FILTER (" + (" || ".join(f"sameTerm(?v, {_term(m)})" for m in members) or "false") + ")"
    checks = []
    low = shapes.value(shape.node, SH.qualifiedMinCount)
    high = shapes.value(shape.node, SH.qualifiedMaxCount)
    if low is not None and _integer(shapes, shape, low) > 0:
        query = _count(shape, f"< {_integer(shapes, shape, low)}", condition)
        checks.append(shape.check(SH.QualifiedMinCountConstraintComponent, query))
    if high is not None:
        query = _count(shape, f"> {_integer(shapes, shape, high)}", condition)
        checks.append(shape.check(SH.QualifiedMaxCountConstraintComponent, query))
    return checks


def _sparql(shapes: rdflib.Graph, shape: _Shape, constraint: rdflib.term.Node) -> list[Check]:
    if _deactivated(shapes, constraint):
        return []
    known = {RDF.type, SH.select, SH.prefixes, SH.message, SH.deactivated, SELECT_ONE_FOCUS}
    extra = set(shapes.predicates(constraint, None)) - known
    if extra:
        raise ValidationFailure(f"sparql strategy: sh:sparql with {sorted(map(str, extra))}", value=shape.iri)
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise ValidationFailure("sparql strategy: sh:sparql without sh:select", value=shape.iri)
    query = _prepare(shapes, shape, constraint, str(select), {})
    one_focus = shapes.value(constraint, SELECT_ONE_FOCUS)
    messages = {**shape.messages, **_messages(shapes, constraint)}
    if _messages(shapes, constraint) and any(shape.messages.get(k, v) != v for k, v in messages.items()):
        raise ValidationFailure("sparql strategy: the constraint's messages differ from the shape's", value=shape.iri)
    return [
        _check(
            shape,
            str(SH.SPARQLConstraintComponent),
            query,
            messages,
            focus=_select(shape, "", "?this"),
            one_focus=_prepare(shapes, shape, constraint, str(one_focus), {}) if one_focus is not None else None,
        )
    ]


def _prepare(
    shapes: rdflib.Graph, shape: _Shape, holder: rdflib.term.Node, text: str, parameters: dict[str, rdflib.term.Node]
) -> str:
    """The query of a SPARQL-based constraint with its prefixes, ``$PATH`` and parameters substituted."""
    if re.search(r"\b(SERVICE|LOAD|FROM)\b", text, re.I):
        raise ValidationFailure("sparql strategy: SERVICE / FROM / LOAD in a SPARQL constraint", value=shape.iri)
    if re.search(r"[?$](failure|currentShape|shapesGraph)\b", text):
        raise ValidationFailure(
            "sparql strategy: ?failure, $currentShape and $shapesGraph not compiled", value=shape.iri
        )
    text = text.replace("$PATH", shape.path)
    for name, term in parameters.items():
        text = re.sub(rf"\$({name})\b", _term(term).replace("\\", "\\\\"), text)
    return _prologue(shapes, holder) + text


def _prologue(shapes: rdflib.Graph, holder: rdflib.term.Node) -> str:
    lines = set()
    for ontology in shapes.objects(holder, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            lines.add(f"PREFIX {shapes.value(declaration, SH.prefix)}: <{shapes.value(declaration, SH.namespace)}>")
    return "\n".join(sorted(lines)) + "\n"


# -- SPARQL-based constraint components -------------------------------------------------------


@dataclass(frozen=True)
class _Component:
    node: rdflib.term.Node
    parameters: dict[rdflib.term.Node, bool]  # parameter path → optional
    validator: rdflib.term.Node

    def applies(self, shapes: rdflib.Graph, prop: rdflib.term.Node) -> bool:
        return all((prop, p, None) in shapes for p, optional in self.parameters.items() if not optional)

    def check(self, shapes: rdflib.Graph, shape: _Shape) -> Check:
        values: dict[str, rdflib.term.Node] = {}
        for parameter in self.parameters:
            found = list(shapes.objects(shape.node, parameter))
            if len(found) > 1:
                raise ValidationFailure("sparql strategy: a parameter with several values", value=shape.iri)
            if found:
                values[_local_name(parameter)] = found[0]
        select = shapes.value(self.validator, SH.select)
        query = _prepare(shapes, shape, self.validator, str(select), values)
        messages = {**shape.messages, **_messages(shapes, self.validator)}
        return _check(shape, str(self.node), query, messages, focus=_select(shape, "", "?this"))


def _local_name(iri: rdflib.term.Node) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _custom_components(shapes: rdflib.Graph) -> dict[rdflib.term.Node, _Component]:
    found = {}
    for node in shapes.subjects(RDF.type, SH.ConstraintComponent):
        if _deactivated(shapes, node):
            continue
        parameters: dict[rdflib.term.Node, bool] = {}
        for parameter in shapes.objects(node, SH.parameter):
            path = shapes.value(parameter, SH.path)
            if path is None:
                raise ValidationFailure("sparql strategy: a parameter without sh:path", value=str(node))
            optional = shapes.value(parameter, SH.optional)
            parameters[path] = bool(getattr(optional, "value", False))
        validators = list(shapes.objects(node, SH.propertyValidator))
        others = [v for p in (SH.validator, SH.nodeValidator) for v in shapes.objects(node, p)]
        if len(validators) != 1 or others or (validators[0], RDF.type, SH.SPARQLSelectValidator) not in shapes:
            raise ValidationFailure("sparql strategy: only one SPARQL SELECT property validator", value=str(node))
        found[node] = _Component(node, parameters, validators[0])
    return found


# -- helpers --------------------------------------------------------------------------------


def _deactivated(shapes: rdflib.Graph, node: rdflib.term.Node) -> bool:
    value = shapes.value(node, SH.deactivated)
    return isinstance(value, rdflib.Literal) and value.value is True


def _refuse_node_constraints(
    shapes: rdflib.Graph, node: rdflib.term.Node, components: dict[rdflib.term.Node, _Component]
) -> None:
    params = {p for c in components.values() for p in c.parameters}
    for predicate in set(shapes.predicates(node, None)):
        if (
            predicate in BUILDERS
            or predicate in params
            or (str(predicate).startswith(str(SH)) and predicate not in NON_CONSTRAINTS)
        ):
            raise ValidationFailure(
                f"sparql strategy: constraints of a node shape itself ({_qname(predicate)}) are not compiled",
                value=str(node),
            )


def _qname(predicate: rdflib.term.Node) -> str:
    text = str(predicate)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else f"<{text}>"


def _term(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.BNode):
        raise ValidationFailure("sparql strategy: a blank node as a constraint parameter", value=str(term))
    return term.n3()


def _string(text: str) -> str:
    return rdflib.Literal(text).n3()


Builder = Callable[[rdflib.Graph, _Shape, rdflib.term.Node], list[Check]]
BUILDERS: dict[rdflib.term.Node, Builder] = {
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.datatype: _datatype,
    SH.pattern: _pattern,
    SH["in"]: _in,
    SH["class"]: _class,
    SH.nodeKind: _node_kind,
    SH.minInclusive: _range(True),
    SH.maxInclusive: _range(False),
    SH.languageIn: _language_in,
    SH.uniqueLang: _unique_lang,
    SH.hasValue: _has_value,
    SH.lessThan: _less_than,
    SH.qualifiedValueShape: _qualified,
    SH.sparql: _sparql,
}
