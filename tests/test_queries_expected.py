"""Every case of tests/queries_expected.yaml, on Oxigraph and on rdflib; and engine agreement.

Each case runs on both local engines (same text, parameters bound as pyoxigraph
substitutions and as rdflib initBindings) and must give exactly the expected rows. Then
every saved query, with the parameters of each of its cases, must give the same multiset
of rows on both engines (a differential test, reliability §5).
"""

from __future__ import annotations

import pytest
from rdflib import Literal

from rncp_graph import queries
from rncp_graph.queries import errors, get
from rncp_graph.queries.local import run_oxigraph, run_rdflib

from .test_queries_support import Case, Graphs, assert_rows, cases, graphs, multiset

__all__ = ["graphs"]

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_expected_rows(case: Case, engine: str, graphs: Graphs) -> None:
    target = graphs.store(case.graph) if engine == "oxigraph" else graphs.rdflib(case.graph)
    if case.error is not None:
        with pytest.raises(getattr(errors, case.error)):
            queries.run(case.query, case.params, target=target)
        return
    result = queries.run(case.query, case.params, target=target)
    assert_rows(result, case)


@pytest.mark.parametrize("case", [c for c in CASES if c.error is None], ids=lambda c: c.id)
def test_engines_agree(case: Case, graphs: Graphs) -> None:
    """Same query, same bindings, two engines: the same rows (normalised terms)."""
    on_oxigraph = queries.run(case.query, case.params, target=graphs.store(case.graph))
    on_rdflib = queries.run(case.query, case.params, target=graphs.rdflib(case.graph))
    assert on_oxigraph.columns == on_rdflib.columns
    assert multiset(on_oxigraph) == multiset(on_rdflib)
    if case.ordered:
        assert on_oxigraph.canonical_rows() == on_rdflib.canonical_rows()


def test_the_table_would_catch_a_wrong_row(graphs: Graphs) -> None:
    """The comparison is strict: one changed cell fails it."""
    case = next(c for c in CASES if c.query == "lineage-chain" and c.params.get("fiche") == "RNCP100")
    result = queries.run(case.query, case.params, target=graphs.store(case.graph))
    assert case.rows is not None
    wrong = Case(case.query, case.index, case.graph, case.params, [dict(case.rows[0], other="RNCP81"), *case.rows[1:]])
    with pytest.raises(AssertionError):
        assert_rows(result, wrong)


def test_union_default_graph_repeats_shared_triples(graphs: Graphs) -> None:
    """Why the saved queries say DISTINCT: Oxigraph 0.5.13's union default graph is a bag.

    The concept rome/K1403 is described in the source graph of each of the four fiches that
    cite it, so without DISTINCT each certification comes back four times on pyoxigraph's union
    (oxigraph/oxigraph#1919, fixed after 0.5.13) but once on rdflib's merged graph, and once
    from the store's ``select``, whose default graph holds each triple once (issue 23). When the
    per-graph count fails after an upgrade, the engines agree on sets.
    """
    plain = get("certifications-sharing-rome").text.replace("SELECT DISTINCT", "SELECT")
    bindings = {"rome": Literal("K1403")}
    store = graphs.store("sample")
    on_store = run_oxigraph(store, plain, bindings)
    on_rdflib = run_rdflib(graphs.rdflib("sample"), plain, bindings)
    store.union = "per-graph"
    try:
        per_graph = run_oxigraph(store, plain, bindings)
    finally:
        store.union = "distinct"
    assert (len(per_graph), len(on_store), len(on_rdflib)) == (16, 4, 4)
    assert len(queries.run("certifications-sharing-rome", {"rome": "K1403"}, target=graphs.store("sample"))) == 4
