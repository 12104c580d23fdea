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
former lineage title.

Everything is read and mapped before the store is touched: a damaged file changes nothing, nor
does one fiche in two files of the same update (which one should win? the user says), nor an
update of more than :data:`MAX_SHARE` of the store's fiches (a build is faster: refused). The
changes are then planned in memory (:class:`~rncp_graph.changes.PendingStore`: each step reads
the store as the steps before it left it) and written in one transaction: interrupted at any
point, even by ``kill -9``, the store is entirely as it was, or entirely updated (tested with a
real process killed while it writes). A file applied again after later updates took some of
its fiches takes them back; a file whose fiches all hold only in its own graph already changes
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, SKOS

from .. import iris, referentials
from ..__about__ import __version__
from ..changes import PendingStore
from ..errors import RNCPGraphError, StructuralError
from ..mapping import fiche_to_triples, source_triples
from ..mapping.ownership import OWN_LINKS, SHARED_CLASSES, SHARED_LINKS, VOCABULARY_CLASSES
from ..model import LoadResult, Problem
from ..namespaces import RNCP
from ..store import GraphStore
from ..terms import line, lines_to_bytes
from ..validate import Report, Severity, validate_nodes
from .sources import expand
from .stages import SourceRecord, available_cores, is_complete, read_source, source_sha256, timed_stage

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
#: an update of more than this share of the store's fiches is refused (a build is faster): its
#: planning and its one transaction grow with the quads it changes: past about this share an
#: update takes as long as a build, and more memory (``benchmarks/README.md``, "rncp-graph update")
MAX_SHARE = 0.1
#: ... unless it has no more fiches than this (a small store takes a few changed fiches)
FEW = 50


class TooManyChanges(RNCPGraphError):
    """The update holds so many of the store's fiches that a build of all the sources is faster."""


#: Nodes revalidated without their neighbours: no shape reads through them from another node
#: to a changed triple (see :func:`affected_nodes`); a ROME concept has thousands of neighbours.
NOT_EXPANDED = _nodes(SHARED_CLASSES | VOCABULARY_CLASSES) | _nodes(
    [RNCP.Competency, RNCP.Activity, SKOS.Concept, SKOS.ConceptScheme, RNCP.SourceGraph]
)


@dataclass(frozen=True)
class FicheUpdate:
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
    changes: list[FicheUpdate] = field(default_factory=list)
    #: files that changed nothing → why (already in the store with the same content, or no fiche to load)
    skipped: dict[str, str] = field(default_factory=dict)
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
    def complete(self) -> bool:
        """True when no fiche was quarantined and no problem is an error (as :attr:`Build.complete`)."""
        return is_complete(self.results, self.problems)

    def summary_lines(self) -> Iterator[str]:
        """What the update did, one line per source and per fiche, then the revalidation and the times."""
        for record in self.sources:
            yield f"{record.file}: {record.fiches} fiche(s) into {record.graph}"
        for name, why in self.skipped.items():
            yield f"{name}: {why}; nothing to do"
        for change in self.changes:
            where = f"out of {len(change.graphs)} graph(s), " if change.graphs else ""
            yield f"  {change.number} {change.kind}: {where}{change.removed} quads out, {change.added} triples in"
        for graph in self.dropped_graphs:
            yield f"dropped {graph}: no certification left in it"
        if self.problems:
            errors = sum(1 for p in self.problems if p.severity == "error")
            yield f"problems: {len(self.problems)} ({errors} errors)"
            for problem in self.problems:
                yield "  " + " · ".join(f"{k}: {v}" for k, v in problem.as_dict().items())
        if self.report is not None:
            yield f"revalidated {len(self.affected)} nodes: {self.report.summary()}"
        if self.timings:
            yield "time: " + " · ".join(f"{stage} {seconds:.2f} s" for stage, seconds in self.timings.items())


