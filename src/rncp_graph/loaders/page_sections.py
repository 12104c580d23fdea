"""Cut a fiche page into sections by their headings, and split section text into items.

A page copied from the France Compétences site is a sequence of headings ("Activités visées :",
"Code(s) ROME :"...) each followed by its content. :data:`HEADINGS` is the one table that says
which heading opens which section; nothing here depends on line positions. Headings are matched
on a *folded* form of the line (lower case, no accents, one kind of apostrophe) so that
"d’accès" and "d'accès", "Spécialités" and "Specialites" are the same heading.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from .. import normalise
from ..model import ProblemLog
from ..normalise import Repairs

log = logging.getLogger(__name__)
T = TypeVar("T")

_NBSP = re.compile("[\u00a0\u202f\u2007]")
_DOUBLED_APOSTROPHE = re.compile(r"(?<=\w)''(?=\w)")
_TRAILING = re.compile(r"[\s:|]+$")
_TAIL = r"(?:(?:\s*[:|]|\t)\s*(?P<tail>.*))?"
_DATE_AFTER_SPACE = r"(?:\s+(?P<rest>\d{1,2}[-/]\d{1,2}[-/]\d{4}))?"
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BULLET = re.compile(r"^\s*(?:[•▪◦●*]\s*|[-–—]\s+)")

#: Heading pattern (on the folded line, trailing ``:``/``|`` removed) → section key.
#: A pattern may capture ``rest`` (a value on the heading line); every pattern also accepts a
#: value after ``:``, ``|`` or a TAB (``tail``). ``chrome`` is site furniture, never a field.
HEADINGS: dict[str, str] = {
    r"aller a la navigation principale.*": "chrome",
    r"ouvre un (?:nouvel onglet|site externe).*": "chrome",
    r"fiche au format anterieur au .*": "chrome",
    r"l'essentiel": "chrome",
    r"icon\b.*": "chrome",
    r"supplement europass": "chrome",  # a download link ("FR", "-" under it): no text of the fiche
    r"repertoire national des certifications professionnelles": "masthead",
    r"n° de fiche(?:\s*:?\s*(?P<rest>(?:rncp|rs)\s*\d+\w*))?": "number",
    r"code de la fiche\s*:\s*(?P<rest>.*)": "number",
    r"intitule(?: de la certification)?\s*:\s*(?P<rest>.+)": "title",
    r"(?:etat\s*:\s*)?(?P<rest>active|inactive)": "status",
    r"(?:nomenclature )?du niveau de qualification|nomenclature": "level",
    r"code\(s\) nsf": "nsf",
    r"formacode\(s\)": "formacodes",
    r"(?:date d'echeance(?: de l'enregistrement)?|de l'enregistrement)" + _DATE_AFTER_SPACE: "expiry_date",
    r"nom legal\b.*": "certifiers",
    r"historique des changements de certificateurs": "certifier_changes",
    r"type d'enregistrement": "registration_type",
    r"objectifs et contexte de la certification": "objectives",
    r"activites visees": "activities",
    r"competences attestees": "competencies",
    r"modalites d'evaluation": "evaluation",
    r"(?P<code>(?:rncp|rs)\s*\d+\s*bc\s*\d{2})(?:\s*[-–—:]\s*(?P<rest>[^|\t]*))?": "block",
    r"description des modalites d'acquisition de la certification.*": "block_acquisition",
    r"secteurs d'activites?": "sectors",
    r"types? d'emplois accessibles": "job_types",
    r"code\(s\) rome": "rome",
    r"references juridiques des reglementations d'activite": "regulation",
    r"le cas ech(?:e)?ant, pre-?requis a l'entree en formation": "entry_prerequisites",
    r"le cas ech(?:e)?ant, pre-?requis a la validation de la certification": "validation_prerequisites",
    r"pre-?requis di(?:sc|s)tincts pour les blocs de competences": "distinct_block_prerequisites",
    r"validite des composantes acquises": "access_routes",
    r"voie d'acces a la certification\b.*": "access_routes",
    r"oui\W+non": "territories",
    r"inscrite au cadre de la nouvelle caledonie(?P<rest>.*)": "new_caledonia",
    r"inscrite au cadre de la polynesie francaise(?P<rest>.*)": "french_polynesia",
    r"liens? avec d'autres certifications professionnelles, certifications ou habilitations": "other_links",
    r"certifications professionnelles, certifications ou habilitations en correspondance au niveau "
    r"europeen ou international": "european_correspondences",
    r"certifications professionnelles enregistrees au rncp en correspondance": "rncp_correspondences",
    r"certifications professionnelles enregistrees au rncp en correspondance partielle": "block_correspondences",
    r"liens avec des certifications et habilitations enregistrees au repertoire specifique": "rs_correspondences",
    r"anciennes versions de la certification professionnelle reconnues en correspondance totale": "previous_versions",
    r"anciennes versions de la certification professionnelle reconnues en correspondance partielle": (
        "previous_version_blocks"
    ),
    r"reference des arretes et decisions publies au journal officiel.*": "legal_registration",
    r"reference au\(x\) texte\(s\) reglementaire\(s\) instaurant la certification": "legal_registration",
    r"reference autres.*": "legal_other",
    r"date du dernier journal officiel ou bulletin officiel": "last_jo_date",
    r"date de decision": "decision_date",
    r"duree de l'enregistrement en annees": "registration_years",
    r"date de derniere delivrance possible de la certification": "last_delivery_date",
    r"promotions \(annee d'obtention\).*": "promotions",
    r"statistiques": "statistics",
    r"lien internet vers le descriptif de la certification": "description_url",
    r"le certificateur n'habilite aucun organisme preparant a la certification": "training_bodies_note",
    r"liste des organismes preparant a la certification": "training_bodies_note",
    r"certification\(s\) anterieure\(s\)": "predecessors",
    r"nouvelle\(s\) certification\(s\)": "successors",
    r"referentiel d'activite, de competences et d'evaluation": "referential",
}

#: Sub-headings inside a block section (folded) → the part of the block that follows.
BLOCK_PARTS: dict[str, str] = {
    r"liste de competences\b.*": "competencies",
    r"descriptif": "description",
    r"modalites de validation": "evaluation",
    r"modalites d'evaluation": "evaluation",
    r"validation du bloc de competences\b.*": "evaluation",
}

#: Keys that carry no field and are left out of the coverage report.
NOT_SECTIONS = frozenset({"chrome", "preamble"})

#: Section keys whose reader fills a model field of another name (any other key read by
#: ``page.READERS`` fills the :class:`~rncp_graph.model.Fiche` attribute of its own name).
SECTION_FIELDS: dict[str, str] = {
    "number": "number",
    "masthead": "title",
    "page_title": "title",
    "block": "blocks",
    **dict.fromkeys(
        [
            "rncp_correspondences",
            "rs_correspondences",
            "european_correspondences",
            "previous_versions",
            "block_correspondences",
            "previous_version_blocks",
        ],
        "correspondences",
    ),
    **dict.fromkeys(["legal_registration", "legal_other"], "legal_references"),
}

#: Section keys recognised and not read into the model: why (the coverage table shows it).
IGNORED_SECTIONS: dict[str, str] = {
    "chrome": "site furniture (navigation, icons, notices), not a fact of the fiche",
    "territories": "the Oui/Non header row of the territories table; its rows are read as new_caledonia and "
    "french_polynesia",
    "other_links": "heading over the correspondence tables, which are read each under its own heading",
    "referential": "a link to a PDF document: no text to read; the heading marks the end of the page",
}

#: Block sub-headings (:data:`BLOCK_PARTS` values) → the :class:`~rncp_graph.model.Block` field they fill.
BLOCK_PART_FIELDS: dict[str, str] = {
    "competencies": "blocks.competencies",
    "description": "blocks.description",
    "evaluation": "blocks.evaluation",
}

#: Section key → heading keys whose lines are rows of that section's table, not headings: a row
#: of a block correspondence starts with a block code (``RNCP38822BC01 - …``), the header of the
#: certifier history with "Nom légal du certificateur".
ROWS_LIKE_HEADINGS: dict[str, frozenset[str]] = {
    "block_correspondences": frozenset({"block"}),
    "previous_version_blocks": frozenset({"block"}),
    "certifier_changes": frozenset({"certifiers"}),
}


def words(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (for the word tables below)."""
    return frozenset(text.split())


