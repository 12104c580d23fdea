"""The page loader on the five sample pages and the hand-made TAB-layout page.

Every expected value below was read by hand from the page text.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from rncp_graph.loaders import page
from rncp_graph.loaders import page_tables as tables
from rncp_graph.loaders.page_sections import HEADINGS, Issues, split_competencies
from rncp_graph.model import (
    AccessRouteKind,
    Code,
    Correspondence,
    CorrespondenceKind,
    CorrespondenceNature,
    Fiche,
    LinkedFiche,
    LoadResult,
    Organisation,
    Statistic,
    Status,
)

from .constants import FICHES_DIR, K1403_FICHES, RESOURCES, SAMPLES

NUMBER_OF = {name[:3]: number for name, number in SAMPLES.items()}


@pytest.fixture(scope="module")
def results() -> dict[str, LoadResult]:
    """Each sample's load result, keyed by its page prefix ("000"...)."""
    return {name[:3]: page.read_page(FICHES_DIR / name) for name in SAMPLES}


@pytest.fixture(scope="module")
def fiches(results: dict[str, LoadResult]) -> dict[str, Fiche]:
    return {key: r.fiches[0] for key, r in results.items()}


def codes(items: list[Code]) -> list[str]:
    return [c.code for c in items]


def test_every_sample_loads_one_fiche_with_its_number(results: dict[str, LoadResult]) -> None:
    for key, result in results.items():
        assert [f.number for f in result.fiches] == [NUMBER_OF[key]]
        assert result.quarantined == 0
        assert result.loader == page.LOADER == "page"
        assert [p for p in result.problems if p.severity != "warning"] == []


def test_loader_constants() -> None:
    assert page.SUFFIXES == (".txt",)
    assert isinstance(HEADINGS, dict)


def test_number_is_inferred_only_where_the_page_does_not_state_it(
    fiches: dict[str, Fiche], results: dict[str, LoadResult]
) -> None:
    assert {k: f.number_inferred for k, f in fiches.items()} == {
        "000": True,
        "001": True,
        "002": False,
        "003": True,
        "004": True,
    }
    inferred = [p for p in results["000"].problems if p.rule == "number-inferred"]
    assert len(inferred) == 1
    assert inferred[0].action == "warning" and inferred[0].value == "RNCP34808"
    assert not [p for p in results["002"].problems if p.rule == "number-inferred"]


def test_no_title_is_invented(fiches: dict[str, Fiche]) -> None:
    assert {k: f.title for k, f in fiches.items()} == {
        "000": None,
        "001": None,
        "002": "Directeur(trice) d'établissements de l'intervention sociale",
        "003": None,
        "004": None,
    }


def test_levels_and_status(fiches: dict[str, Fiche]) -> None:
    assert {k: f.level for k, f in fiches.items()} == {"000": 6, "001": 7, "002": 7, "003": 5, "004": 7}
    assert {k: f.status for k, f in fiches.items()} == {
        "000": None,
        "001": None,
        "002": Status.INACTIVE,
        "003": None,
        "004": None,
    }


def test_nsf_formacode_rome(fiches: dict[str, Fiche]) -> None:
    assert codes(fiches["000"].nsf) == ["332", "330"]
    assert fiches["000"].nsf[0].label == "Travail social"
    assert codes(fiches["001"].nsf) == ["332p", "330"]
    assert codes(fiches["002"].nsf) == ["332p"]
    assert codes(fiches["003"].nsf) == ["330p"]
    assert codes(fiches["004"].nsf) == ["310", "332n", "332p"]
    assert codes(fiches["000"].formacodes) == ["44047"]
    assert codes(fiches["001"].formacodes) == ["44047", "44039"]
    assert codes(fiches["004"].formacodes) == ["13175", "44047"]
    assert codes(fiches["000"].rome) == ["K1201", "K1207", "J1502", "K1203"]
    assert codes(fiches["001"].rome) == ["K1403", "M1301"]
    assert codes(fiches["002"].rome) == ["K1403"]
    assert codes(fiches["003"].rome) == ["K1403", "K1201"]
    assert codes(fiches["004"].rome) == ["K1403", "M1205", "M1301", "M1302"]
    assert fiches["000"].rome[1].label == "Intervention socioéducative"