def update(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    validate: bool = True,
    as_of: date | None = None,
    severity: Severity | str = Severity.INFO,
    jobs: int | None = None,
    max_share: float = MAX_SHARE,
) -> Update:
    """Put the fiches of ``paths`` into ``store`` in place of those of the same number.

    :param store: a built store (usually on disk: ``GraphStore(Path("store/"))``).
    :param paths: files, folders or globs of sources, as for :func:`~rncp_graph.pipeline.build.build`.
    :param validate: revalidate the nodes the change can reach (``result.report``).
    :param as_of: the date "today" is taken to be by the shapes (default: today).
    :param severity: the lowest severity the report lists (its totals count them all).
    :param jobs: threads revalidating nodes at once (default: all cores).
    :param max_share: refuse an update of more than this share of the store's fiches (and
        more than :data:`FEW`), :class:`TooManyChanges`; 1 or more: never refuse.
    :raises StructuralError: a source is damaged or unreadable, or one fiche is in two of the
        files; the store is not touched.
    :raises EmptyInput: a source holds no fiche; the store is not touched.
    :raises TooManyChanges: see ``max_share``; the store is not touched.
    """
    result = Update(store=store)
    read: list[_Read] = []
    with timed_stage("read + map", result.timings):  # all of it before any change
        sources = [(path, read_source(path)) for path in expand(paths)]
        _refuse_too_many(store, sum(len(loaded.fiches) for _, loaded in sources), max_share)
        read = [_Read(path, source_sha256(path), loaded, _mapped(loaded)) for path, loaded in sources]
        _refuse_twice(read)
    with timed_stage("apply", result.timings):  # planned in memory, then written in one transaction
        pending = PendingStore(store)
        for source in read:
            _apply(result, pending, source)
        pending.commit()
        store.flush()
        result.problems += referentials.unknown_codes(store, [(s.graph, s.file) for s in result.sources])
    if validate:
        with timed_stage("validate", result.timings):
            nodes = affected_nodes(store, result.changed)
            result.affected = sorted(n.value for n in nodes)
            result.report = validate_nodes(store, nodes, as_of=as_of, severity=severity, jobs=jobs or available_cores())
    return result


def _refuse_too_many(store: GraphStore, fiches: int, max_share: float) -> None:
    """An update of more than ``max_share`` of the store's fiches (and more than :data:`FEW`) is refused."""
    if fiches <= FEW or max_share >= 1:
        return
    held = len({q.subject for q in store.quads_for_pattern(None, TYPE, CERTIFICATION, None)})
    if fiches > max_share * held:
        raise TooManyChanges(
            f"{fiches:,} fiches to update, {fiches / max(held, 1):.0%} of the {held:,} in the store (more than "
            f"{max_share:.0%}): a build of all the sources is faster — rncp-graph build SOURCES... --store DIR "
            "(or allow it: --max-share 1); nothing was changed"
        )


def _mapped(loaded: LoadResult) -> list[tuple[str, list[str]]]:
    """Fiche number → its N-Triples lines, fiche by fiche."""
    return [(fiche.number, [line(t) for t in fiche_to_triples(fiche)]) for fiche in loaded.fiches]


@dataclass(frozen=True)
class _Read:
    """One source read and mapped, before the store is touched."""

    path: Path
    sha256: str
    loaded: LoadResult
    #: fiche number → its N-Triples lines
    fiches: list[tuple[str, list[str]]]


def _refuse_twice(read: list[_Read]) -> None:
    """Two files of one update with the same fiche: which should win? The user says (exit 2)."""
    seen: dict[str, Path] = {}
    for source in read:
        for number in sorted({number for number, _ in source.fiches}):
            if number in seen:
                raise StructuralError(
                    f"fiche {number} is in two files of this update ({seen[number].name} and "
                    f"{source.path.name}): update with one of them; nothing was changed",
                    file=str(source.path),
                    fiche=number,
                )
            seen[number] = source.path


