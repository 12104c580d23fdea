"""The saved queries' allow-list verdicts, kept between runs: a query file is parsed once per text.

:func:`~rncp_graph.queries.safety.check_query` parses a text with rdflib's pyparsing parser,
slowly: for every saved query, most of a ``rncp-graph query`` call (benchmarks/README.md). A saved query's text
that passed is recorded here by the SHA-256 of the package version, rdflib's version and the
text; the next process finds the hash, takes the projected variables from the record and
vouches for the text (:func:`rncp_graph.sparql_guard.vouch`) without parsing it. A changed
file is a new text, so a new hash: checked again. Only passes are recorded, and only for saved
queries (:mod:`.catalogue`): an ad-hoc text (``rncp-graph sparql``) is always parsed.

The file is ``$XDG_CACHE_HOME/rncp-graph/query-verdicts.json`` (default ``~/.cache``,
:mod:`rncp_graph.user_cache`). A missing, unreadable, corrupt or unwritable file is never an
error: the texts are checked, as with no cache. ``RNCP_GRAPH_NO_CACHE=1`` turns the file off.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path

import rdflib

from .. import user_cache
from ..__about__ import __version__
from ..sparql_guard import vouch
from .safety import check_query, projected_variables

log = logging.getLogger(__name__)

CACHE_FILE = "query-verdicts.json"
NO_CACHE_ENV = user_cache.NO_CACHE_ENV
#: at most this many texts are kept (the oldest dropped first): the file stays small
MAX_ENTRIES = 2000


def cache_path() -> Path | None:
    """Where the verdicts are kept; None when :data:`NO_CACHE_ENV` is set."""
    return user_cache.cache_file(CACHE_FILE)


def checked_columns(text: str, *, name: str) -> list[str]:
    """The projected variables of ``text``, a saved query that passes the allow-list; from the
    cache when its hash is there, else by :func:`check_query` (then recorded).

    :raises UnsafeQueryError, QueryError: as :func:`check_query` (a refusal is not recorded).
    """
    key = text_hash(text)
    entries = _read()
    columns = entries.get(key)
    if columns is not None:
        vouch(text)
        return list(columns)
    columns = projected_variables(check_query(text, name=name))
    entries[key] = columns
    user_cache.write_records(cache_path(), entries, keep=MAX_ENTRIES)
    return columns


def text_hash(text: str) -> str:
    """The key of a text: SHA-256 of this package's version, rdflib's and the text."""
    salt = f"rncp-graph {__version__}\0rdflib {rdflib.__version__}\0"
    return hashlib.sha256((salt + text).encode("utf-8")).hexdigest()


@cache
def _read() -> dict[str, list[str]]:
    """The recorded verdicts (read once per process); empty when the file is absent or unusable."""
    return {k: v for k, v in user_cache.read_records(cache_path()).items() if _valid(k, v)}


def _valid(key: object, value: object) -> bool:
    return (
        isinstance(key, str) and len(key) == 64 and isinstance(value, list) and all(isinstance(c, str) for c in value)
    )
