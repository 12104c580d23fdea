"""The one namespace module: the project vocabulary and every prefix the project binds.

The project vocabulary is a :class:`rdflib.namespace.DefinedNamespace` with ``_fail = True``:
a typo (``RNCP.titel``) raises instead of minting a new term. Every term here is declared
in ``ontology/rncp.ttl`` with French and English labels and a definition, and the reverse
(``tests/test_ontology.py``). W3C vocabularies come from :mod:`rdflib.namespace`.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/rncp-graph/ontology"
DATA_BASE = "https://w3id.org/rncp-graph/id/"


class RNCP(DefinedNamespace):
    """rncp-graph ontology (``rncp:``)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # Classes
    Certification: URIRef
    ProfessionalCertification: URIRef  # registered in the RNCP
    SpecificCertification: URIRef  # registered in the Répertoire spécifique
    CompetencyBlock: URIRef
    Competency: URIRef
    Activity: URIRef
    Organisation: URIRef
    Correspondence: URIRef
    AccessModality: URIRef
    AccessRoute: URIRef
    AnnualStatistics: URIRef
    LegalPublication: URIRef
    Level: URIRef
    RomeCode: URIRef
    NsfCode: URIRef
    Formacode: URIRef
    CertificationStatus: URIRef
    CorrespondenceNature: URIRef
    CorrespondenceKind: URIRef
    DiplomaType: URIRef
    CollectiveAgreement: URIRef
    SourceGraph: URIRef
    CertifierRole: URIRef
    CertifierChange: URIRef

    # Object properties
    level: URIRef
    nsfCode: URIRef
    formacode: URIRef
    romeCode: URIRef
    certifier: URIRef
    partner: URIRef
    hasBlock: URIRef
    isBlockOf: URIRef
    competency: URIRef
    activity: URIRef
    status: URIRef
    accessModality: URIRef
    accessRoute: URIRef
    correspondence: URIRef
    correspondenceTarget: URIRef
    correspondenceKind: URIRef
    correspondenceNature: URIRef
    sourceBlock: URIRef
    targetBlock: URIRef
    statistics: URIRef
    legalPublication: URIRef
    descriptionPage: URIRef
    diplomaType: URIRef
    collectiveAgreement: URIRef
    certifierRole: URIRef
    certifierOrganisation: URIRef
    certifierChange: URIRef

    # Datatype properties
    ficheNumber: URIRef
    blockCode: URIRef
    title: URIRef
    text: URIRef
    titleAsReferenced: URIRef
    numberInferred: URIRef
    expiryDate: URIRef
    decisionDate: URIRef
    lastDeliveryDate: URIRef
    lastOfficialJournalDate: URIRef
    registrationType: URIRef
    registrationDurationYears: URIRef
    objectives: URIRef
    evaluationModalities: URIRef
    blockAcquisition: URIRef
    blockDescription: URIRef
    activitySectors: URIRef
    jobType: URIRef
    regulatoryReferences: URIRef
    entryPrerequisites: URIRef
    validationPrerequisites: URIRef
    distinctBlockPrerequisites: URIRef
    newCaledonia: URIRef
    frenchPolynesia: URIRef
    trainingBodiesNote: URIRef
    promotionYear: URIRef
    idccCode: URIRef
    partialValidation: URIRef
    recordState: URIRef
    effectiveDate: URIRef
    fichePublicationDate: URIRef
    legalName: URIRef
    siret: URIRef
    siren: URIRef
    commercialName: URIRef
    website: URIRef
    year: URIRef
    certifiedCount: URIRef
    vaeCertifiedCount: URIRef
    insertionRate6Months: URIRef
    targetJobInsertionRate6Months: URIRef
    targetJobInsertionRate2Years: URIRef
    isOpen: URIRef
    juryComposition: URIRef
    lastModified: URIRef
    correspondenceText: URIRef
    targetTitle: URIRef
    publicationDate: URIRef
    publicationText: URIRef
    publicationKind: URIRef
    sourceFile: URIRef
    sourceSha256: URIRef
    loader: URIRef
    loaderVersion: URIRef
    exportDate: URIRef
    supersedes: URIRef
    certifierActive: URIRef
    certifierStateDate: URIRef
    changeAction: URIRef
    changeDate: URIRef
    targetBlockAsCited: URIRef
    # Job types grouped by the headings (options) of the list
    JobTypeGroup: URIRef
    jobTypeGroup: URIRef
    jobTypesText: URIRef
    groupHeading: URIRef
    groupIntroduction: URIRef
    groupJobType: URIRef

    # ROME vocabulary (``rncp-graph vocab rome``)
    mobilityTarget: URIRef


ELM = Namespace("http://data.europa.eu/snb/model/elm/")
CTDL = Namespace("https://purl.org/ctdl/terms/")
CTDLASN = Namespace("https://purl.org/ctdlasn/terms/")
SCHEMA = Namespace("http://schema.org/")
EQF = Namespace("http://data.europa.eu/snb/eqf/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ID = Namespace(DATA_BASE)
#: the project's SHACL shapes (``shapes/*.ttl``), ``rncpsh:`` in the reports (not bound in the graph's files)
RNCPSH = Namespace("https://w3id.org/rncp-graph/shapes#")

#: Every prefix the project writes, in one table (Turtle output, SPARQL, docs).
PREFIXES: dict[str, str] = {
    "rncp": str(RNCP._NS),
    "rncpid": DATA_BASE,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "void": str(VOID),
    "sh": str(SH),
    "elm": str(ELM),
    "ctdl": str(CTDL),
    "ceasn": str(CTDLASN),
    "schema": str(SCHEMA),
    "eqf": str(EQF),
}


#: Prefixes for Turtle and TriG files. ``rncpid:`` would turn ``id/certification/RNCP1/access/vae``
#: into ``rncpid:certification\/RNCP1\/access\/vae`` (a slash must be escaped in a prefixed
#: name), so files get one prefix per kind of resource whose identifiers are flat, and the
#: certification's own resources keep their full IRIs.
FILE_PREFIXES: dict[str, str] = {
    **{p: iri for p, iri in PREFIXES.items() if p != "rncpid"},
    **{
        prefix: f"{DATA_BASE}{kind}/"
        for prefix, kind in {
            "block": "block",
            "competency": "competency",
            "activity": "activity",
            "rome": "rome",
            "nsf": "nsf",
            "formacode": "formacode",
            "level": "level",
            "scheme": "scheme",
            "route": "access-route",
            "status": "status",
            "diploma": "diploma-type",
            "agreement": "collective-agreement",
        }.items()
    },
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on an rdflib graph and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` lines for every project prefix, for queries built in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
