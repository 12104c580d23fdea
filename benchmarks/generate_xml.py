"""Generate a realistic XML export of France Compétences (flux v4.1) with N fiches.

    .venv/bin/python benchmarks/generate_xml.py 10000 --out /tmp/export-fiches-10k-2026-01-01.xml --seed 1

The element structure follows the real export (``FICHES/VERSION_FLUX`` then ``FICHE``\\*, with
the children and the order of ``../shared/data/rncp-xml-v4.1-sample``) plus the v4.1 elements
that sample lacks (partners, correspondences, statistics, IDCC, CCN, prerequisites, decision
date). Distributions: 10–20 % RS fiches (no level, no blocks, partners); RNCP fiches with 3–8
blocks of 3–10 competencies, drawn partly from a shared pool of sentences (so some competencies
recur across fiches); ROME codes drawn from a fixed pool of real-looking codes with a Zipf
skew (the most used code is on ~6 % of the links; ~4 % in the 2021 register); free texts of
realistic length with the export's "runs of spaces" line breaks and bullets; lineage
(replaced / replaces) and block-level correspondences between generated fiches. Every value is
valid (SIRETs pass their checksum, dates exist), so the loader reads it with zero problems.

Deterministic for a seed: each fiche draws from its own ``random.Random(f"{seed}:{i}")``, so a
fiche's neighbours (for lineage and correspondences) are known without keeping anything; the
file is written one fiche at a time (memory flat in N).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

VERSION = "4.1"
RNCP_BASE, RS_BASE = 30000, 5000
#: share of RS fiches (drawn per fiche, so ~15 % overall)
RS_SHARE = 0.15
LINEAGE_EVERY, CORRESPONDENCE_EVERY = 9, 11
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<FICHES>\n'

VERBS = (  # noqa: SIM905 - a compact word list
    "Analyser|Concevoir|Organiser|Piloter|Réaliser|Contrôler|Évaluer|Coordonner|Gérer|Développer|"
    "Mettre en œuvre|Assurer|Planifier|Accompagner|Encadrer|Conduire|Élaborer|Superviser|Préparer|Installer|"
    "Maintenir|Sécuriser|Communiquer|Négocier|Diagnostiquer|Optimiser|Rédiger|Former|Animer|Déployer"
).split("|")
OBJECTS = (  # noqa: SIM905 - a compact word list
    "un projet de transformation numérique|la relation avec les clients et les fournisseurs|"
    "les opérations de maintenance préventive|un budget prévisionnel et son suivi|"
    "la sécurité des personnes et des biens|une équipe pluridisciplinaire|"
    "la qualité des prestations délivrées|un plan de communication interne|les risques professionnels|"
    "les données de l'organisation|une infrastructure réseau|la production d'une unité de fabrication|"
    "un dossier technique|les achats et les approvisionnements|la démarche de développement durable|"
    "un diagnostic commercial|les ressources humaines d'une structure|une solution applicative|"
    "les flux logistiques|un espace de vente|la conformité réglementaire|les activités d'accueil du public|"
    "un chantier de construction|le parcours de soins d'un patient|une action de formation"
).split("|")
CONTEXTS = (  # noqa: SIM905 - a compact word list
    "dans le respect de la réglementation en vigueur|en tenant compte des contraintes économiques|"
    "à l'aide des outils numériques adaptés|en lien avec les partenaires internes et externes|"
    "selon les procédures de l'entreprise|en intégrant les enjeux environnementaux|"
    "dans un contexte international|en situation d'autonomie"
).split("|")
WORDS = (  # noqa: SIM905 - a compact word list
    "la personne titulaire exerce ses activités au sein de structures publiques ou privées elle intervient "
    "auprès des clients des usagers et des équipes elle contribue à la qualité du service rendu et au "
    "développement de l'activité en veillant au respect des normes de sécurité des délais et des coûts"
).split()
ABREGES = (
    ("BTS", "Brevet de technicien supérieur"),
    ("CAP", "Certificat d'aptitude professionnelle"),
    ("TP", "Titre professionnel"),
    ("MASTER", "Master"),
    ("LP", "Licence Professionnelle"),
    ("CQP", "Certificat de qualification professionnelle"),
)
JURIES = ("SI_JURY_FI", "SI_JURY_CA", "SI_JURY_FC", "SI_JURY_CQ", "SI_JURY_CL", "SI_JURY_VAE")
ROME_LETTERS = "ABCDEFGHIJKLMN"
#: ROME domains weighted as in the register (services, trade, industry and IT dominate)
ROME_WEIGHTS = (2, 1, 3, 8, 3, 4, 4, 6, 3, 5, 9, 1, 12, 4)


def el(tag: str, *content: str) -> str:
    """``<tag>content</tag>``; ``content`` is markup (escape text with :func:`text`)."""
    return f"<{tag}>{''.join(content)}</{tag}>"


def text(tag: str, value: object) -> str:
    """An element holding escaped text."""
    return el(tag, escape(str(value)))


def rome_pool(seed: int, size: int = 600) -> list[str]:
    """A fixed pool of real-looking ROME codes (letter, two-digit field, two-digit number)."""
    rng = random.Random(f"{seed}:rome")
    codes: set[str] = set()
    while len(codes) < size:
        letter = rng.choices(ROME_LETTERS, weights=ROME_WEIGHTS)[0]
        codes.add(f"{letter}{rng.randint(11, 19)}{rng.randint(1, 12):02d}")
    return sorted(codes)


class Zipf:
    """Items drawn with probability ∝ 1 / rank^s (rank = position in a fixed, seed-shuffled order)."""

    def __init__(self, items: list[str], s: float) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(1 / rank**s for rank in range(1, len(items) + 1)))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


def luhn_complete(digits: str) -> str:
    """``digits`` plus the check digit that makes the whole number pass the Luhn test."""
    for check in "0123456789":
        candidate = digits + check
        total = sum(int(d) if i % 2 == 0 else sum(divmod(int(d) * 2, 10)) for i, d in enumerate(reversed(candidate)))
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def siret(rng: random.Random) -> str:
    """A SIRET that passes its checksum (SIREN and SIRET are both Luhn-valid)."""
    siren = luhn_complete("".join(rng.choice("0123456789") for _ in range(8)))
    return luhn_complete(siren + "".join(rng.choice("0123456789") for _ in range(4)))


def day(rng: random.Random, first: int, last: int) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(first, last)}"


class Shape:
    """What the neighbours of a fiche need to know of it (register, number, number of blocks)."""

    def __init__(self, seed: int, i: int) -> None:
        rng = random.Random(f"{seed}:{i}:shape")
        self.rs = rng.random() < RS_SHARE
        self.blocks = 0 if self.rs else rng.randint(3, 8)
        self.number = f"RS{RS_BASE + i}" if self.rs else f"RNCP{RNCP_BASE + i}"


class Generator:
    """Fiche texts for one seed; the shared pools (ROME codes, competency sentences) are drawn once."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed = n, seed
        codes = rome_pool(seed)
        random.Random(f"{seed}:order").shuffle(codes)
        self.rome = Zipf(codes, 0.75)
        pool_rng = random.Random(f"{seed}:sentences")
        self.sentences = Zipf([self.sentence(pool_rng) for _ in range(4000)], 0.6)

    def sentence(self, rng: random.Random) -> str:
        return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CONTEXTS)}"

    def competency(self, rng: random.Random) -> str:
        """Half from the shared pool (skewed: some sentences recur in many fiches), half unique."""
        return self.sentences.pick(rng) if rng.random() < 0.5 else self.sentence(rng)

    def prose(self, rng: random.Random, words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    def bullets(self, items: list[str], bullet: str = "-") -> str:
        """A list the way the export writes it: items after runs of spaces, with a bullet."""
        return "    " + "    ".join(f"{bullet} {item} ;" for item in items) + "    "

    def fiches(self) -> Iterator[str]:
        for i in range(self.n):
            yield self.fiche(i)

    def fiche(self, i: int) -> str:
        rng = random.Random(f"{self.seed}:{i}")
        shape = Shape(self.seed, i)
        parts = [text("ID_FICHE", 100000 + i), text("NUMERO_FICHE", shape.number), *self.lineage(i)]
        parts += self.identity(rng, shape)
        parts += self.texts(rng)
        parts.append(self.codes("CODES_ROME", "ROME", sorted({self.rome.pick(rng) for _ in range(rng.randint(1, 5))})))
        parts += self.juries(rng)
        parts += self.publications(rng)
        parts += self.dates(rng)
        if shape.blocks:
            parts.append(self.blocks(rng, shape))
        parts.append(text("OBJECTIFS_CONTEXTE", self.prose(rng, rng.randint(150, 400))))
        parts += self.extras(rng, i, shape)
        parts.append(text("ACTIF", "Oui" if rng.random() < 0.6 else "Non"))
        parts.append(text("DATE_DE_PUBLICATION", day(rng, 2019, 2024)))
        return "    <FICHE>\n        " + "\n        ".join(parts) + "\n    </FICHE>\n"

    def lineage(self, i: int) -> list[str]:
        """Fiche i is replaced by i+1 when i % LINEAGE_EVERY == 4 (both fiches say so)."""
        out = []
        if i % LINEAGE_EVERY == 4 and i + 1 < self.n:
            new = text("ID_FICHE_NOUVELLE_CERTIFICATION", Shape(self.seed, i + 1).number)
            out.append(el("NOUVELLES_CERTIFICATIONS", el("NOUVELLE_CERTIFICATION", new)))
        if i >= 1 and (i - 1) % LINEAGE_EVERY == 4:
            old = text("ID_FICHE_ANCIENNE_CERTIFICATION", Shape(self.seed, i - 1).number)
            out.append(el("ANCIENNES_CERTIFICATIONS", el("ANCIENNE_CERTIFICATION", old)))
        return out

    def identity(self, rng: random.Random, shape: Shape) -> list[str]:
        """Title, diploma type, codes, level, certifiers and (RS) partners."""
        code, label = rng.choice(ABREGES)
        formacodes = [f"{rng.randint(10000, 99999)}" for _ in range(rng.randint(1, 3))]
        letters = ["", "m", "n", "p", "r", "s", "t", "u", "w"]
        nsf = [f"{rng.randint(100, 344)}{rng.choice(letters)}" for _ in range(rng.randint(1, 2))]
        out = [text("INTITULE", self.sentence(rng)), el("ABREGE", text("CODE", code), text("LIBELLE", label))]
        out += [text("ETAT_FICHE", "Publiée"), self.codes("FORMACODES", "FORMACODE", formacodes)]
        if not shape.rs:
            level = rng.choices((3, 4, 5, 6, 7, 8), weights=(10, 12, 14, 25, 35, 4))[0]
            out.append(el("NOMENCLATURE_EUROPE", text("NIVEAU", f"NIV{level}"), text("LIBELLE", f"Niveau {level}")))
        out += [self.codes("CODES_NSF", "NSF", nsf), self.organisations(rng, "CERTIFICATEUR", rng.randint(1, 3))]
        out.append(text("EXISTENCE_PARTENAIRES", "Oui" if shape.rs else "Non"))
        if shape.rs:
            out.append(self.organisations(rng, "PARTENAIRE", rng.randint(1, 8)))
        return out

    def codes(self, container: str, record: str, codes: list[str]) -> str:
        items = [el(record, text("CODE", c), text("LIBELLE", f"Libellé {c}")) for c in dict.fromkeys(codes)]
        return el(container, *items)

    def organisations(self, rng: random.Random, role: str, count: int) -> str:
        items = []
        for k in range(count):
            kind = rng.choice(("INSTITUT", "ECOLE", "CENTRE", "ASSOCIATION", "MINISTERE"))
            fields = [text(f"SIRET_{role}", siret(rng)), text(f"NOM_{role}", f"{kind} {rng.choice(WORDS).upper()} {k}")]
            if role == "CERTIFICATEUR":
                fields.append(text("ETAT_CERTIFICATEUR", "Actif"))
            else:
                fields.append(text("HABILITATION_PARTENAIRE", "HABILITATION_ORGA_FORM"))
            items.append(el(role, *fields))
        return el(f"{role}S", *items)

    def texts(self, rng: random.Random) -> list[str]:
        activities = [self.sentence(rng).lower() for _ in range(rng.randint(6, 20))]
        capacities = [self.competency(rng) for _ in range(rng.randint(8, 30))]
        jobs = [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(6)]
        return [
            text("ACTIVITES_VISEES", self.prose(rng, 30) + self.bullets(activities)),
            text("CAPACITES_ATTESTEES", self.bullets(capacities, rng.choice("*-o"))),
            text("SECTEURS_ACTIVITE", self.prose(rng, rng.randint(40, 120))),
            text("TYPE_EMPLOI_ACCESSIBLES", self.bullets(jobs)),
            text("REGLEMENTATIONS_ACTIVITES", self.prose(rng, 25)),
            text("PREREQUIS_ENTREE_FORMATION", self.prose(rng, 20)),
        ]

    def juries(self, rng: random.Random) -> list[str]:
        out = []
        for tag in JURIES:
            if rng.random() < 0.75:
                out.append(el(tag, text("ACTIF", "Oui"), text("COMPOSITION", self.prose(rng, rng.randint(40, 90)))))
            else:
                out.append(el(tag, text("ACTIF", "Non")))
        out.append(text("ACCESSIBLE_NOUVELLE_CALEDONIE", rng.choice(("Oui", "Non"))))
        out.append(text("ACCESSIBLE_POLYNESIE_FRANCAISE", rng.choice(("Oui", "Non"))))
        return out

    def publications(self, rng: random.Random) -> list[str]:
        title = f"Arrêté du {rng.randint(1, 28)} mai {rng.randint(2015, 2024)} {self.sentence(rng).lower()}"
        jo = el("PUBLICATION_JO", text("TITRE", title), text("DATE_PUBLICATION_JO", day(rng, 2015, 2024)))
        url = f"https://www.example.org/certification/{rng.randint(1, 10**6)}"
        return [el("PUBLICATION_DECRET_CREATION", jo), text("LIEN_URL_DESCRIPTION", url)]

    def dates(self, rng: random.Random) -> list[str]:
        decision = rng.randint(2017, 2023)
        return [
            text("DATE_DECISION", day(rng, decision, decision)),
            text("DATE_FIN_ENREGISTREMENT", day(rng, decision + 2, decision + 5)),
            text("DATE_EFFET", day(rng, decision, decision)),
            text("TYPE_ENREGISTREMENT", f"Enregistrement {rng.choice(('de droit', 'sur demande'))}"),
            text("DUREE_ENREGISTREMENT", rng.randint(2, 5)),
        ]

    def blocks(self, rng: random.Random, shape: Shape) -> str:
        items = []
        for b in range(1, shape.blocks + 1):
            competencies = [self.competency(rng) for _ in range(rng.randint(3, 10))]
            fields = [text("CODE", f"{shape.number}BC{b:02d}"), text("LIBELLE", self.sentence(rng))]
            fields.append(text("LISTE_COMPETENCES", "      ".join(competencies)))
            fields.append(text("MODALITES_EVALUATION", self.prose(rng, rng.randint(20, 80))))
            items.append(el("BLOC_COMPETENCES", *fields))
        return el("BLOCS_COMPETENCES", *items)

    def extras(self, rng: random.Random, i: int, shape: Shape) -> list[str]:
        """Correspondences, statistics, IDCC / CCN and partial validation (elements the sample lacks)."""
        out = []
        other = Shape(self.seed, i + 3) if i + 3 < self.n else None
        if shape.blocks and other and other.blocks and i % CORRESPONDENCE_EVERY == 6:
            source = el("SOURCE", el("BLOC_COMPETENCES", text("CODE", f"{shape.number}BC01")))
            target = el("BLOC_COMPETENCES", text("CODE", f"{other.number}BC{rng.randint(1, other.blocks):02d}"))
            destination = el("DESTINATION", text("NUMERO_FICHE", other.number), target)
            out.append(el("CORRESPONDANCES", el("CORRESPONDANCE", source, destination)))
        if rng.random() < 0.4:
            out.append(
                el(
                    "STATISTIQUES_PROMOTIONS",
                    *(self.statistics(rng, year) for year in range(2019, 2019 + rng.randint(1, 4))),
                )
            )
        if rng.random() < 0.2:
            idcc = rng.randint(1, 3000)
            out.append(el("CODES_IDCC", el("IDCC", text("CODE", f"{idcc:04d}"), text("LIBELLE", f"Convention {idcc}"))))
            out.append(el("CCN_1", text("NUMERO", rng.randint(3001, 3400)), text("LIBELLE", "Convention collective")))
        out.append(text("VALIDATION_PARTIELLE", "Oui" if shape.blocks else "Non"))
        return out

    def statistics(self, rng: random.Random, year: int) -> str:
        return el(
            "STATISTIQUES_PROMOTION",
            text("ANNEE", year),
            text("NOMBRE_CERTIFIES", rng.randint(5, 900)),
            text("NOMBRE_CERTIFIES_VAE", rng.randint(0, 40)),
            text("TAUX_INSERTION_GLOBAL_6MOIS", rng.randint(40, 100)),
            text("TAUX_INSERTION_METIER_2ANS", rng.randint(30, 100)),
        )


def write(n: int, out: Path, seed: int) -> int:
    """Write ``n`` fiches to ``out``, one at a time; returns the number of bytes written."""
    generator = Generator(n, seed)
    size = 0
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        head = HEAD + f"    {text('VERSION_FLUX', VERSION)}\n"
        for chunk in itertools.chain([head], generator.fiches(), ["</FICHES>\n"]):
            handle.write(chunk)
            size += len(chunk.encode("utf-8"))
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a realistic XML export (flux v4.1) of N fiches.")
    parser.add_argument("n", type=int, help="number of fiches")
    parser.add_argument("--out", type=Path, required=True, help="the XML file to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same file)")
    args = parser.parse_args(argv)
    size = write(args.n, args.out, args.seed)
    print(f"{args.out}: {args.n} fiches, {size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
