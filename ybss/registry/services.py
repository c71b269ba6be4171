"""Writes to houses, persons, residences, units and employments.

Every service: keyword-only, ``actor`` first; checks the actor may write in the record's
jurisdiction; validates shape, codes and the cross-entity rules of DOMAIN.md §5 (raising
``InvalidInput`` with field-level messages, so nothing is saved on bad input); writes the record
and its history row in one transaction. Updates are optimistic: they take the ``version`` the
user saw and raise ``Conflict`` if someone else saved first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from ybss.addresses.models import AddressLevel, StandardAddress
from ybss.audit.records import record_create, record_update
from ybss.core.errors import FieldErrors, InvalidInput, NotFound
from ybss.core.findings import Finding
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.org.services import notices_for_new_residence

from . import rules
from .models import Employment, House, Person, Residence, ResidenceType, Unit, VerifyState
from .validation import (
    check_code,
    check_credit,
    check_date_not_future,
    check_id,
    check_length,
    check_phone_field,
    check_range,
    require,
    today,
)


@dataclass
class PersonData:
    """What a user can type about a person (the form and the API build this)."""

    id_number: str
    name: str
    sex: str = ""
    id_type: str = "111"
    ethnicity: str = "01"
    birth_date: date | None = None
    phone: str = ""
    phone2: str = ""
    former_names: str = ""
    hukou_division_code: str = ""
    hukou_address_text: str = ""
    education: str = ""
    marital: str = ""
    occupation: str = ""
    employer: str = ""
    is_key_person: bool = False
    nationality: str = ""
    foreign_surname: str = ""
    foreign_given_name: str = ""
    visa_type: str = ""
    visa_expiry: date | None = None
    entry_date: date | None = None
    expected_departure: date | None = None


@dataclass
class ResidenceData:
    residence_type: str
    relation: str = ""
    reason: str = ""
    since: date | None = None
    is_tenant: bool = False
    is_owner: bool = False
    landlord_id: int | None = None


@dataclass
class HouseData:
    house_type: str
    use: str
    structure: str = ""
    floors: int | None = None
    rooms: int | None = None
    area: Decimal | None = None
    ownership: str = ""
    owner_name: str = ""
    owner_id_number: str = ""
    owner_phone: str = ""
    custodian_name: str = ""
    custodian_id_number: str = ""
    custodian_phone: str = ""
    landlord_id: int | None = None
    rental_mode: str = ""
    rental_start: date | None = None
    rent: Decimal | None = None
    rental_filing_no: str = ""
    security_pledge: bool = False
    management_level: str = "C"
    is_urban_village: bool = False
    is_urban_fringe: bool = False
    is_complex_area: bool = False


@dataclass
class UnitData:
    name: str
    category: str
    credit_code: str = ""
    industry: str = ""
    special_trade: str = ""
    hazards: list[str] = field(default_factory=list)
    legal_rep_name: str = ""
    legal_rep_id_number: str = ""
    legal_rep_phone: str = ""
    security_lead_name: str = ""
    security_lead_id_number: str = ""
    security_lead_phone: str = ""
    phone: str = ""
    house_id: int | None = None
    biz_status: str = "open"
    opened_on: date | None = None
    closed_on: date | None = None
    is_key_unit: bool = False
    has_cctv: bool = False


# --- persons ---------------------------------------------------------------------------------


def _validate_person(data: PersonData, errors: FieldErrors) -> tuple[dict[str, Any], list[Finding]]:
    """Check a PersonData into ``errors``; return the cleaned field values and the warnings."""
    require(errors, data, "name", "id_number", "sex")
    check_length(
        errors,
        data,
        {
            "name": 60,
            "former_names": 120,
            "hukou_address_text": 200,
            "occupation": 60,
            "employer": 100,
            "foreign_surname": 60,
            "foreign_given_name": 60,
        },
    )
    check_code(errors, "id_type", "id_type", data.id_type, required=True)
    check_code(errors, "sex", "sex", data.sex)
    check_code(errors, "ethnicity", "ethnicity", data.ethnicity)
    check_code(errors, "education", "education", data.education)
    check_code(errors, "marital", "marital", data.marital)
    check_code(errors, "nationality", "nationality", data.nationality)
    check_code(errors, "visa_type", "visa_type", data.visa_type)
    check_date_not_future(errors, "birth_date", data.birth_date)
    check_date_not_future(errors, "entry_date", data.entry_date)
    id_number, warnings = check_id(
        errors, "id_number", data.id_number, id_type=data.id_type, sex=data.sex, birth_date=data.birth_date
    )
    phone = check_phone_field(errors, "phone", data.phone)
    phone2 = check_phone_field(errors, "phone2", data.phone2)
    hukou = (data.hukou_division_code or "").strip()
    if hukou and not (hukou.isdigit() and len(hukou) in (6, 9, 12)):
        errors.add("hukou_division_code", _("Enter a 6-, 9- or 12-digit division code."))
    if data.id_type == "414" and not data.nationality:
        errors.add("nationality", _("A passport holder needs a nationality."))
    values = asdict(data)
    values.update(
        id_number=id_number,
        name=data.name.strip(),
        phone=phone,
        phone2=phone2,
        hukou_division_code=hukou.ljust(12, "0") if hukou else "",
        pinyin="".join(lazy_pinyin(data.name.strip())).lower(),
    )
    if data.id_type in ("111", "112") and not data.birth_date:
        from ybss.core.identifiers import birth_date_from_id

        values["birth_date"] = birth_date_from_id(id_number)
    return values, warnings


def _house_for_write(actor: User, house_id: int) -> House:
    house = jurisdiction.get_in_scope(House.objects.select_related("address"), actor, pk=house_id)
    jurisdiction.check_can_write(actor, division_id=house.division_id, police_unit_id=house.police_unit_id)
    if house.status == RecordStatus.VOIDED:
        raise InvalidInput(code="house.voided", fields={"house": [_("This house has been voided.")]})
    return house


def _validate_residence(
    errors: FieldErrors,
    *,
    data: ResidenceData,
    person_values: dict[str, Any],
    house: House,
    existing_active_types: list[str],
    on: date,
) -> bool:
    """Residence rules; returns the derived 人户分离 flag."""
    if data.residence_type not in ResidenceType.values:
        errors.add("residence_type", _("“%(value)s” is not a valid choice.") % {"value": data.residence_type})
        return False
    check_code(errors, "relation", "relation", data.relation)
    check_code(errors, "reason", "residence_reason", data.reason)
    check_date_not_future(errors, "since", data.since)
    county = settings.YBSS_COUNTY_CODE
    hukou = person_values.get("hukou_division_code") or None
    if (
        data.residence_type in (ResidenceType.PERMANENT, ResidenceType.LODGING, ResidenceType.FLOATING)
        and not hukou
    ):
        errors.add(
            "hukou_division_code", _("This residence type needs the registered domicile division code.")
        )
    else:
        errors.extend(rules.check_residence_type(data.residence_type, hukou, county), field="residence_type")
    errors.extend(
        rules.check_single_active_permanent(existing_active_types, data.residence_type),
        field="residence_type",
    )
    if data.relation == "02":
        errors.extend(
            rules.check_role_age(person_values.get("birth_date"), "householder", on), field="relation"
        )
    if data.landlord_id is not None and not Person.objects.filter(pk=data.landlord_id).exists():
        errors.add("landlord", _("The landlord does not exist."))
    return rules.is_household_separated(hukou, house.division_id)


@transaction.atomic
def person_register(
    *, actor: User, person: PersonData, house_id: int, residence: ResidenceData, reason: str = ""
) -> tuple[Person, list[Finding]]:
    """Record a person living in a house (实有人口采集): the person (found by document or created)
    and an active residence, stamped with the house's division and police district. When the
    person is already held elsewhere, every other holding police unit gets a notice.

    Returns the person and the warnings (unknown region code, ...). Raises InvalidInput with field
    errors and saves nothing when anything is wrong; NotFound when the house is out of scope.
    """
    house = _house_for_write(actor, house_id)
    errors = FieldErrors()
    values, warnings = _validate_person(person, errors)
    existing = None
    if "id_number" not in errors.fields:
        existing = Person.objects.filter(id_type=values["id_type"], id_number=values["id_number"]).first()
    active_types: list[str] = []
    if existing is not None:
        if Residence.objects.filter(person=existing, house=house, active=True).exists():
            errors.add("id_number", _("This person is already registered at this house."))
        active_types = list(
            Residence.objects.filter(person=existing, active=True).values_list("residence_type", flat=True)
        )
    separated = _validate_residence(
        errors,
        data=residence,
        person_values=values,
        house=house,
        existing_active_types=active_types,
        on=today(),
    )
    errors.raise_if_any()
    p = existing or record_create(
        actor=actor,
        model=Person,
        fields=values,
        reason=reason,
        division_id=house.division_id,
        police_unit_id=house.police_unit_id,
    )
    fields = {
        "person": p,
        "house": house,
        "residence_type": residence.residence_type,
        "relation": residence.relation,
        "reason": residence.reason,
        "since": residence.since,
        "is_tenant": residence.is_tenant,
        "is_owner": residence.is_owner,
        "landlord_id": residence.landlord_id,
        "separated": separated,
        "active": True,
    }
    try:
        with transaction.atomic():
            record_create(
                actor=actor,
                model=Residence,
                fields=fields,
                reason=reason,
                division_id=house.division_id,
                police_unit_id=house.police_unit_id,
                history={
                    "house": house.pk,
                    "residence_type": residence.residence_type,
                    "separated": separated,
                },
            )
    except IntegrityError as exc:
        raise InvalidInput(
            code="residence.duplicate",
            fields={"residence_type": [_("This residence conflicts with an existing one.")]},
        ) from exc
    if existing is not None:
        holders = Residence.objects.filter(person=existing, active=True).values_list(
            "police_unit_id", flat=True
        )
        notices_for_new_residence(
            actor=actor,
            person_id=p.pk,
            new_unit_code=house.police_unit_id,
            holder_unit_codes=[*holders, existing.police_unit_id],
        )
    return p, warnings


def person_update(
    *, actor: User, person: Person, expected_version: int, data: PersonData, reason: str = ""
) -> tuple[Person, list[Finding]]:
    """Change a person's details (the document itself included) with optimistic locking."""
    jurisdiction.get_in_scope(Person.objects.all(), actor, pk=person.pk)
    jurisdiction.check_can_write(actor, division_id=person.division_id, police_unit_id=person.police_unit_id)
    errors = FieldErrors()
    values, warnings = _validate_person(data, errors)
    errors.raise_if_any()
    clash = Person.objects.filter(id_type=values["id_type"], id_number=values["id_number"]).exclude(
        pk=person.pk
    )
    if clash.exists():
        raise InvalidInput(
            code="person.duplicate",
            fields={"id_number": [_("Another person already has this document number.")]},
        )
    return record_update(
        actor=actor, record=person, expected_version=expected_version, changes=values, reason=reason
    ), warnings


