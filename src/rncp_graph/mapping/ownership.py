"""Which nodes a fiche owns and which it shares: the ownership the mapping writes and that
per-fiche validation (:mod:`rncp_graph.validate.per_fiche`) and the incremental update
(:mod:`rncp_graph.pipeline.update`) read to cut the graph fiche by fiche.

Terms are N-Triples strings (``<iri>``), as the units and the update compare them.
"""

from __future__ import annotations

from rdflib.namespace import SKOS

from ..namespaces import RNCP

__all__ = [
    "ALL_LINKS",
    "CERTIFICATION",
    "FICHE_NUMBER",
    "OWN_LINKS",
    "SHARED_CLASSES",
    "SHARED_LINKS",
    "VOCABULARY_CLASSES",
]


def _nt(*terms: object) -> frozenset[str]:
    return frozenset(f"<{t}>" for t in terms)


FICHE_NUMBER = f"<{RNCP.ficheNumber}>"
CERTIFICATION = f"<{RNCP.Certification}>"
#: Links from a certification (or what it owns) to the nodes it owns.
OWN_LINKS = _nt(
    RNCP.hasBlock,
    RNCP.competency,
    RNCP.activity,
    RNCP.accessModality,
    RNCP.correspondence,
    RNCP.statistics,
    RNCP.legalPublication,
    RNCP.certifierRole,
    RNCP.certifierChange,
    RNCP.jobTypeGroup,
)
#: Links to nodes shared between fiches; their objects are shared nodes whatever their type.
SHARED_LINKS = _nt(
    RNCP.certifier,
    RNCP.partner,
    RNCP.certifierOrganisation,
    RNCP.romeCode,
    RNCP.nsfCode,
    RNCP.formacode,
    RNCP.diplomaType,
    RNCP.collectiveAgreement,
    SKOS.broader,
)
ALL_LINKS = OWN_LINKS | SHARED_LINKS
SHARED_CLASSES = _nt(
    RNCP.Organisation, RNCP.RomeCode, RNCP.NsfCode, RNCP.Formacode, RNCP.DiplomaType, RNCP.CollectiveAgreement
)
VOCABULARY_CLASSES = _nt(
    RNCP.Level, RNCP.AccessRoute, RNCP.CertificationStatus, RNCP.CorrespondenceNature, RNCP.CorrespondenceKind
)
