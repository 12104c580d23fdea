"""``rncp-graph vocab rome|nsf``, ``rncp-graph link esco`` and ``rncp-graph export elm``.

Each command reads either an on-disk store (``--store``, from ``rncp-graph build --store``)
or builds the given fiche sources in memory, then calls one function of
:mod:`rncp_graph.linking.run`.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import click

from ..store import GraphStore
from . import EXIT_VIOLATIONS, main

DIR = click.Path(exists=True, file_okay=False, path_type=Path)
store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="On-disk Oxigraph store (from build --store).",
)
fiches_option = click.option(
    "--fiches",
    multiple=True,
    metavar="PATH",
    help="Fiche sources to build in memory when no --store is given (default: data/fiches).",
)


def _group(name: str, help_text: str) -> click.Group:
    """The sub-group ``name`` of ``main``, created once (another module may add commands to it)."""
    existing = main.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name, help=help_text)
    main.add_command(group)
    return group


vocab = _group("vocab", "Reference code lists as SKOS (ROME 4.0, NSF).")
link = _group("link", "Links to external vocabularies (ESCO).")
export = _group("export", "Exports to other models (Europass ELM).")


def _open_store(
    store_path: Path | None, fiches: tuple[str, ...] = (), *, build_default: bool = False
) -> GraphStore | None:
    if store_path is not None:
        if build_default and not store_path.is_dir():  # linking or exporting needs a built store
            raise click.BadParameter(
                f"no store at {store_path} (run rncp-graph build --store first)", param_hint="--store"
            )
        store_path.parent.mkdir(parents=True, exist_ok=True)
        return GraphStore(store_path)
    if fiches or build_default:
        from ..pipeline.build import DEFAULT_SOURCES, build

        return build(list(fiches) or list(DEFAULT_SOURCES)).store
    return None


def _codes(path: Path | None) -> list[str]:
    """Codes from the first column of a ``;`` or ``,`` separated file with a header."""
    if path is None:
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        dialect = csv.Sniffer().sniff(handle.read(4096), delimiters=";,\t")
        handle.seek(0)
        return [row[0].strip() for i, row in enumerate(csv.reader(handle, dialect)) if i and row and row[0].strip()]


def _vocab_command(name: str, builder: str) -> None:
    """``vocab NAME``, running ``rncp_graph.linking.run.<builder>`` (imported when it runs, not for --help)."""
    help_text = f"Build the {name.upper()} SKOS graph from FOLDER; load it into --store and/or write it to --out."

    @vocab.command(name, help=help_text)
    @click.argument("folder", type=DIR)
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the SKOS graph here (Turtle).")
    @store_option
    @click.option(
        "--codes",
        "codes_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="CSV whose first column lists codes used by fiches.",
    )
    def command(*, folder: Path, out: Path | None, store_path: Path | None, codes_file: Path | None) -> None:
        from ..linking import run

        store = _open_store(store_path)
        result = getattr(run, builder)(folder, out=out, store=store, codes=_codes(codes_file))
        click.echo(f"{name}: {result.triples} triples" + "".join(f"; wrote {p}" for p in result.written))
        if result.relabelled:
            click.echo(f"{name}: {result.relabelled} concepts: the fiches' label made skos:altLabel")
        for line in result.unknown:
            click.echo(f"unknown {name} code: {line}")


_vocab_command("rome", "rome_vocabulary")
_vocab_command("nsf", "nsf_vocabulary")


@link.command("esco")
@click.option(
    "--esco",
    "esco_dir",
    type=DIR,
    required=True,
    help="ESCO CSV download folder (French: skills_fr.csv, occupations_fr.csv).",
)
@click.option("--rome", "rome_dir", type=DIR, help="ROME 4.0 folder: match ROME codes by their appellations too.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/links"), show_default=True)
@click.option("--threshold", type=float, help="Cosine threshold for both kinds of links (default: per kind).")
@click.option("--top-k", type=int, default=3, show_default=True, help="At most this many links per subject.")
@store_option
@fiches_option
def link_esco_command(
    *,
    esco_dir: Path,
    rome_dir: Path | None,
    out: Path,
    threshold: float | None,
    top_k: int,
    store_path: Path | None,
    fiches: tuple[str, ...],
) -> None:
    """Propose links to ESCO (SSSOM + Turtle in OUT; named graph graph/links/esco in --store)."""
    from ..linking.run import link_esco

    store = _open_store(store_path, fiches, build_default=True)
    assert store is not None
    limits = {"competency": threshold, "rome": threshold} if threshold is not None else None
    result = link_esco(esco_dir, store, out=out, rome_dir=rome_dir, thresholds=limits, top_k=top_k)
    for key, n in result.counts().items():
        click.echo(f"{key}: {n}")
    for path in result.written:
        click.echo(f"wrote {path}")


@export.command("elm")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/elm.ttl"), show_default=True)
@click.option("--elm", "elm_dir", type=DIR, help="ELM folder (ELM.ttl, LOQ-constraints*.ttl): validate with pyshacl.")
@store_option
@fiches_option
def export_elm_command(*, out: Path, elm_dir: Path | None, store_path: Path | None, fiches: tuple[str, ...]) -> None:
    """Export certifications as Europass ELM qualifications (exit 1 on violations other than documented gaps)."""
    from ..linking.run import export_elm

    store = _open_store(store_path, fiches, build_default=True)
    assert store is not None
    result = export_elm(store, out=out, elm_dir=elm_dir)
    click.echo(f"elm: {result.qualifications} qualifications, {result.triples} triples; wrote {out}")
    for term in result.missing_terms:
        click.echo(f"term not in ELM.ttl: {term}")
    if result.report is not None:
        for line in _report_lines(result.report):
            click.echo(line)
        if result.report.unexpected or result.missing_terms:
            sys.exit(EXIT_VIOLATIONS)


def _report_lines(report: Any) -> list[str]:
    from ..linking.elm_shacl import KNOWN_GAPS

    lines = [
        f"ELM shapes defect: {d.shape} sh:pattern {d.pattern!r} rejects {', '.join(d.rejected)}" for d in report.defects
    ]
    if report.corrected:
        lines.append("validated with that pattern corrected in memory")
    lines += [
        f"known gap ({n}): {path} {comp} — {KNOWN_GAPS[(path, comp)]}"
        for (path, comp), n in sorted(report.known.items())
    ]
    lines += [f"violation ({n}): {path} {comp}" for (path, comp), n in sorted(report.unexpected.items())]
    lines.append("conforms" if report.conforms else f"{sum(report.results.values())} violations")
    return lines
