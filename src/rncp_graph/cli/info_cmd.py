"""``rncp-graph info``: what a built graph holds (no import of the build pipeline)."""

from __future__ import annotations

from pathlib import Path

import click

from ..info import default_local_graph, describe
from . import main


@main.command("info")
@click.argument("graph", type=click.Path(exists=True, path_type=Path), required=False)
def info_command(graph: Path | None) -> None:
    """Counts per class of a built graph (an .nt / .ttl file, an on-disk store folder, or an
    output folder of build: its rncp.nt).

    Without GRAPH: the default graph of query and sparql (see their --help). The counts are
    kept in $XDG_CACHE_HOME/rncp-graph/graph-counts.json with the graph's signature (its files'
    names, inodes, sizes and times): the next info of an unchanged graph does not open it.

    \b
    Examples:
      rncp-graph info                                   # the graph of the last build
      rncp-graph info out/rncp.nt
    """
    for text in describe(graph if graph is not None else default_local_graph()):
        click.echo(text)
