"""SSSOM output: the proposed ESCO links as a mapping set (TSV with its metadata block, plus
the same metadata as an external ``.sssom.yml`` file).

Every entity reference (ids, predicates, justifications, match fields, creators, sources) is
written as a CURIE whose prefix is in :data:`CURIE_MAP`, so sssom-py (0.4.x) parses the file
in strict mode and validates it (checked in ``tests/test_linking_sssom.py``; sssom-py is a
``dev`` dependency only: it brings LinkML, pandas and Sphinx). The sources are row slots:
competencies come from the RNCP graph (``rncpid:dataset``, the DCAT dataset), ROME codes from
our ROME scheme (``rncpid:scheme/rome``); the objects from ESCO's skills or occupations scheme.
The output is deterministic (rows sorted, no run date), so a rerun on the same input is
byte-identical.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from .. import iris
from ..__about__ import __version__
from ..exports.atomic import write_bytes
from . import iris_vocab
from .esco import METHODS, Mapping
from .esco_data import ESCO_OCCUPATION_SCHEME, ESCO_SKILL_SCHEME

log = logging.getLogger(__name__)

CURIE_MAP: dict[str, str] = {
    "rncpcompetency": "https://w3id.org/rncp-graph/id/competency/",
    "rome": "https://w3id.org/rncp-graph/id/rome/",
    "rncpid": "https://w3id.org/rncp-graph/id/",
    "rncp": "https://w3id.org/rncp-graph/ontology#",
    "w3id": "https://w3id.org/",
    "escoskill": "http://data.europa.eu/esco/skill/",
    "escooccupation": "http://data.europa.eu/esco/occupation/",
    "escoscheme": "http://data.europa.eu/esco/concept-scheme/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
}
#: the project as an agent (the DCAT publisher, :mod:`rncp_graph.exports.dcat`)
CREATOR = "https://w3id.org/rncp-graph/"
COLUMNS = [
    "subject_id",
    "subject_label",
    "subject_category",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "similarity_score",
    "similarity_measure",
    "subject_match_field",
    "object_match_field",
    "subject_source",
    "object_source",
    "comment",
]
#: what ``similarity_score`` measures, per subject kind (``confidence`` is its calibrated probability)
SIMILARITY = {
    "competency": "label coverage^0.6 x main-clause coverage^0.4 (BM25 IDF over Snowball French stems)",
    "rome": "best TF-IDF cosine of ROME and ESCO job titles + appellation support + ISCO group (capped at 1)",
}
MATCH_FIELDS = {"competency": "rncp:text", "rome": "skos:prefLabel|skos:altLabel"}
#: subject kind → (subject source, object source): where each side of a row comes from
SOURCES = {
    "competency": (iris.mint("dataset"), ESCO_SKILL_SCHEME),
    "rome": (iris.scheme("rome"), ESCO_OCCUPATION_SCHEME),
}


def curie(iri: str) -> str:
    """The shortest CURIE of ``iri`` under :data:`CURIE_MAP` (the IRI itself if none applies)."""
    best = max(
        (p for p, base in CURIE_MAP.items() if iri.startswith(base)), key=lambda p: len(CURIE_MAP[p]), default=None
    )
    return f"{best}:{iri[len(CURIE_MAP[best]) :]}" if best else iri


def metadata(*, name: str, esco_version: str, thresholds: dict[str, float]) -> dict[str, Any]:
    """The mapping-set metadata (the YAML block and the ``.sssom.yml`` file)."""
    limits = ", ".join(f"{kind} {value}" for kind, value in sorted(thresholds.items()))
    return {
        "curie_map": dict(CURIE_MAP),
        "mapping_set_id": iris_vocab.mapping_set(name),
        "mapping_set_version": __version__,
        "mapping_set_title": "RNCP competencies and ROME codes to ESCO (French labels), lexical matches",
        "mapping_set_description": (
            "Proposed links from RNCP competencies to ESCO skills and from ROME codes to ESCO occupations. "
            + " ".join(f"{kind}: {method}." for kind, method in sorted(METHODS.items()))
            + f" confidence = probability that the link is right, calibrated on a hand-labelled gold set "
            f"(isotonic regression on its development fold); minimum confidence {limits}. Machine-proposed, not "
            "curated: see docs/linking.md for precision and recall on the held-out fold. ESCO labels (c) "
            "European Union, CC BY 4.0; RNCP and ROME data: Licence Ouverte 2.0."
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "creator_id": [curie(CREATOR)],
        "creator_label": ["rncp-graph developers"],
        "mapping_tool": "rncp-graph link esco",
        "mapping_tool_version": __version__,
        "object_source_version": esco_version,
        "mapping_provider": CREATOR,
    }


def row(m: Mapping) -> dict[str, str]:
    return {
        "subject_id": curie(m.subject.iri),
        "subject_label": m.subject.label,
        "subject_category": m.subject.kind,
        "predicate_id": curie(m.predicate),
        "object_id": curie(m.object_id),
        "object_label": m.object_label,
        "mapping_justification": "semapv:LexicalMatching",
        "confidence": f"{m.confidence:.4f}",
        "similarity_score": f"{m.score:.4f}",
        "similarity_measure": SIMILARITY[m.subject.kind],
        "subject_match_field": MATCH_FIELDS[m.subject.kind],
        "object_match_field": "skos:prefLabel|skos:altLabel",
        "subject_source": curie(SOURCES[m.subject.kind][0]),
        "object_source": curie(SOURCES[m.subject.kind][1]),
        "comment": m.justification,
    }


def render(mappings: Iterable[Mapping], meta: dict[str, Any]) -> str:
    """The SSSOM/TSV text: ``#``-prefixed YAML metadata, then the sorted table."""
    block = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    out = io.StringIO()
    out.write("".join(f"#{line}\n" for line in block.splitlines()))
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for r in sorted((row(m) for m in mappings), key=lambda r: (r["subject_id"], r["object_id"])):
        writer.writerow(r)
    return out.getvalue()


def write_sssom(mappings: Sequence[Mapping], dest: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``dest`` (``*.sssom.tsv``) and its ``*.sssom.yml`` twin, atomically; returns both paths."""
    yml = dest.with_name(dest.name.removesuffix(".tsv") + ".yml")
    write_bytes(dest, render(mappings, meta).encode("utf-8"))
    write_bytes(yml, yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8"))
    log.info("wrote %d mappings to %s (+ %s)", len(mappings), dest, yml.name)
    return dest, yml


def read_sssom(path: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Metadata and rows of an SSSOM/TSV file (the inverse of :func:`render`)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    head = [ln[1:] for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#")]
    meta = yaml.safe_load("\n".join(head)) or {}
    return meta, list(csv.DictReader(io.StringIO("\n".join(body)), delimiter="\t"))
