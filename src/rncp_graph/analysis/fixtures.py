"""Stores made from model objects, for tests, benchmarks and notebooks.

The fiches go through the real mapping (:func:`~rncp_graph.mapping.fiche_to_triples`) into a
:class:`~rncp_graph.store.GraphStore`, so a hand-made graph has exactly the shape of a built one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from .. import iris
from ..mapping import fiche_to_triples
from ..model import Fiche
from ..store import GraphStore
from ..terms import line, lines_to_bytes

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
    target.replace_graph(FIXTURE_GRAPH, _chunks(fiches, chunk_size))
    log.debug("fixture store: %d quads", len(target))
    return target


def _chunks(fiches: Iterable[Fiche], size: int) -> Iterator[bytes]:
    batch: list[str] = []
    for count, fiche in enumerate(fiches, start=1):
        batch.extend(line(t) for t in fiche_to_triples(fiche))
        if count % size == 0:
            yield lines_to_bytes(batch)
            batch = []
    if batch:
        yield lines_to_bytes(batch)
