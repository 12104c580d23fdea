"""Proposed links to ESCO: competencies → ESCO skills, ROME codes → ESCO occupations.

Method (offline, French, lexical): every ESCO label (preferred and alternative, gendered
pairs split) is a document of a TF-IDF index over Snowball French stems and stem bigrams
(:mod:`.textmatch`). A competency is queried by its whole sentence and by its main clause
(the part before "afin de", "pour", a comma...); a ROME code by its official label and its
appellations, masculine and feminine forms apart. The score of a (subject, ESCO concept)
pair is the best cosine over those query and label variants; pairs scoring at least the
threshold are proposed, at most ``top_k`` per subject.

Predicate: ``skos:exactMatch`` when a query variant and an ESCO label are the same text once
normalised (case, accents, apostrophes); ``skos:closeMatch`` otherwise. Links live in their
own named graph; our data is never typed with ESCO classes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import SKOS

from ..store import GraphStore
from ..terms import Triple, term_iri
from . import iris_vocab
from .esco_data import EscoConcept, esco_forms, rome_forms
from .textmatch import TfidfIndex, fold, main_clause, normalise

log = logging.getLogger(__name__)

CLOSE_MATCH, EXACT_MATCH = str(SKOS.closeMatch), str(SKOS.exactMatch)
METHOD = "tfidf-cosine/snowball-fr/stems+bigrams"
#: Default thresholds, chosen on the hand-labelled gold set (docs/linking.md).
DEFAULT_THRESHOLDS = {"competency": 0.40, "rome": 0.70}
DEFAULT_TOP_K = 3


@dataclass(frozen=True)
class Subject:
    """Something of ours to link: its IRI, a label, and the texts it is queried by."""

    iri: str
    label: str
    texts: tuple[str, ...]
    kind: str  # "competency" or "rome"
    exact: tuple[str, ...] = ()  # the texts that may claim an exact match (not clauses, not appellations)


@dataclass(frozen=True)
class Mapping:
    """One proposed link (a row of the SSSOM mapping set)."""

    subject: Subject
    predicate: str
    object_id: str
    object_label: str
    score: float
    subject_text: str  # the query variant that matched best
    object_text: str  # the ESCO label that matched best

    @property
    def justification(self) -> str:
        return f"{METHOD}: cosine {self.score:.3f} between {self.subject_text!r} and ESCO label {self.object_text!r}"


def competency_subjects(store: GraphStore) -> list[Subject]:
    """Every ``rncp:Competency`` of the store with its ``rncp:text``."""
    rows = store.select("SELECT DISTINCT ?c ?t WHERE { ?c a rncp:Competency ; rncp:text ?t } ORDER BY ?c")
    return [competency_subject(r["c"].value, r["t"].value) for r in rows if r["c"] is not None and r["t"] is not None]


def competency_subject(iri: str, text: str) -> Subject:
    texts = tuple(dict.fromkeys([text, main_clause(text)]))
    return Subject(iri, text, texts, "competency", (text,))


def rome_subjects(store: GraphStore, extra_labels: dict[str, list[str]] | None = None) -> list[Subject]:
    """The ROME codes certifications point to, with every label the store holds for them.

    The official label is the ``skos:prefLabel`` of the ROME vocabulary graph when it is
    loaded (``rncp-graph vocab rome --store``), else the first of ``extra_labels``.

    :param extra_labels: code → labels, official first (a ROME vocabulary read from files).
    """
    query = (
        "SELECT DISTINCT ?r ?n ?l ?o ?vocab WHERE { ?c rncp:romeCode ?r . ?r skos:notation ?n ."
        " OPTIONAL { ?r skos:prefLabel|skos:altLabel ?l }"
        " OPTIONAL { GRAPH ?vocab { ?r skos:prefLabel ?o } } } ORDER BY ?r ?l"
    )
    labels: dict[tuple[str, str], list[str]] = {}
    official: dict[str, str] = {}
    for r in store.select(query, {"vocab": ox.NamedNode(iris_vocab.vocab_graph("rome"))}):
        if r["r"] is None or r["n"] is None:
            continue
        found = labels.setdefault((r["r"].value, r["n"].value), [])
        if r["l"] is not None and r["l"].value not in found:
            found.append(r["l"].value)
        if r["o"] is not None:
            official[r["n"].value] = r["o"].value
    extra = extra_labels or {}
    subjects = []
    for (iri, code), found in labels.items():
        known = extra.get(code, [])
        subjects.append(rome_subject(iri, code, [*known, *found], official.get(code) or (known[0] if known else None)))
    return subjects


def rome_subject(iri: str, code: str, labels: Sequence[str], official: str | None = None) -> Subject:
    """A ROME code queried by every label form; only its official label may claim an exact match."""
    variants = [form for label in labels for form in rome_forms(label)]
    exact = tuple(rome_forms(official)) if official else ()
    return Subject(iri, official or (labels[0] if labels else code), tuple(dict.fromkeys(variants)), "rome", exact)


def propose(
    subjects: Sequence[Subject],
    concepts: Sequence[EscoConcept],
    *,
    threshold: float,
    top_k: int = DEFAULT_TOP_K,
    chunk: int = 2000,
) -> list[Mapping]:
    """Links from ``subjects`` to ``concepts`` scoring ≥ ``threshold``, best ``top_k`` per subject."""
    docs, owner = [], []
    for i, concept in enumerate(concepts):
        for text in concept.labels():
            docs.append(text)
            owner.append(i)
    index = TfidfIndex(docs)
    best: dict[tuple[int, int], Mapping] = {}
    for start in range(0, len(subjects), chunk):
        batch = subjects[start : start + chunk]
        queries = [(start + i, text) for i, s in enumerate(batch) for text in s.texts]
        for hit in index.search([t for _, t in queries], top_k=top_k * 4, min_score=threshold):
            s_idx, query = queries[hit.query]
            key = (s_idx, owner[hit.document])
            found = _mapping(subjects[s_idx], concepts[owner[hit.document]], hit.score, query, docs[hit.document])
            if key not in best or _rank(found) > _rank(best[key]):
                best[key] = found
    return _top(best.values(), top_k)


def _rank(m: Mapping) -> tuple[float, bool]:
    return m.score, m.predicate == EXACT_MATCH


def _key(text: str) -> str:
    return fold(normalise(text)).rstrip(" .")


def _mapping(subject: Subject, concept: EscoConcept, score: float, query: str, label: str) -> Mapping:
    """``skos:exactMatch`` only when the subject's own text is the concept's preferred label (a form of it)."""
    preferred = {_key(form) for form in esco_forms(concept.pref_label)}
    exact = query in subject.exact and _key(query) == _key(label) and _key(label) in preferred
    predicate = EXACT_MATCH if exact else CLOSE_MATCH
    return Mapping(subject, predicate, concept.iri, concept.pref_label, min(1.0, round(score, 4)), query, label)


def _top(mappings: Iterable[Mapping], top_k: int) -> list[Mapping]:
    by_subject: dict[str, list[Mapping]] = {}
    for m in mappings:
        by_subject.setdefault(m.subject.iri, []).append(m)
    out: list[Mapping] = []
    for iri in sorted(by_subject):
        ranked = sorted(by_subject[iri], key=lambda m: (-m.score, m.object_id))
        out.extend(ranked[:top_k])
    log.info("%d links proposed for %d subjects", len(out), len(by_subject))
    return out


def link_triples(mappings: Iterable[Mapping]) -> Iterator[Triple]:
    """``<ours> skos:closeMatch|exactMatch <esco>``: the triples of the links graph."""
    for m in mappings:
        yield f"<{m.subject.iri}>", term_iri(m.predicate), f"<{m.object_id}>"