@transaction.atomic
def residence_end(
    *, actor: User, residence: Residence, until: date, expected_version: int, reason: str
) -> Residence:
    """End a residence (moved away); the record stays, marked not current."""
    jurisdiction.check_can_write(
        actor, division_id=residence.division_id, police_unit_id=residence.police_unit_id
    )
    errors = FieldErrors()
    if not residence.active:
        errors.add("until", _("This residence has already ended."))
    if not reason.strip():
        errors.add("reason", _("Please give a reason."))
    check_date_not_future(errors, "until", until)
    if residence.since and until < residence.since:
        errors.add("until", _("The end date is before the start date."))
    errors.raise_if_any()
    return record_update(
        actor=actor,
        record=residence,
        expected_version=expected_version,
        changes={"active": False, "until": until},
        reason=reason,
    )


# --- houses ----------------------------------------------------------------------------------


def _validate_house(data: HouseData, *, occupants: int = 0) -> dict[str, Any]:
    errors = FieldErrors()
    check_code(errors, "house_type", "house_type", data.house_type, required=True)
    check_code(errors, "use", "house_use", data.use, required=True)
    check_code(errors, "structure", "house_structure", data.structure)
    check_code(errors, "ownership", "ownership", data.ownership)
    check_code(errors, "rental_mode", "rental_mode", data.rental_mode)
    check_code(errors, "management_level", "management_level", data.management_level, required=True)
    check_range(errors, "floors", data.floors, 1, 200)
    check_range(errors, "rooms", data.rooms, 0, 999)
    check_range(errors, "area", data.area, 1, 100000)
    check_range(errors, "rent", data.rent, 0, 10_000_000)
    check_date_not_future(errors, "rental_start", data.rental_start)
    check_length(errors, data, {"owner_name": 40, "custodian_name": 40, "rental_filing_no": 40})
    values = asdict(data)
    values["owner_id_number"], _w1 = check_id(errors, "owner_id_number", data.owner_id_number)
    values["custodian_id_number"], _w2 = check_id(errors, "custodian_id_number", data.custodian_id_number)
    values["owner_phone"] = check_phone_field(errors, "owner_phone", data.owner_phone)
    values["custodian_phone"] = check_phone_field(errors, "custodian_phone", data.custodian_phone)
    landlord = None
    if data.landlord_id is not None:
        landlord = Person.objects.filter(pk=data.landlord_id).first()
        if landlord is None:
            errors.add("landlord", _("The landlord does not exist."))
        else:
            errors.extend(rules.check_role_age(landlord.birth_date, "landlord", today()), field="landlord")
    errors.extend(rules.check_rental_landlord(data.use, landlord is not None), field="landlord")
    if data.use == "rented" and not data.rental_mode:
        errors.add("rental_mode", _("A rented house needs its rental mode."))
    errors.raise_if_any()
    return values


