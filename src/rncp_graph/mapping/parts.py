"""Triples for the parts of a fiche: blocks, access routes, correspondences, lineage,
publications and statistics. Each function takes the certification node and yields triples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from rdflib.namespace import DCTERMS, RDF

from .. import iris
from ..model import Block, Fiche, Statistic
from ..namespaces import RNCP
from ..terms import Triple, boolean, fr, integer, string, term_iri, xsd_date

A = term_iri(RDF.type)
P = {name: term_iri(getattr(RNCP, name)) for name in RNCP.__annotations__}
REPLACES = term_iri(DCTERMS.replaces)
IS_REPLACED_BY = term_iri(DCTERMS.isReplacedBy)

#: statistics column → property
STAT_FIELDS: dict[str, str] = {
    "certified": P["certifiedCount"],
    "certified_vae": P["vaeCertifiedCount"],
    "insertion_6_months": P["insertionRate6Months"],
    "insertion_job_6_months": P["targetJobInsertionRate6Months"],
    "insertion_job_2_years": P["targetJobInsertionRate2Years"],
}


#: what a document already described: ``(code list, Code)`` and the nodes of sentences
Described = set[object]

ACTIVITY = term_iri(RNCP.Activity)
COMPETENCY = term_iri(RNCP.Competency)


def text_node_triples(
    owner: str, prop: str, cls: str, mint: Callable[[str], str], texts: Iterable[str], *, described: Described
) -> Iterator[Triple]:
    """Competencies and activities: one shared node per normalised sentence, described once
    per document (``described``: the nodes already described, see
    :func:`~rncp_graph.mapping.fiches_to_ntriples`)."""
    for text in texts:
        node, text_literal = _text_node(mint, text)
        yield owner, prop, node
        if node not in described:
            described.add(node)
            yield node, A, cls
            yield node, P["text"], text_literal


@lru_cache(maxsize=1 << 16)  # a sentence is listed by many blocks and fiches
def _text_node(mint: Callable[[str], str], text: str) -> tuple[str, str]:
    """The node of a sentence and its text literal."""
    return f"<{mint(text)}>", fr(iris.text_key(text))


def block_triples(c: str, b: Block, described: Described) -> Iterator[Triple]:
    node = f"<{iris.block(b.code)}>"
    yield c, P["hasBlock"], node
    yield node, P["isBlockOf"], c
    yield node, A, term_iri(RNCP.CompetencyBlock)
    yield node, P["blockCode"], string(b.code)
    if b.title:
        yield node, P["title"], fr(b.title)
    if b.evaluation:
        yield node, P["evaluationModalities"], fr(b.evaluation)
    if b.description:
        yield node, P["blockDescription"], fr(b.description)
    yield from text_node_triples(
        node, P["competency"], COMPETENCY, iris.competency, b.competencies, described=described
    )


def access_triples(c: str, f: Fiche) -> Iterator[Triple]:
    for route in f.access_routes:
        node = f"<{iris.access_modality(f.number, route.route.value)}>"
        yield c, P["accessModality"], node
        yield node, A, term_iri(RNCP.AccessModality)
        yield node, P["accessRoute"], f"<{iris.access_route(route.route.value)}>"
        yield node, P["isOpen"], boolean(route.open)
        if route.jury:
            yield node, P["juryComposition"], fr(route.jury)
        if route.modified:
            yield node, P["lastModified"], xsd_date(route.modified)


def correspondence_triples(c: str, f: Fiche) -> Iterator[Triple]:
    for k in f.correspondences:
        node = f"<{iris.correspondence(f.number, k.target, k.source_block, k.target_blocks)}>"
        yield c, P["correspondence"], node
        yield node, A, term_iri(RNCP.Correspondence)
        yield node, P["correspondenceTarget"], f"<{iris.certification(k.target)}>"
        yield node, P["correspondenceKind"], f"<{iris.correspondence_kind(k.kind.value)}>"
        if k.nature is not None:
            yield node, P["correspondenceNature"], f"<{iris.correspondence_nature(k.nature.value)}>"
        if k.text:
            yield node, P["correspondenceText"], fr(k.text)
        if k.target_title:
            yield node, P["targetTitle"], fr(k.target_title)
        if k.source_block:
            yield node, P["sourceBlock"], f"<{iris.block(k.source_block)}>"
        for code in k.target_blocks:
            yield node, P["targetBlock"], f"<{iris.block(code)}>"
        for cited in k.target_blocks_as_cited:
            yield node, P["targetBlockAsCited"], fr(cited)


def lineage_triples(c: str, f: Fiche) -> Iterator[Triple]:
    """What the fiche says of its lineage, and nothing more: no inverse is inferred here."""
    for prop, linked in ((REPLACES, f.predecessors), (IS_REPLACED_BY, f.successors)):
        for other in linked:
            node = f"<{iris.certification(other.number)}>"
            yield c, prop, node
            if other.title:
                yield node, P["titleAsReferenced"], fr(other.title)


def publication_triples(c: str, f: Fiche) -> Iterator[Triple]:
    for ref in f.legal_references:
        node = f"<{iris.publication(f.number, ref.text)}>"
        yield c, P["legalPublication"], node
        yield node, A, term_iri(RNCP.LegalPublication)
        yield node, P["publicationText"], fr(ref.text)
        yield node, P["publicationKind"], string(ref.kind)
        if ref.date:
            yield node, P["publicationDate"], xsd_date(ref.date)


def statistics_triples(c: str, f: Fiche) -> Iterator[Triple]:
    for row in f.statistics:
        node = f"<{iris.statistics(f.number, row.year)}>"
        yield c, P["statistics"], node
        yield node, A, term_iri(RNCP.AnnualStatistics)
        yield node, P["year"], integer(row.year)
        yield from _stat_values(node, row)


def _stat_values(node: str, row: Statistic) -> Iterator[Triple]:
    for attr, prop in STAT_FIELDS.items():
        value = getattr(row, attr)
        if value is not None:
            yield node, prop, integer(value)
