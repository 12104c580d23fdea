"""Reading what the graph says about blocks and correspondences (two SPARQL SELECTs).

See :mod:`.equivalence` for what the correspondences mean for a person holding blocks.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..store import GraphStore
from .incidence import block_code_of, certification_attributes, last_segment, number_of

log = logging.getLogger(__name__)

BLOCK_OWNER = re.compile(r"^((?:RNCP|RS)\d+)BC\d+$")

BLOCKS_QUERY = "SELECT DISTINCT ?c ?b WHERE { { ?c rncp:hasBlock ?b } UNION { ?b rncp:isBlockOf ?c } }"
CORRESPONDENCE_QUERY = """
SELECT DISTINCT ?k ?s ?t ?nature ?kind ?sb ?tb ?text WHERE {
  ?s rncp:correspondence ?k . ?k rncp:correspondenceTarget ?t .
  OPTIONAL { ?k rncp:correspondenceNature ?nature }
  OPTIONAL { ?k rncp:correspondenceKind ?kind }
  OPTIONAL { ?k rncp:sourceBlock ?sb }
  OPTIONAL { ?k rncp:targetBlock ?tb }
  OPTIONAL { ?k rncp:correspondenceText ?text }
}"""


@dataclass(frozen=True)
class Statement:
    """One correspondence as stated by fiche ``source`` about ``target``."""

    source: str
    target: str
    nature: str | None = None
    kind: str | None = None
    source_block: str | None = None
    target_block: str | None = None
    text: str | None = None

    def describe(self) -> str:
        what = f"{self.target_block or self.target} → {self.source_block or self.source}"
        return f"{what} ({self.nature or self.kind or 'unspecified'}, stated by {self.source})"


@dataclass
class Correspondences:
    """What the graph says: blocks of each certification, and every correspondence."""

    blocks: dict[str, set[str]] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def add_block(self, number: str, block: str) -> None:
        self.blocks.setdefault(number, set()).add(block)
        self.owners[block] = number

    def owner(self, block: str) -> str | None:
        """The certification a block belongs to (from the graph, else from its code)."""
        if block in self.owners:
            return self.owners[block]
        match = BLOCK_OWNER.match(block)
        return match.group(1) if match else None


def read_correspondences(store: GraphStore) -> Correspondences:
    """Blocks and correspondences of ``store`` (two SELECTs)."""
    found = Correspondences()
    for s in store.query(BLOCKS_QUERY):
        found.add_block(number_of(s["c"].value), block_code_of(s["b"].value))
    by_node: dict[str, list[Statement]] = defaultdict(list)
    for s in store.query(CORRESPONDENCE_QUERY):
        by_node[s["k"].value].append(_statement(s))
    for statements in by_node.values():
        found.statements.extend(_joined(statements))
    found.statements.sort(key=lambda st: tuple(v or "" for v in st.__dict__.values()))
    found.labels = {n: a["label"] for n, a in certification_attributes(store).items()}
    return found


def _joined(statements: list[Statement]) -> list[Statement]:
    """The rows of one correspondence node. Several target blocks are needed together (the
    page's ``ET``): no one of them grants the source block, so the statement is read with the
    whole target as premise (sound; it may under-grant), the blocks named in its text."""
    blocks = sorted({s.target_block for s in statements if s.target_block})
    if len(blocks) < 2:
        return statements
    together = " + ".join(blocks) + " (needed together)"
    joined = (dataclasses.replace(s, target_block=None, text=s.text or together) for s in statements)
    return list(dict.fromkeys(joined))


def _statement(s: dict[str, object]) -> Statement:
    def value(name: str) -> str | None:
        term = s[name]
        return None if term is None else str(term.value)  # type: ignore[attr-defined]

    sb, tb, nature, kind = value("sb"), value("tb"), value("nature"), value("kind")
    return Statement(
        source=number_of(str(value("s"))),
        target=number_of(str(value("t"))),
        nature=last_segment(nature) if nature else None,
        kind=last_segment(kind) if kind else None,
        source_block=block_code_of(sb) if sb else None,
        target_block=block_code_of(tb) if tb else None,
        text=value("text"),
    )
