"""``rncp-graph validate``: SHACL validation of a built graph or of sources."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import EXIT_OK, EXIT_VIOLATIONS, main
from .choices import STRATEGIES
from .report_options import as_of_option, format_option, severity_option


@main.command("validate")
@click.argument("paths", nargs=-1, metavar="[GRAPH | SOURCES...]")
@format_option
@severity_option
@as_of_option
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, show_default="all cores")
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=Path("out/.shacl-cache"),
    show_default=True,
    help="Results of unchanged fiches are read from here.",
)
@click.option("--no-cache", is_flag=True, help="Validate everything again, store nothing.")
@click.option(
    "--strategy",
    type=click.Choice(STRATEGIES),
    default="sparql",
    show_default=True,
    help="sparql: the shapes compiled to SPARQL, run by Oxigraph on the whole store (fastest); "
    "per-fiche: pyshacl fiche by fiche, in --jobs processes, cached; whole: pyshacl on the whole graph "
    "(the reference). All three give the same report.",
)
@click.pass_context
def validate_command(ctx: click.Context, /, paths: tuple[str, ...], fmt: str, **options: Any) -> None:
    """Validate GRAPH (an .nt / .ttl file, a store folder or an output folder of build: its
    rncp.nt; default out/rncp.nt) or build SOURCES first, with the SHACL shapes of shapes/.
    Exit 0: conforms (warnings allowed); 1: violations; 2: bad input (nothing to validate: a
    folder with no graph and no source, sources of which no fiche loads) or bad shapes;
    3: internal error.
    """
    as_of: datetime | None = options.pop("as_of")
    cache_dir = None if options.pop("no_cache") else options.pop("cache_dir")
    options.pop("cache_dir", None)
    from ..pipeline.stages import available_cores
    from ..validate import validate
    from .validate_inputs import open_source

    options["jobs"] = options["jobs"] or available_cores()
    store = open_source(paths, progress=ctx.obj["progress"])
    report = validate(
        store, as_of=as_of.date() if as_of else None, cache_dir=cache_dir, progress=ctx.obj["progress"], **options
    )
    click.echo(report.render(fmt), nl=False)
    sys.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)
