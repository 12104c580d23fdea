"""Which predicates each field of the model is written with: the mapping's own tables
(:data:`~rncp_graph.mapping.SCALARS`, ``LISTS``, ``CODE_FIELDS``, ``CODE_SCALARS``,
:data:`~rncp_graph.mapping.parts.STAT_FIELDS`) and one table for the structured parts that
the mapping writes with functions. Used by the coverage tables (:mod:`rncp_graph.pipeline.coverage`);
``tests/test_coverage.py`` maps a fiche with one field at a time and checks this table
against the predicates the mapping really writes.

A field is a :class:`~rncp_graph.model.Fiche` attribute (``title``), or an attribute of one of
its parts (``blocks.code``, ``certifiers.siret``); a part's predicates follow the link to it.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, SKOS

from ..namespaces import ONTOLOGY_IRI
from . import CODE_FIELDS, CODE_SCALARS, LISTS, SCALARS
from .parts import STAT_FIELDS

_PREFIXES = {ONTOLOGY_IRI + "#": "rncp:", str(DCTERMS): "dcterms:", str(SKOS): "skos:"}


def compact(term: str) -> str:
    """``<https://w3id.org/rncp-graph/ontology#title>`` → ``rncp:title``."""
    bare = term.strip("<>")
    for base, prefix in _PREFIXES.items():
        if bare.startswith(base):
            return prefix + bare[len(base) :]
    return term


_CODE_PARTS = {"code": ("skos:notation",), "label": ("skos:prefLabel",)}
_ORGANISATION_PARTS = {
    "legal_name": ("rncp:legalName",),
    "siret": ("rncp:siret", "rncp:siren"),
    "commercial_name": ("rncp:commercialName",),
    "website": ("rncp:website",),
}
_ORGANISATION_PARTS_ALL = tuple(p for v in _ORGANISATION_PARTS.values() for p in v)
_TEXT_NODE = ("rncp:text",)

#: The structured fields: field → the predicates linking the fiche to it, and its parts' own.
STRUCTURED: dict[str, tuple[str, ...]] = {
    "number": ("rncp:ficheNumber",),
    "number_inferred": ("rncp:numberInferred",),
    "status": ("rncp:status",),
    "level": ("rncp:level",),
    "description_url": ("rncp:descriptionPage",),
    "more_description_urls": ("rncp:descriptionPage",),
    "certifiers": ("rncp:certifier",),
    **{f"certifiers.{k}": v for k, v in _ORGANISATION_PARTS.items()},
    "certifier_states": ("rncp:certifierRole",),
    "certifier_states.organisation": ("rncp:certifierOrganisation", *_ORGANISATION_PARTS_ALL),
    "certifier_states.active": ("rncp:certifierActive",),
    "certifier_states.date": ("rncp:certifierStateDate",),
    "certifier_changes": ("rncp:certifierRole", "rncp:certifierChange"),
    "certifier_changes.organisation": ("rncp:certifierOrganisation", *_ORGANISATION_PARTS_ALL),
    "certifier_changes.action": ("rncp:changeAction",),
    "certifier_changes.date": ("rncp:changeDate",),
    "job_type_groups": ("rncp:jobTypeGroup",),
    "job_type_groups.heading": ("rncp:groupHeading",),
    "job_type_groups.titles": ("rncp:groupJobType",),
    "job_type_groups.introduction": ("rncp:groupIntroduction",),
    "partners": ("rncp:partner",),
    **{f"partners.{k}": v for k, v in _ORGANISATION_PARTS.items()},
    "activities": ("rncp:activity", *_TEXT_NODE),
    "competencies": ("rncp:competency", *_TEXT_NODE),
    "blocks": ("rncp:hasBlock", "rncp:isBlockOf"),
    "blocks.code": ("rncp:blockCode",),
    "blocks.title": ("rncp:title",),
    "blocks.competencies": ("rncp:competency", *_TEXT_NODE),
    "blocks.evaluation": ("rncp:evaluationModalities",),
    "blocks.description": ("rncp:blockDescription",),
    "access_routes": ("rncp:accessModality",),
    "access_routes.route": ("rncp:accessRoute",),
    "access_routes.open": ("rncp:isOpen",),
    "access_routes.jury": ("rncp:juryComposition",),
    "access_routes.modified": ("rncp:lastModified",),
    "correspondences": ("rncp:correspondence",),
    "correspondences.target": ("rncp:correspondenceTarget",),
    "correspondences.kind": ("rncp:correspondenceKind",),
    "correspondences.nature": ("rncp:correspondenceNature",),
    "correspondences.text": ("rncp:correspondenceText",),
    "correspondences.target_title": ("rncp:targetTitle",),
    "correspondences.source_block": ("rncp:sourceBlock",),
    "correspondences.target_blocks": ("rncp:targetBlock",),
    "correspondences.target_blocks_as_cited": ("rncp:targetBlockAsCited",),
    "predecessors": ("dcterms:replaces",),
    "predecessors.title": ("rncp:titleAsReferenced",),
    "successors": ("dcterms:isReplacedBy",),
    "successors.title": ("rncp:titleAsReferenced",),
    "legal_references": ("rncp:legalPublication",),
    "legal_references.text": ("rncp:publicationText",),
    "legal_references.date": ("rncp:publicationDate",),
    "legal_references.kind": ("rncp:publicationKind",),
    "statistics": ("rncp:statistics",),
    "statistics.year": ("rncp:year",),
    **{f"statistics.{attr}": (compact(prop),) for attr, prop in STAT_FIELDS.items()},
}


def field_predicates() -> dict[str, tuple[str, ...]]:
    """Every field of the model → the predicates it is written with (compact names)."""
    table: dict[str, tuple[str, ...]] = {}
    for attr, (prop, _) in (SCALARS | LISTS).items():
        table[attr] = (compact(prop),)
    for attr, (prop, _) in (CODE_FIELDS | CODE_SCALARS).items():
        table[attr] = (compact(prop),)
        table.update({f"{attr}.{k}": v for k, v in _CODE_PARTS.items()})
    table.update(STRUCTURED)
    return table


def predicates_of(field: str) -> tuple[str, ...]:
    """The predicates of ``field`` and, for a part (``blocks.code``), of the link to it first."""
    table = field_predicates()
    head = field.partition(".")[0]
    own = table.get(field, ())
    return own if head == field else (*table.get(head, ()), *own)
