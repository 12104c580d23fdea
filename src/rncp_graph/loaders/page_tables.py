"""Read the tables of a fiche page, whichever way the copy flattened them.

Three shapes occur: markdown-like rows (``a | b |``, a cell may run over several lines and
ends at its ``|``), TAB-separated rows, and rows whose cells were joined by single spaces.
Each reader takes the :class:`~.page_sections.Section` holding the table and returns model
objects; a bad cell becomes a :class:`~rncp_graph.model.Problem` and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import normalise
from ..errors import InvalidValue
from ..model import (
    AccessRoute,
    AccessRouteKind,
    Block,
    Correspondence,
    CorrespondenceKind,
    CorrespondenceNature,
    LegalReference,
    LinkedFiche,
    Organisation,
    Statistic,
)
from .page_sections import Issues, PageLine, Section, block_part, bullet, fold, is_separator, items, paragraphs, unique

_DELIMITER = re.compile(r"[|\t]")
_DATE = re.compile(r"^\d{1,2}[-/]\d{1,2}[-/]\d{4}$")
_FICHE_START = re.compile(r"^((?:RNCP|RS)\s?\d+)\b\s*(?:[-–|:]\s*)?(.*)$", re.IGNORECASE)
_SIRET_ROW = re.compile(r"^(?P<name>.+?)\s+(?P<siret>\d{3} ?\d{3} ?\d{3} ?\d{5})(?:\s+(?P<rest>.*))?$")
_NATURE = re.compile(r"^(totale?|partielle?)\b[\s:.,-]*", re.IGNORECASE)
#: Table header rows (folded prefixes), skipped wherever they occur.
_HEADER_ROWS = (
    *("code de la fiche", "n° de la fiche", "code et intitule", "annee d'obtention", "date du jo"),
    *("bloc(s) de competences concernes", "nom legal du certificateur"),
)

#: Access-route labels (folded) → route; matched on the start of a row.
ROUTES: dict[str, AccessRouteKind] = {
    "apres un parcours de formation sous statut d'eleve ou d'etudiant": AccessRouteKind.STUDENT,
    "en contrat d'apprentissage": AccessRouteKind.APPRENTICESHIP,
    "apres un parcours de formation continue": AccessRouteKind.CONTINUING,
    "en contrat de professionnalisation": AccessRouteKind.PROFESSIONALISATION,
    "par candidature individuelle": AccessRouteKind.INDIVIDUAL,
    "par experience": AccessRouteKind.VAE,
}
_ROUTE_LABELS = sorted(ROUTES, key=len, reverse=True)
_DATE_SPLIT = re.compile(r"\s*\b(\d{1,2}[-/]\d{1,2}[-/]\d{4})\b\s*")
_STAT_FIELDS = ("certified", "certified_vae", "insertion_6_months", "insertion_job_6_months", "insertion_job_2_years")


def has_cells(line: str) -> bool:
    return bool(_DELIMITER.search(line))


def split_cells(line: str) -> list[str]:
    return [c.strip() for c in _DELIMITER.split(line)]


def is_header(line: str) -> bool:
    return fold(line.strip()).startswith(_HEADER_ROWS)


def cells(lines: Iterable[PageLine]) -> list[tuple[str, int]]:
    """The cells of a markdown or TAB table, in reading order, with the line each one starts on.

    A cell runs over lines until a delimiter closes it; header rows and rules are skipped.
    """
    out: list[tuple[list[str], int]] = [([], 0)]
    for line in lines:
        if is_separator(line.text) or is_header(line.text):
            continue
        for i, part in enumerate(_DELIMITER.split(line.text)):
            if i:
                out.append(([], line.no))
            if part.strip():
                if not out[-1][0]:
                    out[-1] = (out[-1][0], line.no)
                out[-1][0].append(part.strip())
    return [("\n".join(parts), no) for parts, no in out if parts]


def rows(section: Section) -> list[tuple[list[str], int]]:
    """One list of cells per table row (TAB, ``|`` or space-joined rows: one line, one row)."""
    found = []
    for line in section.values():
        if is_separator(line.text) or is_header(line.text) or not line.text.strip():
            continue
        parts = split_cells(line.text) if has_cells(line.text) else [line.text.strip()]
        while parts and not parts[-1]:
            parts.pop()
        if parts:
            found.append((parts, line.no))
    return found


def certifiers(section: Section, issues: Issues) -> list[Organisation]:
    """The certifier table: legal name, SIRET, commercial name, website; ``-`` is empty."""
    found: list[Organisation] = []
    for row, no in rows(section):
        parts = _certifier_cells(row[0]) if len(row) == 1 else row
        if parts is None:
            issues.add("unreadable-row", "certifier row without a SIRET", field="certifiers", value=row[0], line=no)
            continue
        parts += [""] * (4 - len(parts))
        name, siret, commercial, site = (normalise.text(p) for p in parts[:4])
        if name is None:
            continue
        if site:
            site = web_address(site, issues, field="website", line=no, what="certifier website")
        found.append(Organisation(name, normalise.siret(siret) if siret else None, commercial, site))
    return unique(found)


def _certifier_cells(line: str) -> list[str] | None:
    """A space-joined row: the name runs up to the SIRET; the last word is the site when it is a URL or ``-``."""
    m = _SIRET_ROW.match(line)
    if not m:
        return None
    tail = (m.group("rest") or "").split()
    site = tail.pop() if tail and (tail[-1] == "-" or _is_url(tail[-1])) else ""
    return [m.group("name"), m.group("siret"), " ".join(tail), site]


def _is_url(word: str) -> bool:
    try:
        normalise.url(word)
    except InvalidValue:
        return False
    return True


def web_address(value: str, issues: Issues, *, field: str, line: int, what: str) -> str | None:
    """:func:`normalise.url` of a page value; ``www.x.org`` gets ``http://`` and a
    ``url-scheme-added`` warning, text that is no address is dropped with ``not-a-url``."""
    try:
        address = normalise.url(value, fiche=issues.fiche, field=field)
    except InvalidValue:
        issues.warn("not-a-url", f"{what} is not an http(s) URL; not kept", field=field, value=value, line=line)
        return None
    if address.scheme_added:
        message = f"{what} has no scheme; read as {address.url}"
        issues.warn("url-scheme-added", message, field=field, value=value, line=line)
    return address.url


def statistics(section: Section, issues: Issues) -> list[Statistic]:
    """Yearly rows: year, certified, certified by VAE, three insertion rates; ``-`` is ``None``."""
    found = []
    for parts, no in rows(section):
        tokens = parts if len(parts) > 1 else parts[0].split()
        if len(tokens) != 6 or not re.fullmatch(r"\d{4}", tokens[0]):
            issues.add(
                "unreadable-row",
                "statistics row is not a year and five values",
                field="statistics",
                value=" ".join(tokens),
                line=no,
            )
            continue
        values = {name: _count(tok, issues, no) for name, tok in zip(_STAT_FIELDS, tokens[1:], strict=True)}
        found.append(Statistic(int(tokens[0]), **values))
    return found


def _count(token: str, issues: Issues, line: int) -> int | None:
    if normalise.text(token) is None:
        return None
    if token.isdigit():
        return int(token)
    issues.add("invalid-value", "statistic is not a whole number", field="statistics", value=token, line=line)
    return None


def marks(rest: str) -> tuple[bool | None, list[str], bool]:
    """Read the Oui/Non columns after a row label: ``(open, other cells, flattened)``.

    With visible columns, an X in the first column is *Oui*, in the second *Non*. When the copy
    joined cells by spaces the column is lost: an X is read as *Oui* and ``flattened`` is true.
    """
    if has_cells(rest):
        values = split_cells(rest)[1:]
        if values and values[0].upper() == "X":
            return True, values[1:], False
        if len(values) > 1 and not values[0] and values[1].upper() == "X":
            return False, values[2:], False
        return None, values, False
    tokens = rest.split()
    if tokens and tokens[0].upper() == "X":
        words = " ".join(t for t in tokens[1:] if normalise.text(t))  # "-" cells dropped
        return True, [c for c in _DATE_SPLIT.split(words) if c.strip()], True
    return None, tokens, True


def _closed_by_dash(rest: str) -> bool:
    """True when the cell after the X is ``-``: the page's way of showing a closed route.

    Copies of the page drop empty cells, so "| X | - | - |" no longer says which column held
    the X. On France Compétences pages a closed route (X under *Non*) shows ``-`` for the jury
    and the date, and an open one shows its jury, so the cell after the X decides.
    """
    cells = split_cells(rest)[1:] if has_cells(rest) else rest.split()
    cells = [c.strip() for c in cells]
    return len(cells) > 1 and cells[0].upper() == "X" and cells[1] == "-"


def routes(section: Section, issues: Issues) -> list[AccessRoute]:
    """The access-route table: one route per known label, then its jury text and date."""
    found: dict[AccessRouteKind, AccessRoute] = {}
    current: tuple[AccessRouteKind, bool, int] | None = None
    extra: list[str] = []
    for line in section.lines:
        folded = fold(line.text.strip())
        label = next((k for k in _ROUTE_LABELS if folded.startswith(k)), None)
        if label is None:
            extra.extend(split_cells(line.text) if has_cells(line.text) else [line.text])
            continue
        _close_route(current, extra, found, issues)
        rest = line.text.strip()[len(label) :]
        is_open, extra, flattened = marks(rest)
        if is_open and _closed_by_dash(rest):
            is_open = False
        if flattened:
            issues.flattened.add("access_routes")
        if is_open is None:
            issues.add(
                "unreadable-row", "no X in the Oui or Non column", field="access_routes", value=line.text, line=line.no
            )
            current = None
            continue
        current = (ROUTES[label], is_open, line.no)
    _close_route(current, extra, found, issues)
    return list(found.values())


def _close_route(
    current: tuple[AccessRouteKind, bool, int] | None,
    extra: list[str],
    found: dict[AccessRouteKind, AccessRoute],
    issues: Issues,
) -> None:
    if current is None:
        return
    kind, is_open, no = current
    jury, modified = [], None
    for cell in (c.strip() for c in extra):
        if _DATE.match(cell) and modified is None:
            try:
                modified = normalise.parse_date(cell, fiche=issues.fiche, field="access_routes.modified")
            except InvalidValue as exc:
                issues.add("invalid-date", exc.message, field="access_routes.modified", value=cell, line=no)
        elif normalise.text(cell):
            jury.append(cell)
    if kind in found:
        issues.add("duplicate-row", f"access route {kind.value} listed twice", field="access_routes", line=no)
        return
    found[kind] = AccessRoute(kind, is_open, "\n".join(normalise.text(j) or "" for j in jury) or None, modified)
    extra.clear()


def territory(section: Section) -> tuple[bool | None, bool]:
    """New Caledonia / French Polynesia row (the X after the label): ``(registered, flattened)``."""
    registered, _, flattened = marks(section.inline)
    return registered, flattened


def correspondences(section: Section, kind: CorrespondenceKind, issues: Issues) -> list[Correspondence]:
    """Rows of (fiche number, title, nature and its text); a row starts at a fiche number.

    A row has at most three cells (one for previous versions: "RNCP16197 - title"); cells past
    that ("Aucune correspondance" under the table) are not part of it.
    """
    width = 1 if kind is CorrespondenceKind.PREVIOUS_VERSION else 3
    units = _units(section)
    grouped: list[tuple[list[str], int]] = []
    for unit, no in units:
        if _FICHE_START.match(unit):
            grouped.append(([unit], no))
        elif grouped and len(grouped[-1][0]) < width:
            grouped[-1][0].append(unit)
    found = []
    for parts, no in grouped:
        item = _correspondence(parts, kind, issues, no)
        if item is not None:
            found.append(item)
    return found


def _correspondence(parts: list[str], kind: CorrespondenceKind, issues: Issues, no: int) -> Correspondence | None:
    m = _FICHE_START.match(parts[0])
    assert m is not None
    try:
        target = normalise.fiche_number(m.group(1), field="correspondences")
    except InvalidValue as exc:
        issues.add("invalid-code", exc.message, field="correspondences", value=m.group(1), line=no)
        return None
    rest = [p for p in [m.group(2), *parts[1:]] if p.strip()]
    nature_at = next((i for i, p in enumerate(rest) if _NATURE.match(p)), None)
    if nature_at is None and len(rest) == 1 and (hit := re.search(r"\s(Totale?|Partielle?)\b", rest[0])):
        rest = [rest[0][: hit.start()], rest[0][hit.start() + 1 :]]
        nature_at = 1
    nature = CorrespondenceNature.TOTAL if kind is CorrespondenceKind.PREVIOUS_VERSION else None
    text = None
    if nature_at is not None:
        word = _NATURE.match(rest[nature_at])
        assert word is not None
        total = word.group(1).lower().startswith("total")
        nature = CorrespondenceNature.TOTAL if total else CorrespondenceNature.PARTIAL
        text = normalise.text(" ".join([rest[nature_at][word.end() :], *rest[nature_at + 1 :]]))
        rest = rest[:nature_at]
    title = normalise.text(" ".join(rest))
    return Correspondence(target, kind, title, nature, text)


def _units(section: Section) -> list[tuple[str, int]]:
    """Cells when the section holds a ``|``/TAB table, else one unit per line (header rows skipped)."""
    if any(has_cells(line.text) for line in section.lines):
        return cells(section.lines)
    return [(line.text, line.no) for line in section.lines if not is_header(line.text)]


def linked(section: Section, issues: Issues) -> list[LinkedFiche]:
    """Predecessor or successor rows: fiche number and the title given there."""
    found: list[LinkedFiche] = []
    for parts, no in rows(section):
        m = _FICHE_START.match(parts[0])
        if not m:
            continue
        try:
            number = normalise.fiche_number(m.group(1), field=section.key)
        except InvalidValue as exc:
            issues.add("invalid-code", exc.message, field=section.key, value=m.group(1), line=no)
            continue
        found.append(LinkedFiche(number, normalise.text(" ".join([m.group(2), *parts[1:]]))))
    return unique(found, key=lambda f: f.number)


def legal(section: Section, kind: str, issues: Issues) -> list[LegalReference]:
    """JO / BO references: a date cell (or ``-``) then the reference text, one text per paragraph."""
    units = _units(section)
    found, pending = [], None
    for unit, no in units:
        value = unit.strip()
        if _DATE.match(value) or normalise.text(value) is None:
            pending = None
            if value and _DATE.match(value):
                try:
                    pending = normalise.parse_date(value, fiche=issues.fiche, field="legal_references")
                except InvalidValue as exc:
                    issues.add("invalid-date", exc.message, field="legal_references", value=value, line=no)
            continue
        found.append(LegalReference(normalise.text(value) or value, pending, kind))
        pending = None
    return found


def block(code: str, section: Section) -> Block:
    """A block from a ``|``/TAB table (competency cell, evaluation cell) or from flattened lines."""
    lines = [line for line in section.lines if block_part(line.text) != "competencies"]
    parts: dict[str, list[PageLine]] = {"competencies": [], "evaluation": [], "description": []}
    if any(has_cells(line.text) for line in lines):
        units = cells(lines)
        parts["competencies"] = [PageLine(units[0][1], t) for t in units[0][0].split("\n")] if units else []
        parts["evaluation"] = [PageLine(no, t) for t, no in units[1:]]
    else:
        _flattened_block(lines, parts)
    title, evaluation = normalise.text(section.inline), paragraphs(parts["evaluation"])
    return Block(code, title, items(parts["competencies"], split=True), evaluation, paragraphs(parts["description"]))


def _flattened_block(lines: list[PageLine], parts: dict[str, list[PageLine]]) -> None:
    """Competencies come first, all with one bullet style; a sub-heading or a change of style ends them."""
    part, style = "competencies", None
    for line in lines:
        sub = block_part(line.text)
        if sub is not None:
            part = sub
            continue
        if part == "competencies":
            style = bullet(line.text) if style is None else style
            if bullet(line.text) != style:
                part = "evaluation"
        parts[part].append(line)
