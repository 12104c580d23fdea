"""Push the built graph to a SPARQL store with the Graph Store Protocol, never half-way.

The protocol (reliability §3.3):

1. serialise the graph as canonical N-Triples (sorted, deduplicated) and count its triples;
   drop the ``<live>/staging/*`` graphs an earlier, interrupted push left behind; take the
   :class:`Fingerprint` of the live graph (its triple count and the total length of its terms);
2. ``PUT`` it to a fresh *staging* named graph ``<live>/staging/<run-id>``, in chunks of
   100,000 triples (``PUT`` the first, ``POST`` the next: each request answers within the
   timeout even on a slow store; without blank nodes each is idempotent, so it is retried on
   transient errors);
3. verify that staging holds exactly that many triples — on a mismatch (a proxy truncated
   the body...) the live graph is untouched and :class:`PushError` is raised;
4. switch with one SPARQL Update, ``COPY SILENT <live> TO <previous> ; MOVE <staging> TO
   <live>``, keeping the former live graph as ``<live>/previous``. An update is not
   idempotent: it is never retried, whatever it answered. Then the live graph's fingerprint
   says what happened, and only what is known to have changed is rolled back:

   * staging's fingerprint: the switch was applied (a warning if it answered an error);
   * its fingerprint before the switch: the switch was not applied (a proxy acknowledged it
     without forwarding it): live is left as it is — ``previous`` is *not* copied over it;
   * anything else: live was damaged; it is restored from ``previous`` only when
     ``previous`` has the fingerprint live had before, and the restore is verified.

Whenever the push fails, this run's staging graph is dropped (best effort: the store may be
unreachable). Only idempotent requests (PUT, GET and read-only queries) are retried.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RNCPGraphError
from .exports.canonical import canonical_bytes
from .info import open_graph
from .iris import validate_iri
from .queries import Endpoint
from .queries.errors import EndpointError, EndpointHTTPError
from .queries.remote import classify, with_deadline

log = logging.getLogger(__name__)

NTRIPLES = "application/n-triples"
#: triples per upload request: Virtuoso 7.2 takes ~7,000 triples/s through the Graph Store
#: Protocol and answers only when done, so one request must stay well within ``timeout``
CHUNK_LINES = 100_000


#: in the body of a 5xx answer, a request that fails the same way however often it is sent:
#: Virtuoso 7.2 answers a PUT whose body does not parse with HTTP 500 "Error 37000" (SQL state
#: class 37: syntax error, e.g. "SP029: TURTLE RDF loader, line 2: ...") or "Error 22023"
#: (invalid parameter: "the submitted resource is of unsupported type text/plain")
PERMANENT_5XX = (b"Error 37000", b"Error 22023")


class PushError(RNCPGraphError):
    """The push failed; the message says whether the live graph was left untouched."""


#: the triple count and the total length of the terms' strings (blank nodes count 0) of a graph;
#: the outer COALESCE: Virtuoso 7.2 leaves the SUM over no rows unbound instead of 0
FINGERPRINT = """SELECT (COUNT(*) AS ?n)
  (COALESCE(SUM(COALESCE(STRLEN(STR(?s)), 0) + STRLEN(STR(?p)) + COALESCE(STRLEN(STR(?o)), 0)), 0) AS ?c)
WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"""
#: the named graphs whose IRI starts with a prefix (``GRAPH ?g {{}}`` lists graphs, not triples)
LEFTOVERS = 'SELECT ?g WHERE {{ GRAPH ?g {{}} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
#: the same for a store whose ``GRAPH ?g {{}}`` binds nothing (Virtuoso 7.2): graphs holding a triple
LEFTOVERS_SCAN = 'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'


@dataclass(frozen=True)
class Fingerprint:
    """What the push compares a graph by, on the store: its triple count and the total length
    of its terms. Two different versions of the graph almost never agree on both; the switch
    moves a graph as it is, so the same graph keeps its fingerprint."""

    triples: int
    characters: int

    def __str__(self) -> str:
        return f"{self.triples:,} triples, {self.characters:,} characters"


@dataclass(frozen=True)
class StoreEndpoints:
    """The three URLs of a store: SPARQL query, SPARQL update, Graph Store Protocol.

    :meth:`oxigraph` gives Oxigraph server's layout (``/query``, ``/update``, ``/store``),
    :meth:`virtuoso` Virtuoso's (``/sparql`` for both, ``/sparql-graph-crud``), :meth:`layout`
    either by name (:data:`LAYOUTS`).
    """

    query: str
    update: str
    store: str
    #: whether ``GRAPH ?g {}`` lists the named graphs, as SPARQL 1.1 says (else they are
    #: found by their triples, which reads more)
    lists_graphs: bool = False

    @classmethod
    def oxigraph(cls, base: str) -> StoreEndpoints:
        base = base.rstrip("/")
        return cls(query=base + "/query", update=base + "/update", store=base + "/store", lists_graphs=True)

    @classmethod
    def virtuoso(cls, base: str) -> StoreEndpoints:
        """Virtuoso's layout; its user ``SPARQL`` needs the role ``SPARQL_UPDATE`` (no authentication)."""
        base = base.rstrip("/")
        return cls(query=base + "/sparql", update=base + "/sparql", store=base + "/sparql-graph-crud")

    @classmethod
    def layout(cls, name: str, base: str) -> StoreEndpoints:
        """The URLs of the store at ``base`` laid out as ``name`` (a key of :data:`LAYOUTS`)."""
        return LAYOUTS[name](base)


#: store layout name → the URLs of a store at a base URL
LAYOUTS: dict[str, Callable[[str], StoreEndpoints]] = {
    "oxigraph": StoreEndpoints.oxigraph,
    "virtuoso": StoreEndpoints.virtuoso,
}


@dataclass
class PushReport:
    """What a push did."""

    triples: int
    live: str
    staging: str
    previous: str
    seconds: dict[str, float] = field(default_factory=dict)


def canonical_ntriples(source: Path) -> tuple[bytes, int]:
    """The graph at ``source`` (N-Triples / Turtle file or store folder) as canonical N-Triples."""
    lines = canonical_bytes(open_graph(source))
    return b"\n".join([*lines, b""]), len(lines)


