"""What changed between two exports of the register: built on the loaders, no RDF needed.

:func:`diff_exports` reads two sets of sources (XML or CSV exports, or anything a loader of
:mod:`rncp_graph.pipeline.sources` reads) and compares them fiche by fiche: fiches that appeared or
disappeared, and for fiches on both sides a changed status, level or title, ROME codes
added or removed, blocks added, removed or retitled. :func:`diff_fiches` is the pure part.
:data:`FORMATS` renders an :class:`ExportDiff` as text or JSON (the CLI's ``--format``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StructuralError
from ..model import Fiche
from .sources import expand, loader_for

log = logging.getLogger(__name__)

__all__ = ["FORMATS", "ExportDiff", "FicheChange", "diff_exports", "diff_fiches", "fiche_change"]


@dataclass(frozen=True)
class FicheChange:
    """How one fiche differs between the old and the new export (``None`` / empty = unchanged)."""

    number: str
    status: tuple[str | None, str | None] | None = None
    level: tuple[int | None, int | None] | None = None
    title: tuple[str | None, str | None] | None = None
    rome_added: tuple[str, ...] = ()
    rome_removed: tuple[str, ...] = ()
    blocks_added: tuple[str, ...] = ()
    blocks_removed: tuple[str, ...] = ()
    blocks_retitled: tuple[str, ...] = ()


@dataclass
class ExportDiff:
    """Fiches that appeared, disappeared or changed between two exports, in fiche-number order."""

    old_fiches: int
    new_fiches: int
    appeared: list[str] = field(default_factory=list)
    disappeared: list[str] = field(default_factory=list)
    changed: list[FicheChange] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.old_fiches - len(self.disappeared) - len(self.changed)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict; unchanged parts of a fiche change are left out."""
        return {
            "old_fiches": self.old_fiches,
            "new_fiches": self.new_fiches,
            "unchanged": self.unchanged,
            "appeared": self.appeared,
            "disappeared": self.disappeared,
            "changed": [{k: v for k, v in asdict(c).items() if v} for c in self.changed],
        }


def diff_exports(old_paths: Sequence[str | Path], new_paths: Sequence[str | Path]) -> ExportDiff:
    """Compare the fiches of two exports.

    :param old_paths: files, folders or globs of the old export (e.g. one ``.zip``).
    :param new_paths: the same for the new export.
    :raises StructuralError: when a source is damaged (nothing is compared then).
    """
    result = diff_fiches(_load(old_paths), _load(new_paths))
    log.info(
        "diff: %d appeared, %d disappeared, %d changed, %d unchanged",
        len(result.appeared),
        len(result.disappeared),
        len(result.changed),
        result.unchanged,
    )
    return result


def _load(paths: Sequence[str | Path]) -> list[Fiche]:
    """The fiches of one side; when several sources give a fiche, the first (in path order) is used."""
    fiches: dict[str, Fiche] = {}
    for path in expand(paths):
        loader = loader_for(path)
        if loader is None:  # pragma: no cover - loader_for raises first
            raise StructuralError("no loader reads this kind of file", file=str(path))
        result = loader.read(path)
        for fiche in result.fiches:
            fiches.setdefault(fiche.number, fiche)
    return list(fiches.values())


def diff_fiches(old: Iterable[Fiche], new: Iterable[Fiche]) -> ExportDiff:
    """The pure comparison: fiches by number, in fiche-number order."""
    before = {f.number: f for f in old}
    after = {f.number: f for f in new}
    result = ExportDiff(len(before), len(after))
    result.appeared = sorted(after.keys() - before.keys(), key=number_key)
    result.disappeared = sorted(before.keys() - after.keys(), key=number_key)
    for number in sorted(before.keys() & after.keys(), key=number_key):
        change = fiche_change(before[number], after[number])
        if change is not None:
            result.changed.append(change)
    return result


def fiche_change(old: Fiche, new: Fiche) -> FicheChange | None:
    """What changed on one fiche, or ``None`` when nothing compared did."""
    old_rome, new_rome = {c.code for c in old.rome}, {c.code for c in new.rome}
    old_blocks, new_blocks = {b.code: b.title for b in old.blocks}, {b.code: b.title for b in new.blocks}
    change = FicheChange(
        old.number,
        status=_pair(old.status.value if old.status else None, new.status.value if new.status else None),
        level=_pair(old.level, new.level),
        title=_pair(old.title, new.title),
        rome_added=tuple(sorted(new_rome - old_rome)),
        rome_removed=tuple(sorted(old_rome - new_rome)),
        blocks_added=tuple(sorted(new_blocks.keys() - old_blocks.keys())),
        blocks_removed=tuple(sorted(old_blocks.keys() - new_blocks.keys())),
        blocks_retitled=tuple(
            sorted(c for c in old_blocks.keys() & new_blocks.keys() if old_blocks[c] != new_blocks[c])
        ),
    )
    return change if change != FicheChange(old.number) else None


def _pair(old: Any, new: Any) -> tuple[Any, Any] | None:
    return (old, new) if old != new else None


def number_key(number: str) -> tuple[str, int, str]:
    """``RNCP509`` before ``RNCP1197`` (numeric order within a register)."""
    match = re.match(r"^([A-Z]+)(\d+)", number)
    return (match.group(1), int(match.group(2)), number) if match else (number, 0, number)


def render_text(diff: ExportDiff) -> str:
    """A readable report: counts, then one line per fiche that appeared, disappeared or changed."""
    lines = [
        f"old: {diff.old_fiches} fiches · new: {diff.new_fiches} fiches · unchanged: {diff.unchanged}",
        f"appeared ({len(diff.appeared)}): {' '.join(diff.appeared)}".rstrip(),
        f"disappeared ({len(diff.disappeared)}): {' '.join(diff.disappeared)}".rstrip(),
        f"changed ({len(diff.changed)}):",
    ]
    lines += [f"  {c.number}  {describe(c)}" for c in diff.changed]
    return "\n".join(lines)


def describe(change: FicheChange) -> str:
    """``status active → inactive; ROME +M1607 −I1203; blocks +RNCP509BC07``."""
    parts = []
    for name, pair in (("status", change.status), ("level", change.level)):
        if pair:
            parts.append(f"{name} {pair[0]} → {pair[1]}")
    if change.title:
        parts.append("title changed")
    codes = [f"+{c}" for c in change.rome_added] + [f"−{c}" for c in change.rome_removed]
    if codes:
        parts.append("ROME " + " ".join(codes))
    blocks = [f"+{c}" for c in change.blocks_added] + [f"−{c}" for c in change.blocks_removed]
    blocks += [f"~{c}" for c in change.blocks_retitled]
    if blocks:
        parts.append("blocks " + " ".join(blocks))
    return "; ".join(parts)


def render_json(diff: ExportDiff) -> str:
    return json.dumps(diff.as_dict(), ensure_ascii=False, indent=2, sort_keys=True)


#: output format → renderer (feeds the CLI's choices)
FORMATS: dict[str, Callable[[ExportDiff], str]] = {"text": render_text, "json": render_json}
