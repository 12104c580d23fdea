"""Loader for fiche pages copied as text from the France Compétences website.

One page holds one fiche. The page is cut into sections by its headings
(:data:`~.page_sections.HEADINGS`, a table of heading patterns → section key) and
:data:`READERS` (section key → reader) fills the :class:`~rncp_graph.model.Fiche`. The layouts
seen so far — ``|`` tables, tables flattened into lines under "Icon …" summaries, the pre-2019
page with its site chrome and JO references, TAB-separated tables under "Code de la fiche :
RNCP…" — all go through these two tables; a heading-like line neither knows is listed in the
page's :class:`~rncp_graph.model.SectionCoverage`, so a new layout shows up as a gap.

What happens to bad input (only an empty file raises, :class:`~rncp_graph.errors.EmptyInput`):

* a bad value drops its field (``dropped-field``); the fiche is kept;
* no fiche number, stated or inferable from block codes, quarantines the page
  (``no-fiche-number``), as do undecodable bytes (``encoding``) and an oversized file
  (``too-large``);
* a number read only from block codes is kept with ``number_inferred`` and a warning;
* a page that ends without its closing sections (statistics, training bodies, predecessors,
  referential) is quarantined (``truncated``, naming the last section read): a cut page would
  pass for a fiche without statistics, access routes or lineage (``docs/reliability.md`` §4 #3);
  a block heading with no table gets its own ``truncated`` warning.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .. import normalise
from ..errors import EmptyInput, InvalidValue
from ..model import Code, CorrespondenceKind, Fiche, LoadResult, ProblemAction, ProblemLog, SectionCoverage, Status
from . import mojibake
from . import page_links as links
from . import page_tables as tables
from .page_sections import (
    Issues,
    Page,
    PageLine,
    Section,
    first_value,
    fold,
    items,
    paragraphs,
    prepare,
    segment,
    strip_bullet,
    unique,
)

log = logging.getLogger(__name__)

LOADER = "page"
SUFFIXES = (".txt",)
#: A real page is under 100 KB; a larger file is refused unread (this bounds time and memory).
MAX_PAGE_BYTES = 2 * 1024 * 1024
#: Sections that close a complete page; a page with none of them was cut short.
CLOSING_SECTIONS = {
    "statistics": "Statistiques",
    "training_bodies_note": "organismes préparant à la certification",
    "predecessors": "Certification(s) antérieure(s)",
    "referential": "Référentiel d'activité, de compétences et d'évaluation",
}
CORRESPONDENCE_KINDS = {
    "rncp_correspondences": CorrespondenceKind.RNCP,
    "rs_correspondences": CorrespondenceKind.RS,
    "european_correspondences": CorrespondenceKind.EUROPEAN,
    "previous_versions": CorrespondenceKind.PREVIOUS_VERSION,
}
#: Tables of block ↔ block partial correspondences (current layout) → the table they come from.
BLOCK_CORRESPONDENCE_KINDS = {
    "block_correspondences": CorrespondenceKind.RNCP,
    "previous_version_blocks": CorrespondenceKind.PREVIOUS_VERSION,
}
LEGAL_KINDS = {"legal_registration": "registration", "legal_other": "other"}
CODE_CHECKS: dict[str, Callable[..., str]] = {
    "nsf": normalise.nsf_code,
    "formacodes": normalise.formacode,
    "rome": normalise.rome_code,
}

Reader = Callable[[Fiche, list[Section], Issues], None]

_LOOSE_CODE = re.compile(r"^(\S+)\s*[-–:]\s+(.*)$")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def read_page(path: Path) -> LoadResult:
    """Read one page file: strict UTF-8 (a BOM is dropped), at most :data:`MAX_PAGE_BYTES`.

    The result's ``source`` is the path; problems and the fiche name the file by its name.

    :raises EmptyInput: when the file is empty, or holds only a BOM or whitespace.
    """
    result = _read(path)
    result.source = str(path)
    return result


def _read(path: Path) -> LoadResult:
    with path.open("rb") as handle:
        data = handle.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        return _refused(path.name, "too-large", f"the page is larger than {MAX_PAGE_BYTES} bytes; not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, bad = data[: exc.start].count(b"\n") + 1, data[exc.start : exc.end].hex(" ")
        message = f"not UTF-8: byte {bad} at offset {exc.start} (line {line}); the page is quarantined"
        return _refused(path.name, "encoding", message, line=line, value=bad)
    return parse_page(text, source=path.name)


def parse_page(text: str, *, source: str) -> LoadResult:
    """Parse the text of one page into a :class:`LoadResult` holding at most one fiche.

    :param text: the page text, decoded.
    :param source: the file name, used in every problem and as :attr:`Fiche.source`.
    :raises EmptyInput: when the text is empty or only whitespace.
    """
    if not text.replace("\ufeff", "").strip():
        raise EmptyInput("the page is empty (nothing but whitespace or a BOM)", file=source)
    repairs = normalise.Repairs()
    page = segment(prepare(text, repairs))
    issues = Issues(source)
    result = LoadResult(source=source, loader=LOADER, repairs=dict(repairs), problems=issues.problems)
    _read_fiche(text, page, issues, result)
    issues.log_summary(log, len(result.fiches), result.quarantined)
    return result


def _read_fiche(text: str, page: Page, issues: Issues, result: LoadResult) -> None:
    """The page's fiche into ``result`` (or quarantined), its problems into ``issues``."""
    source = issues.file
    number, inferred = _fiche_number(page, issues)
    result.coverage.append(
        SectionCoverage(source, number, page.recognised(), page.unrecognised, page.unrecognised_lines)
    )
    if number is None:
        message = "no fiche number on the page and no block code to infer it from"
        issues.add("no-fiche-number", message, action=ProblemAction.QUARANTINED_FICHE)
        result.quarantined = 1
        return
    issues.fiche = number
    if inferred:
        message = f"no fiche number on the page; {number} inferred from its block codes"
        issues.warn("number-inferred", message, field="number", value=number)
    fiche = Fiche(number=number, source=source, number_inferred=inferred)
    for key, reader in READERS.items():
        if sections := page.of(key):
            reader(fiche, sections, issues)
    _drop_block_headings(fiche, issues, page.of("activities"))
    if not _check_complete(page, issues):
        result.quarantined = 1
        return
    if normalise.has_mojibake(text):
        mojibake.check_fiche(fiche, problems=issues, repairs=result.repairs)
    result.fiches.append(fiche)


