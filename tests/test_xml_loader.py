"""The XML export loader (flux v4.1): the real sample, a hand-made fixture of the elements the
sample lacks, zips, streaming, and the free-text splitting."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from rncp_graph import build, iris, normalise
from rncp_graph.loaders import xml_export, xml_fields
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.model import AccessRouteKind, CorrespondenceKind, Fiche, LoadResult, Status
from rncp_graph.namespaces import RNCP
from rncp_graph.normalise import split_items
from rncp_graph.pipeline.sources import expand, loader_for

from .constants import RESOURCES
from .test_exports_bad_input import fiche as one_fiche
from .test_exports_bad_input import xml_export as write_export

SAMPLE = Path("rncp-xml-v4.1-sample/export-fiches-rncp-extract.RNCP35340.xml")
FIXTURE = RESOURCES / "xml" / "export-fiches-rncp-v4-1-2025-03-14.xml"


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> LoadResult:
    return read_xml(shared_data / SAMPLE)


@pytest.fixture(scope="module")
def fixture() -> dict[str, Fiche]:
    return {f.number: f for f in read_xml(FIXTURE).fiches}


# --- the real sample: RNCP35340 -------------------------------------------------------------


def test_sample_identity_level_codes_and_status(sample: LoadResult) -> None:
    assert sample.loader == "xml"
    assert [f.number for f in sample.fiches] == ["RNCP35340"]
    assert sample.quarantined == 0
    fiche = sample.fiches[0]
    assert fiche.title is not None and fiche.title.startswith("Services informatiques aux organisations : Option A")
    assert fiche.level == 5  # NIV5
    assert [c.code for c in fiche.rome] == ["M1810", "M1801", "M1805"]
    assert fiche.rome[0].label == "Production et exploitation de systèmes d'information"
    assert [(c.code, c.label) for c in fiche.nsf] == [
        ("326", "Informatique, traitement de l'information, réseaux de transmission")
    ]
    assert [c.code for c in fiche.formacodes] == ["24220", "31084"]
    assert fiche.status is Status.INACTIVE  # fiche-level ACTIF Non (the SI_JURY_* ACTIF are routes)
    assert fiche.expiry_date == date(2025, 8, 31)
    assert fiche.registration_type == "Enregistrement de droit"
    assert (fiche.new_caledonia, fiche.french_polynesia) == (True, True)
    assert [(o.siret, o.legal_name) for o in fiche.certifiers] == [
        ("11004401300040", "MINISTERE DE L'ENSEIGNEMENT SUPERIEUR ET DE LA RECHERCHE")
    ]


def test_sample_blocks_and_their_competencies(sample: LoadResult) -> None:
    blocks = sample.fiches[0].blocks
    assert [b.code for b in blocks] == [f"RNCP35340BC0{i}" for i in range(1, 6)]
    assert [len(b.competencies) for b in blocks] == [6, 3, 5, 3, 5]
    assert blocks[0].competencies[0] == "Gérer le patrimoine informatique"
    assert blocks[1].competencies == [
        "Concevoir une solution d’infrastructure réseau",
        "Installer, tester et déployer une solution d’infrastructure réseau",
        "Exploiter, dépanner et superviser une solution d’infrastructure réseau",
    ]
    assert blocks[0].evaluation is not None and blocks[0].evaluation.startswith("Scolaires (établissements publics")
    assert "  " not in blocks[0].evaluation


def test_sample_lineage(sample: LoadResult) -> None:
    fiche = sample.fiches[0]
    assert [s.number for s in fiche.successors] == ["RNCP40792"]
    assert [p.number for p in fiche.predecessors] == ["RNCP17108"]


def test_sample_free_text_lists_are_split_into_items(sample: LoadResult) -> None:
    fiche = sample.fiches[0]
    assert len(fiche.activities) == 27
    assert len(fiche.competencies) == 57
    assert len(fiche.job_types) == 21  # 26 lines: 2 option headings, 2 intros ending in ":", 1 repeated title
    second = "l’installation, l’intégration, l’administration, la sécurisation des équipements et des services"
    assert fiche.activities[1] == f"{second} informatiques"
    assert "Travailler en mode projet" in fiche.competencies
    # a line wrapped inside a sentence ("… prise de décision    stratégique") is one item
    assert (
        "établir un diagnostic (ou une partie de diagnostic) préparant une prise de décision stratégique"
        in fiche.competencies
    )
    assert all(not c.startswith(("-", "*", "o ")) and not c.endswith(";") for c in fiche.competencies)
    assert fiche.job_types[0] == "administrateur systèmes et réseaux"


def test_sample_job_types_without_their_intro_lines_or_repeats(sample: LoadResult) -> None:
    """TYPE_EMPLOI_ACCESSIBLES reads, per option: 'Option « … » :', 'Les dénominations d'emplois
    concerné(e)s sont diverses. … les suivantes :', then the titles. Only the titles are job types;
    'technicien développement – exploitation', listed under both options, is kept once."""
    jobs = sample.fiches[0].job_types
    assert not [j for j in jobs if j.endswith(":") or j.startswith(("Option", "Les dénominations"))]
    assert jobs.count("technicien développement – exploitation") == 1
    assert jobs[:2] == ["administrateur systèmes et réseaux", "administrateur sécurité"]
    assert jobs[-1] == "technicien d'études informatiques."  # as written (final '.' kept)
    assert "analyste d'applications" in jobs and "développeur Web" in jobs
    assert sample.repairs["duplicate-item"] == 1


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["Option « A » :", "Les emplois sont les suivants :", "chef", "chef", "adjoint"], ["chef", "adjoint"]),
        (["Option « B »", "chef de quai"], ["chef de quai"]),  # an option heading without its colon
        (["Optionnel : rien", "Chef", "chef"], ["Optionnel : rien", "Chef", "chef"]),  # case differs: not a repeat
    ],
)
def test_without_list_headings(items: list[str], expected: list[str]) -> None:
    assert normalise.without_list_headings(items) == expected


def test_sample_access_routes_and_juries(sample: LoadResult) -> None:
    routes = sample.fiches[0].access_routes
    assert [r.route for r in routes] == list(AccessRouteKind)
    assert all(r.open for r in routes)
    assert all(r.jury is not None and r.jury.startswith("Le jury, nommé pour chaque session") for r in routes)


def test_sample_publications_url_and_problems(sample: LoadResult) -> None:
    fiche = sample.fiches[0]
    # the creation decree is repeated under PUBLICATION_DECRET_AUTRE: one reference, kind registration
    assert [(r.kind, r.date) for r in fiche.legal_references] == [("other", None), ("registration", date(2019, 5, 30))]
    assert sample.repairs["duplicate-publication"] == 1
    assert fiche.description_url == "https://enqdip.sup.adc.education.fr/bts/index.htm"
    # the second address is kept too, and nothing is reported: every element of the sample is known
    assert fiche.more_description_urls == ["https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000038529532"]
    assert sample.problems == []
    assert sample.export_date is None  # the sample's file name carries no date
    assert fiche.abbreviation is not None
    assert (fiche.abbreviation.code, fiche.abbreviation.label) == ("BTS", "Brevet de technicien supérieur")
    assert (fiche.record_state, fiche.effective_date, fiche.publication_date) == (
        "Publiée",
        date(2020, 9, 1),
        date(2021, 3, 9),
    )


def test_sample_in_a_zip_reads_the_same(sample: LoadResult, shared_data: Path, tmp_path: Path) -> None:
    archive = tmp_path / "export-fiches-rncp-v4-1-2026-09-29.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(shared_data / SAMPLE, "export-fiches-rncp.xml")
    zipped = read_xml(archive)
    assert zipped.fiches == [
        Fiche(**{**vars(sample.fiches[0]), "source": "export-fiches-rncp-v4-1-2026-09-29.zip/export-fiches-rncp.xml"})
    ]
    assert zipped.export_date == date(2026, 9, 29)
    assert loader_for(archive).name == "xml"  # type: ignore[union-attr]


# --- the hand-made fixture: the v4.1 elements the sample lacks -------------------------------


def test_fixture_export_date_and_unknown_elements_reported_once() -> None:
    result = read_xml(FIXTURE)
    assert result.export_date == date(2025, 3, 14)
    assert len(result.fiches) == 3
    unknown = [(p.rule, p.field, p.fiche, p.severity) for p in result.problems]
    assert unknown == [
        ("url-scheme-added", "CERTIFICATEUR", "RNCP90001", "warning"),  # www.travail-fictif.example
        ("unknown-element", "CERTIFICATEUR/CODE_POSTAL", "RNCP90003", "warning"),
        ("unknown-element", "NOUVEL_ELEMENT_V5", "RNCP90003", "warning"),  # given twice, reported once
    ]
    # elements with no field in the model are known and listed, not reported as unknown
    assert {
        "ID_FICHE",
        "DUREE_VALIDITE",
        "MODALITES_RENOUVELLEMENT",
        "EXISTENCE_PARTENAIRES",
    } <= xml_fields.NOT_MAPPED.keys()
    assert not xml_fields.NOT_MAPPED.keys() & xml_fields.FICHE_ELEMENTS.keys()


def test_fixture_correspondences_at_block_level(fixture: dict[str, Fiche]) -> None:
    corr = fixture["RNCP90001"].correspondences
    assert [(c.target, c.source_block, c.target_blocks, c.kind) for c in corr] == [
        ("RNCP90003", "RNCP90001BC01", ("RNCP90003BC01",), CorrespondenceKind.RNCP),
        ("RNCP80000", "RNCP90001BC01", ("RNCP80000BC03",), CorrespondenceKind.RNCP),
        ("RNCP80000", "RNCP90001BC02", ("RNCP80000BC03",), CorrespondenceKind.RNCP),
        ("RS90002", None, (), CorrespondenceKind.RS),
    ]
    assert corr[1].text == "RNCP90001BC01 + RNCP90001BC02 → RNCP80000BC03"
    assert corr[1].target_title == "Manager logistique"
    assert corr[0].text is None


def test_fixture_statistics_idcc_dates_and_texts(fixture: dict[str, Fiche]) -> None:
    f = fixture["RNCP90001"]
    assert [
        (s.year, s.certified, s.certified_vae, s.insertion_6_months, s.insertion_job_2_years) for s in f.statistics
    ] == [
        (2023, 120, 8, 78, 81),
        (2024, 140, None, None, None),
    ]
    assert f.statistics[1].insertion_job_6_months == 70
    assert f.idcc == ["0016"]
    assert [(c.code, c.label) for c in f.collective_agreements] == [("3085", "Transports routiers")]
    assert f.abbreviation is not None and (f.abbreviation.code, f.abbreviation.label) == ("TP", "Titre professionnel")
    assert (f.record_state, f.effective_date, f.publication_date) == ("Publiée", date(2023, 1, 12), date(2023, 1, 20))
    assert (f.decision_date, f.last_jo_date, f.expiry_date, f.last_delivery_date) == (
        date(2023, 1, 12),
        date(2023, 1, 15),
        date(2028, 1, 12),
        date(2029, 1, 12),
    )
    assert f.registration_years == 5
    assert f.partial_validation is True
    assert f.entry_prerequisites == "Niveau 5 ou expérience équivalente."
    assert f.validation_prerequisites == "Validation des deux blocs."
    assert f.regulation == "Habilitation à la conduite d’engins de manutention (CACES)."
    assert f.sectors == "Entreprises de transport et de logistique ; grande distribution."
    assert f.activities[-1] == "il suit les indicateurs de performance et les coûts."
    assert f.competencies == [
        "Organiser les flux :",
        "Planifier les réceptions",
        "Optimiser les stocks",
        "Encadrer :",
        "Animer une équipe",
        "Évaluer les compétences",
    ]
    assert [b.competencies for b in f.blocks] == [
        ["Planifier les réceptions", "Optimiser les stocks", "Piloter les expéditions"],
        ["Animer une équipe", "Évaluer les compétences"],
    ]


def test_fixture_routes_certifier_and_publications(fixture: dict[str, Fiche]) -> None:
    f = fixture["RNCP90001"]
    assert {r.route: r.open for r in f.access_routes} == {
        AccessRouteKind.STUDENT: False,
        AccessRouteKind.APPRENTICESHIP: True,
        AccessRouteKind.CONTINUING: True,
        AccessRouteKind.PROFESSIONALISATION: True,
        AccessRouteKind.INDIVIDUAL: False,
        AccessRouteKind.VAE: True,
    }
    apprenticeship = next(r for r in f.access_routes if r.route is AccessRouteKind.APPRENTICESHIP)
    assert apprenticeship.modified == date(2023, 1, 12)
    assert apprenticeship.jury == "Jury de professionnels du secteur."
    org = f.certifiers[0]
    assert (org.siret, org.commercial_name, org.website) == (
        "90000001900019",
        "Travail Fictif",
        "http://www.travail-fictif.example/",  # SITE_INTERNET "www.travail-fictif.example", scheme added
    )
    assert [(r.kind, r.date) for r in f.legal_references] == [("registration", date(2023, 1, 15))]
    assert [p.number for p in f.predecessors] == ["RNCP90003"]


def test_fixture_rs_fiche_has_partners_and_no_level(fixture: dict[str, Fiche]) -> None:
    rs = fixture["RS90002"]
    assert rs.register.value == "RS"
    assert rs.level is None
    assert [(p.legal_name, p.siret) for p in rs.partners] == [
        ("CENTRE DE FORMATION FICTIF NORD", "90000003500015"),
        ("CENTRE DE FORMATION FICTIF SUD", "90000004300019"),
    ]
    assert rs.partial_validation is False
    assert rs.blocks == []


def test_fixture_reprise_means_no_level(fixture: dict[str, Fiche]) -> None:
    old = fixture["RNCP90003"]
    assert old.level is None
    assert old.status is Status.INACTIVE
    assert [s.number for s in old.successors] == ["RNCP90001"]
    assert [b.code for b in old.blocks] == ["RNCP90003BC01"]


def test_unexpected_flux_version_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace(">4.1<", ">5.0<"), encoding="utf-8")
    result = read_xml(path)
    assert len(result.fiches) == 3
    assert [(p.rule, p.value) for p in result.problems if p.rule == "unexpected-version"] == [
        ("unexpected-version", "5.0")
    ]


def test_elements_are_released_while_streaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays flat: when a FICHE is mapped, the fiches before it are gone from the tree
    (the parser may have built a few of the next ones already: it reads ahead by chunks)."""
    body = FIXTURE.read_text(encoding="utf-8")
    start, end = body.index("    <FICHE>"), body.index("</FICHES>")
    one = body[start : body.index("    <FICHE>", start + 10)]
    path = tmp_path / "many.xml"
    copies = "".join(one.replace("RNCP90001", f"RNCP{91000 + i}") for i in range(300))
    path.write_text(body[:start] + copies + body[end:], encoding="utf-8")
    seen: list[int] = []
    real = xml_export.fiche_from_element

    def spy(el: xml_export.Element, report: xml_export.Report) -> Fiche | None:
        seen.append(sum(1 for _ in el.itersiblings(preceding=True)))
        return real(el, report)

    monkeypatch.setattr(xml_export, "fiche_from_element", spy)
    result = read_xml(path)
    assert len(result.fiches) == 300
    assert {p.rule for p in result.problems} == {"url-scheme-added"}  # the certifier's www. site, once a fiche
    assert len(seen) == 300
    assert max(seen) == 0


