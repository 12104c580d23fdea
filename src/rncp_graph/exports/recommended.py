"""The DCAT-AP 3 *recommended* properties of a release description, from the publisher's options.

SEMIC's recommended shapes (``shapes_recommended.ttl`` of DCAT-AP 3.0.1) ask for a contact
point, a spatial coverage and a planned availability, the type of every agent and licence, the
catalogue's theme taxonomy. Only what is true is written by default: the spatial coverage is
France (the EU country authority table), the theme taxonomy is the EU data themes the dataset
uses, the upstream publishers and the licences have known types (ADMS vocabularies). The
contact point, the availability the publisher promises, its own type and the geometry of the
coverage come from options; :func:`missing` names those not given, and nothing is invented.
"""

from __future__ import annotations

from typing import Protocol

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from .. import iris
from ..terms import Triple, string
from .upstream import CC_BY_4, EU, EUPL_12, LICENCE_OUVERTE, p, typed, u


class ReleaseMetadata(Protocol):
    """What these properties read of :class:`rncp_graph.exports.dcat.ReleaseMetadata` (a
    protocol, so that this module, which dcat imports, does not import dcat back)."""

    @property
    def publisher_name(self) -> str: ...
    @property
    def publisher_iri(self) -> str: ...
    @property
    def contact_email(self) -> str | None: ...
    @property
    def contact_url(self) -> str | None: ...
    @property
    def availability(self) -> str | None: ...
    @property
    def publisher_type(self) -> str | None: ...
    @property
    def spatial(self) -> str: ...
    @property
    def spatial_bbox(self) -> str | None: ...
    @property
    def spatial_centroid(self) -> str | None: ...


DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
FRANCE = EU + "country/FRA"
DATA_THEMES = EU + "data-theme"
#: ``--availability`` → the EU planned-availability authority table
AVAILABILITY = {
    name: EU + "planned-availability/" + name.upper() for name in ("temporary", "experimental", "available", "stable")
}
#: ``--publisher-type`` → the ADMS publisher type
PUBLISHER_TYPES = {
    name: "http://purl.org/adms/publishertype/" + name
    for name in (
        "Academia-ScientificOrganisation", "Company", "IndustryConsortium", "LocalAuthority", "NationalAuthority",
        "NonGovernmentalOrganisation", "NonProfitOrganisation", "RegionalAuthority", "StandardisationBody",
        "SupraNationalAuthority",
    )
}  # fmt: skip
#: the publishers of the upstream sources (:data:`rncp_graph.exports.upstream.UPSTREAM`) → their ADMS type
UPSTREAM_PUBLISHER_TYPES = {
    "https://www.francecompetences.fr/": "NationalAuthority",  # établissement public national
    "https://www.francetravail.fr/": "NationalAuthority",  # opérateur public national
    EU + "corporate-body/COM": "SupraNationalAuthority",
}
LICENCE_TYPE = "http://purl.org/adms/licencetype/"
#: licence → its ADMS licence types (all three require attribution; the EUPL is copyleft)
LICENCE_TYPES = {
    LICENCE_OUVERTE: ("Attribution",),
    CC_BY_4: ("Attribution",),
    EUPL_12: ("Attribution", "ViralEffect-ShareAlike"),
}


def recommended_triples(meta: ReleaseMetadata, catalog: str, dataset: str, described: list[Triple]) -> list[Triple]:
    """The recommended properties of the catalogue, the dataset, their agents and licences, and
    of every distribution in ``described`` (the rest of the description)."""
    out = _spatial(meta, catalog, dataset) + _contact(meta, dataset)
    scheme = u(DATA_THEMES)
    out += [(catalog, p(DCAT.themeTaxonomy), scheme), (scheme, p(RDF.type), p(SKOS.ConceptScheme))]
    for subject, predicate, obj in described:
        if predicate != p(RDF.type):
            continue
        if obj == p(DCAT.Distribution) and meta.availability:
            out += _concept(subject, p(DCATAP.availability), AVAILABILITY[meta.availability])
        elif obj == p(DCTERMS.LicenseDocument):
            for kind in LICENCE_TYPES.get(subject.strip("<>"), ()):
                out += _concept(subject, p(DCTERMS.type), LICENCE_TYPE + kind)
    return out + _agent_types(meta, described)


