"""A time limit on local queries (Oxigraph and rdflib), which have none of their own.

pyoxigraph 0.5.13 takes no timeout and no cancellation token from Python, and a query's
work happens in Rust, in two places: ``Store.query()`` itself evaluates what must be
complete before the first row (an aggregate, ``ORDER BY``, ``ASK``), and each ``next()`` on
the results computes the following row (a join, a cross product). Both release the GIL.
So a query is bounded in two ways:

* the call runs in a worker thread (a daemon, reused by the next query once free), and the
  caller stops waiting at the deadline (:func:`bounded`): it gets :class:`QueryTimeoutError`
  on time, whatever the query;
* between rows, the worker (or the caller's loop, :class:`BoundedRows`) checks the deadline
  and stops pulling rows: a query that yields rows (a cross product) ends there, at once.

The limit (measured, README "Query time limit"): a query that computes for long before its
first row (``COUNT(*)`` over a cross product) cannot be interrupted inside Oxigraph. The
caller is freed at the deadline, but the worker thread keeps one core busy until Oxigraph
returns; the command-line tools exit, which ends it. rdflib's evaluator (pure Python) is
bounded the same way.

The default limit is :data:`DEFAULT_TIMEOUT_S` seconds, or the environment variable
:data:`TIMEOUT_ENV` (seconds; ``0`` or ``none`` for no limit).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import QueryError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: seconds a local query may take, unless :data:`TIMEOUT_ENV` or the caller says otherwise
DEFAULT_TIMEOUT_S = 120.0
TIMEOUT_ENV = "RNCP_GRAPH_QUERY_TIMEOUT"


class QueryTimeoutError(QueryError):
    """A local query did not finish within its time limit."""


def default_timeout() -> float | None:
    """:data:`TIMEOUT_ENV` if set (``0`` / ``none``: no limit), else :data:`DEFAULT_TIMEOUT_S`."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip().lower()
    if not raw:
        return DEFAULT_TIMEOUT_S
    if raw in {"0", "none", "off"}:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise QueryError(f"{TIMEOUT_ENV} must be a number of seconds (or 'none'), not {raw!r}") from None
    return value if value > 0 else None


def bounded(work: Callable[[Callable[[], bool]], T], *, timeout: float | None, name: str) -> T:
    """``work(stopped)`` in a worker thread, waited for at most ``timeout`` seconds.

    ``work`` should call ``stopped()`` between rows and return early when it is true.

    :raises QueryTimeoutError: the deadline passed (the worker is told to stop).
    """
    if timeout is None:
        return work(lambda: False)
    stop = threading.Event()
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def job() -> None:
        try:
            outcome["value"] = work(stop.is_set)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
        finally:
            done.set()

    _Worker.take().jobs.put(job)
    if not done.wait(timeout):
        stop.set()
        log.info("query %s: stopped waiting after %g s", name, timeout)
        raise timeout_error(name, timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


class _Worker:
    """A daemon thread running queries one at a time, kept for the next query when it is free.

    Handing a query to a waiting thread costs far less than starting one, and validation runs
    thousands of small queries (benchmarks/README.md). Daemon threads: a process that
    gave up waiting for a query exits without waiting for it either.
    """

    idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="rncp-graph query", daemon=True).start()

    @classmethod
    def take(cls) -> _Worker:
        try:
            return cls.idle.get_nowait()
        except queue.Empty:
            return cls()

    def _loop(self) -> None:
        while True:
            self.jobs.get()()
            _Worker.idle.put(self)  # only once its query has ended, stopped or not


def _forget_workers() -> None:
    """In a forked child, the parent's workers are gone: start afresh."""
    _Worker.idle = queue.SimpleQueue()


os.register_at_fork(after_in_child=_forget_workers)


def timeout_error(name: str, timeout: float) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"query {name}: no complete answer within {timeout:g} s; narrow the query, or raise the limit "
        f"(--deadline, or {TIMEOUT_ENV}=seconds)"
    )


def rows_until(rows: Iterator[T], stopped: Callable[[], bool], convert: Callable[[T], Any]) -> list[Any]:
    """``convert`` each row until there are none or ``stopped()`` (then the list is cut short,
    and the caller, who stopped waiting, never sees it).

    pyoxigraph's results must be freed by the thread that made them: an error raised here
    reaches the caller's thread with this frame in its traceback, so the frame lets go of them
    first."""
    out = []
    row: T | None = None
    try:
        for row in rows:
            if stopped():
                break
            out.append(convert(row))
    finally:
        del rows, row
    return out


class BoundedRows:
    """Lazy query results that raise :class:`QueryTimeoutError` when a row comes after the deadline.

    Iterating is what runs most of a query in Oxigraph: the deadline covers it, and the time
    the caller spends on each row.
    """

    def __init__(self, results: Any, *, deadline: float, timeout: float, name: str) -> None:
        self._results = results
        self._deadline, self._timeout, self._name = deadline, timeout, name

    def __getattr__(self, attribute: str) -> Any:  # ``variables`` and the rest of pyoxigraph's API
        return getattr(self._results, attribute)

    def __iter__(self) -> Iterator[Any]:
        for row in self._results:
            if time.monotonic() > self._deadline:
                raise timeout_error(self._name, self._timeout)
            yield row
