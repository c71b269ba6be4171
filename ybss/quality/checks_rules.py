"""The record rules of DOMAIN.md §5 over the whole base, in bulk: the same validators the forms,
the phone and the import use (``core.identifiers``, ``registry.rules``), applied to every stored
record, because records get in by other paths too (old imports, direct loads, edits of the rules).

Each rule is a ``RuleSpec``; ``run`` reads each table once with ``values_list`` (no model objects)
and yields ``Finding``s. Voided records are left out: they are history, not data in use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ybss.core.identifiers import (
    birth_date_from_id,
    check_credit_code,
    check_id_number,
    check_phone,
    mask_id_number,
    mask_phone,
    sex_from_id,
)
from ybss.core.models import RecordStatus
from ybss.registry import rules
from ybss.registry.models import House, Person, Residence, Unit

from .findings import Finding
from .spec import RuleSpec, ScanContext

PERSON = "registry.person"
HOUSE = "registry.house"
UNIT = "registry.unit"
RESIDENCE = "registry.residence"

R_ID = RuleSpec(
    "person.id_invalid",
    "id_invalid",
    "error",
    PERSON,
    ("id_number",),
    _("The ID number is not valid (format, date or check digit)."),
)
R_ID_SEX = RuleSpec(
    "person.id_sex",
    "id_mismatch",
    "error",
    PERSON,
    ("id_number", "sex"),
    _("The sex does not agree with the ID number."),
)
R_ID_BIRTH = RuleSpec(
    "person.id_birth",
    "id_mismatch",
    "error",
    PERSON,
    ("id_number", "birth_date"),
    _("The birth date does not agree with the ID number."),
)
R_PHONE = RuleSpec(
    "person.phone_invalid",
    "phone_invalid",
    "error",
    PERSON,
    ("phone", "phone2"),
    _("The phone number is neither a mobile nor a landline."),
)
R_PERSON_MISSING = RuleSpec(
    "person.missing",
    "missing_field",
    "error",
    PERSON,
    ("name", "sex"),
    _("Required details of the person are missing."),
)
R_HOUSE_MISSING = RuleSpec(
    "house.missing",
    "missing_field",
    "error",
    HOUSE,
    ("house_type", "use"),
    _("Required details of the house are missing."),
)
R_UNIT_MISSING = RuleSpec(
    "unit.missing",
    "missing_field",
    "error",
    UNIT,
    ("name", "category"),
    _("Required details of the unit are missing."),
)
R_CREDIT = RuleSpec(
    "unit.credit_invalid",
    "credit_code_invalid",
    "warning",
    UNIT,
    ("credit_code",),
    _("The unified social credit code fails its check."),
)
R_LANDLORD_AGE = RuleSpec(
    "house.landlord_age",
    "role_age",
    "error",
    HOUSE,
    ("landlord",),
    _("The landlord is too young for the role."),
)
R_REP_AGE = RuleSpec(
    "unit.rep_age",
    "role_age",
    "error",
    UNIT,
    ("legal_rep_id_number", "security_lead_id_number"),
    _("The legal representative or security lead is too young for the role."),
)
R_RESIDENCE = RuleSpec(
    "residence.type_hukou",
    "residence_rule",
    "error",
    RESIDENCE,
    ("residence_type",),
    _("The residence type does not agree with the registered domicile."),
)
R_RENTAL = RuleSpec(
    "house.rental_no_landlord",
    "rental_no_landlord",
    "error",
    HOUSE,
    ("use", "landlord"),
    _("A rented house has no landlord recorded."),
)
R_UNIT_ADDRESS = RuleSpec(
    "unit.address_inactive",
    "unit_address_inactive",
    "error",
    UNIT,
    ("address",),
    _("The unit's standard address is voided or merged."),
)
R_UNIT_ID = RuleSpec(
    "unit.id_invalid",
    "id_invalid",
    "error",
    UNIT,
    ("legal_rep_id_number", "security_lead_id_number"),
    _("An ID number of the unit's legal representative or security lead is not valid."),
)
R_UNIT_PHONE = RuleSpec(
    "unit.phone_invalid",
    "phone_invalid",
    "error",
    UNIT,
    ("phone", "legal_rep_phone", "security_lead_phone"),
    _("A phone number of the unit is neither a mobile nor a landline."),
)
R_HOUSE_ID = RuleSpec(
    "house.id_invalid",
    "id_invalid",
    "error",
    HOUSE,
    ("owner_id_number", "custodian_id_number"),
    _("The ID number of the house's owner or custodian is not valid."),
)
R_HOUSE_PHONE = RuleSpec(
    "house.phone_invalid",
    "phone_invalid",
    "error",
    HOUSE,
    ("owner_phone", "custodian_phone"),
    _("A phone number of the house's owner or custodian is neither a mobile nor a landline."),
)
R_CROWDED = RuleSpec(
    "house.overcrowded",
    "overcrowded",
    "warning",
    HOUSE,
    ("area",),
    _("More people are registered than the house can reasonably hold."),
    params={
        "min_m2_per_person": float(rules.MIN_AREA_PER_OCCUPANT_M2),
        "max_without_area": rules.MAX_OCCUPANTS_WITHOUT_AREA,
    },
)

RULES: list[RuleSpec] = [
    R_ID,
    R_ID_SEX,
    R_ID_BIRTH,
    R_PHONE,
    R_PERSON_MISSING,
    R_HOUSE_MISSING,
    R_UNIT_MISSING,
    R_CREDIT,
    R_LANDLORD_AGE,
    R_REP_AGE,
    R_RESIDENCE,
    R_RENTAL,
    R_UNIT_ADDRESS,
    R_CROWDED,
    R_UNIT_ID,
    R_UNIT_PHONE,
    R_HOUSE_ID,
    R_HOUSE_PHONE,
]


def _scoped(qs: Any, ctx: ScanContext) -> Any:
    qs = qs.exclude(status=RecordStatus.VOIDED)
    if ctx.police_prefix:
        qs = qs.filter(police_unit_id__startswith=ctx.police_prefix)
    if ctx.records is not None:
        label = qs.model._meta.label_lower
        qs = qs.filter(pk__in=sorted(ctx.records.get(label, set())))
    return qs


def _f(rule: RuleSpec, record_type: str, pk: int, collector: int | None, **evidence: Any) -> Finding:
    return Finding(
        rule=rule.code,
        category=rule.category,
        record_type=record_type,
        record_id=pk,
        severity=rule.severity,
        evidence=evidence,
        collector_id=collector,
    )


def person_findings(row: tuple[Any, ...], ctx: ScanContext) -> Iterator[Finding]:
    """Rules on one person row: (pk, id_type, id_number, name, sex, birth_date, phone, phone2,
    created_by_id). Pure: also used by the tests."""
    pk, id_type, number, name, sex, birth, phone, phone2, by = row
    if ctx.on(R_PERSON_MISSING):
        missing = [
            f for f, v in (("name", name), ("sex", sex), ("id_number", number)) if not (v or "").strip()
        ]
        if missing:
            yield _f(R_PERSON_MISSING, PERSON, pk, by, missing=missing)
    if id_type in ("111", "112") and number:
        check = check_id_number(number)
        errors = [x.code for x in check.findings if x.is_error]
        if errors:
            if ctx.on(R_ID):
                yield _f(R_ID, PERSON, pk, by, codes=errors, id_number=mask_id_number(number))
        else:
            id_sex, id_birth = sex_from_id(check.value), birth_date_from_id(check.value)
            if ctx.on(R_ID_SEX) and sex in ("1", "2") and id_sex and sex != id_sex:
                yield _f(R_ID_SEX, PERSON, pk, by, sex=sex, id_sex=id_sex, id_number=mask_id_number(number))
            if ctx.on(R_ID_BIRTH) and birth and id_birth and birth != id_birth:
                yield _f(R_ID_BIRTH, PERSON, pk, by, birth_date=str(birth), id_birth_date=str(id_birth))
    if ctx.on(R_PHONE):
        bad = [
            f
            for f, v in (("phone", phone), ("phone2", phone2))
            if v and any(x.is_error for x in check_phone(v))
        ]
        if bad:
            yield _f(R_PHONE, PERSON, pk, by, fields=bad, phone=mask_phone(phone or phone2))


def _bad_ids(pairs: tuple[tuple[str, str | None], ...]) -> list[str]:
    return [f for f, v in pairs if v and not check_id_number(v).ok]


def _bad_phones(pairs: tuple[tuple[str, str | None], ...]) -> list[str]:
    return [f for f, v in pairs if v and any(x.is_error for x in check_phone(v))]


def run(ctx: ScanContext) -> Iterator[Finding]:
    """Every record rule over the persons, houses, residences and units in scope."""
    today = ctx.today
    ctx.step("persons")
    persons = _scoped(Person.objects.all(), ctx).values_list(
        "pk", "id_type", "id_number", "name", "sex", "birth_date", "phone", "phone2", "created_by_id"
    )
    births: dict[int, Any] = {}
    hukou: dict[int, str] = {}
    for row in persons.iterator(chunk_size=5000):
        yield from person_findings(row, ctx)
    ctx.step("houses")
    living = Residence.objects.filter(active=True).exclude(status=RecordStatus.VOIDED)
    if ctx.police_prefix:
        living = living.filter(police_unit_id__startswith=ctx.police_prefix)
    if ctx.records is not None:
        living = living.filter(house_id__in=sorted(ctx.records.get(HOUSE, set())))
    occupants = Counter(
        dict(living.values_list("house_id").annotate(n=Count("pk")).values_list("house_id", "n"))
    )
    houses = _scoped(House.objects.all(), ctx).values_list(
        "pk",
        "house_type",
        "use",
        "area",
        "landlord_id",
        "created_by_id",
        "owner_id_number",
        "custodian_id_number",
        "owner_phone",
        "custodian_phone",
    )
    landlords: dict[int, list[int]] = {}
    min_m2 = ctx.param(R_CROWDED, "min_m2_per_person")
    max_no_area = ctx.param(R_CROWDED, "max_without_area")
    for pk, house_type, use, area, landlord, by, owner_id, cust_id, owner_ph, cust_ph in houses.iterator(
        chunk_size=5000
    ):
        if ctx.on(R_HOUSE_ID) and (owner_id or cust_id):
            bad = _bad_ids((("owner_id_number", owner_id), ("custodian_id_number", cust_id)))
            if bad:
                yield _f(R_HOUSE_ID, HOUSE, pk, by, fields=bad)
        if ctx.on(R_HOUSE_PHONE) and (owner_ph or cust_ph):
            bad = _bad_phones((("owner_phone", owner_ph), ("custodian_phone", cust_ph)))
            if bad:
                yield _f(R_HOUSE_PHONE, HOUSE, pk, by, fields=bad)
        missing = [f for f, v in (("house_type", house_type), ("use", use)) if not v]
        if missing and ctx.on(R_HOUSE_MISSING):
            yield _f(R_HOUSE_MISSING, HOUSE, pk, by, missing=missing)
        if use == "rented" and landlord is None and ctx.on(R_RENTAL):
            yield _f(R_RENTAL, HOUSE, pk, by, use=use)
        if landlord is not None:
            landlords.setdefault(landlord, []).append(pk)
        n = occupants.get(pk, 0)
        if n and ctx.on(R_CROWDED):
            crowded = (float(area) < min_m2 * n) if area and area > 0 else n > max_no_area
            if crowded:
                f = _f(R_CROWDED, HOUSE, pk, by, occupants=n, area=float(area) if area else None)
                yield f
    if landlords and ctx.on(R_LANDLORD_AGE):
        for pid, birth in Person.objects.filter(pk__in=list(landlords)).values_list("pk", "birth_date"):
            births[pid] = birth
            if rules.check_role_age(birth, "landlord", today):
                for house_pk in landlords[pid]:
                    yield _f(R_LANDLORD_AGE, HOUSE, house_pk, None, landlord=pid, birth_date=str(birth))
    ctx.step("residences")
    if ctx.on(R_RESIDENCE):
        county = settings.YBSS_COUNTY_CODE
        rows = (
            _scoped(Residence.objects.filter(active=True), ctx)
            .filter(residence_type__in=["permanent", "lodging", "floating"])
            .values_list("pk", "residence_type", "person__hukou_division_code", "created_by_id")
        )
        for pk, rtype, hk, by in rows.iterator(chunk_size=5000):
            hukou[pk] = hk
            if not hk:
                continue
            if rules.check_residence_type(rtype, hk, county):
                yield _f(R_RESIDENCE, RESIDENCE, pk, by, residence_type=rtype, hukou_division_code=hk[:6])
    ctx.step("units")
    units = _scoped(Unit.objects.all(), ctx).values_list(
        "pk",
        "name",
        "category",
        "credit_code",
        "legal_rep_id_number",
        "security_lead_id_number",
        "address__status",
        "address__clean_state",
        "created_by_id",
        "phone",
        "legal_rep_phone",
        "security_lead_phone",
    )
    for row in units.iterator(chunk_size=2000):
        pk, name, category, credit, rep, lead, addr_status, addr_clean, by, phone, rep_ph, lead_ph = row
        if ctx.on(R_UNIT_ID) and (rep or lead):
            bad = _bad_ids((("legal_rep_id_number", rep), ("security_lead_id_number", lead)))
            if bad:
                yield _f(R_UNIT_ID, UNIT, pk, by, fields=bad)
        if ctx.on(R_UNIT_PHONE) and (phone or rep_ph or lead_ph):
            bad = _bad_phones(
                (("phone", phone), ("legal_rep_phone", rep_ph), ("security_lead_phone", lead_ph))
            )
            if bad:
                yield _f(R_UNIT_PHONE, UNIT, pk, by, fields=bad)
        missing = [f for f, v in (("name", name), ("category", category)) if not (v or "").strip()]
        if missing and ctx.on(R_UNIT_MISSING):
            yield _f(R_UNIT_MISSING, UNIT, pk, by, missing=missing)
        if credit and ctx.on(R_CREDIT):
            check = check_credit_code(credit)
            if not check.ok or any(x.code == "credit.checksum" for x in check.findings):
                yield _f(R_CREDIT, UNIT, pk, by, credit_code=credit, codes=[x.code for x in check.findings])
        if ctx.on(R_REP_AGE):
            roles: tuple[tuple[str, str | None, rules.Role], ...] = (
                ("legal_rep_id_number", rep, "legal_rep"),
                ("security_lead_id_number", lead, "security_lead"),
            )
            for field_name, number, role in roles:
                birth = birth_date_from_id(number) if number else None
                if birth and rules.check_role_age(birth, role, today):
                    yield _f(R_REP_AGE, UNIT, pk, by, field=field_name, birth_date=str(birth))
                    break
        if ctx.on(R_UNIT_ADDRESS) and (addr_status == RecordStatus.VOIDED or addr_clean == "merged"):
            yield _f(R_UNIT_ADDRESS, UNIT, pk, by, address_status=addr_status, clean_state=addr_clean)


__all__ = ["RULES", "person_findings", "run"]
