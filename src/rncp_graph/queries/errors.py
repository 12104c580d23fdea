"""The errors of saved and ad-hoc queries, all :class:`~rncp_graph.errors.QueryError`.

An endpoint failure is always an exception naming the endpoint and the query, never an
empty result: a researcher must be able to tell "no answer" from "no rows".
"""

from __future__ import annotations

from ..errors import QueryError
from ..sparql_guard import UnsafeQueryError

__all__ = [
    "EndpointBadResponseError",
    "EndpointError",
    "EndpointHTTPError",
    "EndpointTimeoutError",
    "EndpointUnreachableError",
    "ParameterError",
    "QueryError",
    "UnknownQueryError",
    "UnsafeQueryError",
]


class UnknownQueryError(QueryError):
    """No saved query has this name."""


class ParameterError(QueryError):
    """A parameter is missing, unknown, or does not have the shape of its type."""


class EndpointError(QueryError):
    """A remote SPARQL endpoint failed; the message names the endpoint and the query.

    :param endpoint: the endpoint URL.
    :param query: the saved query's name, or ``"ad-hoc"``.
    :param detail: what went wrong.
    """

    #: retrying the same read may succeed (timeouts, 5xx, refused connections)
    transient = False

    def __init__(self, detail: str, *, endpoint: str, query: str) -> None:
        self.endpoint = endpoint
        self.query = query
        self.detail = detail
        super().__init__(f"endpoint {endpoint}: query {query!r}: {detail}")


class EndpointTimeoutError(EndpointError):
    """No complete answer before the per-request timeout or the overall deadline."""

    transient = True


class EndpointHTTPError(EndpointError):
    """The endpoint answered with an HTTP error status."""

    def __init__(self, detail: str, *, endpoint: str, query: str, status: int) -> None:
        self.status = status
        super().__init__(detail, endpoint=endpoint, query=query)
        self.transient = status >= 500 or status == 429


class EndpointBadResponseError(EndpointError):
    """The answer is not SPARQL JSON results (truncated or invalid JSON, an HTML page...)."""


class EndpointUnreachableError(EndpointError):
    """The endpoint cannot be reached (connection refused, unknown host, reset)."""

    transient = True
