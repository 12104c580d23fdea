"""Small records kept between runs in the user's cache folder; never required.

The folder is ``$XDG_CACHE_HOME/rncp-graph`` (default ``~/.cache/rncp-graph``); each kind of
record is one JSON object in one file, mapping a key (a hash naming what the record is about)
to a value. A missing, unreadable, corrupt or unwritable file is never an error: the caller
computes what the record would have held, as with no cache. ``RNCP_GRAPH_NO_CACHE=1`` turns
every record off. Users: the saved queries' allow-list verdicts (:mod:`rncp_graph.queries.verdicts`)
and the counts ``rncp-graph info`` prints (:mod:`rncp_graph.info`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NO_CACHE_ENV = "RNCP_GRAPH_NO_CACHE"


def cache_file(name: str) -> Path | None:
    """Where the records called ``name`` are kept; None when :data:`NO_CACHE_ENV` is set."""
    if os.environ.get(NO_CACHE_ENV):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rncp-graph" / name


def read_records(path: Path | None) -> dict[str, Any]:
    """The records of ``path``; empty when there is none, or the file is unusable (logged at debug)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.debug("cache: ignoring %s (%s)", path, exc)
        return {}
    if not isinstance(data, dict):
        log.debug("cache: ignoring %s (not an object)", path)
        return {}
    return data


def write_records(path: Path | None, records: Mapping[str, Any], *, keep: int) -> None:
    """Replace ``path`` atomically with the last ``keep`` of ``records`` (insertion order); any
    failure (read-only home, full disk) is only logged."""
    if path is None:
        return
    kept = dict(list(records.items())[-keep:])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    except OSError as exc:
        log.debug("cache: cannot write in %s (%s)", path.parent, exc)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(kept, out, separators=(",", ":"))
        Path(temporary).replace(path)
    except OSError as exc:
        log.debug("cache: cannot write %s (%s)", path, exc)
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
