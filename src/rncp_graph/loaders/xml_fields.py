"""One ``FICHE`` element of the XML export (flux v4.1) → one :class:`~rncp_graph.model.Fiche`.

Every child of ``FICHE`` is either read by its handler in :data:`FICHE_ELEMENTS`, or listed
in :data:`NOT_MAPPED` with the reason the model has no place for it, or reported once per
source as ``unknown-element`` — never skipped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lxml import etree

from .. import normalise
from ..model import Code, Fiche, JobTypeGroup, Status
from . import mojibake
from .export_common import JURY_ELEMENTS, SourceLog, append_unique
from .xml_context import Element, FicheContext, line_of
from .xml_parts import (
    STAT_FIELDS,
    Handler,
    blocks,
    code_list,
    correspondences,
    idcc,
    jury,
    lineage,
    organisations,
    publications,
    statistics,
)

_STATUS = {True: Status.ACTIVE, False: Status.INACTIVE}


def _text(attr: str) -> Handler:
    return lambda ctx, el: setattr(ctx.fiche, attr, ctx.text(el))


def _items(attr: str) -> Handler:
    return lambda ctx, el: setattr(ctx.fiche, attr, ctx.items(el))


def _date(attr: str) -> Handler:
    return lambda ctx, el: setattr(ctx.fiche, attr, ctx.date(el))


def _boolean(attr: str) -> Handler:
    return lambda ctx, el: setattr(ctx.fiche, attr, ctx.boolean(el))


def _job_types(ctx: FicheContext, el: Element) -> None:
    """``TYPE_EMPLOI_ACCESSIBLES``: the job titles, without the lines introducing them
    (:func:`normalise.without_list_headings`) and without repeats; the titles again per option
    heading with the sentence introducing them (:func:`job_type_groups`); and the whole list,
    one line per line, as the source gives it."""
    items = ctx.items(el)
    ctx.fiche.job_types = normalise.without_list_headings(items, ctx.report.repairs)
    ctx.fiche.job_type_groups = job_type_groups(items)
    ctx.fiche.job_types_text = "\n".join(items) or None


def job_type_groups(items: list[str]) -> list[JobTypeGroup]:
    """The titles under each option heading (``Option « … » :``), with the lines ending in ``:``
    that introduce them; a list without option headings has no groups (``[]``). Lines before
    the first heading belong to no group (they stay in the whole text)."""
    groups: list[JobTypeGroup] = []
    for item in items:
        if normalise.is_option_heading(item):
            groups.append(JobTypeGroup(item.removesuffix(":").rstrip()))
        elif groups and item.endswith(":") and not groups[-1].titles:
            intro = " ".join(filter(None, (groups[-1].introduction, item)))
            groups[-1] = dataclasses.replace(groups[-1], introduction=intro)
        elif groups and not item.endswith(":"):
            groups[-1] = dataclasses.replace(groups[-1], titles=(*groups[-1].titles, item))
    return groups


def _promotion_years(ctx: FicheContext, el: Element) -> None:
    """``ANNEES_PROMOTIONS_NIVEAU/ANNEE``: the years of award whose promotions may benefit from the
    level granted (the pages' « Promotions (année d'obtention) pouvant bénéficier du niveau de
    qualification octroyé »); one year as the element's own text is read too. A value that is no
    year (1900–2100) is reported (``invalid-number``) and dropped."""
    items = ctx.records(el, "ANNEE") if len(el) else [el]
    years = {ctx.integer(item, low=1900, high=2100) for item in items}
    ctx.fiche.promotions = sorted(y for y in years if y is not None)


def _years(ctx: FicheContext, el: Element) -> None:
    ctx.fiche.registration_years = ctx.integer(el, low=0, high=100)


def _status(ctx: FicheContext, el: Element) -> None:
    active = ctx.boolean(el)
    ctx.fiche.status = _STATUS[active] if active is not None else None


def _level(ctx: FicheContext, el: Element) -> None:
    """``NOMENCLATURE_EUROPE/NIVEAU``: ``NIV3``…``NIV8``; ``REPRISE`` (no level) → ``None``; else a problem."""
    found = ctx.fields(el, frozenset({"NIVEAU", "LIBELLE", "INTITULE"}))
    raw = ctx.raw(found["NIVEAU"]) if "NIVEAU" in found else None
    if raw is not None and raw.strip():
        ctx.fiche.level = ctx.report.attempt(
            "invalid-level", lambda: normalise.level(raw, fiche=ctx.number), line=line_of(found["NIVEAU"])
        )


def _url(ctx: FicheContext, el: Element) -> None:
    """``LIEN_URL_DESCRIPTION``: the addresses it holds, separated by white space
    (:meth:`SourceLog.web_address` each): the first in ``description_url``, the others in
    ``more_description_urls`` (all are ``rncp:descriptionPage``)."""
    urls = [
        ctx.report.web_address(url, fiche=ctx.number, field=str(el.tag), line=line_of(el))
        for url in (ctx.raw(el) or "").split()
    ]
    found = [url for url in urls if url]
    ctx.fiche.description_url = found[0] if found else None
    ctx.fiche.more_description_urls = found[1:]


def _abbreviation(ctx: FicheContext, el: Element) -> None:
    """``ABREGE/(CODE, LIBELLE)``: the diploma type (``BTS``, ``Brevet de technicien supérieur``)."""
    found = ctx.fields(el, frozenset({"CODE", "LIBELLE"}))
    code = ctx.field_text(found, "CODE")
    if code is not None:
        ctx.fiche.abbreviation = Code(code, ctx.field_text(found, "LIBELLE"))


def _agreement(ctx: FicheContext, el: Element) -> None:
    """``CCN_1``..``CCN_3/(NUMERO, LIBELLE)``: a collective agreement by brochure number (not an IDCC)."""
    found = ctx.fields(el, frozenset({"NUMERO", "LIBELLE"}))
    number = ctx.field_text(found, "NUMERO")
    if number is not None:
        append_unique(
            ctx.fiche.collective_agreements, Code(number, ctx.field_text(found, "LIBELLE")), ctx.report.repairs, "code"
        )


def _ignore(ctx: FicheContext, el: Element) -> None:
    """Already read (``NUMERO_FICHE``)."""


#: child element of ``FICHE`` → handler (tables, not if-chains)
FICHE_ELEMENTS: dict[str, Handler] = {
    "NUMERO_FICHE": _ignore,
    "INTITULE": _text("title"),
    "ABREGE": _abbreviation,
    "ETAT_FICHE": _text("record_state"),
    "ACTIF": _status,
    "NOMENCLATURE_EUROPE": _level,
    "CODES_NSF": code_list("nsf", "NSF", normalise.nsf_code, "invalid-nsf"),
    "FORMACODES": code_list("formacodes", "FORMACODE", normalise.formacode, "invalid-formacode"),
    "CODES_ROME": code_list("rome", "ROME", normalise.rome_code, "invalid-rome"),
    "CERTIFICATEURS": organisations("certifiers", "CERTIFICATEUR", "CERTIFICATEUR"),
    "PARTENAIRES": organisations("partners", "PARTENAIRE", "PARTENAIRE"),
    "BLOCS_COMPETENCES": blocks,
    "ACTIVITES_VISEES": _items("activities"),
    "CAPACITES_ATTESTEES": _items("competencies"),
    "SECTEURS_ACTIVITE": _text("sectors"),
    "TYPE_EMPLOI_ACCESSIBLES": _job_types,
    "REGLEMENTATIONS_ACTIVITES": _text("regulation"),
    "OBJECTIFS_CONTEXTE": _text("objectives"),
    "PREREQUIS_ENTREE_FORMATION": _text("entry_prerequisites"),
    "PREREQUIS_VALIDATION_CERTIFICATION": _text("validation_prerequisites"),
    **dict.fromkeys(JURY_ELEMENTS, jury),
    "ACCESSIBLE_NOUVELLE_CALEDONIE": _boolean("new_caledonia"),
    "ACCESSIBLE_POLYNESIE_FRANCAISE": _boolean("french_polynesia"),
    "NOUVELLE_CALEDONIE": _boolean("new_caledonia"),
    "POLYNESIE_FRANCAISE": _boolean("french_polynesia"),
    "CORRESPONDANCES": correspondences,
    "ANCIENNES_CERTIFICATIONS": lineage("predecessors", "ANCIENNE_CERTIFICATION", "ID_FICHE_ANCIENNE_CERTIFICATION"),
    "NOUVELLES_CERTIFICATIONS": lineage("successors", "NOUVELLE_CERTIFICATION", "ID_FICHE_NOUVELLE_CERTIFICATION"),
    "ANCIENNE_CERTIFICATION": lineage("predecessors", "ANCIENNE_CERTIFICATION", "ID_FICHE_ANCIENNE_CERTIFICATION"),
    "NOUVELLE_CERTIFICATION": lineage("successors", "NOUVELLE_CERTIFICATION", "ID_FICHE_NOUVELLE_CERTIFICATION"),
    "DATE_DECISION": _date("decision_date"),
    "DATE_FIN_ENREGISTREMENT": _date("expiry_date"),
    "DATE_LIMITE_DELIVRANCE": _date("last_delivery_date"),
    "DATE_DERNIER_JO": _date("last_jo_date"),
    "DATE_EFFET": _date("effective_date"),
    "DATE_DE_PUBLICATION": _date("publication_date"),
    "TYPE_ENREGISTREMENT": _text("registration_type"),
    "DUREE_ENREGISTREMENT": _years,
    "STATISTIQUES_PROMOTIONS": statistics,
    "ANNEES_PROMOTIONS_NIVEAU": _promotion_years,
    "CODES_IDCC": idcc,
    **dict.fromkeys(("CCN_1", "CCN_2", "CCN_3"), _agreement),
    "VALIDATION_PARTIELLE": _boolean("partial_validation"),
    "LIEN_URL_DESCRIPTION": _url,
    "PUBLICATION_DECRET_GENERAL": publications("other"),
    "PUBLICATION_DECRET_CREATION": publications("registration"),
    "PUBLICATION_DECRET_AUTRE": publications("other"),
}

#: Known elements the model has no field for: element → why it is not read.
NOT_MAPPED: dict[str, str] = {
    "ID_FICHE": "France Compétences' internal id; the fiche number identifies the fiche",
    "EXISTENCE_PARTENAIRES": "Oui/Non; the PARTENAIRES list says the same",
    "DATE_DERNIERE_MODIFICATION": "date of the fiche's last change: no field in the model",
    "DUREE_VALIDITE": "RS: validity of the certification for its holder: no field in the model",
    "NIVEAU_MAITRISE_COMPETENCES": "RS: expected mastery level (text): no field in the model",
    "MODALITES_RENOUVELLEMENT": "RS: renewal conditions (text): no field in the model",
    "VALIDATION_PARTIELLE_PERIMETRE": "RS: scope of partial validation (text): no field in the model",
}


def fiche_from_element(el: Element, report: SourceLog) -> Fiche | None:
    """The fiche a ``FICHE`` element describes, or ``None`` (quarantined, with a problem) without a valid number."""
    number_el = el.find("NUMERO_FICHE")
    raw = (number_el.text or "") if number_el is not None else None
    number = report.fiche_number(raw, field="NUMERO_FICHE", line=line_of(el))
    if number is None:
        report.quarantined += 1
        return None
    ctx = FicheContext(report, Fiche(number=number, source=report.file))
    met = report.met
    for child in ctx.children(el):
        met[child.tag] += 1
        handler: Callable[[FicheContext, Element], None] | None = FICHE_ELEMENTS.get(str(child.tag))
        if handler is not None:
            handler(ctx, child)
        elif child.tag not in NOT_MAPPED:
            report.unknown_element(str(child.tag), fiche=number, line=line_of(child))
    report.check_dates(ctx.fiche, line=line_of(el))
    if normalise.has_mojibake(etree.tostring(el, method="text", encoding="unicode")):
        mojibake.check_fiche(ctx.fiche, problems=report, repairs=report.repairs, line=line_of(el))
    return ctx.fiche


def _organisation_paths(container: str, record: str, role: str, attr: str) -> dict[str, str]:
    path = f"{container}/{record}"
    return {
        container: attr,
        path: attr,
        f"{path}/NOM_{role}": f"{attr}.legal_name",
        f"{path}/SIRET_{role}": f"{attr}.siret",
        f"{path}/NOM_COMMERCIAL": f"{attr}.commercial_name",
        f"{path}/SITE_INTERNET": f"{attr}.website",
    }


def _code_paths(container: str, record: str, attr: str) -> dict[str, str]:
    path = f"{container}/{record}"
    return {
        container: attr,
        path: attr,
        f"{path}/CODE": f"{attr}.code",
        f"{path}/LIBELLE": f"{attr}.label",
        f"{path}/INTITULE": f"{attr}.label",
    }


def _lineage_paths(container: str, record: str, number_tag: str, attr: str) -> dict[str, str]:
    return {
        container: attr,
        f"{container}/{record}": attr,
        f"{container}/{record}/{number_tag}": attr,
        f"{container}/{record}/INTITULE": f"{attr}.title",
        record: attr,
    }


def _correspondence_paths() -> dict[str, str]:
    top, dest = "CORRESPONDANCES/CORRESPONDANCE", "CORRESPONDANCES/CORRESPONDANCE/DESTINATION"
    return {
        "CORRESPONDANCES": "correspondences",
        top: "correspondences",
        f"{top}/SOURCE": "correspondences.source_block",
        f"{top}/SOURCE/BLOC_COMPETENCES": "correspondences.source_block",
        f"{top}/SOURCE/BLOC_COMPETENCES/CODE": "correspondences.source_block",
        dest: "correspondences.target",
        f"{dest}/NUMERO_FICHE": "correspondences.target",
        f"{dest}/INTITULE": "correspondences.target_title",
        f"{dest}/BLOC_COMPETENCES": "correspondences.target_blocks",
        f"{dest}/BLOC_COMPETENCES/CODE": "correspondences.target_blocks",
    }


def _statistics_paths() -> dict[str, str]:
    found = {"STATISTIQUES_PROMOTIONS": "statistics"}
    for record in ("STATISTIQUES_PROMOTION", "STATISTIQUE_PROMOTION"):
        path = f"STATISTIQUES_PROMOTIONS/{record}"
        found |= {path: "statistics", f"{path}/ANNEE": "statistics.year"}
        found |= {f"{path}/{tag}": f"statistics.{attr}" for tag, attr in STAT_FIELDS.items()}
    return found


_PUBLICATIONS = ("PUBLICATION_DECRET_GENERAL", "PUBLICATION_DECRET_CREATION", "PUBLICATION_DECRET_AUTRE")

#: Every element read (its path under ``FICHE``) → the model field it fills (``Fiche`` attribute,
#: or ``attribute.part``); the coverage table (:mod:`.coverage`) is generated from it and
#: ``tests/test_coverage.py`` checks it against :data:`FICHE_ELEMENTS` and the handlers' behaviour.
ELEMENT_FIELDS: dict[str, str] = {
    "NUMERO_FICHE": "number",
    "INTITULE": "title",
    "ABREGE": "abbreviation",
    "ABREGE/CODE": "abbreviation.code",
    "ABREGE/LIBELLE": "abbreviation.label",
    "ETAT_FICHE": "record_state",
    "ACTIF": "status",
    "NOMENCLATURE_EUROPE": "level",
    "NOMENCLATURE_EUROPE/NIVEAU": "level",
    **_code_paths("CODES_NSF", "NSF", "nsf"),
    **_code_paths("FORMACODES", "FORMACODE", "formacodes"),
    **_code_paths("CODES_ROME", "ROME", "rome"),
    **_organisation_paths("CERTIFICATEURS", "CERTIFICATEUR", "CERTIFICATEUR", "certifiers"),
    "CERTIFICATEURS/CERTIFICATEUR/ETAT_CERTIFICATEUR": "certifier_states.active",
    "CERTIFICATEURS/CERTIFICATEUR/DATE_DERNIERE_MODIFICATION_ETAT": "certifier_states.date",
    **_organisation_paths("PARTENAIRES", "PARTENAIRE", "PARTENAIRE", "partners"),
    "BLOCS_COMPETENCES": "blocks",
    "BLOCS_COMPETENCES/BLOC_COMPETENCES": "blocks",
    "BLOCS_COMPETENCES/BLOC_COMPETENCES/CODE": "blocks.code",
    "BLOCS_COMPETENCES/BLOC_COMPETENCES/LIBELLE": "blocks.title",
    "BLOCS_COMPETENCES/BLOC_COMPETENCES/LISTE_COMPETENCES": "blocks.competencies",
    "BLOCS_COMPETENCES/BLOC_COMPETENCES/MODALITES_EVALUATION": "blocks.evaluation",
    "ACTIVITES_VISEES": "activities",
    "CAPACITES_ATTESTEES": "competencies",
    "SECTEURS_ACTIVITE": "sectors",
    "TYPE_EMPLOI_ACCESSIBLES": "job_types",  # also job_type_groups and job_types_text
    "ANNEES_PROMOTIONS_NIVEAU": "promotions",
    "ANNEES_PROMOTIONS_NIVEAU/ANNEE": "promotions",
    "REGLEMENTATIONS_ACTIVITES": "regulation",
    "OBJECTIFS_CONTEXTE": "objectives",
    "PREREQUIS_ENTREE_FORMATION": "entry_prerequisites",
    "PREREQUIS_VALIDATION_CERTIFICATION": "validation_prerequisites",
    **dict.fromkeys(JURY_ELEMENTS, "access_routes.route"),
    **{f"{tag}/ACTIF": "access_routes.open" for tag in JURY_ELEMENTS},
    **{f"{tag}/COMPOSITION": "access_routes.jury" for tag in JURY_ELEMENTS},
    **{f"{tag}/DATE_DERNIERE_MODIFICATION": "access_routes.modified" for tag in JURY_ELEMENTS},
    **dict.fromkeys(["ACCESSIBLE_NOUVELLE_CALEDONIE", "NOUVELLE_CALEDONIE"], "new_caledonia"),
    **dict.fromkeys(["ACCESSIBLE_POLYNESIE_FRANCAISE", "POLYNESIE_FRANCAISE"], "french_polynesia"),
    **_correspondence_paths(),
    **_lineage_paths(
        "ANCIENNES_CERTIFICATIONS", "ANCIENNE_CERTIFICATION", "ID_FICHE_ANCIENNE_CERTIFICATION", "predecessors"
    ),
    **_lineage_paths(
        "NOUVELLES_CERTIFICATIONS", "NOUVELLE_CERTIFICATION", "ID_FICHE_NOUVELLE_CERTIFICATION", "successors"
    ),
    "DATE_DECISION": "decision_date",
    "DATE_FIN_ENREGISTREMENT": "expiry_date",
    "DATE_LIMITE_DELIVRANCE": "last_delivery_date",
    "DATE_DERNIER_JO": "last_jo_date",
    "DATE_EFFET": "effective_date",
    "DATE_DE_PUBLICATION": "publication_date",
    "TYPE_ENREGISTREMENT": "registration_type",
    "DUREE_ENREGISTREMENT": "registration_years",
    **_statistics_paths(),
    "CODES_IDCC": "idcc",
    "CODES_IDCC/IDCC": "idcc",
    "CODES_IDCC/IDCC/CODE": "idcc",
    **{tag: "collective_agreements" for tag in ("CCN_1", "CCN_2", "CCN_3")},
    **{f"{tag}/NUMERO": "collective_agreements.code" for tag in ("CCN_1", "CCN_2", "CCN_3")},
    **{f"{tag}/LIBELLE": "collective_agreements.label" for tag in ("CCN_1", "CCN_2", "CCN_3")},
    "VALIDATION_PARTIELLE": "partial_validation",
    "LIEN_URL_DESCRIPTION": "description_url",
    **{tag: "legal_references.kind" for tag in _PUBLICATIONS},
    **{f"{tag}/PUBLICATION_JO": "legal_references" for tag in _PUBLICATIONS},
    **{f"{tag}/PUBLICATION_JO/TITRE": "legal_references.text" for tag in _PUBLICATIONS},
    **{f"{tag}/PUBLICATION_JO/DATE_PUBLICATION_JO": "legal_references.date" for tag in _PUBLICATIONS},
}

_BLOCK = "BLOCS_COMPETENCES/BLOC_COMPETENCES"
_CORRESPONDENCE = "CORRESPONDANCES/CORRESPONDANCE"

#: Elements below a child of ``FICHE`` that the handlers accept (no ``unknown-element``) and do
#: not read: path → why. With :data:`NOT_MAPPED` (children of ``FICHE``), every element of the
#: export that the model has no place for, each with its reason.
NOT_MAPPED_PARTS: dict[str, str] = {
    "NOMENCLATURE_EUROPE/LIBELLE": "the level's label; the level is kept (rncp:level → its concept's label)",
    "NOMENCLATURE_EUROPE/INTITULE": "the level's label; the level is kept (rncp:level → its concept's label)",
    "PARTENAIRES/PARTENAIRE/HABILITATION_PARTENAIRE": "what the partner is empowered to do: no field in the model",
    "PARTENAIRES/PARTENAIRE/ETAT_HABILITATION": "state of the partner's empowerment: no field in the model",
    "PARTENAIRES/PARTENAIRE/DATE_ACTIF": "date the partner's empowerment began: no field in the model",
    f"{_BLOCK}/PREREQUIS_ENTREE_FORMATION_BLOC": "a block's own entry prerequisites: no field in the model",
    f"{_BLOCK}/PREREQUIS_VALIDATION_BLOC": "a block's own validation prerequisites: no field in the model",
    f"{_CORRESPONDENCE}/SOURCE/BLOC_COMPETENCES/LIBELLE": "the block's title, given by its own BLOC_COMPETENCES",
    f"{_CORRESPONDENCE}/DESTINATION/BLOC_COMPETENCES/LIBELLE": "the other fiche's block title: the other fiche "
    "gives it",
    "CODES_IDCC/IDCC/LIBELLE": "the agreement's name: IDCC codes are kept as codes (rncp:idccCode)",
    "CODES_IDCC/IDCC/INTITULE": "the agreement's name: IDCC codes are kept as codes (rncp:idccCode)",
}
