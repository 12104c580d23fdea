"""Every data IRI is minted here: deterministic, from identifiers in the data, validated.

Layout (all under :data:`~rncp_graph.namespaces.DATA_BASE`)::

    certification/RNCP34808                      a certification (RNCP or RS)
    certification/RNCP34808/access/vae           what the fiche says about one access route
    certification/RNCP34808/statistics/2018      one row of the statistics table
    certification/RNCP34808/correspondence/RNCP2514[/RNCP34808BC06--RNCP2514BC04]
    certification/RNCP34808/publication/<hash>   a JO / BO reference
    certification/RNCP34808/certifier/33196441100036[/change/2023-04-01-withdrawn]
                                                 a certifier's state and history on this fiche
    block/RNCP34808BC01                          a competency block
    competency/<hash>  activity/<hash>           by a hash of the normalised text (shared nodes)
    organisation/siret/33196441100036            a certifier or partner by SIRET
    organisation/name/<hash>                     ... by name when no SIRET is given
    rome/K1403  nsf/332p  formacode/44047  level/6
    diploma-type/BTS  diploma-type/BAC-PRO       by the code of the official exports (see code_key)
    collective-agreement/3117                    by the Journal officiel brochure number (not an IDCC)
    access-route/vae  status/active  correspondence-nature/partial  correspondence-kind/rncp
    scheme/rome  scheme/nsf  scheme/formacode  scheme/level  scheme/access-route
    scheme/diploma-type  scheme/collective-agreement ...
    graph/source/<sha256-16>  graph/schemes      named graphs

An identifier that would give an invalid IRI raises :class:`~rncp_graph.errors.InvalidIRI`
before anything is written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from functools import lru_cache

import pyoxigraph as ox

from .errors import InvalidIRI
from .namespaces import DATA_BASE

# Characters RFC 3987 / N-Triples forbid in an IRI, and anything we never want in a path segment.
_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\u00a0\u202f]')
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
_WS = re.compile(r"\s+")
_NOT_IN_SEGMENT = re.compile(r"[^A-Za-z0-9._~-]+")


def validate_iri(iri: str) -> str:
    """Return ``iri`` if it is an absolute IRI that N-Triples and Oxigraph accept, else raise."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri) or _FORBIDDEN.search(iri):
        raise InvalidIRI("invalid IRI", value=iri)
    try:  # RFC 3987 in full (e.g. no noncharacters such as U+FFF0), as the store will check it
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InvalidIRI(f"invalid IRI: {exc}", value=iri) from None
    return iri


def _segment(value: str, what: str) -> str:
    if not _SEGMENT.match(value):
        raise InvalidIRI(f"identifier cannot be used in an IRI ({what})", value=value)
    return value


@lru_cache(maxsize=65536)
def mint(*segments: str) -> str:
    """``DATA_BASE`` + validated path segments joined by ``/``."""
    return validate_iri(DATA_BASE + "/".join(_segment(s, segments[0]) for s in segments))


def text_key(text: str) -> str:
    """The normalised form of a sentence used for its identity (NFC, single spaces, no end punctuation)."""
    s = _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return s.rstrip(" .;,").strip()


@lru_cache(maxsize=65536)  # a competency text is hashed for its node and for every block listing it
def text_hash(text: str) -> str:
    return hashlib.sha256(text_key(text).encode("utf-8")).hexdigest()[:20]


def code_key(code: str) -> str:
    """A code that may hold spaces or accents as an IRI segment, deterministically.

    Accents are dropped and every run of other characters becomes one ``-``, case kept:
    ``BAC PRO`` → ``BAC-PRO``, ``Titre ingénieur`` → ``Titre-ingenieur``, ``3117`` → ``3117``.
    A code with nothing left (only punctuation) is keyed by the hash of its text.
    """
    ascii_text = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii")
    key = _NOT_IN_SEGMENT.sub("-", ascii_text).strip("-")
    return key or text_hash(code)


def certification(number: str) -> str:
    return mint("certification", number)


def access_modality(number: str, route: str) -> str:
    return mint("certification", number, "access", route)


def statistics(number: str, year: int) -> str:
    return mint("certification", number, "statistics", str(year))


def correspondence(
    number: str, target: str, source_block: str | None = None, target_blocks: tuple[str, ...] = ()
) -> str:
    """``…/correspondence/RNCP2514``, or with blocks ``…/RNCP2514/RNCP34808BC01--RNCP2514BC03``;
    several target blocks (all needed together) are joined by ``.``: ``…--RNCP2514BC03.RNCP2514BC04``."""
    if source_block or target_blocks:
        pair = f"{source_block or 'all'}--{'.'.join(target_blocks) or 'all'}"
        return mint("certification", number, "correspondence", target, pair)
    return mint("certification", number, "correspondence", target)


def _organisation_key(siret: str | None, name: str) -> str:
    """The SIRET, or ``name-<hash>`` of the legal name (as :func:`organisation` keys an organisation)."""
    return siret if siret and re.fullmatch(r"\d{14}", siret) else f"name-{text_hash(name.casefold())}"


def certifier_role(number: str, siret: str | None, name: str) -> str:
    """What fiche ``number`` says of one certifier (its state, its changes): one node per fiche and organisation."""
    return mint("certification", number, "certifier", _organisation_key(siret, name))


def certifier_change(number: str, siret: str | None, name: str, action: str, day: date | None) -> str:
    """One row of a fiche's certifier history: ``…/certifier/<siret>/change/2023-04-01-withdrawn``."""
    when = day.isoformat() if day else "undated"
    return mint("certification", number, "certifier", _organisation_key(siret, name), "change", f"{when}-{action}")


def publication(number: str, text: str) -> str:
    return mint("certification", number, "publication", text_hash(text))


def block(code: str) -> str:
    return mint("block", code)


def competency(text: str) -> str:
    return mint("competency", text_hash(text))


def activity(text: str) -> str:
    return mint("activity", text_hash(text))


def organisation(siret: str | None, name: str) -> str:
    if siret and re.fullmatch(r"\d{14}", siret):
        return mint("organisation", "siret", siret)
    return mint("organisation", "name", text_hash(name.casefold()))


def rome(code: str) -> str:
    return mint("rome", code)


def nsf(code: str) -> str:
    return mint("nsf", code)


def formacode(code: str) -> str:
    return mint("formacode", code)


def diploma_type(code: str) -> str:
    """A diploma type (``ABREGE`` code of the official exports: ``BTS``, ``BAC PRO``...)."""
    return mint("diploma-type", code_key(code))


def collective_agreement(number: str) -> str:
    """A collective agreement by its Journal officiel brochure number (``CCN_n/NUMERO``)."""
    return mint("collective-agreement", code_key(number))


def level(n: int) -> str:
    return mint("level", str(n))


def access_route(key: str) -> str:
    return mint("access-route", key)


def status(key: str) -> str:
    return mint("status", key)


def correspondence_nature(key: str) -> str:
    return mint("correspondence-nature", key)


def correspondence_kind(key: str) -> str:
    return mint("correspondence-kind", key)


def scheme(name: str) -> str:
    return mint("scheme", name)


def source_graph(sha256: str) -> str:
    return mint("graph", "source", sha256[:16])


#: Every source graph's IRI starts with this (:func:`source_graph`).
SOURCE_GRAPH_PREFIX = DATA_BASE + "graph/source/"


SCHEMES_GRAPH = DATA_BASE + "graph/schemes"
