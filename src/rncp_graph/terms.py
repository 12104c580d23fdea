"""N-Triples term encoding: the mapper's output is lines of canonical N-Triples.

Writing terms as N-Triples text (instead of building rdflib or pyoxigraph objects) keeps the
mapping fast at national scale and makes the canonical export a plain ``sorted(set(lines))``.
Escaping is Oxigraph's, so a line of ours is the line Oxigraph writes for the same triple and
the canonical export can use our lines as they are (:class:`~rncp_graph.exports.canonical.CanonicalLines`):
``\\``, ``"``, tab, line breaks, backspace and form feed as ECHAR; the other control characters
and the noncharacters U+FFFE and U+FFFF as ``\\uXXXX`` (tested code point by code point).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date

from rdflib.namespace import XSD

from .iris import validate_iri

Triple = tuple[str, str, str]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f\ufffe\uffff]')

XSD_DATE = f"<{XSD.date}>"
XSD_INTEGER = f"<{XSD.integer}>"
XSD_BOOLEAN = f"<{XSD.boolean}>"
XSD_STRING = f"<{XSD.string}>"


def _escape_char(m: re.Match[str]) -> str:
    c = m.group(0)
    return _ESCAPES.get(c) or f"\\u{ord(c):04X}"


def _quote(value: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def iri(value: str) -> str:
    """``<value>``; the IRI is validated (data IRIs are already validated when minted)."""
    return f"<{validate_iri(value)}>"


def term_iri(value: object) -> str:
    """An IRI of a vocabulary term (rdflib ``URIRef`` from the namespace module)."""
    return f"<{value}>"


def fr(value: str) -> str:
    """A French language-tagged string."""
    return _quote(value) + "@fr"


def string(value: str) -> str:
    """A plain ``xsd:string`` literal (codes, names, identifiers)."""
    return _quote(value)


def integer(value: int) -> str:
    return f'"{int(value)}"^^{XSD_INTEGER}'


def boolean(value: bool) -> str:
    return f'"{"true" if value else "false"}"^^{XSD_BOOLEAN}'


def xsd_date(value: date) -> str:
    return f'"{value.isoformat()}"^^{XSD_DATE}'


def line(triple: Triple) -> str:
    """One N-Triples line (without the newline)."""
    return f"{triple[0]} {triple[1]} {triple[2]} ."


def lines_to_bytes(lines: Iterable[str]) -> bytes:
    """N-Triples lines as one UTF-8 document (each line ended by ``\\n``; no line: empty).

    The final ``\\n`` is joined with an empty last item: appending it to the joined text
    would copy the whole text once more (a large share of the time for a large document)."""
    return "\n".join(itertools.chain(lines, ("",))).encode("utf-8")
