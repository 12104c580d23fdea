"""Pages in the layout the site shows today: title on the first line, "Code de la fiche :",
"Etat :", TAB tables, a certifier history and block ↔ block partial correspondences.

A hand-made page (``tests/resources/pages/current_layout.txt``) runs everywhere; the two real
pages of ``../shared/data/pages-current-layout`` (facts read by hand in its README) run when
that folder is there. Facts are asserted on their predicates, by SPARQL on the built graph.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rncp_graph import Build, build, iris
from rncp_graph.loaders import page
from rncp_graph.model import CertifierAction, CorrespondenceKind, CorrespondenceNature

from .constants import RESOURCES

FIXTURE = RESOURCES / "pages" / "current_layout.txt"
CERTIFIER = "SELECT ?siret WHERE { ?c rncp:ficheNumber $n ; rncp:certifier/rncp:siret ?siret }"
CHANGES = """SELECT ?siret ?action ?day WHERE {
    ?c rncp:ficheNumber $n ; rncp:certifierRole ?role .
    ?role rncp:certifierOrganisation/rncp:siret ?siret ; rncp:certifierChange ?ch .
    ?ch rncp:changeAction ?action ; rncp:changeDate ?day }"""
#: One row per correspondence: this fiche's block, the other certification, its blocks.
BLOCK_CORRESPONDENCES = """SELECT ?k ?source ?target ?kind ?tb WHERE {
    ?c rncp:ficheNumber $n ; rncp:correspondence ?k .
    ?k rncp:sourceBlock/rncp:blockCode ?source ; rncp:correspondenceTarget ?t ; rncp:targetBlock ?b ;
       rncp:correspondenceKind ?kind ; rncp:correspondenceNature <PARTIAL> .
    BIND(REPLACE(STR(?t), "^.*/", "") AS ?target) BIND(REPLACE(STR(?b), "^.*/", "") AS ?tb) }""".replace(
    "PARTIAL", iris.correspondence_nature("partial")
)


def values(b: Build, query: str, number: str) -> list[tuple[str, ...]]:
    """The rows of ``query`` for fiche ``number`` (``$n``), each as a tuple of plain values, sorted."""
    rows = b.store.select(query.replace("$n", f'"{number}"'))
    return sorted(tuple(t.value if t is not None else "" for t in row.values()) for row in rows)


def block_correspondences(b: Build, number: str) -> list[tuple[str, str, str, str]]:
    """(source block, target fiche, kind, target blocks joined by spaces) per correspondence node."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for k, source, target, kind, block in values(b, BLOCK_CORRESPONDENCES, number):
        grouped.setdefault((k, source, target, kind), []).append(block)
    return sorted((s, t, kind, " ".join(sorted(bs))) for (_, s, t, kind), bs in grouped.items())


def one(b: Build, prop: str, number: str) -> list[str]:
    query = f"SELECT DISTINCT ?v WHERE {{ ?c rncp:ficheNumber $n ; {prop} ?v }}"
    return [row[0] for row in values(b, query, number)]


# --- the hand-made page --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_build() -> Build:
    return build([FIXTURE])


def test_fixture_is_read_with_no_problem_and_no_unknown_heading() -> None:
    result = page.read_page(FIXTURE)
    assert [p for p in result.problems] == []
    (coverage,) = result.coverage
    assert coverage.unrecognised == []
    assert {"page_title", "certifier_changes", "block_correspondences", "previous_version_blocks"} <= set(
        coverage.recognised
    )


def test_fixture_facts_on_their_predicates(fixture_build: Build) -> None:
    n = "RNCP99902"
    assert one(fixture_build, "rncp:title", n) == ["Responsable du développement commercial (fiche d’essai)"]
    assert one(fixture_build, "rncp:status", n) == [iris.status("active")]
    assert one(fixture_build, "rncp:level", n) == [iris.level(6)]
    assert one(fixture_build, "rncp:nsfCode/skos:notation", n) == ["312", "312t"]
    assert one(fixture_build, "rncp:expiryDate", n) == ["2028-12-31"]
    assert one(fixture_build, "rncp:hasBlock/rncp:blockCode", n) == ["RNCP99902BC01", "RNCP99902BC02"]


