"""Leads that people report (线索来源: 群众举报 tips and 边采集发现 collection), as opposed to the
leads a watch-list comparison proposes (``services.watchlist_run``).

* A **tip** (``lead_tip_create``) is entered by an officer: optionally a person chosen by ID number
  inside the officer's jurisdiction (else a free description), optionally a house or an address in
  scope, a summary and where the tip came from.
* A **collection** lead (``lead_collect``) is reported from a person's or a house's page by whoever
  works there in the field.

Both are stamped with the responsible police district: the person's record, else the house's, else
the address's, else the reporter's own units — so the lead lands where the review belongs. Input is
checked field by field (InvalidInput naming each field) before anything is saved; the lead and its
audit entry (``AuditAction.REPORT``, no personal data in the detail) are written in one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import FieldErrors, Forbidden
from ybss.core.models import RecordStatus
from ybss.org.jurisdiction import BUSINESS_ROLES, get_in_scope, require_role, scope
from ybss.org.models import AdminDivision, User
from ybss.registry.models import House, Person

from .models import Lead, LeadSource

#: Roles that may report a lead (everyone who works with business data).
REPORT_ROLES = BUSINESS_ROLES


def _find_person(actor: User, id_number: str) -> Person | None:
    from ybss.quality.dedup_score import norm_id

    wanted = {id_number.strip().upper(), norm_id("111", id_number)}
    return (
        scope(Person.objects.exclude(status=RecordStatus.VOIDED), actor)
        .filter(id_number__in=wanted)
        .order_by("-id")
        .first()
    )


def _actor_stamps(actor: User) -> tuple[str, str]:
    """The reporter's own units: their police unit and their division, else the county division of
    their unit (a police unit's code starts with its county's division code)."""
    if actor.police_unit_id is None:
        raise Forbidden()
    division = actor.division_id
    if division is None:
        county = actor.police_unit_id[:6].ljust(12, "0")
        division = county if AdminDivision.objects.filter(pk=county).exists() else None
    if division is None:
        raise Forbidden()
    return actor.police_unit_id, division


def _stamps(
    actor: User, person: Person | None, house: House | None, address: StandardAddress | None
) -> tuple[str, str]:
    for rec in (person, house, address):
        if rec is not None:
            return rec.police_unit_id, rec.division_id
    return _actor_stamps(actor)


def _check_text(errors: FieldErrors, summary: str, details: str, description: str = "") -> None:
    if not summary:
        errors.add("summary", _("Write what the lead is about."))
    elif len(summary) > 200:
        errors.add("summary", _("At most 200 characters."))
    if len(details) > 2000:
        errors.add("details", _("At most 2000 characters."))
    if len(description) > 200:
        errors.add("person_description", _("At most 200 characters."))


def _save(
    *,
    actor: User,
    source: str,
    summary: str,
    details: str,
    person: Person | None,
    house: House | None,
    address: StandardAddress | None,
    description: str,
    request: HttpRequest | None,
) -> Lead:
    unit, division = _stamps(actor, person, house, address)
    with transaction.atomic():
        lead = Lead.objects.create(
            source=source, person=person, house=house, address=address, person_description=description,
            summary=summary, details=details, reported_by=actor, created_at=timezone.now(),
            police_unit_id=unit, division_id=division,
        )  # fmt: skip
        audit_record(
            actor=actor, action=AuditAction.REPORT, object_type="casework.lead", object_id=lead.pk,
            detail={"source": source, "person": person.pk if person else None,
                    "house": house.pk if house else None, "address": address.pk if address else None},
            purpose=str(_("Report a lead: %(source)s") % {"source": LeadSource(source).label}),
            request=request,
        )  # fmt: skip
    return lead


def lead_tip_create(
    *,
    actor: User,
    summary: str,
    details: str = "",
    person_id_number: str = "",
    person_description: str = "",
    house_id: int | None = None,
    address_code: str = "",
    request: HttpRequest | None = None,
) -> Lead:
    """Record a tip (群众举报) as a lead for review. The person, when given, is found by ID number
    inside the actor's jurisdiction (a number outside it or unknown is the same field error,
    ``person_id_number``); the house and the address likewise (``house_id``, ``address_code``).
    Stamped with the person's district, else the house's, else the address's, else the actor's."""
    require_role(actor, REPORT_ROLES)
    summary = (summary or "").strip()
    details = (details or "").strip()
    description = (person_description or "").strip()
    number = (person_id_number or "").strip()
    address_code = (address_code or "").strip()
    errors = FieldErrors()
    _check_text(errors, summary, details, description)
    person = None
    if number:
        person = _find_person(actor, number) if len(number) <= 32 else None
        if person is None:
            errors.add("person_id_number", _("No person with this ID number in your jurisdiction."))
    house = None
    if house_id is not None:
        house = scope(House.objects.exclude(status=RecordStatus.VOIDED), actor).filter(pk=house_id).first()
        if house is None:
            errors.add("house_id", _("No such house in your jurisdiction."))
    address = None
    if address_code:
        qs = scope(StandardAddress.objects.exclude(status=RecordStatus.VOIDED), actor)
        address = qs.filter(code=address_code).first() if len(address_code) <= 48 else None
        if address is None:
            errors.add("address_code", _("No such address in your jurisdiction."))
    errors.raise_if_any()
    return _save(
        actor=actor, source=LeadSource.TIP, summary=summary, details=details, person=person, house=house,
        address=address or (house.address if house is not None else None), description=description,
        request=request,
    )  # fmt: skip


def lead_reportable(*, actor: User, person_id: int | None, house_id: int | None) -> None:
    """Check that ``actor`` may report a lead about these records (NotFound outside their scope)."""
    require_role(actor, REPORT_ROLES)
    if person_id is not None:
        get_in_scope(Person.objects.exclude(status=RecordStatus.VOIDED), actor, pk=person_id)
    if house_id is not None:
        get_in_scope(House.objects.exclude(status=RecordStatus.VOIDED), actor, pk=house_id)


def lead_collect(
    *,
    actor: User,
    summary: str,
    details: str = "",
    person_id: int | None = None,
    house_id: int | None = None,
    request: HttpRequest | None = None,
) -> Lead:
    """Report a lead found while collecting (发现线索) about a person or a house the actor may see
    (NotFound otherwise: the page named it); one of the two is required. Stamped as the record."""
    require_role(actor, REPORT_ROLES)
    summary = (summary or "").strip()
    details = (details or "").strip()
    errors = FieldErrors()
    _check_text(errors, summary, details)
    if person_id is None and house_id is None:
        errors.add("person", _("Report a lead from a person's or a house's page."))
    errors.raise_if_any()
    person = house = None
    if person_id is not None:
        person = get_in_scope(Person.objects.exclude(status=RecordStatus.VOIDED), actor, pk=person_id)
    if house_id is not None:
        house = get_in_scope(
            House.objects.select_related("address").exclude(status=RecordStatus.VOIDED), actor, pk=house_id
        )
    return _save(
        actor=actor, source=LeadSource.COLLECTION, summary=summary, details=details, person=person,
        house=house, address=house.address if house is not None else None, description="",
        request=request,
    )  # fmt: skip