def test_four_samples_share_rome_k1403(fiches: dict[str, Fiche]) -> None:
    sharing = sorted(f.number for f in fiches.values() if "K1403" in codes(f.rome))
    assert sharing == K1403_FICHES


def test_doubled_apostrophe_in_rome_label_is_repaired_and_counted(
    fiches: dict[str, Fiche], results: dict[str, LoadResult]
) -> None:
    label = fiches["001"].rome[1].label
    assert label == "Direction de grande entreprise ou d'établissement public"
    assert results["001"].repairs["doubled-apostrophe"] == 1
    assert "doubled-apostrophe" not in results["000"].repairs
    assert results["001"].repairs["nbsp"] > 0


def test_certifiers(fiches: dict[str, Fiche]) -> None:
    # 000 writes the site "https://espace-sentein.fr", 001 "https://espace-sentein.fr/": one site, one address
    sentein = [Organisation("ESPACE SENTEIN", "33196441100036", None, "https://espace-sentein.fr/")]
    assert fiches["000"].certifiers == fiches["001"].certifiers == sentein
    assert fiches["002"].certifiers == [Organisation("CENTRE DE FORMATION ET DE PROMOTION", "78642897900029")]
    assert fiches["003"].certifiers == [
        Organisation("CTRE RECHERCHES ETUDES FORMATION ORGANIS", "78371481900415", "Crefo", "https://crefo.fr/")
    ]
    assert fiches["004"].certifiers == [
        Organisation("AROBASE INGENIERIE", "92383753800019", None, "https://arobaseingenierie.fr/")
    ]


def test_dates_and_duration(fiches: dict[str, Fiche]) -> None:
    f0, f2, f3 = fiches["000"], fiches["002"], fiches["003"]
    assert (f0.expiry_date, f0.decision_date, f0.registration_years) == (date(2025, 7, 23), date(2020, 7, 23), 5)
    assert fiches["001"].expiry_date == date(2025, 6, 1)
    assert (f2.expiry_date, f2.last_jo_date, f2.decision_date) == (date(2022, 4, 21), date(2017, 4, 21), None)
    assert f3.decision_date == date(2025, 7, 18)
    assert f3.expiry_date == date(2030, 7, 18)
    assert f3.last_delivery_date == date(2034, 7, 18)
    assert f3.last_jo_date == date(2018, 12, 18)
    assert f3.registration_years == 5
    assert fiches["004"].expiry_date == date(2028, 12, 18)


#: Competencies per block, counted by reading each page.
BLOCK_COUNTS = {
    "000": {
        "RNCP34808BC01": 6,
        "RNCP34808BC02": 5,
        "RNCP34808BC03": 6,
        "RNCP34808BC04": 6,
        "RNCP34808BC05": 4,
        "RNCP34808BC06": 2,
    },
    "001": {"RNCP36459BC01": 10, "RNCP36459BC02": 6, "RNCP36459BC03": 6, "RNCP36459BC04": 6, "RNCP36459BC05": 7},
    "002": {f"RNCP4525BC0{i}": 0 for i in range(1, 9)},
    "003": {"RNCP41120BC01": 9, "RNCP41120BC02": 12, "RNCP41120BC03": 11, "RNCP41120BC04": 11},
    "004": {"RNCP41818BC01": 10, "RNCP41818BC02": 8, "RNCP41818BC03": 6, "RNCP41818BC04": 6},
}


@pytest.mark.parametrize("key", sorted(BLOCK_COUNTS))
def test_competencies_per_block(fiches: dict[str, Fiche], key: str) -> None:
    assert {b.code: len(b.competencies) for b in fiches[key].blocks} == BLOCK_COUNTS[key]


def test_fiche_competencies_match_the_blocks_where_the_page_lists_them_twice(fiches: dict[str, Fiche]) -> None:
    counts = {k: len(f.competencies) for k, f in fiches.items()}
    assert counts == {"000": 6, "001": 35, "002": 16, "003": 43, "004": 30}
    for key in ("001", "003", "004"):
        assert sum(BLOCK_COUNTS[key].values()) == counts[key]


