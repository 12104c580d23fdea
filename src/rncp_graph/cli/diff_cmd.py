"""``rncp-graph diff``: what changed between two exports."""

from __future__ import annotations

from pathlib import Path

import click

from ..pipeline.diff import FORMATS, diff_exports
from . import main


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True, help="Output format."
)
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """Compare two exports (XML or CSV, file, zip or folder) fiche by fiche.

    Lists the fiches that appeared or disappeared, and per fiche a changed status, level or
    title, ROME codes added (+) or removed (−), blocks added, removed or retitled (~).
    Exit code 0 whether or not they differ; 2 when an export is damaged.
    """
    click.echo(FORMATS[fmt](diff_exports([old], [new])))
