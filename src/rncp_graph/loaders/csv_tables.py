"""The tables of the official CSV export (``export_fiches_CSV_<table>_<date>.csv``): columns, and
how each row fills the model.

``Standard`` gives one fiche per row; every other table adds rows to the fiches it names (a
row naming a fiche absent from ``Standard`` is reported and dropped). :data:`TABLES` is the
one place that knows the columns: it drives the header check, which columns may hold line
breaks, and which function applies a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import normalise
from ..model import AccessRoute, Block, Code, Fiche, LinkedFiche, ProblemAction, ProblemSeverity, Status
from .export_common import ROUTE_LABELS, SourceLog, append_unique, label_key


@dataclass(frozen=True)
class Row:
    """One data row: the line it starts on and its values by column."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


@dataclass
class Assembly:
    """The fiches being built from the tables, by number, in ``Standard`` order."""

    report: SourceLog
    fiches: dict[str, Fiche] = field(default_factory=dict)
    standard_rows: dict[str, Row] = field(default_factory=dict)

    def target(self, table: str, row: Row) -> Fiche | None:
        """The fiche a side-table row is about, or ``None`` (reported) when ``Standard`` lacks it."""
        raw = row["Numero_Fiche"]
        number = raw if raw in self.fiches else normalise.code(raw).upper()
        fiche = self.fiches.get(number)
        if fiche is None:
            self.report.add(
                "orphan-row",
                f"{table} row for a fiche that is not in Standard; row dropped",
                fiche=number or None,
                field="Numero_Fiche",
                value=row["Numero_Fiche"],
                line=row.line,
                severity=ProblemSeverity.WARNING,
                action=ProblemAction.DROPPED_ROW,
            )
        return fiche


#: applies one side-table row to its fiche; ``False`` when the row was dropped (and reported)
Apply = Callable[[Assembly, Fiche, Row], bool]


@dataclass(frozen=True)
class Table:
    """One CSV table: its columns (in order), the free-text columns that may span lines, its row handler."""

    name: str
    columns: tuple[str, ...]
    apply: Apply | None
    multiline: frozenset[str] = frozenset()
    required: bool = False


_STATUS = {"ACTIVE": Status.ACTIVE, "INACTIVE": Status.INACTIVE}
STANDARD_COLUMNS = (
    "Id_Fiche",
    "Numero_Fiche",
    "Intitule",
    "Abrege_Libelle",
    "Abrege_Intitule",
    "Nomenclature_Europe_Niveau",
    "Nomenclature_Europe_Intitule",
    "Accessible_Nouvelle_Caledonie",
    "Accessible_Polynesie_Francaise",
    "Date_dernier_jo",
    "Date_Decision",
    "Date_Fin_Enregistrement",
    "Date_Effet",
    "Type_Enregistrement",
    "Validation_Partielle",
    "Actif",
)
_DATES = {
    "Date_dernier_jo": "last_jo_date",
    "Date_Decision": "decision_date",
    "Date_Fin_Enregistrement": "expiry_date",
    "Date_Effet": "effective_date",
}
_BOOLEANS = {
    "Accessible_Nouvelle_Caledonie": "new_caledonia",
    "Accessible_Polynesie_Francaise": "french_polynesia",
    "Validation_Partielle": "partial_validation",
}


def standard_fiche(report: SourceLog, row: Row, number: str, source: str) -> Fiche:
    """A fiche from its ``Standard`` row; a bad value is reported and left out, the fiche kept."""
    fiche = Fiche(number=number, source=source)
    fiche.title = report.text(row["Intitule"])
    fiche.registration_type = report.label(row["Type_Enregistrement"])
    abbreviation = report.label(row["Abrege_Libelle"])
    if abbreviation is not None:
        fiche.abbreviation = Code(abbreviation, report.label(row["Abrege_Intitule"]))
    level = row["Nomenclature_Europe_Niveau"]
    if level.strip():
        fiche.level = report.attempt("invalid-level", lambda: normalise.level(level, fiche=number), line=row.line)
    for column, attr in _DATES.items():
        if row[column].strip():
            value = row[column]
            call = lambda value=value, column=column: normalise.parse_date(value, fiche=number, field=column)  # noqa: E731
            setattr(fiche, attr, report.attempt("invalid-date", call, line=row.line))
    for column, attr in _BOOLEANS.items():
        if row[column].strip():
            value = row[column]
            call2 = lambda value=value, column=column: normalise.yes_no(value, fiche=number, field=column)  # noqa: E731
            setattr(fiche, attr, report.attempt("invalid-boolean", call2, line=row.line))
    status = normalise.code(row["Actif"]).upper()
    if status:
        fiche.status = _STATUS.get(status)
        if fiche.status is None:
            report.add(
                "invalid-status", "not ACTIVE/INACTIVE", fiche=number, field="Actif", value=row["Actif"], line=row.line
            )
    report.check_dates(fiche, line=row.line)
    return fiche


