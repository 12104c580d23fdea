"""The results of the shapes on a few chosen nodes of the store (the revalidation of ``rncp-graph update``).

The compiled checks of the ``sparql`` strategy (:mod:`.compile`) are run with ``?this``
substituted by one node at a time, instead of over the whole store: a node is first asked
whether it is a focus node of a shape (the shape's target group, bound), then only the checks
of the shapes it is a focus of run, each an index look-up rather than a scan. A SPARQL-based
constraint whose ``sh:select`` is written to scan the whole store fast may name, with
``rncpsh:selectOneFocus``, the same query written for one node (Oxigraph orders the patterns
before the substitution). The results on those nodes are the whole-store run's results on the
same nodes (``tests/test_update.py`` compares them).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDFS

from ..store import GraphStore
from .compile import Batch, batches, compile_shapes
from .engine import quiet_literal_warnings
from .report import Result
from .sparql_engine import run_batch, select_rows

log = logging.getLogger(__name__)


def focused_results(store: GraphStore, shapes: rdflib.Graph, nodes: Iterable[ox.NamedNode]) -> list[Result]:
    """Every result of the shapes whose focus node is one of ``nodes``.

    :raises ValidationFailure: when a shape is not compiled or a query fails.
    """
    subclasses = bool(store.ox.query(f"ASK {{ ?a <{RDFS.subClassOf}> ?b }}", use_default_graph_as_union=True))
    by_target: dict[str, list[Batch]] = defaultdict(list)
    for batch in batches(compile_shapes(shapes, subclasses=subclasses)):
        by_target[batch.checks[0].target].append(batch)
    is_focus = {target: f"SELECT ?this WHERE {{ {target} }} LIMIT 1" for target in by_target}
    terms: dict[object, str] = {}
    found: list[Result] = []
    with quiet_literal_warnings():
        for node in sorted(set(nodes), key=lambda n: n.value):
            bound = {"this": node}
            for target, group in by_target.items():
                if not select_rows(store, is_focus[target], group[0].checks[0].shape, bound):
                    continue
                for batch in group:
                    found.extend(run_batch(store, batch, terms, this=node))
    log.debug("%d results on %d nodes", len(found), len(set(nodes)))
    return found