def _refused(source: str, rule: str, message: str, *, line: int | None = None, value: str | None = None) -> LoadResult:
    """A page that cannot be read at all: quarantined."""
    problems = ProblemLog(source)
    problems.add(rule, message, line=line, value=value, action=ProblemAction.QUARANTINED_FICHE)
    problems.log_summary(log, 0, 1)
    return LoadResult(source=source, loader=LOADER, problems=problems.problems, quarantined=1)


def _fiche_number(page: Page, issues: Issues) -> tuple[str | None, bool]:
    """The stated number ("N° de fiche", "Code de la fiche :"), else the most common block prefix."""
    for value in filter(None, map(first_value, page.of("number"))):
        try:
            return normalise.fiche_number(value.text, field="number"), False
        except InvalidValue as exc:
            issues.add("invalid-code", exc.message, field="number", value=value.text, line=value.no)
    prefixes = [p for s in page.of("block") if (p := normalise.fiche_of_block(s.code))]
    return (Counter(prefixes).most_common(1)[0][0], True) if prefixes else (None, False)


def _drop_block_headings(fiche: Fiche, issues: Issues, sections: list[Section]) -> None:
    """Leave out of the activities the lines that are the titles of this fiche's blocks, used as headings.

    Some pages group "Activités visées" by block: the block's title ("Concevoir une prestation
    personnalisée…", a capability stated with a verb, word for word the title of
    ``…BC01``) then its activities ("Prise en compte de la demande…"). Such a title heads a group;
    it is not an activity (it is already the block's title). It is left out only when an item that
    is not a block title follows it: a page whose activities *are* its block titles, with nothing
    under them, lists them as activities, and they are kept.
    """
    titles = {_key(b.title) for b in fiche.blocks if b.title}
    activities = fiche.activities
    headings = {
        i
        for i, item in enumerate(activities)
        if _key(item) in titles and i + 1 < len(activities) and _key(activities[i + 1]) not in titles
    }
    if not headings:
        return
    fiche.activities = [item for i, item in enumerate(activities) if i not in headings]
    value = " | ".join(activities[i] for i in sorted(headings))
    message = f"{len(headings)} activity lines are the titles of the fiche's blocks, heading their activities; not kept"
    issues.warn("block-title-in-activities", message, field="activities", value=value, line=sections[0].line)


