"""Cleaning-workflow fixtures on top of the shared two-station county (tests/conftest.py):
queue items per station and a duplicate door plate carrying one of every reference."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import NOW, AddressFactory, HouseFactory, PersonFactory, UnitFactory, make_id
from ybss.addresses.models import AddressAlias, AddressLevel, CleanState, StandardAddress
from ybss.core.models import RecordStatus
from ybss.registry.models import House, Person, Unit
from ybss.transfer.importing.parse import address_key
from ybss.transfer.models import AddressCleaningItem


def make_item(station, text: str, *, hits: int = 1, kind: str = "houses", **extra) -> AddressCleaningItem:
    """A pending queue item as an import by ``station``'s officer leaves it (police unit only)."""
    return AddressCleaningItem.objects.create(
        raw_text=text,
        normalised_text=address_key(text)[:300],
        kind=kind,
        hits=hits,
        police_unit=station.district,
        created_at=NOW,
        **extra,
    )


@pytest.fixture
def items(county):
    """One pending item per station: text for an address that exists, in each station."""
    county.a.item = make_item(county.a, "陕西省渭南市合阳县城关街道a测试路1号1单元501", hits=3)
    county.b.item = make_item(county.b, "甘井镇b测试路1号（旧）", hits=1)
    return county


@dataclass
class Dup:
    """A second door plate for station a's door (same place, other spelling) with a reference of
    every kind, and what the merge should leave behind."""

    keep: StandardAddress
    dup: StandardAddress
    twin_room: StandardAddress  # dup's 1-501: the same room as keep's
    lone_room: StandardAddress  # dup's 1-502: keep has none, so it moves
    houses: list[House]
    unit: Unit
    person: Person
    item: AddressCleaningItem
    old: StandardAddress  # merged into dup earlier


@pytest.fixture
def dup(county) -> Dup:
    a = county.a
    stamp = {"division": a.village, "police_unit": a.district}
    d = AddressFactory(
        road=a.road, door_number="1", full_name="合阳县城关街道a测试路壹号", code="DUP-A-1", **stamp
    )
    twin = AddressFactory(
        level=AddressLevel.ROOM,
        parent=d,
        unit_no="1",
        floor=5,
        room_no="501",
        code="DUP-A-1-1-0501",
        full_name="合阳县城关街道a测试路壹号1单元501室",
        **stamp,
    )
    lone = AddressFactory(
        level=AddressLevel.ROOM,
        parent=d,
        unit_no="1",
        floor=5,
        room_no="502",
        code="DUP-A-1-1-0502",
        full_name="合阳县城关街道a测试路壹号1单元502室",
        **stamp,
    )
    houses = [
        HouseFactory(address=d, **stamp),
        HouseFactory(address=twin, **stamp),
        HouseFactory(address=lone, **stamp),
    ]
    unit = UnitFactory(address=d, **stamp)
    person = PersonFactory(
        id_number=make_id(seq=51),
        name="赵合并",
        phone="13912340051",
        hukou_address=d,
        hukou_address_text="合阳县城关街道a测试路壹号",
        **stamp,
    )
    AddressAlias.objects.create(address=d, name="a测试路一号", kind="alias")
    item = AddressCleaningItem.objects.create(
        raw_text="a测试路1号大院",
        normalised_text="a测试路1号大院",
        police_unit=a.district,
        state="resolved",
        decision="linked",
        resolved_address=d,
        created_at=NOW,
    )
    old = AddressFactory(
        road=a.road,
        door_number="1",
        code="OLD-A-1",
        full_name="合阳县城关镇a测试路1号",
        status=RecordStatus.VOIDED,
        clean_state=CleanState.MERGED,
        merged_into=d,
        **stamp,
    )
    return Dup(a.door, d, twin, lone, houses, unit, person, item, old)
