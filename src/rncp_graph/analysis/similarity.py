"""Similarity networks: certifications linked by the codes they share.

The weights come from one sparse product on the incidence matrix ``A`` (certifications ×
codes): ``S = A @ A.T`` holds, for each pair, the number of shared codes; the Jaccard index
is ``S[i, j] / (|A_i| + |A_j| - S[i, j])``. Pairs are filtered (minimum shared count and
minimum Jaccard) and reduced (:mod:`.backbone`: top-k neighbours by default) *before* any
networkx object is built, so only the kept edges cost memory; a network of more than
``max_edges`` edges is refused (:class:`TooManyEdges`) before it is built.

Edge attributes: ``shared`` (int) and ``jaccard`` (float, 0–1). Node attributes: ``label``
(title), ``number``, ``level`` and ``status`` when known, and ``codes`` (how many codes of
the facet the certification has).
"""

from __future__ import annotations

import logging
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ..errors import QueryError
from ..store import GraphStore
from .backbone import CHUNK_ROWS, Pairs, Reduction, empty_pairs, reduced_pairs
from .incidence import Incidence, Scope, certification_attributes, code_labels, extract_incidence

log = logging.getLogger(__name__)


#: edges a network may have unless the caller raises ``max_edges``: networkx holds about 1 kB
#: per edge with its attributes, GraphML about 150 bytes (a 7 M-edge network took 16.9 GB and 36 min)
MAX_EDGES = 500_000


class TooManyEdges(QueryError):
    """The reduced projection has more edges than the caller allowed; nothing was built."""


def pairs_of(
    matrix: sp.csr_matrix, *, min_shared: int = 1, min_jaccard: float = 0.0, chunk_rows: int = CHUNK_ROWS
) -> Pairs:
    """Pairs of rows sharing at least ``min_shared`` columns with a Jaccard index ≥ ``min_jaccard``.

    The product ``A @ A.T`` is computed ``chunk_rows`` rows at a time, each slice only
    against the rows from its own first row on (the upper triangle: half the work), and
    filtered at once, so memory holds one slice and the kept pairs, never the whole product.
    Pairs come out sorted by ``(i, j)``.

    :param matrix: a 0/1 incidence matrix (rows are the things to pair).
    :param min_shared: minimum number of shared columns (at least 1).
    :param min_jaccard: minimum Jaccard index, 0 keeps every pair.
    :param chunk_rows: rows per slice of the product.
    """
    m = sp.csr_matrix(matrix, dtype=np.int32)
    sizes = np.asarray(m.sum(axis=1), dtype=np.float64).ravel()
    transposed = m.T.tocsr()
    parts = [
        _slice_pairs(
            m[start : start + chunk_rows] @ transposed[:, start:], start, sizes, max(min_shared, 1), min_jaccard
        )
        for start in range(0, m.shape[0], max(chunk_rows, 1))
    ]
    if not parts:
        return empty_pairs()
    i, j, shared, jaccard = (np.concatenate([p[k] for p in parts]) for k in range(4))
    return Pairs(i, j, shared, jaccard)


