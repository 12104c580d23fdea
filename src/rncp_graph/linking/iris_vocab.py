"""IRIs minted by the linking stage, through :func:`rncp_graph.iris.mint` (validated when minted).

Layout (under :data:`~rncp_graph.namespaces.DATA_BASE`)::

    rome-competence/100023                       a ROME 4.0 competence (savoir-faire), by its OGR code
    rome-savoir/100003                           a ROME 4.0 savoir, by its OGR code
    nsf-letter/p                                 a letter of the NSF facets (field of application / function)
    scheme/rome-competence  scheme/rome-savoir  scheme/nsf-letter
    graph/vocab/rome  graph/vocab/nsf  graph/links/esco  graph/export/elm   named graphs
    certification/RNCP34808/elm/<kind>[/<key>]   intermediate ELM nodes of one certification
    organisation/siret/<siret>/elm/<kind>        intermediate ELM nodes of one organisation
    mapping-set/esco                             the SSSOM mapping set

ROME, NSF and Formacode codes themselves keep the IRIs of :mod:`rncp_graph.iris`
(``rome/K1403``, ``nsf/332p``), so the vocabularies and the fiche graph meet on them.
"""

from __future__ import annotations

from .. import iris
from ..errors import InvalidIRI
from ..namespaces import DATA_BASE


def rome_competence(code_ogr: str) -> str:
    return iris.mint("rome-competence", code_ogr)


def rome_savoir(code_ogr: str) -> str:
    return iris.mint("rome-savoir", code_ogr)


def nsf_letter(letter: str) -> str:
    return iris.mint("nsf-letter", letter)


def vocab_graph(name: str) -> str:
    """The named graph a vocabulary is loaded into (``graph/vocab/rome``)."""
    return iris.mint("graph", "vocab", name)


def links_graph(name: str) -> str:
    """The named graph of the links to an external vocabulary (``graph/links/esco``)."""
    return iris.mint("graph", "links", name)


def export_graph(name: str) -> str:
    return iris.mint("graph", "export", name)


def mapping_set(name: str) -> str:
    return iris.mint("mapping-set", name)


def elm_node(owner_iri: str, kind: str, key: str | None = None) -> str:
    """An intermediate ELM node hanging off one of our IRIs (no blank nodes).

    ``elm_node(iris.certification("RNCP34808"), "awarding", "33196441100036")`` →
    ``.../certification/RNCP34808/elm/awarding/33196441100036``.

    :param owner_iri: an IRI minted by :mod:`rncp_graph.iris` (certification, block, organisation).
    """
    if not owner_iri.startswith(DATA_BASE):
        raise InvalidIRI("ELM nodes hang off the project's own IRIs", value=owner_iri)
    path = owner_iri[len(DATA_BASE) :].split("/")
    return iris.mint(*path, "elm", kind, *([key] if key is not None else []))
