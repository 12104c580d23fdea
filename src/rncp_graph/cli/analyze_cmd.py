"""``rncp-graph analyze KIND``: similarity networks, lineage and equivalence paths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import main
from .choices import ANALYSIS_FORMATS, ANALYSIS_KINDS, COMMUNITY_METHODS, MAX_EDGES, REDUCTIONS, TABLE_FORMATS

if TYPE_CHECKING:  # networkx, scipy and matplotlib come with the analysis, imported when it runs
    from ..analysis.run import Options


@main.command("analyze")
@click.argument("kind", type=click.Choice(ANALYSIS_KINDS))
@click.option(
    "--graph",
    "graph_path",
    type=click.Path(exists=True, path_type=Path),
    default=Path("out/rncp.nt"),
    show_default=True,
    help="The built graph: an .nt / .ttl file or an on-disk store folder.",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write graphs (see --format) and tables (see --tables) here."
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(ANALYSIS_FORMATS),
    default=("graphml", "csv", "png"),
    show_default=True,
    help="Graph formats (repeat). Gephi also opens GraphML; GEXF takes twice as long to write.",
)
@click.option(
    "--min-shared", type=click.IntRange(min=1), default=1, show_default=True, help="Min shared codes per edge."
)
@click.option(
    "--min-jaccard", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Min Jaccard per edge."
)
@click.option(
    "--keep",
    "rule",
    type=click.Choice(REDUCTIONS),
    default=REDUCTIONS[0],
    show_default=True,
    help="Which pairs become edges: each certification's top-k most similar, a disparity backbone, or all.",
)
@click.option("-k", "k", type=click.IntRange(min=1), default=10, show_default=True, help="top-k: neighbours per node.")
@click.option(
    "--alpha", type=click.FloatRange(0, 1, min_open=True), default=0.05, show_default=True, help="disparity: level."
)
@click.option(
    "--max-edges",
    type=click.IntRange(min=0),
    default=MAX_EDGES,
    show_default=True,
    help="Refuse a network of more edges (exit 2, nothing written).",
)
@click.option(
    "--tables",
    "table_format",
    type=click.Choice(TABLE_FORMATS),
    default=TABLE_FORMATS[0],
    show_default=True,
    help="Format of the tables written with --out (parquet needs pandas and pyarrow).",
)
@click.option("--level", type=click.IntRange(1, 8), help="Only certifications of this level.")
@click.option("--nsf", help="Only certifications with this NSF code or a narrower one (332 matches 332p).")
@click.option("--active", is_flag=True, help="Only active certifications.")
@click.option("--method", type=click.Choice(COMMUNITY_METHODS), default="louvain", show_default=True)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of Louvain, sampling and layout.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Rows of ranked tables.")
@click.option("--hold", multiple=True, help="equivalence: a held block code or whole certification (repeat).")
@click.option("--of", "of_", multiple=True, help="lineage: show the current version(s) of this fiche (repeat).")
@click.option("--symmetric", is_flag=True, help="equivalence: also read correspondences backwards.")
def analyze_command(kind: str, graph_path: Path, out: Path | None, formats: tuple[str, ...], **params: Any) -> None:
    """Analyse a built graph: KIND is rome, nsf, formacode or competency (certifications
    sharing those codes), lineage (versions and current version) or equivalence (what
    held blocks lead to through correspondences). Prints a summary; --out writes files.
    A similarity network links each certification to its 10 most similar by default
    (see --keep, -k, --max-edges).

    \b
    Examples:
      rncp-graph analyze rome                           # out/rncp.nt, from rncp-graph build
      rncp-graph analyze nsf --level 6 --out out/analysis --format csv
      rncp-graph analyze lineage --of RNCP4525 --graph store/
      rncp-graph analyze equivalence --hold RNCP34808BC01 --hold RNCP2514
    """
    from ..analysis.run import analyze, write_analysis
    from ..analysis.tables import check_table_format
    from ..info import open_graph

    check_table_format(params["table_format"])
    result = analyze(open_graph(graph_path), kind, _options(params))
    for text in result.summary_lines():
        click.echo(text)
    for error in result.errors:
        click.echo(f"data error: {error}", err=True)
    written = write_analysis(result, out, formats, tables=params["table_format"]) if out else {}
    for name, path in written.items():
        click.echo(f"wrote {name}: {path}")


def _options(p: dict[str, Any]) -> Options:
    from ..analysis.backbone import Reduction
    from ..analysis.incidence import Scope
    from ..analysis.run import Options

    scope = Scope(level=p["level"], nsf=p["nsf"], active=p["active"])
    reduction = Reduction(p["rule"], p["k"], p["alpha"], p["min_shared"], p["min_jaccard"])
    return Options(
        scope, reduction, p["max_edges"], p["method"], p["seed"], p["top"], p["hold"] + p["of_"], p["symmetric"]
    )
