"""The ontology and the SKOS schemes as files.

They parse (rdflib and Oxigraph, from the files), agree term by term with the namespace module
in both directions, give every term French and English labels and definitions, align only to
the agreed external terms (ELM ones checked against ``../shared/data/elm/ELM.ttl``), and hold
exactly the scheme concepts whose IRIs :mod:`rncp_graph.iris` mints, so code and files cannot drift.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from rncp_graph import iris, model, resources
from rncp_graph.namespaces import CTDL, CTDLASN, DATA_BASE, ELM, EQF, ONTOLOGY_IRI, RNCP, SCHEMA

from .constants import ROOT

ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "rncp.ttl"
SCHEMES_DIR = ONTOLOGY_DIR / "schemes"
TTL_FILES = sorted(ONTOLOGY_DIR.rglob("*.ttl"))
NS = str(RNCP._NS)
TERMS = sorted(RNCP.__annotations__)
ONTOLOGY = URIRef(ONTOLOGY_IRI)
VANN = "http://purl.org/vocab/vann/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
#: XSD as plain IRIs: rdflib's XSD namespace object warns when pytest inspects module attributes.
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
DATE, INTEGER, BOOLEAN, STRING = (URIRef(XSD_NS + name) for name in ("date", "integer", "boolean", "string"))

#: The alignments of design.md, and nothing else: (our term, predicate) → external terms.
ALIGNMENTS: dict[tuple[str, URIRef], set[URIRef]] = {
    ("Certification", RDFS.subClassOf): {ELM.Qualification},
    ("Certification", SKOS.closeMatch): {CTDL.Credential, SCHEMA.EducationalOccupationalCredential},
    ("CompetencyBlock", RDFS.subClassOf): {ELM.Qualification},
    ("Competency", RDFS.subClassOf): {ELM.LearningOutcome},
    ("Competency", SKOS.closeMatch): {CTDLASN.Competency},
    ("Organisation", RDFS.subClassOf): {ELM.Organisation},
    ("title", RDFS.subPropertyOf): {DCTERMS.title},
    ("ficheNumber", RDFS.subPropertyOf): {SKOS.notation},
    ("blockCode", RDFS.subPropertyOf): {SKOS.notation},
}
#: Classes whose members are the concepts of a SKOS scheme.
CONCEPT_CLASSES = [
    "RomeCode", "NsfCode", "Formacode", "Level", "AccessRoute",
    "CertificationStatus", "CorrespondenceNature", "CorrespondenceKind", "DiplomaType",
    "CollectiveAgreement",
]  # fmt: skip
#: Object properties whose values are web pages (any http(s) IRI): no range.
WEB_PAGE_PROPERTIES = {"descriptionPage", "website"}
#: ELM terms named in comments of rncp.ttl (the ELM export of blocks), checked like the alignments.
ELM_TERMS_IN_COMMENTS = {ELM.isPartialQualification, ELM.isPartOf}
#: The one datatype for French free text; the others are XSD.
LANG_STRING = RDF.langString
#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), rdf:langString (RDF 1.1,
#: as the OWL API and HermiT read it) and rdfs:Literal. No xsd:date, xsd:gYear, xsd:duration.
OWL2_DATATYPES = {
    LANG_STRING,
    RDFS.Literal,
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    OWL.real,
    OWL.rational,
    *(
        URIRef(XSD_NS + name)
        for name in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    ),
}

#: The exact row labels of the "Voie d’accès à la certification" table (typographic apostrophes).
ACCESS_ROUTE_LABELS = {
    model.AccessRouteKind.STUDENT: "Après un parcours de formation sous statut d’élève ou d’étudiant",
    model.AccessRouteKind.APPRENTICESHIP: "En contrat d’apprentissage",
    model.AccessRouteKind.CONTINUING: "Après un parcours de formation continue",
    model.AccessRouteKind.PROFESSIONALISATION: "En contrat de professionnalisation",
    model.AccessRouteKind.INDIVIDUAL: "Par candidature individuelle",
    model.AccessRouteKind.VAE: "Par expérience",
}

#: scheme IRI → (class of its concepts, {concept IRI: key}) as rncp_graph.iris mints them.
MINTED_SCHEMES: dict[str, tuple[str, dict[str, str]]] = {
    iris.scheme("level"): ("Level", {iris.level(n): str(n) for n in range(1, 9)}),
    iris.scheme("access-route"): ("AccessRoute", {iris.access_route(k.value): k.value for k in model.AccessRouteKind}),
    iris.scheme("status"): ("CertificationStatus", {iris.status(s.value): s.value for s in model.Status}),
    iris.scheme("correspondence-nature"): (
        "CorrespondenceNature",
        {iris.correspondence_nature(k.value): k.value for k in model.CorrespondenceNature},
    ),
    iris.scheme("correspondence-kind"): (
        "CorrespondenceKind",
        {iris.correspondence_kind(k.value): k.value for k in model.CorrespondenceKind},
    ),
}
#: Schemes of external code lists: described in code-schemes.ttl, concepts written by the mapping.
CODE_SCHEMES = [iris.scheme(name) for name in ("rome", "nsf", "formacode", "diploma-type", "collective-agreement")]

#: Namespaces an IRI of a scheme file may be in, besides our own data and vocabulary.
SCHEME_FILE_NAMESPACES = (
    str(RDF), str(SKOS), str(DCTERMS), str(EQF), XSD_NS,
    "https://www.legifrance.gouv.fr/eli/", str(CC_BY),
)  # fmt: skip


def _parse(path: Path) -> Graph:
    return Graph().parse(source=str(path), format="turtle")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return _parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def schemes() -> Graph:
    graph = Graph()
    for path in sorted(SCHEMES_DIR.glob("*.ttl")):
        graph.parse(source=str(path), format="turtle")
    return graph


def _iris(graph: Graph) -> Iterator[URIRef]:
    for triple in graph:
        yield from (t for t in triple if isinstance(t, URIRef))


def _lang_values(graph: Graph, subject: Node, predicate: URIRef, lang: str) -> list[str]:
    return [str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == lang]


def _members(graph: Graph, node: Node) -> list[Node]:
    """A class expression as the named classes it stands for (``owl:unionOf`` lists unfolded)."""
    if isinstance(node, BNode):
        union = graph.value(node, OWL.unionOf)
        assert union is not None, "an anonymous domain or range must be an owl:unionOf"
        return list(Collection(graph, union))
    return [node]


# -- the files ------------------------------------------------------------------------------------
def test_ontology_files_exist() -> None:
    assert ONTOLOGY_FILE.is_file()
    assert {p.name for p in SCHEMES_DIR.glob("*.ttl")} >= {
        "levels.ttl", "access-routes.ttl", "statuses.ttl", "correspondence.ttl", "code-schemes.ttl",
    }  # fmt: skip


def test_the_package_finds_the_same_files() -> None:
    """The build loads ``resources.scheme_files()``: it must be every scheme file here."""
    assert resources.ontology_file().resolve() == ONTOLOGY_FILE.resolve()
    assert [p.resolve() for p in resources.scheme_files()] == sorted(p.resolve() for p in SCHEMES_DIR.glob("*.ttl"))


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: str(p.relative_to(ONTOLOGY_DIR)))
def test_file_parses_with_rdflib_and_oxigraph(path: Path) -> None:
    assert len(_parse(path)) > 0
    assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: str(p.relative_to(ONTOLOGY_DIR)))
def test_file_has_a_header(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = "\n".join(line for line in lines[: lines.index("")] if line.startswith("#"))
    assert header.startswith("# rncp-graph"), "the file starts with a comment naming it"
    for field in ("Title:", "Version:", "Date:", "Licence:"):
        assert field in header, f"{path.name}: header lacks {field}"


# -- the ontology header --------------------------------------------------------------------------
def test_ontology_header(onto: Graph) -> None:
    assert set(onto.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY}
    for predicate in (DCTERMS.title, DCTERMS.description):
        for lang in ("fr", "en"):
            assert len(_lang_values(onto, ONTOLOGY, predicate, lang)) == 1, (predicate, lang)
    assert onto.value(ONTOLOGY, DCTERMS.license) == CC_BY
    assert str(onto.value(ONTOLOGY, OWL.versionInfo)) == "0.1.0"
    for predicate in (DCTERMS.created, DCTERMS.modified):
        assert onto.value(ONTOLOGY, predicate) == Literal("2026-11-22", datatype=DATE)
    assert str(onto.value(ONTOLOGY, URIRef(VANN + "preferredNamespacePrefix"))) == "rncp"
    assert str(onto.value(ONTOLOGY, URIRef(VANN + "preferredNamespaceUri"))) == NS


# -- the namespace module and rncp.ttl agree, term by term ----------------------------------------
@pytest.mark.parametrize("name", TERMS)
def test_term_is_declared_labelled_and_defined(onto: Graph, name: str) -> None:
    term = RNCP[name]
    types = set(onto.objects(term, RDF.type)) & TERM_TYPES
    assert len(types) == 1, f"rncp:{name} must be exactly one of owl:Class / ObjectProperty / DatatypeProperty"
    for predicate in (RDFS.label, SKOS.definition):
        for lang in ("fr", "en"):
            values = _lang_values(onto, term, predicate, lang)
            assert len(values) == 1, f"rncp:{name} needs one {predicate.n3(onto.namespace_manager)}@{lang}"
            assert values[0].strip(), f"rncp:{name}: empty {lang} value"
    assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY


def test_no_rncp_term_outside_the_namespace_module(onto: Graph, schemes: Graph) -> None:
    known = {str(RNCP[name]) for name in TERMS}
    used = {str(i) for graph in (onto, schemes) for i in _iris(graph) if str(i).startswith(NS)}
    assert used - known == set(), "rncp: terms used in ontology/ but missing from namespaces.RNCP"
    declared = {str(s) for s in onto.subjects() if str(s).startswith(NS)}
    assert declared == known


def test_labels_are_unique_per_kind_and_language(onto: Graph) -> None:
    for kind in (OWL.Class, (OWL.ObjectProperty, OWL.DatatypeProperty)):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        terms = [t for k in kinds for t in onto.subjects(RDF.type, k) if str(t).startswith(NS)]
        for lang in ("fr", "en"):
            labels = Counter(v.casefold() for t in terms for v in _lang_values(onto, t, RDFS.label, lang))
            assert [label for label, n in labels.items() if n > 1] == [], (kinds, lang)


# -- domains, ranges and axioms -------------------------------------------------------------------
def test_domains_and_ranges_resolve(onto: Graph) -> None:
    classes = set(onto.subjects(RDF.type, OWL.Class))
    properties = [p for p in onto.subjects(RDF.type, OWL.ObjectProperty) if str(p).startswith(NS)]
    datatype_properties = [p for p in onto.subjects(RDF.type, OWL.DatatypeProperty) if str(p).startswith(NS)]
    for prop in [*properties, *datatype_properties]:
        domains = list(onto.objects(prop, RDFS.domain))
        assert len(domains) == 1, f"{prop}: one rdfs:domain (a union when several classes)"
        for cls in _members(onto, domains[0]):
            assert cls in classes and str(cls).startswith(NS), f"{prop}: domain {cls} is not a declared class"
    for prop in properties:
        ranges = list(onto.objects(prop, RDFS.range))
        name = str(prop).removeprefix(NS)
        if name in WEB_PAGE_PROPERTIES:
            assert ranges == [], f"{prop}: any web page, no range"
            continue
        assert len(ranges) == 1, f"{prop}: one rdfs:range"
        for cls in _members(onto, ranges[0]):
            assert cls in classes and str(cls).startswith(NS), f"{prop}: range {cls} is not a declared class"
    for prop in datatype_properties:
        ranges = list(onto.objects(prop, RDFS.range))
        assert len(ranges) == 1, f"{prop}: one rdfs:range"
        assert ranges[0] in OWL2_DATATYPES, f"{prop}: range {ranges[0]} is not in the OWL 2 datatype map"


@pytest.mark.parametrize(
    ("name", "datatype"),
    [
        ("expiryDate", DATE), ("decisionDate", DATE), ("lastDeliveryDate", DATE),
        ("lastOfficialJournalDate", DATE), ("publicationDate", DATE), ("lastModified", DATE),
        ("exportDate", DATE), ("effectiveDate", DATE), ("fichePublicationDate", DATE),
        ("year", INTEGER), ("promotionYear", INTEGER),
        ("registrationDurationYears", INTEGER), ("certifiedCount", INTEGER),
        ("vaeCertifiedCount", INTEGER), ("insertionRate6Months", INTEGER),
        ("targetJobInsertionRate6Months", INTEGER), ("targetJobInsertionRate2Years", INTEGER),
        ("isOpen", BOOLEAN), ("numberInferred", BOOLEAN), ("partialValidation", BOOLEAN),
        ("newCaledonia", BOOLEAN), ("frenchPolynesia", BOOLEAN),
        ("distinctBlockPrerequisites", BOOLEAN), ("ficheNumber", STRING), ("blockCode", STRING),
        ("siret", STRING), ("siren", STRING), ("idccCode", STRING), ("title", LANG_STRING),
        ("text", LANG_STRING), ("objectives", LANG_STRING), ("juryComposition", LANG_STRING),
        ("recordState", LANG_STRING), ("certifierActive", BOOLEAN), ("certifierStateDate", DATE),
        ("changeAction", STRING), ("changeDate", DATE), ("targetBlockAsCited", LANG_STRING),
    ],
)  # fmt: skip
def test_datatype_of_what_the_mapping_writes(onto: Graph, name: str, datatype: URIRef) -> None:
    """The ranges the mapping's encoders (``terms.xsd_date``, ``integer``, ``boolean``, ``string``, ``fr``) write.

    ``xsd:date`` is not in the OWL 2 datatype map (HermiT refuses an ontology that uses it, and
    OWL 2 DL forbids declaring a datatype in the ``xsd:`` namespace): date properties have the
    range ``rdfs:Literal``, and the shapes (``shapes/ranges.ttl``, ``core.ttl``) require ``xsd:date``.
    """
    if datatype == DATE:
        assert onto.value(RNCP[name], RDFS.range) == RDFS.Literal
        assert DATE in set(RANGE_SHAPES.objects(_shape_of(RNCP[name]), SH.datatype)), f"{name}: no sh:datatype xsd:date"
    else:
        assert onto.value(RNCP[name], RDFS.range) == datatype


SH = Namespace("http://www.w3.org/ns/shacl#")
RANGE_SHAPES = Graph().parse(ROOT / "shapes" / "ranges.ttl").parse(ROOT / "shapes" / "core.ttl")


def _shape_of(prop: URIRef) -> Node:
    shapes = list(RANGE_SHAPES.subjects(SH.path, prop))
    assert len(shapes) == 1, f"{prop}: one property shape in shapes/ranges.ttl and core.ttl"
    return shapes[0]


def test_web_pages_are_object_properties(onto: Graph) -> None:
    for name in WEB_PAGE_PROPERTIES:
        assert (RNCP[name], RDF.type, OWL.ObjectProperty) in onto


def test_blocks_inverse_and_register_classes(onto: Graph) -> None:
    assert (RNCP.hasBlock, OWL.inverseOf, RNCP.isBlockOf) in onto
    assert (RNCP.isBlockOf, OWL.inverseOf, RNCP.hasBlock) in onto
    for cls in (RNCP.ProfessionalCertification, RNCP.SpecificCertification):
        assert (cls, RDFS.subClassOf, RNCP.Certification) in onto
    assert (RNCP.ProfessionalCertification, OWL.disjointWith, RNCP.SpecificCertification) in onto


@pytest.mark.parametrize("name", CONCEPT_CLASSES)
def test_concept_classes_are_skos_concepts(onto: Graph, name: str) -> None:
    assert (RNCP[name], RDFS.subClassOf, SKOS.Concept) in onto


def test_alignments_are_exactly_the_agreed_ones(onto: Graph) -> None:
    found: dict[tuple[str, URIRef], set[URIRef]] = {}
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch, SKOS.exactMatch, OWL.equivalentClass):
        for s, o in onto.subject_objects(predicate):
            if str(s).startswith(NS) and not str(o).startswith(NS) and o != SKOS.Concept:
                found.setdefault((str(s).removeprefix(NS), predicate), set()).add(o)
    assert found == ALIGNMENTS


def test_elm_terms_exist_in_elm(onto: Graph, shared_data: Path) -> None:
    elm = _parse(shared_data / "elm" / "ELM.ttl")
    used = {i for i in _iris(onto) if str(i).startswith(str(ELM))} | ELM_TERMS_IN_COMMENTS
    assert used, "the ontology aligns to ELM"
    missing = {str(t) for t in used if (t, RDF.type, None) not in elm}
    assert missing == set(), "ELM terms used by ontology/rncp.ttl but not declared in ELM.ttl"


# -- the SKOS schemes -----------------------------------------------------------------------------
def test_scheme_concepts_are_exactly_the_minted_iris(schemes: Graph) -> None:
    declared = {str(s) for s in schemes.subjects(RDF.type, SKOS.ConceptScheme)}
    assert declared == set(MINTED_SCHEMES) | set(CODE_SCHEMES)
    for scheme, (cls, concepts) in MINTED_SCHEMES.items():
        in_file = {str(c) for c in schemes.subjects(SKOS.inScheme, URIRef(scheme))}
        assert in_file == set(concepts), scheme
        typed = {str(c) for c in schemes.subjects(RDF.type, RNCP[cls])}
        assert typed == set(concepts), f"the concepts of {scheme} are exactly the rncp:{cls} of the files"
        for concept, key in concepts.items():
            node = URIRef(concept)
            assert (node, RDF.type, SKOS.Concept) in schemes
            assert [str(n) for n in schemes.objects(node, SKOS.notation)] == [key]
            assert (node, SKOS.topConceptOf, URIRef(scheme)) in schemes
            assert (URIRef(scheme), SKOS.hasTopConcept, node) in schemes
    for scheme in CODE_SCHEMES:
        assert not list(schemes.subjects(SKOS.inScheme, URIRef(scheme))), "code concepts come from the data"


def test_every_concept_and_scheme_is_labelled_in_french_and_english(schemes: Graph) -> None:
    concepts = set(schemes.subjects(RDF.type, SKOS.Concept))
    for node in concepts | set(schemes.subjects(RDF.type, SKOS.ConceptScheme)):
        for predicate in (SKOS.prefLabel, SKOS.definition):
            for lang in ("fr", "en"):
                assert len(_lang_values(schemes, node, predicate, lang)) == 1, (node, predicate, lang)
    for scheme in MINTED_SCHEMES:
        members = list(schemes.subjects(SKOS.inScheme, URIRef(scheme)))
        for lang in ("fr", "en"):
            labels = Counter(v for c in members for v in _lang_values(schemes, c, SKOS.prefLabel, lang))
            assert max(labels.values()) == 1, f"{scheme}: two concepts share a {lang} prefLabel"


@pytest.mark.parametrize("n", range(1, 9))
def test_level_matches_its_eqf_level(schemes: Graph, n: int) -> None:
    level = URIRef(iris.level(n))
    assert list(schemes.objects(level, SKOS.exactMatch)) == [EQF[str(n)]]
    assert _lang_values(schemes, level, SKOS.prefLabel, "fr") == [f"Niveau {n}"]
    assert _lang_values(schemes, level, SKOS.prefLabel, "en") == [f"Level {n}"]


def test_eqf_iris_are_those_of_the_elm_list(shared_data: Path) -> None:
    text = (shared_data / "elm" / "eqf.xsd").read_text(encoding="utf-8")
    listed = set(re.findall(r'value="(http://data\.europa\.eu/snb/eqf/\d+)"', text))
    assert {str(EQF[str(n)]) for n in range(1, 9)} <= listed


@pytest.mark.parametrize("kind", list(model.AccessRouteKind))
def test_access_route_labels_are_the_fiches_labels(schemes: Graph, kind: model.AccessRouteKind) -> None:
    node = URIRef(iris.access_route(kind.value))
    assert _lang_values(schemes, node, SKOS.prefLabel, "fr") == [ACCESS_ROUTE_LABELS[kind]]


def test_vae_alt_label(schemes: Graph) -> None:
    node = URIRef(iris.access_route(model.AccessRouteKind.VAE.value))
    assert "Validation des acquis de l'expérience (VAE)" in _lang_values(schemes, node, SKOS.altLabel, "fr")


@pytest.mark.parametrize("scheme", CODE_SCHEMES)
def test_code_scheme_publishers_are_literals(schemes: Graph, scheme: str) -> None:
    publishers = list(schemes.objects(URIRef(scheme), DCTERMS.publisher))
    assert publishers, f"{scheme}: no publisher"
    assert all(isinstance(p, Literal) for p in publishers), "no invented IRIs for publishers"


def test_scheme_files_use_only_known_iris(schemes: Graph) -> None:
    allowed = (DATA_BASE, NS, *SCHEME_FILE_NAMESPACES)
    strangers = {str(i) for i in _iris(schemes) if not str(i).startswith(allowed)}
    assert strangers == set()
