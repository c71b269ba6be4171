"""Drill-down reads (issue 8): from an address to its building, rooms, houses, residents (current
and past), units and employees; from a person to their residences over time, household and
employers; a house with its current and past residents.

Every query starts from ``jurisdiction.scope``: a row outside the actor's jurisdiction is simply
not there. Pages that list persons are reads of personal data, so each drill-down writes one audit
READ with a purpose that is never empty (the purpose carried over from a search, else the routine
purpose of the page, ``purpose_or_default``) and the number of persons shown; never an ID number
or a phone. The person page's own read is audited by ``selectors.person_get``; problems and leads
about a person are read from their apps (``quality``, ``casework``) by the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressLevel, StandardAddress
from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.org import jurisdiction
from ybss.org.models import User

from .models import Employment, House, Person, Residence, Unit

#: Rows of each kind shown on one drill-down page; a larger set says how many more there are.
DRILLDOWN_LIMIT = 200

#: The audit's purpose length (``AuditEvent.purpose``).
PURPOSE_MAX = 200

VOIDED = "voided"

#: The page named in the routine purpose when none was carried over (``purpose_or_default``).
PAGES = {
    "address": _("address page"),
    "house": _("house page"),
    "person": _("person page"),
    "card": _("household card"),
    "unit": _("unit page"),
}


def purpose_or_default(purpose: str | None, *, page: str) -> str:
    """The purpose to audit a drill-down read with: the one carried over (a search's stated
    purpose, trimmed to 200 characters) or, when none was, the routine purpose of ``page``
    (a key of ``PAGES``) such as 日常管理：人员页面. Never empty."""
    carried = (purpose or "").strip()[:PURPOSE_MAX]
    if carried:
        return carried
    return str(_("Routine management: %(page)s") % {"page": PAGES.get(page, page)})[:PURPOSE_MAX]


def _audit_read(
    actor: User,
    record: Any,
    *,
    page: str,
    detail: dict[str, Any],
    shown: int,
    purpose: str,
    request: HttpRequest | None,
    channel: str,
) -> None:
    """One audit READ of ``record`` (its ``_meta.label_lower`` names it) for a drill-down ``page``
    that showed ``shown`` persons, with the carried-over purpose or the page's routine one."""
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=record._meta.label_lower,
        object_id=record.pk,
        detail=detail,
        purpose=purpose_or_default(purpose, page=page),
        result_count=shown,
        request=request,
        channel=channel,
    )


@dataclass(frozen=True)
class Rows:
    """At most ``DRILLDOWN_LIMIT`` rows of a query, and whether it had more."""

    rows: list[Any] = field(default_factory=list)
    more: bool = False

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def _limited(qs: QuerySet[Any], limit: int = DRILLDOWN_LIMIT) -> Rows:
    rows = list(qs[: limit + 1])
    return Rows(rows=rows[:limit], more=len(rows) > limit)


def _persons_in(*groups: Rows) -> int:
    return len({r.person_id for g in groups for r in g.rows})


@dataclass(frozen=True)
class AddressDrilldown:
    address: StandardAddress
    building: StandardAddress | None  # a room's door plate (楼栋), when in scope
    rooms: Rows  # a door plate's rooms; a room's fellow rooms in its building
    houses: Rows
    current: Rows  # current residences at those houses
    past: Rows  # ended residences, latest first
    units: Rows
    employees: Rows  # employments at those units, current first
    limit: int = DRILLDOWN_LIMIT


def _scoped(qs: QuerySet[Any], actor: User) -> QuerySet[Any]:
    return jurisdiction.scope(qs, actor).exclude(status=VOIDED)


def address_drilldown(
    *,
    actor: User,
    address: StandardAddress,
    purpose: str = "",
    request: HttpRequest | None = None,
    channel: str = "web",
    limit: int = DRILLDOWN_LIMIT,
) -> AddressDrilldown:
    """What is at ``address`` (already fetched in scope): for a door plate, also what is at its
    rooms; for a room, its door plate (the building) and the building's rooms. Voided rows are
    left out. Writes one audit READ of the address with ``purpose`` (or the routine one) and the
    number of distinct persons shown as residents."""
    building: StandardAddress | None = None
    if address.level == AddressLevel.ROOM and address.parent_id:
        building = jurisdiction.scope(StandardAddress.objects.filter(pk=address.parent_id), actor).first()
    door = address if address.level == AddressLevel.DOOR else building
    rooms = (
        _limited(
            jurisdiction.scope(StandardAddress.objects.filter(parent=door), actor).order_by(
                "unit_no", "floor", "room_no", "id"
            ),
            limit,
        )
        if door is not None
        else Rows()
    )
    here = Q(address=address)
    if address.level == AddressLevel.DOOR:
        here |= Q(address__parent=address)
    houses_qs = _scoped(House.objects.filter(here), actor)
    houses = _limited(houses_qs.select_related("address").order_by("address__full_name", "id"), limit)
    residences = _scoped(Residence.objects.filter(house__in=houses_qs.values("pk")), actor).select_related(
        "person", "house__address"
    )
    current = _limited(
        residences.filter(active=True).order_by("house__address__full_name", "relation", "id"), limit
    )
    past = _limited(
        residences.filter(active=False).order_by(F("until").desc(nulls_last=True), "-id"),
        limit,
    )
    units_qs = _scoped(Unit.objects.filter(here | Q(house__in=houses_qs.values("pk"))), actor)
    units = _limited(units_qs.select_related("address").order_by("name", "id"), limit)
    employees = _limited(
        _scoped(Employment.objects.filter(unit__in=units_qs.values("pk")), actor)
        .select_related("person", "unit")
        .order_by("-active", "unit__name", F("since").desc(nulls_last=True), "id"),
        limit,
    )
    shown = _persons_in(current, past)
    _audit_read(
        actor,
        address,
        page="address",
        detail={"via": "address_drilldown", "residents": shown, "employees": _persons_in(employees)},
        shown=shown,
        purpose=purpose,
        request=request,
        channel=channel,
    )
    return AddressDrilldown(
        address=address,
        building=building,
        rooms=rooms,
        houses=houses,
        current=current,
        past=past,
        units=units,
        employees=employees,
        limit=limit,
    )