@transaction.atomic
def house_create(*, actor: User, address_id: int, data: HouseData, reason: str = "") -> House:
    """Record a house at a standard address (in scope, not voided), stamped with its hierarchy."""
    address = jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=address_id)
    jurisdiction.check_can_write(
        actor, division_id=address.division_id, police_unit_id=address.police_unit_id
    )
    if address.status == RecordStatus.VOIDED:
        raise InvalidInput(code="address.voided", fields={"address": [_("This address has been voided.")]})
    if address.level == AddressLevel.DOOR and address.rooms.exists():
        raise InvalidInput(
            code="address.has_rooms",
            fields={"address": [_("Choose a room address: this door plate has rooms.")]},
        )
    values = _validate_house(data)
    h = record_create(
        actor=actor,
        model=House,
        fields={**values, "address": address},
        division_id=address.division_id,
        police_unit_id=address.police_unit_id,
        reason=reason,
        history=values,
    )
    return h


def house_update(
    *, actor: User, house: House, expected_version: int, data: HouseData, reason: str = ""
) -> House:
    jurisdiction.get_in_scope(House.objects.all(), actor, pk=house.pk)
    jurisdiction.check_can_write(actor, division_id=house.division_id, police_unit_id=house.police_unit_id)
    values = _validate_house(data)
    return record_update(
        actor=actor, record=house, expected_version=expected_version, changes=values, reason=reason
    )


