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
