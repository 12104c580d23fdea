"""What the two official France Compétences exports (XML flux v4.1 and CSV) share.

:class:`SourceLog` collects the problems and repairs of one source and turns the normalisers'
:class:`~rncp_graph.errors.InvalidValue` into :class:`~rncp_graph.model.Problem` rows, so a
bad value drops that value (or quarantines the fiche) and the rest of the source loads.
Also here: the access-route vocabularies of both formats, block-code and organisation
readers, sniffing a ``.zip`` (XML or CSV inside?) and the export date in a file name.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

from .. import normalise
from ..errors import InvalidValue, StructuralError
from ..model import AccessRouteKind, Fiche, Organisation, Problem, ProblemAction, ProblemLog, ProblemSeverity

log = logging.getLogger(__name__)

T = TypeVar("T")

#: ``export_fiches_CSV_<table>_<yyyy_mm_dd>.csv`` (names compared after NFC normalisation)
CSV_NAME = re.compile(r"^export_fiches_CSV_(?P<table>.+?)_(?P<date>\d{4}_\d{2}_\d{2})\.csv$", re.IGNORECASE)
_NAME_DATES = (
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)"), (1, 2, 3)),
)
_SHORT_BLOCK = re.compile(r"^((?:RNCP|RS)\d+)BC(\d)$")
#: ``RNCP35035BCRNCP35035BC01``: the fiche's prefix written twice (seen in the 2021 register)
_DOUBLED_BLOCK = re.compile(r"^((?:RNCP|RS)\d+)BC\1BC(\d{2})$")

#: ``M1500``: a ROME professional field (``M15``) padded to five characters; no occupation code
#: ends in ``00`` (seen in the 2021 register, with the field's label)
_PADDED_ROME_FIELD = re.compile(r"^([A-N]\d{2})00$")

#: XML: one ``SI_JURY_*`` element per access route (``ACTIF`` Oui/Non and the jury's ``COMPOSITION``).
JURY_ELEMENTS: dict[str, AccessRouteKind] = {
    "SI_JURY_FI": AccessRouteKind.STUDENT,  # formation initiale, sous statut d'élève ou d'étudiant
    "SI_JURY_CA": AccessRouteKind.APPRENTICESHIP,  # contrat d'apprentissage
    "SI_JURY_FC": AccessRouteKind.CONTINUING,  # formation continue
    "SI_JURY_CQ": AccessRouteKind.PROFESSIONALISATION,  # contrat de professionnalisation
    "SI_JURY_CL": AccessRouteKind.INDIVIDUAL,  # candidature libre (individuelle)
    "SI_JURY_VAE": AccessRouteKind.VAE,  # validation des acquis de l'expérience
}

#: CSV ``VoixdAccès.Si_Jury`` labels, keyed by :func:`label_key` (quotes and case normalised).
ROUTE_LABELS: dict[str, AccessRouteKind] = {
    "après un parcours de formation sous statut d'élève ou d'étudiant": AccessRouteKind.STUDENT,
    "en contrat d'apprentissage": AccessRouteKind.APPRENTICESHIP,
    "après un parcours de formation continue": AccessRouteKind.CONTINUING,
    "en contrat de professionnalisation": AccessRouteKind.PROFESSIONALISATION,
    "par candidature individuelle": AccessRouteKind.INDIVIDUAL,
    "par expérience": AccessRouteKind.VAE,
}


@functools.lru_cache(maxsize=1024)
def label_key(value: str) -> str:
    """An enumerated label for matching: NFC, typographic quotes made straight, spaces collapsed, casefolded."""
    s = unicodedata.normalize("NFC", value).replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")
    return " ".join(s.split()).casefold()


def export_date_from_name(name: str) -> date | None:
    """The export date a file name carries (``…_2024_02_22.csv``, ``…-2026-09-29.xml``), else ``None``."""
    for pattern, (y, m, d) in _NAME_DATES:
        for match in pattern.finditer(name):
            try:
                return date(int(match.group(y)), int(match.group(m)), int(match.group(d)))
            except ValueError:
                continue
    return None


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's base name, NFC; names not flagged UTF-8 are re-decoded when they are UTF-8 bytes."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return unicodedata.normalize("NFC", name.rsplit("/", 1)[-1])


def open_zip(path: Path) -> zipfile.ZipFile:
    """The export's zip archive; a damaged one is a :class:`StructuralError` naming the file."""
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise StructuralError(f"not a readable zip file: {exc}", file=path.name) from None


