"""Triples for the controlled vocabularies a fiche points to (ROME, NSF, Formacode, levels...).

ROME, NSF and Formacode codes become ``skos:Concept`` in one scheme each, with the label the
source gives and the hierarchy read from the code itself (ROME ``K1403`` → ``K14`` → ``K``;
NSF ``332p`` → ``332`` → ``33`` → ``3``). The diploma types (``BTS``) and collective agreements
(brochure ``3117``) of the official exports are flat schemes: each concept is a top concept.
Levels, access routes and statuses live in the fixed schemes of ``ontology/schemes`` and are
only pointed to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rdflib.namespace import RDF, SKOS

from .. import iris
from ..model import Code
from ..namespaces import RNCP
from ..terms import Triple, fr, string, term_iri
from .parts import Described

A = term_iri(RDF.type)
CONCEPT = term_iri(SKOS.Concept)
IN_SCHEME = term_iri(SKOS.inScheme)
NOTATION = term_iri(SKOS.notation)
PREF_LABEL = term_iri(SKOS.prefLabel)
BROADER = term_iri(SKOS.broader)
TOP_CONCEPT_OF = term_iri(SKOS.topConceptOf)


def rome_parents(code: str) -> list[str]:
    """``K1403`` → ``["K14", "K"]`` (ROME field then domain); ``K14`` → ``["K"]``; ``K`` → ``[]``.

    ROME v3's groupings of the industry domain, ``H1`` and ``H2``, are under ``H``; which fields
    they group cannot be read from the codes (``H2`` holds ``H21``…``H34``), so none is put under them.
    """
    return {5: [code[:3], code[:1]], 3: [code[:1]], 2: [code[:1]]}.get(len(code), [])


def nsf_parents(code: str) -> list[str]:
    """Every level above ``code``: ``332p`` → ``["332", "33", "3"]``; ``332`` → ``["33", "3"]``;
    ``33`` → ``["3"]``; ``3`` → ``[]`` (a general domain is a top concept)."""
    return [code[:n] for n in (3, 2, 1) if n < len(code)]


def no_parents(code: str) -> list[str]:
    return []


#: code list → (class, scheme name, IRI minter, hierarchy from the code)
CODE_LISTS: dict[str, tuple[str, str, Callable[[str], str], Callable[[str], list[str]]]] = {
    "rome": (term_iri(RNCP.RomeCode), "rome", iris.rome, rome_parents),
    "nsf": (term_iri(RNCP.NsfCode), "nsf", iris.nsf, nsf_parents),
    "formacode": (term_iri(RNCP.Formacode), "formacode", iris.formacode, no_parents),
    "diploma-type": (term_iri(RNCP.DiplomaType), "diploma-type", iris.diploma_type, no_parents),
    "collective-agreement": (
        term_iri(RNCP.CollectiveAgreement),
        "collective-agreement",
        iris.collective_agreement,
        no_parents,
    ),
}


def code_iri(kind: str, code: str) -> str:
    """The IRI of ``code`` in the code list ``kind`` (a key of :data:`CODE_LISTS`)."""
    return CODE_LISTS[kind][2](code)


def concept_triples(kind: str, item: Code, described: Described | None = None) -> Iterator[Triple]:
    """The concept for ``item`` (with its label) and its broader concepts, up to the top of
    the scheme.

    :param described: the chains already described (updated here): ``(kind, codes)``, the codes
        from one concept up to the top. The chain stops where the rest of it was described (NSF
        ``33`` → ``3`` is described once, not once per code under ``33``, nor again for a fiche
        coded ``33`` itself). Keyed by the whole rest of the chain, not by the code.
    """
    cls, scheme_name, mint, parents = CODE_LISTS[kind]
    scheme = f"<{iris.scheme(scheme_name)}>"
    described = set() if described is None else described
    if item.label:
        yield f"<{mint(item.code)}>", PREF_LABEL, fr(item.label)
    codes = (item.code, *parents(item.code))
    for i, (code, broader) in enumerate(zip(codes, [*codes[1:], None], strict=True)):
        if (kind, codes[i:]) in described:
            return
        described.add((kind, codes[i:]))
        node = f"<{mint(code)}>"
        yield from _concept(node, cls, scheme, code)
        yield (node, BROADER, f"<{mint(broader)}>") if broader is not None else (node, TOP_CONCEPT_OF, scheme)


def _concept(node: str, cls: str, scheme: str, notation: str) -> Iterator[Triple]:
    yield node, A, CONCEPT
    yield node, A, cls
    yield node, IN_SCHEME, scheme
    yield node, NOTATION, string(notation)
