"""Which loader reads which file: one table, :data:`LOADERS`, and path expansion.

A new source format is one new module in ``loaders/`` and one row here.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import StructuralError
from ..loaders import csv_export, page, xml_export
from ..model import LoadResult

log = logging.getLogger(__name__)

#: Saved web pages: no loader reads them (pages are read as text copies, ``.txt``).
HTML_SUFFIXES = (".html", ".htm")
HTML_NOT_READ = (
    "saved HTML pages are not read: fiche pages are read as text copies (.txt) — "
    "copy the page's text from the browser into a .txt file"
)


@dataclass(frozen=True)
class Loader:
    name: str
    matches: Callable[[Path], bool]
    read: Callable[[Path], LoadResult]


def _suffix(*suffixes: str) -> Callable[[Path], bool]:
    return lambda path: path.is_file() and path.suffix.lower() in suffixes


#: Tried in order; the first loader whose ``matches`` accepts a path reads it.
#: The export loaders sniff: a ``.zip`` is read as XML or CSV by what it holds, and a folder
#: of ``export_fiches_CSV_*`` files is one source (so :func:`expand` does not list it).
LOADERS: list[Loader] = [
    Loader("xml", xml_export.matches, xml_export.read_xml),
    Loader("csv", csv_export.matches, csv_export.read_csv_export),
    Loader("page", _suffix(*page.SUFFIXES), page.read_page),
]


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files, folders (their readable files, sorted) and globs → a sorted list of sources."""
    found: set[Path] = set()
    for raw in paths:
        text = str(raw)
        # glob.glob, not Path.glob: the pattern may be absolute or contain ".." (Path.glob refuses both)
        matches = [Path(m) for m in glob.glob(text)] if glob.has_magic(text) else [Path(text)]  # noqa: PTH207
        if not matches:
            raise StructuralError("no file matches this pattern", file=text)
        for path in matches:
            found.update(_expand_one(path))
    return sorted(found)


def _expand_one(path: Path) -> list[Path]:
    if not path.exists():
        raise StructuralError("no such file or folder", file=str(path))
    if path.is_dir() and not any(loader.matches(path) for loader in LOADERS):
        return _folder(path)
    return [path]


def _folder(path: Path) -> list[Path]:
    """The readable files of a folder; saved HTML pages in it are named in a warning, not read."""
    entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
    skipped = [p.name for p in entries if p.is_file() and p.suffix.lower() in HTML_SUFFIXES]
    if skipped:
        log.warning("%s: %d file(s) skipped (%s): %s", path, len(skipped), ", ".join(skipped), HTML_NOT_READ)
    return [p for p in entries if loader_for(p, strict=False)]


def loader_for(path: Path, *, strict: bool = True) -> Loader | None:
    """The loader that reads ``path``; with ``strict``, a file no loader reads raises."""
    for loader in LOADERS:
        if loader.matches(path):
            return loader
    if strict:
        message = HTML_NOT_READ if path.suffix.lower() in HTML_SUFFIXES else "no loader reads this kind of file"
        raise StructuralError(message, file=str(path))
    return None
