"""Stores made from model objects, for tests, benchmarks and notebooks.

The fiches go through the real mapping (:func:`~rncp_graph.mapping.fiches_to_ntriples`) into a
:class:`~rncp_graph.store.GraphStore`, so a hand-made graph has exactly the shape of a built one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .. import iris
from ..mapping import ntriples_chunks
from ..model import Fiche
from ..store import GraphStore

log = logging.getLogger(__name__)

FIXTURE_GRAPH = iris.source_graph("0" * 16)


def store_from_fiches(
    fiches: Iterable[Fiche], *, chunk_size: int = 1000, store: GraphStore | None = None
) -> GraphStore:
    """Map ``fiches`` and load them into one named graph of ``store`` (a new memory store by default).

    :param fiches: the model objects (any iterable; consumed once, chunk by chunk).
    :param chunk_size: fiches per N-Triples chunk loaded into Oxigraph.
    :param store: an existing store to load into.
    """
    target = store if store is not None else GraphStore()
    target.replace_graph(FIXTURE_GRAPH, ntriples_chunks(fiches, chunk_size))
    log.debug("fixture store: %d quads", len(target))
    return target
