"""Reading the child elements of one ``FICHE`` of the XML export: texts, dates, booleans, records.

Every reader goes through a :class:`FicheContext`, which knows the fiche being built and the
:class:`~rncp_graph.loaders.export_common.SourceLog` of the source, so a bad value becomes a
problem naming the fiche, the element and its line, and an unexpected child element is
reported (once per name) instead of being skipped silently.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import cast

from lxml import etree

from .. import normalise
from ..model import Fiche
from .export_common import SourceLog

Element = etree._Element


def line_of(el: Element) -> int | None:
    """The line an element starts on (``None`` when lxml does not know it)."""
    return cast("int | None", el.sourceline)


_HTML_BREAK = re.compile(r"<\s*/?\s*(?:li|br|p|ul|ol|div|tr|h\d)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


@dataclass
class FicheContext:
    """The fiche being read and where its problems go."""

    report: SourceLog
    fiche: Fiche

    @property
    def number(self) -> str:
        return self.fiche.number

    def raw(self, el: Element) -> str | None:
        """The element's text (nested elements' text included, separated as line breaks were).

        HTML markup some producers leave in free text (``<li>``, ``<br>``…) becomes item breaks
        and is counted as a repair.
        """
        value = "  ".join(t for t in el.itertext() if isinstance(t, str)) if len(el) else el.text
        if value and "<" in value and _HTML_TAG.search(value):
            self.report.repairs["html-markup"] += 1
            value = html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("  ", value)))
        return value

    def text(self, el: Element) -> str | None:
        """The element's text, normalised (:func:`normalise.text`)."""
        return self.report.text(self.raw(el))

    def items(self, el: Element) -> list[str]:
        """A free-text list split into items (:func:`normalise.split_items`)."""
        return normalise.split_items(self.raw(el), self.report.repairs)

    def date(self, el: Element) -> date | None:
        raw = self.raw(el)
        if raw is None or not raw.strip():
            return None
        return self.report.attempt(
            "invalid-date", lambda: normalise.parse_date(raw, fiche=self.number, field=str(el.tag)), line=line_of(el)
        )

    def boolean(self, el: Element) -> bool | None:
        raw = self.raw(el)
        if raw is None or not raw.strip():
            return None
        return self.report.attempt(
            "invalid-boolean", lambda: normalise.yes_no(raw, fiche=self.number, field=str(el.tag)), line=line_of(el)
        )

    def integer(self, el: Element, *, low: int = 0, high: int | None = None) -> int | None:
        """A whole number (``85``, ``85 %``); a decimal rate is rounded and counted."""
        raw = self.raw(el)
        if raw is None or not raw.strip():
            return None
        s = normalise.code(raw).rstrip("%").replace(",", ".")
        try:
            value = int(s) if s.isdigit() else round(float(s))
        except ValueError:
            value = None
        if value is not None and s != str(value):
            self.report.repairs["number-rounded"] += 1
        if value is None or value < low or (high is not None and value > high):
            bounds = f"{low}–{high}" if high is not None else f"≥ {low}"
            self.problem("invalid-number", f"not a whole number {bounds}", el, value=raw)
            return None
        return value

    def problem(self, rule: str, message: str, el: Element, *, value: str | None = None) -> None:
        """Report a problem about ``el`` (field = element name, line = its line): its value dropped."""
        self.report.add(rule, message, fiche=self.number, field=str(el.tag), value=value, line=line_of(el))

    def children(self, el: Element) -> Iterator[Element]:
        """Element children only (comments and processing instructions are removed by the parser)."""
        for child in el:
            if isinstance(child.tag, str):
                yield child

    def records(self, el: Element, *tags: str) -> list[Element]:
        """The children named ``tags`` (``CODES_ROME`` → its ``ROME``); any other child is reported."""
        found = []
        met = self.report.met
        for child in self.children(el):
            met[f"{el.tag}/{child.tag}"] += 1
            if child.tag in tags:
                found.append(child)
            else:
                self.unknown(el, child)
        return found

    def fields(self, el: Element, known: frozenset[str]) -> dict[str, Element]:
        """The children of a record by name (the first of each); unknown children are reported."""
        found: dict[str, Element] = {}
        met = self.report.met
        for child in self.children(el):
            met[f"{el.tag}/{child.tag}"] += 1
            if child.tag in known:
                found.setdefault(str(child.tag), child)
            else:
                self.unknown(el, child)
        return found

    def field_text(self, found: dict[str, Element], name: str) -> str | None:
        el = found.get(name)
        return self.text(el) if el is not None else None

    def unknown(self, parent: Element, child: Element) -> None:
        self.report.unknown_element(f"{parent.tag}/{child.tag}", fiche=self.number, line=line_of(child))
