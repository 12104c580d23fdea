"""Push the built graph to a SPARQL store with the Graph Store Protocol, never half-way.

The protocol (reliability §3.3):

1. serialise the graph as canonical N-Triples (sorted, deduplicated) and count its triples;
2. ``PUT`` it to a fresh *staging* named graph ``<live>/staging/<run-id>`` (one GSP request
   is one transaction on Oxigraph; PUT is idempotent, so it is retried on transient errors);
3. verify with a ``COUNT`` query that staging holds exactly that many triples — on a
   mismatch (a proxy truncated the body...) staging is dropped, the live graph is untouched,
   and :class:`PushError` is raised;
4. switch with one SPARQL Update, ``COPY SILENT <live> TO <previous> ; MOVE <staging> TO
   <live>``, keeping the former live graph as ``<live>/previous`` for rollback. An update is
   not idempotent: it is never retried; after it the live count is checked again, and a
   mismatch restores ``previous``.

Only idempotent requests (PUT, GET and read-only queries) are retried.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RNCPGraphError
from .info import open_graph
from .iris import validate_iri
from .queries import Endpoint
from .queries.errors import EndpointError, EndpointHTTPError
from .queries.remote import classify, with_deadline

log = logging.getLogger(__name__)

NTRIPLES = "application/n-triples"


class PushError(RNCPGraphError):
    """The push failed; the message says whether the live graph was left untouched."""


@dataclass(frozen=True)
class StoreEndpoints:
    """The three URLs of a store: SPARQL query, SPARQL update, Graph Store Protocol.

    :meth:`oxigraph` gives Oxigraph server's layout (``/query``, ``/update``, ``/store``).
    """

    query: str
    update: str
    store: str

    @classmethod
    def oxigraph(cls, base: str) -> StoreEndpoints:
        base = base.rstrip("/")
        return cls(query=base + "/query", update=base + "/update", store=base + "/store")


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
    lines = open_graph(source).canonical_bytes()
    return b"\n".join([*lines, b""]), len(lines)


@dataclass
class Pusher:
    """Pushes N-Triples to ``live`` on one store. See the module docstring for the protocol.

    :param endpoints: the store's URLs.
    :param live: the IRI of the live named graph.
    :param timeout: seconds per socket operation; :param deadline: seconds per request, retries included.
    """

    endpoints: StoreEndpoints
    live: str
    timeout: float = 60.0
    deadline: float = 600.0
    retries: int = 2
    backoff: float = 1.0
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
        self.put(self.staging, payload)
        report.seconds["put"] = time.monotonic() - started
        staged = self.count(self.staging)
        if staged != triples:
            self._drop_staging()
            raise PushError(
                f"staging graph {self.staging} holds {staged} triples, {triples} were sent: "
                f"live graph {self.live} left untouched"
            )
        self.update(f"COPY SILENT <{self.live}> TO <{self.previous}> ; MOVE <{self.staging}> TO <{self.live}>")
        live = self.count(self.live)
        if live != triples:
            self.update(f"COPY SILENT <{self.previous}> TO <{self.live}>")
            raise PushError(
                f"live graph holds {live} triples after the switch, not {triples}: restored {self.previous}"
            )
        report.seconds["total"] = time.monotonic() - started
        log.info(
            "pushed %d triples to %s in %.1f s (previous kept in %s)",
            triples,
            self.live,
            report.seconds["total"],
            self.previous,
        )
        return report

    def put(self, graph: str, payload: bytes) -> None:
        """GSP ``PUT`` (idempotent: retried on timeouts, 5xx and refused connections)."""
        url = f"{self.endpoints.store}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, data=payload, method="PUT", headers={"Content-Type": NTRIPLES})
        self._retrying(lambda: self._send(request, "PUT"), "PUT")

    def count(self, graph: str) -> int:
        """``COUNT(*)`` of the triples of ``graph`` (a read: retried by :class:`Endpoint`)."""
        endpoint = Endpoint(self.endpoints.query, timeout=self.timeout, deadline=self.deadline, retries=self.retries)
        table = endpoint.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", name="push-count"
        )
        cell = table.rows[0]["n"] if table.rows else None
        if cell is None:
            raise PushError(f"the count of {graph} came back empty")
        return int(cell.value)

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

    def _drop_staging(self) -> None:
        try:
            self.update(f"DROP SILENT GRAPH <{self.staging}>")
        except PushError as exc:
            log.warning("could not drop %s: %s", self.staging, exc)

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
        except Exception as exc:
            raise classify(exc, endpoint=request.full_url, query="push") from exc
        if status not in (200, 201, 204):
            raise EndpointHTTPError(
                f"{what} answered HTTP {status}", endpoint=request.full_url, query="push", status=status
            )
        log.debug("%s %s: HTTP %d", what, request.full_url, status)


def push(
    source: Path,
    *,
    endpoint: str,
    graph: str,
    endpoints: StoreEndpoints | None = None,
    timeout: float = 60.0,
    deadline: float = 600.0,
    retries: int = 2,
) -> PushReport:
    """Push the graph at ``source`` to the live named graph ``graph`` of the store at ``endpoint``.

    :param source: ``out/rncp.nt``, a Turtle file or a store folder.
    :param endpoint: the store's base URL (Oxigraph server layout), unless ``endpoints`` is given.
    :param graph: the IRI of the live named graph.
    :param timeout: seconds per socket operation; :param deadline: seconds per request.
    :param retries: retries of idempotent requests.
    """
    payload, triples = canonical_ntriples(source)
    pusher = Pusher(
        endpoints or StoreEndpoints.oxigraph(endpoint), graph, timeout=timeout, deadline=deadline, retries=retries
    )
    log.info("pushing %d triples from %s to %s (staging %s)", triples, source, graph, pusher.staging)
    return pusher.push(payload, triples)
