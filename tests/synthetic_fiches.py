"""Synthetic :class:`~rncp_graph.model.Fiche` objects for the validation tests and benchmark.

Deterministic for a seed. Values are realistic and valid by default; with ``faults`` > 0 a share
of the fiches gets one seeded fault each, drawn from :data:`FAULTS` (a wrong SIRET key, a ROME
code ``M16O7``, a block of another fiche, a rate of 120 %, an RS fiche with a level...). Codes,
certifiers and competency sentences come from shared pools, so fiches share nodes as real ones
do (ROME K1403 in many fiches, one certifier for several fiches, copy-pasted competencies).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from rncp_graph.model import (
    AccessRoute,
    AccessRouteKind,
    Block,
    Code,
    Correspondence,
    CorrespondenceKind,
    CorrespondenceNature,
    Fiche,
    LegalReference,
    LinkedFiche,
    Organisation,
    Statistic,
    Status,
)

LA_POSTE = "356000000"


def siret(rng: random.Random, *, valid: bool = True) -> str:
    """A SIRET that python-stdnum accepts (a SIREN with its Luhn key, a NIC, the SIRET's key);
    with ``valid=False`` the last digit is wrong."""
    siren = [rng.randint(0, 9) for _ in range(8)]
    siren.append(_luhn_key(siren))
    body = siren + [rng.randint(0, 9) for _ in range(4)]
    key = _luhn_key(body)
    if not valid:
        key = (key + rng.randint(1, 9)) % 10
    return "".join(map(str, body)) + str(key)


def _luhn_key(digits: list[int]) -> int:
    """The digit that completes ``digits`` to a Luhn-valid number (every second digit from the
    right of the completed number doubled, a doubled digit above 9 losing 9)."""
    total = 0
    for i, digit in enumerate(reversed(digits)):
        total += (digit * 2 - 9 if digit > 4 else digit * 2) if i % 2 == 0 else digit
    return (10 - total % 10) % 10


def la_poste_siret(rng: random.Random, *, valid: bool = True) -> str:
    """A La Poste SIRET (356000000…): the sum of its digits is a multiple of 5 (or not)."""
    while True:
        value = LA_POSTE + "".join(str(rng.randint(0, 9)) for _ in range(5))
        if (sum(map(int, value)) % 5 == 0) == valid and value != "35600000000048":
            return value


class Pools:
    """Shared pools: codes, certifiers, sentences."""

    def __init__(self, rng: random.Random) -> None:
        self.rome = [f"{d}{f}{c:02d}" for d in "ADHKM" for f in (11, 12, 14, 16) for c in range(1, 6)]
        self.nsf = [f"{n}{s}" for n in (310, 312, 330, 332, 344) for s in ("", "p", "t")]
        self.formacodes = [f"{rng.randint(10000, 99999)}" for _ in range(40)]
        names = [f"ORGANISME {i}" for i in range(25)]
        self.certifiers = [
            Organisation(n, siret(rng), website=f"https://org{i}.example.fr") for i, n in enumerate(names)
        ]
        self.certifiers.append(Organisation("LA POSTE", la_poste_siret(rng)))
        self.certifiers.append(Organisation("SANS SIRET"))
        self.sentences = [f"Compétence commune numéro {i} : conduire une action de type {i % 7}" for i in range(60)]


class Generator:
    """``Generator(seed).fiches(n, faults=0.2)``: n fiches, a share of them with one seeded fault."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.pools = Pools(self.rng)

    def fiches(self, n: int, *, faults: float = 0.0, start: int = 30000) -> list[Fiche]:
        numbers = [f"RS{start + i}" if i % 7 == 3 else f"RNCP{start + i}" for i in range(n)]
        out = [self.fiche(number, numbers) for number in numbers]
        for i, fiche in enumerate(out):
            if self.rng.random() < faults:
                fault = self.rng.choice(list(FAULTS))
                out[i] = FAULTS[fault](self, fiche, numbers)
        return out

    def fiche(self, number: str, numbers: list[str]) -> Fiche:
        rng = self.rng
        rs = number.startswith("RS")
        decision = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2500))
        expiry = decision + timedelta(days=365 * rng.choice((2, 3, 5)))
        fiche = Fiche(
            number=number,
            source="synthetic",
            title=f"Titre de la certification {number}" if rng.random() < 0.9 else None,
            status=Status.ACTIVE if rng.random() < 0.7 else Status.INACTIVE,
            level=None if rs else rng.randint(3, 8),
            rome=[Code(c, f"Libellé {c}") for c in rng.sample(self.pools.rome, rng.randint(0 if rs else 1, 3))],
            nsf=[Code(c) for c in rng.sample(self.pools.nsf, rng.randint(0, 2))],
            formacodes=[Code(c) for c in rng.sample(self.pools.formacodes, rng.randint(0, 2))],
            certifiers=[rng.choice(self.pools.certifiers)],
            partners=rng.sample(self.pools.certifiers, rng.randint(0, 2)),
            decision_date=decision,
            expiry_date=expiry,
            registration_years=(expiry - decision).days // 365,
            objectives=f"Objectifs de {number}.",
            activities=[f"Activité {k} de {number}" for k in range(rng.randint(0, 3))],
            competencies=self._sentences(number, "C", 3) if rs else [],
            blocks=[] if rs else self._blocks(number),
            job_types=["Salarié"],
            access_routes=[AccessRoute(kind, rng.random() < 0.6) for kind in rng.sample(list(AccessRouteKind), 3)],
            new_caledonia=rng.random() < 0.5,
            statistics=[
                Statistic(y, rng.randint(0, 200), rng.randint(0, 20), rng.randint(0, 100)) for y in (2021, 2022)
            ],
            legal_references=[LegalReference(f"Arrêté du {decision.isoformat()} ({number})", decision)],
        )
        self._links(fiche, numbers)
        return fiche

    def _sentences(self, number: str, tag: str, most: int) -> list[str]:
        own = [f"{tag} {k} propre à {number} : analyser une situation" for k in range(self.rng.randint(1, most))]
        shared = self.rng.sample(self.pools.sentences, self.rng.randint(0, 2))
        return own + shared

    def _blocks(self, number: str) -> list[Block]:
        count = self.rng.randint(0 if self.rng.random() < 0.1 else 1, 4)
        return [
            Block(f"{number}BC{i:02d}", f"Bloc {i} de {number}", self._sentences(f"{number}BC{i:02d}", "B", 3))
            for i in range(1, count + 1)
        ]

    def _links(self, fiche: Fiche, numbers: list[str]) -> None:
        rng = self.rng
        if rng.random() < 0.3:
            target = rng.choice(numbers) if rng.random() < 0.5 else f"RNCP{rng.randint(100, 9999)}"
            if target != fiche.number:
                nature = rng.choice(list(CorrespondenceNature))
                fiche.correspondences.append(Correspondence(target, CorrespondenceKind.RNCP, nature=nature))
        if rng.random() < 0.2:
            other = rng.choice(numbers)
            if other != fiche.number:
                fiche.predecessors.append(LinkedFiche(other, f"Ancien titre de {other}"))


