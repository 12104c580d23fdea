"""Reducing a projection before it becomes a graph: top-k neighbours, disparity backbone, or all pairs.

At national scale the projection of certifications through their codes is nearly complete
(2021 register, ROME: 16,191 certifications, 7.2 M pairs sharing a code, one component of
almost everything), so every pair cannot be the answer. A :class:`Reduction` says which pairs
of the projection ``A @ A.T`` become edges; each rule looks at one row of the product at a
time (all the pairs of one certification), so the product is computed
:data:`CHUNK_ROWS` rows at a time against every row and never held whole:

``top-k`` (default)
    each certification keeps its ``k`` most similar others (Jaccard, then shared codes); the
    edge exists when it is among the ``k`` best of either end. At most ``k × n`` edges
    whatever the density. Ties (hundreds of certifications listing exactly the same one code
    all have Jaccard 1) are broken by a fixed hash of the pair, not by fiche number, so that
    no certification becomes everyone's neighbour because of its number; reruns agree.
``disparity``
    the disparity filter of Serrano, Boguñá and Vespignani (PNAS 106:6483, 2009) on the
    Jaccard weights: for a node of degree ``d`` and strength ``s``, an edge of weight ``w``
    is kept when ``(1 - w/s) ** (d - 1) < alpha`` at either end (a weight that a uniform
    split of ``s`` would rarely give). Nodes of degree 1 keep their edge.
``all``
    every pair passing ``min_shared`` and ``min_jaccard`` (the plain weighted projection).

``min_shared`` and ``min_jaccard`` filter the pairs before any rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import QueryError

#: rows of ``A`` multiplied at a time: bounds the memory of the product to one slice
CHUNK_ROWS = 4096


@dataclass
class Pairs:
    """Kept pairs of a projection: row indices ``i < j``, shared counts and Jaccard indices."""

    i: np.ndarray
    j: np.ndarray
    shared: np.ndarray
    jaccard: np.ndarray
    #: pairs passing ``min_shared`` and ``min_jaccard`` before the rule (``len(self)`` when not counted)
    candidates: int = -1

    def __post_init__(self) -> None:
        if self.candidates < 0:
            self.candidates = len(self.i)

    def __len__(self) -> int:
        return len(self.i)


@dataclass(frozen=True)
class Reduction:
    """Which pairs of a projection become edges (see the module documentation).

    :param rule: ``top-k``, ``disparity`` or ``all`` (a key of :data:`RULES`).
    :param k: ``top-k``: neighbours kept per node.
    :param alpha: ``disparity``: significance level.
    :param min_shared: minimum number of shared codes of a pair.
    :param min_jaccard: minimum Jaccard index of a pair.
    """

    rule: str = "top-k"
    k: int = 10
    alpha: float = 0.05
    min_shared: int = 1
    min_jaccard: float = 0.0

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise QueryError(f"unknown reduction; choose one of {', '.join(RULES)}", value=self.rule)

    def describe(self) -> str:
        """``top-10 neighbours by Jaccard (shared ≥ 1, Jaccard ≥ 0)`` and the like."""
        rule = {
            "top-k": f"top-{self.k} neighbours by Jaccard",
            "disparity": f"disparity backbone (alpha {self.alpha})",
            "all": "every pair",
        }[self.rule]
        return f"{rule} (shared ≥ {self.min_shared}, Jaccard ≥ {self.min_jaccard})"


def _top_k(i: np.ndarray, j: np.ndarray, shared: np.ndarray, jaccard: np.ndarray, r: Reduction) -> np.ndarray:
    """Mask of the ``r.k`` best pairs of each row ``i`` (Jaccard, then shared, then a hash of the pair).

    One int64 sort key: row (21 bits), 1 - Jaccard (20 bits: distinct Jaccard indices of code
    sets of under a thousand codes differ by more than 2⁻²⁰), 63 - shared (6 bits), the hash (16 bits).
    """
    key = i.astype(np.int64) << np.int64(42)
    key |= np.round((1.0 - jaccard) * ((1 << 20) - 1)).astype(np.int64) << np.int64(22)
    key |= (63 - np.minimum(shared, 63)).astype(np.int64) << np.int64(16)
    key |= _mix(i, j)
    order = np.argsort(key, kind="stable")
    ranked_rows = i[order]
    first = np.searchsorted(ranked_rows, ranked_rows, side="left")
    keep = np.zeros(len(i), dtype=bool)
    keep[order] = (np.arange(len(i)) - first) < r.k
    return keep


def _mix(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random 16-bit key of each pair (Knuth's multiplicative hash), for tie-breaks."""
    key = (i.astype(np.uint64) * np.uint64(2654435761) + j.astype(np.uint64) * np.uint64(40503)) & np.uint64(0xFFFFFFFF)
    return ((key * np.uint64(2246822519) & np.uint64(0xFFFFFFFF)) >> np.uint64(16)).astype(np.int64)


