"""The linking stage's entry points, one per command: build a vocabulary, link to ESCO, export ELM.

Each function reads its inputs, writes its outputs atomically and/or loads them into a
store's named graph, and returns a small summary the CLI prints.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.namespace import SKOS

from .. import iris
from ..namespaces import RNCP
from ..store import GraphStore
from ..terms import Triple, fr, term_iri
from . import elm, elm_shacl, esco, esco_data, iris_vocab, nsf, occupations, rdfio, rome, sssom

log = logging.getLogger(__name__)


@dataclass
class VocabResult:
    """What a vocabulary build produced."""

    triples: int
    unknown: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    #: preferred labels of other graphs (the fiches') made ``skos:altLabel`` beside the official ones
    relabelled: int = 0


def _emit(
    triples: list[Triple], graph: str, *, out: Path | None, store: GraphStore | None, result: VocabResult
) -> None:
    result.triples = len(set(triples))
    if out is not None:
        rdfio.write_turtle(triples, out)
        result.written.append(out)
    if store is not None:
        rdfio.load_graph(store, graph, triples)
        result.relabelled = rdfio.prefer_vocabulary_labels(store, graph)


def rome_vocabulary(
    folder: Path, *, out: Path | None = None, store: GraphStore | None = None, codes: Iterable[str] = ()
) -> VocabResult:
    """Build the ROME SKOS graph; report the codes (given, or used in ``store``) it lacks."""
    vocab = rome.read_rome(folder)
    used = set(codes) | (set(rdfio.notations_in_store(store, str(RNCP.romeCode))) if store is not None else set())
    result = VocabResult(0, [f"{u.code}\t{u.reason}" for u in rome.unknown_codes(used, vocab)])
    _emit(list(rome.rome_triples(vocab)), iris_vocab.vocab_graph("rome"), out=out, store=store, result=result)
    return result


def nsf_vocabulary(
    folder: Path, *, out: Path | None = None, store: GraphStore | None = None, codes: Iterable[str] = ()
) -> VocabResult:
    """Build the NSF SKOS graph with a specialty concept for each code given or used in ``store``."""
    vocab = nsf.read_nsf(folder)
    used = set(codes) | (set(rdfio.notations_in_store(store, str(RNCP.nsfCode))) if store is not None else set())
    result = VocabResult(0, nsf.unknown_codes(used, vocab))
    _emit(list(nsf.nsf_triples(vocab, used)), iris_vocab.vocab_graph("nsf"), out=out, store=store, result=result)
    return result


@dataclass
class LinkResult:
    mappings: list[esco.Mapping]
    written: list[Path] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.mappings:
            key = f"{m.subject.kind} {m.predicate.rsplit('#', 1)[-1]}"
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))


def link_esco(
    esco_dir: Path,
    store: GraphStore,
    *,
    out: Path | None = None,
    rome_dir: Path | None = None,
    thresholds: dict[str, float] | None = None,
    top_k: int | None = None,
    load: bool = True,
) -> LinkResult:
    """Propose competency → skill and ROME → occupation links; write SSSOM and Turtle, load the graph.

    :param thresholds: minimum calibrated confidence per kind (default: the shipped ones).
    :param top_k: at most this many links per subject (default: per kind, ``esco.DEFAULT_TOP_K``).
    """
    limits = {**esco.DEFAULT_THRESHOLDS, **(thresholds or {})}
    data = esco_data.read_esco(esco_dir)
    vocab = rome.read_rome(rome_dir) if rome_dir else None
    extra = {c: v.labels() for c, v in vocab.codes.items()} if vocab else None
    referential = (
        [occupations.RomeEntry(iris.rome(c), c, tuple(v.labels())) for c, v in vocab.codes.items()] if vocab else []
    )
    subjects = esco.competency_subjects(store)
    mappings = esco.propose_competencies(subjects, data, threshold=limits["competency"], top_k=top_k)
    mappings += esco.propose_rome(
        esco.rome_subjects(store, extra), data, threshold=limits["rome"], top_k=top_k, referential=referential
    )
    result = LinkResult(mappings)
    triples = list(esco.link_triples(mappings)) + list(_esco_label_triples(mappings))
    if out is not None:
        meta = sssom.metadata(name="esco", esco_version=esco_dir.name, thresholds=limits)
        result.written += sssom.write_sssom(mappings, out / "esco.sssom.tsv", meta)
        rdfio.write_turtle(triples, out / "esco-links.ttl")
        result.written.append(out / "esco-links.ttl")
    if load:
        rdfio.load_graph(store, iris_vocab.links_graph("esco"), triples)
    return result


def _esco_label_triples(mappings: Sequence[esco.Mapping]) -> list[Triple]:
    """Preferred labels of the linked ESCO concepts (facts from ESCO, so queries can show them)."""
    return [(f"<{m.object_id}>", term_iri(SKOS.prefLabel), fr(m.object_label)) for m in mappings]


@dataclass
class ElmResult:
    triples: int
    qualifications: int
    written: list[Path] = field(default_factory=list)
    report: elm_shacl.ElmReport | None = None
    missing_terms: list[str] = field(default_factory=list)


def export_elm(store: GraphStore, *, out: Path | None = None, elm_dir: Path | None = None) -> ElmResult:
    """Export the store as ELM; validate (and check ELM terms) when ``elm_dir`` is given."""
    src = elm.read_source(store)
    triples = list(elm.elm_triples(src))
    result = ElmResult(len(set(triples)), len(src.qualifications))
    if out is not None:
        rdfio.write_turtle(triples, out)
        result.written.append(out)
    if elm_dir is not None:
        graph = rdfio.to_rdflib(triples)
        result.missing_terms = elm_shacl.missing_elm_terms(graph, elm_dir / "ELM.ttl")
        result.report = elm_shacl.validate_elm(graph, elm_dir, facts=src.facts())
    return result
