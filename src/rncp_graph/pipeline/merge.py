"""Merging sources by fiche number: conflicts are reported, never silently resolved.

Each source keeps its own named graph, so nothing is lost; this module only compares what
several sources say of the same fiche and reports every field on which they disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..model import Fiche, Problem


def _codes(attr: str) -> Callable[[Fiche], object]:
    return lambda f: tuple(sorted(c.code for c in getattr(f, attr)))


#: field name → how to read the comparable value of a fiche (None = not stated, not a conflict)
COMPARED: dict[str, Callable[[Fiche], object]] = {
    "title": lambda f: f.title,
    "status": lambda f: f.status.value if f.status else None,
    "level": lambda f: f.level,
    "expiry_date": lambda f: f.expiry_date,
    "decision_date": lambda f: f.decision_date,
    "rome": _codes("rome"),
    "nsf": _codes("nsf"),
    "formacodes": _codes("formacodes"),
    "blocks": lambda f: tuple(sorted(b.code for b in f.blocks)),
    "certifier_sirets": lambda f: tuple(sorted(c.siret or c.legal_name for c in f.certifiers)),
}


def _show(value: object) -> str:
    """A value as a person reads it: ISO dates, codes joined by spaces, text as is."""
    if isinstance(value, tuple):
        return " ".join(_show(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class FicheFacts:
    """What the build keeps of a fiche once it is mapped: its number, its source and the
    values of the :data:`COMPARED` fields (the fiche objects themselves are not kept when a
    large export is read in worker processes)."""

    number: str
    source: str
    values: dict[str, object]


def facts_of(fiche: Fiche) -> FicheFacts:
    return FicheFacts(fiche.number, fiche.source, {name: read(fiche) for name, read in COMPARED.items()})


def conflicts(facts: Iterable[FicheFacts]) -> list[Problem]:
    """One problem per (fiche, field) on which two sources state different values."""
    by_number: dict[str, list[FicheFacts]] = defaultdict(list)
    for fact in facts:
        by_number[fact.number].append(fact)
    problems = []
    for number in sorted(by_number):
        stated = by_number[number]
        if len(stated) > 1:
            problems.extend(_compare(number, stated))
    return problems


def _compare(number: str, facts: list[FicheFacts]) -> list[Problem]:
    problems = []
    for field in COMPARED:
        stated = [(f.source, value) for f in facts if (value := f.values[field]) not in (None, ())]
        values = {value for _, value in stated}
        if len(values) > 1:
            described = "; ".join(f"{src}: {_show(val)}" for src, val in stated)
            problems.append(
                Problem(
                    file=stated[0][0],
                    fiche=number,
                    field=field,
                    value=described,
                    rule="source-conflict",
                    message=f"sources disagree on {field}",
                    severity="warning",
                    action="kept-both",
                )
            )
    return problems
