"""``rncp-graph build`` and ``rncp-graph info``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..build import DEFAULT_SOURCES, build
from ..info import describe, summary_lines
from . import EXIT_QUARANTINED, EXIT_VIOLATIONS, main


@main.command("build")
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Output folder.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="Keep an on-disk Oxigraph store here.")
@click.option("--report", is_flag=True, help="Also write coverage.json: recognised and unknown sections per fiche.")
@click.pass_context
def build_command(ctx: click.Context, paths: tuple[str, ...], out: Path, store_path: Path | None, report: bool) -> None:
    """Build the graph from fiche sources and write it to OUT.

    PATH is a file, a folder or a glob of fiche pages (default: data/fiches/).
    Writes rncp.ttl (Turtle with prefixes), rncp.nt (canonical: sorted, deduplicated
    N-Triples), manifest.json (inputs, fiches loaded / quarantined, instances per class)
    and errors.jsonl (every problem: file, fiche, field, value, rule, action).
    """
    result = build(
        paths or DEFAULT_SOURCES, out=out, store_path=store_path, report=report, progress=ctx.obj["progress"]
    )
    for text in summary_lines(result):
        click.echo(text)
    if result.validation is not None and not result.validation.get("conforms", True):
        sys.exit(EXIT_VIOLATIONS)
    if result.fiches_quarantined:
        sys.exit(EXIT_QUARANTINED)


@main.command("info")
@click.argument("graph", type=click.Path(exists=True, path_type=Path), default=Path("out/rncp.nt"))
def info_command(graph: Path) -> None:
    """Counts per class of a built graph (an .nt / .ttl file or an on-disk store folder)."""
    for text in describe(graph):
        click.echo(text)