def test_sources_table_recognises_xml(tmp_path: Path) -> None:
    assert loader_for(FIXTURE).name == "xml"  # type: ignore[union-attr]
    assert expand([FIXTURE]) == [FIXTURE]
    not_an_export = tmp_path / "other.zip"
    with zipfile.ZipFile(not_an_export, "w") as z:
        z.writestr("readme.md", "nothing")
    assert not xml_export.matches(not_an_export)


# --- splitting free text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Gérer le parc      Répondre aux incidents", ["Gérer le parc", "Répondre aux incidents"]),
        ("    * Titre :    - un ;    - deux ;    ", ["Titre :", "un", "deux"]),
        ("* A    o B    o C", ["A", "B", "C"]),
        ("-  Comprendre    -    ", ["Comprendre"]),
        ("Une phrase coupée en    deux lignes    Autre item", ["Une phrase coupée en deux lignes", "Autre item"]),
        ("Fin d'item ;    suite en minuscule", ["Fin d'item", "suite en minuscule"]),
        ("d''affaires", ["d'affaires"]),
        ("Ligne 1\r\nLigne 2", ["Ligne 1", "Ligne 2"]),
        ("", []),
        (None, []),
    ],
)
def test_split_items(text: str | None, items: list[str]) -> None:
    assert split_items(text) == items