def test_fixture_withdrawn_certifier_is_a_change_not_a_certifier(fixture_build: Build) -> None:
    assert values(fixture_build, CERTIFIER, "RNCP99902") == [("90000006800024",)]
    assert values(fixture_build, CHANGES, "RNCP99902") == [
        ("90000006800016", "withdrawn", "2024-02-01"),
        ("90000006800024", "added", "2024-02-01"),
    ]
    # action words and dates of the history are not organisation names or web sites
    names = fixture_build.store.select("SELECT ?v WHERE { ?o rncp:commercialName|rncp:legalName ?v }")
    assert {r["v"].value for r in names if r["v"] is not None} == {"ECOLE FICTIVE DU COMMERCE"}
    sites = fixture_build.store.select("SELECT ?v WHERE { ?o rncp:website ?v }")
    assert [r["v"].value for r in sites if r["v"] is not None] == ["https://ecole-fictive.example/"]


def test_fixture_block_correspondences_keep_every_row_and_et_group(fixture_build: Build) -> None:
    rncp, previous = iris.correspondence_kind("rncp"), iris.correspondence_kind("previous-version")
    assert block_correspondences(fixture_build, "RNCP99902") == [
        ("RNCP99902BC01", "RNCP99600", previous, "RNCP99600BC02"),
        ("RNCP99902BC01", "RNCP99800", rncp, "RNCP99800BC01 RNCP99800BC02"),
        ("RNCP99902BC02", "RNCP99700", rncp, "RNCP99700BC01"),
        ("RNCP99902BC02", "RNCP99800", rncp, "RNCP99800BC03"),
    ]
    # the target block cells as the page writes them: code and the title it gives the block
    group = iris.block("RNCP99800BC02")
    cited = fixture_build.store.select(
        f"SELECT ?v WHERE {{ ?k rncp:targetBlock <{group}> ; rncp:targetBlockAsCited ?v }} ORDER BY ?v"
    )
    assert [r["v"].value for r in cited if r["v"] is not None] == [
        "RNCP99800BC01 - Étudier le marché",
        "RNCP99800BC02 - Définir une stratégie commerciale",
    ]


def test_history_row_with_unknown_action_or_bad_date_is_reported() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("Est retiré \t01-02-2024", "Est suspendu \t01-02-2024")
    text = text.replace("Est ajouté \t01-02-2024", "Est ajouté \t31-02-2024")
    result = page.parse_page(text, source="p.txt")
    found = {(p.rule, p.field, p.value) for p in result.problems}
    assert found == {
        (
            "unreadable-row",
            "certifier_changes",
            "ECOLE FICTIVE DU COMMERCE | 90000006800016 | Est suspendu | 01-02-2024",
        ),
        ("invalid-date", "certifier_changes.date", "31-02-2024"),
    }
    (change,) = result.fiches[0].certifier_changes
    assert (change.organisation.siret, change.action, change.date) == ("90000006800024", CertifierAction.ADDED, None)


def test_block_correspondence_rows_with_bad_codes_are_reported_not_read_as_blocks() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "RNCP99902BC02 - Négocier et piloter les comptes clés \tRNCP99700", "RNCP12345BC02 - Autre fiche \tRNCP99700"
    )
    text = text.replace("RNCP99800BC03 - Négocier une vente", "RNCP99700BC03 - Bloc d’une autre fiche")
    result = page.parse_page(text, source="p.txt")
    rules = sorted((p.rule, p.value) for p in result.problems)
    assert rules == [("invalid-code", "RNCP12345BC02"), ("invalid-code", "RNCP99700BC03")]
    fiche = result.fiches[0]
    assert [b.code for b in fiche.blocks] == ["RNCP99902BC01", "RNCP99902BC02"]
    assert [(c.source_block, c.target_blocks) for c in fiche.correspondences] == [
        ("RNCP99902BC01", ("RNCP99800BC01", "RNCP99800BC02")),
        ("RNCP99902BC01", ("RNCP99600BC02",)),
    ]


