"""Handlers for the structured child elements of a ``FICHE`` (codes, organisations, blocks,
juries, correspondences, statistics, lineage, publications, IDCC).

Each handler takes the :class:`~rncp_graph.loaders.xml_context.FicheContext` and the element,
and fills the fiche; the element → handler table is in :mod:`rncp_graph.loaders.xml_fields`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from .. import normalise
from ..model import (
    AccessRoute,
    Block,
    CertifierState,
    Code,
    Correspondence,
    CorrespondenceKind,
    LegalReference,
    LinkedFiche,
    Organisation,
    Statistic,
)
from .export_common import JURY_ELEMENTS, append_unique
from .xml_context import Element, FicheContext, line_of

Handler = Callable[[FicheContext, Element], None]

CODE_FIELDS = frozenset({"CODE", "LIBELLE", "INTITULE"})
ORGANISATION_FIELDS = frozenset(
    {"NOM_COMMERCIAL", "SITE_INTERNET", "DATE_DERNIERE_MODIFICATION_ETAT", "DATE_ACTIF"}
    | {f"{kind}_{role}" for kind in ("SIRET", "NOM") for role in ("CERTIFICATEUR", "PARTENAIRE")}
    | {"ETAT_CERTIFICATEUR", "HABILITATION_PARTENAIRE", "ETAT_HABILITATION"}
)
BLOCK_FIELDS = frozenset(
    {"CODE", "LIBELLE", "LISTE_COMPETENCES", "MODALITES_EVALUATION"}
    | {"PREREQUIS_ENTREE_FORMATION_BLOC", "PREREQUIS_VALIDATION_BLOC"}
)
JURY_FIELDS = frozenset({"ACTIF", "COMPOSITION", "DATE_DERNIERE_MODIFICATION"})
STAT_FIELDS = {
    "NOMBRE_CERTIFIES": "certified",
    "NOMBRE_CERTIFIES_VAE": "certified_vae",
    "TAUX_INSERTION_GLOBAL_6MOIS": "insertion_6_months",
    "TAUX_INSERTION_METIER_6MOIS": "insertion_job_6_months",
    "TAUX_INSERTION_METIER_2ANS": "insertion_job_2_years",
}
RATES = frozenset(k for k in STAT_FIELDS if k.startswith("TAUX"))
PUBLICATION_FIELDS = frozenset({"TITRE", "DATE_PUBLICATION_JO"})
#: ``ETAT_CERTIFICATEUR`` (case-folded) → active. An inactive certifier is no ``rncp:certifier``.
CERTIFIER_STATES = {"actif": True, "inactif": False}


def code_list(attr: str, record: str, check: Callable[..., str], rule: str) -> Handler:
    """``CODES_ROME/ROME/(CODE, LIBELLE)`` and the like → ``fiche.<attr>``; a bad code is dropped."""

    def handle(ctx: FicheContext, el: Element) -> None:
        for item in ctx.records(el, record):
            found = ctx.fields(item, CODE_FIELDS)
            raw = ctx.field_text(found, "CODE")
            if raw is None:
                ctx.problem(rule, f"{record} without CODE", item)
                continue
            value = ctx.report.attempt(rule, partial(check, raw, fiche=ctx.number), line=line_of(item))
            label = ctx.field_text(found, "LIBELLE") or ctx.field_text(found, "INTITULE")
            if value is not None:
                append_unique(getattr(ctx.fiche, attr), Code(value, label), ctx.report.repairs, "code")

    return handle


def organisations(attr: str, record: str, role: str) -> Handler:
    """``CERTIFICATEURS/CERTIFICATEUR`` or ``PARTENAIRES/PARTENAIRE`` → ``fiche.<attr>``."""

    def handle(ctx: FicheContext, el: Element) -> None:
        for item in ctx.records(el, record):
            found = ctx.fields(item, ORGANISATION_FIELDS)
            org = ctx.report.organisation(
                ctx.field_text(found, f"NOM_{role}"),
                ctx.raw(found[f"SIRET_{role}"]) if f"SIRET_{role}" in found else None,
                fiche=ctx.number,
                field=record,
                line=line_of(item),
                commercial_name=ctx.field_text(found, "NOM_COMMERCIAL"),
                website=ctx.field_text(found, "SITE_INTERNET"),
            )
            if org is not None and (role != "CERTIFICATEUR" or _certifier_state(ctx, found, org)):
                append_unique(getattr(ctx.fiche, attr), org, ctx.report.repairs, "organisation")

    return handle


def _certifier_state(ctx: FicheContext, found: dict[str, Element], org: Organisation) -> bool:
    """Keep ``ETAT_CERTIFICATEUR`` and ``DATE_DERNIERE_MODIFICATION_ETAT`` of a certifier of this
    fiche; ``False`` when the register marks it inactive (it is then no current certifier).

    An unknown state is reported (``invalid-value``) and the certifier kept as current, as when
    no state is given.
    """
    state = found.get("ETAT_CERTIFICATEUR")
    raw = ctx.text(state) if state is not None else None
    active = CERTIFIER_STATES.get(raw.casefold()) if raw else None
    if state is not None and raw and active is None:
        expected = " or ".join(s.capitalize() for s in CERTIFIER_STATES)
        ctx.problem("invalid-value", f"certifier state is not {expected}; state not kept", state, value=raw)
    when = found.get("DATE_DERNIERE_MODIFICATION_ETAT")
    day = ctx.date(when) if when is not None else None
    if active is not None or day is not None:
        append_unique(ctx.fiche.certifier_states, CertifierState(org, active, day), ctx.report.repairs, "state")
    return active is not False


def blocks(ctx: FicheContext, el: Element) -> None:
    """``BLOCS_COMPETENCES/BLOC_COMPETENCES`` → blocks; the competency list is split into items."""
    seen: dict[str, Block] = {}
    for item in ctx.records(el, "BLOC_COMPETENCES"):
        found = ctx.fields(item, BLOCK_FIELDS)
        raw = ctx.raw(found["CODE"]) if "CODE" in found else None
        code = ctx.report.block_code(raw or "", fiche=ctx.number, field="BLOC_COMPETENCES/CODE", line=line_of(item))
        if code is None:
            continue
        block = Block(
            code,
            ctx.field_text(found, "LIBELLE"),
            ctx.items(found["LISTE_COMPETENCES"]) if "LISTE_COMPETENCES" in found else [],
            ctx.field_text(found, "MODALITES_EVALUATION"),
        )
        if code in seen:
            _duplicate_block(ctx, item, seen[code], block)
            continue
        seen[code] = block
        ctx.fiche.blocks.append(block)


def _duplicate_block(ctx: FicheContext, el: Element, first: Block, again: Block) -> None:
    if first == again:
        ctx.report.repairs["duplicate-block"] += 1
        return
    ctx.problem(
        "duplicate-block", f"block {first.code} given twice with different content; first kept", el, value=again.title
    )


def jury(ctx: FicheContext, el: Element) -> None:
    """``SI_JURY_XX`` → one access route: open or not, the jury's composition, last change."""
    route = JURY_ELEMENTS[str(el.tag)]
    if not len(el):  # an older flux: the element holds Oui/Non itself
        is_open = ctx.boolean(el)
        if is_open is not None:
            ctx.fiche.access_routes.append(AccessRoute(route, is_open))
        return
    found = ctx.fields(el, JURY_FIELDS)
    is_open = ctx.boolean(found["ACTIF"]) if "ACTIF" in found else None
    if is_open is None:
        ctx.problem("invalid-access-route", f"{el.tag} without ACTIF Oui/Non; route left out", el)
        return
    composition = ctx.field_text(found, "COMPOSITION")
    modified = ctx.date(found["DATE_DERNIERE_MODIFICATION"]) if "DATE_DERNIERE_MODIFICATION" in found else None
    ctx.fiche.access_routes.append(AccessRoute(route, is_open, composition, modified))


