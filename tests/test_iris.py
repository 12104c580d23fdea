"""IRI minting: deterministic, validated, accepted by Oxigraph."""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rncp_graph import iris
from rncp_graph.errors import InvalidIRI


def test_layout() -> None:
    assert iris.certification("RNCP34808") == "https://w3id.org/rncp-graph/id/certification/RNCP34808"
    assert iris.block("RNCP34808BC01").endswith("/block/RNCP34808BC01")
    assert iris.access_modality("RS5000", "vae").endswith("/certification/RS5000/access/vae")
    assert iris.organisation("33196441100036", "X").endswith("/organisation/siret/33196441100036")
    assert "/organisation/name/" in iris.organisation(None, "Institut Meslay")


def test_block_correspondence_and_certifier_role_layout() -> None:
    base = "https://w3id.org/rncp-graph/id/certification/RNCP38822"
    one = iris.correspondence("RNCP38822", "RNCP38114", "RNCP38822BC01", ("RNCP38114BC02",))
    assert one == f"{base}/correspondence/RNCP38114/RNCP38822BC01--RNCP38114BC02"
    group = iris.correspondence("RNCP38822", "RNCP35419", "RNCP38822BC01", ("RNCP35419BC01", "RNCP35419BC02"))
    assert group == f"{base}/correspondence/RNCP35419/RNCP38822BC01--RNCP35419BC01.RNCP35419BC02"
    role = iris.certifier_role("RNCP36912", "49386136300072", "OPENCLASSROOMS")
    assert role == "https://w3id.org/rncp-graph/id/certification/RNCP36912/certifier/49386136300072"
    change = iris.certifier_change("RNCP36912", "49386136300072", "OPENCLASSROOMS", "withdrawn", date(2023, 4, 1))
    assert change == f"{role}/change/2023-04-01-withdrawn"
    by_name = iris.certifier_role("RNCP36912", None, "OpenClassrooms")
    assert by_name.rsplit("/", 1)[-1].startswith("name-")
    assert by_name == iris.certifier_role("RNCP36912", "123", "OPENCLASSROOMS")  # no valid SIRET: by name


@pytest.mark.parametrize("bad", ["RNCP 1", "RNCP<1>", 'a"b', "a{b}", "a|b", "a`b", "x\u00a0y", "", "a/b"])
def test_bad_identifiers_are_refused(bad: str) -> None:
    with pytest.raises(InvalidIRI):
        iris.certification(bad)


def test_competency_identity_ignores_spacing_and_final_punctuation() -> None:
    a = iris.competency("Gérer  le budget d’un service.")
    b = iris.competency("Gérer le budget d’un service")
    c = iris.competency("Ge\u0301rer le budget d’un service")  # é decomposed (NFD): e + U+0301
    assert len("Ge\u0301rer") == len("Gérer") + 1  # the input really is decomposed
    assert a == b == c


@given(st.text(min_size=1, max_size=200))
def test_text_hashed_iris_are_always_valid(text: str) -> None:
    ox.NamedNode(iris.competency(text))


@given(st.from_regex(r"\A(RNCP|RS)[0-9]{1,6}\Z"))
def test_fiche_iris_are_always_valid(number: str) -> None:
    assert ox.NamedNode(iris.certification(number)).value.endswith(number)


@given(st.text(max_size=50))
def test_validate_iri_never_lets_oxigraph_fail(text: str) -> None:
    try:
        value = iris.validate_iri("https://example.org/" + text)
    except InvalidIRI:
        return
    ox.NamedNode(value)


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_minted_iris_are_valid_or_refused(segments: list[str]) -> None:
    """Whatever the segments, ``mint`` gives an IRI Oxigraph accepts, or refuses with InvalidIRI."""
    try:
        value = iris.mint(*segments)
    except InvalidIRI:
        return
    assert iris.validate_iri(value) == value
    ox.NamedNode(value)
