"""The Europass (ELM) export: shape of the graph, the ESCO-pattern defect, validation with pyshacl."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from pyshacl import validate

from rncp_graph.linking import elm, elm_shacl, rdfio, run
from rncp_graph.store import GraphStore

from .test_linking_support import ELM_DIR, LINKING, linking_store, shared  # noqa: F401

E = rdflib.Namespace("http://data.europa.eu/snb/model/elm/")
ID = rdflib.Namespace("https://w3id.org/rncp-graph/id/")
SKOS = rdflib.namespace.SKOS
REAL_SKILL = rdflib.URIRef("http://data.europa.eu/esco/skill/21c5790c-0930-4d74-b3b0-84caf5af12ea")


def export(store: GraphStore) -> rdflib.Graph:
    return rdfio.to_rdflib(elm.elm_triples(elm.read_source(store)))


def test_certifications_and_blocks_become_qualifications(linking_store: GraphStore) -> None:  # noqa: F811
    g = export(linking_store)
    cert, block = ID["certification/RNCP90001"], ID["block/RNCP90001BC01"]
    assert set(g.subjects(rdflib.RDF.type, E.Qualification)) == {
        cert,
        block,
        ID["block/RNCP90001BC02"],
        ID["certification/RS90002"],
    }
    assert g.value(cert, E.EQFLevel) == rdflib.URIRef("http://data.europa.eu/snb/eqf/5")
    assert g.value(cert, E.NQFLevel) == ID["level/5"]
    assert (block, E.isPartialQualification, rdflib.Literal(True)) in g
    assert (block, E.isPartOf, cert) in g and (cert, E.hasPart, block) in g
    assert g.value(block, E.EQFLevel) == rdflib.URIRef("http://data.europa.eu/snb/eqf/5")
    assert g.value(cert, E.isPartialQualification) is None
    # learning outcomes: the certification's own competencies, the blocks' their own
    assert set(g.objects(cert, E.learningOutcome)) == {ID["competency/fixture-01"]}
    assert len(set(g.objects(block, E.learningOutcome))) == 2
    assert g.value(ID["competency/fixture-01"], rdflib.DCTERMS.title) == rdflib.Literal("Gérer la paie", lang="fr")


def test_awarding_body_with_siret_as_legal_identifier(linking_store: GraphStore) -> None:  # noqa: F811
    g = export(linking_store)
    cert, org = ID["certification/RNCP90001"], ID["organisation/siret/12345678900011"]
    bodies = {g.value(ao, E.awardingBody) for ao in g.objects(cert, E.awardingOpportunity)}
    assert org in bodies
    legal = g.value(org, rdflib.URIRef("http://www.w3.org/ns/regorg#registration"))
    assert legal == ID["organisation/siret/12345678900011/elm/legal-identifier"]
    assert g.value(legal, SKOS.notation) == rdflib.Literal("12345678900011")
    assert (legal, rdflib.RDF.type, E.LegalIdentifier) in g


def test_no_blank_nodes_and_no_iscedf(linking_store: GraphStore) -> None:  # noqa: F811
    g = export(linking_store)
    assert not any(isinstance(term, rdflib.BNode) for triple in g for term in triple)
    assert not any(g.triples((None, E.ISCEDFCode, None)))


def test_esco_links_become_related_esco_skills(linking_store: GraphStore) -> None:  # noqa: F811
    run.link_esco(LINKING / "esco", linking_store, thresholds={"competency": 0.4, "rome": 0.5})
    g = export(linking_store)
    skill = rdflib.URIRef("http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001")
    assert (ID["competency/fixture-01"], E.relatedESCOSkill, skill) in g
    assert g.value(skill, SKOS.inScheme) == rdflib.URIRef("http://data.europa.eu/esco/concept-scheme/skills")


def _tiny_outcome() -> rdflib.Graph:
    g = rdflib.Graph()
    outcome = ID["competency/x"]
    g.add((outcome, rdflib.RDF.type, E.LearningOutcome))
    g.add((outcome, E.relatedESCOSkill, REAL_SKILL))
    g.add((REAL_SKILL, SKOS.inScheme, rdflib.URIRef("http://data.europa.eu/esco/concept-scheme/skills")))
    return g


def test_defective_pattern_is_detected_and_corrected_in_memory() -> None:
    shapes = rdflib.Graph().parse(LINKING / "shapes-esco-defect.ttl")
    (defect,) = elm_shacl.esco_pattern_defects(shapes)
    assert defect.pattern == "^https://ec.europa.eu/esco/skill/"
    assert not validate(_tiny_outcome(), shacl_graph=shapes)[0]  # the real ESCO skill is rejected
    fixed = elm_shacl.corrected_shapes(shapes, [defect])
    assert validate(_tiny_outcome(), shacl_graph=fixed)[0]
    assert elm_shacl.esco_pattern_defects(fixed) == []
    assert len(fixed) == len(shapes)  # one literal swapped, nothing else


def test_missing_elm_terms_are_reported(tmp_path: Path) -> None:
    ontology = tmp_path / "ELM.ttl"
    ontology.write_text(f"<{E.Qualification}> a <http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8")
    g = rdflib.Graph()
    g.add((ID["certification/X"], rdflib.RDF.type, E.Qualification))
    g.add((ID["certification/X"], E.noSuchTerm, rdflib.Literal("x")))
    assert elm_shacl.missing_elm_terms(g, ontology) == [str(E.noSuchTerm)]


@pytest.mark.shared
def test_every_elm_term_used_exists_in_elm_ttl(linking_store: GraphStore) -> None:  # noqa: F811
    elm_ttl = shared(ELM_DIR / "ELM.ttl")
    run.link_esco(LINKING / "esco", linking_store)
    assert elm_shacl.missing_elm_terms(export(linking_store), elm_ttl) == []


@pytest.mark.shared
def test_real_profile_defect_and_validation(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    elm_dir = shared(ELM_DIR)
    run.link_esco(LINKING / "esco", linking_store)
    result = run.export_elm(linking_store, out=tmp_path / "elm.ttl", elm_dir=elm_dir)
    report = result.report
    assert report is not None and report.corrected
    assert [d.shape.rsplit("/", 1)[-1] for d in report.defects] == ["EscoSkillRestriction"]
    # what is left: the documented gaps, the one organisation without SIRET (no known country) among them
    assert report.unexpected == {}
    assert report.known[("elm:location", "MinCountConstraintComponent, no SIRET")] == 1
    assert report.known[("elm:ISCEDFCode", "MinCountConstraintComponent")] == 4
    uncorrected = elm_shacl.validate_elm(export(linking_store), elm_dir, correct=False)
    extra = uncorrected.unexpected - report.unexpected
    assert extra == {("elm:relatedESCOSkill", "NodeConstraintComponent"): 4}
    assert (tmp_path / "elm.ttl").read_text(encoding="utf-8").count("elm:Qualification") >= 1


PROSE_BLOCKS = """
@base <https://w3id.org/rncp-graph/id/> .
@prefix rncp: <https://w3id.org/rncp-graph/ontology#> .
<block/RNCP90001BC03> a rncp:CompetencyBlock ; rncp:blockCode "RNCP90001BC03" ;
    rncp:title "Pilotage"@fr ; rncp:isBlockOf <certification/RNCP90001> ;
    rncp:blockDescription "Ce bloc regroupe les compétences de pilotage économique."@fr .
