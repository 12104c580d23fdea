"""French text matching: normalisation, stop words, Snowball stemming and a TF-IDF index.

The pipeline for one text is::

    NFC → typographic apostrophes unified → lowercase → elisions split (l', d', qu'...)
        → word tokens → French stop words dropped → Snowball French stem → accents folded
        → features = stems + stem bigrams

Stemming runs before accent folding because the Snowball French algorithm reads accents
(``é``, ``è``...). The stemmer is the official Snowball algorithm from the
``snowballstemmer`` package (pure Python; ``pip install 'rncp-graph[link]'``).

:class:`TfidfIndex` keeps a document collection (ESCO labels) as an L2-normalised sparse
TF-IDF matrix (scipy); a query is scored against every document by cosine similarity.
"""

from __future__ import annotations

import importlib
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse

from ..errors import RNCPGraphError

log = logging.getLogger(__name__)

_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u00b4`\u2032]")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_WS = re.compile(r"\s+")

#: French stop words (function words, auxiliaries, and the generic verbs of competency
#: sentences that carry no topic). Written accent-folded; compared after folding.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a ai aie aient aies ait as au aucun aucune aupres aussi autre autres aux avec avoir c ca ce ceci cela celle
    celles celui ces cet cette chaque ci comme comment d dans de des du donc dont du elle elles en encore entre
    est et etc etre eu fait faire il ils j je l la le les leur leurs lors lorsqu lorsque lui m ma mais me meme
    memes mes moi mon n ne ni no non nos notre nous o on ou par parmi pas pendant peu peut plus pour pourquoi
    qu quand que quel quelle quelles quels qui quoi s sa sans se selon ses si sien sont sous sur t ta te
    tel telle telles tels tes toi ton tous tout toute toutes tres tu un une unes uns vers via vos votre vous y
    afin ainsi cas cadre ensemble etant ete fois lieu moyen niveau partir regard sein tant travers
    """.split()  # noqa: SIM905 - a word list reads better as text
)

#: Snowball stems of French action nouns → the stem of their verb, where the two differ
#: (``gestion`` → ``ger`` of *gérer*): block titles name actions by nouns ("Gestion et
#: animation d'équipe"), ESCO skills by verbs ("gérer une équipe"). Nouns whose stem is
#: already the verb's (réalisation, organisation, analyse...) need no entry.
STEM_EQUIVALENTS: dict[str, str] = {
    "gestion": "ger",
    "conduit": "conduir",
    "concept": "concevoir",
    "coordin": "coordon",
    "definit": "defin",
    "mis": "mettr",
    "product": "produir",
    "construct": "construir",
    "vent": "vendr",
    "suiv": "suivr",
    "pilotag": "pilot",
    "creation": "cre",
    "entretien": "entreten",
    "redact": "redig",
    "commun": "communiqu",
    "planif": "planifi",
    "intervent": "interven",
    "diagnostic": "diagnostiqu",
    "achat": "achet",
}

_ELISION = re.compile(r"\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)'", re.IGNORECASE)

#: Where a competency sentence stops saying what is done and starts saying why or how.
_PURPOSE = re.compile(
    r",|\b(afin d[e']|pour |en vue d[e']|de mani[eè]re [àa]|de fa[çc]on [àa]|dans le respect|dans le cadre"
    r"|en tenant|en respectant|en s'appuyant|en conformit[ée]|conform[ée]ment|au regard|en fonction d[e'])",
    re.IGNORECASE,
)


class StemmerUnavailableError(RNCPGraphError):
    """The Snowball stemmer is not installed (``pip install 'rncp-graph[link]'``)."""


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        snowballstemmer = importlib.import_module("snowballstemmer")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StemmerUnavailableError(
            "ESCO linking needs the snowballstemmer package: pip install 'rncp-graph[link]'"
        ) from exc
    return snowballstemmer.stemmer("french")


def normalise(text: str) -> str:
    """NFC, unified apostrophes, lowercase, single spaces: the form labels are compared in."""
    s = _APOSTROPHES.sub("'", unicodedata.normalize("NFC", text))
    return _WS.sub(" ", s.casefold()).strip()


def fold(text: str) -> str:
    """Accents and ligatures folded (``é`` → ``e``, ``œ`` → ``oe``), for matching only."""
    s = text.replace("œ", "oe").replace("æ", "ae").replace("Œ", "OE").replace("Æ", "AE")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Lowercase word tokens with elisions split off (``d'engins`` → ``engins``), stop words kept."""
    s = _ELISION.sub(r"\1 ", normalise(text))
    return _WORD.findall(s)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball French stem of a lowercase word, accent-folded, action nouns made verbs
    (:data:`STEM_EQUIVALENTS`)."""
    s = fold(str(_stemmer().stemWord(word)))
    return STEM_EQUIVALENTS.get(s, s)


def content_stems(text: str) -> list[str]:
    """Stems of the words of ``text`` that are not stop words (nor one-letter tokens)."""
    return [stem(w) for w in words(text) if len(w) > 1 and fold(w) not in STOP_WORDS]


def features(text: str) -> list[str]:
    """Stems and stem bigrams: the terms a text is indexed by."""
    stems = content_stems(text)
    return stems + [f"{a}_{b}" for a, b in pairwise(stems)]


def main_clause(text: str) -> str:
    """The part of a competency sentence before its purpose or manner clause.

    ``"Élaborer le budget prévisionnel afin de fixer les dépenses"`` → ``"Élaborer le budget
    prévisionnel"``. Returns the whole text when the cut would leave fewer than two content words.
    """
    m = _PURPOSE.search(text)
    if m is None:
        return text
    head = text[: m.start()].rstrip()
    return head if len(content_stems(head)) >= 2 else text


@dataclass(frozen=True)
class Hit:
    """One query matched to one document with its cosine similarity."""

    query: int
    document: int
    score: float


class TfidfIndex:
    """TF-IDF vectors of a document collection, queried by cosine similarity.

    IDF is smoothed (``ln((1 + N) / (1 + df)) + 1``) and computed on the documents only;
    query terms unseen in the documents are ignored.

    :param documents: the texts to index (ESCO labels, one per document).
    """

    def __init__(self, documents: Sequence[str]) -> None:
        self.vocabulary: dict[str, int] = {}
        rows = [self._counts(features(d), grow=True) for d in documents]
        df = np.zeros(len(self.vocabulary))
        for row in rows:
            for term in row:
                df[term] += 1
        self.idf = np.log((1 + len(rows)) / (1 + df)) + 1.0
        self.matrix: sparse.csr_matrix = self._matrix(rows)
        log.debug("indexed %d documents, %d terms", len(rows), len(self.vocabulary))

    def _counts(self, terms: Iterable[str], *, grow: bool) -> dict[int, int]:
        counts: dict[int, int] = {}
        for term in terms:
            idx = self.vocabulary.get(term)
            if idx is None:
                if not grow:
                    continue
                idx = self.vocabulary[term] = len(self.vocabulary)
            counts[idx] = counts.get(idx, 0) + 1
        return counts

    def _matrix(self, rows: Sequence[dict[int, int]], unseen: Sequence[float] | None = None) -> sparse.csr_matrix:
        data, indices, indptr = [], [], [0]
        for i, row in enumerate(rows):
            weights = {t: (1.0 + math.log(n)) * self.idf[t] for t, n in row.items()}
            extra = unseen[i] if unseen is not None else 0.0
            norm = math.sqrt(sum(w * w for w in weights.values()) + extra) or 1.0
            for t, w in sorted(weights.items()):
                indices.append(t)
                data.append(w / norm)
            indptr.append(len(indices))
        shape = (len(rows), len(self.vocabulary))
        return sparse.csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(indptr)), shape=shape)

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """L2-normalised TF-IDF vectors of ``texts`` in this index's term space.

        Terms the documents never use cannot match, but they still count in the norm (with
        the IDF of a term seen nowhere): a query made mostly of unknown words scores low.
        """
        rows, unseen = [], []
        top_idf = math.log(1 + self.matrix.shape[0]) + 1.0
        for text in texts:
            terms = features(text)
            rows.append(self._counts(terms, grow=False))
            missing = [t for t in terms if t not in self.vocabulary]
            unseen.append(sum(top_idf**2 for _ in missing))
        return self._matrix(rows, unseen)

    def search(self, texts: Sequence[str], *, top_k: int = 5, min_score: float = 0.0) -> list[Hit]:
        """The ``top_k`` best documents of each text with a cosine ≥ ``min_score`` (> 0)."""
        scores = (self.vectors(texts) @ self.matrix.T).tocsr()
        hits: list[Hit] = []
        for q in range(scores.shape[0]):
            start, end = scores.indptr[q], scores.indptr[q + 1]
            cols, vals = scores.indices[start:end], scores.data[start:end]
            order = np.lexsort((cols, -vals))[:top_k]
            hits.extend(Hit(q, int(cols[i]), float(vals[i])) for i in order if vals[i] >= min_score and vals[i] > 0)
        return hits
