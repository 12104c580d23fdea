"""JSON-LD export with a published, local ``@context``: ``rncp.jsonld`` + ``context.jsonld``.

The data file refers to its context by a relative name (``"@context": "context.jsonld"``),
never by a remote URL, so a consumer needs no network (rdflib fetches remote contexts
unconditionally, see ``reliability.md`` §2.1). The context holds the project's prefixes only;
nodes use compact IRIs (``rncp:title``) and explicit value objects (``{"@value", "@language"}``
or ``{"@value", "@type"}``), so expansion gives back exactly the triples of the graph.

The document is written node by node from the canonical (sorted) N-Triples, parsed by
pyoxigraph: no rdflib serialiser, memory bounded by one node, byte-identical reruns.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib.namespace import RDF

from ..namespaces import PREFIXES
from ..store import GraphStore
from .atomic import write_bytes, write_with
from .canonical import CanonicalLines, lines_of

log = logging.getLogger(__name__)

CONTEXT_NAME = "context.jsonld"
_RDF_TYPE = str(RDF.type)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Longest namespaces first, so ``rncpid:`` never shadows a longer match.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: (-len(item[1]), item[0]))


def context_document() -> dict[str, Any]:
    """The ``@context`` published next to the data: the project's prefixes, sorted."""
    return {"@context": {prefix: iri for prefix, iri in sorted(PREFIXES.items())}}


def compact(iri: str) -> str:
    """``prefix:local`` when a project namespace matches and the result is unambiguous, else ``iri``.

    A local part starting with ``//`` would be read back as an absolute IRI, so it is kept whole.
    """
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and not iri[len(namespace) :].startswith("//"):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _node_id(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"RDF-star triple terms cannot be written as JSON-LD 1.1: {term}")


def _value(term: Any) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value != _XSD_STRING:
            return {"@value": term.value, "@type": compact(term.datatype.value)}
        return {"@value": term.value}
    return {"@id": _node_id(term)}


def nodes(triples: Iterable[ox.Triple]) -> Iterator[dict[str, Any]]:
    """Node objects from triples sorted by subject (consecutive triples of one subject form a node)."""
    current: dict[str, Any] | None = None
    for triple in triples:
        subject = _node_id(triple.subject)
        if current is None or current["@id"] != subject:
            if current is not None:
                yield current
            current = {"@id": subject}
        if triple.predicate.value == _RDF_TYPE and not isinstance(triple.object, ox.Literal):
            current.setdefault("@type", []).append(_node_id(triple.object))
        else:
            current.setdefault(compact(triple.predicate.value), []).append(_value(triple.object))
    if current is not None:
        yield current


def _dump(node: dict[str, Any]) -> bytes:
    return json.dumps(node, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_document(lines: list[bytes], handle: IO[bytes], chunk: int = 50_000) -> None:
    """Write ``{"@context": "context.jsonld", "@graph": [...]}`` from sorted N-Triples lines."""

    def triples() -> Iterator[ox.Triple]:
        for start in range(0, len(lines), chunk):
            data = b"\n".join(lines[start : start + chunk]) + b"\n"
            yield from ox.parse(input=data, format=ox.RdfFormat.N_TRIPLES)

    handle.write(b'{"@context":"' + CONTEXT_NAME.encode() + b'","@graph":[\n')
    for index, node in enumerate(nodes(triples())):
        handle.write((b",\n" if index else b"") + _dump(node))
    handle.write(b"\n]}\n")


def write_context(dest: Path) -> None:
    """Write the context file atomically (pretty-printed: people read it)."""
    text = json.dumps(context_document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_bytes(dest, text.encode("utf-8"))


def write_jsonld(source: GraphStore | CanonicalLines, dest: Path) -> int:
    """The merged view as JSON-LD at ``dest``, with ``context.jsonld`` beside it; returns the triple count."""
    lines = lines_of(source).as_bytes()
    write_context(dest.parent / CONTEXT_NAME)
    write_with(dest, lambda handle: write_document(lines, handle))
    log.info("wrote %s (%d triples) and %s", dest.name, len(lines), CONTEXT_NAME)
    return len(lines)
