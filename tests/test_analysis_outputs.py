"""Outputs: GraphML / GEXF read back the same graph, CSV edge lists, pictures, the CLI."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from rncp_graph.analysis import Options, analyze, annotate, as_records, lineage_graph, similarity_network, to_frame
from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.analysis.outputs import exportable, write_edges_csv, write_gexf, write_graph, write_graphml
from rncp_graph.analysis.run import write_analysis
from rncp_graph.cli import main
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.model import Block, Code, Correspondence, CorrespondenceNature, Fiche, LinkedFiche, Status
from rncp_graph.store import GraphStore
from rncp_graph.terms import lines_to_bytes


def fiche(number: str, rome: list[str], **kw: Any) -> Fiche:
    return Fiche(number=number, source="test", title=f"Titre « {number} » & co", rome=[Code(c, c) for c in rome], **kw)


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return store_from_fiches(
        [
            fiche("RNCP1", ["K1403", "M1301"], level=7, status=Status.ACTIVE, successors=[LinkedFiche("RNCP9")]),
            fiche("RNCP2", ["K1403"], level=6, predecessors=[LinkedFiche("RNCP8", "Ancien")]),
            fiche("RNCP3", ["K1403", "M1301"], blocks=[Block("RNCP3BC01"), Block("RNCP3BC02")]),
            fiche(
                "RNCP4",
                ["J1502"],
                blocks=[Block("RNCP4BC01")],
                correspondences=[
                    Correspondence(
                        "RNCP3",
                        nature=CorrespondenceNature.PARTIAL,
                        source_block="RNCP4BC01",
                        target_blocks=("RNCP3BC01",),
                    )
                ],
            ),
        ]
    )


@pytest.fixture(scope="module")
def network(store: GraphStore) -> nx.Graph:
    return annotate(similarity_network(store, "rome"))


def same_graph(written: nx.Graph, read: nx.Graph, *, drop_edge: tuple[str, ...] = ()) -> None:
    expected = exportable(written)
    assert sorted(read.nodes) == sorted(expected.nodes)
    assert {n: dict(d) for n, d in read.nodes(data=True)} == {n: dict(d) for n, d in expected.nodes(data=True)}
    got_edges = {
        tuple(sorted((u, v))): {k: x for k, x in d.items() if k not in drop_edge} for u, v, d in read.edges(data=True)
    }
    want_edges = {tuple(sorted((u, v))): dict(d) for u, v, d in expected.edges(data=True)}
    assert got_edges == want_edges


def test_exportable_drops_none_and_flattens(network: nx.Graph) -> None:
    g = nx.Graph()
    g.add_node("a", label="A", level=None, codes=["y", "x"])
    assert exportable(g).nodes["a"] == {"label": "A", "codes": "x y"}


def test_graphml_round_trip(network: nx.Graph, tmp_path: Path) -> None:
    path = tmp_path / "rome.graphml"
    write_graphml(network, path)
    read = nx.read_graphml(path)
    same_graph(network, read)
    assert read.nodes["RNCP1"]["level"] == 7 and read.nodes["RNCP1"]["label"] == "Titre « RNCP1 » & co"
    assert read.graph["facet"] == "rome"
    assert [p.name for p in tmp_path.iterdir()] == ["rome.graphml"]  # no temp file left


def test_gexf_round_trip(network: nx.Graph, tmp_path: Path) -> None:
    path = tmp_path / "rome.gexf"
    write_gexf(network, path)
    same_graph(network, nx.read_gexf(path), drop_edge=("id",))


@pytest.mark.parametrize("writer", [write_graphml, write_gexf])
def test_directed_lineage_round_trip(store: GraphStore, tmp_path: Path, writer: Any) -> None:
    graph = lineage_graph(store)
    path = tmp_path / "lineage.xml"
    writer(graph, path)
    read = nx.read_graphml(path) if writer is write_graphml else nx.read_gexf(path)
    assert read.is_directed()
    assert sorted(read.edges) == [("RNCP1", "RNCP9"), ("RNCP8", "RNCP2")]
    same_graph(graph, read, drop_edge=("id",))
    assert read.nodes["RNCP8"]["in_graph"] is False


def test_edges_csv(network: nx.Graph, tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    write_edges_csv(network, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["source", "target", "jaccard", "shared"]
    assert rows[1:] == [["RNCP1", "RNCP2", "0.5", "1"], ["RNCP1", "RNCP3", "1.0", "2"], ["RNCP2", "RNCP3", "0.5", "1"]]


def test_pictures(network: nx.Graph, tmp_path: Path) -> None:
    written = write_graph(network, tmp_path, "rome-network", ["png", "svg", "csv"])
    assert set(written) == {"rome-network.png", "rome-network.svg", "rome-network.edges.csv", "rome-network.nodes.csv"}
    png = (tmp_path / "rome-network.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    svg = (tmp_path / "rome-network.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "RNCP1" in svg and "Certifications linked by shared ROME codes" in svg
    assert "all 4 nodes drawn; network: 3 edges, 3 drawn" in svg
    assert (tmp_path / "rome-network.edges.csv").is_file() and (tmp_path / "rome-network.nodes.csv").is_file()


def test_drawing_leaves_pyparsing_as_it_was(tmp_path: Path) -> None:
    """matplotlib turns pyparsing's packrat cache on for the whole process when it first lays
    out text, which breaks rdflib's SPARQL parser on long queries (the SHACL checks of a
    build). Checked in a fresh interpreter, where matplotlib's text module is not loaded yet."""
    code = (
        "import sys, networkx as nx, pyparsing\n"
        "from pathlib import Path\n"
        "from rncp_graph.analysis.picture import draw\n"
        "g = nx.Graph([('RNCP1', 'RNCP2')])\n"
        "draw(g, Path(sys.argv[1]) / 'a.png')\n"
        "print(pyparsing.ParserElement._packratEnabled)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert (tmp_path / "a.png").stat().st_size > 1000


def test_tables_as_records_and_frames(store: GraphStore) -> None:
    result = analyze(store, "rome", Options(top=2))
    records = as_records(result.tables["central"].rows)
    assert [r["node"] for r in records] == ["RNCP1", "RNCP3"]
    assert set(records[0]) >= {"rank", "label", "pagerank", "betweenness", "community"}
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            to_frame(result.tables["central"].rows)
    else:
        assert list(to_frame(result.tables["central"].rows)["node"]) == ["RNCP1", "RNCP3"]


def test_write_analysis(store: GraphStore, tmp_path: Path) -> None:
    result = analyze(store, "equivalence", Options(items=("RNCP3",)))
    written = write_analysis(result, tmp_path, ["graphml"])
    assert sorted(p.name for p in written.values()) == [
        "equivalence-hints.csv",
        "equivalence-reachable.csv",
        "equivalence.graphml",
    ]
    hints = (tmp_path / "equivalence-hints.csv").read_text(encoding="utf-8").splitlines()
    assert hints == ["source,target,nature,kind,source_block,target_block,text"]  # header even when empty
    reachable = list(csv.DictReader((tmp_path / "equivalence-reachable.csv").open(encoding="utf-8")))
    assert [(r["number"], r["obtained"], r["missing"]) for r in reachable] == [("RNCP4", "1", "0")]


@pytest.fixture(scope="module")
def graph_file(store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(store)))
    return path


