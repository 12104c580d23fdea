"""Competencies → ESCO skills: BM25 retrieval (``bm25s``) and a coverage score.

Documents: one per ESCO skill, its preferred and alternative labels (and its description
when the file has one: neither shared copy does), as Snowball French stems
(:func:`.textmatch.content_stems`). A competency sentence is a query; ``bm25s`` returns the
best :data:`CANDIDATES` skills. Each candidate is then scored by how much of it the
competency says (:func:`coverage`):

* ``label_coverage``: the BM25 score of the competency against the skill's best label,
  divided by the score that label would get if the competency held every word of it
  (its IDF-weighted share found in the competency; 1 = every word of the label is there);
* ``clause_coverage``: the same, the other way round, for the competency's main clause (the
  part before *afin de*, *pour*, a comma): how much of what it does the label says;
* one-word labels ("communication") count half: a shared word is not a shared skill.

Raw score = ``label_coverage^0.6 × clause_coverage^0.4`` (:data:`SCORE_EXPONENTS`), with the
one-word discount; :mod:`.calibration` turns it into a probability.

The ESCO skill hierarchy (``broaderRelationsSkillPillar.csv``, official download only)
decides nothing here; :func:`drop_broader_duplicates` removes a candidate when a narrower
skill of it is also proposed for the same competency with a score at least as high, so that
"gérer des budgets" does not stand beside its own parent. The shared ESCO copies hold no
occupation–skill relation file, so the fiche's ROME codes (and their ESCO occupations) cannot
narrow the candidates.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..errors import RNCPGraphError
from .esco_data import EscoConcept
from .textmatch import content_stems, main_clause

log = logging.getLogger(__name__)

#: candidates BM25 retrieves per competency before scoring
CANDIDATES = 30
SCORE_EXPONENTS = (0.6, 0.4)
ONE_WORD_FACTOR = 0.75


class Bm25Unavailable(RNCPGraphError):
    """``bm25s`` is not installed (``pip install 'rncp-graph[link]'``)."""


def _bm25s() -> Any:
    try:
        module = importlib.import_module("bm25s")
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index build at DEBUG
        return module
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise Bm25Unavailable("competency linking needs bm25s: pip install 'rncp-graph[link]'") from exc


@dataclass(frozen=True)
class SkillHit:
    """One candidate skill for one competency text."""

    query: int
    skill: int
    score: float
    bm25: float
    label_coverage: float
    clause_coverage: float
    label: str  # the ESCO label that matched best


class SkillIndex:
    """BM25 over ESCO skills (one document per skill) and over their labels (for coverage)."""

    def __init__(self, skills: Sequence[EscoConcept]) -> None:
        self.skills = list(skills)
        self.labels = [[content_stems(t) for t in s.labels()] for s in self.skills]
        self.texts = [s.labels() for s in self.skills]
        docs = []
        for s, labels in zip(self.skills, self.labels, strict=True):
            tokens = [t for label in labels for t in label] + content_stems(s.description)
            docs.append(tokens or ["∅"])
        self.bm25 = _bm25s().BM25(k1=1.2, b=0.75)
        self.bm25.index(docs, show_progress=False)
        log.debug("BM25 index of %d ESCO skills", len(docs))

    @cached_property
    def idf(self) -> dict[str, float]:
        """``ln(1 + (N - df + 0.5) / (df + 0.5))`` of every stem (BM25's IDF), over skills."""
        n = len(self.labels)
        df: dict[str, int] = {}
        for labels in self.labels:
            for term in {t for label in labels for t in label}:
                df[term] = df.get(term, 0) + 1
        return {t: float(np.log(1 + (n - d + 0.5) / (d + 0.5))) for t, d in df.items()}

    @cached_property
    def top_idf(self) -> float:
        """The IDF of a stem no skill uses (the highest there is)."""
        return max(self.idf.values(), default=1.0)

    def coverage(self, have: Sequence[str], want: Sequence[str]) -> float:
        """IDF-weighted share of the stems of ``want`` found in ``have`` (0 when ``want`` is empty)."""
        top = self.top_idf
        weights = {t: self.idf.get(t, top) for t in want}
        total = sum(weights.values())
        found = set(have)
        return sum(w for t, w in weights.items() if t in found) / total if total else 0.0

    def search(self, texts: Sequence[str], *, top_k: int = 5, min_score: float = 0.0) -> list[SkillHit]:
        """The ``top_k`` best-scoring skills of each text with a score ≥ ``min_score``."""
        queries = [content_stems(t) or ["∅"] for t in texts]
        docs, bm25 = self.bm25.retrieve(queries, k=min(CANDIDATES, len(self.skills)), show_progress=False)
        hits: list[SkillHit] = []
        for q, text in enumerate(texts):
            clause = content_stems(main_clause(text))
            found = [self._hit(q, queries[q], clause, int(d), float(b)) for d, b in zip(docs[q], bm25[q], strict=True)]
            ranked = sorted(
                (h for h in found if h.score >= min_score and h.score > 0), key=lambda h: (-h.score, h.skill)
            )
            hits.extend(ranked[:top_k])
        return hits

    def _hit(self, q: int, query: list[str], clause: list[str], skill: int, bm25: float) -> SkillHit:
        best = (0.0, 0.0, 0)
        for i, label in enumerate(self.labels[skill]):
            cover = self.coverage(query, label)
            back = self.coverage(label, clause)
            value = score(cover, back, len(set(label)))
            if value > best[0]:
                best = (value, cover, i)
        value, cover, i = best
        back = self.coverage(self.labels[skill][i], clause) if self.labels[skill] else 0.0
        return SkillHit(q, skill, round(value, 4), bm25, cover, back, self.texts[skill][i] if self.texts[skill] else "")


def score(label_coverage: float, clause_coverage: float, label_words: int) -> float:
    """The raw score of a (competency, skill label) pair (module docstring)."""
    a, b = SCORE_EXPONENTS
    value = float(label_coverage**a * clause_coverage**b)
    return value * ONE_WORD_FACTOR if label_words <= 1 else value


def drop_broader_duplicates(
    hits: Sequence[SkillHit], skills: Sequence[EscoConcept], broader: dict[str, tuple[str, ...]]
) -> list[SkillHit]:
    """``hits`` without a skill whose narrower skill is also proposed for the same query with a
    score at least as high (needs the ESCO skill hierarchy; unchanged without it)."""
    if not broader:
        return list(hits)
    by_query: dict[int, dict[str, float]] = {}
    for h in hits:
        by_query.setdefault(h.query, {})[skills[h.skill].iri] = h.score
    kept = []
    for h in hits:
        proposed = by_query[h.query]
        iri = skills[h.skill].iri
        shadowed = any(iri in broader.get(other, ()) and s >= h.score for other, s in proposed.items() if other != iri)
        if not shadowed:
            kept.append(h)
    return kept