def _code(attr: str, column: str, label_column: str, check: Callable[..., str], rule: str) -> Apply:
    """ROME / NSF / Formacode rows; a bad code drops the link (reported), the fiche is kept."""

    def apply(asm: Assembly, fiche: Fiche, row: Row) -> bool:
        raw = row[column]
        value = asm.report.attempt(
            rule, lambda: check(raw, fiche=fiche.number), line=row.line, action=ProblemAction.DROPPED_ROW
        )
        if value is None:
            return False
        value = asm.report.code_repaired(rule, value, raw, fiche=fiche.number, field=column, line=row.line)
        label = asm.report.label(_strip_code_prefix(row[label_column], value))
        append_unique(getattr(fiche, attr), Code(value, label), asm.report.repairs, "code")
        return True

    return apply


def _strip_code_prefix(label: str, value: str) -> str:
    """``"326 : Informatique…"`` → ``"Informatique…"`` (NSF and Formacode labels repeat their code)."""
    head, sep, tail = label.partition(":")
    return tail.strip() if sep and normalise.code(head).casefold() == value.casefold() else label


def _organisation(attr: str, name_column: str, siret_column: str) -> Apply:
    def apply(asm: Assembly, fiche: Fiche, row: Row) -> bool:
        org = asm.report.organisation(
            row[name_column],
            row[siret_column],
            fiche=fiche.number,
            field=name_column,
            siret_field=siret_column,
            line=row.line,
        )
        if org is None:
            return False
        append_unique(getattr(fiche, attr), org, asm.report.repairs, "organisation")
        return True

    return apply


def _block(asm: Assembly, fiche: Fiche, row: Row) -> bool:
    code = asm.report.block_code(
        row["Bloc_Competences_Code"],
        fiche=fiche.number,
        field="Bloc_Competences_Code",
        line=row.line,
        action=ProblemAction.DROPPED_ROW,
    )
    if code is None:
        return False
    block = Block(code, asm.report.text(row["Bloc_Competences_Libelle"]))
    known = next((b for b in fiche.blocks if b.code == code), None)
    if known is None:
        fiche.blocks.append(block)
        return True
    if known != block:
        asm.report.add(
            "duplicate-block",
            f"block {code} given twice with different labels; first kept",
            fiche=fiche.number,
            field="Bloc_Competences_Libelle",
            value=block.title,
            line=row.line,
            action=ProblemAction.DROPPED_ROW,
        )
        return False
    asm.report.repairs["duplicate-block"] += 1
    return True


def _agreements(asm: Assembly, fiche: Fiche, row: Row) -> bool:
    """``CCN``: up to three collective agreements (brochure number and label) per row."""
    found = False
    for i in (1, 2, 3):
        number = asm.report.label(row[f"Ccn_{i}_Numero"])
        if number is not None:
            agreement = Code(number, asm.report.label(row[f"Ccn_{i}_Libelle"]))
            append_unique(fiche.collective_agreements, agreement, asm.report.repairs, "code")
            found = True
    if not found:
        asm.report.add(
            "empty-row",
            "CCN row without any agreement",
            fiche=fiche.number,
            line=row.line,
            severity=ProblemSeverity.WARNING,
            action=ProblemAction.DROPPED_ROW,
        )
    return found


def _route(asm: Assembly, fiche: Fiche, row: Row) -> bool:
    kind = ROUTE_LABELS.get(label_key(row["Si_Jury"]))
    if kind is None:
        asm.report.add(
            "unknown-access-route",
            "unknown access route label",
            fiche=fiche.number,
            field="Si_Jury",
            value=row["Si_Jury"],
            line=row.line,
            action=ProblemAction.DROPPED_ROW,
        )
        return False
    append_unique(fiche.access_routes, AccessRoute(kind, True), asm.report.repairs, "access-route")
    return True


def _lineage(asm: Assembly, fiche: Fiche, row: Row) -> bool:
    ok = True
    for column, attr in (("Ancienne_Certification", "predecessors"), ("Nouvelle_Certification", "successors")):
        if row[column].strip():
            number = asm.report.fiche_number(row[column], field=column, line=row.line)
            if number is None:
                ok = False
                continue
            append_unique(getattr(fiche, attr), LinkedFiche(number), asm.report.repairs, "lineage")
    return ok