def test_cli_rome(graph_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    args = ["analyze", "rome", "--graph", str(graph_file), "--out", str(out), "--format", "graphml", "--format", "png"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "rome network (all certifications): 4 certifications, 3 edges" in result.output
    assert "components: 2; largest: 3 (RNCP1 RNCP2 RNCP3)" in result.output
    assert {p.name for p in out.iterdir()} == {
        "rome-network.graphml",
        "rome-network.png",
        "rome-code-network.graphml",
        "rome-code-network.png",
        "rome-central.csv",
        "rome-codes.csv",
        "rome-communities.csv",
        "rome-groups.csv",
    }


def test_cli_scope_and_lineage(graph_file: Path) -> None:
    scoped = CliRunner().invoke(main, ["analyze", "rome", "--graph", str(graph_file), "--level", "7"])
    assert "rome network (level 7): 1 certifications, 0 edges" in scoped.output
    lineage = CliRunner().invoke(main, ["analyze", "lineage", "--graph", str(graph_file), "--of", "RNCP8"])
    assert lineage.exit_code == 0, lineage.output
    assert "current version of RNCP8: RNCP2" in lineage.output


def test_cli_equivalence_needs_holdings(graph_file: Path) -> None:
    missing = CliRunner().invoke(main, ["analyze", "equivalence", "--graph", str(graph_file)])
    assert missing.exit_code == 2
    bad = CliRunner().invoke(main, ["analyze", "equivalence", "--graph", str(graph_file), "--hold", "K1403"])
    assert bad.exit_code == 2
    ok = CliRunner().invoke(main, ["analyze", "equivalence", "--graph", str(graph_file), "--hold", "RNCP3BC01"])
    assert ok.exit_code == 0 and "RNCP4" in ok.output