def _key(value: str) -> str:
    return " ".join(fold(value).split())


def _check_complete(page: Page, issues: Issues) -> bool:
    """False (and a quarantine problem) when the page stops before every closing section.

    Also flags the columns the copy flattened.
    """
    if not any(page.of(key) for key in CLOSING_SECTIONS):
        last = page.sections[-1]
        missing = ", ".join(CLOSING_SECTIONS.values())
        message = (
            f"the page ends without its closing sections ({missing}); last section read: {last.heading!r};"
            " the fiche is quarantined"
        )
        issues.add("truncated", message, field=last.key, line=last.line, action=ProblemAction.QUARANTINED_FICHE)
        return False
    if issues.flattened:
        fields = ", ".join(sorted(issues.flattened))
        message = (
            f"the Oui/Non columns of {fields} were joined by the copy; an X is read as Oui"
            " (an access route whose X is followed by '-' as Non)"
        )
        issues.warn("column-lost", message, field=fields)
    return True


# --- readers: (fiche, every section of one key, issues); the key names the field -----------


def _lines(sections: list[Section]) -> list[PageLine]:
    return [line for s in sections for line in s.values()]


def _firsts(sections: list[Section]) -> list[PageLine]:
    return [v for v in map(first_value, sections) if v is not None]


def _set_text(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    setattr(fiche, sections[0].key, paragraphs(_lines(sections)))


def _set_items(fiche: Fiche, sections: list[Section], issues: Issues, *, split: bool = False) -> None:
    setattr(fiche, sections[0].key, items(_lines(sections), split=split))


def _set_title(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    fiche.title = fiche.title or normalise.text(sections[0].inline)


def _set_page_title(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """The current layout shows the title alone on the first line, above "Code de la fiche :"."""
    line = sections[0].lines[0]
    title = normalise.text(line.text)
    if fiche.title is None:
        fiche.title = title
    elif title != fiche.title:
        message = "the title on the first line differs from the one after 'Intitulé'; the latter is kept"
        issues.warn("conflicting-values", message, field="title", value=title, line=line.no)


def _set_masthead_title(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """The old page shows the title alone between the site's name and the status."""
    if fiche.title is None and len(sections[0].lines) == 1:
        fiche.title = normalise.text(sections[0].lines[0].text)


def _set_status(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    fiche.status = Status.ACTIVE if fold(sections[0].inline) == "active" else Status.INACTIVE


#: Reads one value of a single-valued field (text, fiche number); raises InvalidValue.
SingleParser = Callable[[str, str], object]


def _parse_years(text: str, number: str) -> int:
    if not text.isdigit():
        raise InvalidValue("registration duration is not a number of years", fiche=number)
    return int(text)


def _date_of(attr: str) -> SingleParser:
    return lambda text, number: normalise.parse_date(text, fiche=number, field=attr)


#: Single-valued field → its parser and the rule of a value that breaks it.
SINGLE_VALUES: dict[str, tuple[SingleParser, str]] = {
    "level": (lambda text, number: normalise.level(text, fiche=number), "invalid-level"),
    "registration_years": (_parse_years, "invalid-value"),
    **{
        a: (_date_of(a), "invalid-date") for a in ("expiry_date", "decision_date", "last_delivery_date", "last_jo_date")
    },
}


def _set_single(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """A field the page may state more than once (a date in the masthead and in the table): every
    distinct value is read, the first valid one kept. Each other value is reported with the one
    kept, its line, and why: one that breaks the field's rule is an error (the value is dropped,
    the field is not: action ``dropped-value``), a different valid one a ``conflicting-values`` warning."""
    attr = sections[0].key
    parse, rule = SINGLE_VALUES[attr]
    stated: dict[str, tuple[PageLine, object]] = {}
    for value in _firsts(sections):
        if value.text not in stated:
            stated[value.text] = (value, _parsed(parse, value.text, fiche.number))
    kept = next(((line, v) for line, v in stated.values() if not isinstance(v, InvalidValue)), None)
    if kept is not None:
        setattr(fiche, attr, kept[1])
    for line, parsed in stated.values():
        if kept is None or line is kept[0]:
            if isinstance(parsed, InvalidValue):
                issues.add(rule, parsed.message, field=attr, value=line.text, line=line.no)
            continue
        why = f"{attr} is stated {len(stated)} times; kept: {kept[0].text!r} (line {kept[0].no}), the first valid value"
        if isinstance(parsed, InvalidValue):
            message = f"{parsed.message}; {why}; this value is dropped"
            issues.add(rule, message, field=attr, value=line.text, line=line.no, action=ProblemAction.DROPPED_VALUE)
        elif parsed != kept[1]:
            issues.warn(
                "conflicting-values",
                f"{why}; this different value is not kept",
                field=attr,
                value=line.text,
                line=line.no,
            )


def _parsed(parse: SingleParser, text: str, number: str) -> object:
    try:
        return parse(text, number)
    except InvalidValue as exc:
        return exc


def _set_codes(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """``332p : label`` / ``K1403 - label`` lines; a bad code drops that link only."""
    attr, found = sections[0].key, list[Code]()
    for line in _lines(sections):
        raw = strip_bullet(line.text)
        code, label = normalise.split_code_label(raw)
        if label is None and (m := _LOOSE_CODE.match(raw)):
            code, label = m.group(1), m.group(2)
        try:
            value = CODE_CHECKS[attr](code, fiche=fiche.number)
        except InvalidValue as exc:
            issues.add("invalid-code", f"{exc.message}; link dropped", field=attr, value=code, line=line.no)
            continue
        found.append(Code(value, normalise.text(label)))
    setattr(fiche, attr, unique(found, key=lambda c: c.code))


def _set_certifiers(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    fiche.certifiers = unique(org for s in sections for org in tables.certifiers(s, issues))


def _set_certifier_changes(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    fiche.certifier_changes = unique(c for s in sections for c in links.certifier_changes(s, issues))


def _set_block_correspondences(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    kind = BLOCK_CORRESPONDENCE_KINDS[sections[0].key]
    found = (c for s in sections for c in links.block_correspondences(s, kind, issues))
    fiche.correspondences = unique([*fiche.correspondences, *found])


def _set_block_prerequisites(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    for value in _firsts(sections)[:1]:
        answer = {"oui": True, "non": False}.get(fold(value.text))
        if answer is None:
            field = "distinct_block_prerequisites"
            issues.add("invalid-value", "expected Oui or Non", field=field, value=value.text, line=value.no)
        fiche.distinct_block_prerequisites = answer


def _set_routes(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    routes = (r for s in sections for r in tables.routes(s, issues))
    fiche.access_routes = unique(routes, key=lambda r: r.route)


def _set_territory(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    section = sections[0]
    registered, flattened = tables.territory(section)
    if flattened:
        issues.flattened.add(section.key)
    if registered is None:
        message = "no X in the Oui or Non column"
        issues.add("unreadable-row", message, field=section.key, value=section.heading, line=section.line)
    setattr(fiche, section.key, registered)


def _set_correspondences(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    kind = CORRESPONDENCE_KINDS[sections[0].key]
    found = (c for s in sections for c in tables.correspondences(s, kind, issues))
    fiche.correspondences = unique([*fiche.correspondences, *found])


def _set_linked(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    setattr(fiche, sections[0].key, [item for s in sections for item in tables.linked(s, issues)])


def _set_legal(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    kind = LEGAL_KINDS[sections[0].key]
    fiche.legal_references.extend(ref for s in sections for ref in tables.legal(s, kind, issues))


def _set_statistics(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    fiche.statistics = [row for s in sections for row in tables.statistics(s, issues)]


def _set_description_url(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """The first line, when it is a web address (:func:`normalise.url`: ``www.x.org`` gets ``http://``
    and a ``url-scheme-added`` warning); other text ("Tél : …") is reported (``not-a-url``), not kept."""
    lines = [line for line in _lines(sections) if line.text.strip()]
    if not lines:
        return
    first = lines[0]
    try:
        address = normalise.url(first.text.strip(), fiche=fiche.number, field="description_url")
    except InvalidValue:
        address = None
    if address is not None:
        fiche.description_url = address.url
        lines = lines[1:]
        if address.scheme_added:
            message = f"the description link has no scheme; read as {address.url}"
            issues.warn("url-scheme-added", message, field="description_url", value=first.text.strip(), line=first.no)
    if lines:
        value = " | ".join(line.text.strip() for line in lines)
        message = "the description link is not an http(s) URL; not kept"
        if address is not None:
            message = "text after the description link is not a web address; not kept"
        issues.warn("not-a-url", message, field="description_url", value=value, line=lines[0].no)


def _set_promotions(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    fiche.promotions = sorted({int(y) for line in _lines(sections) for y in _YEAR.findall(line.text)})


def _set_training_bodies(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """The note is the heading itself ("Le certificateur n'habilite aucun organisme…") and any text under it."""
    lines = [PageLine(s.line, s.heading.rstrip(" :|")) for s in sections] + [x for s in sections for x in s.lines]
    fiche.training_bodies_note = paragraphs(lines)


def _set_blocks(fiche: Fiche, sections: list[Section], issues: Issues) -> None:
    """Attach the blocks whose code belongs to this fiche; a block of another fiche is reported and left out."""
    seen: set[str] = set()
    for section in sections:
        try:
            code = normalise.block_code(section.code, fiche=fiche.number, field="blocks")
        except InvalidValue as exc:
            rule = "block-of-other-fiche" if normalise.fiche_of_block(section.code) else "invalid-code"
            message = f"{exc.message}; block not attached"
            issues.add(rule, message, field="blocks", value=section.code, line=section.line)
            continue
        if code in seen:
            message = f"block {code} appears twice; the second is dropped"
            issues.add("duplicate-block", message, field="blocks", value=code, line=section.line)
            continue
        if not section.lines:
            message = f"block {code} has a heading but no table (competencies, evaluation)"
            issues.warn("truncated", message, field="blocks", value=code, line=section.line)
        seen.add(code)
        fiche.blocks.append(tables.block(code, section))


#: Section key → the reader that fills the fiche from every section of that key.
READERS: dict[str, Reader] = {
    "title": _set_title,
    "page_title": _set_page_title,
    "masthead": _set_masthead_title,
    "status": _set_status,
    **dict.fromkeys(SINGLE_VALUES, _set_single),
    **dict.fromkeys(CODE_CHECKS, _set_codes),
    "certifiers": _set_certifiers,
    "certifier_changes": _set_certifier_changes,
    **dict.fromkeys(["activities", "job_types"], _set_items),
    "competencies": partial(_set_items, split=True),
    **dict.fromkeys(
        ["objectives", "evaluation", "block_acquisition", "sectors", "regulation", "registration_type"], _set_text
    ),
    **dict.fromkeys(["entry_prerequisites", "validation_prerequisites"], _set_text),
    "block": _set_blocks,
    "distinct_block_prerequisites": _set_block_prerequisites,
    "access_routes": _set_routes,
    **dict.fromkeys(["new_caledonia", "french_polynesia"], _set_territory),
    **dict.fromkeys(CORRESPONDENCE_KINDS, _set_correspondences),
    **dict.fromkeys(BLOCK_CORRESPONDENCE_KINDS, _set_block_correspondences),
    **dict.fromkeys(["predecessors", "successors"], _set_linked),
    **dict.fromkeys(LEGAL_KINDS, _set_legal),
    "statistics": _set_statistics,
    "description_url": _set_description_url,
    "promotions": _set_promotions,
    "training_bodies_note": _set_training_bodies,
}