@dataclass
class Pusher:
    """Pushes N-Triples to ``live`` on one store. See the module docstring for the protocol.

    :param endpoints: the store's URLs.
    :param live: the IRI of the live named graph.
    :param timeout: seconds per socket operation; :param deadline: seconds per request, retries included.
    :param chunk_lines: triples per request of the upload (:meth:`put`).
    """

    endpoints: StoreEndpoints
    live: str
    timeout: float = 60.0
    deadline: float = 600.0
    retries: int = 2
    backoff: float = 1.0
    chunk_lines: int = CHUNK_LINES
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self) -> None:
        for iri in (self.live, self.staging, self.previous):
            validate_iri(iri)

    @property
    def staging(self) -> str:
        return f"{self.live}/staging/{self.run_id}"

    @property
    def previous(self) -> str:
        return f"{self.live}/previous"

    def push(self, payload: bytes, triples: int) -> PushReport:
        """Run the whole protocol for ``payload`` holding ``triples`` triples."""
        report = PushReport(triples, self.live, self.staging, self.previous)
        started = time.monotonic()
        self._drop_leftovers()
        before = self.fingerprint(self.live)
        try:
            self.put(self.staging, payload)
            report.seconds["put"] = time.monotonic() - started
            staged = self.fingerprint(self.staging)
            if staged.triples != triples:
                raise PushError(
                    f"staging graph {self.staging} holds {staged.triples} triples, {triples} were sent: "
                    f"live graph {self.live} left untouched"
                )
            self._switch(before, staged)
        except BaseException:
            self._drop_staging()
            raise
        report.seconds["total"] = time.monotonic() - started
        log.info(
            "pushed %d triples to %s in %.1f s (previous kept in %s)",
            triples,
            self.live,
            report.seconds["total"],
            self.previous,
        )
        return report

    def _switch(self, before: Fingerprint, staged: Fingerprint) -> None:
        """The switch, then what live holds decides: done, not applied, or restore (module docstring)."""
        failure: PushError | None = None
        try:
            self.update(f"COPY SILENT <{self.live}> TO <{self.previous}> ; MOVE <{self.staging}> TO <{self.live}>")
        except PushError as exc:  # the update may have been applied all the same: live says
            failure = exc
        after = self.fingerprint(self.live)
        if after == staged:
            if failure is not None:
                log.warning("the switch answered an error but was applied (%s verified): %s", after, failure)
            return
        said = f"it answered: {failure.__cause__ or failure}" if failure else "it was acknowledged"
        if after == before:
            raise PushError(
                f"the switch to {self.live} was not applied ({said}): live graph left as it was ({before})"
            ) from failure
        self._restore(before, after, staged)

    def _restore(self, before: Fingerprint, after: Fingerprint, staged: Fingerprint) -> None:
        """Live holds neither its former graph nor the new one: back to ``previous``, if it is the former one."""
        damaged = f"live graph {self.live} holds {after} after the switch, neither its former {before} nor {staged}"
        kept = self.fingerprint(self.previous)
        if kept != before:
            raise PushError(f"{damaged}; {self.previous} holds {kept}, not the former graph: nothing restored")
        self.update(f"COPY SILENT <{self.previous}> TO <{self.live}>")
        restored = self.fingerprint(self.live)
        if restored != before:
            raise PushError(f"{damaged}; restoring it from {self.previous} failed: it holds {restored}")
        raise PushError(f"{damaged}: restored the former graph from {self.previous}")

    def fingerprint(self, graph: str) -> Fingerprint:
        """The :class:`Fingerprint` of ``graph`` on the store (a read: retried by :class:`Endpoint`)."""
        endpoint = Endpoint(self.endpoints.query, timeout=self.timeout, deadline=self.deadline, retries=self.retries)
        try:
            table = endpoint.select(FINGERPRINT.format(graph=graph), name="push-fingerprint")
        except EndpointError as exc:
            raise PushError(f"cannot read the fingerprint of {graph} ({exc.detail})") from exc
        row = table.rows[0] if table.rows else {}
        if row.get("n") is None or row.get("c") is None:
            raise PushError(f"the fingerprint of {graph} came back empty: state of {self.live} unknown")
        return Fingerprint(int(row["n"].value), int(row["c"].value))  # type: ignore[union-attr]

    def count(self, graph: str) -> int:
        """The number of triples of ``graph`` on the store."""
        return self.fingerprint(graph).triples

    def put(self, graph: str, payload: bytes) -> None:
        """Replace ``graph`` with the N-Triples ``payload``: GSP ``PUT`` of its first
        :attr:`chunk_lines` lines, then ``POST`` (merge) of the next ones, chunk by chunk.

        Each request is retried on timeouts, 5xx and refused connections: a ``PUT`` is
        idempotent, and so is the ``POST`` of triples without blank nodes (a graph is a set:
        merging the same triples twice adds nothing). A payload that may hold blank nodes goes
        in one ``PUT`` (the blank nodes of two requests are never the same node).
        """
        url = f"{self.endpoints.store}?{urllib.parse.urlencode({'graph': graph})}"
        for number, chunk in enumerate(self.chunks(payload)):
            method = "PUT" if number == 0 else "POST"
            request = urllib.request.Request(url, data=chunk, method=method, headers={"Content-Type": NTRIPLES})
            self._retrying(functools.partial(self._send, request, method), method)

    def chunks(self, payload: bytes) -> list[bytes]:
        """``payload`` cut between lines into requests of at most :attr:`chunk_lines` triples, of
        even sizes (one request if it may hold blank nodes), each with its shortest lines first.

        Virtuoso 7.2 guesses the type of a Graph Store Protocol body from its first ~64 KB,
        whatever its ``Content-Type``, and rejects it ("unsupported type text/plain") when fewer
        than three triples end there: a long literal must not come first.
        """
        lines: list[bytes] = [
            line if line.endswith(b"\n") else line + b"\n" for line in payload.splitlines(keepends=True)
        ]
        if not lines:
            return [payload]
        requests = 1 if b"_:" in payload else -(-len(lines) // self.chunk_lines)
        size, more = divmod(len(lines), requests)  # the first ``more`` requests take one line more
        starts = [i * size + min(i, more) for i in range(requests + 1)]
        return [shortest_first(lines[a:b]) for a, b in itertools.pairwise(starts)]

    def update(self, text: str) -> None:
        """One SPARQL Update request. Not idempotent: never retried."""
        request = urllib.request.Request(
            self.endpoints.update, data=text.encode("utf-8"), method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )  # fmt: skip
        try:
            self._deadline(lambda: self._send(request, "update"), self.deadline)
        except EndpointError as exc:
            raise PushError(f"update failed ({exc.detail}); state of {self.live} unknown: check its count") from exc

    def _drop_staging(self, graph: str | None = None) -> None:
        graph = graph or self.staging
        try:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        except PushError as exc:
            log.warning("could not drop %s: %s", graph, exc)

    def _drop_leftovers(self) -> None:
        """Drop the staging graphs of earlier pushes to this live graph (interrupted before their clean-up)."""
        endpoint = Endpoint(self.endpoints.query, timeout=self.timeout, deadline=self.deadline, retries=self.retries)
        query = LEFTOVERS if self.endpoints.lists_graphs else LEFTOVERS_SCAN
        table = endpoint.select(query.format(prefix=f"{self.live}/staging/"), name="push-leftovers")
        for row in table.rows:
            if row["g"] is not None:
                log.warning("dropping %s, left by an interrupted push", row["g"].value)
                self._drop_staging(row["g"].value)

    def _retrying(self, call: Callable[[], None], what: str) -> None:
        end = time.monotonic() + self.deadline
        pause = self.backoff
        for number in range(self.retries + 1):
            try:
                self._deadline(call, end - time.monotonic())
                return
            except EndpointError as exc:
                if not exc.transient or number == self.retries or time.monotonic() + pause >= end:
                    raise PushError(
                        f"{what} to {self.endpoints.store} failed: {exc.detail}; live graph untouched"
                    ) from exc
                log.warning("%s failed (%s), retry %d/%d in %.1f s", what, exc.detail, number + 1, self.retries, pause)
                time.sleep(pause)
                pause *= 2

    def _deadline(self, call: Callable[[], None], seconds: float) -> None:
        with_deadline(call, seconds, endpoint=self.endpoints.store, query="push")

    def _send(self, request: urllib.request.Request, what: str) -> None:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            raise http_error(exc, request.full_url) from exc
        except Exception as exc:
            raise classify(exc, endpoint=request.full_url, query="push") from exc
        if status not in (200, 201, 204):
            raise EndpointHTTPError(
                f"{what} answered HTTP {status}", endpoint=request.full_url, query="push", status=status
            )
        log.debug("%s %s: HTTP %d", what, request.full_url, status)


def shortest_first(lines: list[bytes]) -> bytes:
    """The lines joined, shortest first (the same length: in their order)."""
    ordered: list[bytes] = sorted(lines, key=len)
    return b"".join(ordered)


def http_error(exc: urllib.error.HTTPError, url: str) -> EndpointHTTPError:
    """The error for an HTTP error answer, with what the store said (its body, tags stripped).

    A 5xx is transient (retried), unless its body says the request can never succeed
    (:data:`PERMANENT_5XX`).
    """
    try:
        body = exc.read(4000)
    except OSError:
        body = b""
    said = " ".join(re.sub(rb"<[^>]*>", b" ", body).decode("utf-8", "replace").split())[:300]
    error = EndpointHTTPError(
        f"HTTP {exc.code} {exc.reason}" + (f": {said}" if said else ""), endpoint=url, query="push", status=exc.code
    )
    if any(marker in body for marker in PERMANENT_5XX):
        error.transient = False
    return error


def push(
    source: Path,
    *,
    endpoint: str,
    graph: str,
    endpoints: StoreEndpoints | None = None,
    layout: str = "oxigraph",
    timeout: float = 60.0,
    deadline: float = 600.0,
    retries: int = 2,
    chunk_lines: int = CHUNK_LINES,
) -> PushReport:
    """Push the graph at ``source`` to the live named graph ``graph`` of the store at ``endpoint``.

    :param source: ``out/rncp.nt``, a Turtle file or a store folder.
    :param endpoint: the store's base URL, laid out as ``layout`` (:data:`LAYOUTS`), unless
        ``endpoints`` gives the three URLs.
    :param graph: the IRI of the live named graph.
    :param timeout: seconds per socket operation; :param deadline: seconds per request.
    :param retries: retries of idempotent requests.
    :param chunk_lines: triples per upload request.
    """
    payload, triples = canonical_ntriples(source)
    urls = endpoints or StoreEndpoints.layout(layout, endpoint)
    pusher = Pusher(urls, graph, timeout=timeout, deadline=deadline, retries=retries, chunk_lines=chunk_lines)
    log.info("pushing %d triples from %s to %s (staging %s)", triples, source, graph, pusher.staging)
    return pusher.push(payload, triples)
