"""``rncp-graph update``: changed fiches into a built on-disk store, and their revalidation."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..store import GraphStore, is_store
from . import EXIT_OK, main, outcome_code
from .choices import FEW, MAX_SHARE
from .report_options import as_of_option, format_option, severity_option

if TYPE_CHECKING:
    from ..pipeline.update import Update


@main.command("update")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--store",
    "store_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="The on-disk store a build kept (rncp-graph build --store).",
)
@click.option("--validate/--no-validate", default=True, show_default=True, help="Revalidate what the change reaches.")
@as_of_option
@format_option
@severity_option
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, show_default="all cores", help="Threads revalidating."
)
@click.option(
    "--max-share",
    type=click.FloatRange(min=0),
    default=MAX_SHARE,
    show_default=True,
    help=f"Refuse (exit 2) an update of more than this share of the store's fiches (and more than {FEW}): "
    "a build is faster. 1: never refuse.",
)
@click.pass_context
def update_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    store_path: Path,
    validate: bool,
    as_of: datetime | None,
    fmt: str,
    severity: str,
    jobs: int | None,
    max_share: float,
) -> None:
    """Put the fiches of PATH into a built store in place of those of the same number, then
    revalidate the nodes the change can reach, without reading the other sources again.

    PATH is a fiche page, an XML or a CSV export (a file, folder or glob) holding the changed
    fiches. Each fiche is taken out of the source graphs that hold it (its certification and
    the nodes only it owns) and the file is loaded into its own source graph, which says what it
    supersedes; a fiche new to the store is added. Everything is read before the store is
    changed, and then in one transaction: a damaged file, one fiche in two files, or an update
    of more than --max-share of the store's fiches (a build is faster) changes nothing
    (exit 2); interrupted at any point, even by kill -9, the store is as it was. The report lists the results of the
    shapes on the revalidated nodes: they are those a whole validation gives on them
    (rncp-graph validate STORE gives the whole report). What only the old version of a fiche
    said of a node other fiches still link to (an organisation's former name under the same
    SIRET) stays until the next build. Exports are not rewritten: run
    rncp-graph build again to publish.

    \b
    Examples:
      rncp-graph build export.zip --store store/ --out out/
      rncp-graph update --store store/ pages/RNCP35340.txt
      rncp-graph update --store store/ fiches-du-jour.xml --format json > report.json

    Exit 0: done, the revalidated nodes conform; 1: violations on them; 2: bad input, store
    unchanged; 4: done, but some fiches or fields were quarantined.
    """
    if not is_store(store_path):
        raise click.BadParameter(
            f"{store_path} is not an Oxigraph store: build one with rncp-graph build SOURCES --store {store_path}",
            param_hint="--store",
        )
    from ..pipeline.update import update  # the pipeline, imported when an update runs (not for --help)

    result = update(
        GraphStore(store_path),
        paths,
        validate=validate,
        as_of=as_of.date() if as_of else None,
        severity=severity,
        jobs=jobs,
        max_share=max_share,
    )
    quiet = ctx.obj.get("quiet")
    report = result.report
    if fmt == "text":
        if not quiet:
            for text in summary_lines(result):
                click.echo(text)
        if report is not None and report.results:
            click.echo(report.render(fmt), nl=False)
    else:
        if not quiet:
            for text in summary_lines(result):
                click.echo(text, err=True)
        if report is not None:
            click.echo(report.render(fmt), nl=False)
    code = outcome_code(conforms=report is None or report.conforms, complete=result.complete)
    if code != EXIT_OK:
        sys.exit(code)


def summary_lines(result: Update) -> Iterator[str]:
    """What the update did, one line per source and per fiche, then the revalidation and the times."""
    for record in result.sources:
        yield f"{record.file}: {record.fiches} fiche(s) into {record.graph}"
    for name, why in result.skipped.items():
        yield f"{name}: {why}; nothing to do"
    for change in result.changes:
        where = f"out of {len(change.graphs)} graph(s), " if change.graphs else ""
        yield f"  {change.number} {change.kind}: {where}{change.removed} quads out, {change.added} triples in"
    for graph in result.dropped_graphs:
        yield f"dropped {graph}: no certification left in it"
    if result.problems:
        errors = sum(1 for p in result.problems if p.severity == "error")
        yield f"problems: {len(result.problems)} ({errors} errors)"
        for problem in result.problems:
            yield "  " + " · ".join(f"{k}: {v}" for k, v in problem.as_dict().items())
    if result.report is not None:
        yield f"revalidated {len(result.affected)} nodes: {result.report.summary()}"
    if result.timings:
        yield "time: " + " · ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result.timings.items())
