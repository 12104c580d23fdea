"""The pure mapping: model objects in, N-Triples out — no files, no loader."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from rncp_graph import iris
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.mapping import fiche_to_triples, ntriples_chunks
from rncp_graph.mapping.codes import concept_triples
from rncp_graph.model import (
    AccessRoute,
    AccessRouteKind,
    Block,
    Code,
    Correspondence,
    CorrespondenceKind,
    CorrespondenceNature,
    Fiche,
    LinkedFiche,
    Organisation,
    Statistic,
    Status,
)
from rncp_graph.namespaces import RNCP
from rncp_graph.terms import line


def _graph(*fiches: Fiche) -> rdflib.Graph:
    data = "\n".join(line(t) for f in fiches for t in fiche_to_triples(f))
    return rdflib.Graph().parse(data=data, format="nt")


def _fiche(**kw: object) -> Fiche:
    base: dict[str, object] = {
        "number": "RNCP34808",
        "source": "test",
        "level": 6,
        "status": Status.ACTIVE,
        "rome": [Code("K1201", "Action sociale")],
        "nsf": [Code("332p", "Direction de centres et de services sociaux")],
        "formacodes": [Code("44047", "Direction établissement médico-social")],
        "certifiers": [Organisation("ESPACE SENTEIN", "33196441100036", None, "https://espace-sentein.fr")],
        "expiry_date": date(2025, 7, 23),
        "blocks": [
            Block("RNCP34808BC01", "Réalisation d'un projet", ["Identifier une problématique", "Évaluer les résultats"])
        ],
    }
    base.update(kw)
    return Fiche(**base)  # type: ignore[arg-type]


C = URIRef(iris.certification("RNCP34808"))


def test_certification_core_facts() -> None:
    g = _graph(_fiche(title='Chef de service "social"\nsur deux lignes'))
    assert (C, RDF.type, RNCP.Certification) in g
    assert (C, RDF.type, RNCP.ProfessionalCertification) in g
    assert (C, RNCP.ficheNumber, Literal("RNCP34808")) in g
    assert (C, RNCP.level, URIRef(iris.level(6))) in g
    assert (C, RNCP.status, URIRef(iris.status("active"))) in g
    assert (C, RNCP.expiryDate, Literal(date(2025, 7, 23))) in g
    assert g.value(C, RNCP.expiryDate).datatype == XSD.date
    assert str(g.value(C, RNCP.title)) == 'Chef de service "social"\nsur deux lignes'
    assert g.value(C, RNCP.title).language == "fr"


def test_no_blank_nodes_and_every_line_is_valid_ntriples() -> None:
    triples = fiche_to_triples(_fiche(statistics=[Statistic(2018, 33, 0, 94, 67, None)]))
    store = ox.Store()
    store.load(input="\n".join(line(t) for t in triples).encode(), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == len(set(triples))
    assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in store)


def test_rs_fiche_is_a_specific_certification() -> None:
    g = _graph(_fiche(number="RS5000", level=None, blocks=[]))
    rs = URIRef(iris.certification("RS5000"))
    assert (rs, RDF.type, RNCP.SpecificCertification) in g
    assert g.value(rs, RNCP.level) is None


def test_code_hierarchies_come_from_the_codes() -> None:
    g = _graph(_fiche(rome=[Code("K1403", "Management de structure")]))
    k1403, k14, k = (URIRef(iris.rome(c)) for c in ("K1403", "K14", "K"))
    assert (k1403, SKOS.broader, k14) in g and (k14, SKOS.broader, k) in g
    assert (k, SKOS.topConceptOf, URIRef(iris.scheme("rome"))) in g
    assert g.value(k1403, SKOS.prefLabel) == Literal("Management de structure", lang="fr")
    nsf = [URIRef(iris.nsf(c)) for c in ("332p", "332", "33", "3")]
    for child, parent in itertools.pairwise(nsf):
        assert (child, SKOS.broader, parent) in g
    assert (URIRef(iris.formacode("44047")), SKOS.inScheme, URIRef(iris.scheme("formacode"))) in g


def test_competencies_are_shared_nodes_across_fiches() -> None:
    text = "Identifier une problématique"
    other = _fiche(number="RNCP1", blocks=[Block("RNCP1BC01", "X", [text + " ."])])
    g = _graph(_fiche(), other)
    node = URIRef(iris.competency(text))
    owners = set(g.subjects(RNCP.competency, node))
    assert owners == {URIRef(iris.block("RNCP34808BC01")), URIRef(iris.block("RNCP1BC01"))}
    assert list(g.objects(node, RNCP.text)) == [Literal(text, lang="fr")]


def test_blocks_certifier_lineage_correspondence_access() -> None:
    fiche = _fiche(
        predecessors=[LinkedFiche("RNCP28696", "Chef de service")],
        successors=[LinkedFiche("RNCP40000")],
        correspondences=[
            Correspondence(
                "RNCP2514",
                CorrespondenceKind.RNCP,
                "CAFERUIS",
                CorrespondenceNature.PARTIAL,
                "DC4 = bloc 6",
                "RNCP34808BC06",
                ("RNCP2514BC04",),
            )
        ],
        access_routes=[AccessRoute(AccessRouteKind.VAE, True, "Jury de trois membres", date(2022, 6, 7))],
    )
    g = _graph(fiche)
    block = URIRef(iris.block("RNCP34808BC01"))
    assert (C, RNCP.hasBlock, block) in g and (block, RNCP.isBlockOf, C) in g
    org = URIRef(iris.organisation("33196441100036", "ESPACE SENTEIN"))
    assert (C, RNCP.certifier, org) in g
    assert (org, RNCP.siren, Literal("331964411")) in g
    assert (org, RNCP.website, URIRef("https://espace-sentein.fr")) in g
    assert (C, DCTERMS.replaces, URIRef(iris.certification("RNCP28696"))) in g
    assert (C, DCTERMS.isReplacedBy, URIRef(iris.certification("RNCP40000"))) in g
    # what a fiche says of its lineage only: no inverse is invented
    assert (URIRef(iris.certification("RNCP28696")), DCTERMS.isReplacedBy, C) not in g
    corr = g.value(C, RNCP.correspondence)
    assert g.value(corr, RNCP.correspondenceNature) == URIRef(iris.correspondence_nature("partial"))
    assert g.value(corr, RNCP.sourceBlock) == URIRef(iris.block("RNCP34808BC06"))
    assert g.value(corr, RNCP.targetBlock) == URIRef(iris.block("RNCP2514BC04"))
    access = g.value(C, RNCP.accessModality)
    assert g.value(access, RNCP.accessRoute) == URIRef(iris.access_route("vae"))
    assert g.value(access, RNCP.isOpen) == Literal(True)


def test_invalid_website_is_left_out_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    fiche = _fiche(certifiers=[Organisation("X", None, None, "www.site.fr Tél : 02 51")])
    g = _graph(fiche)
    assert g.value(None, RNCP.website) is None
    assert "not a valid IRI" in caplog.text


def test_mapping_is_deterministic() -> None:
    assert fiche_to_triples(_fiche()) == fiche_to_triples(_fiche())


def test_export_only_fields_are_mapped() -> None:
    """Diploma type, publication state, effective and publication dates, collective agreements."""
    fiche = _fiche(
        abbreviation=Code("BAC PRO", "Baccalauréat professionnel"),
        record_state="Publiée",
        effective_date=date(2020, 9, 1),
        publication_date=date(2021, 3, 9),
        collective_agreements=[Code("3117", "Boulangerie-pâtisserie (Entreprises artisanales)"), Code("3248")],
    )
    g = _graph(fiche)
    diploma = URIRef(iris.diploma_type("BAC PRO"))
    assert str(diploma).endswith("/diploma-type/BAC-PRO")
    assert (C, RNCP.diplomaType, diploma) in g
    assert {(diploma, RDF.type, SKOS.Concept), (diploma, RDF.type, RNCP.DiplomaType)} <= set(g)
    assert (diploma, SKOS.inScheme, URIRef(iris.scheme("diploma-type"))) in g
    assert (diploma, SKOS.topConceptOf, URIRef(iris.scheme("diploma-type"))) in g
    assert list(g.objects(diploma, SKOS.notation)) == [Literal("BAC PRO")]
    assert list(g.objects(diploma, SKOS.prefLabel)) == [Literal("Baccalauréat professionnel", lang="fr")]
    assert list(g.objects(C, RNCP.recordState)) == [Literal("Publiée", lang="fr")]
    assert list(g.objects(C, RNCP.effectiveDate)) == [Literal("2020-09-01", datatype=XSD.date)]
    assert list(g.objects(C, RNCP.fichePublicationDate)) == [Literal("2021-03-09", datatype=XSD.date)]
    assert g.value(C, RNCP.publicationDate) is None, "rncp:publicationDate is the JO/BO date of a LegalPublication"
    agreements = {URIRef(iris.collective_agreement(n)) for n in ("3117", "3248")}
    assert set(g.objects(C, RNCP.collectiveAgreement)) == agreements
    bakery = URIRef(iris.collective_agreement("3117"))
    assert (bakery, RDF.type, RNCP.CollectiveAgreement) in g
    assert (bakery, SKOS.inScheme, URIRef(iris.scheme("collective-agreement"))) in g
    assert g.value(bakery, SKOS.notation) == Literal("3117")
    assert g.value(bakery, SKOS.prefLabel) == Literal("Boulangerie-pâtisserie (Entreprises artisanales)", lang="fr")
    assert g.value(URIRef(iris.collective_agreement("3248")), SKOS.prefLabel) is None
    assert g.value(C, RNCP.idccCode) is None, "a brochure number is not an IDCC code"


def test_absent_export_only_fields_give_no_triples() -> None:
    g = _graph(_fiche())
    for prop in (RNCP.diplomaType, RNCP.recordState, RNCP.effectiveDate, RNCP.fichePublicationDate):
        assert g.value(C, prop) is None
    assert g.value(C, RNCP.collectiveAgreement) is None


def test_diploma_type_codes_become_valid_iri_segments() -> None:
    assert iris.code_key("Titre ingénieur") == "Titre-ingenieur"
    assert iris.code_key("DGE_GM") == "DGE_GM"
    assert iris.code_key("3117") == "3117"
    assert iris.code_key("--") == iris.text_hash("--")
    triples = fiche_to_triples(_fiche(abbreviation=Code("Licence Professionnelle", "Licence professionnelle")))
    store = ox.Store()
    store.load(input="\n".join(line(t) for t in triples).encode(), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == len(set(triples))


def test_xml_sample_diploma_type_and_dates_reach_the_graph(shared_data: Path) -> None:
    """The real fiche RNCP35340 of the XML export: BTS, "Publiée", effective and publication dates."""
    (fiche,) = read_xml(shared_data / "rncp-xml-v4.1-sample" / "export-fiches-rncp-extract.RNCP35340.xml").fiches
    g = _graph(fiche)
    c = URIRef(iris.certification("RNCP35340"))
    diploma = URIRef(iris.diploma_type("BTS"))
    assert (c, RNCP.diplomaType, diploma) in g
    assert g.value(diploma, SKOS.notation) == Literal("BTS")
    assert g.value(diploma, SKOS.prefLabel) == Literal("Brevet de technicien supérieur", lang="fr")
    assert g.value(c, RNCP.recordState) == Literal("Publiée", lang="fr")
    assert g.value(c, RNCP.effectiveDate) == Literal("2020-09-01", datatype=XSD.date)
    assert g.value(c, RNCP.fichePublicationDate) == Literal("2021-03-09", datatype=XSD.date)


def test_csv_sample_collective_agreements_and_diploma_types_reach_the_graph(shared_data: Path) -> None:
    """The official CSV sample: RNCP19468 cites the agreement of brochure 3117; RNCP509 is a CAP."""
    fiches = read_csv_export(shared_data / "rncp-csv-official-sample" / "sample").fiches
    g = _graph(*fiches)
    bakery = URIRef(iris.collective_agreement("3117"))
    assert (URIRef(iris.certification("RNCP19468")), RNCP.collectiveAgreement, bakery) in g
    assert g.value(bakery, SKOS.prefLabel) == Literal("Boulangerie-pâtisserie (Entreprises artisanales)", lang="fr")
    cap = URIRef(iris.diploma_type("CAP"))
    assert (URIRef(iris.certification("RNCP509")), RNCP.diplomaType, cap) in g
    assert g.value(cap, SKOS.prefLabel) == Literal("Certificat d'aptitude professionnelle", lang="fr")


def _chunk_lines(fiches: list[Fiche], size: int) -> list[str]:
    return [ln for chunk in ntriples_chunks(fiches, size) for ln in chunk.decode().splitlines()]


def _sharing_fiches() -> list[Fiche]:
    """Six fiches citing the same codes and sentences, two NSF codes under one ``33``."""
    text = "Identifier une problématique"
    return [
        _fiche(
            number=f"RNCP{n}",
            nsf=[Code("332p", "Direction"), Code("334t", "Accueil")],
            blocks=[Block(f"RNCP{n}BC01", "Bloc", [text])],
        )
        for n in range(100, 106)
    ]


def test_chunks_describe_each_shared_node_once_and_lose_no_triple() -> None:
    fiches = _sharing_fiches()
    lines = _chunk_lines(fiches, size=2)  # three documents of one graph
    assert set(lines) == {line(t) for f in fiches for t in fiche_to_triples(f)}
    shared = [ln for ln in lines if "/id/nsf/" in ln.split(" ")[0] or "/id/competency/" in ln.split(" ")[0]]
    assert shared and len(shared) == len(set(shared))  # described once, across documents too
    nsf33 = f"<{iris.nsf('33')}>"
    assert [ln for ln in lines if ln.startswith(f"{nsf33} <{SKOS.broader}>")] == [
        f"{nsf33} <{SKOS.broader}> <{iris.nsf('3')}> ."
    ]


def test_a_mapper_past_its_limit_forgets_what_it_described_and_describes_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fiches = _sharing_fiches()
    remembered = _chunk_lines(fiches, size=1)
    monkeypatch.setattr("rncp_graph.mapping.DESCRIBED_LIMIT", 3)
    forgetful = _chunk_lines(fiches, size=1)
    assert set(forgetful) == set(remembered)  # the same graph
    node = f"<{iris.competency('Identifier une problématique')}>"
    text_line = next(ln for ln in remembered if ln.startswith(f"{node} <{RNCP.text}>"))
    assert remembered.count(text_line) == 1 and forgetful.count(text_line) > 1


@pytest.mark.parametrize(
    "items",
    [
        [("rome", "K1403"), ("rome", "K14"), ("rome", "K")],
        [("rome", "K14"), ("rome", "K1403"), ("rome", "K")],
        [("nsf", "33"), ("nsf", "332p"), ("nsf", "332"), ("nsf", "334t"), ("nsf", "3")],
        [("nsf", "3"), ("nsf", "332"), ("nsf", "33"), ("nsf", "332p")],
    ],
)
def test_a_shared_concept_memory_gives_every_concept_and_link_of_each_code(items: list[tuple[str, str]]) -> None:
    """Short codes too (``K14`` alone is a top concept, under ``K1403`` it has ``K`` above it;
    NSF ``33``), in any order: the same triples as each code described on its own."""
    described: set[object] = set()
    shared = {t for kind, code in items for t in concept_triples(kind, Code(code, None), described)}
    alone = {t for kind, code in items for t in concept_triples(kind, Code(code, None))}
    assert shared == alone