@dataclass(frozen=True)
class HouseDrilldown:
    house: House
    current: Rows
    past: Rows
    limit: int = DRILLDOWN_LIMIT


def house_drilldown(
    *,
    actor: User,
    house: House,
    purpose: str = "",
    request: HttpRequest | None = None,
    channel: str = "web",
    limit: int = DRILLDOWN_LIMIT,
) -> HouseDrilldown:
    """The residents of ``house`` (already fetched in scope), current and past, voided ones left
    out. Writes one audit READ of the house with the purpose and the number of persons shown."""
    residences = _scoped(Residence.objects.filter(house=house), actor).select_related("person")
    current = _limited(residences.filter(active=True).order_by("relation", "id"), limit)
    past = _limited(residences.filter(active=False).order_by(F("until").desc(nulls_last=True), "-id"), limit)
    shown = _persons_in(current, past)
    _audit_read(
        actor,
        house,
        page="house",
        detail={"via": "house_drilldown", "residents": shown},
        shown=shown,
        purpose=purpose,
        request=request,
        channel=channel,
    )
    return HouseDrilldown(house=house, current=current, past=past, limit=limit)


@dataclass(frozen=True)
class PersonDrilldown:
    person: Person
    residences: Rows  # every residence in scope, current and ended, latest first
    household: Rows  # the others living now in the person's current houses
    employments: Rows  # current first, then ended, latest first
    limit: int = DRILLDOWN_LIMIT


def person_drilldown(
    *,
    actor: User,
    person: Person,
    purpose: str = "",
    request: HttpRequest | None = None,
    channel: str = "web",
    limit: int = DRILLDOWN_LIMIT,
) -> PersonDrilldown:
    """The residences over time, household and employers of ``person``, who was fetched (and
    whose read was audited) by ``selectors.person_get``. Voided rows are left out. The household
    members shown are other persons: when there are any, one more audit READ names them (their
    ids and number, never an ID number or a phone) with the same purpose."""
    residences = _limited(
        _scoped(Residence.objects.filter(person=person), actor)
        .select_related("house__address", "landlord")
        .order_by("-active", F("since").desc(nulls_last=True), "-id"),
        limit,
    )
    homes = [r.house_id for r in residences.rows if r.active]
    household = (
        _limited(
            _scoped(Residence.objects.filter(house_id__in=homes, active=True), actor)
            .exclude(person=person)
            .select_related("person", "house__address")
            .order_by("house__address__full_name", "relation", "id"),
            limit,
        )
        if homes
        else Rows()
    )
    employments = _limited(
        _scoped(Employment.objects.filter(person=person), actor)
        .select_related("unit__address")
        .order_by("-active", F("since").desc(nulls_last=True), "-id"),
        limit,
    )
    if household.rows:
        members = sorted({r.person_id for r in household.rows})
        _audit_read(
            actor,
            person,
            page="person",
            detail={"via": "household", "persons": members},
            shown=len(members),
            purpose=purpose,
            request=request,
            channel=channel,
        )
    return PersonDrilldown(
        person=person, residences=residences, household=household, employments=employments, limit=limit
    )


def unit_drilldown_audit(
    *,
    actor: User,
    unit: Unit,
    employees: int,
    purpose: str = "",
    request: HttpRequest | None = None,
    channel: str = "web",
) -> None:
    """Audit the unit page (``unit`` fetched in scope) as a read of the unit and of the
    ``employees`` persons it lists, with the carried-over purpose or the page's routine one."""
    _audit_read(
        actor,
        unit,
        page="unit",
        detail={"via": "unit_drilldown", "employees": employees},
        shown=employees,
        purpose=purpose,
        request=request,
        channel=channel,
    )
