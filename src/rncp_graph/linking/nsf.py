"""The NSF nomenclature (Nomenclature des spécialités de formation, Article D311-4) as SKOS.

Two CSV files (``;``-separated) are read from one folder:

* ``nsf_nomenclature_*.csv`` (``code;libelle;niveau;parent``): the 4 broad domains (``3``),
  17 domains (``33``) and 93 groups (``332``);
* ``nsf_letter_codes_*.csv`` (``lettre;libelle;type``): the letters that complete a group
  into a specialty — field of application ``a``–``g``, function ``m``–``w``, personal
  development ``z``.

A specialty (``332p``) is a group plus a letter: ``skos:broader`` its group, and linked
(:data:`LETTER_LINK`) to the letter concept, a scheme of its own, so "every specialty whose
function is *organisation, gestion*" is one triple pattern. Specialty concepts are made for
the codes asked for (the codes fiches use): D311-4 defines the combination rule, not a list.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.namespace import RDF, SKOS

from .. import iris
from ..errors import StructuralError
from ..namespaces import RNCP
from ..terms import Triple, fr, string, term_iri
from . import iris_vocab

log = logging.getLogger(__name__)

A, CONCEPT, SCHEME = term_iri(RDF.type), term_iri(SKOS.Concept), term_iri(SKOS.ConceptScheme)
IN_SCHEME, NOTATION, PREF = term_iri(SKOS.inScheme), term_iri(SKOS.notation), term_iri(SKOS.prefLabel)
BROADER, TOP = term_iri(SKOS.broader), term_iri(SKOS.topConceptOf)
#: specialty → its letter: an associative link between two schemes (a dedicated
#: sub-property belongs in the ontology; asked for, see docs/linking.md).
LETTER_LINK = term_iri(SKOS.related)
#: letter type in the CSV → label of the facet
FACETS = {
    "champ_application": ("champ d'application", "field of application"),
    "fonction": ("fonction", "function"),
    "developpement_personnel": ("développement personnel", "personal development"),
}
_SPECIALTY = re.compile(r"^(\d{3})([a-z])$")


@dataclass(frozen=True)
class NsfEntry:
    """A domain, group or letter of the nomenclature."""

    code: str
    label: str
    level: str
    parent: str | None = None


@dataclass
class NsfVocabulary:
    entries: dict[str, NsfEntry] = field(default_factory=dict)
    letters: dict[str, NsfEntry] = field(default_factory=dict)


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise StructuralError(f"no {pattern} in this folder", file=str(folder))
    return found[-1]


def _rows(path: Path, required: set[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise StructuralError(f"unexpected header (missing {', '.join(sorted(missing))})", file=str(path))
        return list(reader)


def label(text: str) -> str:
    """A label without the full stop that ends each item of the legal text's enumeration."""
    return text.strip().removesuffix(".").strip()


def read_nsf(folder: Path) -> NsfVocabulary:
    """Read the nomenclature and the letter codes from ``folder``."""
    vocab = NsfVocabulary()
    for row in _rows(_one(folder, "nsf_nomenclature_*.csv"), {"code", "libelle", "niveau", "parent"}):
        vocab.entries[row["code"]] = NsfEntry(row["code"], label(row["libelle"]), row["niveau"], row["parent"] or None)
    for row in _rows(_one(folder, "nsf_letter_codes_*.csv"), {"lettre", "libelle", "type"}):
        vocab.letters[row["lettre"]] = NsfEntry(row["lettre"], label(row["libelle"]), row["type"])
    log.info("NSF: %d domains and groups, %d letters", len(vocab.entries), len(vocab.letters))
    return vocab


def split_specialty(code: str, vocab: NsfVocabulary) -> tuple[NsfEntry, NsfEntry] | None:
    """``332p`` → (group 332, letter p), or ``None`` when either part is unknown."""
    m = _SPECIALTY.match(code)
    if not m or m.group(1) not in vocab.entries or m.group(2) not in vocab.letters:
        return None
    return vocab.entries[m.group(1)], vocab.letters[m.group(2)]


def unknown_codes(codes: Iterable[str], vocab: NsfVocabulary) -> list[str]:
    """Codes that are neither an entry of the nomenclature nor a group plus a known letter."""
    return sorted({c for c in codes if c not in vocab.entries and split_specialty(c, vocab) is None})


def nsf_triples(vocab: NsfVocabulary, specialties: Iterable[str] = ()) -> Iterator[Triple]:
    """The NSF hierarchy, the letter scheme, and a concept for each specialty code given."""
    scheme = f"<{iris.scheme('nsf')}>"
    yield scheme, A, SCHEME
    for entry in vocab.entries.values():
        node = f"<{iris.nsf(entry.code)}>"
        yield from _concept(node, scheme, entry.code, entry.label, term_iri(RNCP.NsfCode))
        if entry.parent:
            yield node, BROADER, f"<{iris.nsf(entry.parent)}>"
        else:
            yield node, TOP, scheme
    yield from letter_triples(vocab)
    for code in sorted(set(specialties) - set(vocab.entries)):
        yield from specialty_triples(code, vocab, scheme)


def letter_triples(vocab: NsfVocabulary) -> Iterator[Triple]:
    """The letters as concepts of the ``nsf-letter`` scheme, under one concept per facet."""
    scheme = f"<{iris.scheme('nsf-letter')}>"
    yield scheme, A, SCHEME
    yield scheme, PREF, fr("Lettres des spécialités NSF (champ d'application, fonction)")
    yield scheme, PREF, '"NSF specialty letters (field of application, function)"@en'
    for kind, (label_fr, label_en) in FACETS.items():
        facet = f"<{iris_vocab.nsf_letter(kind.replace('_', '-'))}>"
        yield from _concept(facet, scheme, kind, label_fr)
        yield facet, PREF, f'"{label_en}"@en'
        yield facet, TOP, scheme
    for letter in vocab.letters.values():
        node = f"<{iris_vocab.nsf_letter(letter.code)}>"
        yield from _concept(node, scheme, letter.code, letter.label)
        if letter.level in FACETS:
            yield node, BROADER, f"<{iris_vocab.nsf_letter(letter.level.replace('_', '-'))}>"


def specialty_triples(code: str, vocab: NsfVocabulary, scheme: str) -> Iterator[Triple]:
    """``332p``: broader ``332``, linked to letter ``p``; label composed as D311-4 defines it."""
    parts = split_specialty(code, vocab)
    if parts is None:
        log.warning("NSF code %r is not a group plus a known letter; left out", code)
        return
    group, letter = parts
    node = f"<{iris.nsf(code)}>"
    composed = f"{group.label} ({letter.label[:1].lower()}{letter.label[1:]})"
    yield from _concept(node, scheme, code, composed, term_iri(RNCP.NsfCode))
    yield node, BROADER, f"<{iris.nsf(group.code)}>"
    yield node, LETTER_LINK, f"<{iris_vocab.nsf_letter(letter.code)}>"


def _concept(node: str, scheme: str, notation: str, text: str, cls: str | None = None) -> Iterator[Triple]:
    yield node, A, CONCEPT
    if cls is not None:
        yield node, A, cls
    yield node, IN_SCHEME, scheme
    yield node, NOTATION, string(notation)
    yield node, PREF, fr(text)
