"""A release folder for open-data portals: the graph, its vocabularies, docs, DCAT-AP, checksums.

:func:`publish` writes, into one folder, every file a portal takes as is::

    rncp.ttl  rncp.nt.gz  rncp.jsonld + context.jsonld  rncp.trig     the graph (pyoxigraph)
    ontology/rncp.ttl  ontology/schemes/*.ttl  shapes/*.ttl          copied after a parse check
    docs/ontology.fr.html  docs/ontology.en.html                     pyLODE
    dcat.ttl                                                         DCAT-AP 3 + VoID
    manifest.json  SHA256SUMS                                        written last

Every file is written atomically, and nothing depends on the clock or on hash seeds: the
same input gives byte-identical files. Files a previous release in the same folder listed
in its manifest and this one no longer has are removed, and so are the temp files of an
interrupted release whose process is gone (:func:`~rncp_graph.exports.atomic.remove_leftovers`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..__about__ import __version__
from ..errors import RNCPGraphError
from ..resources import project_dir
from ..store import GraphStore
from .atomic import remove_leftovers, write_bytes
from .canonical import CanonicalLines
from .dcat import DATASET_IRI, Distribution, ReleaseMetadata, describe, write_description
from .docs import write_docs
from .jsonld import CONTEXT_NAME
from .rdf import EXPORTERS
from .upstream import CC_BY_4
from .void import GraphStats, graph_stats

log = logging.getLogger(__name__)

DEFAULT_OUT = Path("out/release")
RELEASE_FORMATS = ("ttl", "nt.gz", "jsonld", "trig")
DCTERMS_LICENSE = "http://purl.org/dc/terms/license"

#: graph format → (IANA media type, EU file type, compression, title (fr, en), description (fr, en))
FORMAT_INFO: dict[str, tuple[str, str, str | None, tuple[str, str], tuple[str, str]]] = {
    "ttl": (
        "text/turtle",
        "RDF_TURTLE",
        None,
        ("Graphe complet (Turtle)", "Whole graph (Turtle)"),
        (
            "Toutes les sources fusionnées, avec les préfixes du projet.",
            "All sources merged, with the project's prefixes.",
        ),
    ),
    "nt.gz": (
        "application/n-triples",
        "RDF_N_TRIPLES",
        "application/gzip",
        ("Graphe complet (N-Triples canonique, gzip)", "Whole graph (canonical N-Triples, gzip)"),
        (
            "Triplets triés et dédoublonnés : deux versions se comparent ligne à ligne.",
            "Sorted, deduplicated triples: two releases compare line by line.",
        ),
    ),
    "jsonld": (
        "application/ld+json",
        "JSON_LD",
        None,
        ("Graphe complet (JSON-LD)", "Whole graph (JSON-LD)"),
        (
            f"Le contexte est le fichier local {CONTEXT_NAME}, publié à côté (aucun contexte distant).",
            f"The context is the local file {CONTEXT_NAME}, published alongside (no remote context).",
        ),
    ),
    "trig": (
        "application/trig",
        "RDF_TRIG",
        None,
        ("Graphe par source (TriG)", "Graph per source (TriG)"),
        (
            "Un graphe nommé par fichier source, avec sa provenance (fichier, empreinte, date d'export).",
            "One named graph per source file, with its provenance (file, checksum, export date).",
        ),
    ),
}
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".gz": "application/gzip",
    ".jsonld": "application/ld+json",
    ".trig": "application/trig",
    ".html": "text/html",
    ".json": "application/json",
}


class PublishError(RNCPGraphError):
    """A release cannot be written (a vocabulary file does not parse, a bad base URL...)."""


@dataclass
class Release:
    """What :func:`publish` wrote: the folder, its files (relative paths) and the statistics."""

    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    stats: GraphStats = field(default_factory=GraphStats)
    quads: int = 0


def publish(
    store: GraphStore,
    out: Path = DEFAULT_OUT,
    *,
    metadata: ReleaseMetadata | None = None,
    build_manifest: Mapping[str, Any] | None = None,
    docs: bool = True,
) -> Release:
    """Write a release of the graph in ``store`` into ``out``.

    :param metadata: publisher, dates, base URL... (see :class:`ReleaseMetadata`).
    :param build_manifest: the build's manifest, copied into ``manifest.json`` under ``build``.
    :param docs: write the HTML documentation of the ontology (needs pyLODE).
    :raises PublishError: a vocabulary file does not parse; nothing of the release is trusted then.
    """
    meta = metadata or ReleaseMetadata()
    release = Release(out=out)
    out.mkdir(parents=True, exist_ok=True)
    previous = _previous_files(out)
    lines = CanonicalLines(store)  # made once, for every format and the statistics
    counts = {fmt: EXPORTERS[fmt][1](lines, out / EXPORTERS[fmt][0]) for fmt in RELEASE_FORMATS}
    release.quads = counts["trig"]
    release.files = {EXPORTERS[fmt][0]: out / EXPORTERS[fmt][0] for fmt in RELEASE_FORMATS}
    release.files[CONTEXT_NAME] = out / CONTEXT_NAME
    vocabularies = _copy_vocabularies(out)
    release.files.update(vocabularies)
    pages = [f"docs/{p.name}" for p in write_docs([project_dir("ontology") / "rncp.ttl"], out / "docs")] if docs else []
    release.files.update({page: out / page for page in pages})
    release.stats = graph_stats(lines.as_text())
    distributions = _distributions(out, vocabularies)
    write_description(meta, describe(meta, release.stats, distributions, pages), out / "dcat.ttl")
    release.files["dcat.ttl"] = out / "dcat.ttl"
    _write_manifest(release, meta, store, build_manifest)
    _write_sums(release)
    _remove_stale(out, previous, set(release.files) | {"SHA256SUMS"})
    for folder in sorted({path.parent for path in release.files.values()}):  # those of interrupted releases
        for path in remove_leftovers(folder).removed:
            log.info("removed %s, a temp file of an interrupted release", path)
    for path in [*release.files.values(), out / "SHA256SUMS"]:
        path.chmod(0o644)  # temp files are created 0600; a portal serves these files to everyone
    log.info("release of %d triples in %s: %d files", release.stats.triples, out, len(release.files) + 1)
    return release


def _copy_vocabularies(out: Path) -> dict[str, Path]:
    """Copy ``ontology/**.ttl`` and ``shapes/*.ttl`` (when present) after checking that each parses."""
    copied: dict[str, Path] = {}
    for folder in ("ontology", "shapes"):
        try:
            root = project_dir(folder)
        except FileNotFoundError:
            log.warning("no %s/ folder: the release has no %s files", folder, folder)
            continue
        for path in sorted(root.rglob("*.ttl")):
            relative = f"{folder}/{path.relative_to(root).as_posix()}"
            data = path.read_bytes()
            try:
                sum(1 for _ in ox.parse(input=data, format=ox.RdfFormat.TURTLE))
            except SyntaxError as exc:
                raise PublishError(f"does not parse as Turtle: {exc}", file=str(path)) from exc
            write_bytes(out / relative, data)
            copied[relative] = out / relative
    return copied


def _licence_of(path: Path) -> str | None:
    """The one ``dcterms:license`` a vocabulary file declares, if it declares exactly one."""
    found = {
        t.object.value
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        if t.predicate.value == DCTERMS_LICENSE and isinstance(t.object, ox.NamedNode)
    }
    return found.pop() if len(found) == 1 else None


def _distributions(out: Path, vocabularies: Mapping[str, Path]) -> list[Distribution]:
    dists = []
    for fmt in RELEASE_FORMATS:
        name = EXPORTERS[fmt][0]
        media, file_type, compress, title, description = FORMAT_INFO[fmt]
        size, sha = _size_and_sha(out / name)
        dists.append(Distribution(name, size, sha, media, title, description, file_type=file_type, compress=compress))
    default = _licence_of(vocabularies["ontology/rncp.ttl"]) if "ontology/rncp.ttl" in vocabularies else None
    for relative, path in sorted(vocabularies.items()):
        size, sha = _size_and_sha(path)
        title, description = _vocabulary_texts(relative)
        licence = _licence_of(path) or default or CC_BY_4
        dists.append(
            Distribution(relative, size, sha, "text/turtle", title, description, licence, "RDF_TURTLE", data=False)
        )
    return dists


def _vocabulary_texts(relative: str) -> tuple[tuple[str, str], tuple[str, str]]:
    stem = Path(relative).stem
    if relative == "ontology/rncp.ttl":
        return (
            ("Ontologie rncp-graph (OWL, Turtle)", "rncp-graph ontology (OWL, Turtle)"),
            (
                "Classes et propriétés du vocabulaire rncp:, en français et en anglais, avec leurs alignements.",
                "Classes and properties of the rncp: vocabulary, in French and English, with their alignments.",
            ),
        )
    if relative.startswith("ontology/"):
        return (
            (f"Schéma de concepts SKOS « {stem} » (Turtle)", f"SKOS concept scheme “{stem}” (Turtle)"),
            ("Liste contrôlée utilisée par le graphe.", "A controlled list the graph uses."),
        )
    return (
        (f"Formes SHACL « {stem} » (Turtle)", f"SHACL shapes “{stem}” (Turtle)"),
        ("Contraintes de validation du graphe.", "Validation constraints of the graph."),
    )


def _size_and_sha(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def _write_manifest(
    release: Release, meta: ReleaseMetadata, store: GraphStore, build_manifest: Mapping[str, Any] | None
) -> None:
    files = []
    for relative, path in sorted(release.files.items()):
        size, sha = _size_and_sha(path)
        files.append({"path": relative, "bytes": size, "sha256": sha, "media_type": MEDIA_TYPES.get(path.suffix)})
    stats = release.stats
    manifest = {
        "tool": {"name": "rncp-graph", "version": __version__},
        "dataset": DATASET_IRI,
        "metadata": asdict(meta),
        "triples": stats.triples,
        "quads": release.quads,
        "entities": stats.entities,
        "named_graphs": store.graphs(),
        "temporal_coverage": [d.isoformat() for d in stats.period] if stats.period else None,
        "instances_per_class": dict(sorted(stats.classes.items())),
        "links": {f"{key} {predicate}": n for (key, predicate), n in sorted(stats.links.items())},
        "files": files,
        "build": dict(build_manifest) if build_manifest is not None else None,
    }
    write_bytes(release.out / "manifest.json", _json(manifest))
    release.files["manifest.json"] = release.out / "manifest.json"


def _write_sums(release: Release) -> None:
    """``SHA256SUMS`` in ``sha256sum`` format (two spaces), sorted by path; ``sha256sum -c`` checks it."""
    lines = [f"{_size_and_sha(path)[1]}  {relative}\n" for relative, path in sorted(release.files.items())]
    write_bytes(release.out / "SHA256SUMS", "".join(lines).encode("utf-8"))


def _previous_files(out: Path) -> set[str]:
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return {str(f["path"]) for f in manifest.get("files", [])} | {"manifest.json"}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return set()


def _remove_stale(out: Path, previous: Iterable[str], current: set[str]) -> None:
    """Remove what the previous release in ``out`` published and this one does not."""
    for relative in sorted(set(previous) - current):
        path = (out / relative).resolve()
        if out.resolve() in path.parents and path.is_file():
            log.info("removing %s (not part of this release)", relative)
            path.unlink()
