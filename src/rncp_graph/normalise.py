"""Text, code and date normalisation shared by every loader.

Pure functions; each raises :class:`~rncp_graph.errors.InvalidValue` naming the field and
value it refuses. Counting repairs is the caller's job (``Repairs``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date
from typing import NamedTuple

from .errors import InvalidValue

_WS = re.compile(r"[\s\u00a0\u202f\u2007\ufeff]+")
_DOUBLED_APOSTROPHE = re.compile(r"(?<=\w)''(?=\w)")
_FICHE = re.compile(r"^(RNCP|RS)(\d+)$")
_FICHE_LOOSE = re.compile(r"^(RNCP|RS)\s*(\d+)$", re.IGNORECASE)
_BLOCK = re.compile(r"^((?:RNCP|RS)\d+)BC(\d{2})$")
# ROME: a domain (``K``), a professional field (``K12``), an occupation sheet (``K1201``); and the
# two groupings of the industry domain in ROME v3 (``H1``, ``H2``), which its registers still cite
_ROME = re.compile(r"^[A-N](?:\d{2}|\d{4})?$|^H[12]$")
# NSF: a general domain (``3``), a domain (``33``), a group (``332``), a speciality (``332p``)
_NSF = re.compile(r"^(?:\d{1,3}|\d{3}[a-z])$")
_FORMACODE = re.compile(r"^\d{5}$")
_DATE = re.compile(r"^(\d{2})[-/](\d{2})[-/](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EMPTY_MARKERS = {"", "-", "–", "—"}


class Repairs(Counter[str]):
    """Counts of silent-but-recorded repairs (``doubled-apostrophe``, ``nbsp``...)."""


def text(value: str | None, repairs: Repairs | None = None) -> str | None:
    """NFC, whitespace runs (NBSP included) collapsed, doubled apostrophes repaired.

    ``None``, empty strings and a lone ``-`` (the pages' "nothing") give ``None``.
    """
    if value is None:
        return None
    s = unicodedata.normalize("NFC", value)
    # str.split() splits on every Unicode space (NBSP, narrow NBSP, figure space included) and
    # is 3× faster than the regex; the BOM is not a space for it
    s = " ".join(s.replace("\ufeff", " ").split())
    if s in _EMPTY_MARKERS:
        return None
    if "''" not in s:
        return s
    fixed, n = _DOUBLED_APOSTROPHE.subn("'", s)
    if n and repairs is not None:
        repairs["doubled-apostrophe"] += n
    return fixed


def code(value: str) -> str:
    """A code with every kind of space removed (``M1607\\u202f`` → ``M1607``)."""
    return _WS.sub("", unicodedata.normalize("NFC", value))


def fiche_number(value: str, *, field: str = "fiche number") -> str:
    """``RNCP34808``, accepting the unambiguous forms ``rncp34808`` and ``RNCP 34808``.

    :raises InvalidValue: for anything else (``34826``, ``RNCP34826bis``).
    """
    s = code(value) if value else ""
    if _FICHE.match(s):
        return s
    m = _FICHE_LOOSE.match(value.strip()) if value else None
    if m:
        return f"{m.group(1).upper()}{m.group(2)}"
    raise InvalidValue("not a fiche number (expected RNCP… or RS… followed by digits)", field=field, value=value)


def is_fiche_number(value: str) -> bool:
    """Whether ``value`` is a fiche number as written in the graph (``RNCP34808``, ``RS5016``)."""
    return bool(_FICHE.match(value))


def block_code(value: str, *, fiche: str | None = None, field: str = "block code") -> str:
    """A block code ``RNCP34808BC01``; when ``fiche`` is given, its prefix must be that fiche.

    :raises InvalidValue: on a malformed code or a block of another fiche.
    """
    s = code(value).upper()
    m = _BLOCK.match(s)
    if not m:
        raise InvalidValue("not a block code (expected RNCP…BCnn)", fiche=fiche, field=field, value=value)
    if fiche is not None and m.group(1) != fiche:
        raise InvalidValue(
            f"block {s} belongs to fiche {m.group(1)}, not to {fiche}", fiche=fiche, field=field, value=value
        )
    return s


def fiche_of_block(value: str) -> str | None:
    m = _BLOCK.match(code(value).upper())
    return m.group(1) if m else None


def rome_code(value: str, *, fiche: str | None = None) -> str:
    """A code of any level of the ROME tree: ``K``, ``K12``, ``K1201`` (and ROME v3's ``H1``, ``H2``).

    :raises InvalidValue: for ``M16O7`` (letter O), ``Z9999``, ``K120``.
    """
    s = code(value).upper()
    if not _ROME.match(s):
        message = "not a ROME code (expected a letter A–N alone or followed by two or four digits)"
        raise InvalidValue(message, fiche=fiche, field="ROME", value=value)
    return s


def nsf_code(value: str, *, fiche: str | None = None) -> str:
    """A code of any level of the NSF nomenclature: ``3``, ``33``, ``332``, ``332p`` (letter in lower case).

    :raises InvalidValue: for ``3321``, ``33p``, ``332pp``.
    """
    s = code(value).lower()
    if not _NSF.match(s):
        message = "not an NSF code (expected one to three digits, or three digits and a letter)"
        raise InvalidValue(message, fiche=fiche, field="NSF", value=value)
    return s


def formacode(value: str, *, fiche: str | None = None) -> str:
    s = code(value)
    if not _FORMACODE.match(s):
        raise InvalidValue("not a Formacode (expected five digits)", fiche=fiche, field="Formacode", value=value)
    return s


def parse_date(value: str, *, fiche: str | None = None, field: str = "date") -> date:
    """``dd-mm-yyyy``, ``dd/mm/yyyy`` or ``yyyy-mm-dd``; anything else or an impossible date raises."""
    s = code(value)
    m = _DATE.match(s)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _ISO_DATE.match(s)
        if not m:
            raise InvalidValue("not a date (expected dd-mm-yyyy)", fiche=fiche, field=field, value=value)
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidValue(f"impossible date: {exc}", fiche=fiche, field=field, value=value) from None


def level(value: str, *, fiche: str | None = None) -> int | None:
    """French qualification level 1–8 from ``Niveau 6``, ``NIV6`` or ``6``; ``REPRISE`` → ``None``.

    :raises InvalidValue: for ``Niveau 9``, Roman numerals of the old nomenclature or anything else.
    """
    s = code(value).upper()
    if s in {"REPRISE", ""}:
        return None
    m = re.fullmatch(r"(?:NIVEAU|NIV)?(\d+)", s)
    if not m or not 1 <= int(m.group(1)) <= 8:
        raise InvalidValue("not a qualification level 1–8", fiche=fiche, field="level", value=value)
    return int(m.group(1))


def split_code_label(value: str) -> tuple[str, str | None]:
    """``"332p : Travail social"`` or ``"K1403 - Management…"`` → (code, label)."""
    s = text(value) or ""
    m = re.match(r"^\s*([A-Za-z]?\d+[A-Za-z]?)\s*[:\-–]\s*(.*)$", s)
    if m:
        return m.group(1), (m.group(2).strip() or None)
    return s, None


def siret(value: str) -> str:
    """A SIRET with spaces and TABs removed (validation is SHACL's job, so nothing is lost)."""
    return code(value)


# Free-text lists of the official exports: runs of spaces (and line breaks) mark where the
# original line breaks were; bullets ``*``, ``o``, ``-``, ``•`` start the items.
# (``[ \t\u00a0\u202f]{2,}|[\r\n]+`` written to start with one character class, which lets
# the regex engine skip ahead to candidates: much faster on the long lists of an export)
_ITEM_BREAK = re.compile(r"[ \t\u00a0\u202f\r\n](?:(?<=[\r\n])[\r\n]*|[ \t\u00a0\u202f]+)")
_BULLET = re.compile(r"^(?:[*•●▪◦·\-–—]|o(?=\s))\s*")
_NO_WORD = re.compile(r"^[\W_]*$")
_SENTENCE_END = (".", ":", "!", "?", ";")
_YES_NO = {"oui": True, "non": False}


def split_items(value: str | None, repairs: Repairs | None = None) -> list[str]:
    """Split an export's free-text list into items, one per original line.

    ``"* Gérer le parc    - Répondre aux incidents ;"`` → ``["Gérer le parc", "Répondre aux incidents"]``:
    runs of two or more spaces or line breaks separate items, a leading bullet is dropped, a
    trailing ``;`` is dropped, chunks without a letter or digit are skipped; each item is
    normalised as :func:`text`. A chunk without a bullet that starts in lower case continues
    the previous one when that one does not end a sentence (``"… prise de décision"`` +
    ``"stratégique"``): a line wrapped inside a sentence is not an item.
    """
    if value is None:
        return []
    items: list[str] = []
    closed = True  # did the previous chunk end a sentence (before its ';' was dropped)?
    for chunk in _ITEM_BREAK.split(unicodedata.normalize("NFC", value)):
        stripped = chunk.strip()
        bulleted = False
        while (unbulleted := _BULLET.sub("", stripped, count=1)) != stripped:
            stripped, bulleted = unbulleted, True
        item = text(stripped.rstrip(" ;"), repairs)
        if not item or _NO_WORD.match(item):
            continue
        if items and not bulleted and item[0].islower() and not closed:
            items[-1] = f"{items[-1]} {item}"
        else:
            items.append(item)
        closed = stripped.endswith(_SENTENCE_END)
    return items


# Web addresses. ``www.`` + a host name: dot-separated labels of letters, digits and inner
# hyphens (Unicode letters, so an IDN written in its own script passes), at least two after ``www.``,
# the last not all digits; an optional port.
_HTTP_URL = re.compile(r"^(?P<scheme>https?)://(?P<authority>[^/?#\s]+)(?P<rest>[^\s]*)$", re.IGNORECASE)
_WWW_URL = re.compile(r"^(?P<host>www\.[^/?#\s:]+)(?P<port>:\d{1,5})?(?P<rest>[/?#]\S*)?$", re.IGNORECASE)
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_WWW_HOST = re.compile(rf"^www\.(?:{_LABEL}\.)+(?!\d+\.?$){_LABEL}\.?$", re.IGNORECASE)


class WebAddress(NamedTuple):
    """A normalised web address, and whether ``http://`` had to be added to it."""

    url: str
    scheme_added: bool = False


def url(value: str, *, fiche: str | None = None, field: str = "url") -> WebAddress:
    """An http(s) address, normalised so that one site is always written one way.

    * a bare host gets its root path: ``https://espace-sentein.fr`` → ``https://espace-sentein.fr/``
      (only when the path is empty: ``https://x.fr?q`` → ``https://x.fr/?q``; a path is kept as written);
    * an address without a scheme is accepted only when it starts with ``www.`` and its host is
      valid: ``www.meslay.org`` → ``http://www.meslay.org/`` with ``scheme_added`` set, so that the
      caller reports it (``http``, not ``https``: nothing says the site has TLS; an http address of
      a TLS site redirects, an https address of a plain site fails).

    Anything else raises, as before: the value is text, not an address.

    :raises InvalidValue: for ``meslay.org``, ``www.meslay``, ``Tél : 02…``, ``ftp://…``.
    """
    s = unicodedata.normalize("NFC", value or "").strip()
    if m := _HTTP_URL.match(s):
        scheme, authority, rest, added = m.group("scheme"), m.group("authority"), m.group("rest"), False
    elif (m := _WWW_URL.match(s)) and _WWW_HOST.match(m.group("host")):
        scheme, authority, rest, added = "http", m.group("host") + (m.group("port") or ""), m.group("rest"), True
    else:
        message = "not a web address (expected http(s)://… or www.<host>)"
        raise InvalidValue(message, fiche=fiche, field=field, value=value)
    rest = rest or ""
    return WebAddress(f"{scheme}://{authority}{rest if rest.startswith('/') else '/' + rest}", added)


# "Option « Solutions logicielles et applications métiers »": the heading of one option's list.
_OPTION_HEADING = re.compile(r"^Option\s*[«\"“].*[»\"”]\s*:?$", re.IGNORECASE)


def is_option_heading(item: str) -> bool:
    """``Option « Solutions logicielles et applications métiers »`` (with or without its ``:``)."""
    return bool(_OPTION_HEADING.match(item))


def without_list_headings(items: list[str], repairs: Repairs | None = None) -> list[str]:
    """A list of names (job titles) without the lines that introduce its parts, and without repeats.

    The exports' ``TYPE_EMPLOI_ACCESSIBLES`` runs headings into the list ("Option « … » :",
    "Les dénominations d'emplois concernés sont diverses. … les suivantes :"): a line ending in
    ``:`` introduces a list and is no name (the page loader skips the same lines, see
    ``page_sections.items``), nor is an option heading without its colon. The items are expected
    normalised (:func:`split_items`); an exact repeat (the same title under two options) is kept
    once and counted as ``duplicate-item``. Near-repeats (a typo, a final ``.``) are kept: which
    one is right is not for a loader to guess.
    """
    kept: list[str] = []
    for item in items:
        if item.endswith(":") or _OPTION_HEADING.match(item):
            continue
        if item in kept:
            if repairs is not None:
                repairs["duplicate-item"] += 1
            continue
        kept.append(item)
    return kept


def yes_no(value: str, *, fiche: str | None = None, field: str = "boolean") -> bool:
    """``Oui`` / ``Non`` (any case, spaces ignored) → ``True`` / ``False``.

    :raises InvalidValue: for anything else.
    """
    key = code(value).casefold()
    if key not in _YES_NO:
        raise InvalidValue("not Oui/Non", fiche=fiche, field=field, value=value)
    return _YES_NO[key]


# --- mojibake: UTF-8 bytes read as CP1252 or Latin-1 ("vÃ©rificateur") ---------------------------
# A UTF-8 letter of Latin-1 is two bytes, C2 or C3 then 80–BF; read as CP1252 (Latin-1) they are
# "Â"/"Ã" then one of the characters below; "’", "–", "…", "€" are three bytes (E2 80/82 …),
# "â€"/"â\x80" then one more; "œ" is C5 93, "Å“". French text never has these pairs. "Ã" or "Â"
# before a space or at the end: the A0 byte of "à" or of a no-break space, made a plain space.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONTINUATION = f"\x80-\xbf{_CP1252_HIGH}"
_MOJIBAKE = re.compile(f"[ÂÃ](?:[{_CONTINUATION}]| |$)|â[€\x80‚\x82„\x84][{_CONTINUATION}]|Å[“’\x92\x93]")
_LEADS = "ÂÃâÅ"
#: what the CP1252 characters of bytes 80–9F are (the rest of CP1252 is Latin-1)
_TO_LATIN1 = str.maketrans({ch: chr(ch.encode("cp1252")[0]) for ch in _CP1252_HIGH})


def mojibake(value: str) -> int:
    """How many sequences of ``value`` look like UTF-8 read as CP1252 or Latin-1 (0: none)."""
    return len(_MOJIBAKE.findall(value))


def has_mojibake(text: str) -> bool:
    """Whether ``text`` (a whole page, a table) holds one sequence of :func:`mojibake`.

    Each lead character is looked for with :meth:`str.find` and the pattern tried only there:
    a whole register's tables in a small fraction of one search of the pattern over them
    (benchmarks/README.md).
    """
    for lead in _LEADS:
        at = text.find(lead)
        while at != -1:
            if _MOJIBAKE.match(text, at):
                return True
            at = text.find(lead, at + 1)
    return False


def repair_mojibake(value: str) -> str | None:
    """``vÃ©rificateur`` → ``vérificateur``: ``value`` encoded back to the bytes it was read from
    (CP1252 or Latin-1, character by character) and decoded as UTF-8; then :func:`text`.

    Only when certain: the bytes decode as UTF-8 without error, the result holds no control
    character (but the line breaks and tabs ``value`` has: a multi-line field keeps its lines,
    each normalised), and fewer suspicious sequences than ``value``. ``None`` otherwise (a value mixing
    mojibake with correct accents does not decode: it is reported, not guessed at).
    """
    before = mojibake(value)
    if not before:
        return None
    # "Ã " / "Â " (the A0 byte made a space by :func:`text`): the A0 back, before that space
    restored = re.sub("([ÂÃ])(?= |$)", "\\1\xa0", value)
    try:
        repaired = restored.translate(_TO_LATIN1).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    kept_controls = {"\n", "\t"} & set(value)  # a multi-line field keeps its lines
    if any(unicodedata.category(ch) == "Cc" and ch not in kept_controls for ch in repaired):
        return None
    if mojibake(repaired) >= before:
        return None
    if "\n" in value:
        return "\n".join(line for line in (text(x) for x in repaired.split("\n")) if line)
    return text(repaired)