def test_a_line_after_a_row_without_et_is_reported() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("ET\nRNCP99800BC02", "RNCP99800BC02")
    result = page.parse_page(text, source="p.txt")
    assert [(p.rule, p.value) for p in result.problems] == [
        ("unreadable-row", "RNCP99800BC02 - Définir une stratégie commerciale")
    ]
    first = result.fiches[0].correspondences[0]
    assert (first.target_blocks, first.nature, first.kind) == (
        ("RNCP99800BC01",),
        CorrespondenceNature.PARTIAL,
        CorrespondenceKind.RNCP,
    )


def test_text_before_the_first_heading_that_is_no_title_is_unrecognised() -> None:
    text = "Un bandeau du site\nUne autre ligne\n" + FIXTURE.read_text(encoding="utf-8")
    result = page.parse_page(text, source="p.txt")
    assert result.fiches[0].title is None
    assert result.coverage[0].unrecognised == ["Un bandeau du site"]


def test_first_line_title_differing_from_intitule_is_a_conflict() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "Etat : Active", "Etat : Active\nIntitulé de la certification : Responsable commercial"
    )
    result = page.parse_page(text, source="p.txt")
    assert result.fiches[0].title == "Responsable commercial"
    assert [(p.rule, p.field, p.severity) for p in result.problems] == [("conflicting-values", "title", "warning")]


# --- the two real pages (../shared/data/pages-current-layout) -----------------------------------

#: The README's hand-read facts: title, level, NSF, ROME, blocks, certifier SIRET, expiry.
FACTS = {
    "RNCP36912": (
        "Expert en développement logiciel",
        7,
        ["326t"],
        ["M1802", "M1805", "M1806"],
        [f"RNCP36912BC0{i}" for i in (1, 2, 3)],
        "49386136300080",
        "2025-09-29",
    ),
    "RNCP38822": (
        "Expert en architecture et développement logiciel",
        7,
        ["326", "326t"],
        ["M1805"],
        [f"RNCP38822BC0{i}" for i in (1, 2, 3, 4)],
        "79349617500035",
        "2028-03-27",
    ),
}
WITHDRAWN = "49386136300072"


@pytest.fixture(scope="module")
def real_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("current-layout")


@pytest.fixture(scope="module")
def real_build(shared_data: Path, real_out: Path) -> Build:
    return build([shared_data / "pages-current-layout"], out=real_out, report=True)


@pytest.mark.shared
@pytest.mark.parametrize("number", sorted(FACTS))
def test_real_page_hand_read_facts(real_build: Build, number: str) -> None:
    title, level, nsf, rome, blocks, siret, expiry = FACTS[number]
    assert one(real_build, "rncp:title", number) == [title]
    assert one(real_build, "rncp:level", number) == [iris.level(level)]
    assert one(real_build, "rncp:nsfCode/skos:notation", number) == nsf
    assert one(real_build, "rncp:romeCode/skos:notation", number) == rome
    assert one(real_build, "rncp:hasBlock/rncp:blockCode", number) == blocks
    assert values(real_build, CERTIFIER, number) == [(siret,)]
    assert one(real_build, "rncp:expiryDate", number) == [expiry]