def test_run_together_competencies_of_000_are_split(fiches: dict[str, Fiche]) -> None:
    bc01 = fiches["000"].blocks[0]
    assert bc01.title == "Réalisation d'un projet de service social ou médico-social"
    assert bc01.competencies[0] == (
        "Identifier et formaliser une problématique professionnelle et ses enjeux à partir d’un fait saillant "
        "ou d’une commande institutionnelle, afin d’apporter des propositions de solution"
    )
    assert bc01.competencies[1].endswith("au regard de la problématique posée")
    assert bc01.competencies[2] == (
        "Concevoir la matrice SWOT afin de valider ou d’amender la problématique, de déterminer les orientations "
        "stratégiques"
    )
    assert bc01.competencies[5].startswith("Évaluer les résultats d’un projet d’activité")
    bc05 = fiches["000"].blocks[4]
    assert bc05.competencies[0].startswith("Manager l’appropriation des Recommandations de Bonnes Pratiques")
    assert bc01.evaluation is not None and bc01.evaluation.startswith("Mise en situation professionnelle")


def test_sentence_split_competencies_of_003(fiches: dict[str, Fiche]) -> None:
    bc03 = fiches["003"].blocks[2].competencies
    assert (
        "Gérer les conflits internes en adoptant une posture de médiateur pour maintenir un environnement "
        "de travail sain." in bc03
    )
    assert fiches["003"].blocks[0].evaluation == (
        "Etude de cas pratique (à l’écrit) complétée par un entretien avec le jury d’évaluation"
    )


def test_flattened_blocks_of_001_and_004(fiches: dict[str, Fiche]) -> None:
    bc05 = fiches["001"].blocks[4]
    assert bc05.competencies[0].startswith("Élaborer un budget prévisionnel ou un État des Prévisions")
    assert bc05.evaluation is not None and bc05.evaluation.startswith("À partir de données comptables")
    assert "• À une analyse budgétaire" in bc05.evaluation
    bc01 = fiches["004"].blocks[0]
    assert bc01.evaluation == "- Note de synthèse socio-économique\n- Dossier professionnel\n- Soutenance orale"
    assert bc01.competencies[-1].startswith("Synthétiser les préconisations stratégiques")


def test_old_page_blocks_have_description_and_evaluation_but_no_competency_list(fiches: dict[str, Fiche]) -> None:
    blocks = fiches["002"].blocks
    assert [b.code for b in blocks] == [f"RNCP4525BC0{i}" for i in range(1, 9)]
    assert all(b.description and b.evaluation and not b.competencies for b in blocks)
    assert str(blocks[0].description).startswith("Ce bloc de compétence regroupe le cœur du métier")
    assert blocks[2].evaluation == (
        "Mise en situation managériale sous forme d’un oral préparé 40 minutes en amont OU Validation des acquis "
        "de l’expérience\nFait l’objet d’un certificat"
    )


def test_items(fiches: dict[str, Fiche]) -> None:
    assert len(fiches["000"].activities) == 12
    assert fiches["000"].activities[0] == "Il analyse l’activité professionnelle"
    assert len(fiches["001"].activities) == 16
    assert fiches["002"].activities[0] == "Les fonctions politiques et stratégiques"
    assert len(fiches["003"].activities) == 13  # 17 lines, 4 of them block titles heading the others
    assert (
        fiches["002"].competencies[0]
        == "Identification des populations vulnérables, de leurs évolutions et de leurs besoins"
    )
    assert fiches["001"].job_types[0] == "Directeur / Directrice adjoint(e)"
    assert [len(f.job_types) for f in fiches.values()] == [1, 5, 6, 6, 5]


def test_block_titles_heading_the_activities_of_003_are_not_activities(
    fiches: dict[str, Fiche], results: dict[str, LoadResult]
) -> None:
    """003's "Activités visées" has 17 unbulleted lines: each block's title, word for word (a
    capability, "Concevoir…"), then the activities of that block (nouns, "Prise en compte…").
    The page shows the titles as group headings, so the 13 lines under them are the activities."""
    f = fiches["003"]
    titles = [b.title for b in f.blocks]
    assert titles[0] == "Concevoir une prestation personnalisée dans le secteur des services à la personne"
    assert not set(titles) & set(f.activities)
    assert f.activities[:3] == [
        "Prise en compte de la demande de prestation de service à domicile",
        "Evaluation des besoins et des souhaits du demandeur lors de la visite à domicile",
        "Mise en œuvre du processus de contractualisation de la prestation de service à domicile",
    ]
    assert f.activities[-1] == "Conformité légale et respects des normes"
    [warning] = [p for p in results["003"].problems if p.rule == "block-title-in-activities"]
    assert warning.field == "activities" and warning.severity == "warning"
    assert warning.value == " | ".join(titles)
    # no other sample repeats a block title among its activities: nothing is left out there
    assert not [p for k in ("000", "001", "002", "004") for p in results[k].problems if p.field == "activities"]


