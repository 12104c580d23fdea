"""The update: a few changed fiches into a built store, fiche by fiche, then their revalidation.

A build reads whole sources (the national export: a minute and a half). When a few fiches
changed — a page copied again, a small export of the fiches of the day — :func:`update` reads
only the files that hold them and, in the store:

1. **takes each of their fiches out** of every source graph that holds it (found by its
   certification's ``rdf:type``): the triples of its certification and of the nodes it owns
   that no other node of that graph links to (blocks, access modalities, correspondences,
   statistics, publications, the competencies and activities no other fiche of the graph
   lists); then, in that graph, the triples of the organisations and code concepts nothing
   links to any more, and the lineage titles (``rncp:titleAsReferenced``) of certifications no
   lineage link names any more;
2. **loads each file into its own source graph**, with the provenance a build gives and
   ``rncp:supersedes`` to each graph a fiche was taken out of; a graph left without any
   certification is dropped; a file whose graph is already in the store (same content) is
   skipped;
3. **revalidates the nodes the change can reach** (:func:`affected_nodes`) with
   :func:`rncp_graph.validate.validate_nodes`: the report lists their results, which are the
   whole store's results on them.

The merged view is then the one a build of the sources with the changed fiches gives
(``tests/test_update.py`` compares them), with one known difference: what only the old version
of a fiche said of a node other fiches of the same graph still link to stays until the next
build — an organisation's former legal name under the same SIRET, a code's former label, a
former lineage title. Everything is read and mapped before the store is touched: a damaged
file changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, SKOS

from . import iris
from .__about__ import __version__
from .build import SourceRecord, available_cores, read_source, source_sha256
from .mapping import fiche_to_triples, source_triples
from .model import LoadResult, Problem
from .namespaces import RNCP
from .sources import expand
from .store import GraphStore, lines_to_bytes
from .terms import line
from .validate import Report, Severity, validate_nodes
from .validate.per_fiche import OWN_LINKS, SHARED_CLASSES, SHARED_LINKS, VOCABULARY_CLASSES

log = logging.getLogger(__name__)


def _nodes(terms: Iterable[str]) -> frozenset[ox.NamedNode]:
    """N-Triples IRIs (``<…>``) or plain IRIs as pyoxigraph nodes."""
    return frozenset(ox.NamedNode(t.strip("<>")) for t in terms)


OWN = _nodes(OWN_LINKS)
SHARED = _nodes(SHARED_LINKS)
LINEAGE = _nodes([DCTERMS.replaces, DCTERMS.isReplacedBy])
TITLE_AS_REFERENCED = ox.NamedNode(str(RNCP.titleAsReferenced))
TYPE = ox.NamedNode(str(RDF.type))
CERTIFICATION = ox.NamedNode(str(RNCP.Certification))
SUPERSEDES = f"<{RNCP.supersedes}>"
#: Literals a shape reads two links away from its focus (a block's certification's fiche number).
SECOND_HOP_LITERALS = _nodes([RNCP.ficheNumber])
#: an update of more fiches than this logs that a build would be faster
MANY = 1000
#: Nodes revalidated without their neighbours: no shape reads through them from another node
#: to a changed triple (see :func:`affected_nodes`); a ROME concept has thousands of neighbours.
NOT_EXPANDED = _nodes(SHARED_CLASSES | VOCABULARY_CLASSES) | _nodes(
    [RNCP.Competency, RNCP.Activity, SKOS.Concept, SKOS.ConceptScheme, RNCP.SourceGraph]
)


@dataclass(frozen=True)
class FicheChange:
    """One fiche of an update: where it was, what went out and what came in."""

    number: str
    file: str
    #: the source graphs it was taken out of (none: a fiche new to the store)
    graphs: tuple[str, ...]
    #: quads taken out of those graphs (with the shared nodes nothing links to any more)
    removed: int
    #: triples its new version states (its mapping, repeated ones counted once)
    added: int

    @property
    def kind(self) -> str:
        return "replaced" if self.graphs else "added"


@dataclass
class Update:
    """What an update did to the store."""

    store: GraphStore
    sources: list[SourceRecord] = field(default_factory=list)
    results: list[LoadResult] = field(default_factory=list)
    changes: list[FicheChange] = field(default_factory=list)
    #: files whose source graph was already in the store (same content): nothing done
    skipped: list[str] = field(default_factory=list)
    #: source graphs dropped because no certification was left in them
    dropped_graphs: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: the results of the shapes on the nodes the change can reach (None: not validated)
    report: Report | None = None
    #: the nodes revalidated (IRIs, sorted)
    affected: list[str] = field(default_factory=list)
    #: seconds per stage (read + map, apply, validate)
    timings: dict[str, float] = field(default_factory=dict)
    #: triples the merged view lost or gained
    changed: set[ox.Triple] = field(default_factory=set, repr=False)

    @property
    def fiches_quarantined(self) -> int:
        return sum(r.quarantined for r in self.results)

    @property
    def complete(self) -> bool:
        """True when no fiche was quarantined and no problem is an error (as :attr:`Build.complete`)."""
        return not self.fiches_quarantined and not any(p.severity == "error" for p in self.problems)


def update(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    validate: bool = True,
    as_of: date | None = None,
    severity: Severity | str = Severity.INFO,
    jobs: int | None = None,
) -> Update:
    """Put the fiches of ``paths`` into ``store`` in place of those of the same number.

    :param store: a built store (usually on disk: ``GraphStore(Path("store/"))``).
    :param paths: files, folders or globs of sources, as for :func:`~rncp_graph.build.build`.
    :param validate: revalidate the nodes the change can reach (``result.report``).
    :param as_of: the date "today" is taken to be by the shapes (default: today).
    :param severity: the lowest severity the report lists (its totals count them all).
    :param jobs: threads revalidating nodes at once (default: all cores).
    :raises StructuralError: a source is damaged or unreadable; the store is not touched.
    :raises EmptyInput: a source holds no fiche; the store is not touched.
    """
    result = Update(store=store)
    with _stage("read + map", result.timings):
        read = [(path, read_source(path)) for path in expand(paths)]  # all of it before any change
        mapped = [(path, loaded, _mapped(loaded)) for path, loaded in read]
    with _stage("apply", result.timings):
        for path, loaded, lines in mapped:
            _apply(result, path, loaded, lines)
        store.flush()
    if validate:
        with _stage("validate", result.timings):
            nodes = affected_nodes(store, result.changed)
            result.affected = sorted(n.value for n in nodes)
            result.report = validate_nodes(store, nodes, as_of=as_of, severity=severity, jobs=jobs or available_cores())
    return result


@contextlib.contextmanager
def _stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    log.info("%s: %.2f s", name, timings[name])


def _mapped(loaded: LoadResult) -> list[tuple[str, list[str]]]:
    """Fiche number → its N-Triples lines, fiche by fiche."""
    if len(loaded.fiches) > MANY:
        log.warning("%s: %d fiches; for this many, a build is faster", loaded.source, len(loaded.fiches))
    return [(fiche.number, [line(t) for t in fiche_to_triples(fiche)]) for fiche in loaded.fiches]


def _apply(result: Update, path: Path, loaded: LoadResult, fiches: list[tuple[str, list[str]]]) -> None:
    """Take the fiches of one source out of the store's graphs, then load the source into its own."""
    store = result.store
    sha = source_sha256(path)
    graph = iris.source_graph(sha)
    result.results.append(loaded)
    result.problems.extend(loaded.problems)
    if store.ox.contains_named_graph(ox.NamedNode(graph)):
        log.info("%s: already in the store (graph %s); nothing to do", path.name, graph)
        result.skipped.append(path.name)
        return
    lines = lines_to_bytes(text for _, mapped in fiches for text in mapped)
    new = {quad.triple for quad in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)}
    stated = {number: len(set(mapped)) for number, mapped in fiches}
    came = {t for t in new if not _present(store, t)}  # before any change: what the merged view gains
    removed: set[ox.Triple] = set()
    superseded: set[str] = set()
    for number in sorted(stated):
        certification = ox.NamedNode(iris.certification(number))
        graphs = fiche_graphs(store, certification)
        taken: list[ox.Quad] = []
        for name in graphs:
            taken += take_out(store, certification, ox.NamedNode(name))
        superseded.update(graphs)
        removed.update(quad.triple for quad in taken)
        result.changes.append(FicheChange(number, path.name, tuple(graphs), len(taken), stated[number]))
    provenance = source_triples(
        graph, file=path.name, sha256=sha, loader=loaded.loader, version=__version__, export=loaded.export_date
    )
    provenance += [(f"<{graph}>", SUPERSEDES, f"<{name}>") for name in sorted(superseded)]
    store.replace_graph(graph, [lines_to_bytes(line(t) for t in provenance), lines], trusted=True, bulk=False)
    for name in sorted(superseded):
        if not any(store.ox.quads_for_pattern(None, TYPE, CERTIFICATION, ox.NamedNode(name))):
            log.info("dropping %s: no certification is left in it", name)
            store.drop_graph(name)
            result.dropped_graphs.append(name)
    result.changed |= came | {t for t in removed if not _present(store, t)}
    result.sources.append(SourceRecord(path.name, sha, loaded.loader, graph, len(loaded.fiches), loaded.quarantined))


