"""The saved queries: one ``.rq`` file each under ``queries/``, with a grlc-style header.

A header is the block of ``#+`` lines at the top of the file, read as YAML::

    #+ summary: Certifications that list a ROME code
    #+ description: >
    #+   Every certification whose fiche cites the ROME code ?rome.
    #+ params:
    #+   - name: rome
    #+     type: rome
    #+     example: K1403
    #+ tags:
    #+   - rome

Parameters (types in :data:`~rncp_graph.queries.params.PARAM_TYPES`; ``optional``,
``default``, ``min``, ``max`` and ``description`` are optional keys) are variables of the
query that must appear in its SELECT projection. A query that takes parameters carries the
line ``# @params`` at the top of its WHERE group: that is where a remote run injects the
``VALUES`` block. The name of a query is its file name without ``.rq``; names are unique.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..resources import project_dir
from .errors import QueryError, UnknownQueryError
from .params import ParamSpec, spec_from_header
from .verdicts import checked_columns

log = logging.getLogger(__name__)

#: The line marking where a remote run injects the VALUES block of bound parameters.
MARKER = "# @params"
HEADER_KEYS = ("summary", "description", "params", "tags")
#: libyaml's safe loader when PyYAML was built with it (several times faster on the queries' headers)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_STRIP = re.compile(r'#[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')


@dataclass(frozen=True)
class SavedQuery:
    """One saved query: its file, header and text."""

    name: str
    path: Path
    text: str
    summary: str
    description: str
    params: list[ParamSpec] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    group: str = ""

    @property
    def is_check(self) -> bool:
        """A ``checks/*-violation.rq`` query: it must return no rows on good data."""
        return self.group == "checks" and self.name.endswith("-violation")

    @cached_property
    def columns(self) -> list[str]:
        """The projected variables, in order (the text passed the allow-list, :mod:`.verdicts`)."""
        return checked_columns(self.text, name=self.name)

    def with_values(self, values_block: str) -> str:
        """The text to send to an endpoint: no header, ``values_block`` in place of the :data:`MARKER` line."""
        lines = self.text.splitlines(keepends=True)
        start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
        body = "".join(lines[start:])
        return body.replace(MARKER, values_block, 1) if values_block else body


def parse_header(text: str, *, name: str) -> dict[str, Any]:
    """The YAML of the leading ``#+`` lines; each of :data:`HEADER_KEYS` must be present."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    try:
        header = yaml.load("\n".join(lines), Loader=_SAFE_LOADER) or {}  # a safe loader (C or Python)
    except yaml.YAMLError as exc:
        raise QueryError(f"query {name}: the #+ header is not valid YAML: {exc}") from exc
    missing = [k for k in HEADER_KEYS if k not in header]
    if missing:
        raise QueryError(f"query {name}: header lacks {', '.join('#+ ' + k for k in missing)}")
    if not isinstance(header["params"] or [], list) or not isinstance(header["tags"] or [], list):
        raise QueryError(f"query {name}: #+ params and #+ tags must be lists")
    return dict(header)


def load(path: Path, *, root: Path | None = None) -> SavedQuery:
    """Read and check one ``.rq`` file: header, safety allow-list, parameters, marker."""
    name = path.stem
    if not _NAME.fullmatch(name):
        raise QueryError(f"query file name must be kebab-case: {path.name}")
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, name=name)
    params = [spec_from_header(p, query=name) for p in header["params"] or []]
    group = path.parent.relative_to(root).as_posix() if root is not None and path.parent != root else ""
    query = SavedQuery(
        name=name,
        path=path,
        text=text,
        summary=" ".join(str(header["summary"]).split()),
        description=" ".join(str(header["description"] or "").split()),
        params=params,
        tags=[str(t) for t in header["tags"] or []],
        group=group if group != "." else "",
    )
    _check_params(query)
    return query


def _check_params(query: SavedQuery) -> None:
    columns = query.columns  # runs the safety allow-list
    for spec in query.params:
        if spec.name not in columns:
            raise QueryError(f"query {query.name}: parameter ?{spec.name} must be in the SELECT projection")
    for spec in query.params:
        if re.search(rf"BOUND\s*\(\s*\?{spec.name}\s*\)", _STRIP.sub(" ", query.text), re.IGNORECASE):
            raise QueryError(
                f"query {query.name}: BOUND(?{spec.name}) on a parameter: Oxigraph 0.5.13 evaluates it as false "
                f"under substitutions; write COALESCE(<test on ?{spec.name}>, true) instead"
            )
    count = sum(1 for line in query.text.splitlines() if line.strip() == MARKER)
    if query.params and count != 1:
        raise QueryError(f"query {query.name}: needs exactly one '{MARKER}' line (found {count})")
    if query.params and marker_depth(query.text) != 1:
        raise QueryError(f"query {query.name}: '{MARKER}' must be at the top level of the WHERE group")


def marker_depth(text: str) -> int:
    """How deep in ``{ }`` the marker line sits (1 = the top-level WHERE group)."""
    before = text.split("\n" + _marker_line(text), 1)[0]
    body = _STRIP.sub(" ", before)
    return body.count("{") - body.count("}")


def _marker_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip() == MARKER), MARKER)


def queries_root() -> Path:
    """The project's ``queries/`` folder."""
    return project_dir("queries")


def discover(root: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query under ``root`` (default: the project's), by name; names must be unique.

    Parsed files are cached until one of them changes (name, size and modification time).
    """
    base = root or queries_root()
    return dict(_load_all(base, _signature(_paths(base))))


def _paths(base: Path) -> list[Path]:
    return sorted(base.rglob("*.rq"), key=lambda p: (p.parent != base, p.parent.name, p.name))


def _signature(paths: list[Path]) -> tuple[tuple[Path, int, int], ...]:
    return tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


@lru_cache(maxsize=16)
def _load_all(base: Path, signature: tuple[tuple[Path, int, int], ...]) -> dict[str, SavedQuery]:
    found: dict[str, SavedQuery] = {}
    for path, _, _ in signature:
        query = load(path, root=base)
        if query.name in found:
            raise QueryError(f"two saved queries are named {query.name}: {found[query.name].path} and {path}")
        found[query.name] = query
    log.debug("%d saved queries under %s", len(found), base)
    return found


def get(name: str, root: Path | None = None) -> SavedQuery:
    """The saved query called ``name`` (``fiche-summary``), or :class:`UnknownQueryError`.

    Only that query's file is read (``rncp-graph query`` does not parse the other headers); a
    name held by two files is refused, as by :func:`discover`.
    """
    base = root or queries_root()
    key = Path(name).stem
    paths = [p for p in _paths(base) if p.stem == key]
    if not paths:
        raise UnknownQueryError(f"no saved query named {name!r} (see: rncp-graph queries)")
    if len(paths) > 1:
        raise QueryError(f"two saved queries are named {key}: {paths[0]} and {paths[1]}")
    return _load_all(base, _signature(paths))[key]