def test_block_titles_listed_alone_are_kept_as_activities() -> None:
    """A page whose activities are only its block titles, with nothing under them, lists them as activities."""
    text = (
        "N° de fiche\nRNCP99001\nActivités visées :\nGérer un stock\nLivrer des clients\n"
        "RNCP99001BC01 - Gérer un stock\nRNCP99001BC02 - Livrer des clients\n"
        "Statistiques :\n"  # a closing section: the page is complete
    )
    result = page.parse_page(text, source="alone.txt")
    assert [b.title for b in result.fiches[0].blocks] == ["Gérer un stock", "Livrer des clients"]
    assert result.fiches[0].activities == ["Gérer un stock", "Livrer des clients"]
    assert not [p for p in result.problems if p.rule == "block-title-in-activities"]


def test_web_addresses_on_a_page() -> None:
    """Certifier sites and the description link go through normalise.url: root slash, www. → http://."""
    text = (
        "N° de fiche\nRNCP99002\nNom légal | Siret | Nom commercial | Site internet |\n---|---|---|---|\n"
        "ORG A | 11111111111111 | - | https://a.example |\nORG B | 22222222222222 | - | www.b.example |\n"
        "ORG C | 33333333333333 | - | c.example |\n"
        "Lien internet vers le descriptif de la certification :\nhttps://a.example?id=3\n"
        "Statistiques :\n"  # a closing section: the page is complete
    )
    result = page.parse_page(text, source="web.txt")
    fiche = result.fiches[0]
    assert [o.website for o in fiche.certifiers] == ["https://a.example/", "http://www.b.example/", None]
    assert fiche.description_url == "https://a.example/?id=3"
    assert [(p.rule, p.field, p.value) for p in result.problems if "url" in p.rule] == [
        ("url-scheme-added", "website", "www.b.example"),
        ("not-a-url", "website", "c.example"),
    ]


def test_problem_log_names_the_line_only_when_known(caplog: pytest.LogCaptureFixture) -> None:
    issues = Issues("x.txt", "RNCP99003")
    with caplog.at_level(logging.DEBUG, logger="rncp_graph.model"):
        issues.warn("column-lost", "no line")
        issues.warn("truncated", "a line", line=7)
    assert [r.getMessage() for r in caplog.records] == [
        "[RNCP99003] column-lost: no line (x.txt)",
        "[RNCP99003] truncated: a line (x.txt, line 7)",
    ]


def test_texts(fiches: dict[str, Fiche]) -> None:
    f0 = fiches["000"]
    assert f0.objectives is not None and f0.objectives.startswith("La certification répond à trois objectifs")
    assert f0.evaluation is not None and "Parcours continu" in f0.evaluation
    assert f0.sectors == "Secteur social ou médico-social"
    assert f0.regulation is not None and "Décret n° 92-345 du 27 mars 1992" in f0.regulation
    assert f0.block_acquisition is not None and f0.block_acquisition.startswith("Les blocs de compétences validés")
    assert f0.entry_prerequisites is not None and "titre de niveau 5" in f0.entry_prerequisites
    assert f0.validation_prerequisites is None
    assert fiches["004"].validation_prerequisites == "Effectuer une période de stage"
    assert fiches["002"].entry_prerequisites == "A compléter (Reprise)"
    assert fiches["003"].regulation is None
    assert [f.distinct_block_prerequisites for f in fiches.values()] == [False] * 5


