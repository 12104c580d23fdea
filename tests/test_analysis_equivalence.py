"""VAE / equivalence paths on a hand-made graph of block-level and total correspondences.

RNCP500 (3 blocks) states two block correspondences with RNCP600 (2 blocks):
RNCP600BC01 → RNCP500BC01 and RNCP600BC02 → RNCP500BC02. RNCP700 states a total
correspondence with RNCP500. RNCP800 states a partial one with RNCP600 that names no block
(text only). RNCP900 recognises its previous version RNCP100 (not in the graph).
"""

from __future__ import annotations

import pytest

from rncp_graph.analysis import Holdings, equivalence_report, paths_graph
from rncp_graph.analysis.correspondences import read_correspondences
from rncp_graph.analysis.equivalence import rule_of
from rncp_graph.analysis.fixtures import store_from_fiches
from rncp_graph.errors import QueryError
from rncp_graph.model import Block, Correspondence, CorrespondenceKind, CorrespondenceNature, Fiche
from rncp_graph.store import GraphStore

PARTIAL, TOTAL = CorrespondenceNature.PARTIAL, CorrespondenceNature.TOTAL


def fiche(number: str, blocks: int, *links: Correspondence) -> Fiche:
    own = [Block(f"{number}BC0{i}", f"Bloc {i} de {number}") for i in range(1, blocks + 1)]
    return Fiche(number=number, source="test", title=f"Titre {number}", blocks=own, correspondences=list(links))


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return store_from_fiches(
        [
            fiche(
                "RNCP500",
                3,
                Correspondence("RNCP600", nature=PARTIAL, source_block="RNCP500BC01", target_blocks=("RNCP600BC01",)),
                Correspondence("RNCP600", nature=PARTIAL, source_block="RNCP500BC02", target_blocks=("RNCP600BC02",)),
            ),
            fiche("RNCP600", 2),
            fiche("RNCP700", 1, Correspondence("RNCP500", nature=TOTAL)),
            fiche("RNCP800", 2, Correspondence("RNCP600", nature=PARTIAL, text="Le bloc 2 vaut le DC1")),
            fiche("RNCP900", 2, Correspondence("RNCP100", kind=CorrespondenceKind.PREVIOUS_VERSION)),
        ]
    )


def rows(store: GraphStore, *held: str, symmetric: bool = False) -> dict[str, tuple[int, int, int, str, bool]]:
    report = equivalence_report(store, held, symmetric=symmetric)
    return {r.number: (r.obtained, r.granted, r.missing, r.missing_blocks, r.complete) for r in report.reachable}


def test_the_graph_is_read_back(store: GraphStore) -> None:
    data = read_correspondences(store)
    assert data.blocks["RNCP500"] == {"RNCP500BC01", "RNCP500BC02", "RNCP500BC03"}
    assert len(data.statements) == 5
    rules = [rule_of(s) for s in data.statements]
    assert sum(r is None for r in rules) == 1  # the text-only partial correspondence
    block_rule = next(r for r in rules if r and r.premise == ("block", "RNCP600BC01"))
    assert block_rule.conclusion == ("block", "RNCP500BC01")
    assert block_rule.statement.describe() == "RNCP600BC01 → RNCP500BC01 (partial, stated by RNCP500)"


def test_whole_certification_grants_matching_blocks(store: GraphStore) -> None:
    assert rows(store, "RNCP600") == {"RNCP500": (2, 2, 1, "RNCP500BC03", False)}


def test_completing_a_certification_unlocks_its_total_correspondences(store: GraphStore) -> None:
    report = equivalence_report(store, ["RNCP600", "RNCP500BC03"])
    assert [(r.rank, r.number, r.complete, r.missing) for r in report.reachable] == [
        (1, "RNCP500", True, 0),
        (2, "RNCP700", True, 0),
    ]
    via = report.reachable[1].via
    assert "RNCP600BC01 → RNCP500BC01 (partial, stated by RNCP500)" in via
    assert "RNCP500 → RNCP700 (total, stated by RNCP700)" in via
    assert report.reachable[1].granted == 1


def test_a_single_block_ranks_its_own_certification_first(store: GraphStore) -> None:
    report = equivalence_report(store, ["RNCP600BC01"])
    assert [(r.number, r.obtained, r.missing, r.granted) for r in report.reachable] == [
        ("RNCP600", 1, 1, 0),
        ("RNCP500", 1, 2, 1),
    ]
    assert report.reachable[0].via == ""


def test_direction_and_symmetric_reading(store: GraphStore) -> None:
    assert rows(store, "RNCP500BC01") == {"RNCP500": (1, 0, 2, "RNCP500BC02 RNCP500BC03", False)}
    assert rows(store, "RNCP500BC01", symmetric=True)["RNCP600"] == (1, 1, 1, "RNCP600BC02", False)
    assert rows(store, "RNCP700") == {}
    assert rows(store, "RNCP700", symmetric=True)["RNCP500"] == (3, 3, 0, "", True)


def test_previous_version_counts_as_total(store: GraphStore) -> None:
    assert rows(store, "RNCP100") == {"RNCP900": (2, 2, 0, "", True)}


def test_text_only_correspondence_is_a_hint(store: GraphStore) -> None:
    report = equivalence_report(store, ["RNCP600BC02"])
    assert [(h.source, h.target, h.text) for h in report.hints] == [("RNCP800", "RNCP600", "Le bloc 2 vaut le DC1")]
    assert "RNCP800" not in {r.number for r in report.reachable}
    assert equivalence_report(store, ["RNCP500BC03"]).hints == []


def test_paths_graph(store: GraphStore) -> None:
    graph = paths_graph(equivalence_report(store, ["RNCP600"]), {"RNCP600": "Titre RNCP600"})
    assert graph.nodes["RNCP600"] == {"kind": "certification", "label": "Titre RNCP600", "held": True}
    assert graph.edges["RNCP600", "RNCP600BC01"]["via"] == "part of"
    assert graph.edges["RNCP600BC01", "RNCP500BC01"]["via"] == "RNCP600BC01 → RNCP500BC01 (partial, stated by RNCP500)"
    assert not graph.nodes["RNCP500BC01"]["held"]


@pytest.mark.parametrize("bad", ["RNCP 500", "block 6", "K1403", ""])
def test_holdings_reject_what_is_neither_a_fiche_nor_a_block(bad: str) -> None:
    with pytest.raises(QueryError):
        Holdings.parse([bad])


def test_holdings_parse() -> None:
    held = Holdings.parse(["RNCP34808BC06", " RS5000 ", "RNCP2514"])
    assert held.blocks == {"RNCP34808BC06"} and held.certifications == {"RS5000", "RNCP2514"}


def test_target_blocks_needed_together_never_grant_on_one_of_them() -> None:
    """A page row "RNCP510BC01 ↔ RNCP610BC01 ET RNCP610BC02" (one correspondence, two target
    blocks): holding one of the two grants nothing; the whole of RNCP610 grants RNCP510BC01."""
    group = Correspondence(
        "RNCP610", nature=PARTIAL, source_block="RNCP510BC01", target_blocks=("RNCP610BC01", "RNCP610BC02")
    )
    store = store_from_fiches([fiche("RNCP510", 2, group), fiche("RNCP610", 3)])
    (statement,) = read_correspondences(store).statements
    assert (statement.target_block, statement.text) == (None, "RNCP610BC01 + RNCP610BC02 (needed together)")
    assert "RNCP510" not in rows(store, "RNCP610BC01")
    assert rows(store, "RNCP610")["RNCP510"] == (1, 1, 1, "RNCP510BC02", False)
