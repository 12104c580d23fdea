"""Renderings of a :class:`~rncp_graph.validate.report.Report`: text for people, the SHACL report graph."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

import rdflib
from rdflib.namespace import RDF, SH

from ..terms import string
from .report import NO_FICHE, Result, Severity, compact

if TYPE_CHECKING:
    from .report import Report

_IRI = re.compile(r"<[^<>\s]*>")
VALUE_WIDTH = 60
FICHES_SHOWN = 5


def render(report: Report) -> str:
    """The report as text: a header, then per fiche and per rule one line per result, then totals."""
    return "\n".join(_lines(report)) + "\n"


def _lines(report: Report) -> Iterator[str]:
    stats = report.stats
    yield f"SHACL validation as of {report.as_of.isoformat()}: {report.summary()}"
    if "nodes" in stats:  # validate_nodes: the results on chosen nodes only
        yield f"(the results on {stats['nodes']} nodes only, {stats.get('seconds', 0.0):.1f} s)"
    elif stats:
        yield (
            f"({stats.get('fiches', 0)} fiches in {stats.get('units', 0)} units, "
            f"{stats.get('cached', 0)} from the cache, strategy {stats.get('strategy', '?')}, "
            f"{stats.get('seconds', 0.0):.1f} s)"
        )
    by_fiche: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_fiche[fiche_list(result.fiches)].append(result)
    for fiche in sorted(by_fiche, key=lambda f: (f == NO_FICHE, f)):
        yield ""
        yield from _fiche_block(report, fiche, by_fiche[fiche])
    yield ""
    yield _totals_line(report)


def _fiche_block(report: Report, fiche: str, results: list[Result]) -> Iterator[str]:
    counts = Counter(r.severity for r in results)
    parts = [f"{counts[s]} {s.label.lower()}{'s' if counts[s] != 1 else ''}" for s in sorted(counts, reverse=True)]
    yield f"{fiche} — {', '.join(parts)}"
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_rule[result.shape].append(result)
    for shape in sorted(by_rule, key=lambda s: (-max(r.severity for r in by_rule[s]), s)):
        rows = by_rule[shape]
        yield f"  {compact(f'<{shape}>')} — {report.rule_name(shape)} ({len(rows)})"
        for row in sorted(rows, key=Result.sort_key):
            yield "    " + result_line(row)


def fiche_list(fiches: tuple[str, ...], most: int = FICHES_SHOWN) -> str:
    """``RNCP1, RNCP2`` — or ``RNCP1, RNCP2, RNCP3 and 12 more`` beyond ``most``."""
    if not fiches:
        return NO_FICHE
    shown = ", ".join(fiches[:most])
    return shown if len(fiches) <= most else f"{shown} and {len(fiches) - most} more"


def result_line(result: Result) -> str:
    """One result: severity, fiche, focus, path, value, French and English messages."""
    value = compact(result.value) if result.value else "-"
    if len(value) > VALUE_WIDTH:
        value = value[: VALUE_WIDTH - 1] + "…"
    fiche = fiche_list(result.fiches).replace(", ", ",") if result.fiches else "-"
    path = compact(result.path) if result.path else "-"
    return (
        f"{result.severity.label:<9} {fiche}  {compact(result.focus)}  {path}  {value}  "
        f"{result.message_fr} | {result.message_en}"
    )


def _totals_line(report: Report) -> str:
    totals = report.totals
    text = "Totals: " + ", ".join(f"{n} {label.lower()}{'s' if n != 1 else ''}" for label, n in totals.items())
    hidden = sum(report.hidden.values())
    if hidden:
        text += f" ({hidden} below {report.threshold.label.lower()} not listed; use --severity info to see them)"
    return text + (" — conforms" if report.conforms else " — does NOT conform")


def report_graph(report: Report) -> rdflib.Graph:
    """The standard SHACL validation report (``sh:ValidationReport``) for ``report``."""
    lines = [
        f"_:report <{RDF.type}> <{SH.ValidationReport}> .",
        f'_:report <{SH.conforms}> "{str(report.conforms).lower()}"^^<http://www.w3.org/2001/XMLSchema#boolean> .',
    ]
    for n, result in enumerate(report.results):
        lines.extend(_result_lines(f"_:r{n}", result))
    graph = rdflib.Graph()
    graph.parse(data="\n".join(lines) + "\n", format="nt")
    return graph


def _result_lines(node: str, r: Result) -> list[str]:
    out = [
        f"_:report <{SH.result}> {node} .",
        f"{node} <{RDF.type}> <{SH.ValidationResult}> .",
        f"{node} <{SH.focusNode}> {r.focus} .",
        f"{node} <{SH.resultSeverity}> <{r.severity.iri}> .",
        f"{node} <{SH.sourceShape}> {r.shape if r.shape.startswith('_:') else f'<{r.shape}>'} .",
        f"{node} <{SH.sourceConstraintComponent}> <{r.component}> .",
    ]
    if r.value:
        out.append(f"{node} <{SH.value}> {r.value} .")
    if _IRI.fullmatch(r.path.removeprefix("^")):  # other paths (sequences...) are not written back
        if r.path.startswith("^"):
            out += [f"{node} <{SH.resultPath}> {node}p .", f"{node}p <{SH.inversePath}> {r.path[1:]} ."]
        else:
            out.append(f"{node} <{SH.resultPath}> {r.path} .")
    for message, lang in ((r.message_fr, "fr"), (r.message_en, "en")):
        if message:
            out.append(f"{node} <{SH.resultMessage}> {string(message)}@{lang} .")
    return out


__all__ = ["Severity", "fiche_list", "render", "report_graph", "result_line"]