def test_access_routes(fiches: dict[str, Fiche]) -> None:
    for f in fiches.values():
        assert [r.route for r in f.access_routes] == list(AccessRouteKind)
    # a route is closed where the page shows "-" after its X (no jury, no date)
    closed = {number: {r.route for r in f.access_routes if not r.open} for number, f in fiches.items()}
    assert closed == {
        "000": {AccessRouteKind.INDIVIDUAL},
        "001": {AccessRouteKind.INDIVIDUAL},
        "002": {AccessRouteKind.STUDENT, AccessRouteKind.APPRENTICESHIP, AccessRouteKind.PROFESSIONALISATION},
        "003": {AccessRouteKind.INDIVIDUAL},
        "004": {AccessRouteKind.STUDENT, AccessRouteKind.INDIVIDUAL},
    }
    for f in fiches.values():
        assert all(r.jury is None for r in f.access_routes if not r.open)
    routes0 = {r.route: r for r in fiches["000"].access_routes}
    assert routes0[AccessRouteKind.INDIVIDUAL].jury is None
    assert str(routes0[AccessRouteKind.STUDENT].jury).startswith("Le jury est présidé par un professionnel")
    assert all(r.modified is None for r in routes0.values())
    dates1 = {r.route: r.modified for r in fiches["001"].access_routes}
    assert dates1 == {k: None if k is AccessRouteKind.INDIVIDUAL else date(2022, 6, 7) for k in AccessRouteKind}
    dates3 = {r.route: r.modified for r in fiches["003"].access_routes}
    assert dates3[AccessRouteKind.VAE] == date(2025, 7, 21)
    routes4 = {r.route: r for r in fiches["004"].access_routes}
    assert (routes4[AccessRouteKind.STUDENT].jury, routes4[AccessRouteKind.STUDENT].modified) == (None, None)
    assert routes4[AccessRouteKind.VAE].jury == (
        "• Un expert du domaine externe\n• Un professionnel externe, possédant une expertise dans l'ESS"
    )


def test_territories(fiches: dict[str, Fiche], results: dict[str, LoadResult]) -> None:
    assert all(f.new_caledonia is True and f.french_polynesia is True for f in fiches.values())
    lost = {k: [p.field for p in r.problems if p.rule == "column-lost"] for k, r in results.items()}
    flattened = ["access_routes, french_polynesia, new_caledonia"]
    assert lost == {"000": [], "001": flattened, "002": flattened, "003": [], "004": flattened}


def test_correspondences(fiches: dict[str, Fiche]) -> None:
    [partial] = fiches["000"].correspondences
    assert (partial.target, partial.kind, partial.nature) == (
        "RNCP2514",
        CorrespondenceKind.RNCP,
        CorrespondenceNature.PARTIAL,
    )
    assert partial.target_title == (
        "Certificat d'aptitude aux fonctions d'encadrement et de responsable d'unité d'intervention sociale"
    )
    assert partial.text is not None
    assert partial.text.startswith("CAFERUIS DC4") and "bloc de compétences 6" in partial.text
    assert fiches["003"].correspondences == [
        Correspondence(
            "RNCP16197",
            CorrespondenceKind.PREVIOUS_VERSION,
            "Responsable de secteur - services à la personne",
            CorrespondenceNature.TOTAL,
        )
    ]
    assert [f.correspondences for k, f in fiches.items() if k in ("001", "002", "004")] == [[], [], []]


def test_lineage(fiches: dict[str, Fiche]) -> None:
    assert fiches["000"].predecessors == [
        LinkedFiche("RNCP28696", "Chef de service des établissements et services sociaux et médico-sociaux")
    ]
    assert [p.number for p in fiches["001"].predecessors] == ["RNCP12067"]
    assert fiches["002"].predecessors == [
        LinkedFiche("RNCP2122", "Responsable de services et d'établissements sociaux (fiche incomplète)")
    ]
    assert fiches["002"].successors == [
        LinkedFiche("RNCP37519", "Directeur d'organisation ou d'entreprise d'innovation sociale")
    ]
    assert [p.number for p in fiches["003"].predecessors] == ["RNCP16197"]
    assert [p.number for p in fiches["004"].predecessors] == ["RNCP36704"]


def test_legal_references(fiches: dict[str, Fiche]) -> None:
    refs = fiches["002"].legal_references
    assert [r.kind for r in refs] == ["registration"] + ["other"] * 7
    assert refs[0].text.startswith("Arrêté du 16 février 2006 publié au Journal Officiel du 5 mars 2006")
    assert all(r.date is None for r in refs)
    [ref3] = fiches["003"].legal_references
    assert (ref3.date, ref3.kind) == (date(2013, 3, 5), "registration")
    assert ref3.text.startswith("Arrêté du 22 janvier 2013")
    assert fiches["000"].legal_references == []