def _bad_siret(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.certifiers = [Organisation("ORGANISME À CLÉ FAUSSE " + f.number, siret(g.rng, valid=False))]
    return f


def _bad_rome(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.rome = [*f.rome, Code("M16O7", "Secrétariat")]
    return f


def _foreign_block(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    other = g.rng.choice([n for n in numbers if n != f.number])
    f.blocks = [*f.blocks, Block(f"{other}BC01", "Bloc d'une autre fiche", ["Compétence d'une autre fiche"])]
    return f


def _level_fault(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.level = 5 if f.number.startswith("RS") else g.rng.choice((None, 9))
    return f


def _bad_rate(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.statistics = [Statistic(2023, -3, None, 120, 101)]
    return f


def _dates(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.status, f.decision_date, f.expiry_date = Status.ACTIVE, date(2024, 5, 1), date(2021, 5, 1)
    return f


def _bad_codes(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.nsf, f.formacodes = [Code("33")], [Code("4404")]
    f.blocks = [*f.blocks, Block(f"{f.number}BC1", "Bloc mal codé")]
    return f


def _relabel(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.rome = [replace(c, label=f"Autre libellé {c.code}") for c in f.rome]
    f.certifiers = [replace(c, legal_name=c.legal_name.title()) for c in f.certifiers]
    return f


def _lineage(g: Generator, f: Fiche, numbers: list[str]) -> Fiche:
    f.successors = [LinkedFiche(g.rng.choice(numbers))]
    return f


#: name → fault; each returns the fiche with one kind of fault.
FAULTS: dict[str, Callable[[Generator, Fiche, list[str]], Fiche]] = {
    "bad-siret": _bad_siret,
    "bad-rome": _bad_rome,
    "foreign-block": _foreign_block,
    "level": _level_fault,
    "bad-rate": _bad_rate,
    "dates": _dates,
    "bad-codes": _bad_codes,
    "relabel": _relabel,
    "lineage": _lineage,
}