def lineage(attr: str, record: str, number_tag: str) -> Handler:
    """``ANCIENNES_CERTIFICATIONS`` / ``NOUVELLES_CERTIFICATIONS`` → predecessors / successors.

    The record may also appear directly under ``FICHE`` (holding the number as text).
    """

    def handle(ctx: FicheContext, el: Element) -> None:
        for item in [el] if el.tag == record else ctx.records(el, record):
            found = ctx.fields(item, frozenset({number_tag, "INTITULE"})) if len(item) else {}
            raw = ctx.raw(found[number_tag]) if number_tag in found else ctx.raw(item)
            number = ctx.report.fiche_number(raw, field=f"{record}/{number_tag}", line=line_of(item))
            if number is not None:
                linked = LinkedFiche(number, ctx.field_text(found, "INTITULE"))
                append_unique(getattr(ctx.fiche, attr), linked, ctx.report.repairs, "lineage")

    return handle


def correspondences(ctx: FicheContext, el: Element) -> None:
    """``CORRESPONDANCES/CORRESPONDANCE``: ``SOURCE`` blocks of this fiche ↔ ``DESTINATION`` fiche and blocks.

    One :class:`Correspondence` per (source block, destination block) pair; when a group of
    blocks corresponds to another group, the text says which (``BC01 + BC02 → BC04``).
    """
    for item in ctx.records(el, "CORRESPONDANCE"):
        found = ctx.fields(item, frozenset({"SOURCE", "DESTINATION"}))
        if "DESTINATION" not in found:
            ctx.problem("invalid-correspondence", "CORRESPONDANCE without DESTINATION; left out", item)
            continue
        dest = ctx.fields(found["DESTINATION"], frozenset({"NUMERO_FICHE", "INTITULE", "BLOC_COMPETENCES"}))
        raw_target = ctx.raw(dest["NUMERO_FICHE"]) if "NUMERO_FICHE" in dest else None
        target = ctx.report.fiche_number(
            raw_target, field="CORRESPONDANCE/DESTINATION/NUMERO_FICHE", line=line_of(item)
        )
        if target is None:
            continue
        sources = _block_codes(ctx, found.get("SOURCE"), ctx.number)
        targets = _block_codes(ctx, found["DESTINATION"], target)
        text = f"{' + '.join(sources)} → {' + '.join(targets)}" if len(sources) > 1 or len(targets) > 1 else None
        kind = CorrespondenceKind.RS if target.startswith("RS") else CorrespondenceKind.RNCP
        title = ctx.field_text(dest, "INTITULE")
        for source in _or_whole(sources):
            for dest_block in _or_whole(targets):
                blocks = (dest_block,) if dest_block else ()
                corr = Correspondence(target, kind, title, None, text, source, blocks)
                append_unique(ctx.fiche.correspondences, corr, ctx.report.repairs, "correspondence")


