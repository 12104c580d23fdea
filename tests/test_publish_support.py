"""Helpers shared by the ``test_publish*`` modules (no tests here).

The release of the sample fiches is the session fixture ``release`` (``conftest.py``);
:func:`deny_remote_urls` makes "no network" a hard assertion for
code that goes through ``urllib`` (rdflib's JSON-LD context loading, pyshacl).
"""

from __future__ import annotations

import contextlib
import hashlib
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from rncp_graph.exports.dcat import ReleaseMetadata

#: the metadata the shared release is published with
META = ReleaseMetadata(publisher_name="Équipe rncp-graph (tests)", modified=date(2026, 11, 1))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sums(folder: Path) -> dict[str, str]:
    """``SHA256SUMS`` as path → digest (and a check that it is in ``sha256sum`` format, sorted)."""
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("  ", 1) for line in lines]
    assert all(len(digest) == 64 and len(pair) == 2 for pair in pairs for digest in pair[:1]), lines
    assert [path for _digest, path in pairs] == sorted(path for _digest, path in pairs)
    return {path: digest for digest, path in pairs}


def release_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class _DenyRemote(urllib.request.BaseHandler):
    """Refuses every URL but ``file:`` before any other handler runs (``default_open``, order 0)."""

    handler_order = 0

    def default_open(self, req: urllib.request.Request) -> Any:
        if req.type != "file":
            raise urllib.error.URLError(f"network access refused in tests: {req.full_url}")
        return None


@contextlib.contextmanager
def deny_remote_urls() -> Iterator[None]:
    """Install a urllib opener that refuses every non-``file:`` URL (reliability.md §2.1, M2)."""
    urllib.request.install_opener(urllib.request.build_opener(_DenyRemote()))
    try:
        yield
    finally:
        urllib.request.install_opener(None)  # type: ignore[arg-type]
