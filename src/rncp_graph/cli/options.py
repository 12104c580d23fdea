"""The options several commands share, each defined once: ``--jobs``, ``--store``, ``--strategy``,
and those of the commands that print a SHACL report (``--format``, ``--severity``, ``--as-of``).

Only click and :mod:`.choices` are imported here: a command's ``--help`` loads no library module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .choices import REPORT_FORMATS, SEVERITIES, STRATEGIES

F = TypeVar("F", bound=Callable[..., Any])

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


def jobs_option(help_text: str) -> Callable[[F], F]:
    """``-j/--jobs N`` (``jobs``: an int ≥ 1, or None for all cores); ``help_text`` says what runs on them."""
    return click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=None, show_default="all cores", help=help_text
    )


def store_option(help_text: str, *, required: bool = False, exists: bool = False) -> Callable[[F], F]:
    """``--store FOLDER`` (``store_path``), an on-disk Oxigraph store; ``exists``: it must be there."""
    kind = click.Path(exists=exists, file_okay=False, path_type=Path)
    return click.option("--store", "store_path", type=kind, required=required, help=help_text)


def strategy_option(help_text: str) -> Callable[[F], F]:
    """``--strategy`` (:data:`rncp_graph.validate.STRATEGIES`, default ``sparql``)."""
    return click.option(
        "--strategy", type=click.Choice(STRATEGIES), default="sparql", show_default=True, help=help_text
    )