def _disparity(i: np.ndarray, j: np.ndarray, shared: np.ndarray, jaccard: np.ndarray, r: Reduction) -> np.ndarray:
    """Mask of the pairs significant for row ``i`` under the disparity filter (weight: Jaccard)."""
    rows = int(i.max()) + 1 if len(i) else 0
    degree = np.bincount(i, minlength=rows)[i]
    strength = np.bincount(i, weights=jaccard, minlength=rows)[i]
    significance = np.power(1.0 - jaccard / strength, degree - 1)
    keep: np.ndarray = (degree == 1) | (significance < r.alpha)
    return keep


def _all(i: np.ndarray, j: np.ndarray, shared: np.ndarray, jaccard: np.ndarray, r: Reduction) -> np.ndarray:
    return np.ones(len(i), dtype=bool)


#: rule → mask of the pairs one row keeps, given the row's pairs (rows, columns, shared, Jaccard)
RULES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Reduction], np.ndarray]] = {
    "top-k": _top_k,
    "disparity": _disparity,
    "all": _all,
}


def empty_pairs() -> Pairs:
    """No pair."""
    ints = np.zeros(0, dtype=np.int32)
    return Pairs(ints, ints, ints, np.zeros(0, dtype=np.float64))


def reduced_pairs(matrix: sp.csr_matrix, reduction: Reduction, *, chunk_rows: int = CHUNK_ROWS) -> Pairs:
    """The pairs of rows of ``matrix`` that ``reduction`` keeps, as ``i < j`` sorted by ``(i, j)``.

    :param matrix: a 0/1 incidence matrix (rows are the things to pair).
    :param reduction: the filters and the rule.
    :param chunk_rows: rows per slice of the product.
    """
    m = sp.csr_matrix(matrix, dtype=np.int32)
    sizes = np.asarray(m.sum(axis=1), dtype=np.float64).ravel()
    transposed = m.T.tocsr()
    parts = [
        _chunk(m[start : start + chunk_rows] @ transposed, start, sizes, reduction)
        for start in range(0, m.shape[0], max(chunk_rows, 1))
    ]
    if not parts:
        return empty_pairs()
    i, j, shared, jaccard = (np.concatenate([p[k] for p in parts]) for k in range(4))
    low, high = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(low.astype(np.int64) * m.shape[0] + high, return_index=True)
    candidates = sum(p[4] for p in parts) // 2  # the full product holds each pair twice
    return Pairs(low[first], high[first], shared[first], jaccard[first], candidates)


def _chunk(
    product: sp.csr_matrix, start: int, sizes: np.ndarray, r: Reduction
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The kept pairs of one slice of the full product (rows from ``start``, every column), and
    how many pairs passed the filters before the rule."""
    coo = product.tocoo()
    i = coo.row.astype(np.int32) + np.int32(start)
    j = coo.col.astype(np.int32)
    shared = coo.data.astype(np.int32)
    jaccard = shared / (sizes[i] + sizes[j] - shared)
    keep = (i != j) & (shared >= max(r.min_shared, 1)) & (jaccard >= r.min_jaccard)
    i, j, shared, jaccard = i[keep], j[keep], shared[keep], jaccard[keep]
    keep = RULES[r.rule](i, j, shared, jaccard, r)
    return i[keep], j[keep], shared[keep], jaccard[keep], len(i)
