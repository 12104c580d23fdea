"""Lineage on a hand-made graph: a chain, a split, a cycle and a self-replacement."""

from __future__ import annotations

import logging

import pytest

from rncp_graph.analysis import chains, current_versions, lineage_cycles, lineage_graph, lineage_report, lineage_table
from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.model import Fiche, LinkedFiche
from rncp_graph.store import GraphStore


def fiche(number: str, before: tuple[str, ...] = (), after: tuple[str, ...] = (), **kw: object) -> Fiche:
    return Fiche(
        number=number,
        source="test",
        title=f"Titre {number}",
        predecessors=[LinkedFiche(n, "Ancien titre" if n == "RNCP1001" else None) for n in before],
        successors=[LinkedFiche(n) for n in after],
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return store_from_fiches(
        [
            # chain RNCP1001 → RNCP1002 → RNCP1003; RNCP1001 has no fiche of its own
            fiche("RNCP1002", before=("RNCP1001",), after=("RNCP1003",)),
            fiche("RNCP1003", before=("RNCP1002",)),
            # split: RNCP2001 is replaced by two certifications, stated by the old fiche only
            fiche("RNCP2001", after=("RNCP2002", "RNCP2003")),
            # cycle: each says it replaces the other
            fiche("RNCP3001", before=("RNCP3002",)),
            fiche("RNCP3002", before=("RNCP3001",)),
            # replaces itself
            fiche("RNCP4001", before=("RNCP4001",)),
            # no lineage at all
            fiche("RNCP5001"),
        ]
    )


def test_edges_unite_both_stated_directions(store: GraphStore) -> None:
    graph = lineage_graph(store)
    assert sorted(graph.edges) == [
        ("RNCP1001", "RNCP1002"),
        ("RNCP1002", "RNCP1003"),
        ("RNCP2001", "RNCP2002"),
        ("RNCP2001", "RNCP2003"),
        ("RNCP3001", "RNCP3002"),
        ("RNCP3002", "RNCP3001"),
        ("RNCP4001", "RNCP4001"),
    ]
    assert graph.edges["RNCP1002", "RNCP1003"] == {"stated_by": "RNCP1002 RNCP1003", "both_sides": True}
    assert graph.edges["RNCP1001", "RNCP1002"] == {"stated_by": "RNCP1002", "both_sides": False}
    assert graph.edges["RNCP2001", "RNCP2002"]["stated_by"] == "RNCP2001"
    assert "RNCP5001" not in graph


def test_nodes_without_fiche_take_the_title_others_give(store: GraphStore) -> None:
    graph = lineage_graph(store)
    assert graph.nodes["RNCP1001"] == {"number": "RNCP1001", "label": "Ancien titre", "in_graph": False}
    assert graph.nodes["RNCP2002"] == {"number": "RNCP2002", "label": "RNCP2002", "in_graph": False}
    assert graph.nodes["RNCP1002"]["label"] == "Titre RNCP1002" and graph.nodes["RNCP1002"]["in_graph"]


@pytest.mark.parametrize(
    ("number", "current"),
    [
        ("RNCP1001", ["RNCP1003"]),
        ("RNCP1002", ["RNCP1003"]),
        ("RNCP1003", ["RNCP1003"]),
        ("RNCP2001", ["RNCP2002", "RNCP2003"]),
        ("RNCP3001", ["RNCP3001", "RNCP3002"]),
        ("RNCP4001", ["RNCP4001"]),
        ("RNCP5001", ["RNCP5001"]),  # not in the lineage graph: its own current version
    ],
)
def test_current_versions(store: GraphStore, number: str, current: list[str]) -> None:
    assert current_versions(lineage_graph(store), number) == current


def test_cycles_are_found(store: GraphStore) -> None:
    assert lineage_cycles(lineage_graph(store)) == [["RNCP3001", "RNCP3002"], ["RNCP4001"]]


def test_cycles_are_logged_as_data_errors(store: GraphStore, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="rncp_graph.analysis.lineage"):
        report = lineage_report(store)
    assert len(report.cycles) == 2
    assert "[RNCP3001] lineage cycle (data error): RNCP3001 → RNCP3002 → RNCP3001" in caplog.messages


def test_chains(store: GraphStore) -> None:
    found = chains(lineage_graph(store))
    first = found[0]
    assert (first.members, first.length, first.longest) == (
        "RNCP1001 RNCP1002 RNCP1003",
        2,
        "RNCP1001 RNCP1002 RNCP1003",
    )
    assert (first.roots, first.ends, first.has_cycle) == ("RNCP1001", "RNCP1003", False)
    split = next(c for c in found if c.roots == "RNCP2001")
    assert (split.length, split.size, split.ends) == (1, 3, "RNCP2002 RNCP2003")
    cyclic = {c.members: c for c in found if c.has_cycle}
    assert set(cyclic) == {"RNCP3001 RNCP3002", "RNCP4001"}
    assert cyclic["RNCP3001 RNCP3002"].length == 0
    assert [c.index for c in found] == list(range(len(found)))


def test_lineage_table(store: GraphStore) -> None:
    rows = {r.number: r for r in lineage_table(lineage_graph(store))}
    assert rows["RNCP1002"].predecessors == "RNCP1001"
    assert rows["RNCP1002"].successors == "RNCP1003"
    assert rows["RNCP1001"].current_versions == "RNCP1003"
    assert rows["RNCP2001"].current_versions == "RNCP2002 RNCP2003"
    assert not rows["RNCP1001"].in_graph
