"""Records planted in the shared two-station county for the standing-list tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.factories import NOW, AddressFactory, HouseFactory, PersonFactory, ResidenceFactory, UnitFactory
from ybss.addresses.models import AddressLevel
from ybss.registry.models import Employment


def stamp(station: Any) -> dict[str, Any]:
    return {"division": station.village, "police_unit": station.district}


def house(station: Any, **fields: Any):
    room = AddressFactory(
        level=AddressLevel.ROOM,
        parent=station.door,
        unit_no="2",
        floor=3,
        room_no=str(AddressFactory._meta.model.objects.count() + 300),
        **stamp(station),
    )
    return HouseFactory(address=room, **{**stamp(station), **fields})


def person(station: Any, **fields: Any):
    return PersonFactory(**{**stamp(station), **fields})


def resident(station: Any, where: Any, residence_type: str = "floating", **fields: Any):
    p = fields.pop("person", None) or person(station)
    ResidenceFactory(person=p, house=where, residence_type=residence_type, **{**stamp(station), **fields})
    return p


def foreigner(station: Any, *, days: int, nationality: str = "USA", **fields: Any):
    return person(
        station,
        id_type="414",
        nationality=nationality,
        visa_type="Z",
        visa_expiry=timezone.localdate() + dt.timedelta(days=days),
        **fields,
    )


def unit(station: Any, **fields: Any):
    return UnitFactory(address=station.door, **{**stamp(station), **fields})


def employ(station: Any, u: Any, p: Any, *, active: bool = True) -> Employment:
    return Employment.objects.create(
        person=p,
        unit=u,
        post="保安",
        active=active,
        created_at=NOW,
        updated_at=NOW,
        status="accepted",
        **stamp(station),
    )