def _present(store: GraphStore, triple: ox.Triple) -> bool:
    """Whether the merged view holds ``triple`` (in any graph)."""
    return any(store.ox.quads_for_pattern(triple.subject, triple.predicate, triple.object, None))


def fiche_graphs(store: GraphStore, certification: ox.NamedNode) -> list[str]:
    """The source graphs that hold this certification, sorted."""
    found = {
        quad.graph_name.value
        for quad in store.ox.quads_for_pattern(certification, TYPE, CERTIFICATION, None)
        if isinstance(quad.graph_name, ox.NamedNode)
    }
    return sorted(g for g in found if g.startswith(iris.SOURCE_GRAPH_PREFIX))


class _GraphView:
    """Index look-ups in one named graph of the store."""

    def __init__(self, store: GraphStore, graph: ox.NamedNode) -> None:
        self.store, self.graph = store, graph

    def out(self, node: ox.NamedNode) -> list[ox.Quad]:
        return list(self.store.ox.quads_for_pattern(node, None, None, self.graph))

    def into(self, node: ox.NamedNode) -> list[ox.Quad]:
        return list(self.store.ox.quads_for_pattern(None, None, node, self.graph))

    def is_certification(self, node: ox.NamedNode) -> bool:
        return any(self.store.ox.quads_for_pattern(node, TYPE, CERTIFICATION, self.graph))

    def remove(self, quads: list[ox.Quad]) -> list[ox.Quad]:
        self.store.remove_quads(quads)
        return quads


