"""HTML documentation of the ontology, generated with pyLODE (``pip install rncp-graph[docs]``).

Two pages, one per language (``ontology.fr.html``, ``ontology.en.html``): pyLODE shows every
label it finds, so a bilingual ontology would read "CertificationCertification"; each page is
made from a copy of the ontology that keeps only the literals of its language (and untagged
ones). pyLODE needs no network (its background ontologies ship with it).

Two things are fixed after pyLODE so reruns are byte-identical: the members of an
``owl:unionOf`` domain or range come out of a Python ``set`` in arbitrary order (they are
sorted), and importing pyLODE would configure the root logger at DEBUG (prevented).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import OWL, RDF

from ..errors import RNCPGraphError
from .atomic import write_bytes

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
#: the kinds of terms a page must document
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)

_MEMBER = r"<span>\s*<a [^>]*>[^<]*</a>(?:\s*<sup [^>]*>[^<]*</sup>)?\s*</span>"
_SEPARATOR = r'\s*<span class="cardinality">(?:or|and)</span>\s*'
_RUN = re.compile(f"{_MEMBER}(?:{_SEPARATOR}{_MEMBER})+")


class DocsError(RNCPGraphError):
    """pyLODE is not installed (``pip install rncp-graph[docs]``) or cannot document the ontology."""


def _ontpub() -> Any:
    """pyLODE's ``OntPub``, imported without letting it configure the root logger."""
    root = logging.getLogger()
    guard = logging.NullHandler() if not root.handlers else None
    if guard is not None:
        root.addHandler(guard)  # makes the logging.basicConfig() pyLODE calls at import a no-op
    try:
        ontpub = importlib.import_module("pylode").OntPub
    except ImportError as exc:
        raise DocsError("pyLODE is not installed: pip install 'rncp-graph[docs]'") from exc
    finally:
        if guard is not None:
            root.removeHandler(guard)
    return ontpub


def single_language(graph: rdflib.Graph, lang: str) -> rdflib.Graph:
    """A copy of ``graph`` without the language-tagged literals of other languages."""
    kept = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        kept.bind(prefix, namespace)
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.language and o.language.lower() != lang:
            continue
        kept.add((s, p, o))
    return kept


def stable_html(html: str) -> str:
    """Sort the members of union / intersection class lists, which pyLODE emits in set order."""

    def sort_run(match: re.Match[str]) -> str:
        text = match.group(0)
        members: list[str] = sorted(re.findall(_MEMBER, text))
        separators: list[str] = re.split(_MEMBER, text)[1:-1]
        return members[0] + "".join(sep + member for sep, member in zip(separators, members[1:], strict=True))

    return _RUN.sub(sort_run, html)


def render(ontology: rdflib.Graph, lang: str) -> str:
    """The pyLODE page of ``ontology`` in ``lang``."""
    ontpub = _ontpub()
    try:
        html = str(ontpub(ontology=single_language(ontology, lang), sort_subjects=True).make_html())
    except Exception as exc:  # pyLODE raises bare exceptions on ontologies it cannot read
        raise DocsError(f"pyLODE cannot document the ontology: {exc}") from exc
    return stable_html(html)


def documented_terms(ontology: rdflib.Graph, namespace: str) -> list[str]:
    """The IRIs of every class and property of ``namespace`` the ontology declares (what a page must list)."""
    terms = {str(s) for t in TERM_TYPES for s in ontology.subjects(RDF.type, t) if str(s).startswith(namespace)}
    return sorted(terms)


def write_docs(ontology_files: Iterable[Path], out: Path) -> list[Path]:
    """Write ``ontology.<lang>.html`` for each language into ``out``; returns the paths written."""
    graph = rdflib.Graph()
    for path in ontology_files:
        graph.parse(path, format="turtle")
    written = []
    for lang in LANGUAGES:
        dest = out / f"ontology.{lang}.html"
        write_bytes(dest, render(graph, lang).encode("utf-8"))
        log.info("wrote %s", dest)
        written.append(dest)
    return written
