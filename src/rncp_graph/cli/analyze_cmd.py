"""``rncp-graph analyze KIND``: similarity networks, lineage and equivalence paths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import main
from .choices import ANALYSIS_FORMATS, ANALYSIS_KINDS, COMMUNITY_METHODS

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
@click.option("--out", type=click.Path(path_type=Path), help="Write graphs (see --format) and tables (CSV) here.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(ANALYSIS_FORMATS),
    default=("graphml", "gexf", "csv", "png"),
    show_default=True,
    help="Graph formats (repeat).",
)
@click.option(
    "--min-shared", type=click.IntRange(min=1), default=1, show_default=True, help="Min shared codes per edge."
)
@click.option(
    "--min-jaccard", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Min Jaccard per edge."
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

    \b
    Examples:
      rncp-graph analyze rome                           # out/rncp.nt, from rncp-graph build
      rncp-graph analyze nsf --level 6 --out out/analysis --format csv
      rncp-graph analyze lineage --of RNCP4525 --graph store/
      rncp-graph analyze equivalence --hold RNCP34808BC01 --hold RNCP2514
    """
    from ..analysis.run import analyze, write_analysis
    from ..info import open_graph

    result = analyze(open_graph(graph_path), kind, _options(params))
    for text in result.summary_lines():
        click.echo(text)
    for error in result.errors:
        click.echo(f"data error: {error}", err=True)
    for name, path in (write_analysis(result, out, formats) if out else {}).items():
        click.echo(f"wrote {name}: {path}")


def _options(p: dict[str, Any]) -> Options:
    from ..analysis.incidence import Scope
    from ..analysis.run import Options

    scope = Scope(level=p["level"], nsf=p["nsf"], active=p["active"])
    return Options(
        scope, p["min_shared"], p["min_jaccard"], p["method"], p["seed"], p["top"], p["hold"] + p["of_"], p["symmetric"]
    )
