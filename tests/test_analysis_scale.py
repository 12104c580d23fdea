"""What keeps the analytics usable at national scale, on graphs small enough to check by hand:
the reductions of a projection (top-k, disparity backbone), the edge limit, the community
profiles, the tables as DataFrames / files, the pictures' titles and the gallery.

The incidence below (certifications × codes), with Jaccard indices worked out by hand::

    A {1,2,3}  B {1,2,3,4}  C {1,2}  D {3,5}
    A-B 3/4 · A-C 2/3 · A-D 1/4 · B-C 2/4 · B-D 1/5 · C-D 0 (share nothing)
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from rncp_graph import Build
from rncp_graph.analysis import analyze, annotate
from rncp_graph.analysis.backbone import RULES, Reduction, reduced_pairs
from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.analysis.gallery import write_gallery
from rncp_graph.analysis.incidence import certification_attributes, extract_incidence
from rncp_graph.analysis.maps import community_map
from rncp_graph.analysis.picture import draw
from rncp_graph.analysis.profiles import CommunityRow
from rncp_graph.analysis.run import write_analysis
from rncp_graph.analysis.similarity import MAX_EDGES, TooManyEdges, network_of
from rncp_graph.analysis.tables import TABLE_FORMATS, check_table_format
from rncp_graph.cli import choices, main
from rncp_graph.errors import QueryError
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.model import Code, Fiche, Status
from rncp_graph.store import GraphStore
from rncp_graph.terms import lines_to_bytes

NAMES = "ABCD"
CODES = {"A": [1, 2, 3], "B": [1, 2, 3, 4], "C": [1, 2], "D": [3, 5]}


def incidence() -> sp.csr_matrix:
    rows = [r for r, name in enumerate(NAMES) for _ in CODES[name]]
    cols = [c - 1 for name in NAMES for c in CODES[name]]
    return sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(4, 5))


def kept(reduction: Reduction, matrix: sp.csr_matrix | None = None) -> set[str]:
    pairs = reduced_pairs(incidence() if matrix is None else matrix, reduction, chunk_rows=2)
    return {NAMES[i] + NAMES[j] for i, j in zip(pairs.i.tolist(), pairs.j.tolist(), strict=True)}


def test_every_pair_of_the_projection() -> None:
    pairs = reduced_pairs(incidence(), Reduction("all"))
    assert kept(Reduction("all")) == {"AB", "AC", "AD", "BC", "BD"}
    assert [round(float(x), 4) for x in pairs.jaccard] == [0.75, 0.6667, 0.25, 0.5, 0.2]
    assert pairs.shared.tolist() == [3, 2, 1, 2, 1]
    assert pairs.candidates == 5


def test_top_1_keeps_each_certifications_best_pair() -> None:
    # A's and B's best is each other, C's best is A (2/3 > 2/4), D's best is A (1/4 > 1/5)
    top = reduced_pairs(incidence(), Reduction("top-k", k=1), chunk_rows=3)
    assert kept(Reduction("top-k", k=1)) == {"AB", "AC", "AD"}
    assert (len(top), top.candidates) == (3, 5)
    assert kept(Reduction("top-k", k=2)) == {"AB", "AC", "AD", "BC", "BD"}


def test_top_k_breaks_ties_by_a_hash_not_by_the_first_number() -> None:
    # 40 certifications with the same single code: all pairs tie at Jaccard 1
    same = sp.csr_matrix(np.ones((40, 1), dtype=np.int32))
    pairs = reduced_pairs(same, Reduction("top-k", k=2))
    degree = np.bincount(np.concatenate([pairs.i, pairs.j]), minlength=40)
    assert degree.min() >= 2 and degree.max() < 10  # by number, row 0 would be everyone's neighbour
    assert reduced_pairs(same, Reduction("top-k", k=2)).i.tolist() == pairs.i.tolist()  # reruns agree


def test_disparity_backbone_keeps_the_dominant_edges() -> None:
    # significance (1 - w/s)^(d-1): A-B is 0.3025 at A, 0.233 at B; B-D 0.743 at B, 0.556 at D
    assert kept(Reduction("disparity", alpha=0.35)) == {"AB"}
    assert kept(Reduction("disparity", alpha=0.45)) == {"AB", "AC", "AD", "BC"}


def test_filters_apply_before_the_rule() -> None:
    assert kept(Reduction("all", min_shared=2)) == {"AB", "AC", "BC"}
    assert kept(Reduction("top-k", k=1, min_jaccard=0.3)) == {"AB", "AC"}


def test_unknown_rule_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="top-k, disparity, all"):
        Reduction("knn")


def fiche(number: str, rome: list[str], nsf: str, **kw: object) -> Fiche:
    codes = [Code(c, f"Métier {c}") for c in rome]
    title = f"Titre {number}"
    return Fiche(number=number, source="test", title=title, rome=codes, nsf=[Code(nsf, f"NSF {nsf}")], **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def small() -> GraphStore:
    """RNCP1-3 share K1403 (1 and 3 also M1301); RNCP4-5 share J1502."""
    return store_from_fiches(
        [
            fiche("RNCP1", ["K1403", "M1301"], "332p", level=7, status=Status.ACTIVE),
            fiche("RNCP2", ["K1403"], "332p", level=7),
            fiche("RNCP3", ["K1403", "M1301", "M1302"], "315", level=6),
            fiche("RNCP4", ["J1502"], "331", level=5),
            fiche("RNCP5", ["J1502", "K1201"], "331", level=5),
        ]
    )


def test_edge_limit_refuses_before_building(small: GraphStore) -> None:
    inc = extract_incidence(small, "rome")
    with pytest.raises(TooManyEdges, match=r"rome network: 4 edges \(every pair .*\) exceed the limit of 3"):
        network_of(inc, {}, reduction=Reduction("all"), max_edges=3)
    assert network_of(inc, {}, reduction=Reduction("all"), max_edges=4).number_of_edges() == 4


def test_network_says_what_was_kept(small: GraphStore) -> None:
    graph = network_of(extract_incidence(small, "rome"), {}, reduction=Reduction("top-k", k=1))
    assert graph.graph["pairs"] == 4 and graph.graph["edges"] == graph.number_of_edges() == 3
    assert graph.graph["reduction"] == "top-1 neighbours by Jaccard (shared ≥ 1, Jaccard ≥ 0.0)"


@pytest.fixture(scope="module")
def graph_file(small: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(small)))
    return path


def test_cli_refuses_too_many_edges_and_writes_nothing(graph_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["analyze", "rome", "--graph", str(graph_file), "--out", str(out), "--keep", "all", "--max-edges", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "4 edges (every pair (shared ≥ 1, Jaccard ≥ 0.0)) exceed the limit of 3" in result.output
    assert not out.exists()


def test_cli_summary_says_how_many_pairs_were_kept(graph_file: Path) -> None:
    result = CliRunner().invoke(main, ["analyze", "rome", "--graph", str(graph_file), "-k", "1"])
    assert result.exit_code == 0, result.output
    assert "5 certifications, 3 edges kept of 4 pairs: top-1 neighbours by Jaccard" in result.output


def test_communities_with_their_dominant_codes(small: GraphStore) -> None:
    result = analyze(small, "rome")
    rows = {r.size: r for r in result.tables["communities"].rows}
    assert rows[3].top_rome == "K1403 (3) · M1301 (2) · M1302 (1)"
    assert rows[3].top_rome_label == "Métier K1403"
    assert rows[3].top_nsf == "332p (2) · 315 (1)" and rows[3].levels == "6:1 7:2"
    assert rows[2].top_rome == "J1502 (2) · K1201 (1)" and rows[2].members.split() == ["RNCP4", "RNCP5"]


def test_tables_as_dataframes(small: GraphStore) -> None:
    pytest.importorskip("pandas")
    result = analyze(small, "rome")
    frame = result.to_frame("communities")
    assert list(frame.columns) == [
        "community",
        "size",
        "top_rome",
        "top_rome_label",
        "top_nsf",
        "top_nsf_label",
        "levels",
        "members",
    ]
    assert frame["size"].tolist() == [3, 2]
    assert set(result.frames()) == {"central", "codes", "communities", "groups"}
    empty = analyze(small, "lineage").to_frame("versions")  # no lineage here: columns all the same
    assert len(empty) == 0 and list(empty.columns)[-1] == "current_versions"


def test_parquet_needs_pyarrow(small: GraphStore, tmp_path: Path, graph_file: Path) -> None:
    result = analyze(small, "lineage")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(QueryError, match=r"parquet tables need .*pyarrow"):
            write_analysis(result, tmp_path, [], tables="parquet")
        cli = CliRunner().invoke(main, ["analyze", "lineage", "--graph", str(graph_file), "--tables", "parquet"])
        assert cli.exit_code == 2 and "pyarrow" in cli.output
    else:
        written = write_analysis(result, tmp_path, [], tables="parquet")
        assert sorted(written) == ["lineage-chains.parquet", "lineage-versions.parquet"]


def test_written_graphs_read_back_in_networkx(small: GraphStore, tmp_path: Path) -> None:
    result = analyze(small, "rome")
    write_analysis(result, tmp_path, ["graphml", "gexf"])
    network = result.graphs["rome-network"]
    for read in (nx.read_graphml(tmp_path / "rome-network.graphml"), nx.read_gexf(tmp_path / "rome-network.gexf")):
        assert sorted(read.nodes) == sorted(network.nodes)
        assert read.number_of_edges() == network.number_of_edges() == 4
    graphml = nx.read_graphml(tmp_path / "rome-network.graphml")
    assert graphml.graph["reduction"] == "top-10 neighbours by Jaccard (shared ≥ 1, Jaccard ≥ 0.0)"
    assert graphml.graph["pairs"] == 4


def svg_text(path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")).split())


def test_picture_title_counts_what_is_drawn_of_the_whole(small: GraphStore, tmp_path: Path) -> None:
    graph = annotate(network_of(extract_incidence(small, "rome"), certification_attributes(small)))
    draw(graph, tmp_path / "part.svg", fmt="svg", max_nodes=3)
    text = svg_text(tmp_path / "part.svg")
    assert "Certifications linked by shared ROME codes" in text
    assert "3 of 5 nodes drawn (the most linked); network: 4 edges, 3 drawn" in text


def test_community_map_title(small: GraphStore, tmp_path: Path) -> None:
    result = analyze(small, "rome")
    rows: list[CommunityRow] = result.tables["communities"].rows
    community_map(result.graphs["rome-network"], rows, tmp_path / "map.svg", facet="rome", fmt="svg")
    text = svg_text(tmp_path / "map.svg")
    assert "2 of 2 communities drawn (5 of 5 certifications)" in text
    assert "network: 4 edges, top-10 neighbours by Jaccard" in text
    assert "K1403 (3)" in text


def test_big_network_is_drawn_as_communities(
    small: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rncp_graph.analysis import run

    monkeypatch.setattr(run, "MAX_NODES", 4)  # 5 certifications: "too many" to draw one by one
    write_analysis(analyze(small, "rome"), tmp_path, ["svg"])
    assert "communities drawn" in svg_text(tmp_path / "rome-network.svg")
    assert "communities drawn" not in svg_text(tmp_path / "rome-code-network.svg")


def test_gallery_on_the_samples(sample_build: Build, tmp_path: Path) -> None:
    written = write_gallery(sample_build.store, tmp_path, "svg")
    assert [p.name for p in written] == [
        "rome-domain-by-nsf-domain.svg",
        "level-by-rome-domain.svg",
        "rome-communities.svg",
        "lineage-family.svg",
    ]
    assert "all 5 certifications with both kinds of code" in svg_text(written[0])
    assert "K Services à la personne" in svg_text(written[0])
    assert "One lineage family" in svg_text(written[3])


def test_the_choices_written_out_for_help_are_the_librarys() -> None:
    assert tuple(RULES) == choices.REDUCTIONS and choices.REDUCTIONS[0] == Reduction().rule
    assert choices.MAX_EDGES == MAX_EDGES
    assert tuple(TABLE_FORMATS) == choices.TABLE_FORMATS
    with pytest.raises(QueryError, match="unknown table format"):
        check_table_format("xlsx")
