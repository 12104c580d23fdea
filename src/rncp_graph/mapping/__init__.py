"""The mapping: model objects → triples. The only place that knows the ontology's terms.

:func:`fiche_to_triples` is pure: a :class:`~rncp_graph.model.Fiche` in, a list of
N-Triples-encoded triples out (see :mod:`rncp_graph.terms`). No blank nodes: every node
has an IRI minted by :mod:`rncp_graph.iris`, so the same input gives the same triples.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from rdflib.namespace import RDF

from .. import iris
from ..errors import InvalidIRI
from ..model import CertifierChange, Fiche, Organisation, Register
from ..namespaces import RNCP
from ..terms import Triple, boolean, fr, integer, iri, line, lines_to_bytes, string, term_iri, xsd_date
from .codes import code_iri, concept_triples
from .parts import (
    ACTIVITY,
    COMPETENCY,
    Described,
    access_triples,
    block_triples,
    correspondence_triples,
    job_type_group_triples,
    lineage_triples,
    publication_triples,
    statistics_triples,
    text_node_triples,
)

__all__ = ["fiche_to_triples", "fiches_to_ntriples", "ntriples_chunks", "organisation_triples", "source_triples"]

log = logging.getLogger(__name__)

A = term_iri(RDF.type)
P = {name: term_iri(getattr(RNCP, name)) for name in RNCP.__annotations__}

#: Single-valued fiche fields: attribute → (property, encoder). One table, no if-chain.
SCALARS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "title": (P["title"], fr),
    "expiry_date": (P["expiryDate"], xsd_date),
    "decision_date": (P["decisionDate"], xsd_date),
    "last_delivery_date": (P["lastDeliveryDate"], xsd_date),
    "last_jo_date": (P["lastOfficialJournalDate"], xsd_date),
    "registration_type": (P["registrationType"], fr),
    "registration_years": (P["registrationDurationYears"], integer),
    "objectives": (P["objectives"], fr),
    "evaluation": (P["evaluationModalities"], fr),
    "block_acquisition": (P["blockAcquisition"], fr),
    "sectors": (P["activitySectors"], fr),
    "regulation": (P["regulatoryReferences"], fr),
    "entry_prerequisites": (P["entryPrerequisites"], fr),
    "validation_prerequisites": (P["validationPrerequisites"], fr),
    "distinct_block_prerequisites": (P["distinctBlockPrerequisites"], boolean),
    "new_caledonia": (P["newCaledonia"], boolean),
    "french_polynesia": (P["frenchPolynesia"], boolean),
    "training_bodies_note": (P["trainingBodiesNote"], fr),
    "partial_validation": (P["partialValidation"], boolean),
    "record_state": (P["recordState"], fr),
    "effective_date": (P["effectiveDate"], xsd_date),
    "publication_date": (P["fichePublicationDate"], xsd_date),
    "job_types_text": (P["jobTypesText"], fr),
}

#: Multi-valued literal fields: attribute → (property, encoder).
LISTS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "job_types": (P["jobType"], fr),
    "promotions": (P["promotionYear"], integer),
    "idcc": (P["idccCode"], string),
}

#: Code lists: attribute → (property, code list name in :data:`codes.CODE_LISTS`).
CODE_FIELDS = {
    "rome": (P["romeCode"], "rome"),
    "nsf": (P["nsfCode"], "nsf"),
    "formacodes": (P["formacode"], "formacode"),
    "collective_agreements": (P["collectiveAgreement"], "collective-agreement"),
}
#: Single codes: attribute → (property, code list name).
CODE_SCALARS = {
    "abbreviation": (P["diplomaType"], "diploma-type"),
}

REGISTER_CLASS = {
    Register.RNCP: term_iri(RNCP.ProfessionalCertification),
    Register.RS: term_iri(RNCP.SpecificCertification),
}


def fiche_to_triples(fiche: Fiche) -> list[Triple]:
    """Every triple a fiche gives, in a stable order (duplicates possible; exports dedupe)."""
    return list(_fiche(fiche, set()))


def fiches_to_ntriples(fiches: Iterable[Fiche], described: Described | None = None) -> bytes:
    """The N-Triples document of ``fiches``, each shared node described once.

    A description depends only on what is described (a code and its label, a sentence), so
    giving it once drops exact repeats only, a large share of the lines of an export
    (competencies listed by several blocks, ROME and NSF concepts cited by many fiches). Fewer
    lines to write, to send from a worker and for the store to parse (benchmarks/README.md).

    :param described: what documents loaded into the same graph before this one already
        described (updated here); default: nothing.
    """
    described = set() if described is None else described
    return lines_to_bytes(line(t) for fiche in fiches for t in _fiche(fiche, described))


#: A mapper that goes on to another document of the same graph remembers the shared nodes
#: (code concepts, competency and activity sentences) it described and does not describe
#: them again: fewer lines to load (benchmarks/README.md). Past this
#: many nodes it forgets them (describing a node again is harmless): memory stays bounded.
DESCRIBED_LIMIT = 400_000


def bounded(described: Described) -> Described:
    """``described``, emptied first when it holds more than :data:`DESCRIBED_LIMIT` nodes."""
    if len(described) > DESCRIBED_LIMIT:
        described.clear()
    return described


def ntriples_chunks(fiches: Iterable[Fiche], size: int = 500) -> Iterator[bytes]:
    """:func:`fiches_to_ntriples` of ``size`` fiches at a time (``fiches`` is consumed once);
    a shared node is described in the first chunk that meets it."""
    remaining = iter(fiches)
    described: Described = set()
    while chunk := list(itertools.islice(remaining, size)):
        yield fiches_to_ntriples(chunk, bounded(described))


def _fiche(f: Fiche, described: Described) -> Iterator[Triple]:
    c = f"<{iris.certification(f.number)}>"
    yield c, A, term_iri(RNCP.Certification)
    yield c, A, REGISTER_CLASS[f.register]
    yield c, P["ficheNumber"], string(f.number)
    if f.number_inferred:
        yield c, P["numberInferred"], boolean(True)
    yield from _scalars(c, f)
    if f.status is not None:
        yield c, P["status"], f"<{iris.status(f.status.value)}>"
    if f.level is not None:
        yield c, P["level"], f"<{iris.level(f.level)}>"
    yield from _codes(c, f, described)
    for org in f.certifiers:
        yield from _organisation_link(c, P["certifier"], org, f.number)
    for org in f.partners:
        yield from _organisation_link(c, P["partner"], org, f.number)
    yield from certifier_role_triples(c, f)
    yield from text_node_triples(c, P["activity"], ACTIVITY, iris.activity, f.activities, described=described)
    yield from text_node_triples(c, P["competency"], COMPETENCY, iris.competency, f.competencies, described=described)
    for b in f.blocks:
        yield from block_triples(c, b, described)
    yield from access_triples(c, f)
    yield from correspondence_triples(c, f)
    yield from lineage_triples(c, f)
    yield from publication_triples(c, f)
    yield from statistics_triples(c, f)
    yield from job_type_group_triples(c, f)
    for url in [f.description_url, *f.more_description_urls] if f.description_url else f.more_description_urls:
        yield from _optional_iri(c, P["descriptionPage"], url, f.number)


def _codes(c: str, f: Fiche, described: Described) -> Iterator[Triple]:
    """Links to the concepts of the code lists, and the concepts themselves (once per document)."""
    items = [(prop, kind, item) for attr, (prop, kind) in CODE_FIELDS.items() for item in getattr(f, attr)]
    items += [(prop, kind, getattr(f, attr)) for attr, (prop, kind) in CODE_SCALARS.items()]
    for prop, kind, item in items:
        if item is not None:
            yield c, prop, f"<{code_iri(kind, item.code)}>"
            if (kind, item) not in described:
                described.add((kind, item))
                yield from concept_triples(kind, item, described)


def _scalars(c: str, f: Fiche) -> Iterator[Triple]:
    for attr, (prop, encode) in SCALARS.items():
        value = getattr(f, attr)
        if value is not None:
            yield c, prop, encode(value)
    for attr, (prop, encode) in LISTS.items():
        for value in getattr(f, attr):
            yield c, prop, encode(value)


def _organisation_link(c: str, prop: str, org: Organisation, fiche: str) -> Iterator[Triple]:
    node = f"<{iris.organisation(org.siret, org.legal_name)}>"
    yield c, prop, node
    yield from organisation_triples(node, org, fiche)


def certifier_role_triples(c: str, f: Fiche) -> Iterator[Triple]:
    """One :class:`rncp:CertifierRole` per organisation the fiche gives a state or changes for.

    The role says what ``rncp:certifier`` cannot: the register's state of the certifier on this
    fiche, and when it was added or withdrawn. A withdrawn or inactive organisation gets a role
    and no ``rncp:certifier`` (the loaders leave it out of ``Fiche.certifiers``).
    """
    states = {iris.organisation(s.organisation.siret, s.organisation.legal_name): s for s in f.certifier_states}
    changes: dict[str, list[CertifierChange]] = defaultdict(list)
    for change in f.certifier_changes:
        changes[iris.organisation(change.organisation.siret, change.organisation.legal_name)].append(change)
    named: dict[str, Organisation] = {}  # organisation IRI → as first named (state, then history)
    for org in [s.organisation for s in f.certifier_states] + [ch.organisation for ch in f.certifier_changes]:
        named.setdefault(iris.organisation(org.siret, org.legal_name), org)
    for key, org in named.items():
        role = f"<{iris.certifier_role(f.number, org.siret, org.legal_name)}>"
        yield c, P["certifierRole"], role
        yield role, A, term_iri(RNCP.CertifierRole)
        yield role, P["certifierOrganisation"], f"<{key}>"
        yield from organisation_triples(f"<{key}>", org, f.number)
        if (state := states.get(key)) is not None:
            if state.active is not None:
                yield role, P["certifierActive"], boolean(state.active)
            if state.date is not None:
                yield role, P["certifierStateDate"], xsd_date(state.date)
        for change in changes.get(key, []):
            yield from _change_triples(role, f.number, change)


def _change_triples(role: str, number: str, change: CertifierChange) -> Iterator[Triple]:
    org, action = change.organisation, change.action.value
    node = f"<{iris.certifier_change(number, org.siret, org.legal_name, action, change.date)}>"
    yield role, P["certifierChange"], node
    yield node, A, term_iri(RNCP.CertifierChange)
    yield node, P["changeAction"], string(action)
    if change.date is not None:
        yield node, P["changeDate"], xsd_date(change.date)


def organisation_triples(node: str, org: Organisation, fiche: str) -> Iterator[Triple]:
    """An organisation: legal name, SIRET (and the SIREN it starts with), commercial name, site."""
    yield node, A, term_iri(RNCP.Organisation)
    yield node, P["legalName"], string(org.legal_name)
    if org.siret:
        yield node, P["siret"], string(org.siret)
        if len(org.siret) == 14 and org.siret.isdigit():
            yield node, P["siren"], string(org.siret[:9])
    if org.commercial_name:
        yield node, P["commercialName"], string(org.commercial_name)
    if org.website:
        yield from _optional_iri(node, P["website"], org.website, fiche)


def _optional_iri(subject: str, prop: str, url: str, fiche: str) -> Iterator[Triple]:
    """A link to a web page; a URL that is not a valid IRI is logged and left out."""
    candidate = url if "://" in url else f"https://{url}"
    try:
        yield subject, prop, iri(candidate)
    except InvalidIRI:
        log.warning("[%s] web address %r is not a valid IRI; left out", fiche, url)


def source_triples(
    graph_iri: str, *, file: str, sha256: str, loader: str, version: str, export: date | None
) -> list[Triple]:
    """Provenance of one source graph (which file, its checksum, which loader, export date)."""
    g = f"<{graph_iri}>"
    triples = [
        (g, A, term_iri(RNCP.SourceGraph)),
        (g, P["sourceFile"], string(file)),
        (g, P["sourceSha256"], string(sha256)),
        (g, P["loader"], string(loader)),
        (g, P["loaderVersion"], string(version)),
    ]
    if export is not None:
        triples.append((g, P["exportDate"], xsd_date(export)))
    return triples