def test_promotion_years_of_the_level_are_read_and_mapped(tmp_path: Path) -> None:
    """``ANNEES_PROMOTIONS_NIVEAU/ANNEE`` (v4.1): the years of award whose promotions may benefit
    from the level granted, as the pages' « Promotions (année d'obtention) … » (rncp:promotionYear)."""
    years = "<ANNEES_PROMOTIONS_NIVEAU><ANNEE>2025</ANNEE><ANNEE>2024</ANNEE><ANNEE>2024</ANNEE>"
    bad = "<ANNEE>24</ANNEE></ANNEES_PROMOTIONS_NIVEAU>"
    path = write_export(tmp_path, one_fiche(extra=years + bad))
    result = read_xml(path)
    assert result.fiches[0].promotions == [2024, 2025]
    (problem,) = result.problems  # no unknown-element: the element is known
    assert (problem.rule, problem.field, problem.value) == ("invalid-number", "ANNEE", "24")
    graph = build([path], validate=False).store
    rows = graph.select(
        f"SELECT ?y WHERE {{ <{iris.certification('RNCP90001')}> <{RNCP.promotionYear}> ?y }} ORDER BY ?y"
    )
    assert [r["y"].value for r in rows] == ["2024", "2025"]  # type: ignore[union-attr]


def test_sample_job_types_keep_their_options_and_introductions(sample: LoadResult) -> None:
    """The titles stay rncp:jobType values as before; each option is a group with its heading,
    its introductory sentence and its titles (the repeated title under both), and the whole
    field is kept, one line per line."""
    fiche = sample.fiches[0]
    first, second = fiche.job_type_groups
    assert first.heading == "Option « Solutions d’infrastructure, systèmes et réseaux »"
    assert second.heading == "Option « Solutions logicielles et applications métiers »"  # no colon in the source
    assert first.introduction == (
        "Les dénominations d’emplois concernés sont diverses. "
        "À titre indicatif, les appellations les plus fréquentes sont les suivantes :"
    )
    assert second.introduction is not None and second.introduction.startswith("Les dénominations d’emplois concernées")
    assert first.titles[0] == "administrateur systèmes et réseaux" and len(first.titles) == 10
    assert second.titles[-1] == "technicien d'études informatiques." and len(second.titles) == 12
    assert (
        "technicien développement – exploitation" in first.titles
        and "technicien développement – exploitation" in second.titles
    )
    assert len(fiche.job_types) == 21  # unchanged: 22 titles, one repeated
    assert fiche.job_types_text is not None
    lines = fiche.job_types_text.split("\n")
    assert len(lines) == 26 and lines[0] == "Option « Solutions d’infrastructure, systèmes et réseaux » :"


