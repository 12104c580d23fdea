"""The project's SHACL shapes: loading, scopes, the as-of date, and a fingerprint for the cache.

Shapes live in ``shapes/*.ttl`` (core = violations, recommended = warnings, ranges = datatypes).
Each node shape has a scope (``rncpsh:scope``): none (evaluated with every fiche),
``rncpsh:Vocabulary`` (the fixed schemes: evaluated once, on what no fiche owns) or
``rncpsh:CrossFiche`` (needs several fiches: evaluated once over the whole store, as SPARQL).
Shapes are always parsed from our own files into rdflib graphs: nothing is fetched.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SH, XSD

from ..__about__ import __version__
from ..errors import ValidationFailure
from ..namespaces import RNCPSH
from ..resources import project_dir

log = logging.getLogger(__name__)

SHAPE_FILES = ("core.ttl", "recommended.ttl", "ranges.ttl")
SCOPE = RNCPSH.scope
VOCABULARY = RNCPSH.Vocabulary
SHARED_NODE = RNCPSH.SharedNode
CROSS_FICHE = RNCPSH.CrossFiche
#: Which scopes each kind of unit leaves out ("whole": the whole graph, for reference runs).
EXCLUDED_SCOPES: dict[str, tuple[rdflib.URIRef, ...]] = {
    "fiche": (CROSS_FICHE, SHARED_NODE, VOCABULARY),
    "local": (CROSS_FICHE,),
    "whole": (),
}
AS_OF = RNCPSH.asOf
#: Bumped when the cached result format or the unit extraction changes.
CACHE_FORMAT = "1"


def shapes_dir() -> Path:
    return project_dir("shapes")


def shape_files(folder: Path | None = None) -> list[Path]:
    """The shape files, in a fixed order.

    :raises ValidationFailure: when one is missing.
    """
    base = folder or shapes_dir()
    files = [base / name for name in SHAPE_FILES]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise ValidationFailure("shape file missing", file=", ".join(missing))
    return files


@lru_cache(maxsize=4)
def _parsed(folder: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in shape_files(Path(folder)):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds of syntax errors
            raise ValidationFailure(f"shape file does not parse: {exc}", file=str(path)) from exc
    if any(True for _ in graph.triples((None, rdflib.OWL.imports, None))):
        raise ValidationFailure("shapes must not use owl:imports", file=folder)
    log.debug("parsed %d shape triples from %s", len(graph), folder)
    return graph


def load_shapes(as_of: date, *, exclude: Iterable[rdflib.URIRef] = (), folder: Path | None = None) -> rdflib.Graph:
    """A fresh rdflib graph of all the shapes, with ``rncpsh:asOf`` set to ``as_of``.

    The graph uses rdflib's context-free ``SimpleMemory`` store: pyshacl reads the shapes
    graph for every focus node, and this store answers faster than the default one.

    :param as_of: the date "today" is taken to be (expired registrations).
    :param exclude: scopes whose node shapes are left out (see :data:`EXCLUDED_SCOPES`).
    :param folder: another shapes folder (tests); default: the project's ``shapes/``.
    """
    graph = rdflib.Graph(store="SimpleMemory")
    for prefix, namespace in _parsed(str(folder or shapes_dir())).namespaces():
        graph.bind(prefix, namespace)
    for triple in _parsed(str(folder or shapes_dir())):
        graph.add(triple)
    for shape in list(graph.subjects(AS_OF, None)):
        graph.set((shape, AS_OF, rdflib.Literal(as_of.isoformat(), datatype=XSD.date)))
    for scope in exclude:
        for shape in list(graph.subjects(SCOPE, scope)):
            graph.remove((shape, None, None))  # no target and no link left: never applied
    return graph


TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def direct_targets(graph: rdflib.Graph) -> rdflib.Graph:
    """The same shapes with each node shape's targets moved onto its property shapes.

    A property shape linked by ``sh:property`` from a node shape is validated on the node
    shape's focus nodes; giving it those targets itself is the same validation (same focus
    nodes, same results, same ``sh:sourceShape``) but pyshacl then evaluates it once for all
    focus nodes instead of once per focus node: about twice as fast. Only for node shapes
    whose sole role is targets plus ``sh:property`` links; the files keep the readable form.
    """
    for node in list(graph.subjects(RDF.type, SH.NodeShape)):
        targets = [(p, o) for p in TARGETS for o in graph.objects(node, p)]
        if not targets:
            continue
        for prop in list(graph.objects(node, SH.property)):
            for p, o in targets:
                graph.add((prop, p, o))
            graph.remove((node, SH.property, prop))
    return graph


def fingerprint(folder: Path | None = None) -> str:
    """A hash of everything a cached result depends on besides the data: shapes and engines."""
    import pyshacl

    digest = hashlib.sha256()
    for path in shape_files(folder):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for part in (pyshacl.__version__, rdflib.__version__, __version__, CACHE_FORMAT):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def rule_names(graph: rdflib.Graph) -> dict[str, tuple[str, str]]:
    """Shape IRI → (French name, English name), from ``sh:name`` or ``rdfs:label``."""
    names: dict[str, tuple[str, str]] = {}
    for shape in set(graph.subjects(RDF.type, SH.PropertyShape)) | set(graph.subjects(RDF.type, SH.NodeShape)):
        labels = list(graph.objects(shape, SH.name)) + list(graph.objects(shape, rdflib.RDFS.label))
        by_lang = {getattr(lit, "language", None): str(lit) for lit in labels}
        names[str(shape)] = (by_lang.get("fr", ""), by_lang.get("en", ""))
    return names


def meta_validate(graph: rdflib.Graph) -> tuple[bool, str]:
    """Validate ``graph`` against the SHACL-SHACL shapes (pyshacl ``meta_shacl``)."""
    from pyshacl.entrypoints import meta_validate as _meta

    copy = rdflib.Graph()  # pyshacl validates the shapes as a data graph: it needs a context-aware store
    for triple in graph:
        copy.add(triple)
    conforms, _, text = _meta(copy, inference="none")
    return bool(conforms), str(text)
