"""The allow-list every query passes before it runs: a read-only SELECT over the given graph.

The check parses the text with rdflib's SPARQL parser and walks the *algebra* (not the
text, so comments, strings and odd spacing cannot hide anything — reliability §2.1, M4):

* an update of any kind (``LOAD``, ``INSERT``, ``DELETE``, ``DROP``, ``CLEAR``...) is refused;
* ``FROM`` / ``FROM NAMED`` (a dataset clause, which rdflib would fetch from the web) is refused;
* ``SERVICE`` anywhere — in a sub-query, an ``OPTIONAL``, a ``FILTER EXISTS`` — is refused;
* only ``SELECT`` is accepted (the results are tables).

It fails closed: a text rdflib cannot parse is refused, with no network access.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import QueryError, UnsafeQueryError

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
    try:
        parsed = parser.parseQuery(text)
    except ParseException as exc:
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
    return root


def _is_update(text: str) -> bool:
    try:
        parser.parseUpdate(text)
    except ParseException:
        return False
    return True


def walk(node: Any) -> Iterator[CompValue]:
    """Every :class:`CompValue` reachable from ``node`` (expressions and sub-queries included)."""
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
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def projected_variables(root: CompValue) -> list[str]:
    """The names of the variables a SELECT projects, in order."""
    return [str(v) for v in root.get("PV") or []]