def zip_kind(path: Path) -> str | None:
    """``"csv"`` for a zip of ``export_fiches_CSV_*`` files, ``"xml"`` for a zip holding XML, else ``None``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [member_name(i) for i in archive.infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile):
        return None
    if any(CSV_NAME.match(n) for n in names):
        return "csv"
    if any(n.lower().endswith(".xml") for n in names):
        return "xml"
    return None


@dataclass
class SourceLog(ProblemLog):
    """The problems (:class:`~rncp_graph.model.ProblemLog`), repairs and quarantined fiches of
    one source file.

    :param file: the name problems are reported under (``export.zip/member.csv`` for a member).
    """

    repairs: normalise.Repairs = field(default_factory=normalise.Repairs)
    quarantined: int = 0
    #: what the source held (:attr:`~rncp_graph.model.LoadResult.met`): element or column → count
    met: Counter[str] = field(default_factory=Counter)
    #: a table of this source holds mojibake (:func:`normalise.has_mojibake`): its fiches are checked
    mojibake_seen: bool = False
    _unknown: set[str] = field(default_factory=set)
    _labels: dict[str, tuple[str | None, normalise.Repairs]] = field(default_factory=dict)

    def repaired(
        self,
        rule: str,
        message: str,
        *,
        counted_as: str | None = None,
        fiche: str | None,
        field: str,
        value: str,
        line: int | None,
    ) -> None:
        """Count a repair (under ``counted_as``, default ``rule``) and warn of it."""
        self.repairs[counted_as or rule] += 1
        self.add(
            rule,
            message,
            fiche=fiche,
            field=field,
            value=value,
            line=line,
            severity=ProblemSeverity.WARNING,
            action=ProblemAction.REPAIRED,
        )

    def absorb(
        self,
        problems: list[Problem],
        repairs: Mapping[str, int],
        quarantined: int,
        met: Mapping[str, int] | None = None,
    ) -> None:
        """Take over what another report of the same file found (a range read by a worker),
        unknown elements still warned once per name."""
        for problem in problems:
            if problem.rule == "unknown-element":
                if problem.field in self._unknown:
                    continue
                self._unknown.add(problem.field or "")
            self.problems.append(problem)
        self.repairs.update(repairs)
        self.met.update(met or {})
        self.quarantined += quarantined

    def attempt(
        self,
        rule: str,
        call: Callable[[], T],
        *,
        line: int | None = None,
        action: ProblemAction = ProblemAction.DROPPED_FIELD,
    ) -> T | None:
        """``call()``, or ``None`` with a problem when it raises :class:`InvalidValue`."""
        try:
            return call()
        except InvalidValue as exc:
            self.add(rule, exc.message, fiche=exc.fiche, field=exc.field, value=exc.value, line=line, action=action)
            return None

    def unknown_element(self, name: str, *, fiche: str | None, line: int | None) -> None:
        """Warn once per element name that the loader does not know (its content is not read)."""
        if name in self._unknown:
            return
        self._unknown.add(name)
        self.add(
            "unknown-element",
            f"element {name} is not known to the loader; its content was not read",
            fiche=fiche,
            field=name,
            line=line,
            severity=ProblemSeverity.WARNING,
            action=ProblemAction.DROPPED_FIELD,
        )

    def text(self, value: str | None) -> str | None:
        """:func:`normalise.text`, counting the repairs."""
        return normalise.text(value, self.repairs)

    def label(self, value: str) -> str | None:
        """:meth:`text` for short labels that repeat (code labels, names): normalised once, repairs counted each use."""
        known = self._labels.get(value)
        if known is None:
            repairs = normalise.Repairs()
            known = (normalise.text(value, repairs), repairs)
            if len(value) < 300:
                self._labels[value] = known
        self.repairs.update(known[1])
        return known[0]

    def fiche_number(self, raw: str | None, *, field: str, line: int | None) -> str | None:
        """The fiche number, or ``None`` (with a problem) when it cannot be read; loose forms warn."""
        if raw is None or not raw.strip():
            self.add(
                "missing-fiche-number",
                "no fiche number",
                field=field,
                line=line,
                action=ProblemAction.QUARANTINED_FICHE,
            )
            return None
        number = self.attempt(
            "invalid-fiche-number",
            lambda: normalise.fiche_number(raw, field=field),
            line=line,
            action=ProblemAction.QUARANTINED_FICHE,
        )
        if number is not None and number != raw.strip():
            self.repaired(
                "fiche-number-normalised",
                f"fiche number {raw.strip()!r} read as {number}",
                counted_as="fiche-number",
                fiche=number,
                field=field,
                value=raw,
                line=line,
            )
        return number

    def block_code(
        self, raw: str, *, fiche: str, field: str, line: int | None, action: ProblemAction = ProblemAction.DROPPED_FIELD
    ) -> str | None:
        """A block code of ``fiche``; ``RNCP32198BC1`` is padded to ``BC01``, ``RNCP35035BCRNCP35035BC01``
        read as ``RNCP35035BC01``, each with a warning (the value as given in the problem)."""
        given = normalise.code(raw).upper()
        for rule, pattern in (("block-code-padded", _SHORT_BLOCK), ("block-code-doubled-prefix", _DOUBLED_BLOCK)):
            match = pattern.match(given)
            if match and match.group(1) == fiche:
                repaired = f"{match.group(1)}BC{match.group(2).zfill(2)}"
                message = f"block code {raw!r} read as {repaired}"
                self.repaired(rule, message, fiche=fiche, field=field, value=raw, line=line)
                return repaired
        call = lambda: normalise.block_code(raw, fiche=fiche, field=field)  # noqa: E731
        return self.attempt("invalid-block-code", call, line=line, action=action)

    def code_repaired(self, rule: str, value: str, raw: str, *, fiche: str, field: str, line: int | None) -> str:
        """A code the normaliser accepted (``rule``: the rule of its refusal), repaired when its
        intended value is evident: ROME ``M1500`` is the field ``M15`` (``rome-field-padded``
        warning, the value as given in the problem). Any other code is returned as it is."""
        padded = _PADDED_ROME_FIELD.match(value) if rule == "invalid-rome" else None
        if padded is None:
            return value
        message = f"ROME code {raw!r} read as the professional field {padded.group(1)} (no occupation code ends in 00)"
        self.repaired("rome-field-padded", message, fiche=fiche, field=field, value=raw, line=line)
        return padded.group(1)

    def organisation(
        self,
        name: str | None,
        siret: str | None,
        *,
        fiche: str,
        field: str,
        siret_field: str,
        line: int | None,
        commercial_name: str | None = None,
        website: str | None = None,
    ) -> Organisation | None:
        """A certifier or partner; a SIRET failing its checksum is kept and warned about.

        :param field: the name's field (named by the problem of a row without a name);
            ``siret_field``, the SIRET's (named by an ``invalid-siret`` warning).
        """
        legal_name = self.label(name) if name is not None else None
        number = normalise.siret(siret) if siret and siret.strip() else None
        if siret and siret.startswith("\t"):
            self.repairs["siret-tab"] += 1
        if legal_name is None:
            self._unnamed(number, fiche=fiche, field=field, line=line)
            return None
        if number is not None and (broken := siret_fault(number)) is not None:
            self.add(
                "invalid-siret",
                f"SIRET {broken}; kept as given",
                fiche=fiche,
                field=siret_field,
                value=number,
                line=line,
                severity=ProblemSeverity.WARNING,
                action=ProblemAction.KEPT,
            )
        site = self.web_address(website, fiche=fiche, field=field, line=line)
        return Organisation(legal_name, number, self.text(commercial_name), site)

    def web_address(self, value: str | None, *, fiche: str, field: str, line: int | None) -> str | None:
        """A web address normalised by :func:`normalise.url` (``https://x.fr`` → ``https://x.fr/``;
        ``www.x.fr`` → ``http://www.x.fr/`` with a ``url-scheme-added`` warning). Text that is not
        an address is kept as given, as the exports always were (the mapping leaves out what is
        not an IRI)."""
        given = self.text(value)
        if given is None:
            return None
        try:
            address = normalise.url(given, fiche=fiche, field=field)
        except InvalidValue:
            return given
        if address.scheme_added:
            self.repaired(
                "url-scheme-added",
                f"web address without a scheme; read as {address.url}",
                fiche=fiche,
                field=field,
                value=given,
                line=line,
            )
        return address.url

    def _unnamed(self, siret: str | None, *, fiche: str, field: str, line: int | None) -> None:
        if siret is None:
            message, rule, severity = "organisation with neither name nor SIRET", "empty-row", ProblemSeverity.WARNING
        else:
            message, rule = "organisation without a name; left out", "missing-organisation-name"
            severity = ProblemSeverity.ERROR
        self.add(
            rule,
            message,
            fiche=fiche,
            field=field,
            value=siret,
            line=line,
            severity=severity,
            action=ProblemAction.DROPPED_ROW,
        )

    def check_dates(self, fiche: Fiche, *, line: int | None) -> None:
        """Warn when the registration ends before it was decided (both values kept)."""
        if fiche.expiry_date and fiche.decision_date and fiche.expiry_date < fiche.decision_date:
            self.add(
                "dates-inconsistent",
                f"registration ends ({fiche.expiry_date}) before its decision ({fiche.decision_date})",
                fiche=fiche.number,
                field="expiry_date",
                value=f"{fiche.expiry_date} < {fiche.decision_date}",
                line=line,
                severity=ProblemSeverity.WARNING,
                action=ProblemAction.KEPT,
            )


def append_unique(items: list[T], item: T, repairs: normalise.Repairs, what: str) -> None:
    """Append ``item`` unless already there (a repeated row or element is counted, not kept twice)."""
    if item in items:
        repairs[f"duplicate-{what}"] += 1
    else:
        items.append(item)


#: python-stdnum's exception → what the SIRET breaks, in the problem's message
SIRET_FAULTS: dict[type[stdnum_exceptions.ValidationError], str] = {
    stdnum_exceptions.InvalidChecksum: "fails its checksum (Luhn)",
    stdnum_exceptions.InvalidLength: "has the wrong length (14 digits expected)",
    stdnum_exceptions.InvalidFormat: "has the wrong format (digits only)",
}


def siret_fault(number: str) -> str | None:
    """What ``number`` breaks as a SIRET (checksum, length, format), or ``None`` when it is valid."""
    try:
        stdnum_siret.validate(number)
    except stdnum_exceptions.ValidationError as exc:
        return SIRET_FAULTS.get(type(exc), "is not a valid SIRET")
    return None
