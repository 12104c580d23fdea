"""ROME codes → ESCO occupations, from every job title the two sides hold.

Evidence (:func:`evidence`): every label of a ROME code — its official label and its
appellations (13,120 in ROME v460), gendered pairs split into full forms — is matched against
every label of every ESCO occupation (preferred and alternative: both are job titles) by the
TF-IDF cosine of :class:`.textmatch.TfidfIndex` (short titles: a bounded score, and words ESCO
never uses count against a match). For one (code, occupation) pair:

* ``cosine``: the best cosine over the code's labels and the occupation's labels;
* ``support``: how many of the code's labels have that occupation as their best match;
* ``same_title``: a label of the code and a label of the occupation are the same text once
  normalised (case, accents, apostrophes, gender);
* ``isco_agrees``: whether the occupation's ISCO-08 minor group (3 digits) is the one most of
  the code's labels land in (``None`` when the ESCO files carry no ISCO group).

:func:`score` combines them into the raw ``similarity_score`` (:data:`SCORE_RULE`);
:mod:`.calibration` turns it into a probability. :func:`predicates` chooses the SKOS mapping
predicate of each accepted pair by the counts on both sides (:data:`PREDICATE_RULE`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib.namespace import SKOS

from .esco_data import EscoConcept, rome_forms
from .textmatch import TfidfIndex, fold, normalise

log = logging.getLogger(__name__)

#: how many ESCO labels each ROME label form is compared with (the best ones)
TOP_LABELS = 8
#: cosines below this are not evidence at all
MIN_COSINE = 0.35


@dataclass(frozen=True)
class RomeEntry:
    """One ROME code: its IRI, its official label (first) and its appellations."""

    iri: str
    code: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """What links one ROME code to one ESCO occupation."""

    entry: RomeEntry
    occupation: EscoConcept
    cosine: float
    support: int
    same_title: bool
    isco_agrees: bool | None
    rome_text: str
    esco_text: str
    official_title: bool = False  # the code's official label is one of the occupation's labels


def _key(text: str) -> str:
    return fold(normalise(text)).rstrip(" .")


def _label_docs(occupations: Sequence[EscoConcept]) -> tuple[list[str], list[int]]:
    docs, owner = [], []
    for i, concept in enumerate(occupations):
        for text in concept.labels():
            docs.append(text)
            owner.append(i)
    return docs, owner


def _best_per_label(
    entries: Sequence[RomeEntry], occupations: Sequence[EscoConcept]
) -> dict[tuple[int, int], dict[int, tuple[float, str, str]]]:
    """(entry, label index) → occupation → (best cosine, ROME form, ESCO label)."""
    docs, owner = _label_docs(occupations)
    index = TfidfIndex(docs)
    queries = [
        (e, j, form)
        for e, entry in enumerate(entries)
        for j, label in enumerate(entry.labels)
        for form in rome_forms(label)
    ]
    found: dict[tuple[int, int], dict[int, tuple[float, str, str]]] = {}
    for start in range(0, len(queries), 4000):
        batch = queries[start : start + 4000]
        for hit in index.search([q[2] for q in batch], top_k=TOP_LABELS, min_score=MIN_COSINE):
            e, j, form = batch[hit.query]
            per_occupation = found.setdefault((e, j), {})
            o = owner[hit.document]
            if o not in per_occupation or hit.score > per_occupation[o][0]:
                per_occupation[o] = (hit.score, form, docs[hit.document])
    return found


def evidence(entries: Sequence[RomeEntry], occupations: Sequence[EscoConcept]) -> list[Evidence]:
    """Every (code, occupation) pair some label of the code matches, with its evidence."""
    per_label = _best_per_label(entries, occupations)
    out: list[Evidence] = []
    for e, entry in enumerate(entries):
        labels = [per_label.get((e, j), {}) for j in range(len(entry.labels))]
        out.extend(_entry_evidence(entry, labels, occupations))
    log.info("%d (ROME code, ESCO occupation) pairs with evidence for %d codes", len(out), len(entries))
    return out


def _entry_evidence(
    entry: RomeEntry, labels: list[dict[int, tuple[float, str, str]]], occupations: Sequence[EscoConcept]
) -> list[Evidence]:
    tops = [max(hits, key=lambda o: (hits[o][0], -o)) for hits in labels if hits]
    support = Counter(tops)
    groups = Counter((occupations[o].isco or "")[:3] for o in tops if occupations[o].isco)
    main_group = groups.most_common(1)[0][0] if groups else None
    best: dict[int, tuple[float, str, str]] = {}
    for hits in labels:
        for o, found in hits.items():
            if o not in best or found[0] > best[o][0]:
                best[o] = found
    out = []
    for o, (cosine, form, text) in sorted(best.items()):
        concept = occupations[o]
        titles = {_key(t) for t in concept.labels()}
        same = any(_key(f) in titles for label in entry.labels for f in rome_forms(label))
        official = bool(entry.labels) and any(_key(f) in titles for f in rome_forms(entry.labels[0]))
        agrees = None if main_group is None or concept.isco is None else concept.isco[:3] == main_group
        out.append(Evidence(entry, concept, cosine, support.get(o, 0), same, agrees, form, text, official))
    return out


#: How :func:`score` weighs the evidence (documented in docs/linking.md). The cosine is the
#: base; a title both sides share, several labels of the code pointing at the occupation, and
#: the occupation sitting in the ISCO group most of the code's labels land in add to it; an
#: occupation outside that group loses. Capped to [0, 1].
SCORE_RULE: dict[str, float] = {
    "same_title": 0.15,
    "support_each": 0.05,
    "support_max": 0.15,
    "isco_agrees": 0.05,
    "isco_disagrees": -0.15,
}


def score(ev: Evidence) -> float:
    """The raw similarity score of one pair (:data:`SCORE_RULE`)."""
    value = ev.cosine
    if ev.same_title:
        value += SCORE_RULE["same_title"]
    value += min(SCORE_RULE["support_max"], SCORE_RULE["support_each"] * ev.support)
    if ev.isco_agrees is True:
        value += SCORE_RULE["isco_agrees"]
    elif ev.isco_agrees is False:
        value += SCORE_RULE["isco_disagrees"]
    return round(max(0.0, min(1.0, value)), 4)


#: (several occupations for this code, several codes for this occupation) → SKOS predicate
#: from the ROME code to the ESCO occupation, for a pair whose titles differ. A code that
#: covers several ESCO occupations is broader than each (``narrowMatch``: the object is
#: narrower); an occupation several codes share is broader than each code (``broadMatch``);
#: many-to-many is only ``closeMatch``. Before the table: ``exactMatch`` when the code's
#: official label is a label of the occupation (the code's own job), or when the pair is
#: one-to-one and shares a title (an appellation).
PREDICATE_RULE: dict[tuple[bool, bool], str] = {
    (False, False): str(SKOS.closeMatch),  # exactMatch instead when same_title
    (True, False): str(SKOS.narrowMatch),
    (False, True): str(SKOS.broadMatch),
    (True, True): str(SKOS.closeMatch),
}


def predicates(accepted: Sequence[Evidence]) -> dict[tuple[str, str], str]:
    """The predicate of each accepted (code IRI, occupation IRI) pair by :data:`PREDICATE_RULE`."""
    per_code = Counter(ev.entry.iri for ev in accepted)
    per_occupation = Counter(ev.occupation.iri for ev in accepted)
    out = {}
    for ev in accepted:
        many = (per_code[ev.entry.iri] > 1, per_occupation[ev.occupation.iri] > 1)
        predicate = PREDICATE_RULE[many]
        if ev.official_title or (many == (False, False) and ev.same_title):
            predicate = str(SKOS.exactMatch)
        out[ev.entry.iri, ev.occupation.iri] = predicate
    return out
