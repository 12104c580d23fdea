"""Reading and mapping a large XML export in worker processes, range of ``FICHE`` elements by range.

The national export is one file of tens of thousands of ``FICHE`` elements. Reading (lxml) and mapping
(Python) are the build's largest cost in one process; :func:`plan` cuts the file at ``<FICHE``
tags into ranges of ~:data:`RANGE_BYTES`, and forked worker processes each parse one range as
a small document of its own — the file's prolog, newlines up to the range's first line (so line
numbers in problems are those of the file), the root start tag, the range, the root end tag —
with the same hardened parser and the same code as
:func:`~rncp_graph.loaders.xml_export.read_xml`. Each worker returns the N-Triples of each fiche
and the problems met; the parent loads the ranges in file order while the workers go on, so
memory stays flat in the number of fiches. A ``.zip`` export's XML member is first streamed
into a temporary file (:func:`plain_xml`).

The outcome is the one the sequential reader gives (the tests compare both): same fiches, same
triples, same problems in the same order. Whatever a range cannot settle alone falls back to
the sequential reader for the whole file (:class:`Fallback`): a range that does not parse (a
damaged file, or a ``<FICHE`` inside a comment or CDATA section), a fiche number repeated in
two ranges (the sequential reader keeps the first and lists the differing fields), or no
fiche at all (it raises :class:`~rncp_graph.errors.EmptyInput`).
"""

from __future__ import annotations

import logging
import mmap
import multiprocessing
import os
import re
import shutil
import signal
import sys
from collections import Counter
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from tqdm import tqdm

from ..errors import StructuralError
from ..loaders import xml_export
from ..loaders.export_common import SourceLog
from ..mapping import bounded, fiches_to_ntriples
from ..mapping.parts import Described
from ..model import LoadResult, Problem
from ..processes import die_with_parent, owned_folder, terminating
from .merge import FicheFacts, facts_of

log = logging.getLogger(__name__)

#: Bytes of XML per range (~500 generated fiches): small enough for flat memory and a steady
#: flow to the parent, large enough that the per-range cost (a process round trip) is noise.
RANGE_BYTES = 8 << 20
#: Files smaller than this are read in the parent (worker start-up would cost more than it saves).
MIN_BYTES = 16 << 20
#: At most this many workers: beyond, this process's Oxigraph load is the bottleneck (see the CPU
#: of each part in ``benchmarks/README.md``), and each more worker holds ranges.
MAX_WORKERS = 4

