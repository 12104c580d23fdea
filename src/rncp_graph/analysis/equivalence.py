"""VAE / equivalence paths: what a person's blocks are worth elsewhere, through correspondences.

Semantics (also in ``docs/analytics.md``):

* A person holds **facts**: a block (``RNCP34808BC06``), or a whole certification
  (``RNCP2514``), which means every one of its blocks.
* A whole certification is held as soon as every block the graph knows for it is held
  (a certification with no known block is only held when given, or granted, as a whole).
* A correspondence is stated by one fiche *S* about a target *T*. It is read as a **rule**
  "holding the premise grants the conclusion", in the direction the RNCP gives it: the
  certifier of *S* recognises what was earned in *T*.

  - premise: the target block (``rncp:targetBlock``) if given, else the whole of *T*; a
    correspondence with several target blocks (needed together) has the whole of *T*;
  - conclusion: the source block (``rncp:sourceBlock``) if given, else the whole of *S* when
    the correspondence is total (nature ``total``, or kind ``previous-version``:
    "anciennes versions reconnues en correspondance totale").
  - A partial correspondence with no block named cannot be applied automatically; when the
    person holds something of its target it is returned as a **hint**, with its text.
* With ``symmetric=True`` every rule is also read backwards (some certifiers grant both ways;
  the RNCP only commits the stating certifier).
* Rules are applied until nothing new follows (granted blocks can complete a certification,
  which can unlock total correspondences of its own...). Each certification where something
  is held or granted is listed with its known blocks, how many are still missing, and the
  correspondences used; complete ones first, then by fewest missing blocks.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from ..errors import QueryError
from ..normalise import is_fiche_number
from ..store import GraphStore
from .correspondences import BLOCK_OWNER, Correspondences, Statement, read_correspondences

log = logging.getLogger(__name__)

Fact = tuple[str, str]  # ("block", code) or ("whole", fiche number)


@dataclass(frozen=True)
class Rule:
    """One correspondence read as "holding ``premise`` grants ``conclusion``"."""

    premise: Fact
    conclusion: Fact
    statement: Statement


def rule_of(statement: Statement) -> Rule | None:
    """The rule a correspondence gives, or ``None`` when it names no block and is not total."""
    premise: Fact = ("block", statement.target_block) if statement.target_block else ("whole", statement.target)
    if statement.source_block:
        return Rule(premise, ("block", statement.source_block), statement)
    if statement.nature == "total" or statement.kind == "previous-version":
        return Rule(premise, ("whole", statement.source), statement)
    return None


@dataclass(frozen=True)
class Holdings:
    """What a person holds: block codes and whole certifications."""

    blocks: frozenset[str]
    certifications: frozenset[str]

    @classmethod
    def parse(cls, items: Iterable[str]) -> Holdings:
        """``RNCP34808`` is a whole certification, ``RNCP34808BC01`` a block; anything else is an error."""
        blocks, certifications = set(), set()
        for raw in items:
            item = raw.strip()
            if is_fiche_number(item):
                certifications.add(item)
            elif BLOCK_OWNER.match(item):
                blocks.add(item)
            else:
                raise QueryError("not a fiche number (RNCP34808) or a block code (RNCP34808BC01)", value=raw)
        return cls(frozenset(blocks), frozenset(certifications))

    def facts(self) -> set[Fact]:
        return {("block", b) for b in self.blocks} | {("whole", c) for c in self.certifications}


Reason = tuple[Rule | None, Fact | None]  # the rule applied (None: part/whole) and the fact it came from


def rules_by_premise(data: Correspondences, *, symmetric: bool = False) -> dict[Fact, list[Rule]]:
    """Every applicable rule, indexed by its premise (both directions with ``symmetric``)."""
    index: dict[Fact, list[Rule]] = defaultdict(list)
    for statement in data.statements:
        rule = rule_of(statement)
        if rule is None:
            continue
        index[rule.premise].append(rule)
        if symmetric:
            index[rule.conclusion].append(Rule(rule.conclusion, rule.premise, statement))
    return index


def closure(holdings: Holdings, data: Correspondences, *, symmetric: bool = False) -> dict[Fact, Reason]:
    """Everything that follows from ``holdings``: fact → how it was first obtained."""
    rules = rules_by_premise(data, symmetric=symmetric)
    why: dict[Fact, Reason] = dict.fromkeys(sorted(holdings.facts()), (None, None))
    queue = sorted(why, reverse=True)
    while queue:
        fact = queue.pop()
        for new, reason in _consequences(fact, why, rules, data):
            if new not in why:
                why[new] = reason
                queue.append(new)
    return why


def _consequences(
    fact: Fact, why: dict[Fact, Reason], rules: dict[Fact, list[Rule]], data: Correspondences
) -> list[tuple[Fact, Reason]]:
    kind, name = fact
    found: list[tuple[Fact, Reason]] = []
    if kind == "whole":
        found.extend((("block", b), (None, fact)) for b in sorted(data.blocks.get(name, ())))
    else:
        owner = data.owner(name)
        known = data.blocks.get(owner or "", set())
        if owner and known and all(("block", b) in why for b in known):
            found.append((("whole", owner), (None, fact)))
    found.extend((rule.conclusion, (rule, fact)) for rule in rules.get(fact, []))
    return found


def rules_used(facts: Iterable[Fact], why: dict[Fact, Reason]) -> list[Rule]:
    """The correspondences on the derivation paths of ``facts``, in the order they were applied."""
    used: list[Rule] = []
    seen: set[Fact] = set()
    stack = list(facts)
    while stack:
        fact = stack.pop()
        if fact in seen or fact not in why:
            continue
        seen.add(fact)
        rule, parent = why[fact]
        if rule is not None and rule not in used:
            used.append(rule)
        if parent is not None:
            stack.append(parent)
    return used[::-1]


@dataclass(frozen=True)
class Reachable:
    """A certification where something is held or granted, and what is still missing."""

    rank: int
    number: str
    label: str
    in_graph: bool
    blocks: int
    obtained: int
    granted: int
    missing: int
    missing_blocks: str
    complete: bool
    via: str


@dataclass
class EquivalenceReport:
    """Ranked reachable certifications, hints (partial correspondences without blocks), the closure."""

    holdings: Holdings
    reachable: list[Reachable]
    hints: list[Statement]
    why: dict[Fact, Reason]


def equivalence_report(
    store: GraphStore, held: Iterable[str], *, symmetric: bool = False, data: Correspondences | None = None
) -> EquivalenceReport:
    """Which certifications the blocks in ``held`` lead to, ranked by fewest missing blocks.

    :param store: the graph.
    :param held: block codes (``RNCP34808BC01``) and/or fiche numbers (a whole certification).
    :param symmetric: also apply each correspondence backwards.
    :param data: correspondences already read with :func:`read_correspondences` (saves two queries).
    """
    holdings = Holdings.parse(held)
    data = data or read_correspondences(store)
    why = closure(holdings, data, symmetric=symmetric)
    rows = sorted((_reachable(n, why, data) for n in _touched(why, data) - holdings.certifications), key=_rank_key)
    ranked = [dataclasses.replace(row, rank=i) for i, row in enumerate(rows, start=1)]
    report = EquivalenceReport(holdings, ranked, _hints(why, data), why)
    log.info("%d certification(s) reached from %d held item(s)", len(ranked), len(holdings.facts()))
    return report


def _touched(why: dict[Fact, Reason], data: Correspondences) -> set[str]:
    return {name if kind == "whole" else (data.owner(name) or name) for kind, name in why}


def _reachable(number: str, why: dict[Fact, Reason], data: Correspondences) -> Reachable:
    mentioned = {name for kind, name in why if kind == "block" and data.owner(name) == number}
    known = data.blocks.get(number, set()) | mentioned
    obtained = sorted(b for b in known if ("block", b) in why)
    granted = [b for b in obtained if rules_used([("block", b)], why)]
    missing = sorted(known - set(obtained))
    facts = [("block", b) for b in obtained] + [("whole", number)]
    via = "; ".join(r.statement.describe() for r in rules_used(facts, why))
    return Reachable(
        0, number, data.labels.get(number, number), number in data.labels, len(known), len(obtained),
        len(granted), len(missing), " ".join(missing), ("whole", number) in why, via,
    )  # fmt: skip


def _rank_key(row: Reachable) -> tuple[bool, int, float, str]:
    return (not row.complete, row.missing, -(row.obtained / row.blocks if row.blocks else 1.0), row.number)


def _hints(why: dict[Fact, Reason], data: Correspondences) -> list[Statement]:
    touched = _touched(why, data)
    return [s for s in data.statements if rule_of(s) is None and s.target in touched]


def paths_graph(report: EquivalenceReport, labels: dict[str, str] | None = None) -> nx.DiGraph:
    """The derivation as a graph: an edge from each fact to what it gave (``via`` says how).

    Nodes are block codes and fiche numbers (a whole certification), with ``kind``
    (``block`` / ``certification``), ``label`` and ``held`` (given by the person).
    """
    graph = nx.DiGraph(kind="equivalence")
    labels = labels or {}
    for (kind, name), (rule, parent) in sorted(report.why.items()):
        node_kind = "block" if kind == "block" else "certification"
        graph.add_node(name, kind=node_kind, label=labels.get(name, name), held=parent is None)
        if parent is not None:
            via = rule.statement.describe() if rule is not None else ("part of" if kind == "block" else "completes")
            graph.add_edge(parent[1], name, via=via)
    return graph