def _or_whole(codes: list[str]) -> list[str | None]:
    """The block codes, or ``[None]`` (the whole certification) when there are none."""
    return list(codes) if codes else [None]


def _block_codes(ctx: FicheContext, el: Element | None, fiche: str) -> list[str]:
    """Codes of the ``BLOC_COMPETENCES`` under ``SOURCE`` / ``DESTINATION`` (blocks of ``fiche``)."""
    if el is None:
        return []
    codes = []
    for child in ctx.children(el):
        if child.tag != "BLOC_COMPETENCES":
            continue  # NUMERO_FICHE / INTITULE of DESTINATION, read by the caller
        found = ctx.fields(child, frozenset({"CODE", "LIBELLE"}))
        raw = ctx.raw(found["CODE"]) if "CODE" in found else ""
        code = ctx.report.block_code(
            raw or "", fiche=fiche, field=f"{el.tag}/BLOC_COMPETENCES/CODE", line=line_of(child)
        )
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def statistics(ctx: FicheContext, el: Element) -> None:
    """``STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION`` → one :class:`Statistic` per year."""
    for item in ctx.records(el, "STATISTIQUES_PROMOTION", "STATISTIQUE_PROMOTION"):
        found = ctx.fields(item, frozenset({"ANNEE", *STAT_FIELDS}))
        year = ctx.integer(found["ANNEE"], low=1900, high=2100) if "ANNEE" in found else None
        if year is None:
            ctx.problem("invalid-statistics", "statistics row without a valid ANNEE; left out", item)
            continue
        values = {
            attr: ctx.integer(found[tag], high=100 if tag in RATES else None)
            for tag, attr in STAT_FIELDS.items()
            if tag in found
        }
        append_unique(ctx.fiche.statistics, Statistic(year, **values), ctx.report.repairs, "statistics")


def publications(kind: str) -> Handler:
    """``PUBLICATION_DECRET_*/PUBLICATION_JO/(TITRE, DATE_PUBLICATION_JO)`` → legal references."""

    def handle(ctx: FicheContext, el: Element) -> None:
        for item in ctx.records(el, "PUBLICATION_JO"):
            found = ctx.fields(item, PUBLICATION_FIELDS)
            title = ctx.field_text(found, "TITRE")
            if title is None:
                ctx.problem("invalid-publication", "PUBLICATION_JO without TITRE; left out", item)
                continue
            when = ctx.date(found["DATE_PUBLICATION_JO"]) if "DATE_PUBLICATION_JO" in found else None
            _add_publication(ctx, LegalReference(title, when, kind))

    return handle


def _add_publication(ctx: FicheContext, ref: LegalReference) -> None:
    """One reference per text (the same arrêté under CREATION and AUTRE is one publication)."""
    for i, known in enumerate(ctx.fiche.legal_references):
        if known.text == ref.text:
            ctx.report.repairs["duplicate-publication"] += 1
            if known.kind != "registration" and ref.kind == "registration":
                ctx.fiche.legal_references[i] = LegalReference(ref.text, ref.date or known.date, ref.kind)
            return
    ctx.fiche.legal_references.append(ref)


def idcc(ctx: FicheContext, el: Element) -> None:
    """``CODES_IDCC/IDCC/(CODE, LIBELLE)`` → IDCC codes (four digits; labels are not in the model)."""
    for item in ctx.records(el, "IDCC"):
        found = ctx.fields(item, CODE_FIELDS)
        raw = ctx.field_text(found, "CODE")
        value = normalise.code(raw) if raw else ""
        if not value.isdigit() or len(value) > 4:
            ctx.problem("invalid-idcc", "not an IDCC code (up to four digits)", item, value=raw)
            continue
        append_unique(ctx.fiche.idcc, value.zfill(4), ctx.report.repairs, "idcc")