_FICHE_TAG = re.compile(rb"<FICHE[\s/>]")
_ENCODING = re.compile(rb"""^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: encodings in which ``<FICHE`` is these bytes wherever it occurs (ASCII-compatible)
_ASCII_COMPATIBLE = re.compile(r"(utf-?8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d|cp125\d)", re.IGNORECASE)


class Fallback(Exception):
    """The ranges cannot give the sequential reader's outcome; read the file sequentially."""


@dataclass(frozen=True)
class Range:
    """One range of the file and how to make it a document of its own."""

    index: int
    path: str
    label: str
    start: int
    end: int
    #: bytes put before the range: the prolog and root start tag (empty for the first range)
    head: bytes
    #: where the root start tag begins in ``head``
    root_at: int
    #: newlines put before the root start tag so the range's first byte is on its line of the
    #: file (in the prolog, where whitespace is no text node: libxml2 refuses a text node over
    #: 10 MB, and an export of 10 M lines would need as many newlines)
    pad: int
    #: bytes put after the range: the root end tag (empty for the last range)
    tail: bytes


@dataclass
class RangeResult:
    """What a worker returns for one range."""

    index: int
    #: the N-Triples of the range's fiches, each shared node described once (and not at all
    #: when the worker described it for an earlier range: :func:`~rncp_graph.mapping.bounded`)
    ntriples: bytes = b""
    facts: list[FicheFacts] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repairs: Counter[str] = field(default_factory=Counter)
    met: Counter[str] = field(default_factory=Counter)
    quarantined: int = 0
    elements: int = 0
    duplicates: int = 0
    version: str | None = None


@dataclass
class Plan:
    ranges: list[Range]
    size: int
    label: str


def available() -> bool:
    """Whether worker processes can be forked here: Linux only (on macOS, fork is unsafe with
    the system libraries; Windows has no fork).

    Fork, not spawn: a spawned worker imports the caller's ``__main__`` again, which runs a
    user's unguarded script a second time. A forked worker runs nothing but :func:`read_range`,
    which never touches the parent's Oxigraph store.
    """
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def plan(
    path: Path, range_bytes: int | None = None, min_bytes: int | None = None, *, label: str | None = None
) -> Plan | None:
    """Cut a plain ``.xml`` export into ranges at ``<FICHE`` tags.

    ``None`` when the file is better read sequentially: smaller than ``min_bytes`` (default
    :data:`MIN_BYTES`), not a ``.xml`` file (a ``.zip`` goes through :func:`plain_xml` first),
    workers cannot be forked here, or it cannot be cut safely (not an ASCII-compatible
    encoding, no ``FICHES`` root, no fiche) — the sequential reader then reads it and says
    what is wrong, if anything.

    :param label: the name problems are reported under (default: the file name).
    """
    range_bytes = range_bytes or RANGE_BYTES
    if not available() or path.suffix.lower() != ".xml" or not path.is_file():
        return None
    label = label or path.name
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        if size == 0 or size < (MIN_BYTES if min_bytes is None else min_bytes):
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            head = data[: xml_export.MAX_PROLOG]
            xml_export.check_prolog(head, label)  # refuses a DOCTYPE before any worker starts
            if not _ascii_compatible(head):
                return None
            root = xml_export._ROOT_START.search(head)
            if root is None or not head.startswith(b"<" + xml_export.ROOT.encode(), root.start()):
                return None
            root_end = _tag_end(head, root.start())
            if root_end is None:
                return None
            root_open = head[: root_end + 1]
            closing = b"</" + xml_export.ROOT.encode() + b">"
            starts = _fiche_starts(data, root_end + 1, range_bytes)
            if not starts:
                return None
            bounds = [0, *starts[1:], size]
            ranges = []
            line = 1
            for index in range(len(bounds) - 1):
                start, end = bounds[index], bounds[index + 1]
                first = index == 0
                last = index == len(bounds) - 2
                head_bytes = b"" if first else root_open
                pad = 0 if first else line - 1 - root_open.count(b"\n")
                tail = b"" if last else closing
                ranges.append(Range(index, str(path), label, start, end, head_bytes, root.start(), pad, tail))
                line += data[start:end].count(b"\n")
    return Plan(ranges, size, label)


def _ascii_compatible(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00")):
        return False
    declared = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    return declared is None or bool(_ASCII_COMPATIBLE.fullmatch(declared.group(1).decode("ascii")))


def _tag_end(data: bytes, start: int) -> int | None:
    """The offset of the ``>`` closing the start tag at ``start`` (quotes respected)."""
    quote = None
    for offset in range(start, len(data)):
        char = data[offset : offset + 1]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in (b'"', b"'"):
            quote = char
        elif char == b">":
            return offset
    return None


def _fiche_starts(data: mmap.mmap, offset: int, range_bytes: int) -> list[int]:
    """Offsets of the ``<FICHE`` tags that start the ranges: the first one, then the first
    after each ``range_bytes``."""
    starts: list[int] = []
    position = offset
    while True:
        found = _FICHE_TAG.search(data, position)
        if found is None:
            return starts
        starts.append(found.start())
        position = found.start() + range_bytes


def read_range(task: Range) -> RangeResult:
    """Parse and map one range (in a worker process)."""
    with open(task.path, "rb") as handle:  # noqa: PTH123 - a worker reads its own bytes
        handle.seek(task.start)
        body = handle.read(task.end - task.start)
    prolog, root_tag = task.head[: task.root_at], task.head[task.root_at :]
    document = b"".join((prolog, b"\n" * task.pad, root_tag, body, task.tail))
    del body
    report = SourceLog(task.label)
    try:
        parsed = xml_export._parse(BytesIO(document), report, task.label, progress=False)
    except StructuralError as exc:
        raise Fallback(f"range {task.index} does not parse alone: {exc}") from None
    result = RangeResult(task.index, version=parsed.version)
    # a worker describes a shared node in the first of its ranges that meets it (see bounded)
    result.ntriples = fiches_to_ntriples(parsed.fiches, bounded(_described if _described is not None else set()))
    result.facts = [facts_of(fiche) for fiche in parsed.fiches]
    result.problems = report.problems
    result.repairs = Counter(report.repairs)
    result.met = report.met
    result.quarantined = report.quarantined
    result.elements = parsed.elements
    result.duplicates = parsed.duplicates
    return result


class ParallelRead:
    """Read and map an XML export in ``jobs`` worker processes (see the module docstring).

    Iterate :meth:`chunks` for the N-Triples of the fiches, in file order; then :attr:`result`
    holds the :class:`LoadResult` (with :attr:`facts` in place of fiche objects: they are not
    kept, so memory stays flat). :meth:`chunks` raises :class:`Fallback` when the file must be
    read sequentially.
    """

    def __init__(
        self, path: Path, layout: Plan, *, jobs: int, progress: bool = False, source: Path | None = None
    ) -> None:
        self.path = path
        #: the file the user gave (a ``.zip`` whose member was extracted to ``path``)
        self.source = source or path
        #: the export date the file name (or the zip member's) tells, as the sequential reader reads it
        self.export_date = xml_export.export_date(layout.label, self.source)
        self.layout = layout
        self.jobs = max(1, min(jobs, MAX_WORKERS))
        self.progress = progress
        self.facts: list[FicheFacts] = []
        self.result: LoadResult | None = None

    def chunks(self) -> Generator[bytes, None, None]:
        report = SourceLog(self.layout.label)
        seen: set[str] = set()
        version: str | None = None
        elements = duplicates = 0
        bar = tqdm(total=self.layout.size, desc=report.file, unit="B", unit_scale=True, disable=not self.progress)
        context = multiprocessing.get_context("fork")
        # Ctrl-C reaches the workers too: they ignore it, this process stops them; they die with it
        pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))
        try:
            for done in _in_order(pool, self.layout.ranges, ahead=2 * self.jobs):
                report.absorb(done.problems, done.repairs, done.quarantined, done.met)
                for fact in done.facts:
                    if fact.number in seen:
                        raise Fallback(f"fiche {fact.number} is given in two ranges")
                    seen.add(fact.number)
                elements += done.elements
                duplicates += done.duplicates
                version = done.version if done.version is not None else version  # the last one, as in one process
                self.facts.extend(done.facts)
                bar.update(self.layout.ranges[done.index].end - self.layout.ranges[done.index].start)
                yield done.ntriples
        except BaseException:
            if terminating.is_set():  # SIGTERM (processes.exit_on_sigterm): no range is awaited
                _terminate_workers(pool)
            raise
        finally:
            # also when this generator is closed early (the load failed): nothing left running
            pool.shutdown(wait=True, cancel_futures=True)
            bar.close()
        if not self.facts and not report.quarantined:  # the sequential reader raises EmptyInput
            raise Fallback("no fiche in the file")
        counts = (len(self.facts), elements, duplicates)
        self.result = xml_export.finish(report, self.source, [], counts=counts, version=version)


