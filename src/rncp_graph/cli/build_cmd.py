"""``rncp-graph build`` and ``rncp-graph info``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import EXIT_OK, allow_quick_exit, main, outcome_code
from .choices import DEFAULT_SOURCES, STRATEGIES

if TYPE_CHECKING:  # the pipeline is imported when a build runs, not for --help
    from ..pipeline.build import Build

#: ``--report`` without a FILE: ``coverage.json`` in the output folder
IN_OUT = "OUT/coverage.json"


@main.command("build")
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Output folder.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="Keep an on-disk Oxigraph store here.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    is_flag=False,
    flag_value=IN_OUT,
    default=None,
    help="Also write the coverage of what was read as JSON (sections, elements, columns: read, ignored, "
    "not understood; page headings not recognised): to FILE, or OUT/coverage.json with no FILE.",
)
@click.option("--validate/--no-validate", default=True, show_default=True, help="Validate with the SHACL shapes.")
@click.option(
    "--strategy",
    type=click.Choice(STRATEGIES),
    default="sparql",
    show_default=True,
    help="How to validate (the same report): see rncp-graph validate --help.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    show_default="all cores",
    help="Cores to use: processes reading a large XML export, threads validating "
    "(processes for --strategy per-fiche). The output does not depend on it.",
)
@click.pass_context
def build_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    out: Path,
    store_path: Path | None,
    report: str | None,
    validate: bool,
    strategy: str,
    jobs: int | None,
) -> None:
    """Build the graph from fiche sources and write it to OUT.

    PATH is a file, a folder or a glob of sources: fiche pages copied as text (.txt), official
    XML exports (.xml or .zip) and CSV exports (a folder or .zip of export_fiches_CSV_* files).
    Default: the sample pages in data/fiches/. Saved .html pages are not read: an .html PATH is
    refused (exit 2, nothing written), .html files in a folder are named in a warning and skipped.

    Writes rncp.ttl (Turtle with prefixes), rncp.nt (canonical: sorted, deduplicated
    N-Triples), manifest.json (inputs, fiches loaded / quarantined, instances per class,
    validation totals) and errors.jsonl (every problem: file, fiche, field, value, rule,
    action). Damaged input (truncated XML, wrong CSV header) aborts before anything is
    written; a bad fiche or field is quarantined and the rest is built. Sources of which no
    fiche loads write nothing either (exit 2): the previous outputs stay.

    \b
    Examples:
      rncp-graph build                                  # the sample pages → out/
      rncp-graph build export.zip --out out/2025        # an official export
      rncp-graph build 'pages/*.txt' --store store/     # keep an on-disk store to query
    """
    if not paths and not all(Path(p).exists() for p in DEFAULT_SOURCES):
        raise click.UsageError(
            "no PATH given and no data/fiches/ folder here: the sample pages live in the repository "
            "(run from its root) — or give files, folders or globs"
        )
    from ..pipeline.build import build
    from ..pipeline.coverage import read_coverage, summary_line

    result = build(
        paths or DEFAULT_SOURCES,
        out=out,
        store_path=store_path,
        report=report == IN_OUT or (report is not None and Path(report)),
        progress=ctx.obj["progress"],
        validate=validate,
        strategy=strategy,
        jobs=jobs,
    )
    if not ctx.obj.get("quiet"):
        for text in result.summary_lines():
            click.echo(text)
        click.echo(summary_line(read_coverage(result.results)))
        if build_outcome(result) != EXIT_OK:
            click.echo(outcome_line(result))
    if store_path is None:  # everything is written; an on-disk store is closed as usual instead
        allow_quick_exit(result)
    exit_for(result)


def exit_for(result: Build) -> None:
    """Exit 1 if the graph does not conform, 4 if something read was quarantined or dropped, 6 if both."""
    code = build_outcome(result)
    if code != EXIT_OK:
        sys.exit(code)


def outcome_line(result: Build) -> str:
    """``outcome: 2 SHACL violations and 9 errors (0 fiches quarantined, 9 rows dropped) — exit 6``:
    what the exit code stands for, every reason of it on one line."""
    m = result.manifest()
    reasons = []
    if result.validation is not None and not result.validation.get("conforms", True):
        reasons.append(f"{result.validation.get('violations', 0)} SHACL violations (see the validation line)")
    if not result.complete:
        dropped = ", ".join(f"{n} {action.removeprefix('dropped-')}s dropped" for action, n in m["dropped"].items())
        losses = ", ".join([f"{m['fiches']['quarantined']} fiches quarantined", *([dropped] if dropped else [])])
        reasons.append(f"{m['errors']} errors ({losses}; see errors.jsonl)")
    return f"outcome: {' and '.join(reasons)} — exit {build_outcome(result)}"


def build_outcome(result: Build) -> int:
    """The exit code a build's result calls for (see :func:`~rncp_graph.cli.outcome_code`)."""
    conforms = result.validation is None or bool(result.validation.get("conforms", True))
    return outcome_code(conforms=conforms, complete=result.complete)
