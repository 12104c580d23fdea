"""Two tables of the current page layout: the certifier history and the block correspondences.

* "Historique des changements de certificateurs" — ``Nom légal du certificateur | Siret du
  certificateur | Action | Date de la modification``: each row a :class:`CertifierChange`
  (``Est ajouté`` / ``Est retiré``). The certifiers of the fiche are those of its certifier
  table; a row here never makes one.
* "Certifications professionnelles enregistrées au RNCP en correspondance partielle" and
  "Anciennes versions de la certification professionnelle reconnues en correspondance partielle"
  — ``Bloc(s) de compétences concernés | Code et intitulé de la certification | Bloc(s) en
  correspondance partielle``: each row a block of this fiche, the other certification and one
  or more of its blocks; several blocks are joined by a line ``ET`` (all are needed together).
  Each row is one partial :class:`Correspondence` with every target block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import normalise
from ..errors import InvalidValue
from ..model import (
    CertifierAction,
    CertifierChange,
    Correspondence,
    CorrespondenceKind,
    CorrespondenceNature,
    Organisation,
)
from .page_sections import Issues, PageLine, Section, fold
from .page_tables import has_cells, is_header, rows, split_cells

#: Folded action cell → action.
ACTIONS: dict[str, CertifierAction] = {"est ajoute": CertifierAction.ADDED, "est retire": CertifierAction.WITHDRAWN}
_SPACE_JOINED = re.compile(
    r"^(?P<name>.+?)\s+(?P<siret>\d{3} ?\d{3} ?\d{3} ?\d{5})\s+(?P<action>\D+?)(?:\s+(?P<date>\d[\d/-]*))?$"
)
_CODE_START = re.compile(r"^((?:RNCP|RS)\s?\d+(?:BC\d{2})?)\b\s*(?:[-–:]\s*)?(.*)$", re.IGNORECASE)
_AND = "et"
#: What the site writes in a correspondence table that has no row.
_NO_ROW = "aucune correspondance"


def certifier_changes(section: Section, issues: Issues) -> list[CertifierChange]:
    """The rows of the certifier history; a row without a known action is reported and left out."""
    found: list[CertifierChange] = []
    for row, no in rows(section):
        cells = row if len(row) > 1 else _space_joined(row[0])
        if cells is None or len(cells) < 3:
            message = "certifier history row is not a name, a SIRET, an action and a date"
            issues.add("unreadable-row", message, field="certifier_changes", value=" | ".join(row), line=no)
            continue
        change = _change(cells, issues, no)
        if change is not None and change not in found:
            found.append(change)
    return found


def _space_joined(line: str) -> list[str] | None:
    m = _SPACE_JOINED.match(line)
    return [m.group("name"), m.group("siret"), m.group("action"), m.group("date") or ""] if m else None


def _change(cells: list[str], issues: Issues, no: int) -> CertifierChange | None:
    name, siret, action_text = (normalise.text(c) for c in cells[:3])
    action = ACTIONS.get(fold(action_text or ""))
    if name is None or action is None:
        message = f"certifier history row without {'a legal name' if name is None else 'a known action'}"
        issues.add("unreadable-row", message, field="certifier_changes", value=" | ".join(cells), line=no)
        return None
    day = None
    if len(cells) > 3 and normalise.text(cells[3]):
        try:
            day = normalise.parse_date(cells[3], fiche=issues.fiche, field="certifier_changes.date")
        except InvalidValue as exc:
            issues.add("invalid-date", exc.message, field="certifier_changes.date", value=cells[3], line=no)
    organisation = Organisation(name, normalise.siret(siret) if siret else None)
    return CertifierChange(organisation, action, day)


@dataclass
class _Row:
    """A correspondence row being read: its three cells, then target blocks given after ``ET``."""

    no: int
    cells: list[str]
    more: list[str] = field(default_factory=list)
    expects_more: bool = False


def block_correspondences(section: Section, kind: CorrespondenceKind, issues: Issues) -> list[Correspondence]:
    """Every row of a block correspondence table, ``ET`` groups as one correspondence."""
    found: list[Correspondence] = []
    for row in _rows(section.lines, issues):
        item = _block_correspondence(row, kind, issues)
        if item is not None and item not in found:
            found.append(item)
    return found


def _rows(lines: list[PageLine], issues: Issues) -> list[_Row]:
    found: list[_Row] = []
    for line in lines:
        text = line.text.strip()
        if not text or is_header(text) or fold(text) == _NO_ROW:
            continue
        if has_cells(text):
            found.append(_Row(line.no, [c for c in split_cells(text) if c]))
        elif fold(text) == _AND and found:
            found[-1].expects_more = True
        elif found and found[-1].expects_more:
            found[-1].more.append(text)
            found[-1].expects_more = False
        else:
            message = "line of a block correspondence table that is neither a row nor a block after ET; not read"
            issues.add("unreadable-row", message, field="correspondences", value=text, line=line.no)
    return found


def _block_correspondence(row: _Row, kind: CorrespondenceKind, issues: Issues) -> Correspondence | None:
    """(this fiche's block, other certification, its blocks) → a partial correspondence."""
    if len(row.cells) != 3:
        message = "block correspondence row is not three cells (block, certification, blocks)"
        issues.add("unreadable-row", message, field="correspondences", value=" | ".join(row.cells), line=row.no)
        return None
    source, target = (_code(cell) for cell in row.cells[:2])
    first = row.cells[2]
    try:
        source_block = normalise.block_code(source, fiche=issues.fiche, field="correspondences.source_block")
        number = normalise.fiche_number(target, field="correspondences")
        cells = [first, *row.more]
        targets = [normalise.block_code(_code(c), fiche=number, field="correspondences.target_blocks") for c in cells]
    except InvalidValue as exc:
        issues.add(
            "invalid-code", f"{exc.message}; row not read", field="correspondences", value=exc.value, line=row.no
        )
        return None
    title = normalise.text(_CODE_START.sub(r"\2", row.cells[1]))
    cited = tuple(dict.fromkeys(t for c in cells if (t := normalise.text(c))))
    nature = CorrespondenceNature.PARTIAL
    return Correspondence(number, kind, title, nature, None, source_block, tuple(dict.fromkeys(targets)), cited)


def _code(cell: str) -> str:
    """The code a cell starts with (``RNCP38822BC01 - Planifier…`` → ``RNCP38822BC01``)."""
    m = _CODE_START.match(cell.strip())
    return m.group(1) if m else cell.strip()
