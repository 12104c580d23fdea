"""``rncp-graph publish``: build the graph and write a release folder for open-data portals."""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..exports.dcat import ReleaseMetadata
from . import main
from .build_cmd import exit_for
from .choices import DEFAULT_SOURCES, RELEASE_FOLDER

if TYPE_CHECKING:  # the pipeline is imported when a release is made, not for --help
    from ..model import Problem
    from ..pipeline.build import Build

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@main.command("publish")
@click.argument("paths", nargs=-1, metavar="[SOURCES...]")
@click.option(
    "--out", type=click.Path(path_type=Path), default=RELEASE_FOLDER, show_default=True, help="Release folder."
)
@click.option("--base-url", help="URL the folder is served from; without it, download URLs are relative.")
@click.option("--publisher-name", default=ReleaseMetadata.publisher_name, show_default=True, help="dct:publisher name.")
@click.option("--publisher-iri", default=ReleaseMetadata.publisher_iri, show_default=True, help="dct:publisher IRI.")
@click.option("--issued", type=_DATE, help="dct:issued (YYYY-MM-DD); default: --modified.")
@click.option("--modified", type=_DATE, help="dct:modified (YYYY-MM-DD); default: latest export date of the inputs.")
@click.option("--release-version", help="dcat:version of this release.")
@click.option("--sparql-endpoint", help="void:sparqlEndpoint, only if one serves this graph.")
@click.option("--no-docs", is_flag=True, help="Skip the HTML documentation of the ontology (pyLODE).")
@click.pass_context
def publish_command(
    ctx: click.Context,
    *,
    paths: tuple[str, ...],
    out: Path,
    base_url: str | None,
    publisher_name: str,
    publisher_iri: str,
    issued: dt.datetime | None,
    modified: dt.datetime | None,
    release_version: str | None,
    sparql_endpoint: str | None,
    no_docs: bool,
) -> None:
    """Build the graph from SOURCES and write a release folder a portal can take as is.

    Writes rncp.ttl, rncp.nt.gz, rncp.jsonld (+ context.jsonld), rncp.trig, the ontology and
    shapes, docs/ontology.{fr,en}.html, dcat.ttl (DCAT-AP 3 + VoID), manifest.json, SHA256SUMS.

    The release is written even when the graph has SHACL violations (exit 1), fiches were
    quarantined or fields dropped (exit 4), or both (exit 6): check the exit code before
    uploading. Then the command says why on stderr (the number of violations, the first errors)
    and where to read the rest (manifest.json; rncp-graph validate OUT lists the violations).
    """
    meta = ReleaseMetadata(
        base_url, publisher_name, publisher_iri, _day(issued), _day(modified), release_version, sparql_endpoint
    )
    from ..exports.publish import publish
    from ..pipeline.build import build

    result = build(paths or DEFAULT_SOURCES, progress=ctx.obj["progress"])
    release = publish(result.store, out, metadata=meta, build_manifest=result.manifest(), docs=not no_docs)
    click.echo(f"{release.stats.triples} triples, {len(release.files) + 1} files in {out}")
    for text in why_not_clean(result, out):
        click.echo(text, err=True)
    exit_for(result)  # the release is written either way; the exit code says if it is clean


#: how many of the problems that are errors :func:`why_not_clean` quotes
ERRORS_SHOWN = 5


def why_not_clean(result: Build, out: Path) -> list[str]:
    """What makes the release not clean (exit 1 or 4), and where to read the details; none when clean."""
    lines = []
    validation = result.validation or {}
    if not validation.get("conforms", True):
        lines.append(
            f"the graph does NOT conform to the SHACL shapes: {validation['summary'].partition(': ')[2]} "
            f"(build.validation in {out / 'manifest.json'}); to list the violations: "
            f"rncp-graph validate {shlex.quote(str(out))} --severity violation"
        )
    errors = [p for p in result.problems if p.severity == "error"]
    if not result.complete:
        lines.append(
            f"{result.fiches_quarantined:,} fiche(s) quarantined, {len(errors):,} error(s) "
            f"(build.fiches and build.problems in {out / 'manifest.json'}):"
        )
        lines += [f"  {_problem(p)}" for p in errors[:ERRORS_SHOWN]]
        if len(errors) > ERRORS_SHOWN:
            more = len(errors) - ERRORS_SHOWN
            lines.append(f"  … and {more:,} more (rncp-graph build writes them all to errors.jsonl)")
    if lines:
        lines.append("the release is written all the same: it is not clean")
    return lines


def _problem(problem: Problem) -> str:
    where = ", ".join(
        f"{name} {value!r}" if name in {"field", "value"} else f"{name} {value}"
        for name, value in (("fiche", problem.fiche), ("field", problem.field), ("value", problem.value))
        if value is not None
    )
    return f"{problem.file}: {problem.rule}: {problem.message}" + (f" ({where})" if where else "")