<block/RNCP90001BC04> a rncp:CompetencyBlock ; rncp:blockCode "RNCP90001BC04" ;
    rncp:title "Sans contenu"@fr ; rncp:isBlockOf <certification/RNCP90001> .
"""


def _with_prose_blocks(store: GraphStore, tmp_path: Path) -> GraphStore:
    """The fixture plus a block the fiche describes in prose only (RNCP4525's layout) and a bare one."""
    path = tmp_path / "prose-blocks.ttl"
    path.write_text(PROSE_BLOCKS, encoding="utf-8")
    store.load_file(path, "https://w3id.org/rncp-graph/id/graph/source/prose-blocks")
    return store


def test_block_description_is_the_learning_outcome_summary(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    g = export(_with_prose_blocks(linking_store, tmp_path))
    prose, bare = ID["block/RNCP90001BC03"], ID["block/RNCP90001BC04"]
    note = g.value(prose, E.learningOutcomeSummary)
    assert note == ID["block/RNCP90001BC03/elm/learning-outcome-summary"]
    assert (note, rdflib.RDF.type, E.Note) in g
    assert g.value(note, E.noteLiteral) == rdflib.Literal(
        "Ce bloc regroupe les compétences de pilotage économique.", lang="fr"
    )
    assert g.value(prose, E.learningOutcome) is None  # no competency is invented from the prose
    assert g.value(bare, E.learningOutcomeSummary) is None
    assert g.value(ID["block/RNCP90001BC01"], E.learningOutcomeSummary) is None


@pytest.mark.shared
def test_prose_only_block_is_a_known_gap_a_bare_block_is_not(linking_store: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    report = elm_shacl.validate_elm(export(_with_prose_blocks(linking_store, tmp_path)), shared(ELM_DIR))
    assert report.known[("elm:learningOutcome", "MinCountConstraintComponent, summary only")] == 1
    assert report.unexpected[("elm:learningOutcome", "MinCountConstraintComponent")] == 1  # BC04: nothing at all