def take_out(store: GraphStore, certification: ox.NamedNode, graph: ox.NamedNode) -> list[ox.Quad]:
    """Remove one fiche from one graph; the quads removed (see the module's docstring)."""
    view = _GraphView(store, graph)
    owned = {certification}
    todo = [certification]
    while todo:  # what the certification reaches through the links to what it owns
        for quad in view.out(todo.pop()):
            node = quad.object
            if quad.predicate not in OWN or type(node) is not ox.NamedNode or node in owned:
                continue
            if not view.is_certification(node):
                owned.add(node)
                todo.append(node)
    mine = set(owned)
    changed = True
    while changed:  # ... less what a node outside the fiche links to the same way (a shared competency)
        changed = False
        for node in sorted(mine - {certification}, key=_iri):
            if any(q.predicate in OWN and q.subject not in mine for q in view.into(node)):
                mine.discard(node)
                changed = True
    # the lineage titles of this certification are stated by the fiches that name it: see _sweep
    removed = view.remove(
        [q for node in mine for q in view.out(node) if node != certification or q.predicate != TITLE_AS_REFERENCED]
    )
    return removed + _sweep(view, removed, certification)


def _sweep(view: _GraphView, removed: list[ox.Quad], certification: ox.NamedNode) -> list[ox.Quad]:
    """After a fiche left a graph: the shared nodes nothing in the graph links to any more, and
    the lineage titles of certifications no lineage link of the graph names any more."""
    swept: list[ox.Quad] = []
    todo = sorted({q.object for q in removed if q.predicate in SHARED and type(q.object) is ox.NamedNode}, key=_iri)
    while todo:  # a concept's broader concept is swept after it
        node = todo.pop()
        if view.into(node):
            continue
        gone = view.remove(view.out(node))
        swept += gone
        todo += [q.object for q in gone if q.predicate in SHARED and type(q.object) is ox.NamedNode]
    named = {q.object for q in removed if q.predicate in LINEAGE and type(q.object) is ox.NamedNode}
    for node in sorted(named | {certification}, key=_iri):
        if not any(q.predicate in LINEAGE for q in view.into(node)):
            swept += view.remove([q for q in view.out(node) if q.predicate == TITLE_AS_REFERENCED])
    return swept


def affected_nodes(store: GraphStore, changed: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    """The nodes whose results may differ after ``changed`` triples appeared or disappeared.

    The shapes read at most two links away from their focus node, in either direction (a
    block's certification's fiche number, a lineage link's reciprocal, a value's type), and at
    the second link only links between nodes, types and :data:`SECOND_HOP_LITERALS`. A result
    can thus change only on an end of a changed triple (its subject, its object when a node),
    or on a neighbour, in either direction, of an end of a changed link, type or fiche number —
    except the neighbours of shared and vocabulary nodes, competencies and activities, through
    which no shape reads from another node (their own results, e.g. a competency shared by
    several fiches, are computed: the node is an end). A new title changes the results of its
    certification only. Objects of ``rdf:type`` (classes) are not nodes here. A shape that reads
    a literal two links away from its focus must add its property to :data:`SECOND_HOP_LITERALS`.
    ``tests/test_update.py`` checks, on many kinds of change, that the whole store's results
    differ before and after only on these nodes.
    """
    ends: set[ox.NamedNode] = set()
    links: set[ox.NamedNode] = set()  # ends of a changed link, type or fiche number
    for triple in changed:
        subject = triple.subject
        assert type(subject) is ox.NamedNode, subject  # iris.py mints every node: no blank node
        ends.add(subject)
        if type(triple.object) is ox.NamedNode:
            links.add(subject)
            if triple.predicate != TYPE:
                ends.add(triple.object)
                links.add(triple.object)
        elif triple.predicate in SECOND_HOP_LITERALS:
            links.add(subject)
    nodes = set(ends)
    for node in sorted(links, key=_iri):
        if any(q.object in NOT_EXPANDED for q in store.ox.quads_for_pattern(node, TYPE, None, None)):
            continue
        for quad in store.ox.quads_for_pattern(node, None, None, None):
            if type(quad.object) is ox.NamedNode and quad.predicate != TYPE:
                nodes.add(quad.object)
        for quad in store.ox.quads_for_pattern(None, None, node, None):
            if type(quad.subject) is ox.NamedNode:
                nodes.add(quad.subject)
    return nodes


def _iri(node: ox.NamedNode) -> str:
    return node.value