def _verify(*, actor: User, record: Any, expected_version: int, ok: bool, reason: str) -> Any:
    """Field verification (核查 / 核实) by a reviewing role in whose jurisdiction the record lies."""
    if not jurisdiction.can_review(actor):
        from ybss.core.errors import Forbidden

        raise Forbidden()
    jurisdiction.check_can_write(actor, division_id=record.division_id, police_unit_id=record.police_unit_id)
    return record_update(
        actor=actor,
        record=record,
        expected_version=expected_version,
        reason=reason,
        changes={
            "verify_state": VerifyState.VERIFIED if ok else VerifyState.FAILED,
            "verified_at": timezone.now(),
            "verified_by_id": actor.pk,
        },
    )


def house_verify(*, actor: User, house: House, expected_version: int, ok: bool, reason: str = "") -> House:
    """核查: a community officer (or chief) confirms the house in the field."""
    return _verify(actor=actor, record=house, expected_version=expected_version, ok=ok, reason=reason)


def person_check(data: PersonData) -> tuple[dict[str, Any], list[Finding]]:
    """Validate ``data`` as ``person_register`` does before it looks at the house (shape, codes,
    ID number, phones); raise InvalidInput with field errors, else return the cleaned values and
    the warnings. Saves nothing: phones and offline submissions are checked with it on arrival."""
    errors = FieldErrors()
    values, warnings = _validate_person(data, errors)
    errors.raise_if_any()
    return values, warnings


def house_check(data: HouseData) -> dict[str, Any]:
    """Validate ``data`` as ``house_create`` does; raise InvalidInput, else return the values."""
    return _validate_house(data)


def unit_check(data: UnitData, *, address: StandardAddress) -> tuple[dict[str, Any], list[Finding]]:
    """Validate ``data`` as ``unit_create`` does for ``address`` (which may be unsaved)."""
    return _validate_unit(data, address=address)


# --- units -----------------------------------------------------------------------------------


