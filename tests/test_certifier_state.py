"""The register's state of each certifier (XML ``ETAT_CERTIFICATEUR``,
``DATE_DERNIERE_MODIFICATION_ETAT``): one ``rncp:CertifierRole`` per fiche and certifier, and
``rncp:certifier`` for current (active or unstated) certifiers only, so one triple pattern
selects them. The same organisation may be active on one fiche and inactive on another."""

from __future__ import annotations

from pathlib import Path

import pytest

from rncp_graph import Build, build
from rncp_graph.loaders.xml_export import read_xml

from .constants import RESOURCES

FIXTURE = RESOURCES / "xml" / "export-fiches-rncp-v4-1-2025-03-14.xml"
SAMPLE = Path("rncp-xml-v4.1-sample/export-fiches-rncp-extract.RNCP35340.xml")
TRAVAIL = "90000001900019"  # certifier of RNCP90001 in the fixture, "Actif" since 12/01/2023
CERTIFIERS = "SELECT ?n ?siret WHERE { ?c rncp:ficheNumber ?n ; rncp:certifier/rncp:siret ?siret }"
ROLES = """SELECT ?n ?siret ?active ?day WHERE {
    ?c rncp:ficheNumber ?n ; rncp:certifierRole ?r . ?r rncp:certifierOrganisation/rncp:siret ?siret .
    OPTIONAL { ?r rncp:certifierActive ?active } OPTIONAL { ?r rncp:certifierStateDate ?day } }"""
#: A second certifier of RNCP90003: the fixture's RNCP90001 certifier, active there.
ALSO_ON_90003 = f"""<CERTIFICATEUR>
                <SIRET_CERTIFICATEUR>{TRAVAIL}</SIRET_CERTIFICATEUR>
                <NOM_CERTIFICATEUR>MINISTERE DU TRAVAIL FICTIF</NOM_CERTIFICATEUR>
                <ETAT_CERTIFICATEUR>Actif</ETAT_CERTIFICATEUR>
                <DATE_DERNIERE_MODIFICATION_ETAT>02/05/2024</DATE_DERNIERE_MODIFICATION_ETAT>
            </CERTIFICATEUR>
            <CERTIFICATEUR>
                <SIRET_CERTIFICATEUR>90000005000014</SIRET_CERTIFICATEUR>"""


def rows(b: Build, query: str) -> list[tuple[str, ...]]:
    return sorted(tuple(t.value if t is not None else "" for t in r.values()) for r in b.store.select(query))


def variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / FIXTURE.name
    path.write_text(text, encoding="utf-8")
    return path


def test_active_certifier_is_a_certifier_with_its_state_and_date() -> None:
    b = build([FIXTURE])
    assert rows(b, CERTIFIERS) == [
        ("RNCP90001", TRAVAIL),
        ("RNCP90003", "90000005000014"),
        ("RS90002", "90000002700012"),
    ]
    # only a certifier the export gives a state or a date for has a role
    assert rows(b, ROLES) == [("RNCP90001", TRAVAIL, "true", "2023-01-12")]


def test_inactive_certifier_is_no_certifier_on_that_fiche_only(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ("<ETAT_CERTIFICATEUR>Actif</ETAT_CERTIFICATEUR>", "<ETAT_CERTIFICATEUR>Inactif</ETAT_CERTIFICATEUR>"),
        ("<CERTIFICATEUR>\n                <SIRET_CERTIFICATEUR>90000005000014</SIRET_CERTIFICATEUR>", ALSO_ON_90003),
    )
    b = build([path])
    assert rows(b, CERTIFIERS) == [
        ("RNCP90003", TRAVAIL),
        ("RNCP90003", "90000005000014"),
        ("RS90002", "90000002700012"),
    ]
    assert rows(b, ROLES) == [
        ("RNCP90001", TRAVAIL, "false", "2023-01-12"),
        ("RNCP90003", TRAVAIL, "true", "2024-05-02"),
    ]
    assert not [p for p in b.problems if p.severity == "error"]
    assert b.manifest()["validation"]["conforms"] is True


def test_unknown_state_is_reported_and_the_certifier_kept(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ("<ETAT_CERTIFICATEUR>Actif</ETAT_CERTIFICATEUR>", "<ETAT_CERTIFICATEUR>Suspendu</ETAT_CERTIFICATEUR>"),
    )
    result = read_xml(path)
    assert [(p.rule, p.field, p.value, p.fiche) for p in result.problems if p.severity == "error"] == [
        ("invalid-value", "ETAT_CERTIFICATEUR", "Suspendu", "RNCP90001")
    ]
    fiche = next(f for f in result.fiches if f.number == "RNCP90001")
    assert [c.siret for c in fiche.certifiers] == [TRAVAIL]
    assert [
        (s.organisation.siret, s.active, s.date.isoformat() if s.date else None) for s in fiche.certifier_states
    ] == [(TRAVAIL, None, "2023-01-12")]


@pytest.mark.shared
def test_real_sample_certifier_state(shared_data: Path) -> None:
    b = build([shared_data / SAMPLE])
    assert rows(b, ROLES) == [("RNCP35340", "11004401300040", "true", "2021-03-09")]
    assert rows(b, CERTIFIERS) == [("RNCP35340", "11004401300040")]
