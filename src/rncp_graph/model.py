"""Plain model objects produced by every loader and consumed by :mod:`rncp_graph.mapping`.

Loaders know their source format and nothing of RDF; the mapper knows the ontology and
nothing of source formats. These dataclasses are the contract between the two.
All strings are already normalised (NFC, whitespace collapsed, doubled apostrophes repaired)
by the loaders; dates are :class:`datetime.date`; an absent value is ``None`` or an empty list.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import date

log = logging.getLogger(__name__)


class Register(enum.Enum):
    """Which register a fiche belongs to, from its number prefix."""

    RNCP = "RNCP"
    RS = "RS"


class Status(enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class AccessRouteKind(enum.Enum):
    """The six access routes ("voies d'accès") every fiche lists, keyed as in the ontology scheme."""

    STUDENT = "student"  # Après un parcours de formation sous statut d'élève ou d'étudiant
    APPRENTICESHIP = "apprenticeship"  # En contrat d'apprentissage
    CONTINUING = "continuing-education"  # Après un parcours de formation continue
    PROFESSIONALISATION = "professionalisation"  # En contrat de professionnalisation
    INDIVIDUAL = "individual-application"  # Par candidature individuelle
    VAE = "vae"  # Par expérience (validation des acquis de l'expérience)


class CorrespondenceNature(enum.Enum):
    TOTAL = "total"
    PARTIAL = "partial"


class CorrespondenceKind(enum.Enum):
    """What the correspondence table of the fiche says the other certification is."""

    RNCP = "rncp"  # Certifications professionnelles enregistrées au RNCP en correspondance
    RS = "rs"  # Liens avec des certifications enregistrées au Répertoire spécifique
    EUROPEAN = "european"  # en correspondance au niveau européen ou international
    PREVIOUS_VERSION = "previous-version"  # Anciennes versions ... reconnues en correspondance (totale, partielle)


@dataclass(frozen=True)
class Code:
    """A code of a controlled list (ROME, NSF, Formacode) with the label the source gives."""

    code: str
    label: str | None = None


@dataclass(frozen=True)
class Organisation:
    """A certifier or a partner organisation."""

    legal_name: str
    siret: str | None = None
    commercial_name: str | None = None
    website: str | None = None


class CertifierAction(enum.Enum):
    """What a row of "Historique des changements de certificateurs" did to the certifier."""

    ADDED = "added"  # Est ajouté
    WITHDRAWN = "withdrawn"  # Est retiré


@dataclass(frozen=True)
class CertifierChange:
    """One row of "Historique des changements de certificateurs": who, added or withdrawn, when."""

    organisation: Organisation
    action: CertifierAction
    date: date | None = None


@dataclass(frozen=True)
class CertifierState:
    """The state the register gives a certifier of this fiche (XML ``ETAT_CERTIFICATEUR``, and
    ``DATE_DERNIERE_MODIFICATION_ETAT``). Only an active certifier is in :attr:`Fiche.certifiers`."""

    organisation: Organisation
    active: bool | None  # None: a state the loader does not know (reported), or only a date given
    date: date | None = None


@dataclass
class Block:
    """A competency block (``RNCP34808BC01``)."""

    code: str
    title: str | None = None
    competencies: list[str] = field(default_factory=list)
    evaluation: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class JobTypeGroup:
    """The job titles a fiche lists under one heading of its accessible job types (an option of
    the certification: ``Option « Solutions logicielles et applications métiers »``), with the
    sentence that introduces them when there is one."""

    heading: str
    titles: tuple[str, ...] = ()
    introduction: str | None = None


@dataclass(frozen=True)
class Correspondence:
    """A correspondence with another certification, or between two blocks."""

    target: str  # fiche number of the other certification
    kind: CorrespondenceKind = CorrespondenceKind.RNCP
    target_title: str | None = None
    nature: CorrespondenceNature | None = None
    text: str | None = None
    source_block: str | None = None  # block code of this fiche
    #: blocks of the other fiche, all needed together (a page's ``ET`` group); empty: the whole certification
    target_blocks: tuple[str, ...] = ()
    #: the target block cells as the fiche writes them, code and title ("RNCP35419BC01 - Gestion…")
    target_blocks_as_cited: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkedFiche:
    """A predecessor or successor named on the fiche (number and the title given there)."""

    number: str
    title: str | None = None


@dataclass(frozen=True)
class AccessRoute:
    route: AccessRouteKind
    open: bool
    jury: str | None = None
    modified: date | None = None


@dataclass(frozen=True)
class Statistic:
    """One row of the yearly statistics table. Rates are percentages (0–100)."""

    year: int
    certified: int | None = None
    certified_vae: int | None = None
    insertion_6_months: int | None = None
    insertion_job_6_months: int | None = None
    insertion_job_2_years: int | None = None


@dataclass(frozen=True)
class LegalReference:
    """A reference published in the Journal officiel / Bulletin officiel."""

    text: str
    date: date | None = None
    kind: str = "registration"  # "registration" or "other" (passerelles...)


@dataclass
class Fiche:
    """Everything a fiche says, whatever the source format."""

    number: str
    source: str
    number_inferred: bool = False
    title: str | None = None
    status: Status | None = None
    level: int | None = None
    nsf: list[Code] = field(default_factory=list)
    formacodes: list[Code] = field(default_factory=list)
    rome: list[Code] = field(default_factory=list)
    certifiers: list[Organisation] = field(default_factory=list)  # current certifiers only
    certifier_states: list[CertifierState] = field(default_factory=list)
    certifier_changes: list[CertifierChange] = field(default_factory=list)
    partners: list[Organisation] = field(default_factory=list)
    expiry_date: date | None = None
    decision_date: date | None = None
    last_delivery_date: date | None = None
    last_jo_date: date | None = None
    registration_type: str | None = None
    registration_years: int | None = None
    objectives: str | None = None
    activities: list[str] = field(default_factory=list)
    competencies: list[str] = field(default_factory=list)
    evaluation: str | None = None
    blocks: list[Block] = field(default_factory=list)
    block_acquisition: str | None = None
    sectors: str | None = None
    job_types: list[str] = field(default_factory=list)
    job_type_groups: list[JobTypeGroup] = field(default_factory=list)  # per option, when the list has options
    job_types_text: str | None = None  # the whole list as the source gives it, one line per line
    regulation: str | None = None
    entry_prerequisites: str | None = None
    validation_prerequisites: str | None = None
    distinct_block_prerequisites: bool | None = None
    access_routes: list[AccessRoute] = field(default_factory=list)
    new_caledonia: bool | None = None
    french_polynesia: bool | None = None
    correspondences: list[Correspondence] = field(default_factory=list)
    predecessors: list[LinkedFiche] = field(default_factory=list)
    successors: list[LinkedFiche] = field(default_factory=list)
    legal_references: list[LegalReference] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    description_url: str | None = None
    #: further addresses of the description (the XML's LIEN_URL_DESCRIPTION may hold several)
    more_description_urls: list[str] = field(default_factory=list)
    promotions: list[int] = field(default_factory=list)
    training_bodies_note: str | None = None
    idcc: list[str] = field(default_factory=list)
    partial_validation: bool | None = None
    # Carried by the official exports (XML flux v4.1 and CSV); not mapped to triples yet.
    abbreviation: Code | None = None  # diploma type: ABREGE/(CODE, LIBELLE); CSV Abrege_Libelle, Abrege_Intitule
    record_state: str | None = None  # ETAT_FICHE: "Publiée", "Dépubliée/Archivée"... (not the ACTIF status)
    effective_date: date | None = None  # DATE_EFFET; CSV Date_Effet
    publication_date: date | None = None  # DATE_DE_PUBLICATION
    collective_agreements: list[Code] = field(default_factory=list)  # CCN_1..3/(NUMERO, LIBELLE); CSV CCN table

    @property
    def register(self) -> Register:
        return Register.RS if self.number.startswith("RS") else Register.RNCP


class ProblemSeverity(enum.StrEnum):
    """How bad a :class:`Problem` is (``errors.jsonl``'s ``severity``). Not SHACL's
    :class:`rncp_graph.validate.Severity`, which grades the results of shapes."""

    #: the graph lost, or holds unrepaired, something the source states (exit code 4)
    ERROR = "error"
    #: kept or repaired with a caveat, or about what the graph does not hold
    WARNING = "warning"


class ProblemAction(enum.StrEnum):
    """What was done about a :class:`Problem` (``errors.jsonl``'s ``action``); the table of
    ``docs/errors.md`` says when each is used."""

    QUARANTINED_FICHE = "quarantined-fiche"
    DROPPED_FICHE = "dropped-fiche"
    DROPPED_FILE = "dropped-file"
    DROPPED_ROW = "dropped-row"
    DROPPED_FIELD = "dropped-field"
    DROPPED_VALUE = "dropped-value"
    REPAIRED = "repaired"
    KEPT = "kept"
    KEPT_BOTH = "kept-both"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem met while reading a source; a line of ``errors.jsonl`` (``docs/errors.md``).

    ``severity`` and ``action`` given as strings (a row read back) are checked: an unknown one
    raises :class:`ValueError`.
    """

    file: str
    rule: str
    message: str
    fiche: str | None = None
    field: str | None = None
    value: str | None = None
    line: int | None = None
    severity: ProblemSeverity = ProblemSeverity.ERROR
    action: ProblemAction = ProblemAction.QUARANTINED_FICHE

    def __post_init__(self) -> None:
        for name, kind in (("severity", ProblemSeverity), ("action", ProblemAction)):
            given = getattr(self, name)
            if not isinstance(given, kind):
                object.__setattr__(self, name, _member(kind, given, name, self))

    def as_dict(self) -> dict[str, object]:
        return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in self.__dict__.items() if v is not None}


def _member(kind: type[ProblemSeverity] | type[ProblemAction], given: object, name: str, problem: Problem) -> enum.Enum:
    """``given`` as a member of ``kind``; an unknown value raises :class:`ValueError` naming the problem."""
    if isinstance(given, str) and given in kind._value2member_map_:
        return kind(given)
    known = ", ".join(member.value for member in kind)
    raise ValueError(f"{problem.file}: problem {problem.rule!r} has an unknown {name} {given!r} (one of {known})")


@dataclass
class ProblemLog:
    """The problems met while reading one source, in the order met: every loader records its
    problems here (:meth:`add`), each logged at DEBUG as it is recorded (they all go to
    ``errors.jsonl``), and the source's summary once (:meth:`log_summary`).

    :param file: the name problems are reported under.
    :param fiche: the fiche of a problem that names none (a page's, once read).
    """

    file: str
    fiche: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        rule: str,
        message: str,
        *,
        fiche: str | None = None,
        field: str | None = None,
        value: str | None = None,
        line: int | None = None,
        severity: ProblemSeverity = ProblemSeverity.ERROR,
        action: ProblemAction = ProblemAction.DROPPED_FIELD,
        file: str | None = None,
    ) -> None:
        """Record one problem (``file``: another than :attr:`file`, a member of an archive)."""
        problem = Problem(file or self.file, rule, message, fiche or self.fiche, field, value, line, severity, action)
        self.problems.append(problem)
        where = problem.file if line is None else f"{problem.file}, line {line}"
        log.debug("[%s] %s: %s (%s)", problem.fiche or "-", rule, message, where)

    def warn(
        self,
        rule: str,
        message: str,
        *,
        fiche: str | None = None,
        field: str | None = None,
        value: str | None = None,
        line: int | None = None,
    ) -> None:
        """Record a warning: nothing was dropped, but a reader should know."""
        self.add(
            rule,
            message,
            fiche=fiche,
            field=field,
            value=value,
            line=line,
            severity=ProblemSeverity.WARNING,
            action=ProblemAction.WARNING,
        )

    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is ProblemSeverity.ERROR)

    def log_summary(self, logger: logging.Logger, loaded: int, quarantined: int) -> None:
        """One line for the source: WARNING when it lost something (an error, a quarantined
        fiche), else INFO."""
        errors = self.errors()
        logger.log(
            logging.WARNING if errors or quarantined else logging.INFO,
            "%s: %d fiches read, %d quarantined, %d problems (%d errors)",
            self.file,
            loaded,
            quarantined,
            len(self.problems),
            errors,
        )


@dataclass
class SectionCoverage:
    """Which sections of one page were recognised and mapped, and which headings were not."""

    file: str
    fiche: str | None
    recognised: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    #: the line of each unrecognised heading, in the same order
    unrecognised_lines: list[int] = field(default_factory=list)


@dataclass
class LoadResult:
    """What a loader returns for one source: the fiches read and every problem met."""

    source: str
    fiches: list[Fiche] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    coverage: list[SectionCoverage] = field(default_factory=list)
    quarantined: int = 0
    repairs: dict[str, int] = field(default_factory=dict)
    export_date: date | None = None
    loader: str = ""
    #: what the source held, for the coverage report: XML element (path under ``FICHE``, or a
    #: child of the root) or CSV ``table.column`` → how many times it was met with a value
    met: dict[str, int] = field(default_factory=dict)
