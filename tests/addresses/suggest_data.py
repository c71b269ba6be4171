"""Streets, a compound and a villager group for the as-you-type tests, on the shared two-station
county (tests/factories.py ``make_county``).

Station a (城关街道 金水社区): 凤凰路 1, 2, 10, 12, 21号 (and room 1单元101室 of 1号); 东新街1号
金水小区 3, 5, 13, 30号楼 (and rooms 1单元101室, 1单元102室 of 3号楼).
Station b (甘井镇 甘井村): 凤凰街 1, 10号; 甘井村 3组 5, 15号.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.factories import AddressFactory, County
from ybss.addresses import matching
from ybss.addresses.models import AddressElement, AddressLevel, StandardAddress
from ybss.addresses.naming import full_name
from ybss.addresses.parsing import gazetteer

PATH_A = ["陕西省", "渭南市", "合阳县", "城关街道", "金水社区"]
PATH_B = ["陕西省", "渭南市", "合阳县", "甘井镇", "甘井村"]


@dataclass
class Streets:
    """The addresses by their full name below the county (城关街道凤凰路10号 → the address)."""

    a: dict[str, StandardAddress] = field(default_factory=dict)
    b: dict[str, StandardAddress] = field(default_factory=dict)

    def __getitem__(self, short: str) -> StandardAddress:
        return self.a.get(short) or self.b[short]


def _short(name: str) -> str:
    return name.removeprefix("陕西省渭南市合阳县")


def add_streets(county: County) -> Streets:
    """Create the addresses of the module docstring (codes 610524…-S…, accepted)."""
    out = Streets()
    a, b = county.a, county.b
    stamp_a = {"division": a.village, "police_unit": a.district}
    stamp_b = {"division": b.village, "police_unit": b.district}
    n = 0

    def door(stamp: dict, path: list[str], into: dict, **parts: str) -> StandardAddress:
        nonlocal n
        n += 1
        element, compound = parts.pop("element"), parts.pop("compound_element", None)
        name = full_name(division_path=path, **parts)
        address = AddressFactory(
            code=f"{stamp['division'].code}-S{n:03d}",
            road=element,
            compound=compound,
            door_number=parts.get("door_number", ""),
            building=parts.get("building", ""),
            full_name=name,
            **stamp,
        )
        into[_short(name)] = address
        return address

    def room(parent: StandardAddress, stamp: dict, into: dict, unit: str, number: str) -> StandardAddress:
        name = f"{parent.full_name}{unit}单元{number}室"
        address = AddressFactory(
            code=f"{parent.code}-{unit}-{number}",
            level=AddressLevel.ROOM,
            parent=parent,
            road=parent.road,
            compound=parent.compound,
            door_number=parent.door_number,
            building=parent.building,
            unit_no=unit,
            floor=int(number[:-2]),
            room_no=number,
            full_name=name,
            **stamp,
        )
        into[_short(name)] = address
        return address

    fenghuang = AddressElement.objects.create(kind="41", name="凤凰路", division=a.village)
    for number in ("1", "2", "10", "12", "21"):
        door(stamp_a, PATH_A, out.a, element=fenghuang, street="凤凰路", door_number=number)
    room(out.a["城关街道凤凰路1号"], stamp_a, out.a, "1", "101")
    dongxin = AddressElement.objects.create(kind="41", name="东新街", division=a.village)
    jinshui = AddressElement.objects.create(kind="42", name="金水小区", division=a.village)
    for building in ("3", "5", "13", "30"):
        door(
            stamp_a,
            PATH_A,
            out.a,
            element=dongxin,
            compound_element=jinshui,
            street="东新街",
            door_number="1",
            compound="金水小区",
            building=building,
        )
    for number in ("101", "102"):
        room(out.a["城关街道东新街1号金水小区3号楼"], stamp_a, out.a, "1", number)
    street_b = AddressElement.objects.create(kind="41", name="凤凰街", division=b.village)
    for number in ("1", "10"):
        door(stamp_b, PATH_B, out.b, element=street_b, street="凤凰街", door_number=number)
    group = AddressElement.objects.create(kind="34", name="3组", division=b.village)
    for number in ("5", "15"):
        door(stamp_b, PATH_B, out.b, element=group, group="3组", door_number=number)
    gazetteer.invalidate()
    matching.invalidate()
    return out