def test_statistics(fiches: dict[str, Fiche]) -> None:
    assert fiches["000"].statistics == [Statistic(2018, 33, 0, 94, 67, None), Statistic(2017, 13, 0, 100, 63, 63)]
    assert [s.year for s in fiches["001"].statistics] == [2020, 2019, 2018]
    assert fiches["001"].statistics[1] == Statistic(2019, 59, 2, 92, 78, 87)
    assert fiches["002"].statistics == []
    assert fiches["003"].statistics[0] == Statistic(2023, 285, 14, 96, 78, None)
    assert len(fiches["003"].statistics) == 3
    assert fiches["004"].statistics == [Statistic(2024, 24, 0, 100, 50, None), Statistic(2023, 28, 0, 100, 73, None)]


def test_description_url_promotions_training_bodies(fiches: dict[str, Fiche], results: dict[str, LoadResult]) -> None:
    assert fiches["000"].description_url == (
        "https://espace-sentein.fr/Formation-Medico-Sociale/Formation-DIPLOMANTE-medico-sociale/Niveau-2-Chef-de-Service"
    )
    # 002 gives "www.meslay.org" then a phone number and a name: the address is kept, with its scheme added
    assert fiches["002"].description_url == "http://www.meslay.org/"
    [added] = [p for p in results["002"].problems if p.rule == "url-scheme-added"]
    assert (added.field, added.value, added.line, added.severity) == (
        "description_url",
        "www.meslay.org",
        217,
        "warning",
    )
    [rest] = [p for p in results["002"].problems if p.rule == "not-a-url"]
    assert rest.field == "description_url"
    assert rest.value == "Tél : 02.51.48.84.82 | Tél : 02.51.48.84.84 | Institut Meslay"
    assert not [p for k in ("000", "001", "003", "004") for p in results[k].problems if "url" in p.rule]
    assert fiches["003"].promotions == [2024, 2025]
    assert fiches["000"].promotions == []
    notes = {k: f.training_bodies_note for k, f in fiches.items()}
    assert notes["000"] == "Le certificateur n'habilite aucun organisme préparant à la certification"
    assert notes["003"] == notes["004"] == "Liste des organismes préparant à la certification"


def test_coverage_lists_only_genuine_non_sections(results: dict[str, LoadResult]) -> None:
    unrecognised = {k: r.coverage[0].unrecognised for k, r in results.items()}
    assert unrecognised == {
        "000": [],
        "001": ["Expérience hors champ médico-social :", "Expérience dans le champ médico-social :"],
        "002": [],
        "003": ["Secteur public, privé lucratif ou privé non lucratif :"],
        "004": ["Epreuves finales :"],
    }
    cov0 = results["000"].coverage[0]
    assert (cov0.file, cov0.fiche) == ("000_e4491d281dd4d66c.txt", "RNCP34808")
    assert {"block", "access_routes", "statistics", "predecessors", "rncp_correspondences"} <= set(cov0.recognised)
    assert "chrome" not in cov0.recognised
    assert {"masthead", "legal_registration", "legal_other", "successors"} <= set(results["002"].coverage[0].recognised)


def test_parse_page_is_the_pure_core_of_read_page() -> None:
    name = "003_5ca7f7331b8d7c91.txt"
    text = (FICHES_DIR / name).read_text(encoding="utf-8")
    parsed, read = page.parse_page(text, source=name), page.read_page(FICHES_DIR / name)
    assert (parsed.fiches, parsed.problems, parsed.coverage) == (read.fiches, read.problems, read.coverage)
    assert (parsed.source, read.source) == (name, str(FICHES_DIR / name))


