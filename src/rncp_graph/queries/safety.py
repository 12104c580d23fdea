"""The allow-list every query passes before it runs: a read-only SELECT over the given graph.

The check parses the text with rdflib's SPARQL parser and walks the *algebra* (not the
text, so comments, strings and odd spacing cannot hide anything — reliability §2.1, M4):

* an update of any kind (``LOAD``, ``INSERT``, ``DELETE``, ``DROP``, ``CLEAR``...) is refused;
* ``FROM`` / ``FROM NAMED`` (a dataset clause, which rdflib would fetch from the web) is refused;
* ``SERVICE`` anywhere — in a sub-query, an ``OPTIONAL``, a ``FILTER EXISTS`` — is refused;
* only ``SELECT`` is accepted (the results are tables).

It fails closed: a text rdflib cannot parse is refused, with no network access. Before
parsing, :func:`~rncp_graph.sparql_guard.check_escapes` refuses a ``\\uXXXX`` escape that
rdflib (which expands escapes first, SPARQL 1.1) and Oxigraph (which reads them only inside
strings and IRIs, SPARQL 1.2) would read differently: the algebra checked here is then the
one Oxigraph runs.

Before a local run, :func:`ensure_safe` skips the parse of a text whose verdict is already
known: a saved query that passed (:mod:`.verdicts`), or — for Oxigraph, which runs no update
through a query — a text whose first keyword is SELECT and that holds no escape and none of
the words SERVICE, LOAD, FROM (:func:`~rncp_graph.sparql_guard.plain_select`).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

from ..sparql_guard import check_escapes, is_vouched, parse_query, parse_update, plain_select, vouch, walk
from .errors import QueryError, UnsafeQueryError

if TYPE_CHECKING:  # rdflib's SPARQL modules are imported when a text is checked
    from rdflib.plugins.sparql.parserutils import CompValue

log = logging.getLogger(__name__)

#: Algebra nodes that reach outside the graph the query is run on.
FORBIDDEN_NODES = {"ServiceGraphPattern": "SERVICE (a federated query)"}


def check_query(text: str, *, name: str = "ad-hoc") -> CompValue:
    """Parse ``text`` and refuse anything but a self-contained SELECT; return its algebra.

    Answers are cached by text (the check is a pure function of it; refusals are not cached).

    :param text: the whole query text, prologue included.
    :param name: the query's name, for messages.
    :raises UnsafeQueryError: an update, a dataset clause, SERVICE, or a non-SELECT form.
    :raises QueryError: the text is not SPARQL that rdflib can parse.
    """
    return _check(text, name)


@lru_cache(maxsize=512)
def _check(text: str, name: str) -> CompValue:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import algebra

    check_escapes(text, name=name)
    try:
        parsed = parse_query(text)
    except (ParseException, ValueError) as exc:  # ValueError: rdflib's escape expansion
        if _is_update(text):
            raise UnsafeQueryError(f"query {name}: updates (LOAD, INSERT, DELETE, DROP...) are not allowed") from exc
        raise QueryError(f"query {name}: SPARQL syntax error: {exc}") from exc
    try:
        query = algebra.translateQuery(parsed)
    except Exception as exc:  # rdflib raises plain exceptions on some malformed queries
        raise QueryError(f"query {name}: cannot be translated to SPARQL algebra: {exc}") from exc
    root = query.algebra
    if root.name != "SelectQuery":
        raise UnsafeQueryError(f"query {name}: only SELECT queries are allowed (found {root.name})")
    if root.get("datasetClause"):
        raise UnsafeQueryError(f"query {name}: FROM / FROM NAMED are not allowed (the graph is given by the caller)")
    for node in walk(root):
        if node.name in FORBIDDEN_NODES:
            raise UnsafeQueryError(f"query {name}: {FORBIDDEN_NODES[node.name]} is not allowed")
    log.debug("query %s passed the allow-list", name)
    vouch(text)  # the network guard need not parse it again
    return root


def ensure_safe(text: str, *, name: str = "ad-hoc", oxigraph: bool = False) -> None:
    """:func:`check_query`, unless ``text`` passed it already (in this process, or a saved query
    whose hash :mod:`.verdicts` holds), or — for Oxigraph — its verdict is known without a parse
    (:func:`~rncp_graph.sparql_guard.plain_select`): what a local run calls before the engine sees
    the text."""
    if is_vouched(text) or (oxigraph and plain_select(text)):
        return
    check_query(text, name=name)


def _is_update(text: str) -> bool:
    from pyparsing import ParseException

    try:
        parse_update(text)
    except (ParseException, ValueError):
        return False
    return True


def projected_variables(root: CompValue) -> list[str]:
    """The names of the variables a SELECT projects, in order."""
    return [str(v) for v in root.get("PV") or []]
