"""Saved SPARQL queries (``queries/*.rq``) and ad-hoc ones, run locally or on any endpoint.

In a notebook::

    from rncp_graph import build, queries
    result = build(["data/fiches"])
    table = queries.run("certifications-sharing-rome", {"rome": "K1403"}, target=result.store)
    table.records()          # [{'rome': 'K1403', 'fiche': 'RNCP36459', ...}, ...]
    table.to_dataframe()     # a pandas DataFrame, if pandas is installed

    remote = queries.Endpoint("http://127.0.0.1:7878/query", timeout=10, deadline=30)
    queries.run("fiche-summary", {"fiche": "RNCP34808"}, target=remote)

A target is a :class:`~rncp_graph.store.GraphStore` (Oxigraph, parameters bound as
``substitutions``), an :class:`rdflib.Graph` (``initBindings``) or an :class:`Endpoint`
(validated terms in a ``VALUES`` block at the query's ``# @params`` line). Every query,
saved or ad-hoc, passes the read-only allow-list of :mod:`.safety` first (a saved query once per
text, :mod:`.verdicts`; an ad-hoc SELECT on Oxigraph without a parse when its words settle it,
:func:`~rncp_graph.sparql_guard.plain_select`). ``page=Page(limit, offset)`` keeps only some rows
of the answer, in its order.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import rdflib

from ..namespaces import sparql_prologue
from ..store import GraphStore
from .catalogue import MARKER, SavedQuery, discover, get
from .errors import EndpointError, ParameterError, QueryError, UnknownQueryError, UnsafeQueryError
from .local import run_oxigraph, run_rdflib
from .params import Page, Term, bind, values_block
from .remote import Endpoint
from .results import FORMATTERS, ResultTable, Value, render
from .safety import check_query

__all__ = [
    "FORMATTERS",
    "MARKER",
    "Endpoint",
    "EndpointError",
    "Page",
    "ParameterError",
    "QueryError",
    "ResultTable",
    "SavedQuery",
    "Target",
    "UnknownQueryError",
    "UnsafeQueryError",
    "Value",
    "check_query",
    "discover",
    "get",
    "remote_text",
    "render",
    "run",
    "run_saved",
    "run_text",
]

log = logging.getLogger(__name__)

Target = GraphStore | rdflib.Graph | Endpoint


def run(
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    target: Target,
    root: Path | None = None,
    page: Page | None = None,
) -> ResultTable:
    """Run the saved query ``name`` with ``params`` (raw text or values, validated by type) on ``target``.

    :param page: only some rows of the answer, in its order (``Page(limit=20, offset=40)``).
    """
    return run_saved(get(name, root), params, target=target, page=page)


def run_saved(
    query: SavedQuery, params: Mapping[str, object] | None = None, *, target: Target, page: Page | None = None
) -> ResultTable:
    """Run an already loaded saved query; see :func:`run`."""
    bindings = bind(query.params, params or {}, query=query.name)
    sent = remote_text(query, bindings)
    return _execute(query.text, bindings, target=target, name=query.name, remote_text=sent, page=page)


def remote_text(query: SavedQuery, bindings: Mapping[str, Term]) -> str:
    """The text sent to an endpoint: the ``VALUES`` block of bound terms at the marker line."""
    return query.with_values(values_block(bindings))


def run_text(text: str, *, target: Target, prologue: bool = True, page: Page | None = None) -> ResultTable:
    """Run an ad-hoc read-only SELECT (the project's prefixes are declared first unless ``prologue=False``)."""
    full = (sparql_prologue() + text) if prologue else text
    return _execute(full, {}, target=target, name="ad-hoc", remote_text=full, page=page)


def _execute(
    text: str, bindings: Mapping[str, Term], *, target: Target, name: str, remote_text: str, page: Page | None
) -> ResultTable:
    if isinstance(target, GraphStore):
        return run_oxigraph(target, text, bindings, name=name, page=page)
    if isinstance(target, rdflib.Graph):
        return run_rdflib(target, text, bindings, name=name, page=page)
    if isinstance(target, Endpoint):
        table = target.select(remote_text, name=name)
        if page is not None:
            table.rows = page.cut(table.rows)
        return table
    raise TypeError(f"cannot run a query on {type(target).__name__}")
