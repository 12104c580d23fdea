"""DCAT-AP 3 description of a release: the dataset, its distributions, sources, rights and VoID.

:func:`describe` is pure: release metadata, graph statistics and the published files in,
N-Triples triples out (no blank nodes: every node has an IRI under the dataset's IRI).
:func:`write_description` writes them as Turtle through pyoxigraph. Without a base URL the
download and access URLs are relative references (resolved against wherever ``dcat.ttl`` is
served); with ``base_url`` they are absolute.

Dates come from the caller or from the export dates of the inputs, never from the clock, so
the same input gives the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, VOID, XSD

from .. import iris
from ..namespaces import DATA_BASE, ONTOLOGY_IRI, PREFIXES
from ..terms import Triple, line, string, xsd_date
from .atomic import write_bytes
from .recommended import DCATAP, FRANCE, VCARD, recommended_triples
from .upstream import EU, LICENCE_OUVERTE, licence_triples, p, texts, typed, u, upstream_triples, used_upstream
from .void import GraphStats, void_triples

log = logging.getLogger(__name__)

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT3 = Namespace(str(DCAT))  # rdflib's DCAT namespace predates DCAT 3 (no dcat:version)
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPE = EU + "file-type/"
DATASET_IRI = iris.mint("dataset")
#: the catalogue a DCAT harvester (data.gouv.fr, data.europa.eu) is pointed at: it lists the dataset
CATALOG_IRI = iris.mint("catalog")
RELATIVE_BASE = "https://release.rncp-graph.invalid/"
#: Prefixes of ``dcat.ttl``: only namespaces whose local names need no escaping (no ``rncpid:``,
#: whose local names hold ``/`` and would read ``rncpid:dataset\\/rights\\/rncp``).
DESCRIPTION_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k in {"dcat", "dcterms", "prov", "rdf", "rdfs", "skos", "void", "xsd"}},
    "foaf": str(FOAF),
    "spdx": str(SPDX),
    "filetype": FILE_TYPE,
    "dcatap": str(DCATAP),
    "vcard": str(VCARD),
}

TITLE = (
    "Graphe de connaissances des certifications professionnelles françaises (RNCP et RS)",
    "Knowledge graph of French professional certifications (RNCP and RS)",
)
DESCRIPTION = (
    "Les fiches du Répertoire national des certifications professionnelles et du Répertoire spécifique "
    "(France compétences) en RDF : certifications, blocs de compétences, compétences, codes ROME, NSF et "
    "Formacode, niveaux alignés sur le CEC, certificateurs, correspondances, filiation, voies d'accès, "
    "statistiques. Une source par graphe nommé, avec sa provenance.",
    "The fiches of the French national register of professional certifications and of the specific register "
    "(France compétences) as RDF: certifications, competency blocks, competencies, ROME, NSF and Formacode "
    "codes, levels aligned to the EQF, certifying bodies, correspondences, lineage, access routes, "
    "statistics. One named graph per source, with its provenance.",
)
CATALOG_DESCRIPTION = (
    "Catalogue DCAT-AP des publications du graphe de connaissances rncp-graph (un jeu de données).",
    "DCAT-AP catalogue of the releases of the rncp-graph knowledge graph (one dataset).",
)
KEYWORDS = (
    ("certification professionnelle", "fr"),
    ("RNCP", "fr"),
    ("Répertoire spécifique", "fr"),
    ("compétences", "fr"),
    ("graphe de connaissances", "fr"),
    ("professional certification", "en"),
    ("competencies", "en"),
    ("knowledge graph", "en"),
    ("linked data", "en"),
)


@dataclass(frozen=True)
class ReleaseMetadata:
    """What the publisher says about a release (everything else is computed from the data)."""

    base_url: str | None = None
    publisher_name: str = "rncp-graph"
    publisher_iri: str = "https://w3id.org/rncp-graph/"
    issued: date | None = None
    modified: date | None = None
    version: str | None = None
    sparql_endpoint: str | None = None
    #: DCAT-AP recommended properties (:mod:`rncp_graph.exports.recommended`): no contact point is invented
    contact_email: str | None = None
    contact_url: str | None = None
    availability: str | None = None  # a key of recommended.AVAILABILITY, e.g. "stable"
    publisher_type: str | None = None  # a key of recommended.PUBLISHER_TYPES, e.g. "NationalAuthority"
    spatial: str = FRANCE
    spatial_bbox: str | None = None  # WKT, e.g. "POLYGON((...))"
    spatial_centroid: str | None = None  # WKT, e.g. "POINT(2.2 46.2)"


@dataclass(frozen=True)
class Distribution:
    """One published file as a ``dcat:Distribution``."""

    path: str  # relative path inside the release folder, ``/``-separated
    size: int
    sha256: str
    media_type: str  # IANA type, e.g. ``text/turtle``
    title: tuple[str, str]  # (fr, en)
    description: tuple[str, str]
    licence: str = LICENCE_OUVERTE
    file_type: str | None = None  # EU file-type authority code, e.g. ``RDF_TURTLE``
    compress: str | None = None  # IANA type of the compression, e.g. ``application/gzip``
    data: bool = True  # a serialisation of the graph (a ``void:dataDump``)


def release_url(meta: ReleaseMetadata, path: str) -> str:
    """Where a file of the release is downloaded from (under ``RELATIVE_BASE`` when relative)."""
    return iris.validate_iri((meta.base_url or RELATIVE_BASE).rstrip("/") + "/" + path)


def describe(
    meta: ReleaseMetadata, stats: GraphStats, files: Sequence[Distribution], pages: Sequence[str] = ()
) -> list[Triple]:
    """Every triple of the release description: DCAT-AP 3 dataset and distributions, sources, VoID.

    :param pages: relative paths of HTML documentation pages (``foaf:page`` of the dataset).
    """
    issued, modified = _dates(meta, stats)
    out = _catalog(meta, issued, modified) + _dataset(meta, stats, issued, modified)
    sources = used_upstream(stats)
    rights = [u(iris.mint("dataset", "rights", source.key)) for source in sources]
    for source in sources:
        out += upstream_triples(u(DATASET_IRI), source, modified)
    for dist in files:
        out += _distribution(meta, dist, rights, issued, modified)
    for page in pages:
        doc = u(release_url(meta, page))
        out += [(u(DATASET_IRI), p(FOAF.page), doc), (doc, p(RDF.type), p(FOAF.Document))]
    out += recommended_triples(meta, u(CATALOG_IRI), u(DATASET_IRI), out)
    return out + void_triples(DATASET_IRI, stats)


def _dates(meta: ReleaseMetadata, stats: GraphStats) -> tuple[date | None, date | None]:
    """(issued, modified): given, else the latest export date of the inputs; never the clock."""
    modified = meta.modified or (stats.export_dates[-1] if stats.export_dates else None)
    if modified is None:
        log.warning("no export date in the inputs and no --modified: dct:issued/modified left out")
    return meta.issued or modified, modified


def _catalog(meta: ReleaseMetadata, issued: date | None, modified: date | None) -> list[Triple]:
    catalog = u(CATALOG_IRI)
    out: list[Triple] = [
        (catalog, p(RDF.type), p(DCAT.Catalog)),
        (catalog, p(DCAT.dataset), u(DATASET_IRI)),
        (catalog, p(DCTERMS.publisher), u(meta.publisher_iri)),
        (catalog, p(DCTERMS.license), u(LICENCE_OUVERTE)),
        (catalog, p(DCTERMS.language), u(EU + "language/FRA")),
    ]
    out += texts(catalog, DCTERMS.title, ("Publications de rncp-graph", "rncp-graph releases"))
    out += texts(catalog, DCTERMS.description, CATALOG_DESCRIPTION)
    out += [(catalog, p(DCTERMS.issued), xsd_date(issued))] if issued else []
    out += [(catalog, p(DCTERMS.modified), xsd_date(modified))] if modified else []
    if meta.base_url:
        home = u(meta.base_url)
        out += [(catalog, p(FOAF.homepage), home), (home, p(RDF.type), p(FOAF.Document))]
    return out + licence_triples(LICENCE_OUVERTE)


def _dataset(meta: ReleaseMetadata, stats: GraphStats, issued: date | None, modified: date | None) -> list[Triple]:
    ds, agent = u(DATASET_IRI), u(meta.publisher_iri)
    fra, public = u(EU + "language/FRA"), u(EU + "access-right/PUBLIC")
    out: list[Triple] = [
        (ds, p(RDF.type), p(DCAT.Dataset)),
        (ds, p(DCTERMS.identifier), string(DATASET_IRI)),
        (ds, p(DCTERMS.publisher), agent),
        (agent, p(RDF.type), p(FOAF.Agent)),
        (agent, p(FOAF.name), string(meta.publisher_name)),
        (ds, p(DCTERMS.conformsTo), u(ONTOLOGY_IRI)),
        (u(ONTOLOGY_IRI), p(RDF.type), p(DCTERMS.Standard)),
        (ds, p(DCTERMS.language), fra),
        (fra, p(RDF.type), p(DCTERMS.LinguisticSystem)),
        (ds, p(DCTERMS.accessRights), public),
        (public, p(RDF.type), p(DCTERMS.RightsStatement)),
        (ds, p(VOID.uriSpace), string(DATA_BASE)),
        (ds, p(VOID.vocabulary), u(ONTOLOGY_IRI + "#")),
    ]
    out += texts(ds, DCTERMS.title, TITLE) + texts(ds, DCTERMS.description, DESCRIPTION)
    out += texts(u(ONTOLOGY_IRI), DCTERMS.title, ("Ontologie rncp-graph", "rncp-graph ontology"))
    out += [(ds, p(DCAT.keyword), f"{string(word)}@{lang}") for word, lang in KEYWORDS]
    out += [(ds, p(DCTERMS.issued), xsd_date(issued))] if issued else []
    out += [(ds, p(DCTERMS.modified), xsd_date(modified))] if modified else []
    out += [(ds, p(DCAT3.version), string(meta.version))] if meta.version else []
    out += [(ds, p(VOID.sparqlEndpoint), u(meta.sparql_endpoint))] if meta.sparql_endpoint else []
    return out + _theme(ds) + _temporal(ds, stats)


def _theme(ds: str) -> list[Triple]:
    theme, scheme = u(EU + "data-theme/EDUC"), u(EU + "data-theme")
    out = [
        (ds, p(DCAT.theme), theme),
        (theme, p(RDF.type), p(SKOS.Concept)),
        (theme, p(SKOS.inScheme), scheme),
        (scheme, p(RDF.type), p(SKOS.ConceptScheme)),
    ]
    out += texts(theme, SKOS.prefLabel, ("Éducation, culture et sport", "Education, culture and sport"))
    return out + texts(scheme, DCTERMS.title, ("Thème des données", "Data theme"))


def _temporal(ds: str, stats: GraphStats) -> list[Triple]:
    if stats.period is None:
        return []
    start, end = stats.period
    period = u(iris.mint("dataset", "temporal-coverage"))
    return [
        (ds, p(DCTERMS.temporal), period),
        (period, p(RDF.type), p(DCTERMS.PeriodOfTime)),
        (period, p(DCAT.startDate), xsd_date(start)),
        (period, p(DCAT.endDate), xsd_date(end)),
    ]


def _distribution(
    meta: ReleaseMetadata, dist: Distribution, rights: list[str], issued: date | None, modified: date | None
) -> list[Triple]:
    node = u(iris.mint("dataset", "distribution", *dist.path.split("/")))
    url, checksum = u(release_url(meta, dist.path)), u(iris.mint("dataset", "checksum", *dist.path.split("/")))
    media, algorithm = u(IANA + dist.media_type), u(str(SPDX.checksumAlgorithm_sha256))
    out: list[Triple] = [
        (u(DATASET_IRI), p(DCAT.distribution), node),
        (node, p(RDF.type), p(DCAT.Distribution)),
        (node, p(DCAT.accessURL), url),
        (node, p(DCAT.downloadURL), url),
        (node, p(DCAT.mediaType), media),
        (media, p(RDF.type), p(DCTERMS.MediaType)),
        (node, p(DCAT.byteSize), typed(str(dist.size), XSD.nonNegativeInteger)),
        (node, p(SPDX.checksum), checksum),
        (checksum, p(RDF.type), p(SPDX.Checksum)),
        (checksum, p(SPDX.algorithm), algorithm),
        (algorithm, p(RDF.type), p(SPDX.ChecksumAlgorithm)),
        (checksum, p(SPDX.checksumValue), typed(dist.sha256, XSD.hexBinary)),
        (node, p(DCTERMS.license), u(dist.licence)),
        *licence_triples(dist.licence),
        *[(node, p(DCTERMS.rights), r) for r in rights],
    ]
    out += texts(node, DCTERMS.title, dist.title) + texts(node, DCTERMS.description, dist.description)
    out += [(node, p(DCTERMS.issued), xsd_date(issued))] if issued else []
    out += [(node, p(DCTERMS.modified), xsd_date(modified))] if modified else []
    if dist.file_type:
        fmt = u(FILE_TYPE + dist.file_type)
        out += [(node, p(DCTERMS.format), fmt), (fmt, p(RDF.type), p(DCTERMS.MediaTypeOrExtent))]
    if dist.compress:
        gz = u(IANA + dist.compress)
        out += [(node, p(DCAT.compressFormat), gz), (gz, p(RDF.type), p(DCTERMS.MediaType))]
    if dist.data:
        out += [(node, p(DCTERMS.conformsTo), u(ONTOLOGY_IRI)), (u(DATASET_IRI), p(VOID.dataDump), url)]
    return out


def to_turtle(triples: Sequence[Triple], *, relative: bool) -> bytes:
    """Canonical Turtle of ``triples`` (sorted, deduplicated) through pyoxigraph.

    With ``relative``, IRIs under :data:`RELATIVE_BASE` are written as relative references
    (``<rncp.ttl>``) and no ``@base`` is written, so they resolve against the location of the
    file. (pyoxigraph's own ``base_iri`` would also turn every other ``https:`` IRI into a
    scheme-relative ``<//host/...>``, which breaks when the file is read over ``http:`` or
    from disk.)
    """
    lines = sorted({line(t) for t in triples})
    parsed = ox.parse(input=("\n".join(lines) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    data = ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=DESCRIPTION_PREFIXES) or b""
    if relative:
        data = data.replace(b"<" + RELATIVE_BASE.encode(), b"<")
    if RELATIVE_BASE.encode() in data:
        raise RuntimeError("the placeholder base IRI leaked into the release description")
    return data


def write_description(meta: ReleaseMetadata, triples: Sequence[Triple], dest: Path) -> int:
    """Write the description as Turtle at ``dest`` (atomically); returns the number of triples."""
    data = to_turtle(triples, relative=meta.base_url is None)
    write_bytes(dest, data)
    return len({line(t) for t in triples})
