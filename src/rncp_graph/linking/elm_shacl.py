"""Validating the ELM export with pyshacl against the ELM LOQ application profile.

The profile comes in two files (EUPL-1.2, read in place, never copied into the project):
``LOQ-constraints.ttl`` (classes, cardinalities, datatypes) and ``LOQ-constraints-mdr.ttl``
(which controlled vocabulary each value must come from).

Known defect: in ``LOQ-constraints-mdr.ttl`` the node shape ``EscoSkillRestriction`` requires
the ``skos:inScheme`` of an ``elm:relatedESCOSkill`` value to match
``^https://ec.europa.eu/esco/skill/`` — a namespace ESCO does not use (its skills are
``http://data.europa.eu/esco/skill/...`` in ``http://data.europa.eu/esco/concept-scheme/skills``),
so every real ESCO skill is rejected. :func:`esco_pattern_defects` detects this by testing
the pattern against real ESCO IRIs, and :func:`corrected_shapes` replaces that one pattern in
an in-memory copy of the shapes. Nothing else is changed.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SH

from ..errors import ValidationFailure
from ..namespaces import ELM
from .esco_data import ESCO_SKILL_SCHEME

log = logging.getLogger(__name__)

ROV = rdflib.Namespace("http://www.w3.org/ns/regorg#")
SHAPE_FILES = ("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl")
#: Real ESCO IRIs a pattern on ESCO skills must accept: the skills scheme and "gérer des budgets".
REAL_ESCO = (ESCO_SKILL_SCHEME, "http://data.europa.eu/esco/skill/21c5790c-0930-4d74-b3b0-84caf5af12ea")
CORRECT_PATTERN = r"^http://data\.europa\.eu/esco/(concept-scheme/.*skill|skill/)"
#: (path, constraint component) → why the export does not meet it (documented in docs/linking.md).
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("elm:ISCEDFCode", "MinCountConstraintComponent"): "no NSF → ISCED-F correspondence we can justify; left out",
    ("elm:NQFLevel", "NodeConstraintComponent"): "the French Niveau concepts are not in the QDR NQF list (nqf.xsd)",
    ("elm:EQFLevel", "MinCountConstraintComponent"): "certification without a level (Répertoire spécifique)",
    ("elm:NQFLevel", "MinCountConstraintComponent"): "certification without a level (Répertoire spécifique)",
    ("elm:learningOutcome", "MinCountConstraintComponent, summary only"): (
        "the fiche describes the block in prose (exported as elm:learningOutcomeSummary), it lists no competency"
    ),
    ("elm:learningOutcome", "MinCountConstraintComponent, source without competencies"): (
        "read from the official CSV export only, whose columns hold no competency text"
    ),
    ("elm:location", "MinCountConstraintComponent, no SIRET"): (
        "the register gives the certifier no SIRET: no country can be stated"
    ),
}


@dataclass(frozen=True)
class SourceFacts:
    """What the store knows about where each qualification comes from, and the ELM graph does not say.

    :param without_competencies: the qualifications (certifications and their blocks) read only
        from sources whose format holds no competency text (:data:`rncp_graph.linking.elm.NO_COMPETENCY_TEXT`).
    """

    without_competencies: frozenset[str] = frozenset()


#: a test on one result: its focus node, the ELM graph, the facts of the sources
Check = Callable[[rdflib.term.Node, rdflib.Graph, SourceFacts], bool]
#: (path, constraint component) → (qualifier, test) in order: a result whose focus node passes a
#: test is counted under the component with that qualifier appended, a gap of its own
#: (:data:`KNOWN_GAPS`); the same violation passing none stays unexpected (a block with neither
#: competencies nor text in an export that has them; a certifier with a SIRET but no location).
QUALIFIED: dict[tuple[str, str], list[tuple[str, Check]]] = {
    ("elm:learningOutcome", "MinCountConstraintComponent"): [
        ("summary only", lambda focus, data, _: (focus, ELM.learningOutcomeSummary, None) in data),
        ("source without competencies", lambda focus, _, facts: str(focus) in facts.without_competencies),
    ],
    ("elm:location", "MinCountConstraintComponent"): [
        ("no SIRET", lambda focus, data, _: (focus, ROV.registration, None) not in data),
    ],
}


@dataclass(frozen=True)
class Defect:
    """A pattern in the shapes that rejects real ESCO IRIs."""

    shape: str
    pattern: str
    rejected: tuple[str, ...]


@dataclass
class ElmReport:
    """The outcome of validating an ELM graph."""

    conforms: bool
    results: Counter[tuple[str, str]] = field(default_factory=Counter)
    defects: list[Defect] = field(default_factory=list)
    corrected: bool = False

    @property
    def unexpected(self) -> Counter[tuple[str, str]]:
        """Violations that are not documented gaps of the export."""
        return Counter({k: n for k, n in self.results.items() if k not in KNOWN_GAPS})

    @property
    def known(self) -> Counter[tuple[str, str]]:
        return Counter({k: n for k, n in self.results.items() if k in KNOWN_GAPS})


def load_shapes(elm_dir: Path) -> rdflib.Graph:
    """Both LOQ shape files of ``elm_dir`` merged into one rdflib graph.

    :raises ValidationFailure: when a file is missing or does not parse.
    """
    shapes = rdflib.Graph()
    for name in SHAPE_FILES:
        path = elm_dir / name
        try:
            shapes.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValidationFailure(f"cannot read ELM shapes: {exc}", file=str(path)) from exc
    return shapes


def esco_pattern_defects(shapes: rdflib.Graph) -> list[Defect]:
    """Node shapes reached from ``elm:relatedESCOSkill`` whose ``sh:pattern`` rejects real ESCO IRIs."""
    defects = []
    for prop in shapes.subjects(SH.path, ELM.relatedESCOSkill):
        for node_shape in shapes.objects(prop, SH.node):
            for inner in shapes.objects(node_shape, SH.property):
                for pattern in shapes.objects(inner, SH.pattern):
                    rejected = tuple(i for i in REAL_ESCO if not re.search(str(pattern), i))
                    if len(rejected) == len(REAL_ESCO):
                        defects.append(Defect(str(node_shape), str(pattern), rejected))
    for d in defects:
        log.warning("ELM shapes: %s has sh:pattern %r, which rejects every real ESCO IRI", d.shape, d.pattern)
    return defects


def corrected_shapes(shapes: rdflib.Graph, defects: list[Defect]) -> rdflib.Graph:
    """A copy of ``shapes`` where each defective pattern is replaced by :data:`CORRECT_PATTERN`."""
    fixed = rdflib.Graph()
    for triple in shapes:
        fixed.add(triple)
    bad = {d.pattern for d in defects}
    for s, _, o in list(fixed.triples((None, SH.pattern, None))):
        if str(o) in bad:
            fixed.remove((s, SH.pattern, o))
            fixed.add((s, SH.pattern, rdflib.Literal(CORRECT_PATTERN)))
    return fixed


def validate_elm(
    data: rdflib.Graph, elm_dir: Path, *, correct: bool = True, facts: SourceFacts | None = None
) -> ElmReport:
    """Validate ``data`` against the LOQ profile (with the ESCO pattern corrected unless ``correct=False``).

    :param facts: what the sources say that ``data`` does not, for the qualifiers of :data:`QUALIFIED`.
    """
    from pyshacl import validate

    shapes = load_shapes(elm_dir)
    defects = esco_pattern_defects(shapes)
    if correct and defects:
        shapes = corrected_shapes(shapes, defects)
    try:
        conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    except Exception as exc:  # pyshacl raises its own error types on bad shapes
        raise ValidationFailure(f"pyshacl failed on the ELM shapes: {exc}") from exc
    report = ElmReport(
        bool(conforms), _count(results, data, facts or SourceFacts()), defects, correct and bool(defects)
    )
    log.info("ELM validation: conforms=%s, %d results", report.conforms, sum(report.results.values()))
    return report


def _count(results: rdflib.Graph, data: rdflib.Graph, facts: SourceFacts) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    top_level = [
        r for report in results.subjects(RDF.type, SH.ValidationReport) for r in results.objects(report, SH.result)
    ]
    for result in top_level:  # nested sh:detail results are explained by their parent
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        path = results.value(result, SH.resultPath)
        component = str(results.value(result, SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1]
        key = (data.namespace_manager.normalizeUri(str(path)) if path is not None else "-", component)
        focus = results.value(result, SH.focusNode)
        qualifier = next(
            (q for q, test in QUALIFIED.get(key, []) if focus is not None and test(focus, data, facts)), None
        )
        counts[(key[0], f"{component}, {qualifier}") if qualifier else key] += 1
    return counts


def missing_elm_terms(data: rdflib.Graph, elm_ttl: Path) -> list[str]:
    """``elm:`` terms used by ``data`` (as predicate or class) that ``ELM.ttl`` does not declare."""
    try:
        ontology = rdflib.Graph().parse(elm_ttl, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailure(f"cannot read the ELM ontology: {exc}", file=str(elm_ttl)) from exc
    declared = {str(s) for s in ontology.subjects() if str(s).startswith(str(ELM))}
    used = {str(p) for p in data.predicates()} | {str(o) for o in data.objects(None, RDF.type)}
    return sorted(t for t in used if t.startswith(str(ELM)) and t not in declared)
