"""The project's exceptions, rooted at :class:`RNCPGraphError`.

Each carries the file, fiche number, field and value it is about; the CLI alone maps them
to exit codes (see ``rncp_graph.cli``).
"""

from __future__ import annotations

from typing import Any


class RNCPGraphError(Exception):
    """Base class of every error the project raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        fiche: str | None = None,
        field: str | None = None,
        value: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.fiche = fiche
        self.field = field
        self.value = value
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [
            f"{name} {val!r}" if name in {"field", "value"} else f"{name} {val}"
            for name, val in (
                ("file", self.file),
                ("line", self.line),
                ("fiche", self.fiche),
                ("field", self.field),
                ("value", self.value),
            )
            if val is not None
        ]
        return f"{self.message} ({', '.join(where)})" if where else self.message


class InputError(RNCPGraphError):
    """Bad input: a value or a fiche that cannot be read. The fiche or field is quarantined."""


class InvalidValue(InputError):
    """One field holds a value that breaks a rule (impossible date, Niveau 9, bad code...)."""


class StructuralError(RNCPGraphError):
    """The source itself is damaged (empty file, truncated XML, wrong CSV header, wrong encoding).

    The run aborts before anything is written.
    """


class EmptyInput(StructuralError):
    """The file is empty, or holds only a BOM or whitespace."""


class NothingLoaded(StructuralError):
    """The sources were read but no fiche could be loaded (every one quarantined): an export
    of that would replace a good graph by an empty one, so nothing is written.

    ``problems`` holds what the loaders reported (why each fiche was quarantined).
    """

    def __init__(self, message: str, *, problems: list[Any] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message)


class OutputError(RNCPGraphError, OSError):
    """An output cannot be written: the disk is full, the file too large, the folder read-only
    or not a folder. What was there is kept. Also an :class:`OSError` with the failure's ``errno``."""

    def __str__(self) -> str:  # OSError's would be "[Errno 28] No space left on device" alone
        return self.describe()


class InvalidIRI(RNCPGraphError):
    """An identifier cannot be turned into a valid IRI."""


class QueryError(RNCPGraphError):
    """A saved query or a parameter is invalid, or an endpoint failed."""


class ValidationFailure(RNCPGraphError):
    """SHACL validation could not run (bad shapes, engine failure) — never "does not conform"."""
