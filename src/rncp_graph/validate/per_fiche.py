"""Cutting a graph into small units that pyshacl can validate one by one, with the same results.

A unit is a set of N-Triples lines plus the nodes whose results it gives (its *full* nodes):

- one unit per **fiche**: its certification and every node it owns (blocks, competencies,
  activities, access modalities, statistics, correspondences, publications), each with all
  its triples; plus only the ``rdf:type`` of the shared and vocabulary nodes it links to (so
  ``sh:class`` can be checked). Other certifications never enter a fiche's unit, not even as
  ``rdf:type`` stubs: they would become focus nodes (design.md, "Trap").
- one unit per **shared node** (an organisation, a ROME / NSF / Formacode / diploma type /
  collective agreement concept): validated once, not with every fiche that cites it; with the
  triples that point to it (for ``sh:targetObjectsOf``) and the types of what it points to.
- one unit for the **vocabularies** (levels, access routes, statuses...) and one for the
  **rest** (provenance, concept schemes, anything no fiche reaches).

Every node's results come from a unit where the node is full, so every triple a shape reads
from it is there; results on other nodes of a unit are dropped (they are given elsewhere).
Hence the union of the units' results is pyshacl's result on the whole graph
(``tests/test_validate.py`` checks it on the samples and on generated sets).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib.namespace import RDF

from ..mapping.ownership import (
    ALL_LINKS,
    CERTIFICATION,
    FICHE_NUMBER,
    OWN_LINKS,
    SHARED_CLASSES,
    SHARED_LINKS,
    VOCABULARY_CLASSES,
)

log = logging.getLogger(__name__)

TYPE = f"<{RDF.type}>"


FICHE, SHARED, VOCABULARY, REST = "fiche", "shared", "vocabulary", "rest"


@dataclass(frozen=True)
class Unit:
    """Lines to validate together, and the nodes whose results they give."""

    kind: str
    name: str
    lines: tuple[str, ...]
    full: frozenset[str]


@dataclass
class Partition:
    """The units of a graph, and which fiches each node belongs to (for the report)."""

    units: list[Unit] = field(default_factory=list)
    owners: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def fiches(self) -> int:
        return sum(1 for u in self.units if u.kind == FICHE)


def split_line(line: str) -> tuple[str, str, str]:
    """``<s> <p> <o> .`` → (``<s>``, ``<p>``, ``<o>``); the object may be a literal with spaces."""
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest[:-2] if rest.endswith(" .") else rest


@dataclass
class _Index:
    """The graph's lines indexed by subject and by object, and the type of every node."""

    by_subject: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_object: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    type_lines_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    links: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, lines: Iterable[str]) -> _Index:
        index = cls()
        for line in lines:
            s, p, o = split_line(line)
            index.by_subject[s].append(line)
            if o.startswith(("<", "_:")):
                index.by_object[o].append(line)
                index.links[s].append((p, o))
                if p == TYPE:
                    index.types[s].add(o)
                    index.type_lines_of[s].append(line)
        return index

    def type_lines(self, nodes: Iterable[str]) -> Iterator[str]:
        for node in nodes:
            yield from self.type_lines_of.get(node, ())


def partition(lines: Iterable[str]) -> Partition:
    """Cut a graph (N-Triples lines, one triple each) into validation units."""
    index = _Index.of(lines)
    roots = sorted(s for s, t in index.types.items() if CERTIFICATION in t)
    vocabulary = {s for s, t in index.types.items() if t & VOCABULARY_CLASSES}
    shared = {s for s, t in index.types.items() if t & SHARED_CLASSES}
    shared |= {o for links in index.links.values() for p, o in links if p in SHARED_LINKS}
    shared -= vocabulary | set(roots)
    stops = shared | vocabulary | set(roots)  # a root is in its own reach from the start
    owner_stops = vocabulary | set(roots)
    linked = shared | vocabulary
    result = Partition()
    covered: set[str] = set()
    owners: dict[str, set[str]] = defaultdict(set)
    for root in roots:
        own = _reach(index, [root], OWN_LINKS, stops)
        label = fiche_label(index, root)
        for node in _reach(index, own, ALL_LINKS, owner_stops) - vocabulary:
            owners[node].add(label)
        covered |= own
        result.units.append(_unit(index, FICHE, label, own, linked=linked))
    for node in sorted(shared):
        incoming = index.by_object.get(node, [])
        result.units.append(_unit(index, SHARED, node, {node}, linked=linked, extra=incoming))
    if vocabulary:
        result.units.append(_unit(index, VOCABULARY, VOCABULARY, vocabulary, linked=linked))
    rest = set(index.by_subject) - covered - shared - vocabulary
    if rest:
        incoming = [ln for node in rest for ln in index.by_object.get(node, [])]
        result.units.append(_unit(index, REST, REST, rest, linked=set(index.types), extra=incoming))
    result.owners = {node: tuple(sorted(fiches)) for node, fiches in owners.items()}
    log.debug(
        "partition: %d units (%d fiches, %d shared nodes, %d other nodes)",
        len(result.units),
        len(roots),
        len(shared),
        len(rest),
    )
    return result


def _reach(index: _Index, start: Iterable[str], links: frozenset[str], stops: set[str]) -> set[str]:
    """Nodes reachable from ``start`` through ``links``, not going into ``stops``."""
    seen = set(start)
    todo = list(seen)
    while todo:
        node = todo.pop()
        for p, o in index.links.get(node, ()):
            if p in links and o not in seen and o not in stops:
                seen.add(o)
                todo.append(o)
    return seen


def _unit(index: _Index, kind: str, name: str, full: set[str], *, linked: set[str], extra: Iterable[str] = ()) -> Unit:
    """``full`` nodes with all their lines, ``extra`` lines, and the type of each linked node."""
    lines = {ln for node in full for ln in index.by_subject.get(node, ())}
    lines.update(extra)
    targets = {o for node in full for _, o in index.links.get(node, ()) if o in linked and o not in full}
    lines.update(index.type_lines(targets))
    return Unit(kind, name, tuple(sorted(lines)), frozenset(full))


def fiche_label(index: _Index, root: str) -> str:
    """The fiche number of a certification node (the smallest if several), else its IRI's end."""
    numbers = sorted(
        o.split('"')[1] for ln in index.by_subject.get(root, ()) for _, p, o in [split_line(ln)] if p == FICHE_NUMBER
    )
    return numbers[0] if numbers else root.strip("<>").rsplit("/", 1)[-1]