# First words of prose lines that happen to end in ":" ("Pour les parcours 1 et 2, ... :").
_PROSE_STARTS = words(
    "le la les l ces ce cet cette pour concernant aucune aucun des un une il elle ils elles dans en au aux "
    "si afin et ou son sa ses leur leurs tout toute tous toutes par sur avec lors chaque on nous vous a "
    "de du d"
)


def _compile(table: dict[str, str], tail: str = _TAIL) -> list[tuple[re.Pattern[str], str]]:
    """Each pattern with its spaces made ``\\s+`` and an optional value (``tail``) after it."""
    return [(re.compile("(?:" + pattern.replace(" ", r"\s+") + ")" + tail), key) for pattern, key in table.items()]


_HEADINGS = _compile(HEADINGS)
#: All heading patterns in one expression, to skip ordinary lines with a single match.
_ANY_HEADING = re.compile("|".join(re.sub(r"\(\?P<\w+>", "(?:", p.pattern) for p, _ in _HEADINGS))
_MAX_HEADING = 400
_BLOCK_PARTS = _compile(BLOCK_PARTS, tail="")


@dataclass(frozen=True)
class PageLine:
    """One line of the page: its 1-based number and its normalised text."""

    no: int
    text: str


@dataclass
class Section:
    """A heading and the lines that follow it, up to the next heading."""

    key: str
    heading: str
    line: int
    inline: str = ""  # a value written on the heading line itself
    code: str = ""  # the block code, for ``block`` sections
    lines: list[PageLine] = field(default_factory=list)

    def values(self) -> list[PageLine]:
        """The inline value (if any) then the content lines."""
        head = [PageLine(self.line, self.inline)] if self.inline.strip() else []
        return head + self.lines


