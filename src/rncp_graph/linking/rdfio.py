"""Writing the linking stage's triples: Turtle files (atomic), named graphs of a store, rdflib graphs.

Triples are the mapper's N-Triples-encoded tuples (:mod:`rncp_graph.terms`); Turtle is
written by pyoxigraph (never rdflib's Python serialiser) through a temp file and
``os.replace``, so a failed write leaves the previous file as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SKOS

from ..exports.atomic import write_with
from ..namespaces import PREFIXES
from ..store import GraphStore
from ..terms import Triple, line, lines_to_bytes

log = logging.getLogger(__name__)

#: Prefixes the linking outputs use on top of the project's own.
EXTRA_PREFIXES: dict[str, str] = {
    "esco": "http://data.europa.eu/esco/",
    "adms": "http://www.w3.org/ns/adms#",
    "rov": "http://www.w3.org/ns/regorg#",
    "locn": "http://www.w3.org/ns/locn#",
    "isced": "http://data.europa.eu/snb/isced-f/",
    "country": "http://publications.europa.eu/resource/authority/country/",
    "semapv": "https://w3id.org/semapv/vocab/",
}


def canonical_lines(triples: Iterable[Triple]) -> list[str]:
    """Sorted, deduplicated N-Triples lines."""
    return sorted({line(t) for t in triples})


def to_oxigraph(triples: Iterable[Triple]) -> ox.Store:
    store = ox.Store()
    store.load(input=lines_to_bytes(canonical_lines(triples)), format=ox.RdfFormat.N_TRIPLES)
    return store


def write_turtle(triples: Iterable[Triple], dest: Path) -> int:
    """Write ``triples`` as Turtle with the project's prefixes; returns the number of triples."""
    store = to_oxigraph(triples)
    prefixes = {**PREFIXES, **EXTRA_PREFIXES}

    def writer(handle: IO[bytes]) -> None:
        store.dump(handle, format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)

    write_with(dest, writer)
    log.info("wrote %d triples to %s", len(store), dest)
    return len(store)


def load_graph(store: GraphStore, graph: str, triples: Iterable[Triple], chunk_size: int = 50_000) -> int:
    """Replace the named graph ``graph`` of ``store`` by ``triples``; returns the number loaded."""
    lines = canonical_lines(triples)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(lines), chunk_size):
            yield lines_to_bytes(lines[start : start + chunk_size])

    store.replace_graph(graph, chunks())
    store.flush()
    log.info("loaded %d triples into <%s>", len(lines), graph)
    return len(lines)


def to_rdflib(triples: Iterable[Triple]) -> rdflib.Graph:
    """A plain rdflib graph of ``triples`` (small graphs only: pyshacl, tests)."""
    graph = rdflib.Graph()
    for prefix, iri in {**PREFIXES, **EXTRA_PREFIXES}.items():
        graph.bind(prefix, iri, override=True, replace=True)
    graph.parse(data="\n".join(canonical_lines(triples)) + "\n", format="nt")
    return graph


def notations_in_store(store: GraphStore, prop: str) -> list[str]:
    """Distinct ``skos:notation`` of the concepts that certifications point to with ``prop``."""
    query = "SELECT DISTINCT ?n ?prop WHERE { ?c ?prop ?concept . ?concept skos:notation ?n }"
    rows = store.select(query, {"prop": ox.NamedNode(prop)})
    return sorted(r["n"].value for r in rows if r["n"] is not None)


_LABEL_CLASHES = """
SELECT ?g ?c ?label ?vocab WHERE {
  GRAPH ?vocab { ?c skos:prefLabel ?official }
  GRAPH ?g { ?c skos:prefLabel ?label }
  FILTER(?g != ?vocab && LANG(?label) = LANG(?official) && ?label != ?official)
}"""


def prefer_vocabulary_labels(store: GraphStore, vocab_graph: str) -> int:
    """Where another graph gives a concept of ``vocab_graph`` a ``skos:prefLabel`` in the same
    language as the vocabulary's but different (a fiche's ROME v3 label, "Intervention
    socioéducative", against ROME 4.0's "Educateur spécialisé / Educatrice spécialisée"), make
    that other label a ``skos:altLabel`` in its own graph: the official referential's label
    stays the one preferred label (SKOS S14), the fiche's label is kept. Returns how many
    concepts had such a label (a label repeated by several source graphs is moved in each).
    """
    rows = store.select(_LABEL_CLASHES, {"vocab": ox.NamedNode(vocab_graph)})
    pref, alt = ox.NamedNode(str(SKOS.prefLabel)), ox.NamedNode(str(SKOS.altLabel))
    clashes = [
        (c, label, g)
        for c, label, g in ((r["c"], r["label"], r["g"]) for r in rows)
        if isinstance(c, ox.NamedNode) and isinstance(label, ox.Literal) and isinstance(g, ox.NamedNode)
    ]
    store.remove_quads(ox.Quad(c, pref, label, g) for c, label, g in clashes)
    store.add_quads(ox.Quad(c, alt, label, g) for c, label, g in clashes)
    concepts = len({c for c, _, _ in clashes})
    if clashes:
        store.flush()
        log.info("%d concepts: %d preferred labels of other graphs made skos:altLabel", concepts, len(clashes))
    return concepts