def _validate_unit(data: UnitData, *, address: StandardAddress) -> tuple[dict[str, Any], list[Finding]]:
    errors = FieldErrors()
    require(errors, data, "name", "category")
    check_length(errors, data, {"name": 100, "legal_rep_name": 40, "security_lead_name": 40})
    check_code(errors, "category", "unit_category", data.category)
    check_code(errors, "industry", "industry", data.industry)
    check_code(errors, "special_trade", "special_trade", data.special_trade)
    check_code(errors, "biz_status", "unit_status", data.biz_status, required=True)
    for h in data.hazards:
        check_code(errors, "hazards", "hazard", h)
    values = asdict(data)
    values["credit_code"], warnings = check_credit(errors, "credit_code", data.credit_code)
    values["legal_rep_id_number"], _w = check_id(errors, "legal_rep_id_number", data.legal_rep_id_number)
    values["security_lead_id_number"], _w2 = check_id(
        errors, "security_lead_id_number", data.security_lead_id_number
    )
    for f in ("legal_rep_phone", "security_lead_phone", "phone"):
        values[f] = check_phone_field(errors, f, getattr(data, f))
    from ybss.core.identifiers import birth_date_from_id

    role_checks: tuple[tuple[str, rules.Role], ...] = (
        ("legal_rep_id_number", "legal_rep"),
        ("security_lead_id_number", "security_lead"),
    )
    for id_field, role in role_checks:
        if values[id_field] and id_field not in errors.fields:
            errors.extend(
                rules.check_role_age(birth_date_from_id(values[id_field]), role, today()), field=id_field
            )
    errors.extend(rules.check_unit_address_active(address.status), field="address")
    if data.opened_on and data.closed_on and data.closed_on < data.opened_on:
        errors.add("closed_on", _("The end date is before the start date."))
    check_date_not_future(errors, "opened_on", data.opened_on)
    if data.house_id is not None and not House.objects.filter(pk=data.house_id, address=address).exists():
        errors.add("house", _("The house is not at this address."))
    errors.raise_if_any()
    values["hazards"] = sorted(set(data.hazards))
    return values, warnings


@transaction.atomic
def unit_create(
    *, actor: User, address_id: int, data: UnitData, reason: str = ""
) -> tuple[Unit, list[Finding]]:
    """Record a unit at an active standard address in scope."""
    address = jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=address_id)
    jurisdiction.check_can_write(
        actor, division_id=address.division_id, police_unit_id=address.police_unit_id
    )
    values, warnings = _validate_unit(data, address=address)
    if (
        values["credit_code"]
        and Unit.objects.filter(credit_code=values["credit_code"])
        .exclude(status=RecordStatus.VOIDED)
        .exists()
    ):
        raise InvalidInput(
            code="unit.duplicate", fields={"credit_code": [_("A unit with this credit code already exists.")]}
        )
    u = record_create(
        actor=actor,
        model=Unit,
        fields={**values, "address": address},
        division_id=address.division_id,
        police_unit_id=address.police_unit_id,
        reason=reason,
        history=values,
    )
    return u, warnings


def unit_update(
    *, actor: User, unit: Unit, expected_version: int, data: UnitData, reason: str = ""
) -> tuple[Unit, list[Finding]]:
    jurisdiction.get_in_scope(Unit.objects.all(), actor, pk=unit.pk)
    jurisdiction.check_can_write(actor, division_id=unit.division_id, police_unit_id=unit.police_unit_id)
    values, warnings = _validate_unit(data, address=unit.address)
    return record_update(
        actor=actor, record=unit, expected_version=expected_version, changes=values, reason=reason
    ), warnings


def unit_verify(*, actor: User, unit: Unit, expected_version: int, ok: bool, reason: str = "") -> Unit:
    """核实: an officer confirms the unit in the field."""
    return _verify(actor=actor, record=unit, expected_version=expected_version, ok=ok, reason=reason)


@transaction.atomic
def employment_create(
    *, actor: User, unit: Unit, person_id: int, post: str = "", since: date | None = None, reason: str = ""
) -> Employment:
    """Record that a person works at a unit (the person must be visible to the actor)."""
    jurisdiction.check_can_write(actor, division_id=unit.division_id, police_unit_id=unit.police_unit_id)
    try:
        person = jurisdiction.get_in_scope(Person.objects.all(), actor, pk=person_id)
    except NotFound as exc:
        raise InvalidInput(
            code="employment.person", fields={"person": [_("The person does not exist.")]}
        ) from exc
    errors = FieldErrors()
    errors.extend(rules.check_role_age(person.birth_date, "employee", today()), field="person")
    check_date_not_future(errors, "since", since)
    if len(post) > 40:
        errors.add("post", _("Ensure this value has at most %(n)d characters.") % {"n": 40})
    if Employment.objects.filter(unit=unit, person=person, active=True).exists():
        errors.add("person", _("This person already works here."))
    errors.raise_if_any()
    e = record_create(
        actor=actor,
        model=Employment,
        fields={"unit": unit, "person": person, "post": post, "since": since, "active": True},
        division_id=unit.division_id,
        police_unit_id=unit.police_unit_id,
        reason=reason,
        history={"person": person.pk, "post": post},
    )
    return e