def _slice_pairs(
    product: sp.csr_matrix, start: int, sizes: np.ndarray, min_shared: int, min_jaccard: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Upper-triangle pairs of one slice of the product (rows and columns both from ``start``), filtered."""
    product = product.tocsr()
    product.sort_indices()
    coo = product.tocoo()
    keep = (coo.col > coo.row) & (coo.data >= min_shared)
    i = coo.row[keep].astype(np.int32) + np.int32(start)
    j = coo.col[keep].astype(np.int32) + np.int32(start)
    shared = coo.data[keep].astype(np.int32)
    jaccard = shared / (sizes[i] + sizes[j] - shared)
    keep = jaccard >= min_jaccard
    return i[keep], j[keep], shared[keep], jaccard[keep]


def pairs_graph(names: list[str], pairs: Pairs, *, nodes: list[str] | None = None) -> nx.Graph:
    """A networkx graph of the kept pairs; ``nodes`` (default: none) are added even when isolated."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes or [])
    graph.add_edges_from(
        (names[a], names[b], {"shared": int(s), "jaccard": round(float(jac), 6)})
        for a, b, s, jac in zip(
            pairs.i.tolist(), pairs.j.tolist(), pairs.shared.tolist(), pairs.jaccard.tolist(), strict=True
        )
    )
    return graph


def similarity_network(
    store: GraphStore,
    facet: str = "rome",
    *,
    scope: Scope | None = None,
    min_shared: int = 1,
    min_jaccard: float = 0.0,
    reduction: Reduction | None = None,
    max_edges: int | None = MAX_EDGES,
    isolates: bool = True,
) -> nx.Graph:
    """Certifications linked when they share codes of ``facet``, reduced by ``reduction``.

    :param store: the graph.
    :param facet: ``rome``, ``nsf``, ``formacode`` or ``competency``.
    :param scope: which certifications (level, NSF, active only).
    :param min_shared: keep pairs sharing at least this many codes (when ``reduction`` is not given).
    :param min_jaccard: keep pairs whose Jaccard index is at least this (when ``reduction`` is not given).
    :param reduction: which pairs become edges (default: top-10 neighbours after the two filters).
    :param max_edges: refuse (:class:`TooManyEdges`) to build a graph of more edges; ``None``: no limit.
    :param isolates: keep certifications (with at least one code) that share nothing.
    """
    inc = extract_incidence(store, facet, scope=scope)
    return network_of(
        inc,
        certification_attributes(store),
        reduction=reduction or Reduction(min_shared=min_shared, min_jaccard=min_jaccard),
        max_edges=max_edges,
        isolates=isolates,
    )


def network_of(
    inc: Incidence,
    attributes: dict[str, dict[str, Any]],
    *,
    reduction: Reduction | None = None,
    max_edges: int | None = MAX_EDGES,
    isolates: bool = True,
) -> nx.Graph:
    """The certification network of an incidence matrix, with node attributes from ``attributes``.

    Graph attributes say what was kept: ``reduction`` (its description), ``pairs`` (pairs of the
    projection passing the filters) and ``edges`` (kept).

    :raises TooManyEdges: the reduced projection has more than ``max_edges`` edges.
    """
    reduction = reduction or Reduction()
    pairs = reduced_pairs(inc.matrix, reduction)
    if max_edges is not None and len(pairs) > max_edges:
        raise TooManyEdges(
            f"{inc.facet} network: {len(pairs):,} edges ({reduction.describe()}) exceed the limit of "
            f"{max_edges:,}; keep fewer (top-k with a smaller k, a disparity backbone, a higher "
            "min-shared or min-jaccard) or raise max-edges",
            value=str(len(pairs)),
        )
    graph = pairs_graph(inc.rows, pairs, nodes=inc.rows if isolates else None)
    sizes = dict(zip(inc.rows, inc.row_sizes.tolist(), strict=True))
    for node, data in graph.nodes(data=True):
        data.update(attributes.get(node, {"number": node, "label": node}))
        data["codes"] = int(sizes[node])
    graph.graph.update(
        facet=inc.facet,
        kind="certifications",
        reduction=reduction.describe(),
        pairs=pairs.candidates,
        edges=len(pairs),
        min_shared=reduction.min_shared,
        min_jaccard=reduction.min_jaccard,
    )
    log.info("%s network: %d certifications, %d edges", inc.facet, graph.number_of_nodes(), graph.number_of_edges())
    return graph


def code_network(inc: Incidence, labels: dict[str, str] | None = None, *, min_shared: int = 1) -> nx.Graph:
    """Codes linked when certifications hold both (``A.T @ A``); node ``certifications`` = column size.

    :param inc: the incidence matrix.
    :param labels: code → label (see :func:`~rncp_graph.analysis.incidence.code_labels`).
    :param min_shared: keep pairs of codes held together by at least this many certifications.
    """
    pairs = pairs_of(inc.matrix.T.tocsr(), min_shared=min_shared)
    graph = pairs_graph(inc.cols, pairs, nodes=inc.cols)
    labels = labels or {}
    for code, size in zip(inc.cols, inc.col_sizes.tolist(), strict=True):
        graph.nodes[code].update(label=labels.get(code, code), code=code, certifications=int(size))
    graph.graph.update(facet=inc.facet, kind="codes", min_shared=min_shared)
    return graph


def rome_code_network(store: GraphStore, *, scope: Scope | None = None, min_shared: int = 1) -> nx.Graph:
    """ROME codes linked by the certifications that list both."""
    return code_network(
        extract_incidence(store, "rome", scope=scope), code_labels(store, "rome"), min_shared=min_shared
    )
