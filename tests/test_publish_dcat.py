"""The DCAT-AP 3 + VoID description of a release (``dcat.ttl``).

Validated with pyshacl against SEMIC's DCAT-AP 3.0.1 shapes vendored in ``tests/resources/dcat-ap``
(graphs passed as objects, no ``owl:imports``, sockets and urllib blocked): the shapes, the
ranges, and the recommended properties (warnings) once the options that fill them are given; a
few broken descriptions show the validation can fail. The numbers are checked against
independent counts.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import namespace as ns

from rncp_graph import Build
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.exports.dcat import CATALOG_IRI, DATASET_IRI, SPDX, Distribution, ReleaseMetadata, describe, to_turtle
from rncp_graph.exports.upstream import LICENCE_OUVERTE
from rncp_graph.exports.void import GraphStats, graph_stats
from rncp_graph.namespaces import EQF, RNCP

from .constants import RESOURCES
from .test_publish_support import deny_remote_urls, sha256

VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = rdflib.Namespace("http://data.europa.eu/r5r/")
# plain Namespaces (rdflib's DefinedNamespaces warn when pytest probes module attributes)
DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, VOID, XSD = (
    rdflib.Namespace(str(n)) for n in (ns.DCAT, ns.DCTERMS, ns.FOAF, ns.PROV, ns.RDF, ns.SKOS, ns.VOID, ns.XSD)
)
SHAPES_DIR = RESOURCES / "dcat-ap"
SHAPES_FILE = SHAPES_DIR / "dcat-ap-SHACL.ttl"
DS = rdflib.URIRef(DATASET_IRI)
PORTAL = "https://portal.example/rncp/"


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def dcat(release: Path) -> rdflib.Graph:
    """``dcat.ttl`` as a portal at ``PORTAL`` would read it (relative URLs resolved against it)."""
    return rdflib.Graph().parse(
        data=(release / "dcat.ttl").read_text(encoding="utf-8"), format="turtle", publicID=PORTAL
    )


def _validate(data: rdflib.Graph, shapes: rdflib.Graph, *, meta_shacl: bool = False) -> tuple[bool, str]:
    with deny_remote_urls():
        conforms, _report, text = pyshacl.validate(
            data, shacl_graph=shapes, do_owl_imports=False, inference="none", meta_shacl=meta_shacl
        )
    return bool(conforms), str(text)


def test_vendored_shapes_are_semic_files_byte_for_byte_with_their_licence(shapes: rdflib.Graph) -> None:
    readme = (SHAPES_DIR / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "7c531da7f154794da620fd0e57a3e8afe0286c0f" in readme
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        data = path.read_bytes()
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        assert f"`{path.name}`" in readme and blob in readme, path.name
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = set(shapes.objects(None, sh.targetClass))
    assert {DCAT.Catalog, DCAT.Dataset, DCAT.Distribution, FOAF.Agent, SPDX.Checksum, DCTERMS.PeriodOfTime} <= targets
    referenced = set(shapes.objects(None, sh.property))
    pathless = {str(ps).split("#")[1].split("/")[0] for ps in referenced if (ps, sh.path, None) not in shapes}
    assert referenced and pathless == {"dcat:DataServiceShape"}  # SEMIC's defect; dcat.ttl has no DataService
    assert not list(shapes.subjects(ns.OWL.imports, None))


@pytest.mark.slow
def test_description_conforms_to_dcat_ap_3(dcat: rdflib.Graph, shapes: rdflib.Graph) -> None:
    # not meta_shacl: one property shape of dcat:DataServiceShape in SEMIC's file has no sh:path
    conforms, text = _validate(dcat, shapes)
    assert conforms, text


@pytest.mark.parametrize(
    "breakage",
    [
        "no-title",
        "distribution-without-access-url",
        "bad-checksum",
        "two-publishers",
        "byte-size-as-string",
        "catalog-without-publisher",
    ],
)
def test_broken_descriptions_do_not_conform(dcat: rdflib.Graph, shapes: rdflib.Graph, breakage: str) -> None:
    broken = rdflib.Graph()
    broken += dcat
    dist = next(iter(broken.objects(DS, DCAT.distribution)))
    if breakage == "no-title":
        broken.remove((DS, DCTERMS.title, None))
    elif breakage == "distribution-without-access-url":
        broken.remove((dist, DCAT.accessURL, None))
    elif breakage == "bad-checksum":
        checksum = broken.value(dist, SPDX.checksum)
        broken.set((checksum, SPDX.checksumValue, rdflib.Literal("not hex", datatype=XSD.hexBinary)))
    elif breakage == "two-publishers":
        other = rdflib.URIRef("https://example.org/other")
        broken += [
            (DS, DCTERMS.publisher, other),
            (other, RDF.type, FOAF.Agent),
            (other, FOAF.name, rdflib.Literal("x")),
        ]
    elif breakage == "byte-size-as-string":
        broken.set((dist, DCAT.byteSize, rdflib.Literal("12")))
    else:
        broken.remove((rdflib.URIRef(CATALOG_IRI), DCTERMS.publisher, None))
    conforms, _text = _validate(broken, shapes)
    assert not conforms


def test_catalog_lists_the_dataset(dcat: rdflib.Graph) -> None:
    catalog = rdflib.URIRef(CATALOG_IRI)
    assert (catalog, RDF.type, DCAT.Catalog) in dcat
    assert list(dcat.objects(catalog, DCAT.dataset)) == [DS]
    assert dcat.value(catalog, DCTERMS.publisher) == dcat.value(DS, DCTERMS.publisher)


def test_distributions_match_the_files(dcat: rdflib.Graph, release: Path) -> None:
    dists = list(dcat.objects(DS, DCAT.distribution))
    assert len(dists) >= 4 + 1
    for dist in dists:
        url = str(dcat.value(dist, DCAT.downloadURL))
        assert url.startswith(PORTAL) and dcat.value(dist, DCAT.accessURL) == rdflib.URIRef(url)
        path = release / url.removeprefix(PORTAL)
        assert int(dcat.value(dist, DCAT.byteSize)) == path.stat().st_size
        assert str(dcat.value(dcat.value(dist, SPDX.checksum), SPDX.checksumValue)) == sha256(path)
        assert str(dcat.value(dist, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")
        assert {lit.language for lit in dcat.objects(dist, DCTERMS.title)} == {"fr", "en"}
        assert {lit.language for lit in dcat.objects(dist, DCTERMS.description)} == {"fr", "en"}
    by_file = {str(dcat.value(d, DCAT.downloadURL)).removeprefix(PORTAL): d for d in dists}
    assert {"rncp.ttl", "rncp.nt.gz", "rncp.jsonld", "rncp.trig", "ontology/rncp.ttl"} <= set(by_file)
    for name in ("rncp.ttl", "rncp.nt.gz", "rncp.jsonld", "rncp.trig"):
        assert dcat.value(by_file[name], DCTERMS.license) == rdflib.URIRef(LICENCE_OUVERTE)
    gz = by_file["rncp.nt.gz"]
    assert dcat.value(gz, DCAT.mediaType) == rdflib.URIRef(
        "http://www.iana.org/assignments/media-types/application/n-triples"
    )
    assert dcat.value(gz, DCAT.compressFormat) == rdflib.URIRef(
        "http://www.iana.org/assignments/media-types/application/gzip"
    )
    cc_by = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert dcat.value(by_file["ontology/rncp.ttl"], DCTERMS.license) == cc_by  # what the ontology file declares


def test_urls_are_relative_unless_a_base_url_is_given(release: Path) -> None:
    text = (release / "dcat.ttl").read_text(encoding="utf-8")
    assert "dcat:downloadURL <rncp.nt.gz>" in text
    assert "@base" not in text and "invalid" not in text and "<//" not in text
    absolute = describe(ReleaseMetadata(base_url="https://data.example.org/rncp"), GraphStats(), [_dist()])
    turtle = to_turtle(absolute, relative=False).decode()
    assert "<https://data.example.org/rncp/rncp.ttl>" in turtle


def _dist() -> Distribution:
    return Distribution("rncp.ttl", 10, "ab" * 32, "text/turtle", ("t", "t"), ("d", "d"), file_type="RDF_TURTLE")


def test_licence_sources_rights_and_publisher(dcat: rdflib.Graph) -> None:
    licence = rdflib.URIRef(LICENCE_OUVERTE)
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in dcat
    assert str(dcat.value(licence, DCTERMS.identifier)) == "etalab-2.0"
    sources = set(dcat.objects(DS, PROV.wasDerivedFrom))
    assert not set(dcat.objects(DS, DCTERMS.source))  # its DCAT-AP range is dcat:Dataset, ours to describe
    assert all((s, RDF.type, PROV.Entity) in dcat and (s, RDF.type, DCAT.Dataset) not in dcat for s in sources)
    rncp = "https://www.data.gouv.fr/datasets/repertoire-national-des-certifications-professionnelles-et-repertoire-specifique"
    assert rdflib.URIRef(rncp) in sources
    assert (
        rdflib.URIRef("https://www.data.gouv.fr/datasets/repertoire-operationnel-des-metiers-et-des-emplois-rome")
        in sources
    )
    assert rdflib.URIRef("http://data.europa.eu/snb/model/elm/") in sources
    assert rdflib.URIRef("https://esco.ec.europa.eu/") not in sources  # the samples hold no ESCO links
    statements = " ".join(str(o) for r in dcat.objects(DS, DCTERMS.rights) for o in dcat.objects(r, rdflib.RDFS.label))
    assert "France compétences" in statements and "Licence Ouverte" in statements and "2026-11-01" in statements
    publisher = dcat.value(DS, DCTERMS.publisher)
    assert str(dcat.value(publisher, FOAF.name)) == "Équipe rncp-graph (tests)"
    assert (publisher, RDF.type, FOAF.Agent) in dcat


def test_dates_come_from_options_or_export_dates_never_the_clock() -> None:
    stats = GraphStats(export_dates=[date(2024, 2, 22), date(2024, 5, 1)])
    graph = _graph(describe(ReleaseMetadata(), stats, []))
    assert graph.value(DS, DCTERMS.modified) == rdflib.Literal(date(2024, 5, 1))
    assert graph.value(DS, DCTERMS.issued) == rdflib.Literal(date(2024, 5, 1))
    given = _graph(describe(ReleaseMetadata(issued=date(2020, 1, 2), modified=date(2021, 3, 4)), stats, []))
    assert given.value(DS, DCTERMS.issued) == rdflib.Literal(date(2020, 1, 2))
    nothing = _graph(describe(ReleaseMetadata(), GraphStats(), []))
    assert nothing.value(DS, DCTERMS.issued) is None and nothing.value(DS, DCTERMS.modified) is None


def test_esco_is_a_source_and_a_linkset_only_when_linked() -> None:
    stats = GraphStats(links={("esco", str(SKOS.closeMatch)): 3})
    graph = _graph(describe(ReleaseMetadata(sparql_endpoint="https://sparql.example.org/rncp"), stats, []))
    assert rdflib.URIRef("https://esco.ec.europa.eu/") in set(graph.objects(DS, PROV.wasDerivedFrom))
    linkset = next(iter(graph.subjects(VOID.linkPredicate, SKOS.closeMatch)))
    assert graph.value(linkset, VOID.objectsTarget) == rdflib.URIRef("https://esco.ec.europa.eu/")
    assert int(graph.value(linkset, VOID.triples)) == 3
    assert graph.value(DS, VOID.sparqlEndpoint) == rdflib.URIRef("https://sparql.example.org/rncp")


def _graph(triples: list[tuple[str, str, str]]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=to_turtle(triples, relative=False).decode(), format="turtle")


def test_temporal_coverage_is_the_span_of_decision_and_expiry_dates(dcat: rdflib.Graph, sample_build: Build) -> None:
    rows = sample_build.store.select(
        "SELECT (MIN(?d) AS ?lo) (MAX(?d) AS ?hi) WHERE { ?c ?p ?d VALUES ?p { rncp:decisionDate rncp:expiryDate } }"
    )
    lo, hi = rows[0]["lo"], rows[0]["hi"]
    assert lo is not None and hi is not None
    period = dcat.value(DS, DCTERMS.temporal)
    assert str(dcat.value(period, DCAT.startDate)) == lo.value
    assert str(dcat.value(period, DCAT.endDate)) == hi.value


def test_void_statistics_match_independent_counts(dcat: rdflib.Graph, release: Path, sample_build: Build) -> None:
    lines = canonical_lines(sample_build.store)
    assert int(dcat.value(DS, VOID.triples)) == len(lines)
    subjects = {line.split(" ", 1)[0] for line in lines if line.startswith("<")}
    assert int(dcat.value(DS, VOID.entities)) == len(subjects)
    per_class = sample_build.store.count_by_class()
    partitions = {
        str(dcat.value(p, VOID["class"])): int(dcat.value(p, VOID.entities))
        for p in dcat.objects(DS, VOID.classPartition)
    }
    assert partitions == per_class
    assert partitions[str(RNCP.Certification)] >= 5
    properties = {
        str(dcat.value(p, VOID.property)): int(dcat.value(p, VOID.triples))
        for p in dcat.objects(DS, VOID.propertyPartition)
    }
    assert sum(properties.values()) == len(lines)
    eqf_links = [line for line in lines if f"<{SKOS.exactMatch}> <{EQF}" in line]
    linkset = next(iter(dcat.subjects(VOID.linkPredicate, SKOS.exactMatch)))
    assert int(dcat.value(linkset, VOID.triples)) == len(eqf_links) == 8
    assert (DS, VOID.sparqlEndpoint, None) not in dcat
    dumps = {str(o).removeprefix(PORTAL) for o in dcat.objects(DS, VOID.dataDump)}
    assert dumps == {"rncp.ttl", "rncp.nt.gz", "rncp.jsonld", "rncp.trig"}


def test_graph_stats_reads_dates_and_links_from_lines() -> None:
    lines = [
        f'<https://x/c> <{RNCP.decisionDate}> "2021-04-01"^^<{XSD.date}> .',
        f'<https://x/c> <{RNCP.expiryDate}> "2026-12-31"^^<{XSD.date}> .',
        f'<https://x/c> <{RNCP.expiryDate}> "2026-02-30"^^<{XSD.date}> .',  # impossible: ignored
        f'<https://x/g> <{RNCP.exportDate}> "2024-02-22"^^<{XSD.date}> .',
        f"<https://x/l> <{SKOS.exactMatch}> <{EQF}6> .",
        f"<https://x/l> <{RDF.type}> <{RNCP.Level}> .",
        f'_:b <{SKOS.prefLabel}> "x" .',
    ]
    stats = graph_stats(lines)
    assert stats.triples == 7 and stats.entities == 3
    assert stats.period == (date(2021, 4, 1), date(2026, 12, 31))
    assert stats.export_dates == [date(2024, 2, 22)]
    assert stats.links == {("eqf", str(SKOS.exactMatch)): 1}
    assert stats.classes == {str(RNCP.Level): 1}


@pytest.mark.slow
@pytest.mark.shared
def test_release_with_esco_links_names_esco_and_conforms(
    tmp_path: Path, shared_data: Path, shapes: rdflib.Graph
) -> None:
    from rncp_graph import build
    from rncp_graph.exports.publish import publish
    from rncp_graph.linking.run import link_esco

    from .constants import FICHES_DIR

    result = build([FICHES_DIR])
    link_esco(shared_data / "esco-fr" / "raw-v1.0-emanuellandell", result.store)
    publish(result.store, tmp_path, metadata=ReleaseMetadata(modified=date(2026, 11, 1)), docs=False)
    graph = rdflib.Graph().parse(tmp_path / "dcat.ttl", format="turtle", publicID=PORTAL)
    assert rdflib.URIRef("https://esco.ec.europa.eu/") in set(graph.objects(DS, PROV.wasDerivedFrom))
    esco_lines = [ln for ln in canonical_lines(result.store) if "<http://data.europa.eu/esco/" in ln.split(" ", 2)[2]]
    linked = [ln for ln in esco_lines if ln.split(" ", 2)[1].startswith(f"<{SKOS}")]
    counted = sum(
        int(graph.value(ls, VOID.triples))
        for ls in graph.subjects(VOID.objectsTarget, rdflib.URIRef("https://esco.ec.europa.eu/"))
    )
    assert counted == len(linked) > 0
    conforms, text = _validate(graph, shapes)
    assert conforms, text


# -- the recommended properties (SEMIC's shapes_recommended.ttl: warnings) ----------------------
RECOMMENDED = {
    "contact_email": "donnees@example.org",
    "availability": "stable",
    "publisher_type": "NationalAuthority",
    "spatial_bbox": "POLYGON((-5 41,10 41,10 51,-5 51,-5 41))",  # test values, not a claim about France
    "spatial_centroid": "POINT(2 46)",
}


@pytest.fixture(scope="module")
def recommended_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_DIR / "shapes_recommended.ttl", format="turtle")


@pytest.fixture(scope="module")
def all_shapes(shapes: rdflib.Graph, recommended_shapes: rdflib.Graph) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph += shapes
    graph += rdflib.Graph().parse(SHAPES_DIR / "range.ttl", format="turtle")
    return graph + recommended_shapes


@pytest.fixture(scope="module")
def full_dcat(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> rdflib.Graph:
    """``dcat.ttl`` of a release published with every option that fills a recommended property."""
    from rncp_graph.exports.publish import publish

    out = tmp_path_factory.mktemp("full-release")
    meta = ReleaseMetadata(base_url=PORTAL, modified=date(2026, 11, 1), **RECOMMENDED)
    publish(sample_build.store, out, metadata=meta, docs=False)
    return rdflib.Graph().parse(out / "dcat.ttl", format="turtle")


def _results(data: rdflib.Graph, shapes: rdflib.Graph) -> list[tuple[str, str, str]]:
    """(severity, path, focus) of every result of the validation."""
    with deny_remote_urls():
        _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, do_owl_imports=False, inference="none")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return sorted(
        (str(report.value(r, sh.resultSeverity)).rsplit("#", 1)[1], str(report.value(r, sh.resultPath)),
         str(report.value(r, sh.focusNode)))
        for r in report.subjects(RDF.type, sh.ValidationResult)
    )  # fmt: skip


def test_with_the_options_no_violation_and_no_recommended_warning(
    full_dcat: rdflib.Graph, all_shapes: rdflib.Graph
) -> None:
    assert _results(full_dcat, all_shapes) == []
    contact = full_dcat.value(DS, DCAT.contactPoint)
    assert full_dcat.value(contact, VCARD.hasEmail) == rdflib.URIRef("mailto:donnees@example.org")
    availability = rdflib.URIRef("http://publications.europa.eu/resource/authority/planned-availability/STABLE")
    dists = set(full_dcat.objects(DS, DCAT.distribution))
    assert dists and all(full_dcat.value(d, DCATAP.availability) == availability for d in dists)


def test_without_the_options_each_missing_property_is_named_and_none_invented(
    dcat: rdflib.Graph, recommended_shapes: rdflib.Graph
) -> None:
    from rncp_graph.exports.recommended import FRANCE, missing
    from rncp_graph.exports.upstream import EU

    from .test_publish_support import META

    warned = {path.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for _sev, path, _focus in _results(dcat, recommended_shapes)}
    assert warned == {"contactPoint", "availability", "type", "bbox", "centroid", "homepage"}
    named = " ".join(missing(META))
    assert all(word in named for word in ("--contact-email", "--availability", "--publisher-type", "--spatial-bbox"))
    assert (DS, DCAT.contactPoint, None) not in dcat  # no contact point is invented
    france = rdflib.URIRef(FRANCE)
    assert dcat.value(DS, DCTERMS.spatial) == france == dcat.value(rdflib.URIRef(CATALOG_IRI), DCTERMS.spatial)
    assert dcat.value(rdflib.URIRef(CATALOG_IRI), DCAT.themeTaxonomy) == rdflib.URIRef(EU + "data-theme")
    commission = rdflib.URIRef(EU + "corporate-body/COM")
    assert dcat.value(commission, DCTERMS.type) == rdflib.URIRef(
        "http://purl.org/adms/publishertype/SupraNationalAuthority"
    )


def test_the_full_description_still_fails_on_a_missing_recommended_property(
    full_dcat: rdflib.Graph, recommended_shapes: rdflib.Graph
) -> None:
    broken = rdflib.Graph()
    broken += full_dcat
    broken.remove((DS, DCAT.contactPoint, None))
    assert [(sev, path) for sev, path, _ in _results(broken, recommended_shapes)] == [
        ("Warning", str(DCAT.contactPoint))
    ]
