"""Mojibake in a loaded fiche: every text field checked, reported, and repaired when certain.

UTF-8 text read as CP1252 or Latin-1 (``vÃ©rificateur``; an XML export declared ISO-8859-1
that holds UTF-8 bytes) is valid text to every parser: nothing fails, the graph gets the
garbled words. The loaders look for it once per page, per CSV table, per XML ``FICHE`` element
(:func:`~rncp_graph.normalise.has_mojibake`, one regular-expression scan); only a fiche whose
source holds some is walked here, field by field. Each field found is one problem, rule
``mojibake``, naming the file, the fiche, the field (``blocks[1].title``) and the value as read:

* repaired (:func:`~rncp_graph.normalise.repair_mojibake`: the bytes decode back as UTF-8 and
  the result is cleaner): a warning, action ``repaired``, counted in ``repairs["mojibake"]``;
* not certain (a value mixing mojibake and correct accents): an error, action ``kept``: the
  value is in the graph as the source gives it, and the exit code says the graph lost text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import MutableMapping
from typing import Any

from .. import normalise
from ..model import Fiche, ProblemAction, ProblemLog, ProblemSeverity

RULE = "mojibake"
_REPAIRED = "mojibake (UTF-8 read as CP1252 or Latin-1): read as {!r}"
_KEPT = "looks like mojibake (UTF-8 read as CP1252 or Latin-1) but does not decode back cleanly; kept as given"


def check_fiche(
    fiche: Fiche, *, problems: ProblemLog, repairs: MutableMapping[str, int], line: int | None = None
) -> None:
    """Report every text field of ``fiche`` that holds mojibake (in the source's ``problems``),
    and repair it in place when certain."""
    walk = _Walk(fiche.number, line, problems, repairs)
    for name, value in vars(fiche).items():
        fixed = walk.checked(value, name)
        if fixed is not value:
            setattr(fiche, name, fixed)


@dataclasses.dataclass
class _Walk:
    """Where the problems of one fiche go."""

    number: str
    line: int | None
    problems: ProblemLog
    repairs: MutableMapping[str, int]

    def checked(self, value: Any, path: str) -> Any:
        """``value`` (a string, a list, a model object) repaired where certain; the same object when unchanged."""
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, list):
            items = [self.checked(v, f"{path}[{i}]") for i, v in enumerate(value)]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                old = getattr(value, f.name)
                if (new := self.checked(old, f"{path}.{f.name}")) is not old:
                    changes[f.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value

    def string(self, value: str, path: str) -> str:
        if not normalise.mojibake(value):
            return value
        repaired = normalise.repair_mojibake(value)
        if repaired is None:
            self.add(_KEPT, path, value, ProblemSeverity.ERROR, ProblemAction.KEPT)
            return value
        self.add(_REPAIRED.format(repaired), path, value, ProblemSeverity.WARNING, ProblemAction.REPAIRED)
        self.repairs[RULE] = self.repairs.get(RULE, 0) + 1
        return repaired

    def add(self, message: str, path: str, value: str, severity: ProblemSeverity, action: ProblemAction) -> None:
        self.problems.add(
            RULE, message, fiche=self.number, field=path, value=value, line=self.line, severity=severity, action=action
        )
