"""Reading the ESCO CSV download (French labels) and the label variants matched against it.

Two layouts are read, told apart by their header:

* the official ESCO CSV download (``conceptType, conceptUri, ..., preferredLabel, altLabels,
  description``; alternative labels separated by line breaks);
* a trimmed API pull (``conceptUri, preferredLabel, altLabels``; alternative labels
  separated by ``|``).

``skills_fr.csv`` and ``occupations_fr.csv`` are required. What the official download adds is
read when present: the occupation's ISCO-08 unit group (``iscoGroup`` column), descriptions
(``description``; empty in both shared copies), and the hierarchies
``broaderRelationsSkillPillar.csv`` / ``broaderRelationsOccPillar.csv`` (concept → broader
concept). The trimmed API pull has none of them; the matchers then do without. Gendered labels are split into
their forms (ESCO ``technicien/technicienne``; ROME ``Conducteur / Conductrice d'engins``),
because the stems of the two forms differ and either form may be the one that matches.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StructuralError

log = logging.getLogger(__name__)

ESCO_SKILL_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
ESCO_OCCUPATION_SCHEME = "http://data.europa.eu/esco/concept-scheme/occupations"
#: kind → (file name, concept types kept when the file has a ``conceptType`` column, IRI prefix)
FILES: dict[str, tuple[str, frozenset[str], str]] = {
    "skill": ("skills_fr.csv", frozenset({"KnowledgeSkillCompetence"}), "http://data.europa.eu/esco/skill/"),
    "occupation": ("occupations_fr.csv", frozenset({"Occupation"}), "http://data.europa.eu/esco/occupation/"),
}
_REQUIRED = {"conceptUri", "preferredLabel", "altLabels"}
#: the optional hierarchy files of the official download
HIERARCHY_FILES = ("broaderRelationsSkillPillar.csv", "broaderRelationsOccPillar.csv")


@dataclass(frozen=True)
class EscoConcept:
    """One ESCO skill or occupation with its French labels."""

    iri: str
    pref_label: str
    alt_labels: tuple[str, ...] = ()
    isco: str | None = None  # ISCO-08 unit group (4 digits) of an occupation, when the file has it
    description: str = ""

    def labels(self) -> list[str]:
        """Preferred then alternative labels, gendered pairs split, duplicates dropped."""
        out: list[str] = []
        for label in (self.pref_label, *self.alt_labels):
            for form in esco_forms(label):
                if form not in out:
                    out.append(form)
        return out


@dataclass
class Esco:
    """The ESCO concepts read from one download folder."""

    source: str
    skills: list[EscoConcept] = field(default_factory=list)
    occupations: list[EscoConcept] = field(default_factory=list)
    #: concept IRI → the IRIs of its broader concepts (skills and skill groups; occupations,
    #: occupations and ISCO groups), from the ``broaderRelations*Pillar.csv`` files when present
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)


def read_esco(folder: Path) -> Esco:
    """Read ``skills_fr.csv`` and ``occupations_fr.csv`` from an ESCO download folder.

    :raises StructuralError: when a file is missing or its header lacks the label columns.
    """
    esco = Esco(source=folder.name)
    esco.skills = read_concepts(folder / FILES["skill"][0], "skill")
    esco.occupations = read_concepts(folder / FILES["occupation"][0], "occupation")
    for name in HIERARCHY_FILES:
        esco.broader.update(read_broader(folder / name))
    log.info("ESCO %s: %d skills, %d occupations", folder.name, len(esco.skills), len(esco.occupations))
    return esco


def read_concepts(path: Path, kind: str) -> list[EscoConcept]:
    """The concepts of one ESCO CSV file (either layout)."""
    if not path.is_file():
        raise StructuralError("ESCO file not found", file=str(path))
    _, types, prefix = FILES[kind]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = _REQUIRED - set(reader.fieldnames or ())
        if missing:
            raise StructuralError(f"not an ESCO CSV (missing {', '.join(sorted(missing))})", file=str(path))
        return [
            _concept(row)
            for row in reader
            if row["conceptUri"].startswith(prefix) and row.get("conceptType", next(iter(types))) in types
        ]


def _concept(row: dict[str, str]) -> EscoConcept:
    alts = [a.strip() for a in re.split(r"[\n|]", row["altLabels"] or "") if a.strip()]
    isco = (row.get("iscoGroup") or "").strip() or None
    description = (row.get("description") or "").strip()
    return EscoConcept(row["conceptUri"].strip(), row["preferredLabel"].strip(), tuple(alts), isco, description)


def read_broader(path: Path) -> dict[str, tuple[str, ...]]:
    """``conceptUri → broaderUri`` pairs of an ESCO ``broaderRelations*Pillar.csv`` (none when absent)."""
    if not path.is_file():
        return {}
    found: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"conceptUri", "broaderUri"} <= set(reader.fieldnames or ()):
            raise StructuralError("not an ESCO broader-relations CSV (conceptUri, broaderUri)", file=str(path))
        for row in reader:
            found.setdefault(row["conceptUri"].strip(), []).append(row["broaderUri"].strip())
    log.info("%s: %d concepts with a broader concept", path.name, len(found))
    return {iri: tuple(parents) for iri, parents in found.items()}


def esco_forms(label: str) -> list[str]:
    """``"technicien d'engins/technicienne d'engins"`` → both forms; other labels unchanged."""
    parts = [p.strip() for p in label.split("/")]
    if len(parts) == 2 and all(" " in p or len(p) > 3 for p in parts):
        return parts
    return [label]


def rome_forms(label: str) -> list[str]:
    """ROME's gendered labels as full forms.

    ``"Conducteur / Conductrice d'engins agricoles"`` → ``["Conducteur d'engins agricoles",
    "Conductrice d'engins agricoles"]``: the words before `` / `` replace as many words
    after it. Labels without `` / `` are returned unchanged.
    """
    if " / " not in label:
        return [label]
    masc, rest = label.split(" / ", 1)
    n = len(masc.split())
    tail = rest.split()[n:]
    fem_head = rest.split()[:n]
    return [" ".join([masc, *tail]), " ".join([*fem_head, *tail])]
