"""Reads of standard addresses. Every function starts from ``jurisdiction.scope``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ybss.org import jurisdiction
from ybss.org.models import User

from .models import AddressElement, StandardAddress


@dataclass(frozen=True)
class AddressFilters:
    q: str = ""
    level: str = ""
    status: str = ""
    division: str = ""
    police_unit: str = ""
    mark_state: str = ""
    clean_state: str = ""


def address_list(*, actor: User, filters: AddressFilters | None = None) -> QuerySet[StandardAddress]:
    """Addresses in ``actor``'s jurisdiction matching ``filters``, ordered by code."""
    f = filters or AddressFilters()
    qs = jurisdiction.scope(StandardAddress.objects.all(), actor)
    if f.q:
        qs = qs.filter(Q(full_name__contains=f.q) | Q(code__startswith=f.q) | Q(aliases__name__contains=f.q))
    if f.level:
        qs = qs.filter(level=f.level)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.division:
        qs = qs.filter(division__pk__startswith=f.division)
    if f.police_unit:
        qs = qs.filter(police_unit__pk__startswith=f.police_unit)
    if f.mark_state:
        qs = qs.filter(mark_state=f.mark_state)
    if f.clean_state:
        qs = qs.filter(clean_state=f.clean_state)
    if f.q:
        qs = qs.distinct()
    return qs.select_related("division", "police_unit").order_by("code")


def address_get(*, actor: User, pk: int) -> StandardAddress:
    """One address in scope (NotFound otherwise), with its parent and hierarchy."""
    return jurisdiction.get_in_scope(
        StandardAddress.objects.select_related("division", "police_unit", "parent", "road", "compound"),
        actor,
        pk=pk,
    )


def address_rooms(*, actor: User, address: StandardAddress) -> QuerySet[StandardAddress]:
    return jurisdiction.scope(address.rooms.all(), actor).order_by("unit_no", "floor", "room_no")


def element_list(*, division_prefix: str, kind: str = "") -> QuerySet[AddressElement]:
    """Gazetteer elements (not personal data; not scoped beyond the division filter)."""
    qs = AddressElement.objects.filter(division__pk__startswith=division_prefix)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name")
