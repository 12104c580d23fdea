"""Europass export: each certification as an ELM v3 ``elm:Qualification`` (LOQ profile).

=========================  ====================================================================
certification              ``elm:Qualification``: ``dcterms:title``, ``dcterms:description``
                           (objectives), ``adms:identifier`` (fiche number), ``elm:EQFLevel``
                           (Niveau n → ``eqf/n``, 1:1 since 2019), ``elm:NQFLevel`` (our
                           Niveau concept), ``elm:entryRequirement``, ``elm:learningOutcome``
competency block           ``elm:Qualification`` with ``elm:isPartialQualification true`` and
                           ``elm:isPartOf`` its certification (which ``elm:hasPart`` it); its
                           description (older fiches give prose, not a competency list) as
                           ``elm:learningOutcomeSummary`` → ``elm:Note``
competency                 ``elm:LearningOutcome`` (``dcterms:title``; ``elm:relatedESCOSkill``
                           for the ESCO links of ``graph/links/esco`` when loaded)
certifier                  ``elm:Organisation`` via ``elm:awardingOpportunity`` /
                           ``elm:awardingBody``; SIRET as ``rov:registration`` legal identifier
=========================  ====================================================================

Left out on purpose: ``elm:ISCEDFCode`` (no NSF → ISCED-F correspondence we can justify;
the profile's minCount 1 is then reported, see :mod:`.elm_shacl`). Every intermediate node
(identifiers, notes, awarding opportunities, locations, addresses) has a minted IRI
(:func:`.iris_vocab.elm_node`): no blank nodes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCTERMS, RDF, SKOS

from .. import iris
from ..namespaces import ELM, EQF
from ..store import GraphStore
from ..terms import Triple, boolean, fr, string, term_iri
from . import iris_vocab
from .elm_shacl import SourceFacts
from .esco_data import ESCO_SKILL_SCHEME

log = logging.getLogger(__name__)

# Vocabularies ELM reuses that rdflib does not ship (to move to namespaces.py: asked for).
ADMS = Namespace("http://www.w3.org/ns/adms#")
ROV = Namespace("http://www.w3.org/ns/regorg#")

A = term_iri(RDF.type)
T = {name: term_iri(ELM[name]) for name in (
    "Qualification", "LearningOutcome", "Organisation", "LegalIdentifier", "Identifier", "Note", "AwardingOpportunity",
    "Address", "EQFLevel", "NQFLevel", "learningOutcome", "isPartialQualification", "isPartOf", "hasPart",
    "relatedESCOSkill", "awardingOpportunity", "awardingBody", "learningAchievementSpecification", "location",
    "address", "countryCode", "noteLiteral", "entryRequirement", "schemeName", "learningOutcomeSummary",
)}  # fmt: skip
TITLE, DESCRIPTION, SPATIAL, LOCATION = (
    term_iri(p) for p in (DCTERMS.title, DCTERMS.description, DCTERMS.spatial, DCTERMS.Location)
)
IDENTIFIER, REGISTRATION, LEGAL_NAME = term_iri(ADMS.identifier), term_iri(ROV.registration), term_iri(ROV.legalName)
CONCEPT, SCHEME, IN_SCHEME = term_iri(SKOS.Concept), term_iri(SKOS.ConceptScheme), term_iri(SKOS.inScheme)
NOTATION, PREF = term_iri(SKOS.notation), term_iri(SKOS.prefLabel)
EQF_SCHEME = str(EQF) + "25831c2"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
FRANCE = COUNTRY_SCHEME + "/FRA"


@dataclass
class Certification:
    """What the export needs of one certification (or block), read from the store."""

    iri: str
    number: str
    titles: list[str] = field(default_factory=list)
    level: int | None = None
    objectives: list[str] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)  # a block's description
    competencies: set[str] = field(default_factory=set)
    blocks: list[str] = field(default_factory=list)
    part_of: str | None = None
    certifiers: set[str] = field(default_factory=set)
    loaders: set[str] = field(default_factory=set)  # of the source graphs stating the fiche


#: loaders (``rncp:loader`` of a source graph) whose format holds no competency text: the
#: official CSV export (``Standard`` has 16 columns, blocks have a code and a label only)
NO_COMPETENCY_TEXT = frozenset({"csv"})


@dataclass
class ElmSource:
    """Everything read from the store for the export."""

    qualifications: dict[str, Certification] = field(default_factory=dict)
    competencies: dict[str, str] = field(default_factory=dict)  # IRI → text
    organisations: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # IRI → (name, SIRET)
    esco: dict[str, set[str]] = field(default_factory=dict)  # competency IRI → ESCO skill IRIs

    def facts(self) -> SourceFacts:
        """For the validation: the qualifications read only from formats without competency text
        (a block: its certification's sources)."""

        def sources(q: Certification) -> set[str]:
            parent = self.qualifications.get(q.part_of or "")
            return parent.loaders if parent is not None else q.loaders

        return SourceFacts(
            frozenset(iri for iri, q in self.qualifications.items() if sources(q) and sources(q) <= NO_COMPETENCY_TEXT)
        )


def _v(row: Mapping[str, object], key: str) -> str | None:
    term = row.get(key)
    return getattr(term, "value", None)


def read_source(store: GraphStore) -> ElmSource:
    """Certifications, blocks, competencies, certifiers and ESCO skill links from ``store``."""
    src = ElmSource()
    q = (
        "SELECT ?c ?n ?t ?l ?o ?p WHERE { ?c a rncp:Certification ; rncp:ficheNumber ?n . OPTIONAL { ?c rncp:title ?t }"
        " OPTIONAL { ?c rncp:level ?l } OPTIONAL { ?c rncp:objectives ?o } OPTIONAL { ?c rncp:entryPrerequisites ?p } }"
    )
    for r in store.select(q):
        cert = src.qualifications.setdefault(_v(r, "c") or "", Certification(_v(r, "c") or "", _v(r, "n") or ""))
        _add(cert.titles, _v(r, "t"))
        _add(cert.objectives, _v(r, "o"))
        _add(cert.prerequisites, _v(r, "p"))
        level = _v(r, "l")
        if level and level.rsplit("/", 1)[-1].isdigit():
            cert.level = int(level.rsplit("/", 1)[-1])
    _read_blocks(store, src)
    for r in store.select("SELECT ?x ?k ?t WHERE { ?x rncp:competency ?k . ?k rncp:text ?t }"):
        owner = src.qualifications.get(_v(r, "x") or "")
        if owner is not None:
            owner.competencies.add(_v(r, "k") or "")
            src.competencies[_v(r, "k") or ""] = _v(r, "t") or ""
    _read_certifiers(store, src)
    _read_esco(store, src)
    _read_loaders(store, src)
    return src


def _add(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def _read_blocks(store: GraphStore, src: ElmSource) -> None:
    q = (
        "SELECT ?b ?c ?code ?t ?d WHERE { ?b a rncp:CompetencyBlock ; rncp:isBlockOf ?c ; rncp:blockCode ?code ."
        " OPTIONAL { ?b rncp:title ?t } OPTIONAL { ?b rncp:blockDescription ?d } }"
    )
    for r in store.select(q):
        parent = src.qualifications.get(_v(r, "c") or "")
        iri = _v(r, "b") or ""
        block = src.qualifications.setdefault(iri, Certification(iri, _v(r, "code") or "", part_of=_v(r, "c")))
        _add(block.titles, _v(r, "t"))
        _add(block.summaries, _v(r, "d"))
        if parent is not None:
            block.level = parent.level
            _add(parent.blocks, iri)


def _read_certifiers(store: GraphStore, src: ElmSource) -> None:
    q = "SELECT ?c ?o ?n ?s WHERE { ?c rncp:certifier ?o . ?o rncp:legalName ?n . OPTIONAL { ?o rncp:siret ?s } }"
    for r in store.select(q):
        cert = src.qualifications.get(_v(r, "c") or "")
        if cert is not None:
            cert.certifiers.add(_v(r, "o") or "")
            src.organisations[_v(r, "o") or ""] = (_v(r, "n") or "", _v(r, "s"))


def _read_loaders(store: GraphStore, src: ElmSource) -> None:
    q = "SELECT DISTINCT ?c ?loader WHERE { GRAPH ?g { ?c rncp:ficheNumber ?n } ?g rncp:loader ?loader }"
    for r in store.select(q):
        cert = src.qualifications.get(_v(r, "c") or "")
        if cert is not None:
            cert.loaders.add(_v(r, "loader") or "")


def _read_esco(store: GraphStore, src: ElmSource) -> None:
    graph = ox.NamedNode(iris_vocab.links_graph("esco"))
    q = (
        "SELECT ?k ?e ?g ?skill WHERE {"
        " GRAPH ?g { ?k skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch ?e }"
        " FILTER(STRSTARTS(STR(?e), ?skill)) }"
    )
    for r in store.select(q, {"g": graph, "skill": ox.Literal("http://data.europa.eu/esco/skill/")}):
        src.esco.setdefault(_v(r, "k") or "", set()).add(_v(r, "e") or "")


# -- triples --------------------------------------------------------------------------------
def elm_triples(src: ElmSource) -> Iterator[Triple]:
    """The ELM graph of everything in ``src`` (deterministic order of generation)."""
    for iri in sorted(src.qualifications):
        yield from qualification_triples(src.qualifications[iri], src)
    for iri in sorted({k for q in src.qualifications.values() for k in q.competencies}):
        yield from outcome_triples(iri, src.competencies[iri], sorted(src.esco.get(iri, ())))
    for iri in sorted({o for q in src.qualifications.values() for o in q.certifiers}):
        yield from organisation_triples(iri, *src.organisations[iri])
    yield from reference_concepts(src)


def qualification_triples(q: Certification, src: ElmSource) -> Iterator[Triple]:
    node = f"<{q.iri}>"
    yield node, A, T["Qualification"]
    for title in q.titles or [q.number]:
        yield node, TITLE, fr(title)
    for text in q.objectives:
        yield node, DESCRIPTION, fr(text)
    ident = f"<{iris_vocab.elm_node(q.iri, 'identifier')}>"
    yield node, IDENTIFIER, ident
    yield ident, A, T["Identifier"]
    yield ident, NOTATION, string(q.number)
    yield ident, T["schemeName"], string("RS" if q.number.startswith("RS") else "RNCP")
    if q.level is not None:
        yield node, T["EQFLevel"], f"<{EQF[str(q.level)]}>"
        yield node, T["NQFLevel"], f"<{iris.level(q.level)}>"
    if q.prerequisites:
        note = f"<{iris_vocab.elm_node(q.iri, 'entry-requirement')}>"
        yield node, T["entryRequirement"], note
        yield note, A, T["Note"]
        yield note, T["noteLiteral"], fr("\n".join(q.prerequisites))
    if q.summaries:
        summary = f"<{iris_vocab.elm_node(q.iri, 'learning-outcome-summary')}>"
        yield node, T["learningOutcomeSummary"], summary
        yield summary, A, T["Note"]
        yield summary, T["noteLiteral"], fr("\n".join(q.summaries))
    for k in sorted(q.competencies):
        yield node, T["learningOutcome"], f"<{k}>"
    yield from _parts(node, q)
    for org in sorted(q.certifiers):
        yield from _awarding(q, org, src)


def _parts(node: str, q: Certification) -> Iterator[Triple]:
    if q.part_of is not None:
        yield node, T["isPartialQualification"], boolean(True)
        yield node, T["isPartOf"], f"<{q.part_of}>"
    for block in sorted(q.blocks):
        yield node, T["hasPart"], f"<{block}>"


def _awarding(q: Certification, org: str, src: ElmSource) -> Iterator[Triple]:
    _, siret = src.organisations[org]
    key = siret or org.rsplit("/", 1)[-1]
    ao = f"<{iris_vocab.elm_node(q.iri, 'awarding', key)}>"
    yield f"<{q.iri}>", T["awardingOpportunity"], ao
    yield ao, A, T["AwardingOpportunity"]
    yield ao, T["awardingBody"], f"<{org}>"
    yield ao, T["learningAchievementSpecification"], f"<{q.iri}>"


def outcome_triples(iri: str, text: str, skills: list[str]) -> Iterator[Triple]:
    node = f"<{iri}>"
    yield node, A, T["LearningOutcome"]
    yield node, TITLE, fr(text)
    for skill in skills:
        yield node, T["relatedESCOSkill"], f"<{skill}>"
        yield f"<{skill}>", A, CONCEPT
        yield f"<{skill}>", IN_SCHEME, f"<{ESCO_SKILL_SCHEME}>"


def organisation_triples(iri: str, name: str, siret: str | None) -> Iterator[Triple]:
    """An awarding body; with a SIRET (a French register) its legal identifier and country."""
    node = f"<{iri}>"
    yield node, A, T["Organisation"]
    yield node, LEGAL_NAME, fr(name)
    if not siret:
        return
    legal = f"<{iris_vocab.elm_node(iri, 'legal-identifier')}>"
    yield node, REGISTRATION, legal
    yield legal, A, T["LegalIdentifier"]
    yield legal, NOTATION, string(siret)
    yield legal, T["schemeName"], string("SIRET")
    yield legal, SPATIAL, f"<{FRANCE}>"
    location, address = (f"<{iris_vocab.elm_node(iri, kind)}>" for kind in ("location", "address"))
    yield node, T["location"], location
    yield location, A, LOCATION
    yield location, T["address"], address
    yield address, A, T["Address"]
    yield address, T["countryCode"], f"<{FRANCE}>"


def reference_concepts(src: ElmSource) -> Iterator[Triple]:
    """The few external concepts the export points to, typed as the profile checks them."""
    levels = sorted({q.level for q in src.qualifications.values() if q.level is not None})
    for n in levels:
        yield f"<{EQF[str(n)]}>", A, CONCEPT
        yield f"<{EQF[str(n)]}>", IN_SCHEME, f"<{EQF_SCHEME}>"
        yield f"<{EQF[str(n)]}>", PREF, f'"Level {n}"@en'
        yield f"<{iris.level(n)}>", A, CONCEPT
        yield f"<{iris.level(n)}>", IN_SCHEME, f"<{iris.scheme('level')}>"
        yield f"<{iris.level(n)}>", PREF, fr(f"Niveau {n}")
    for scheme in (EQF_SCHEME, iris.scheme("level"), COUNTRY_SCHEME, ESCO_SKILL_SCHEME):
        yield f"<{scheme}>", A, SCHEME
    yield f"<{FRANCE}>", A, CONCEPT
    yield f"<{FRANCE}>", IN_SCHEME, f"<{COUNTRY_SCHEME}>"
    yield f"<{FRANCE}>", PREF, fr("France")
