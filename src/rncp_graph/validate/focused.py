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
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDFS

from ..store import GraphStore
from .compile import Batch, batches, compile_shapes
from .engine import quiet_literal_warnings
from .report import Result
from .sparql_engine import run_batch, select_rows

log = logging.getLogger(__name__)


def focused_results(
    store: GraphStore, shapes: rdflib.Graph, nodes: Iterable[ox.NamedNode], *, threads: int = 1
) -> list[Result]:
    """Every result of the shapes whose focus node is one of ``nodes``, in the order of the nodes.

    :param threads: nodes validated at once (Oxigraph releases the GIL while it evaluates a
        query; a competency shared by hundreds of blocks is the slowest node to check).
    :raises ValidationFailure: when a shape is not compiled or a query fails.
    """
    subclasses = bool(store.query(f"ASK {{ ?a <{RDFS.subClassOf}> ?b }}"))
    by_target: dict[str, list[Batch]] = defaultdict(list)
    for batch in batches(compile_shapes(shapes, subclasses=subclasses)):
        by_target[batch.checks[0].target].append(batch)
    is_focus = {target: f"SELECT ?this WHERE {{ {target} }} LIMIT 1" for target in by_target}
    terms: dict[object, str] = {}  # shared by the threads: a race only computes a text twice

    def results_on(node: ox.NamedNode) -> list[Result]:
        found: list[Result] = []
        for target, group in by_target.items():
            if select_rows(store, is_focus[target], group[0].checks[0].shape, {"this": node}):
                for batch in group:
                    found.extend(run_batch(store, batch, terms, this=node))
        return found

    ordered = sorted(set(nodes), key=lambda n: n.value)
    with quiet_literal_warnings(), ThreadPoolExecutor(max(1, threads), thread_name_prefix="focused") as pool:
        found = [result for per_node in pool.map(results_on, ordered) for result in per_node]
    log.debug("%d results on %d nodes", len(found), len(ordered))
    return found
