"""The local engines: the embedded Oxigraph store, and rdflib on an in-memory graph.

Both see the merged view as their default graph (Oxigraph: ``use_default_graph_as_union``;
rdflib: a plain :class:`rdflib.Graph` copy from :meth:`GraphStore.to_rdflib_graph`).
Parameters are bound — pyoxigraph ``substitutions``, rdflib ``initBindings`` — after the
query passed :func:`~rncp_graph.queries.safety.check_query`.

Parameters: pyoxigraph *substitutes* the value for the variable everywhere, sub-queries
included (the variable must be projected); rdflib's ``initBindings`` and the ``VALUES``
block sent to endpoints join it at the top. The saved queries are written so that both
give the same rows (tests compare every case on both engines and on a server), and so
that Oxigraph's substitution reaches the sub-queries that use the parameter (a look-up then
stays in milliseconds: benchmarks/README.md). Oxigraph plans the query *before*
substituting, so a look-up starts from the parameter's pattern and wide patterns (the class
of a node) sit in ``FILTER EXISTS``.

Known engine differences (met on the saved queries, each handled in the query text):

* Oxigraph 0.5.13's union default graph is a bag: a triple held by two named graphs (a
  ROME concept described in the source graph of each fiche citing it) matches twice
  (oxigraph/oxigraph#1919, fixed after 0.5.13). The saved queries use ``DISTINCT`` and
  ``COUNT(DISTINCT ...)``, and sum over ``DISTINCT`` sub-queries.
* ``GROUP_CONCAT`` order is unspecified: Oxigraph and rdflib give different orders. The
  saved queries concatenate from an ordered sub-query, which both engines keep.
* Casting to ``xsd:date`` (``xsd:date(?s)``) is unsupported by rdflib 7.6 (unbound): the
  date check uses regular expressions only.
* Oxigraph 0.5.13 folds ``BOUND(?v)`` to false when ``?v`` is only bound by a substitution
  (``FILTER(!BOUND(?level) || ...)`` kept every row); rdflib and a ``VALUES`` block do not.
  Optional parameters are tested with ``COALESCE(<test>, true)``, and loading a saved query
  refuses ``BOUND(?param)``.
* ``STR(?unbound)`` inside an aggregate (``MIN(STR(?title))``) gives the text ``"None"`` in
  rdflib 7.6 instead of an unbound value: the queries aggregate the terms (``MIN(?title)``).
* ``GROUP_CONCAT`` over no row: unbound in Oxigraph, ``""`` in rdflib (only non-empty
  groups are concatenated in the saved queries).
* SPARQLWrapper guesses the query form by regex and took ``?insertion6Months`` for an
  INSERT (sending it as an update): the remote client sets the form itself.
* Decimal division keeps 18 digits in Oxigraph and 27 in rdflib; averages are rounded in
  the queries, and :meth:`Value.canonical` compares ``3.50`` and ``3.5`` as equal.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Mapping
from typing import Literal

import rdflib

from ..deadline import bounded, default_timeout, rows_until
from ..namespaces import PREFIXES
from ..sparql_guard import parse_query
from ..store import GraphStore
from .errors import QueryError
from .params import Page, Term, to_oxigraph
from .results import ResultTable, Value, from_oxigraph, from_rdflib
from .safety import check_query, ensure_safe

log = logging.getLogger(__name__)

#: seconds, None for no limit, or "default" (the store's ``query_timeout`` / :func:`default_timeout`)
Timeout = float | None | Literal["default"]


def run_oxigraph(
    store: GraphStore,
    text: str,
    bindings: Mapping[str, Term],
    *,
    name: str = "ad-hoc",
    timeout: Timeout = "default",
    page: Page | None = None,
) -> ResultTable:
    """Run a checked SELECT on the Oxigraph store, parameters bound as substitutions.

    :param store: the graph (its default graph is the union of its named graphs).
    :param text: the query text.
    :param bindings: variable name → bound term (already validated).
    :param name: the query's name, for messages and logs.
    :param timeout: seconds (None: no limit; default: the store's ``query_timeout``).
    :param page: only these rows of the answer (default: all).
    :raises QueryTimeoutError: no complete answer in time (:mod:`rncp_graph.deadline`).
    """
    ensure_safe(text, name=name, oxigraph=True)
    kept = page or Page()
    subs = {k: to_oxigraph(v) for k, v in bindings.items()}
    started = time.perf_counter()
    try:
        columns, solutions = store.table(text, subs, name=name, timeout=timeout, limit=kept.limit, offset=kept.offset)
    except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
        raise QueryError(f"query {name} failed on Oxigraph: {exc}") from exc
    rows = [{c: from_oxigraph(s[c]) for c in columns} for s in solutions]
    log.info("query %s: %d rows in %.3f s (oxigraph)", name, len(rows), time.perf_counter() - started)
    return ResultTable(columns, rows, query=name, engine="oxigraph")


def run_rdflib(
    graph: rdflib.Graph,
    text: str,
    bindings: Mapping[str, Term],
    *,
    name: str = "ad-hoc",
    timeout: Timeout = "default",
    page: Page | None = None,
) -> ResultTable:
    """Run a checked SELECT on an rdflib graph, parameters bound with ``initBindings``.

    The answer is read inside the worker (:func:`rncp_graph.deadline.bounded`): rdflib
    evaluates lazily, so errors surface while iterating (reliability §2.1, L1).
    """
    from rdflib.plugins.sparql.algebra import translateQuery

    check_query(text, name=name)
    started = time.perf_counter()
    prepared = translateQuery(parse_query(text), initNs=PREFIXES)  # prepareQuery, parsed in the parser thread
    initial: dict[str, rdflib.term.Identifier] = {rdflib.Variable(k): v for k, v in bindings.items()}
    kept = page or Page()

    def work(stopped: Callable[[], bool]) -> tuple[list[str], list[dict[str, Value | None]]]:
        try:
            answer = graph.query(prepared, initBindings=initial)
            columns = [str(v) for v in answer.vars or []]
            convert = lambda row: {c: from_rdflib(row[i]) for i, c in enumerate(columns)}  # noqa: E731
            return columns, rows_until(itertools.islice(answer, kept.offset, kept.stop), stopped, convert)
        except Exception as exc:  # rdflib raises many unrelated types while evaluating
            raise QueryError(f"query {name} failed on rdflib: {exc}") from exc

    limit = default_timeout() if timeout == "default" else timeout
    columns, rows = bounded(work, timeout=limit, name=name)
    log.info("query %s: %d rows in %.3f s (rdflib)", name, len(rows), time.perf_counter() - started)
    return ResultTable(columns, rows, query=name, engine="rdflib")
