"""The official XML export of France Compétences (flux v4.1): ``FICHES/VERSION_FLUX`` then ``FICHE``\\*.

:func:`read_xml` reads a plain ``.xml`` file or a ``.zip`` holding one XML file. It streams
the document with :func:`lxml.etree.iterparse`, maps each ``FICHE`` when it ends and then
clears it, so memory stays flat in the number of fiches; the whole document is parsed before
anything is returned, so a damaged file never yields a partial result.

Hardening (``docs/reliability.md`` §2.3, §4 #4–#12): any ``<!DOCTYPE`` or other declaration
before the root element is refused from the first bytes, before the parser runs (no entity
expansion, no DTD, no network); the parser itself runs with ``resolve_entities=False``,
``no_network=True``, ``load_dtd=False``, ``huge_tree=False`` (depth ≤ 256, text nodes ≤ 10 MB).
Every refusal or syntax error is a :class:`~rncp_graph.errors.StructuralError` naming the file,
the line and column, and the last fiche number read.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from lxml import etree
from tqdm import tqdm

from ..errors import EmptyInput, StructuralError
from ..model import Fiche, LoadResult, ProblemAction, ProblemSeverity
from .export_common import SourceLog, export_date_from_name, member_name, open_zip, zip_kind
from .xml_context import Element, line_of
from .xml_fields import fiche_from_element
from .zip_limits import check_member_size, open_member

log = logging.getLogger(__name__)

SUFFIXES = (".xml",)
EXPECTED_VERSION = "4.1"
ROOT = "FICHES"
#: how far into the file the root element must start (the prolog is read and checked first)
MAX_PROLOG = 1 << 20
#: a zip member larger than this is refused (zip bomb): twice the largest generated export
#: (richer than the real one, benchmarks/README.md), checked on its header and while decompressing
MAX_MEMBER_SIZE = 1 << 30
PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DECLARATION = re.compile(rb"<!(?!--)")
_COMMENT_OR_PI = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)
_NOT_NEWLINE = re.compile(rb"[^\n]")

Opener = Callable[[], IO[bytes]]


def matches(path: Path) -> bool:
    """A ``.xml`` file, or a ``.zip`` holding XML and no CSV export."""
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    return suffix in SUFFIXES or (suffix == ".zip" and zip_kind(path) == "xml")


def read_xml(path: Path, *, progress: bool = False) -> LoadResult:
    """Read every fiche of an XML export.

    :param path: an ``.xml`` file or a ``.zip`` holding exactly one ``.xml`` file.
    :param progress: show a progress bar (fiches read).
    :raises EmptyInput: the file (or the zip member) is empty, or holds only a BOM or whitespace.
    :raises StructuralError: not well-formed, truncated, a DOCTYPE or entity declaration, too
        deep, a text node too large, wrong encoding, or not a ``FICHES`` document.
    """
    with _opener(path) as (open_stream, label):
        with open_stream() as head:
            check_prolog(head.read(MAX_PROLOG), label)
        report = SourceLog(label)
        with open_stream() as stream:
            parsed = _parse(stream, report, label, progress)
    counts = (len(parsed.fiches), parsed.elements, parsed.duplicates)
    return finish(report, path, parsed.fiches, counts=counts, version=parsed.version)


def finish(
    report: SourceLog, source: Path, fiches: list[Fiche], *, counts: tuple[int, int, int], version: str | None
) -> LoadResult:
    """The end of reading an export, in one process or range by range (:mod:`.xml_parallel`):
    the version checked, the counts reconciled, the summary logged.

    :param fiches: the fiche objects kept (none when read by workers).
    :param counts: fiches loaded, ``FICHE`` elements met, fiches given twice.
    """
    loaded, elements, duplicates = counts
    _check_version(version, report)
    if elements != loaded + report.quarantined + duplicates:  # pragma: no cover
        raise StructuralError(
            "fiche counts do not reconcile (elements ≠ loaded + quarantined + repeated)", file=report.file
        )
    report.log_summary(log, loaded, report.quarantined)
    return LoadResult(
        source=str(source),
        fiches=fiches,
        problems=report.problems,
        quarantined=report.quarantined,
        repairs=dict(report.repairs),
        export_date=export_date(report.file, source),
        loader="xml",
        met=dict(report.met),
    )


def export_date(label: str, source: Path) -> date | None:
    """The export date the member's name (``label``) or else the file's name tells."""
    return export_date_from_name(label) or export_date_from_name(source.name)


@contextmanager
def _opener(path: Path) -> Iterator[tuple[Opener, str]]:
    """A way to open the XML bytes (twice: the prolog check, then the parse) and the name to report."""
    if path.suffix.lower() != ".zip":
        yield (lambda: path.open("rb")), path.name
        return
    with member_of(path) as (_, open_member, label):
        yield open_member, label


@contextmanager
def member_of(path: Path) -> Iterator[tuple[zipfile.ZipInfo, Opener, str]]:
    """The one XML member of a ``.zip`` export: its entry, a way to open it, the name to report.

    :raises StructuralError: not exactly one ``.xml`` member, or a member over the size or
        compression-ratio limits (:func:`~.zip_limits.open_member`), before or while reading.
    """
    with open_zip(path) as archive:
        members = [i for i in archive.infolist() if not i.is_dir() and member_name(i).lower().endswith(".xml")]
        if len(members) != 1:
            raise StructuralError(f"a zip export must hold exactly one .xml file, found {len(members)}", file=path.name)
        info = members[0]
        check_member_size(info, path, MAX_MEMBER_SIZE)
        yield info, (lambda: open_member(archive, info, path, MAX_MEMBER_SIZE)), f"{path.name}/{member_name(info)}"


def check_prolog(head: bytes, label: str) -> None:
    """Refuse an empty document and any declaration (``<!DOCTYPE``, ``<!ENTITY``) before the root element.

    :raises EmptyInput: nothing but a BOM or whitespace.
    :raises StructuralError: a declaration, or no root element within :data:`MAX_PROLOG` bytes.
    """
    body = head
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    if not body.strip(b" \t\r\n\x00"):
        raise EmptyInput("empty XML file (nothing but a BOM or whitespace)", file=label)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        body = head.decode("utf-16", errors="replace").encode("ascii", errors="replace")
    # comments and processing instructions blanked (newlines kept): a "<FICHES>" inside a
    # comment is not the root, and a DOCTYPE after it is still found
    body = _COMMENT_OR_PI.sub(lambda m: _NOT_NEWLINE.sub(b" ", m.group()), body)
    start = _ROOT_START.search(body)
    prolog = body[: start.start()] if start else body
    declaration = _DECLARATION.search(prolog)
    if declaration:
        line = prolog.count(b"\n", 0, declaration.start()) + 1
        raise StructuralError(
            "DOCTYPE or entity declarations are refused in an export (entity expansion, external DTD)",
            file=label,
            line=line,
            value=prolog[declaration.start() : declaration.start() + 40].decode("ascii", errors="replace"),
        )
    if start is None:
        raise StructuralError(f"no root element in the first {len(head)} bytes", file=label)


@dataclass
class _Parsed:
    fiches: list[Fiche] = field(default_factory=list)
    version: str | None = None
    elements: int = 0
    duplicates: int = 0
    current: str | None = None  # the last NUMERO_FICHE seen, to name it in a syntax error
    lines: dict[str, int | None] = field(default_factory=dict)  # fiche number → line of its FICHE


def _parse(stream: IO[bytes], report: SourceLog, label: str, progress: bool) -> _Parsed:
    """Stream the document; map each ``FICHE`` at its end and release it."""
    parsed = _Parsed()
    depth = 0
    bar = tqdm(desc=label, unit="fiche", disable=not progress, leave=False)
    context = etree.iterparse(stream, events=("start", "end"), **PARSER_OPTIONS)
    try:
        for event, el in context:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_root(el, label)
                continue
            depth -= 1
            if depth == 2 and el.tag == "NUMERO_FICHE":
                parsed.current = (el.text or "").strip()
            elif depth == 1:
                _top_level(el, parsed, report)
                bar.update(el.tag == "FICHE")
                _release(el)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, label, parsed.current) from None
    finally:
        bar.close()
    return parsed


def _check_root(root: Element, label: str) -> None:
    if getattr(root.getroottree().docinfo, "doctype", None):
        raise StructuralError("DOCTYPE declarations are refused in an export", file=label)
    if root.tag != ROOT:
        raise StructuralError(
            f"not a France Compétences XML export: root element {root.tag}, expected {ROOT}", file=label
        )


def _top_level(el: Element, parsed: _Parsed, report: SourceLog) -> None:
    if el.tag == "FICHE":
        parsed.elements += 1
        fiche = fiche_from_element(el, report)
        if fiche is not None:
            _add_fiche(fiche, line_of(el), parsed, report)
    elif el.tag == "VERSION_FLUX":
        parsed.version = (el.text or "").strip()
    elif isinstance(el.tag, str):
        report.met[f"{ROOT}/{el.tag}"] += 1
        report.unknown_element(el.tag, fiche=None, line=line_of(el))


def _add_fiche(fiche: Fiche, line: int | None, parsed: _Parsed, report: SourceLog) -> None:
    """Keep a fiche; a number given twice is merged when identical, else reported (the first is kept)."""
    if fiche.number not in parsed.lines:
        parsed.lines[fiche.number] = line
        parsed.fiches.append(fiche)
        return
    parsed.duplicates += 1
    report.repairs["duplicate-fiche"] += 1
    first = next(f for f in parsed.fiches if f.number == fiche.number)
    if first != fiche:
        differing = sorted(k for k in vars(fiche) if getattr(first, k) != getattr(fiche, k))
        report.add(
            "duplicate-fiche",
            f"fiche {fiche.number} given again at line {line} (first at line {parsed.lines[fiche.number]}) "
            f"with different {', '.join(differing)}; the first is kept",
            fiche=fiche.number,
            field=", ".join(differing),
            line=line,
            action=ProblemAction.DROPPED_FICHE,
        )


def _release(el: Element) -> None:
    """Free a finished child of the root: clear it and detach it (flat memory)."""
    el.clear()  # keep_tail=False: the whitespace after it goes too
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _check_version(version: str | None, report: SourceLog) -> None:
    if version != EXPECTED_VERSION:
        report.add(
            "unexpected-version",
            f"VERSION_FLUX is {version!r}; this loader reads flux {EXPECTED_VERSION}",
            field="VERSION_FLUX",
            value=version,
            severity=ProblemSeverity.WARNING,
            action=ProblemAction.KEPT,
        )


def _syntax_error(exc: etree.XMLSyntaxError, label: str, fiche: str | None) -> StructuralError:
    line, column = exc.position if exc.position else (exc.lineno, 0)
    message = exc.msg or str(exc)
    where = f" (last fiche number read: {fiche})" if fiche else ""
    return StructuralError(
        f"XML not well-formed at line {line}, column {column}: {message}{where}", file=label, line=line, fiche=fiche
    )
