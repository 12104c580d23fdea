"""The guard every SPARQL text passes before a local engine runs it: no way to the network.

Two engines read the texts this package runs, and both can reach the web from a query:
Oxigraph calls ``SERVICE`` endpoints and fetches ``LOAD`` documents; rdflib does the same
and also fetches ``FROM`` / ``FROM NAMED`` / ``USING`` graphs (reliability §2.1). The guard
refuses all of these, unless the caller opts in with ``allow_federation=True``.

The check must read the text as the engine will. rdflib's parser (used for the check)
replaces every ``\\uXXXX`` / ``\\UXXXXXXXX`` escape before parsing, as SPARQL 1.1 §19.2 says
("codepoint escape sequences can occur anywhere in the query string; they are processed
before parsing"); Oxigraph 0.5 reads them only inside string literals and IRIs, as the SPARQL
1.2 grammar does (UCHAR in the string and IRI tokens). Both follow a version of the standard,
and they disagree on a text such as ``"\\u0022" . SERVICE <…> { } "\\u0022"``: for rdflib
one long string (``\"\"\" … \"\"\"``), for Oxigraph a real ``SERVICE``. So an escape is accepted
only when it stands for a character that cannot end or start a token in either reading: an
ASCII letter or digit, or a non-ASCII letter, mark, number, punctuation or symbol. A quote,
a bracket, a backslash, ``#``, white space or a control character must be written as itself.
After that rule both engines split the text into the same tokens, so the parse tree
rdflib gives is the one Oxigraph evaluates.

A text with no codepoint escape and none of the words a network operation is written with
(``SERVICE``, ``LOAD``; for rdflib also ``FROM``, ``USING``; any case, anywhere, even inside a
name) cannot reach the network in either reading and is not parsed: a pyparsing parse is slow
(benchmarks/README.md), and the validation runs hundreds of generated queries. Any other text is
parsed, and the guard fails closed: one rdflib cannot parse (an Oxigraph extension, RDF-star)
is refused, with the way out (``allow_federation=True``) in the message.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import QueryError

if TYPE_CHECKING:  # imported when a text is parsed: a cost that a query needing no parse does not pay
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query, Update

log = logging.getLogger(__name__)

__all__ = [
    "UnsafeQueryError",
    "check_escapes",
    "guard",
    "is_vouched",
    "parse_query",
    "parse_update",
    "plain_select",
    "vouch",
    "walk",
]

#: the escapes rdflib expands before parsing: its own pattern (``parser.expandUnicodeEscapes_re``,
#: a test checks they are the same), so the check sees what rdflib sees
CODEPOINT_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", flags=re.IGNORECASE)
#: Unicode categories of the non-ASCII characters an escape may stand for (no separator, control,
#: format character, surrogate or unassigned code point)
INERT_CATEGORIES = frozenset("LMNPS")
#: rdflib's SPARQL parser (pyparsing) runs in this one thread. pyparsing is not thread-safe (its
#: first call of a parse action guesses the action's arity: two threads doing it at once fail
#: with ``TypeError``), and the exceptions it keeps from backtracking hold the frames of the
#: stack they were raised in, callers included, until the cyclic garbage collector frees them:
#: in the caller's thread they would keep pyoxigraph results alive (which must be freed by the
#: thread that made them) and free them later from whichever thread collects.
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rncp-graph-sparql-parser")
#: parse-tree nodes that reach outside the store, for every engine
NETWORK_NODES = {"ServiceGraphPattern": "SERVICE (a federated query)", "Load": "LOAD (a fetch from the web)"}
#: ...and those rdflib alone fetches (Oxigraph reads FROM / USING as graphs of its own store)
RDFLIB_NETWORK_KEYS = {"datasetClause": "FROM / FROM NAMED", "using": "USING / USING NAMED"}


class UnsafeQueryError(QueryError):
    """A query that is not a read-only SELECT over the given graph (SERVICE, FROM, LOAD, update...)."""


def check_escapes(text: str, *, name: str = "ad-hoc") -> None:
    """Refuse a codepoint escape that rdflib and Oxigraph would read differently (module doc).

    :raises UnsafeQueryError: naming the escape and where it is.
    """
    for match in CODEPOINT_ESCAPE.finditer(text):
        code = int(match.group(1), 16)
        if not _inert(code):
            line = text.count("\n", 0, match.start()) + 1
            raise UnsafeQueryError(
                f"query {name}: the escape {match.group(0)} (line {line}) stands for a character that "
                f"rdflib and Oxigraph read differently ({_describe(code)}); write the character itself"
            )


def _inert(code: int) -> bool:
    if code < 0x80:
        return chr(code).isalnum()
    return code <= 0x10FFFF and unicodedata.category(chr(code))[0] in INERT_CATEGORIES


def _describe(code: int) -> str:
    if code > 0x10FFFF:
        return "not a Unicode code point"
    return f"U+{code:04X} {unicodedata.name(chr(code), 'a control or unassigned character')}"


def guard(sparql: str | Query | Update, *, engine: str, name: str = "ad-hoc") -> None:
    """Refuse a query or update that would reach the network on ``engine`` (``"oxigraph"`` or ``"rdflib"``).

    :param sparql: the text, or a query / update rdflib already parsed (``prepareQuery``).
    :raises UnsafeQueryError: SERVICE, LOAD (and for rdflib FROM, USING), or an unsafe escape.
    :raises QueryError: rdflib cannot parse the text, so it cannot be checked.
    """
    if not isinstance(sparql, str):  # a Query or Update rdflib parsed
        _refuse(sparql.algebra, engine, name)
        return
    if sparql in _VOUCHED:
        return
    _guard_text(sparql, engine, name)


#: texts that passed :func:`rncp_graph.queries.safety.check_query` in this process, or whose
#: hash its cache holds (:mod:`rncp_graph.queries.verdicts`): a self-contained SELECT, escapes
#: checked, no SERVICE, LOAD, FROM or update, so nothing this guard refuses on either engine
_VOUCHED: set[str] = set()


def vouch(text: str) -> None:
    """Record that ``text`` passed the read-only allow-list (stricter than this guard): :func:`guard`
    then lets it through without parsing it again. Only :mod:`rncp_graph.queries` calls this."""
    _VOUCHED.add(text)


def is_vouched(text: str) -> bool:
    """Whether :func:`vouch` recorded ``text``."""
    return text in _VOUCHED


#: Words without which neither engine can see a network operation in a text holding no codepoint
#: escape: Oxigraph's keywords are ASCII letters written as such (it reads escapes only inside
#: strings and IRIs), and rdflib reads the same letters once no escape is there to expand.
_NETWORK_WORDS = {
    "oxigraph": re.compile("service|load", re.IGNORECASE),
    "rdflib": re.compile("service|load|from|using", re.IGNORECASE),
}


#: what sends a text to the parser before Oxigraph runs it although it reads as a SELECT: a network
#: word of either engine's reading, and FROM, which :mod:`rncp_graph.queries.safety` refuses
_ALLOW_LIST_WORDS = re.compile("service|load|from", re.IGNORECASE)
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
#: a prologue (white space, comments, PREFIX and BASE declarations) then the SELECT keyword;
#: possessive, so a text that does not match fails in one pass (no backtracking)
_SELECT_FORM = re.compile(rf"(?:\s|#[^\n]*+|PREFIX\s*+[^\s:<>#]*+:\s*+{_IRI}|BASE\s*+{_IRI})*+SELECT\b", re.IGNORECASE)


def plain_select(text: str) -> bool:
    """Whether the allow-list's verdict on ``text`` is known without parsing it, for Oxigraph.

    True for a text whose first keyword after its prologue is SELECT and that holds no
    codepoint escape and none of the words SERVICE, LOAD and FROM (any case, anywhere, even
    inside a string or a name). Oxigraph's ``Store.query`` reads queries only (an update is a
    syntax error there), the first keyword fixes the query form, and without those words there
    is no SERVICE, LOAD or dataset clause in any reading: such a text is a read-only SELECT over
    the given graph, what :func:`rncp_graph.queries.safety.check_query` would accept, or a
    syntax error Oxigraph reports itself. Any other text is parsed (~0.13 s with rdflib's
    import, ``rncp-graph sparql``). Not for rdflib, whose evaluation is checked on its parse tree.
    """
    if CODEPOINT_ESCAPE.search(text) or _ALLOW_LIST_WORDS.search(text):
        return False
    return _SELECT_FORM.match(text) is not None


@lru_cache(maxsize=512)
def _guard_text(text: str, engine: str, name: str) -> None:
    if not CODEPOINT_ESCAPE.search(text) and not _NETWORK_WORDS[engine].search(text):
        return  # nothing to parse: no network word in any reading (the validation's 200+ queries)
    check_escapes(text, name=name)
    _refuse(_parse(text, name), engine, name)
    log.debug("query %s passed the network guard (%s)", name, engine)


def parse_query(text: str) -> Any:
    """rdflib's parse tree of a query (in the parser thread, :data:`_PARSER`)."""
    from rdflib.plugins.sparql import parser

    return _PARSER.submit(parser.parseQuery, text).result()


