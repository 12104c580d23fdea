"""The options of the commands that print a SHACL report (``validate``, ``update``)."""

from __future__ import annotations

import click

from .choices import REPORT_FORMATS, SEVERITIES

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="text for people, ttl for the standard sh:ValidationReport, json for a flat list.",
)
severity_option = click.option(
    "--severity",
    type=click.Choice(SEVERITIES),
    default="warning",
    show_default=True,
    help="Lowest severity listed (totals count all).",
)
as_of_option = click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date taken as today (default: today)."
)