@contextmanager
def plain_xml(path: Path, min_bytes: int | None = None) -> Iterator[tuple[Path, str] | None]:
    """A plain XML file for ``path`` and the name problems are reported under, or ``None``
    (then read ``path`` sequentially).

    A ``.xml`` file is itself. The XML member of a ``.zip`` export (checked as the sequential
    reader checks it: exactly one member, its size limit) is decompressed, streamed, into a
    temporary folder removed afterwards — when it is large enough to be worth it. The folder is
    made where ``TMPDIR`` says (:func:`tempfile.gettempdir`): point it at a disk, not a RAM
    file system, for a national export (hundreds of megabytes).
    """
    if path.suffix.lower() != ".zip":
        yield (path, path.name)
        return
    with xml_export.member_of(path) as (info, open_member, label):
        if info.file_size < (MIN_BYTES if min_bytes is None else min_bytes):
            yield None
            return
        with owned_folder("rncp-graph-member-") as folder:  # also removes those of a build killed by kill -9
            plain = folder / "member.xml"
            with open_member() as member, plain.open("wb") as handle:
                shutil.copyfileobj(member, handle, 1 << 20)
            yield (plain, label)


#: in a worker process: the shared nodes its earlier ranges described (None in the parent)
_described: Described | None = None


def _start_worker(parent: int) -> None:
    """In a new worker: Ctrl-C is the parent's to handle, and the worker is killed when the
    parent dies, even by ``kill -9`` (else it would stay, blocked on its result pipe)."""
    global _described  # noqa: PLW0603 - one per worker process, set when it starts
    _described = set()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler (processes.exit_on_sigterm)
    die_with_parent(parent)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now rather than after their current range (seconds at 8 MB a range)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    processes = getattr(pool, "_processes", None) or {}  # before 3.14: the executor's own table
    for process in list(processes.values()):
        process.terminate()


def _in_order(pool: ProcessPoolExecutor, ranges: list[Range], ahead: int) -> Iterator[RangeResult]:
    """Results in range order, at most ``ahead`` ranges submitted and not yet consumed."""
    pending: dict[int, Future[RangeResult]] = {}
    submitted = 0
    for index in range(len(ranges)):
        while submitted < len(ranges) and submitted < index + ahead:
            pending[submitted] = pool.submit(read_range, ranges[submitted])
            submitted += 1
        try:
            yield pending.pop(index).result()
        except BaseException:
            for future in pending.values():
                future.cancel()
            raise
