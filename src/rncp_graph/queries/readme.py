"""``queries/README.md``: the catalogue of saved queries, generated from their headers.

Regenerate it with ``rncp-graph queries --write-readme``; a test fails when it is stale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..exports.atomic import write_bytes
from .catalogue import MARKER, SavedQuery, discover, queries_root

log = logging.getLogger(__name__)

REGENERATE = "rncp-graph queries --write-readme"

INTRO = f"""\
# Saved queries

<!-- Generated from the #+ headers of the .rq files by `{REGENERATE}`; do not edit by hand. -->

One SPARQL query per `.rq` file, with a grlc-style header (`#+ summary:`, `#+ description:`,
`#+ params:`, `#+ tags:`). Run one with

```sh
rncp-graph queries                                  # this list
rncp-graph query certifications-sharing-rome --param rome=K1403
rncp-graph query fiche-summary --format csv --graph out/rncp.nt
rncp-graph query fiche-summary --endpoint http://127.0.0.1:7878/query
rncp-graph check out/rncp.nt                        # every checks/*-violation.rq; exit 1 if any returns rows
```

or from Python with `rncp_graph.queries.run(name, params, target=store)`.

Parameters are typed and validated (`rome` K1403, `nsf` 332p, `formacode` 44047, `fiche`
RNCP34808, `block` RNCP34808BC01, `siret` 14 digits, `date` 2026-01-01, `integer`, `iri`,
`string`), then bound — pyoxigraph substitutions, rdflib `initBindings`, or, on a remote
endpoint, their N-Triples form in a `VALUES` block put at the query's `{MARKER}` line.
Every query must be a SELECT without `SERVICE`, `FROM` / `FROM NAMED` or any update.
Queries under `checks/` return the rows that break a rule: none on good data.
Remote failures (timeout, HTTP error, a page that is not SPARQL JSON, refused connection)
end `rncp-graph query` with exit code 5, never with an empty result.

## Writing a query

Each rule below comes from a difference met between Oxigraph, rdflib and SPARQLWrapper
(details in `src/rncp_graph/queries/local.py`); the tests run every case on both local
engines and on a real Oxigraph server and compare the rows.

- Project every parameter, and put the line `{MARKER}` at the top of the WHERE group.
- Use `DISTINCT` and `COUNT(DISTINCT ...)`, and sum over a `DISTINCT` sub-query: the union
  default graph of a store repeats a triple that several sources hold (Oxigraph 0.5.13).
- Test an optional parameter with `COALESCE(<test>, true)`, never `BOUND(?param)`.
- Concatenate a sorted list from an ordered sub-query; let that sub-query project the
  parameter, so that Oxigraph substitutes it there (a look-up stays in milliseconds).
- Oxigraph plans a query before it substitutes the parameters: start from the parameter's
  own pattern and move wide patterns (the class of a node) into `FILTER EXISTS`
  (fiche-summary on one fiche of 10,000: 1 ms instead of 95 ms).
- Aggregate terms (`MIN(?title)`), not `STR()` of a value that may be unbound (rdflib).
- Add its expected rows to `tests/queries_expected.yaml`: a case on the sample graph and,
  for a check, a case on hand-made bad data where it finds something; then run
  `{REGENERATE}`.
"""


#: Section titles of the folders under ``queries/``.
GROUP_TITLES = {
    "": "Queries",
    "checks": "Checks — `checks/*-violation.rq` return no rows on good data",
    "linking": "Linking — ESCO and EQF",
}


def render_readme(queries: Iterable[SavedQuery]) -> str:
    """The Markdown catalogue: one section per folder, one entry per query."""
    by_group: dict[str, list[SavedQuery]] = {}
    for query in sorted(queries, key=lambda q: (q.group, q.name)):
        by_group.setdefault(query.group, []).append(query)
    parts = [INTRO]
    for group, items in by_group.items():
        parts.append(f"\n## {GROUP_TITLES.get(group, group)}\n\n")
        parts.append("| query | summary | parameters | tags |\n|---|---|---|---|\n")
        parts.extend(_row(q) for q in items)
        for query in items:
            parts.append("\n" + "\n".join(_entry(query)) + "\n")
    return "".join(parts)


def _row(query: SavedQuery) -> str:
    params = ", ".join(f"`{p.name}`{'?' if p.optional else ''}: {p.type}" for p in query.params) or "—"
    return f"| [`{query.name}`](#{query.name}) | {query.summary} | {params} | {', '.join(query.tags)} |\n"


def _entry(query: SavedQuery) -> Iterator[str]:
    path = query.path.relative_to(query.path.parents[1] if query.group else query.path.parent)
    yield f"### {query.name}"
    yield ""
    yield f"`{path.as_posix()}` — {query.summary}"
    yield ""
    yield query.description
    if query.params:
        yield ""
        for p in query.params:
            extra = "optional" if p.optional else "required"
            if p.default is not None:
                extra += f", default `{p.default}`"
            example = f", e.g. `{p.example}`" if p.example is not None else ""
            yield f"- `{p.name}` ({p.type}, {extra}{example}){': ' + p.description if p.description else ''}"
    yield ""
    yield f"Columns: {', '.join(f'`{c}`' for c in query.columns)}."


def readme_path(root: Path | None = None) -> Path:
    return (root or queries_root()) / "README.md"


def write_readme(root: Path | None = None) -> Path:
    """Regenerate ``queries/README.md`` from the headers (atomically) and return its path."""
    path = readme_path(root)
    write_bytes(path, render_readme(discover(root).values()).encode("utf-8"))
    log.info("wrote %s", path)
    return path
