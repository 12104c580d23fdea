"""Proposed links to ESCO: competencies → ESCO skills, ROME codes → ESCO occupations.

Two matchers (offline, French, lexical), each giving a raw score that
:mod:`.calibration` turns into a probability:

* competencies → skills: BM25 retrieval and label / main-clause coverage (:mod:`.skills`);
* ROME codes → occupations: every ROME label (official and appellations) against every ESCO
  occupation label, with appellation support and ISCO-group coherence (:mod:`.occupations`).

A link is proposed when its calibrated confidence reaches the kind's threshold (chosen on the
development fold of the gold set, :mod:`.calibration_table`), at most ``top_k`` per subject.
The SKOS predicate follows :data:`COMPETENCY_PREDICATES` and
:data:`.occupations.PREDICATE_RULE`. Links live in their own named graph; our data is never
typed with ESCO classes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import SKOS

from ..store import GraphStore
from ..terms import Triple, term_iri
from . import calibration, iris_vocab, occupations, skills
from .esco_data import Esco, esco_forms
from .textmatch import fold, main_clause, normalise

log = logging.getLogger(__name__)

CLOSE_MATCH, EXACT_MATCH = str(SKOS.closeMatch), str(SKOS.exactMatch)
BROAD_MATCH, NARROW_MATCH = str(SKOS.broadMatch), str(SKOS.narrowMatch)
METHODS = {
    "competency": "bm25s/snowball-fr + label and main-clause coverage, isotonic calibration",
    "rome": (
        "tfidf-cosine/snowball-fr over ROME appellations and ESCO labels + support + ISCO group, isotonic calibration"
    ),
}
#: default minimum calibrated confidence per kind (chosen on the gold set's development fold)
DEFAULT_THRESHOLDS = {kind: calibration.load(kind).threshold for kind in calibration.KINDS}
#: at most this many links per subject: a ROME code covers several ESCO occupations
DEFAULT_TOP_K = {"competency": 5, "rome": 10}

#: competency → skill predicate: (the sentence is the skill's preferred label, every word of
#: the skill label is in the sentence) → predicate. A competency that says all the skill says
#: and more is narrower than the skill (``broadMatch``: the object is broader).
COMPETENCY_PREDICATES: dict[tuple[bool, bool], str] = {
    (True, True): EXACT_MATCH,
    (True, False): EXACT_MATCH,
    (False, True): BROAD_MATCH,
    (False, False): CLOSE_MATCH,
}


@dataclass(frozen=True)
class Subject:
    """Something of ours to link: its IRI, a label, and the texts it is matched by.

    A competency's text is its sentence; a ROME code's texts are its labels, official first.
    """

    iri: str
    label: str
    texts: tuple[str, ...]
    kind: str  # "competency" or "rome"
    exact: tuple[str, ...] = ()  # the texts that may claim an exact match


@dataclass(frozen=True)
class Mapping:
    """One proposed link (a row of the SSSOM mapping set)."""

    subject: Subject
    predicate: str
    object_id: str
    object_label: str
    score: float  # the raw matcher score (SSSOM similarity_score)
    subject_text: str  # the subject text that matched best
    object_text: str  # the ESCO label that matched best
    confidence: float = 0.0  # calibrated probability (SSSOM confidence)

    @property
    def justification(self) -> str:
        return (
            f"{METHODS[self.subject.kind]}: score {self.score:.3f} (confidence {self.confidence:.2f}) between "
            f"{self.subject_text!r} and ESCO label {self.object_text!r}"
        )


def competency_subjects(store: GraphStore) -> list[Subject]:
    """Every ``rncp:Competency`` of the store with its ``rncp:text``."""
    rows = store.select("SELECT DISTINCT ?c ?t WHERE { ?c a rncp:Competency ; rncp:text ?t } ORDER BY ?c")
    return [competency_subject(r["c"].value, r["t"].value) for r in rows if r["c"] is not None and r["t"] is not None]


def competency_subject(iri: str, text: str) -> Subject:
    return Subject(iri, text, (text,), "competency", (text,))


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
    """A ROME code matched by all its labels, the official one first."""
    ordered = [official] if official else []
    ordered += [label for label in labels if label != official]
    texts = tuple(dict.fromkeys(ordered))
    return Subject(iri, official or (labels[0] if labels else code), texts, "rome", (official,) if official else ())


def _key(text: str) -> str:
    return fold(normalise(text)).rstrip(" .")


def propose_competencies(
    subjects: Sequence[Subject],
    data: Esco,
    *,
    threshold: float | None = None,
    top_k: int | None = None,
    cal: calibration.Calibration | None = None,
) -> list[Mapping]:
    """Competency → skill links of calibrated confidence ≥ ``threshold``, best ``top_k`` per competency.

    :param cal: the calibration to apply (default: the shipped one, :func:`.calibration.load`).
    """
    if not subjects:
        return []
    cal = cal or calibration.load("competency")
    limit = cal.threshold if threshold is None else threshold
    index = skills.SkillIndex(data.skills)
    hits = index.search([s.texts[0] for s in subjects], top_k=top_k or DEFAULT_TOP_K["competency"])
    hits = skills.drop_broader_duplicates(hits, data.skills, data.broader)
    out = []
    for h in hits:
        subject, concept = subjects[h.query], data.skills[h.skill]
        confidence = cal.confidence(h.score)
        if confidence < limit:
            continue
        preferred = {_key(f) for f in esco_forms(concept.pref_label)}
        same = _key(subject.texts[0]) in preferred
        predicate = COMPETENCY_PREDICATES[same, h.label_coverage >= 0.999]
        text = subject.texts[0] if same else main_clause(subject.texts[0])
        out.append(Mapping(subject, predicate, concept.iri, concept.pref_label, h.score, text, h.label, confidence))
    return _sorted(out, "competency")


def rome_entries(subjects: Sequence[Subject]) -> list[occupations.RomeEntry]:
    return [occupations.RomeEntry(s.iri, s.iri.rsplit("/", 1)[-1], s.texts) for s in subjects]


def propose_rome(
    subjects: Sequence[Subject],
    data: Esco,
    *,
    threshold: float | None = None,
    top_k: int | None = None,
    referential: Sequence[occupations.RomeEntry] = (),
    cal: calibration.Calibration | None = None,
) -> list[Mapping]:
    """ROME code → occupation links of calibrated confidence ≥ ``threshold``.

    :param referential: every code of the ROME release: the predicate rule then counts, for an
        occupation, the codes of the whole referential that link to it, not only ``subjects``.
    :param cal: the calibration to apply (default: the shipped one, :func:`.calibration.load`).
    """
    cal = cal or calibration.load("rome")
    limit = cal.threshold if threshold is None else threshold
    wanted = {s.iri: s for s in subjects}
    entries = [e for e in referential if e.iri not in wanted] + rome_entries(subjects)
    found = occupations.evidence(entries, data.occupations)
    accepted = _best_per_code([ev for ev in found if cal.confidence(occupations.score(ev)) >= limit], top_k)
    chosen = occupations.predicates(accepted)
    out = []
    for ev in accepted:
        if ev.entry.iri not in wanted:
            continue
        raw = occupations.score(ev)
        predicate = chosen[ev.entry.iri, ev.occupation.iri]
        subject, concept = wanted[ev.entry.iri], ev.occupation
        out.append(
            Mapping(
                subject,
                predicate,
                concept.iri,
                concept.pref_label,
                raw,
                ev.rome_text,
                ev.esco_text,
                cal.confidence(raw),
            )
        )
    return _sorted(out, "rome")


def _best_per_code(found: Iterable[occupations.Evidence], top_k: int | None) -> list[occupations.Evidence]:
    per_code: dict[str, list[occupations.Evidence]] = {}
    for ev in found:
        per_code.setdefault(ev.entry.iri, []).append(ev)
    keep = top_k or DEFAULT_TOP_K["rome"]
    out = []
    for evs in per_code.values():
        out += sorted(evs, key=lambda ev: (-occupations.score(ev), ev.occupation.iri))[:keep]
    return out


def _sorted(mappings: list[Mapping], kind: str) -> list[Mapping]:
    log.info("%d %s links proposed for %d subjects", len(mappings), kind, len({m.subject.iri for m in mappings}))
    return sorted(mappings, key=lambda m: (m.subject.iri, -m.confidence, m.object_id))


def link_triples(mappings: Iterable[Mapping]) -> Iterator[Triple]:
    """``<ours> skos:exactMatch|closeMatch|broadMatch|narrowMatch <esco>``: the triples of the links graph."""
    for m in mappings:
        yield f"<{m.subject.iri}>", term_iri(m.predicate), f"<{m.object_id}>"
