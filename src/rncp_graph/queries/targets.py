"""Where a query runs: a local graph (an ``.nt`` / ``.ttl`` file or a store folder) or an endpoint."""

from __future__ import annotations

import logging
from pathlib import Path

from ..deadline import DEFAULT_TIMEOUT_S, default_timeout
from ..info import DEFAULT_GRAPH, DEFAULT_HELP, DEFAULT_STORE, default_local_graph, open_graph
from ..store import GraphStore
from .errors import QueryError
from .remote import Endpoint

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_GRAPH", "DEFAULT_HELP", "DEFAULT_STORE", "default_local_graph", "open_target"]


def open_target(
    *,
    graph: Path | None = None,
    endpoint: str | None = None,
    default_graph: str | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
) -> GraphStore | Endpoint:
    """The target for :func:`rncp_graph.queries.run`: an :class:`Endpoint` or a local store.

    :param graph: an RDF file or an on-disk store folder (default :func:`default_graph`).
    :param endpoint: a SPARQL endpoint URL (then ``graph`` must not be given).
    :param default_graph: for an endpoint, the graph IRI sent as ``default-graph-uri``.
    :param timeout: for an endpoint, seconds per socket operation.
    :param deadline: seconds per query, local or remote (default: :func:`~rncp_graph.deadline.default_timeout`).
    """
    limit = deadline if deadline is not None else default_timeout()
    if endpoint is not None:
        if graph is not None:
            raise QueryError("give either --graph or --endpoint, not both")
        remote_limit = limit if limit is not None else DEFAULT_TIMEOUT_S
        return Endpoint(endpoint, timeout=timeout, deadline=remote_limit, default_graph=default_graph)
    path = graph or default_local_graph()
    if not path.exists():
        raise QueryError(f"no graph at {path}: run `rncp-graph build` first, or pass --graph or --endpoint")
    log.info("opening %s", path)
    store = open_graph(path)
    store.query_timeout = limit
    return store
