"""A remote SPARQL 1.1 endpoint, through SPARQLWrapper, that never mistakes a failure for "no rows".

Every request has a per-request socket timeout (``setTimeout``) AND an overall deadline
(the attempt runs in a daemon thread that is abandoned when the deadline passes — a server
that drips bytes cannot hold us past it). Long queries are POSTed. Reads are idempotent,
so a transient failure (timeout, HTTP 5xx / 429, refused connection) is retried with
exponential backoff within the deadline; nothing else is retried. Each failure is an
:class:`~rncp_graph.queries.errors.EndpointError` naming the endpoint and the query
(reliability §2.5, §4 cases 43–47).
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import socket
import threading
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from SPARQLWrapper import GET, JSON, POST, SELECT, SPARQLExceptions, SPARQLWrapper

from ..__about__ import __version__
from .errors import (
    EndpointBadResponseError,
    EndpointError,
    EndpointHTTPError,
    EndpointTimeoutError,
    EndpointUnreachableError,
)
from .results import ResultTable, from_sparql_json
from .safety import check_query

log = logging.getLogger(__name__)

T = TypeVar("T")
JSON_TYPES = ("application/sparql-results+json", "application/json")
#: SPARQLWrapper's own exceptions carry no status code: class → HTTP status.
WRAPPER_STATUS: dict[type[Exception], int] = {
    SPARQLExceptions.QueryBadFormed: 400,
    SPARQLExceptions.Unauthorized: 401,
    SPARQLExceptions.EndPointNotFound: 404,
    SPARQLExceptions.URITooLong: 414,
    SPARQLExceptions.EndPointInternalError: 500,
}


@dataclass
class Endpoint:
    """A SPARQL endpoint to read from.

    :param url: the query URL (Oxigraph server: ``http://host:7878/query``).
    :param timeout: seconds allowed for each socket operation (at least 1: SPARQLWrapper takes an int).
    :param deadline: seconds allowed for the whole call, retries included.
    :param retries: how many times a transient failure is retried.
    :param backoff: the first pause between attempts, doubled each time.
    :param default_graph: an IRI sent as ``default-graph-uri`` (the graph the query reads).
    :param post_above: queries longer than this many characters are sent with POST.
    """

    url: str
    timeout: float = 30.0
    deadline: float = 120.0
    retries: int = 2
    backoff: float = 0.5
    default_graph: str | None = None
    post_above: int = 1500

    def select(self, text: str, *, name: str = "ad-hoc") -> ResultTable:
        """Run a SELECT (checked by the allow-list first) and return its rows."""
        check_query(text, name=name)
        started = time.monotonic()
        data = self._retrying(lambda remaining: self._attempt(text, name, remaining), name)
        table = parse_results(data, endpoint=self.url, query=name)
        log.info("query %s: %d rows in %.3f s from %s", name, len(table), time.monotonic() - started, self.url)
        return table

    def _retrying(self, attempt: Callable[[float], T], name: str) -> T:
        end = time.monotonic() + self.deadline
        pause = self.backoff
        for number in range(self.retries + 1):
            try:
                return attempt(end - time.monotonic())
            except EndpointError as exc:
                last = number == self.retries or time.monotonic() + pause >= end
                if not exc.transient or last:
                    raise
                log.warning("query %s: %s — retry %d/%d in %.1f s", name, exc.detail, number + 1, self.retries, pause)
                time.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, text: str, name: str, remaining: float) -> Any:
        if remaining <= 0:
            raise EndpointTimeoutError(f"deadline of {self.deadline:g} s passed", endpoint=self.url, query=name)
        return with_deadline(lambda: self._request(text, name), remaining, endpoint=self.url, query=name)

    def _request(self, text: str, name: str) -> Any:
        wrapper = SPARQLWrapper(self.url, agent=f"rncp-graph/{__version__}")
        wrapper.setQuery(text)
        # SPARQLWrapper guesses the form by regex and takes "?insertion6Months" for an INSERT;
        # the allow-list has already proved this is a SELECT.
        wrapper.queryType = SELECT
        wrapper.setReturnFormat(JSON)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(max(1, math.ceil(self.timeout)))
        wrapper.setMethod(POST if len(text) > self.post_above else GET)
        if self.default_graph:
            wrapper.addDefaultGraph(self.default_graph)
        try:
            response = wrapper.query()
            content_type = (response.info().get("content-type") or "").split(";")[0].strip().lower()
            body = response.response.read()
        except Exception as exc:
            raise classify(exc, endpoint=self.url, query=name) from exc
        return decode_json(body, content_type, endpoint=self.url, query=name)


def with_deadline(call: Callable[[], T], seconds: float, *, endpoint: str, query: str) -> T:
    """Run ``call`` in a daemon thread; :class:`EndpointTimeoutError` if it has not returned in ``seconds``."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"sparql-{query}", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise EndpointTimeoutError(
            f"no complete answer within the deadline ({seconds:.1f} s left)", endpoint=endpoint, query=query
        )
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def classify(exc: Exception, *, endpoint: str, query: str) -> EndpointError:
    """The :class:`EndpointError` for an exception raised by SPARQLWrapper / urllib."""
    if isinstance(exc, EndpointError):
        return exc
    for kind, status in WRAPPER_STATUS.items():
        if isinstance(exc, kind):
            return EndpointHTTPError(
                f"HTTP {status}: {_snippet(str(exc))}", endpoint=endpoint, query=query, status=status
            )
    if isinstance(exc, urllib.error.HTTPError):
        return EndpointHTTPError(f"HTTP {exc.code} {exc.reason}", endpoint=endpoint, query=query, status=exc.code)
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return EndpointTimeoutError(f"timed out ({reason})", endpoint=endpoint, query=query)
    if isinstance(reason, http.client.IncompleteRead):
        return EndpointBadResponseError(f"truncated answer ({reason})", endpoint=endpoint, query=query)
    if isinstance(reason, OSError | http.client.HTTPException | str):
        return EndpointUnreachableError(f"cannot reach the endpoint: {reason}", endpoint=endpoint, query=query)
    return EndpointBadResponseError(f"{type(exc).__name__}: {exc}", endpoint=endpoint, query=query)


def decode_json(body: bytes, content_type: str, *, endpoint: str, query: str) -> Any:
    """The parsed SPARQL JSON results; an HTML page or invalid JSON is an error, not "no rows"."""
    if content_type not in JSON_TYPES:
        raise EndpointBadResponseError(
            f"expected SPARQL JSON results, got {content_type or 'no content type'}: {_snippet(body)}",
            endpoint=endpoint,
            query=query,
        )
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EndpointBadResponseError(
            f"invalid JSON ({exc}): {_snippet(body)}", endpoint=endpoint, query=query
        ) from exc


def parse_results(data: Any, *, endpoint: str, query: str) -> ResultTable:
    """A :class:`ResultTable` from SPARQL 1.1 JSON results, checking their shape."""
    try:
        columns = [str(v) for v in data["head"]["vars"]]
        bindings = data["results"]["bindings"]
        rows = [{c: from_sparql_json(b.get(c)) for c in columns} for b in bindings]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EndpointBadResponseError(f"not SPARQL SELECT results: {exc!r}", endpoint=endpoint, query=query) from exc
    return ResultTable(columns, rows, query=query, engine=f"remote {endpoint}")


def _snippet(body: bytes | str, size: int = 120) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return repr(text[:size] + ("…" if len(text) > size else ""))