def test_sample_job_type_groups_in_the_graph(shared_data: Path) -> None:
    built = build([shared_data / SAMPLE], validate=True)
    assert built.validation is not None and built.validation["violations"] == 0, built.validation
    rows = built.store.select(
        "SELECT ?heading (COUNT(?job) AS ?jobs) ?intro WHERE {"
        f" <{iris.certification('RNCP35340')}> rncp:jobTypeGroup ?g . ?g a rncp:JobTypeGroup ;"
        " rncp:groupHeading ?heading ; rncp:groupIntroduction ?intro ; rncp:groupJobType ?job"
        " } GROUP BY ?heading ?intro ORDER BY ?heading"
    )
    assert [(r["heading"].value, int(r["jobs"].value)) for r in rows] == [  # type: ignore[union-attr]
        ("Option « Solutions d’infrastructure, systèmes et réseaux »", 10),
        ("Option « Solutions logicielles et applications métiers »", 12),
    ]
    texts = built.store.select(f"SELECT ?t WHERE {{ <{iris.certification('RNCP35340')}> rncp:jobTypesText ?t }}")
    assert len(texts) == 1 and texts[0]["t"].language == "fr"  # type: ignore[union-attr]
    jobs = built.store.select(f"SELECT ?j WHERE {{ <{iris.certification('RNCP35340')}> rncp:jobType ?j }}")
    assert len(jobs) == 21


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], []),
        (["chef", "adjoint"], []),  # no option heading: no groups (the titles stay job types)
        (
            ["Les métiers :", "Option « A » :", "Intro :", "chef", "Option « B »", "chef", "adjoint"],
            [("Option « A »", "Intro :", ("chef",)), ("Option « B »", None, ("chef", "adjoint"))],
        ),
    ],
)
def test_job_type_groups(items: list[str], expected: list[tuple[str, str | None, tuple[str, ...]]]) -> None:
    assert [(g.heading, g.introduction, g.titles) for g in xml_fields.job_type_groups(items)] == expected


def test_a_bad_siret_names_its_element(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    text = FIXTURE.read_text(encoding="utf-8")
    path.write_text(text.replace("90000001900019", "90000001900018"), encoding="utf-8")
    [problem] = [p for p in read_xml(path).problems if p.rule == "invalid-siret"]
    assert (problem.fiche, problem.field, problem.value) == (
        "RNCP90001",
        "CERTIFICATEUR/SIRET_CERTIFICATEUR",
        "90000001900018",
    )
