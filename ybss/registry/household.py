"""The household card (户卡): one house with its current and past residents and the units at its
address, for printing. Reading it is a read of every person it names, and is audited as such."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.org import jurisdiction
from ybss.org.models import User

from .drilldown import purpose_or_default
from .models import House, Residence, Unit
from .selectors import house_get


@dataclass(frozen=True)
class HouseholdCard:
    house: House
    current: list[Residence]
    past: list[Residence]
    units: list[Unit]


def household_card(
    *, actor: User, pk: Any, purpose: str = "", request: HttpRequest | None = None, channel: str = "web"
) -> HouseholdCard:
    """The card of house ``pk`` in scope (NotFound otherwise). Residents and units are those in
    scope (voided residences left out); one audit read is written per person shown, with
    ``purpose`` or, when none was carried over, the routine purpose of the card (never empty)."""
    house = house_get(actor=actor, pk=pk)
    stated = purpose_or_default(purpose, page="card")
    residences = list(
        jurisdiction.scope(Residence.objects.filter(house=house), actor)
        .exclude(status="voided")
        .select_related("person")
        .order_by("relation", "since", "id")
    )
    units = list(
        jurisdiction.scope(Unit.objects.filter(Q(house=house) | Q(address_id=house.address_id)), actor)
        .exclude(status="voided")
        .order_by("name", "id")
    )
    seen: set[int] = set()
    for r in residences:
        if r.person_id in seen:
            continue
        seen.add(r.person_id)
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="registry.person",
            object_id=r.person_id,
            detail={"via": "household_card", "house": house.pk},
            purpose=stated,
            request=request,
            channel=channel,
        )
    return HouseholdCard(
        house=house,
        current=[r for r in residences if r.active],
        past=sorted(
            (r for r in residences if not r.active), key=lambda r: r.until or dt.date.min, reverse=True
        ),
        units=units,
    )
