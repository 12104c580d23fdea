"""The upstream sources of the graph and their licences, as DCAT triples (attribution).

One table, :data:`UPSTREAM`: each source the graph is derived from, its publisher, its licence,
and when it counts as used (a property or a link target that must occur in the data). The
Licence Ouverte 2.0 requires naming the source and the date of its last update: each used
source gets a ``dct:RightsStatement`` saying so, in French and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS

from .. import iris
from ..namespaces import ONTOLOGY_IRI
from ..terms import Triple, string, term_iri
from .void import GraphStats

EU = "http://publications.europa.eu/resource/authority/"
#: Licence Ouverte / Open Licence 2.0, as the data.gouv.fr licence registry names it (id ``lov2``).
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
EUPL_12 = "https://spdx.org/licenses/EUPL-1.2.html"
#: licence IRI → (title, SPDX identifier, a copy of the text)
LICENCES: dict[str, tuple[str, str, str]] = {
    LICENCE_OUVERTE: (
        "Licence Ouverte / Open Licence version 2.0",
        "etalab-2.0",
        "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
    ),
    CC_BY_4: ("Creative Commons Attribution 4.0 International", "CC-BY-4.0", CC_BY_4 + "legalcode"),
    EUPL_12: ("European Union Public Licence v. 1.2", "EUPL-1.2", EUPL_12),
}


@dataclass(frozen=True)
class Upstream:
    """A source the graph is derived from, with its publisher and licence."""

    key: str
    iri: str
    title: tuple[str, str]
    publisher: tuple[str, str]  # (IRI, name)
    licence: str
    needs: str | None = None  # a property IRI or ``link:<target>`` that must occur in the data


COM = (EU + "corporate-body/COM", "European Commission")
UPSTREAM: tuple[Upstream, ...] = (
    Upstream(
        "rncp",
        "https://www.data.gouv.fr/datasets/repertoire-national-des-certifications-professionnelles-et-repertoire-specifique",
        (
            "Répertoire national des certifications professionnelles (RNCP) et Répertoire spécifique (RS)",
            "French national register of professional certifications (RNCP) and specific register (RS)",
        ),
        ("https://www.francecompetences.fr/", "France compétences"),
        LICENCE_OUVERTE,
    ),
    Upstream(
        "rome",
        "https://www.data.gouv.fr/datasets/repertoire-operationnel-des-metiers-et-des-emplois-rome",
        ("Répertoire opérationnel des métiers et des emplois (ROME)", "ROME classification of occupations and jobs"),
        ("https://www.francetravail.fr/", "France Travail"),
        LICENCE_OUVERTE,
        needs=ONTOLOGY_IRI + "#romeCode",
    ),
    Upstream(
        "esco",
        "https://esco.ec.europa.eu/",
        (
            "ESCO – compétences, aptitudes, certifications et professions",
            "ESCO – European Skills, Competences, Qualifications and Occupations",
        ),
        COM,
        CC_BY_4,
        needs="link:esco",
    ),
    Upstream(
        "elm",
        "http://data.europa.eu/snb/model/elm/",
        ("Modèle européen d'apprentissage (ELM) et niveaux du CEC", "European Learning Model (ELM) and EQF levels"),
        COM,
        EUPL_12,
    ),
)


def u(iri: str) -> str:
    """``<iri>``, validated."""
    return f"<{iris.validate_iri(iri)}>"


def p(term: object) -> str:
    """``<term>`` for a vocabulary term."""
    return term_iri(term)


def texts(subject: str, predicate: object, values: tuple[str, str]) -> list[Triple]:
    """The French and the English text of ``values`` as two language-tagged literals."""
    return [(subject, p(predicate), string(values[0]) + "@fr"), (subject, p(predicate), string(values[1]) + "@en")]


def typed(value: str, datatype: object) -> str:
    """A literal of ``datatype``."""
    return f"{string(value)}^^<{datatype}>"


def used_upstream(stats: GraphStats) -> list[Upstream]:
    """The upstream sources whose data actually occurs in the graph."""
    links = {key for key, _predicate in stats.links}
    return [
        source
        for source in UPSTREAM
        if source.needs is None
        or (source.needs.startswith("link:") and source.needs[5:] in links)
        or stats.properties.get(source.needs, 0) > 0
    ]


def upstream_triples(ds: str, source: Upstream, updated: date | None) -> list[Triple]:
    """``prov:wasDerivedFrom`` the upstream dataset, and the attribution it requires.

    The upstream dataset is a ``prov:Entity`` here, not a ``dcat:Dataset`` (nor a
    ``dct:source``, whose DCAT-AP range is one): its contact point, distributions and coverage
    are for its publisher's catalogue to state, not this one."""
    up, agent = u(source.iri), u(source.publisher[0])
    rights = u(iris.mint("dataset", "rights", source.key))
    licence = LICENCES[source.licence][0]
    when = f" ; mise à jour du {updated.isoformat()}" if updated else ""
    when_en = f"; updated {updated.isoformat()}" if updated else ""
    out: list[Triple] = [
        (ds, p(PROV.wasDerivedFrom), up),
        (ds, p(DCTERMS.rights), rights),
        (up, p(RDF.type), p(PROV.Entity)),
        (up, p(DCTERMS.publisher), agent),
        (up, p(DCTERMS.license), u(source.licence)),
        (up, p(DCTERMS.rights), rights),
        (agent, p(RDF.type), p(FOAF.Agent)),
        (agent, p(FOAF.name), string(source.publisher[1])),
        (rights, p(RDF.type), p(DCTERMS.RightsStatement)),
    ]
    out += texts(up, DCTERMS.title, source.title) + texts(up, DCTERMS.description, source.title)
    attribution = (
        f"Contient des informations de « {source.title[0]} » ({source.publisher[1]}), réutilisées sous "
        f"{licence} ; source : {source.iri}{when}.",
        f"Contains information from “{source.title[1]}” ({source.publisher[1]}), reused under {licence}; "
        f"source: {source.iri}{when_en}.",
    )
    return out + texts(rights, RDFS.label, attribution) + licence_triples(source.licence)


def licence_triples(iri: str) -> list[Triple]:
    """A ``dct:LicenseDocument`` with its title, SPDX identifier and a link to its text."""
    title, spdx_id, text = LICENCES.get(iri, (iri, "", iri))
    lic = u(iri)
    out = [(lic, p(RDF.type), p(DCTERMS.LicenseDocument)), (lic, p(DCTERMS.title), string(title))]
    out += [(lic, p(DCTERMS.identifier), string(spdx_id))] if spdx_id else []
    return out + ([(lic, p(RDFS.seeAlso), u(text))] if text != iri else [])