@dataclass
class Page:
    """A page cut into sections, with the heading-like lines no table entry recognised."""

    sections: list[Section]
    unrecognised: list[str]
    unrecognised_lines: list[int] = field(default_factory=list)

    def of(self, key: str) -> list[Section]:
        return [s for s in self.sections if s.key == key]

    def recognised(self) -> list[str]:
        return list(dict.fromkeys(s.key for s in self.sections if s.key not in NOT_SECTIONS))


@dataclass
class Issues(ProblemLog):
    """The problem log of one page (:class:`~rncp_graph.model.ProblemLog`; :attr:`fiche` is
    set once the page's number is read), with the sections whose table columns the copy
    flattened (reported once the whole page is read)."""

    flattened: set[str] = field(default_factory=set)


def _base(ch: str) -> str:
    low = ch.lower()
    return unicodedata.normalize("NFD", low if len(low) == 1 else ch)[0]


# Latin-1 and Latin Extended-A letters → lower-case base letter; apostrophe variants → "'".
_FOLD = str.maketrans({chr(c): _base(chr(c)) for c in range(0xC0, 0x180)} | dict.fromkeys("’‘ʼ`´", "'"))


def fold(value: str) -> str:
    """Lower case, accents and apostrophe variants removed; the result has the same length."""
    folded = value.translate(_FOLD).lower()
    return folded if len(folded) == len(value) else "".join(_base(ch) for ch in value.translate(_FOLD))


