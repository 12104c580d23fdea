"""The options of the commands that print a SHACL report (``validate``, ``update``)."""

from __future__ import annotations

import click

from ..validate.report import FORMATS, Severity

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text for people, ttl for the standard sh:ValidationReport, json for a flat list.",
)
severity_option = click.option(
    "--severity",
    type=click.Choice([s.name.lower() for s in sorted(Severity, reverse=True)]),
    default="warning",
    show_default=True,
    help="Lowest severity listed (totals count all).",
)
as_of_option = click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date taken as today (default: today)."
)