def parse_update(text: str) -> Any:
    """rdflib's parse tree of an update (in the parser thread, :data:`_PARSER`)."""
    from rdflib.plugins.sparql import parser

    return _PARSER.submit(parser.parseUpdate, text).result()


def _parse(text: str, name: str) -> Any:
    from pyparsing import ParseException

    try:
        return parse_query(text)
    except (ParseException, ValueError) as query_error:
        try:
            return parse_update(text)
        except (ParseException, ValueError):
            raise QueryError(
                f"query {name}: cannot be checked for network access (rdflib cannot parse it: {query_error}); "
                "pass allow_federation=True to run it unchecked"
            ) from None


def _refuse(tree: Any, engine: str, name: str) -> None:
    for node in walk(tree):
        if node.name in NETWORK_NODES:
            raise UnsafeQueryError(f"query {name}: {NETWORK_NODES[node.name]} is not allowed{_OPT_IN}")
        for key, what in RDFLIB_NETWORK_KEYS.items():
            if engine == "rdflib" and dict.get(node, key):
                raise UnsafeQueryError(f"query {name}: {what} is not allowed on rdflib (it fetches){_OPT_IN}")


_OPT_IN = " (pass allow_federation=True to allow network access)"


def walk(node: Any) -> Iterator[CompValue]:
    """Every :class:`CompValue` reachable from ``node``: parse trees and algebra, expressions and
    sub-queries included."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | ParseResults):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