def prepare(text: str, repairs: Repairs) -> list[PageLine]:
    """Split a page into NFC lines; NBSP → space and ``d''x`` → ``d'x``, both counted in ``repairs``."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    text, spaces = _NBSP.subn(" ", text)
    text, quotes = _DOUBLED_APOSTROPHE.subn("'", text)
    if spaces:
        repairs["nbsp"] += spaces
    if quotes:
        repairs["doubled-apostrophe"] += quotes
    return [PageLine(no, raw.rstrip()) for no, raw in enumerate(text.split("\n"), start=1)]


def match_heading(line: str) -> tuple[str, str, str] | None:
    """``(key, inline value, block code)`` when ``line`` is a heading of :data:`HEADINGS`."""
    stripped = _TRAILING.sub("", line.strip())
    folded = fold(stripped)
    if len(stripped) > _MAX_HEADING or not _ANY_HEADING.fullmatch(folded):
        return None
    for pattern, key in _HEADINGS:
        m = pattern.fullmatch(folded)
        if m:
            groups = m.groupdict()
            inline = next((stripped[m.start(g) : m.end(g)] for g in ("rest", "tail") if groups.get(g)), "")
            code = stripped[m.start("code") : m.end("code")] if groups.get("code") else ""
            return key, inline.strip(" "), code
    return None


def block_part(line: str) -> str | None:
    """The block part a block sub-heading opens ("Descriptif :" → ``description``), else ``None``."""
    folded = fold(_TRAILING.sub("", line.strip()))
    return next((key for pattern, key in _BLOCK_PARTS if pattern.fullmatch(folded)), None)


def looks_like_heading(line: str) -> bool:
    """A short line ending in ``:`` that does not read like prose or a bullet."""
    s = line.strip().rstrip("|").rstrip()
    if not s.endswith(":") or len(s) > 200 or ". " in s or _BULLET.match(s):
        return False
    first = re.split(r"[\s'-]", fold(s), maxsplit=1)[0]
    return s[0].isupper() and first not in _PROSE_STARTS


def segment(lines: Iterable[PageLine]) -> Page:
    """Cut the page into sections at each heading; consecutive headings of one key merge."""
    sections = [Section("preamble", "", 0)]
    unrecognised: list[str] = []
    unrecognised_lines: list[int] = []
    for line in lines:
        current = sections[-1]
        hit = match_heading(line.text)
        if hit is None:
            if not line.text.strip():
                continue
            if looks_like_heading(line.text) and not (current.key == "block" and block_part(line.text)):
                unrecognised.append(line.text.strip())
                unrecognised_lines.append(line.no)
            current.lines.append(line)
            continue
        key, inline, code = hit
        if key in ROWS_LIKE_HEADINGS.get(current.key, ()):
            current.lines.append(line)
            continue
        if key == current.key and key != "block" and not current.lines:
            current.inline = current.inline or inline
            continue
        sections.append(Section(key, line.text.strip(), line.no, inline, code))
    _key_preamble(sections, unrecognised, unrecognised_lines)
    return Page(sections, unrecognised, unrecognised_lines)


def _key_preamble(sections: list[Section], unrecognised: list[str], lines: list[int]) -> None:
    """The text before the first heading: the title when it is one line followed by the fiche
    number (the current layout: title, then "Code de la fiche : RNCP…"), else unrecognised."""
    preamble = sections[0]
    if len(preamble.lines) == 1 and len(sections) > 1 and sections[1].key == "number":
        preamble.key = "page_title"
    elif preamble.lines and (first := preamble.lines[0].text.strip()) not in unrecognised:
        unrecognised.insert(0, first)
        lines.insert(0, preamble.lines[0].no)


def is_separator(line: str) -> bool:
    """A markdown table rule such as ``---|---|``."""
    return bool(_SEPARATOR.match(line))


def bullet(line: str) -> str:
    """The bullet mark that starts ``line`` (``•`` or ``-``), or ``""``."""
    m = _BULLET.match(line)
    return m.group(0).strip()[:1].replace("–", "-").replace("—", "-") if m else ""


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1).strip()


# --- section text → values and items ---------------------------------------------------------

_CANDIDATE = re.compile(r"(\S+) (?=(\w[\w'’-]*))")
_FUNCTION_WORDS = words(
    "le la les l un une des du de d au aux a en et ou par pour sur sous avec dans son sa ses leur leurs "
    "ce cet cette ces que qui dont entre vers chez sans selon afin notre votre nos vos"
)
_NOT_VERBS = words(
    "entre autre notre votre contre outre centre cadre titre ordre livre lettre membre nombre chiffre "
    "ministre registre chapitre offre genre libre propre premier dernier dossier atelier cahier metier "
    "chantier particulier hiver master leader"
)
_AIRE_OIRE_VERBS = words("faire refaire satisfaire plaire taire extraire soustraire distraire croire boire")


def first_value(section: Section) -> PageLine | None:
    """The first value of a section (inline or first line), table rules and ``|`` removed."""
    for line in section.values():
        value = line.text.strip().strip("|").strip()
        if value and not is_separator(line.text):
            return PageLine(line.no, value)
    return None


def paragraphs(lines: Iterable[PageLine]) -> str | None:
    """The lines as one text, one normalised paragraph per line."""
    return "\n".join(t for line in lines if (t := normalise.text(line.text))) or None


def items(lines: Iterable[PageLine], *, split: bool = False) -> list[str]:
    """List items: the bulleted lines when there are any, else every line; intros ending in ":" skipped.

    With ``split``, a line running several competencies together is cut (:func:`split_competencies`).
    """
    texts = [line.text for line in lines if not line.text.rstrip(" |").endswith(":")]
    pieces = (p for raw in [t for t in texts if bullet(t)] or texts for p in _pieces(strip_bullet(raw), split))
    return unique(item for p in pieces if (item := normalise.text(p.strip().rstrip(" ,;|"))))


def _pieces(line: str, split: bool) -> list[str]:
    return split_competencies(line) if split else [line]


def unique(values: Iterable[T], key: Callable[[T], Hashable] = lambda v: v) -> list[T]:
    """``values`` in order, without repeats (by ``key``)."""
    seen: set[Hashable] = set()
    found = []
    for value in values:
        if key(value) not in seen:
            seen.add(key(value))
            found.append(value)
    return found


def split_competencies(line: str) -> list[str]:
    """Split a line that runs several competencies together.

    A new competency starts at a capitalised infinitive ("… posée Concevoir la matrice…") that
    follows an end of sentence or a content word — never an article or a preposition ("du
    Centre", "aux Recommandations"), a comma or an apostrophe.
    """
    cuts = [0]
    for m in _CANDIDATE.finditer(line):
        if _starts_competency(m.group(2), m.group(1)):
            cuts.append(m.end())
    return [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]


def _starts_competency(word: str, previous: str) -> bool:
    if not (word[0].isupper() and word[1:2].islower()) or previous.endswith((",", "'", "’", "-", "(")):
        return False
    verb = fold(word)
    if len(verb) < 4 or verb in _NOT_VERBS or not verb.endswith(("er", "ir", "re")):
        return False
    if verb.endswith(("aire", "oire")) and verb not in _AIRE_OIRE_VERBS:
        return False
    if previous.endswith((".", ";")):
        return True
    before = fold(previous).rstrip(':)»"”')
    return bool(before) and before not in _FUNCTION_WORDS
