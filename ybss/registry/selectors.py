"""Reads of houses, persons, residences, units and employments.

Every function starts from ``jurisdiction.scope``. Reading one person and searching persons
write an audit event (``person_get``, ``person_list`` with a query): DOMAIN.md §10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import Role, User

from .drilldown import purpose_or_default
from .models import Employment, House, Person, Residence, Unit

_ID_LIKE = re.compile(r"^[0-9]{6,17}[0-9Xx]?$")
_PHONE_LIKE = re.compile(r"^1[3-9][0-9]{3,9}$")


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    sex: str = ""
    residence_type: str = ""
    separated: bool | None = None
    status: str = ""
    division: str = ""
    police_unit: str = ""

    @property
    def is_search(self) -> bool:
        return any(
            [
                self.q,
                self.sex,
                self.residence_type,
                self.separated is not None,
                self.status,
                self.division,
                self.police_unit,
            ]
        )


def _person_query(q: str) -> Q:
    q = q.strip()
    if _ID_LIKE.match(q):
        return Q(id_number__startswith=q.upper())
    if _PHONE_LIKE.match(q):
        return Q(phone__startswith=q) | Q(phone2__startswith=q)
    if q.isascii():
        return Q(pinyin__icontains=q.replace(" ", "").lower())
    return Q(name__contains=q) | Q(former_names__contains=q)


def person_list(
    *,
    actor: User,
    filters: PersonFilters | None = None,
    purpose: str = "",
    request: HttpRequest | None = None,
    channel: str = "web",
) -> QuerySet[Person]:
    """Persons in scope matching ``filters``. Every call is audited: a search (any filter set) with
    its terms, a plain listing as a read of the list. An investigator must state a purpose for a
    search (InvalidInput on ``purpose`` otherwise)."""
    f = filters or PersonFilters()
    if f.is_search and actor.role == Role.INVESTIGATOR and not purpose.strip():
        raise InvalidInput(
            code="purpose_required", fields={"purpose": [_("State the purpose of this search.")]}
        )
    qs = jurisdiction.scope(Person.objects.all(), actor)
    if f.q:
        qs = qs.filter(_person_query(f.q))
    if f.sex:
        qs = qs.filter(sex=f.sex)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.division:
        qs = qs.filter(division__pk__startswith=f.division)
    if f.police_unit:
        qs = qs.filter(police_unit__pk__startswith=f.police_unit)
    if f.residence_type or f.separated is not None:
        rq = Q(residences__active=True)
        if f.residence_type:
            rq &= Q(residences__residence_type=f.residence_type)
        if f.separated is not None:
            rq &= Q(residences__separated=f.separated)
        qs = qs.filter(rq).distinct()
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH if f.is_search else AuditAction.READ,
        object_type="registry.person",
        detail={k: v for k, v in f.__dict__.items() if v not in ("", None)}
        if f.is_search
        else {"list": True},
        purpose=purpose,
        request=request,
        channel=channel,
    )
    # prefetch, not select_related: with the joins SQLite plans the page by division and sorts
    # the whole county (170 ms); without them it walks the primary key backwards (10 ms).
    return qs.prefetch_related("division", "police_unit").order_by("-id")


def person_get(
    *, actor: User, pk: Any, purpose: str = "", request: HttpRequest | None = None, channel: str = "web"
) -> Person:
    """One person in scope (NotFound otherwise); the read is audited with ``purpose`` or, when
    none was stated, the routine purpose of the person page (never empty)."""
    person = jurisdiction.get_in_scope(Person.objects.select_related("division", "police_unit"), actor, pk=pk)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="registry.person",
        object_id=person.pk,
        purpose=purpose_or_default(purpose, page="person"),
        request=request,
        channel=channel,
    )
    return person


def person_residences(*, actor: User, person: Person) -> QuerySet[Residence]:
    return (
        jurisdiction.scope(Residence.objects.filter(person=person), actor)
        .select_related("house__address", "landlord")
        .order_by("-active", "-since")
    )


def person_employments(*, actor: User, person: Person) -> QuerySet[Employment]:
    return jurisdiction.scope(Employment.objects.filter(person=person), actor).select_related("unit")


@dataclass(frozen=True)
class HouseFilters:
    q: str = ""
    use: str = ""
    house_type: str = ""
    verify_state: str = ""
    management_level: str = ""
    status: str = ""
    police_unit: str = ""
    division: str = ""  # a division code prefix


def house_list(*, actor: User, filters: HouseFilters | None = None) -> QuerySet[House]:
    f = filters or HouseFilters()
    qs = jurisdiction.scope(House.objects.all(), actor)
    if f.q:
        qs = qs.filter(Q(address__full_name__contains=f.q) | Q(owner_name__contains=f.q))
    for field in ("use", "house_type", "verify_state", "management_level", "status"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.police_unit:
        qs = qs.filter(police_unit__pk__startswith=f.police_unit)
    if f.division:
        qs = qs.filter(division__pk__startswith=f.division)
    return qs.prefetch_related("address", "police_unit").order_by("-id")  # see person_list


def house_get(*, actor: User, pk: Any) -> House:
    return jurisdiction.get_in_scope(
        House.objects.select_related("address", "division", "police_unit", "landlord"), actor, pk=pk
    )


def house_residents(*, actor: User, house: House) -> QuerySet[Residence]:
    return (
        jurisdiction.scope(Residence.objects.filter(house=house, active=True), actor)
        .select_related("person")
        .order_by("relation", "id")
    )


@dataclass(frozen=True)
class UnitFilters:
    q: str = ""
    category: str = ""
    special_trade: str = ""
    hazardous: bool | None = None
    verify_state: str = ""
    status: str = ""
    police_unit: str = ""
    division: str = ""  # a division code prefix


def unit_list(*, actor: User, filters: UnitFilters | None = None) -> QuerySet[Unit]:
    f = filters or UnitFilters()
    qs = jurisdiction.scope(Unit.objects.all(), actor)
    if f.q:
        qs = qs.filter(Q(name__contains=f.q) | Q(credit_code__startswith=f.q.upper()))
    for field in ("category", "verify_state", "status"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.special_trade:
        qs = (
            qs.filter(special_trade=f.special_trade)
            if f.special_trade != "*"
            else qs.exclude(special_trade="")
        )
    if f.hazardous is True:
        qs = qs.exclude(hazards=[])
    if f.police_unit:
        qs = qs.filter(police_unit__pk__startswith=f.police_unit)
    if f.division:
        qs = qs.filter(division__pk__startswith=f.division)
    return qs.select_related("address", "police_unit").order_by("name")


def unit_get(*, actor: User, pk: Any) -> Unit:
    return jurisdiction.get_in_scope(
        Unit.objects.select_related("address", "division", "police_unit", "house"), actor, pk=pk
    )


def unit_employments(*, actor: User, unit: Unit) -> QuerySet[Employment]:
    return (
        jurisdiction.scope(Employment.objects.filter(unit=unit), actor)
        .select_related("person")
        .order_by("-active", "id")
    )


@dataclass(frozen=True)
class Counts:
    addresses: int
    houses: int
    persons: int
    units: int


def jurisdiction_counts(*, actor: User) -> Counts:
    """The four totals in ``actor``'s jurisdiction (voided records excluded)."""
    from ybss.addresses.models import StandardAddress

    def n(qs: QuerySet[Any]) -> int:
        return jurisdiction.scope(qs, actor).exclude(status="voided").count()

    return Counts(
        addresses=n(StandardAddress.objects.all()),
        houses=n(House.objects.all()),
        persons=n(Person.objects.all()),
        units=n(Unit.objects.all()),
    )


def address_houses(*, actor: User, address: StandardAddress) -> QuerySet[House]:
    """Houses in scope at ``address`` itself (not at its room addresses)."""
    return (
        jurisdiction.scope(House.objects.filter(address=address), actor)
        .select_related("address")
        .order_by("id")
    )


def address_units(*, actor: User, address: StandardAddress) -> QuerySet[Unit]:
    """Units in scope at ``address``."""
    return jurisdiction.scope(Unit.objects.filter(address=address), actor).order_by("name")
