"""The ROME 4.0 referential (France Travail) as SKOS.

Reads the official ``unix_*_<release>_utf8.csv`` files of one folder:

====================================  ==============================================================
``referentiel_code_rome``             codes, official labels, the ROME 4.0 parent fiche
``referentiel_appellation``           appellations → ``skos:altLabel``
``texte`` (``definition``)            → ``skos:definition``
``rubrique_mobilite``                 mobility → ``rncp:mobilityTarget`` (and ``skos:related``, see :data:`RELATIONS`)
``referentiel_competence``            competences (savoir-faire) and macro-competences, own scheme
``referentiel_savoir``                savoirs (knowledge), own scheme
``coherence_item`` (optional)         which competences and savoirs a code calls on
====================================  ==============================================================

ROME codes keep the fiche graph's IRIs (``rome/K1403``) so the two meet. Competences and
savoirs get IRIs of their own from their OGR codes (:mod:`.iris_vocab`).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.namespace import OWL, RDF, SKOS

from .. import iris
from ..errors import StructuralError
from ..mapping.codes import rome_parents
from ..namespaces import RNCP
from ..normalise import text as clean
from ..terms import Triple, fr, string, term_iri
from . import iris_vocab

log = logging.getLogger(__name__)

A, CONCEPT, SCHEME = term_iri(RDF.type), term_iri(SKOS.Concept), term_iri(SKOS.ConceptScheme)
IN_SCHEME, NOTATION, PREF, ALT = (term_iri(p) for p in (SKOS.inScheme, SKOS.notation, SKOS.prefLabel, SKOS.altLabel))
BROADER, TOP, DEFINITION = term_iri(SKOS.broader), term_iri(SKOS.topConceptOf), term_iri(SKOS.definition)

#: How a ROME code points to related concepts. Every mobility link is ``rncp:mobilityTarget``
#: (directed, as ROME lists it); it is also ``skos:related`` (SKOS's symmetric associative
#: link) only when neither code is above the other: SKOS makes ``skos:related`` and
#: ``skos:broaderTransitive`` disjoint (integrity condition S27), and 896 of ROME v460's
#: 14,912 mobility links join a code to one above or below it (A1102 → A1101, its parent fiche).
RELATIONS: dict[str, str] = {
    "mobility": term_iri(RNCP.mobilityTarget),
    "mobility-associative": term_iri(SKOS.related),
    "competence": term_iri(SKOS.related),
    "savoir": term_iri(SKOS.related),
}
_FILE = "unix_{name}_{release}_utf8.csv"
_ROME_CODE = re.compile(r"^[A-N]\d{4}$")


@dataclass
class RomeCode:
    """One ROME 4.0 fiche code."""

    code: str
    label: str
    parent: str | None = None
    appellations: list[str] = field(default_factory=list)
    definition: str | None = None

    def labels(self) -> list[str]:
        """The official label then the appellations (for matching)."""
        return [self.label, *(a for a in self.appellations if a != self.label)]


@dataclass(frozen=True)
class RomeItem:
    """A ROME competence (savoir-faire, macro-competence) or savoir, by OGR code."""

    code: str
    label: str
    broader: str | None = None
    definition: str | None = None


@dataclass
class RomeVocabulary:
    """Everything read from one ROME release."""

    release: str
    codes: dict[str, RomeCode] = field(default_factory=dict)
    competences: dict[str, RomeItem] = field(default_factory=dict)
    savoirs: dict[str, RomeItem] = field(default_factory=dict)
    mobility: list[tuple[str, str]] = field(default_factory=list)
    items_of_code: list[tuple[str, str]] = field(default_factory=list)  # (code_rome, code_ogr)


@dataclass(frozen=True)
class UnknownCode:
    """A ROME code used by fiches that the referential does not hold, and why."""

    code: str
    reason: str


def find_release(folder: Path) -> str:
    """``v460`` from ``unix_referentiel_code_rome_v460_utf8.csv``.

    :raises StructuralError: when the folder holds no ROME code file.
    """
    found = sorted(folder.glob("unix_referentiel_code_rome_*_utf8.csv"))
    if not found:
        raise StructuralError("no unix_referentiel_code_rome_*_utf8.csv in this folder", file=str(folder))
    return found[-1].name.removeprefix("unix_referentiel_code_rome_").removesuffix("_utf8.csv")


def read_rows(
    folder: Path, name: str, release: str, *, required: set[str], optional: bool = False
) -> list[dict[str, str]]:
    """The rows of one ROME file, after checking its header."""
    path = folder / _FILE.format(name=name, release=release)
    if not path.is_file():
        if optional:
            log.info("ROME %s: no %s file", release, name)
            return []
        raise StructuralError("ROME file missing", file=str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise StructuralError(f"unexpected header (missing {', '.join(sorted(missing))})", file=str(path))
        return list(reader)


def read_rome(folder: Path) -> RomeVocabulary:
    """Read a ROME 4.0 release folder (see the module docstring for the files)."""
    release = find_release(folder)
    vocab = RomeVocabulary(release)
    for row in read_rows(
        folder, "referentiel_code_rome", release, required={"code_rome", "libelle_rome", "code_rome_parent"}
    ):
        parent = row["code_rome_parent"].strip()
        vocab.codes[row["code_rome"]] = RomeCode(row["code_rome"], _clean(row["libelle_rome"]), parent or None)
    _read_appellations(folder, vocab)
    _read_texts(folder, vocab)
    _read_items(folder, vocab)
    rows = read_rows(folder, "rubrique_mobilite", release, required={"code_rome", "code_rome_cible"}, optional=True)
    vocab.mobility = [(r["code_rome"], r["code_rome_cible"]) for r in rows]
    rows = read_rows(folder, "coherence_item", release, required={"code_rome", "code_ogr"}, optional=True)
    vocab.items_of_code = [(r["code_rome"], r["code_ogr"]) for r in rows]
    log.info(
        "ROME %s: %d codes, %d competences, %d savoirs",
        release,
        len(vocab.codes),
        len(vocab.competences),
        len(vocab.savoirs),
    )
    return vocab


def _clean(value: str) -> str:
    return clean(value) or value.strip()


def _read_appellations(folder: Path, vocab: RomeVocabulary) -> None:
    rows = read_rows(
        folder, "referentiel_appellation", vocab.release, required={"code_rome", "libelle_appellation_long"}
    )
    for row in rows:
        code = vocab.codes.get(row["code_rome"])
        label = _clean(row["libelle_appellation_long"])
        if code is not None and label not in code.appellations:
            code.appellations.append(label)


def _read_texts(folder: Path, vocab: RomeVocabulary) -> None:
    rows = read_rows(
        folder, "texte", vocab.release, required={"code_rome", "libelle_type_texte", "libelle_texte"}, optional=True
    )
    sentences: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        if row["libelle_type_texte"] == "definition" and row["code_rome"] in vocab.codes:
            position = int(row.get("position_phrase") or 0)
            sentences.setdefault(row["code_rome"], []).append((position, _clean(row["libelle_texte"])))
    for code, parts in sentences.items():
        vocab.codes[code].definition = " ".join(text for _, text in sorted(parts))


def _read_items(folder: Path, vocab: RomeVocabulary) -> None:
    rows = read_rows(folder, "referentiel_competence", vocab.release, required={"code_ogr", "libelle_competence"})
    for row in rows:
        broader = (row.get("code_ogr_macro_comp") or "").strip() or None
        vocab.competences[row["code_ogr"]] = RomeItem(
            row["code_ogr"], _clean(row["libelle_competence"]), broader, clean(row.get("definition"))
        )
    rows = read_rows(folder, "referentiel_savoir", vocab.release, required={"code_ogr_savoir", "libelle_savoir"})
    for row in rows:
        vocab.savoirs[row["code_ogr_savoir"]] = RomeItem(row["code_ogr_savoir"], _clean(row["libelle_savoir"]))


# -- triples --------------------------------------------------------------------------------
def rome_triples(vocab: RomeVocabulary) -> Iterator[Triple]:
    """The SKOS graph of a ROME release: codes, competences, savoirs and the links between them."""
    scheme = f"<{iris.scheme('rome')}>"
    yield scheme, A, SCHEME
    yield scheme, term_iri(OWL.versionInfo), string(f"ROME 4.0 {vocab.release}")
    for code in vocab.codes.values():
        yield from _code_triples(code, scheme, vocab)
    yield from mobility_triples(vocab)
    yield from item_triples("rome-competence", iris_vocab.rome_competence, vocab.competences)
    yield from item_triples("rome-savoir", iris_vocab.rome_savoir, vocab.savoirs)
    yield from _coherence_triples(vocab)


def mobility_triples(vocab: RomeVocabulary) -> Iterator[Triple]:
    """``rncp:mobilityTarget`` for each mobility link between known codes; ``skos:related`` too
    when the two codes are not in one broader chain (see :data:`RELATIONS`)."""
    above = {code: ancestors(code, vocab) for code in vocab.codes}
    for source, target in vocab.mobility:
        if source not in vocab.codes or target not in vocab.codes or source == target:
            continue
        yield f"<{iris.rome(source)}>", RELATIONS["mobility"], f"<{iris.rome(target)}>"
        if target not in above[source] and source not in above[target]:
            yield f"<{iris.rome(source)}>", RELATIONS["mobility-associative"], f"<{iris.rome(target)}>"


def ancestors(code: str, vocab: RomeVocabulary) -> set[str]:
    """Every concept above ``code`` by ``skos:broader`` in the ROME graph: its parent fiches
    (ROME 4.0 ``code_rome_parent``, followed up) and, for each of them, its field and domain."""
    found: set[str] = set()
    todo = [code]
    while todo:
        current = todo.pop()
        entry = vocab.codes.get(current)
        parents = list(rome_parents(current))
        if entry is not None and entry.parent and entry.parent != current and entry.parent in vocab.codes:
            parents.append(entry.parent)
        todo += [p for p in parents if p not in found]
        found.update(parents)
    return found


def _code_triples(code: RomeCode, scheme: str, vocab: RomeVocabulary) -> Iterator[Triple]:
    node = f"<{iris.rome(code.code)}>"
    yield from _concept(node, scheme, code.code, term_iri(RNCP.RomeCode))
    yield node, PREF, fr(code.label)
    for label in code.appellations:
        if label != code.label:
            yield node, ALT, fr(label)
    if code.definition:
        yield node, DEFINITION, fr(code.definition)
    if code.parent and code.parent != code.code and code.parent in vocab.codes:
        yield node, BROADER, f"<{iris.rome(code.parent)}>"
    chain = rome_parents(code.code)
    for child, parent in zip([code.code, *chain], chain, strict=False):
        parent_node = f"<{iris.rome(parent)}>"
        yield f"<{iris.rome(child)}>", BROADER, parent_node
        yield from _concept(parent_node, scheme, parent, term_iri(RNCP.RomeCode))
    if chain:
        yield f"<{iris.rome(chain[-1])}>", TOP, scheme


def _concept(node: str, scheme: str, notation: str, cls: str | None = None) -> Iterator[Triple]:
    yield node, A, CONCEPT
    if cls is not None:
        yield node, A, cls
    yield node, IN_SCHEME, scheme
    yield node, NOTATION, string(notation)


#: scheme name → (French label, English label)
ITEM_SCHEMES = {
    "rome-competence": ("Compétences (savoir-faire) du ROME 4.0", "ROME 4.0 skills (savoir-faire)"),
    "rome-savoir": ("Savoirs du ROME 4.0", "ROME 4.0 knowledge (savoirs)"),
}


def item_triples(scheme_name: str, minter: Callable[[str], str], items: dict[str, RomeItem]) -> Iterator[Triple]:
    """Competences or savoirs as concepts of their own scheme; macro-competences as broader."""
    scheme = f"<{iris.scheme(scheme_name)}>"
    label_fr, label_en = ITEM_SCHEMES[scheme_name]
    yield scheme, A, SCHEME
    yield scheme, PREF, fr(label_fr)
    yield scheme, PREF, f'"{label_en}"@en'
    for item in items.values():
        node = f"<{minter(item.code)}>"
        yield from _concept(node, scheme, item.code)
        yield node, PREF, fr(item.label)
        if item.definition:
            yield node, DEFINITION, fr(item.definition)
        if item.broader and item.broader in items:
            yield node, BROADER, f"<{minter(item.broader)}>"
        else:
            yield node, TOP, scheme


def _coherence_triples(vocab: RomeVocabulary) -> Iterator[Triple]:
    for code, ogr in vocab.items_of_code:
        if code not in vocab.codes:
            continue
        if ogr in vocab.competences:
            yield f"<{iris.rome(code)}>", RELATIONS["competence"], f"<{iris_vocab.rome_competence(ogr)}>"
        elif ogr in vocab.savoirs:
            yield f"<{iris.rome(code)}>", RELATIONS["savoir"], f"<{iris_vocab.rome_savoir(ogr)}>"


# -- codes the referential does not hold ------------------------------------------------------
def unknown_codes(codes: Iterable[str], vocab: RomeVocabulary) -> list[UnknownCode]:
    """Codes used by fiches that are not fiche codes of this ROME release, with a reason each.

    Domain (``C``) and field (``A12``) codes are not fiche codes; a well-formed five-character
    code absent from the release is an older (ROME v3) code or a typo.
    """
    out = []
    for code in sorted(set(codes)):
        if code in vocab.codes:
            continue
        if re.fullmatch(r"[A-N]", code):
            reason = "domain code, not a ROME fiche code"
        elif re.fullmatch(r"[A-N]\d{2}", code):
            reason = "field code (domaine professionnel), not a ROME fiche code"
        elif _ROME_CODE.match(code):
            reason = f"not in ROME 4.0 {vocab.release} (older ROME v3 code?)"
        else:
            reason = "not a ROME code"
        out.append(UnknownCode(code, reason))
    return out