def _agent_types(meta: ReleaseMetadata, described: list[Triple]) -> list[Triple]:
    agents = {s.strip("<>") for s, pred, o in described if pred == p(RDF.type) and o == p(FOAF.Agent)}
    known = dict(UPSTREAM_PUBLISHER_TYPES)
    if meta.publisher_type:
        known[meta.publisher_iri] = meta.publisher_type
    out: list[Triple] = []
    for agent in sorted(agents & known.keys()):
        out += _concept(u(agent), p(DCTERMS.type), PUBLISHER_TYPES[known[agent]])
    return out


#: the English label of each concept written (DCAT-AP requires a skos:prefLabel)
LABELS = {
    **{iri: name for name, iri in AVAILABILITY.items()},
    **{iri: name.replace("-", " / ") for name, iri in PUBLISHER_TYPES.items()},
    LICENCE_TYPE + "Attribution": "Attribution",
    LICENCE_TYPE + "ViralEffect-ShareAlike": "Viral effect (share-alike)",
}


def _concept(subject: str, predicate: str, concept: str) -> list[Triple]:
    node = u(concept)
    return [
        (subject, predicate, node),
        (node, p(RDF.type), p(SKOS.Concept)),
        (node, p(SKOS.prefLabel), string(LABELS[concept]) + "@en"),
    ]


def _spatial(meta: ReleaseMetadata, catalog: str, dataset: str) -> list[Triple]:
    place = u(meta.spatial)
    out = [
        (catalog, p(DCTERMS.spatial), place),
        (dataset, p(DCTERMS.spatial), place),
        (place, p(RDF.type), p(DCTERMS.Location)),
    ]
    out += [(place, p(DCAT.bbox), typed(meta.spatial_bbox, GSP_WKT))] if meta.spatial_bbox else []
    return out + ([(place, p(DCAT.centroid), typed(meta.spatial_centroid, GSP_WKT))] if meta.spatial_centroid else [])


def _contact(meta: ReleaseMetadata, dataset: str) -> list[Triple]:
    if not (meta.contact_email or meta.contact_url):
        return []
    contact = u(iris.mint("dataset", "contact-point"))
    out = [
        (dataset, p(DCAT.contactPoint), contact),
        (contact, p(RDF.type), p(VCARD.Kind)),
        (contact, p(RDF.type), p(VCARD.Organization)),
        (contact, p(VCARD.fn), string(meta.publisher_name)),
    ]
    out += [(contact, p(VCARD.hasEmail), u("mailto:" + meta.contact_email))] if meta.contact_email else []
    return out + ([(contact, p(VCARD.hasURL), u(meta.contact_url))] if meta.contact_url else [])


#: option → (recommended property it fills, what is written without it)
_OPTIONS = (
    ("contact", "dcat:contactPoint of the dataset", "--contact-email or --contact-url"),
    ("availability", "dcatap:availability of each distribution", "--availability"),
    ("publisher_type", "dct:type of the publisher", "--publisher-type"),
    ("spatial_bbox", "dcat:bbox of the spatial coverage", "--spatial-bbox"),
    ("spatial_centroid", "dcat:centroid of the spatial coverage", "--spatial-centroid"),
    ("base_url", "foaf:homepage of the catalogue", "--base-url"),
)


def missing(meta: ReleaseMetadata) -> list[str]:
    """The recommended properties left out for want of an option, each with the option to give."""
    given = {
        "contact": bool(meta.contact_email or meta.contact_url),
        **{key: bool(getattr(meta, key)) for key, _, _ in _OPTIONS if key != "contact"},
    }
    return [f"{what} ({option})" for key, what, option in _OPTIONS if not given[key]]
