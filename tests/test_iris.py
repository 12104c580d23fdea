"""IRI minting: deterministic, validated, accepted by Oxigraph."""

from __future__ import annotations

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


@pytest.mark.parametrize("bad", ["RNCP 1", "RNCP<1>", 'a"b', "a{b}", "a|b", "a`b", "x\u00a0y", "", "a/b"])
def test_bad_identifiers_are_refused(bad: str) -> None:
    with pytest.raises(InvalidIRI):
        iris.certification(bad)


def test_competency_identity_ignores_spacing_and_final_punctuation() -> None:
    a = iris.competency("Gérer  le budget d’un service.")
    b = iris.competency("Gérer le budget d’un service")
    c = iris.competency("Gère\u0301r le budget d’un service")  # NFD é
    assert a == b
    assert c != a or iris.text_key("Gère\u0301r") == iris.text_key("Gérer")


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
