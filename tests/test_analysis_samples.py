"""Analytics on the graph of the five sample fiches, against answers read on the pages.

ROME codes on the pages: RNCP36459 K1403 M1301 · RNCP4525 K1403 · RNCP41120 K1403 K1201 ·
RNCP41818 K1403 M1205 M1301 M1302 · RNCP34808 K1201 K1207 J1502 K1203.
Lineage: RNCP34808 replaces RNCP28696; RNCP4525 replaces RNCP2122 and is replaced by RNCP37519.
"""

from __future__ import annotations

import pytest

from rncp_graph import Build
from rncp_graph.analysis import (
    annotate,
    centrality_table,
    components,
    current_versions,
    equivalence_report,
    lineage_cycles,
    lineage_graph,
    rome_code_network,
    similarity_network,
)

from .constants import K1403_FICHES, SAMPLE_NUMBERS


def test_k1403_fiches_form_one_component(sample_build: Build) -> None:
    graph = annotate(similarity_network(sample_build.store, "rome"))
    assert sorted(graph.nodes) == SAMPLE_NUMBERS
    (component,) = [c for c in components(graph) if K1403_FICHES[0] in c]
    assert set(K1403_FICHES) <= set(component)
    # RNCP34808 joins only through K1201, shared with RNCP41120
    assert sorted(graph.neighbors("RNCP34808")) == ["RNCP41120"]
    assert graph.edges["RNCP36459", "RNCP41818"] == {"shared": 2, "jaccard": 0.5}  # K1403 and M1301
    assert graph.number_of_edges() == 7


def test_min_shared_two_keeps_one_pair(sample_build: Build) -> None:
    graph = similarity_network(sample_build.store, "rome", min_shared=2)
    assert sorted(graph.edges) == [("RNCP36459", "RNCP41818")]


def test_k1403_is_the_most_common_rome_code(sample_build: Build) -> None:
    codes = rome_code_network(sample_build.store)
    assert codes.nodes["K1403"]["certifications"] == 4
    assert codes.nodes["K1201"]["certifications"] == 2
    assert codes.nodes["K1403"]["label"].startswith("Management de structure de santé")


def test_centrality_on_samples(sample_build: Build) -> None:
    table = centrality_table(annotate(similarity_network(sample_build.store, "rome")), top=None)
    assert {r.node for r in table} == set(SAMPLE_NUMBERS)
    rows = {r.node: r for r in table}
    assert rows["RNCP41120"].degree == 4  # K1403 with three fiches, K1201 with RNCP34808
    assert rows["RNCP41120"].betweenness == max(r.betweenness for r in table)


def test_lineage_of_the_samples(sample_build: Build) -> None:
    graph = lineage_graph(sample_build.store)
    assert list(graph.predecessors("RNCP34808")) == ["RNCP28696"]
    assert graph.nodes["RNCP28696"]["in_graph"] is False
    assert current_versions(graph, "RNCP28696") == ["RNCP34808"]
    assert current_versions(graph, "RNCP4525") == ["RNCP37519"]
    assert current_versions(graph, "RNCP2122") == ["RNCP37519"]
    assert lineage_cycles(graph) == []


@pytest.mark.parametrize("number", SAMPLE_NUMBERS)
def test_every_sample_is_in_the_lineage(sample_build: Build, number: str) -> None:
    assert number in lineage_graph(sample_build.store)


def test_caferuis_row_is_a_hint_not_a_path(sample_build: Build) -> None:
    """The page loader records RNCP34808's RNCP2514 row at certification level (partial, with
    text, no block): the block path DC4 → RNCP34808BC06 is only in the text, so it is a hint.
    The block-level logic is tested on hand-made graphs in test_analysis_equivalence.py."""
    report = equivalence_report(sample_build.store, ["RNCP2514"])
    assert report.reachable == []
    (hint,) = report.hints
    assert (hint.source, hint.target, hint.nature, hint.source_block, hint.target_block) == (
        "RNCP34808",
        "RNCP2514",
        "partial",
        None,
        None,
    )
    assert "CAFERUIS DC4" in (hint.text or "") and "bloc de compétences 6" in (hint.text or "")


def test_previous_version_grants_the_whole_new_certification(sample_build: Build) -> None:
    (row,) = equivalence_report(sample_build.store, ["RNCP16197"]).reachable
    assert (row.number, row.blocks, row.granted, row.missing, row.complete) == ("RNCP41120", 4, 4, 0, True)
    assert row.via == "RNCP16197 → RNCP41120 (total, stated by RNCP41120)"


def test_one_block_of_a_sample(sample_build: Build) -> None:
    (row,) = equivalence_report(sample_build.store, ["RNCP34808BC06"]).reachable
    assert (row.number, row.obtained, row.missing, row.complete) == ("RNCP34808", 1, 5, False)
    assert row.missing_blocks.split() == [f"RNCP34808BC0{i}" for i in range(1, 6)]