@pytest.mark.shared
def test_real_pages_have_no_error_and_no_unknown_heading(real_build: Build, real_out: Path) -> None:
    lines = [json.loads(line) for line in (real_out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line for line in lines if line["severity"] == "error"] == []
    assert len(lines) == len(real_build.problems)  # the file is the problems: all warnings
    coverage = json.loads((real_out / "coverage.json").read_text(encoding="utf-8"))
    pages = [(c["fiche"], c["unrecognised"]) for c in coverage["pages"]]
    assert pages == [("RNCP36912", []), ("RNCP38822", [])]
    assert coverage["by_kind"]["page"]["totals"]["unknown"] == 0
    assert real_build.manifest()["validation"]["conforms"] is True  # type: ignore[index]


@pytest.mark.shared
def test_real_withdrawn_certifier_is_a_dated_change_not_a_certifier(real_build: Build) -> None:
    certifiers = real_build.store.select("SELECT ?s WHERE { ?c rncp:certifier/rncp:siret ?s }")
    assert WITHDRAWN not in {r["s"].value for r in certifiers if r["s"] is not None}
    assert values(real_build, CHANGES, "RNCP36912") == [
        (WITHDRAWN, "withdrawn", "2023-04-01"),
        ("49386136300080", "added", "2023-04-01"),
    ]
    names = real_build.store.select("SELECT ?v WHERE { ?o rncp:commercialName ?v }")
    assert {r["v"].value for r in names if r["v"] is not None} == {"INGETIS"}


@pytest.mark.shared
def test_real_block_correspondences_every_row(real_build: Build) -> None:
    """RNCP38822: 19 rows under "… enregistrées au RNCP en correspondance partielle" (7 for BC01,
    8 for BC02, 3 for BC03, 1 for BC04; counted by hand in the file, 9 with an ET group) and 3
    under "Anciennes versions … reconnues en correspondance partielle"."""
    rows = block_correspondences(real_build, "RNCP38822")
    rncp, previous = iris.correspondence_kind("rncp"), iris.correspondence_kind("previous-version")
    assert len(rows) == 22
    assert [r[0] for r in rows if r[2] == rncp].count("RNCP38822BC01") == 7
    assert sum(1 for r in rows if r[2] == rncp) == 19
    assert sum(1 for r in rows if " " in r[3]) == 9
    assert ("RNCP38822BC01", "RNCP35419", rncp, "RNCP35419BC01 RNCP35419BC02") in rows
    assert ("RNCP38822BC02", "RNCP37985", rncp, "RNCP37985BC02 RNCP37985BC03 RNCP37985BC04") in rows
    assert ("RNCP38822BC04", "RNCP36469", rncp, "RNCP36469BC02") in rows
    assert [r for r in rows if r[2] == previous] == [
        ("RNCP38822BC01", "RNCP17285", previous, "RNCP17285BC03"),
        ("RNCP38822BC03", "RNCP17285", previous, "RNCP17285BC03"),
        ("RNCP38822BC04", "RNCP17285", previous, "RNCP17285BC03"),
    ]
    assert block_correspondences(real_build, "RNCP36912") == []
    cited = real_build.store.select(
        "SELECT DISTINCT ?v WHERE { ?k rncp:targetBlockAsCited ?v FILTER(STRSTARTS(?v, 'RNCP37985')) } ORDER BY ?v"
    )
    assert [r["v"].value for r in cited if r["v"] is not None] == [
        "RNCP37985BC02 - Concevoir une architecture logicielle",
        'RNCP37985BC03 - Créer une architecture logicielle pour des applications dites "lourdes"',
        "RNCP37985BC04 - Créer une architecture logicielle pour des applications web",
    ]


def test_history_rows_joined_by_spaces_and_an_empty_correspondence_table() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace(
        "COMMERCE \t90000006800016 \tEst retiré \t01-02-2024", "COMMERCE 90000006800016 Est retiré 01-02-2024"
    )
    text = text.replace("COMMERCE \t90000006800024 \tEst ajouté \t01-02-2024", "COMMERCE 90000006800024 Est ajouté")
    start = text.index("Bloc(s) de compétences concernés", text.index("Anciennes versions"))
    end = text.index("Date du dernier Journal Officiel")
    text = text[:start] + "Aucune correspondance\n\n" + text[end:]
    result = page.parse_page(text, source="p.txt")
    assert result.problems == []
    fiche = result.fiches[0]
    assert [(c.organisation.siret, c.action.value, c.date) for c in fiche.certifier_changes] == [
        ("90000006800016", "withdrawn", date(2024, 2, 1)),
        ("90000006800024", "added", None),
    ]
    assert [c.kind for c in fiche.correspondences] == [CorrespondenceKind.RNCP] * 3
