"""A folder of validation results keyed by the content of what was validated.

The key of a unit is a SHA-256 over: the shapes and engines fingerprint
(:func:`~rncp_graph.validate.shapes.fingerprint`), the unit's kind and the nodes whose results it
gives, its sorted N-Triples lines,
and, for each ``xsd:date`` in those lines, whether it is before the as-of date (the only way
the as-of date can change a result). An unchanged fiche is therefore not validated again,
even on another day, unless one of its dates has just passed. Entries are small JSON files
written through a temp file and ``os.replace``; an unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from .per_fiche import Unit
from .report import Result

log = logging.getLogger(__name__)

_DATE = re.compile(r'"([0-9-]{10})"\^\^<http://www\.w3\.org/2001/XMLSchema#date>')


def unit_key(unit: Unit, *, fingerprint: str, as_of: date) -> str:
    """The cache key of ``unit`` validated on ``as_of`` with the shapes of ``fingerprint``."""
    digest = hashlib.sha256()
    digest.update(f"{fingerprint}\0{unit.kind}\0".encode())
    digest.update("\n".join(sorted(unit.full)).encode("utf-8") + b"\0")
    text = "\n".join(unit.lines)
    cutoff = as_of.isoformat()
    passed = "".join("1" if d < cutoff else "0" for d in _DATE.findall(text))
    digest.update(passed.encode() + b"\0")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


class ResultCache:
    """Results of units by key, in ``folder`` (nothing is stored when ``folder`` is None).

    :param folder: the cache folder (created when first written), e.g. ``out/.shacl-cache``.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Result] | None:
        """The cached results of a unit, or None."""
        if self.folder is None:
            self.misses += 1
            return None
        try:
            rows = json.loads(self._path(key).read_text(encoding="utf-8"))
            results = [Result.from_dict(row) for row in rows]
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("unreadable validation cache entry %s (%s); validating again", key, exc)
            self.misses += 1
            return None
        self.hits += 1
        return results

    def put(self, key: str, results: list[Result]) -> None:
        """Store the results of a unit (no-op without a folder)."""
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps([r.as_dict() for r in results], ensure_ascii=False).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