#: every table of the export, in reading order (Standard first)
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("Standard", STANDARD_COLUMNS, None, frozenset({"Intitule", "Abrege_Intitule"}), required=True),
        Table(
            "Blocs_De_Compétences",
            ("Numero_Fiche", "Bloc_Competences_Code", "Bloc_Competences_Libelle"),
            _block,
            frozenset({"Bloc_Competences_Libelle"}),
        ),
        Table(
            "Rome",
            ("Numero_Fiche", "Codes_Rome_Code", "Codes_Rome_Libelle"),
            _code("rome", "Codes_Rome_Code", "Codes_Rome_Libelle", normalise.rome_code, "invalid-rome"),
        ),
        Table(
            "Nsf",
            ("Numero_Fiche", "Nsf_Code", "Nsf_Intitule"),
            _code("nsf", "Nsf_Code", "Nsf_Intitule", normalise.nsf_code, "invalid-nsf"),
        ),
        Table(
            "Formacode",
            ("Numero_Fiche", "Formacode_Code", "Formacode_Libelle"),
            _code("formacodes", "Formacode_Code", "Formacode_Libelle", normalise.formacode, "invalid-formacode"),
        ),
        Table(
            "Certificateurs",
            ("Numero_Fiche", "Siret_Certificateur", "Nom_Certificateur"),
            _organisation("certifiers", "Nom_Certificateur", "Siret_Certificateur"),
            frozenset({"Nom_Certificateur"}),
        ),
        Table(
            "Partenaires",
            ("Numero_Fiche", "Nom_Partenaire", "Siret_Partenaire", "Habilitation_Partenaire"),
            _organisation("partners", "Nom_Partenaire", "Siret_Partenaire"),
            frozenset({"Nom_Partenaire"}),
        ),
        Table("VoixdAccès", ("Numero_Fiche", "Si_Jury"), _route),
        Table(
            "CCN",
            ("Numero_Fiche", *(f"Ccn_{i}_{part}" for i in (1, 2, 3) for part in ("Numero", "Libelle"))),
            _agreements,
            frozenset({"Ccn_1_Libelle", "Ccn_2_Libelle", "Ccn_3_Libelle"}),
        ),
        Table(
            "Ancienne_Nouvelle_Certification",
            ("Numero_Fiche", "Ancienne_Certification", "Nouvelle_Certification"),
            _lineage,
        ),
    )
}
_BY_KEY = {label_key(name): name for name in TABLES}


def table_named(name: str) -> Table | None:
    """The table a file-name part designates (``Blocs_De_Compétences``, whatever its case or form)."""
    key = _BY_KEY.get(label_key(name))
    return TABLES[key] if key else None


_STANDARD_FIELDS = {
    "Numero_Fiche": "number",
    "Intitule": "title",
    "Abrege_Libelle": "abbreviation.code",
    "Abrege_Intitule": "abbreviation.label",
    "Nomenclature_Europe_Niveau": "level",
    **_DATES,
    **_BOOLEANS,
    "Type_Enregistrement": "registration_type",
    "Actif": "status",
}

#: Every column read: table → column → the model field it fills (``Fiche`` attribute or
#: ``attribute.part``). The coverage table (:mod:`.coverage`) is generated from it and
#: :data:`NOT_MAPPED_COLUMNS`; ``tests/test_coverage.py`` checks that together they name every
#: column of :data:`TABLES`, and that blanking a column changes the fiches exactly when it is mapped.
COLUMN_FIELDS: dict[str, dict[str, str]] = {
    "Standard": _STANDARD_FIELDS,
    "Blocs_De_Compétences": {
        "Numero_Fiche": "blocks",
        "Bloc_Competences_Code": "blocks.code",
        "Bloc_Competences_Libelle": "blocks.title",
    },
    "Rome": {"Numero_Fiche": "rome", "Codes_Rome_Code": "rome.code", "Codes_Rome_Libelle": "rome.label"},
    "Nsf": {"Numero_Fiche": "nsf", "Nsf_Code": "nsf.code", "Nsf_Intitule": "nsf.label"},
    "Formacode": {
        "Numero_Fiche": "formacodes",
        "Formacode_Code": "formacodes.code",
        "Formacode_Libelle": "formacodes.label",
    },
    "Certificateurs": {
        "Numero_Fiche": "certifiers",
        "Siret_Certificateur": "certifiers.siret",
        "Nom_Certificateur": "certifiers.legal_name",
    },
    "Partenaires": {
        "Numero_Fiche": "partners",
        "Nom_Partenaire": "partners.legal_name",
        "Siret_Partenaire": "partners.siret",
    },
    "VoixdAccès": {"Numero_Fiche": "access_routes", "Si_Jury": "access_routes.route"},
    "CCN": {
        "Numero_Fiche": "collective_agreements",
        **{f"Ccn_{i}_Numero": "collective_agreements.code" for i in (1, 2, 3)},
        **{f"Ccn_{i}_Libelle": "collective_agreements.label" for i in (1, 2, 3)},
    },
    "Ancienne_Nouvelle_Certification": {
        "Numero_Fiche": "predecessors",
        "Ancienne_Certification": "predecessors",
        "Nouvelle_Certification": "successors",
    },
}

#: Columns not read: table → column → why.
NOT_MAPPED_COLUMNS: dict[str, dict[str, str]] = {
    "Standard": {
        "Id_Fiche": "France Compétences' internal id; the fiche number identifies the fiche",
        "Nomenclature_Europe_Intitule": "the level's label; the level is kept (rncp:level → its concept's label)",
    },
    "Partenaires": {"Habilitation_Partenaire": "what the partner is empowered to do: no field in the model"},
}
