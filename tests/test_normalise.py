"""normalise.url: one web site, one address."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rncp_graph import normalise
from rncp_graph.errors import InvalidValue
from rncp_graph.normalise import WebAddress


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # the same certifier, as fiches 000 and 001 write it
        ("https://espace-sentein.fr", WebAddress("https://espace-sentein.fr/")),
        ("https://espace-sentein.fr/", WebAddress("https://espace-sentein.fr/")),
        ("http://a.example:8080", WebAddress("http://a.example:8080/")),
        ("https://a.example?id=3", WebAddress("https://a.example/?id=3")),  # empty path before a query
        ("https://a.example/titres/rel", WebAddress("https://a.example/titres/rel")),  # a path is kept as written
        ("https://a.example/titres/", WebAddress("https://a.example/titres/")),
        (" https://a.example ", WebAddress("https://a.example/")),
        # fiche 002's description link
        ("www.meslay.org", WebAddress("http://www.meslay.org/", scheme_added=True)),
        ("www.a-b.co.uk/page?x=1", WebAddress("http://www.a-b.co.uk/page?x=1", scheme_added=True)),
    ],
)
def test_url(value: str, expected: WebAddress) -> None:
    assert normalise.url(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "meslay.org",  # no scheme and no www.: not taken for an address
        "www.meslay",  # not a host name with a domain
        "www.-meslay.org",
        "www.mes_lay.org",
        "www.1.2.3",
        "www.meslay.org Tél : 02.51.48.84.82",
        "Tél : 02.51.48.84.82",
        "ftp://files.example",
        "",
    ],
)
def test_not_a_url(value: str) -> None:
    with pytest.raises(InvalidValue):
        normalise.url(value, field="website")


@given(st.text(alphabet=" \t\u00a0\u202f\u2007\r\nab-*o", max_size=20))
def test_item_breaks_are_runs_of_two_spaces_or_of_line_breaks(value: str) -> None:
    # the pattern is written for speed; it must split exactly as the plain statement of the rule
    assert normalise._ITEM_BREAK.split(value) == re.split(r"[ \t\u00a0\u202f]{2,}|[\r\n]+", value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("33", "33"), ("3", "3"), ("332", "332"), ("332P", "332p"), (" 31\u202f", "31")],
)
def test_nsf_codes_of_every_level_of_the_nomenclature(raw: str, expected: str) -> None:
    assert normalise.nsf_code(raw) == expected


@pytest.mark.parametrize("raw", ["3321", "33p", "332pp", "p", "", "3 3 2 p x"])
def test_nsf_code_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalise.nsf_code(raw, fiche="RNCP1")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("K", "K"), ("k12", "K12"), ("B11", "B11"), ("K1201", "K1201"), ("H1", "H1"), ("H2", "H2")],
)
def test_rome_codes_of_every_level_of_the_tree(raw: str, expected: str) -> None:
    assert normalise.rome_code(raw) == expected


@pytest.mark.parametrize("raw", ["M16O7", "Z9999", "K120", "K1", "Z", "K12011", "H3"])
def test_rome_code_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalise.rome_code(raw, fiche="RNCP1")