def _apply(result: Update, store: PendingStore, source: _Read) -> None:
    """Take the fiches of one source out of the store's graphs, then load the source into its own
    (in ``store``'s pending changes: written when they are committed)."""
    loaded, path = source.loaded, source.path
    graph = iris.source_graph(source.sha256)
    result.results.append(loaded)
    result.problems.extend(loaded.problems)
    certifications = {number: ox.NamedNode(iris.certification(number)) for number, _ in source.fiches}
    holders = {number: fiche_graphs(store, node) for number, node in certifications.items()}
    if not certifications or all(graphs == [graph] for graphs in holders.values()):
        why = "no fiche to load" if not certifications else "already in the store, same content"
        log.info("%s: %s; nothing to do", path.name, why)
        result.skipped[path.name] = why
        return
    lines = lines_to_bytes(text for _, mapped in source.fiches for text in mapped)
    provenance = source_triples(
        graph,
        file=path.name,
        sha256=source.sha256,
        loader=loaded.loader,
        version=__version__,
        export=loaded.export_date,
    )
    superseded = sorted({name for graphs in holders.values() for name in graphs} - {graph})
    provenance += [(f"<{graph}>", SUPERSEDES, f"<{name}>") for name in superseded]
    head = lines_to_bytes(line(t) for t in provenance)
    new = {quad.triple for data in (head, lines) for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    came = {t for t in new if not _present(store, t)}  # before any change: what the merged view gains
    removed: set[ox.Triple] = set()
    stated = {number: len(set(mapped)) for number, mapped in source.fiches}
    for number in sorted(stated):
        taken: list[ox.Quad] = []
        for name in holders[number]:
            taken += take_out(store, certifications[number], ox.NamedNode(name))
        removed.update(quad.triple for quad in taken)
        others = tuple(g for g in holders[number] if g != graph)
        result.changes.append(FicheUpdate(number, path.name, others, len(taken), stated[number]))
    removed.update(q.triple for q in store.iter_quads(graph))  # what is left of an earlier load of the file
    store.replace_graph(graph, [head, lines])
    for name in superseded:
        if not any(store.quads_for_pattern(None, TYPE, CERTIFICATION, ox.NamedNode(name))):
            log.info("dropping %s: no certification is left in it", name)
            removed.update(q.triple for q in store.iter_quads(name))
            store.drop_graph(name)
            result.dropped_graphs.append(name)
    result.changed |= came | {t for t in removed if not _present(store, t)}
    result.sources.append(SourceRecord(path.name, source.sha256, loaded.loader, graph, len(stated), loaded.quarantined))


def _present(store: PendingStore, triple: ox.Triple) -> bool:
    """Whether the merged view holds ``triple`` (in any graph)."""
    return store.holds(triple)


def fiche_graphs(store: PendingStore, certification: ox.NamedNode) -> list[str]:
    """The source graphs that hold this certification, sorted."""
    found = {
        quad.graph_name.value
        for quad in store.quads_for_pattern(certification, TYPE, CERTIFICATION, None)
        if isinstance(quad.graph_name, ox.NamedNode)
    }
    return sorted(g for g in found if g.startswith(iris.SOURCE_GRAPH_PREFIX))


class _GraphView:
    """Index look-ups in one named graph of the store, blind to the quads planned for removal."""

    def __init__(self, store: PendingStore, graph: ox.NamedNode) -> None:
        self.store, self.graph = store, graph
        self.pending: set[ox.Quad] = set()

    def out(self, node: ox.NamedNode) -> list[ox.Quad]:
        return [q for q in self.store.quads_for_pattern(node, None, None, self.graph) if q not in self.pending]

    def into(self, node: ox.NamedNode) -> Iterator[ox.Quad]:
        return (q for q in self.store.quads_for_pattern(None, None, node, self.graph) if q not in self.pending)

    def is_certification(self, node: ox.NamedNode) -> bool:
        return any(self.store.quads_for_pattern(node, TYPE, CERTIFICATION, self.graph))


def take_out(store: PendingStore, certification: ox.NamedNode, graph: ox.NamedNode) -> list[ox.Quad]:
    """Remove one fiche from one graph; the quads removed, in the order removed (see the module's docstring).

    What goes is planned first, then removed from ``store``'s pending changes (written with the
    others in one transaction by :meth:`~rncp_graph.changes.PendingStore.commit`): the swept
    shared nodes first (a broader concept before the narrower one), then the fiche's nodes from
    the deepest up, its certification's ``rdf:type`` last.
    """
    view = _GraphView(store, graph)
    depth = {certification: 0}
    todo = [certification]
    while todo:  # what the certification reaches through the links to what it owns
        parent = todo.pop(0)
        for quad in view.out(parent):
            node = quad.object
            if quad.predicate not in OWN or type(node) is not ox.NamedNode or node in depth:
                continue
            if not view.is_certification(node):
                depth[node] = depth[parent] + 1
                todo.append(node)
    mine = set(depth)
    changed = True
    while changed:  # ... less what a node outside the fiche links to the same way (a shared competency)
        changed = False
        for node in sorted(mine - {certification}, key=_iri):
            if any(q.predicate in OWN and q.subject not in mine for q in view.into(node)):
                mine.discard(node)
                changed = True
    own: list[ox.Quad] = []
    for node in sorted(mine, key=lambda n: (-depth[n], n.value)):
        # the lineage titles of this certification are stated by the fiches that name it: see _sweep
        own += [q for q in view.out(node) if not (node == certification and q.predicate == TITLE_AS_REFERENCED)]
    typed = ox.Quad(certification, TYPE, CERTIFICATION, graph)
    own.sort(key=lambda q: q == typed)  # stable: only moves the type to the end
    view.pending.update(own)
    planned = _sweep(view, own, certification) + own
    store.remove_quads(planned)
    return planned


def _sweep(view: _GraphView, removed: list[ox.Quad], certification: ox.NamedNode) -> list[ox.Quad]:
    """What else goes once ``removed`` is gone (planned, not removed): the shared nodes nothing
    in the graph links to any more, and the lineage titles of certifications no lineage link of
    the graph names any more. A broader concept comes before its narrower one."""
    swept: list[list[ox.Quad]] = []
    todo = sorted({q.object for q in removed if q.predicate in SHARED and type(q.object) is ox.NamedNode}, key=_iri)
    while todo:
        node = todo.pop()
        if next(view.into(node), None) is not None:
            continue
        gone = view.out(node)
        view.pending.update(gone)
        swept.append(gone)
        todo += [q.object for q in gone if q.predicate in SHARED and type(q.object) is ox.NamedNode]
    titles: list[ox.Quad] = []
    named = {q.object for q in removed if q.predicate in LINEAGE and type(q.object) is ox.NamedNode}
    for node in sorted(named | {certification}, key=_iri):
        if not any(q.predicate in LINEAGE for q in view.into(node)):
            titles += [q for q in view.out(node) if q.predicate == TITLE_AS_REFERENCED]
    view.pending.update(titles)
    return titles + [q for gone in reversed(swept) for q in gone]


def affected_nodes(store: GraphStore, changed: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    """The nodes whose results may differ after ``changed`` triples appeared or disappeared.

    The shapes read at most two links away from their focus node, in either direction (a
    block's certification's fiche number, a lineage link's reciprocal, a value's type), and at
    the second link only links between nodes, types and :data:`SECOND_HOP_LITERALS`. A result
    can thus change only on an end of a changed triple (its subject, its object when a node),
    or on a neighbour, in either direction, of an end of a changed link, type or fiche number —
    except the neighbours of shared and vocabulary nodes, competencies and activities, through
    which no shape reads from another node (their own results, e.g. a competency shared by
    several fiches, are computed: the node is an end). This rests on every fiche stating the
    type of what it links to with the link (the mapping does): types change with links. A new
    title changes the results of its certification only. The fiches a result is attributed to
    change on what a changed link reaches below it (a block's competencies, a concept's broader
    concepts): those nodes are added. Objects of ``rdf:type`` (classes) are not nodes here. A shape that reads
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
    nodes = set(ends) | _below(store, [t.object for t in changed if t.predicate in OWN | SHARED])
    for node in sorted(links, key=_iri):
        if any(q.object in NOT_EXPANDED for q in store.quads_for_pattern(node, TYPE, None, None)):
            continue
        for quad in store.quads_for_pattern(node, None, None, None):
            if type(quad.object) is ox.NamedNode and quad.predicate != TYPE:
                nodes.add(quad.object)
        for quad in store.quads_for_pattern(None, None, node, None):
            if type(quad.subject) is ox.NamedNode:
                nodes.add(quad.subject)
    return nodes


def _below(store: GraphStore, tops: Iterable[object]) -> set[ox.NamedNode]:
    """What the links to owned and shared nodes reach from ``tops`` (a block's competencies, a
    concept's broader concepts): the fiches a result there belongs to change with a link above."""
    found: set[ox.NamedNode] = set()
    todo = [node for node in tops if type(node) is ox.NamedNode]
    while todo:
        for quad in store.quads_for_pattern(todo.pop(), None, None, None):
            node = quad.object
            if quad.predicate in OWN | SHARED and type(node) is ox.NamedNode and node not in found:
                found.add(node)
                todo.append(node)
    return found


def _iri(node: ox.NamedNode) -> str:
    return node.value