def test_tab_separated_layout() -> None:
    result = page.read_page(RESOURCES / "pages" / "tab_layout.txt")
    assert result.problems == []
    assert result.coverage[0].unrecognised == []
    [f] = result.fiches
    assert (f.number, f.number_inferred, f.status, f.level) == ("RNCP99901", False, Status.ACTIVE, 5)
    assert f.title == "Coordinateur de parcours d’accompagnement (fiche d’essai)"
    assert codes(f.nsf) == ["330t"] and codes(f.formacodes) == ["44054"] and codes(f.rome) == ["K1201"]
    assert f.certifiers == [
        Organisation("ASSOCIATION EXEMPLE FORMATION", "12345678900017", "Exemple", "https://exemple.org/")
    ]
    assert (f.expiry_date, f.decision_date, f.registration_years) == (date(2027, 12, 31), date(2022, 12, 31), 5)
    assert [(b.code, len(b.competencies), b.evaluation) for b in f.blocks] == [
        ("RNCP99901BC01", 2, "Mise en situation professionnelle reconstituée"),
        ("RNCP99901BC02", 1, "Étude de cas écrite"),
    ]
    routes = {r.route: r for r in f.access_routes}
    assert {k: r.open for k, r in routes.items()} == {
        AccessRouteKind.STUDENT: True,
        AccessRouteKind.APPRENTICESHIP: False,
        AccessRouteKind.CONTINUING: True,
        AccessRouteKind.PROFESSIONALISATION: False,
        AccessRouteKind.INDIVIDUAL: False,
        AccessRouteKind.VAE: True,
    }
    assert (routes[AccessRouteKind.VAE].jury, routes[AccessRouteKind.VAE].modified) == (
        "Trois professionnels du secteur",
        date(2023, 9, 1),
    )
    assert (f.new_caledonia, f.french_polynesia) == (False, True)
    assert f.distinct_block_prerequisites is True
    assert f.correspondences == [
        Correspondence(
            "RNCP99800",
            CorrespondenceKind.RNCP,
            "Coordinateur social (ancien titre voisin)",
            CorrespondenceNature.TOTAL,
        )
    ]
    assert f.predecessors == [LinkedFiche("RNCP99800", "Coordinateur social")]
    assert f.statistics == [Statistic(2023, 12, 1, 90, 80, None)]
    assert f.description_url == "https://exemple.org/coordinateur"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Réaliser l’analyse posée Concevoir la matrice SWOT",
            ["Réaliser l’analyse posée", "Concevoir la matrice SWOT"],
        ),
        ("Orienter la demande. Gérer les conflits", ["Orienter la demande.", "Gérer les conflits"]),
        ("Manager l’appropriation des Recommandations de Bonnes Pratiques", None),
        ("Travailler avec le Centre de Ressources régional", None),
        ("Analyser les risques, Concevoir et Piloter", None),
        ("Conduire la Gestion Prévisionnelle des Emplois (GPEC) pour anticiper", None),
    ],
)
def test_split_competencies(line: str, expected: list[str] | None) -> None:
    assert split_competencies(line) == (expected or [line])


def test_rs_correspondence_table() -> None:
    rs_rows = (
        "Liens avec des certifications et habilitations enregistrées au Répertoire spécifique :\n"
        "Code de la fiche | Intitulé de la certification professionnelle reconnue en correspondance | "
        "Nature de la correspondance (totale, partielle) |\n---|---|---|\nRS5432 |\nHabilitation exemple |\n"
        "Partielle : le bloc 2 |\n"
    )
    text = (FICHES_DIR / "000_e4491d281dd4d66c.txt").read_text(encoding="utf-8")
    heading = "Liens avec des certifications et habilitations enregistrées au Répertoire spécifique :\n"
    fiche = page.parse_page(text.replace(heading, rs_rows), source="rs.txt").fiches[0]
    assert fiche.correspondences[1] == Correspondence(
        "RS5432", CorrespondenceKind.RS, "Habilitation exemple", CorrespondenceNature.PARTIAL, "le bloc 2"
    )
    assert fiche.correspondences[0].target == "RNCP2514"


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        (" | X |", (True, [""], False)),
        (" | | X |", (False, [""], False)),
        ("\t\tX\t-\t-", (False, ["-", "-"], False)),
        (" X - -", (True, [], True)),
        (" X Jury de trois professionnels 01-09-2023", (True, ["Jury de trois professionnels", "01-09-2023"], True)),
        (" -", (None, ["-"], True)),
    ],
)
def test_oui_non_marks(rest: str, expected: tuple[bool | None, list[str], bool]) -> None:
    assert tables.marks(rest) == expected
