"""The demo's actual houses (实有房屋).

One house per room address, per shop door plate and per rural courtyard; building door plates
(which hold the rooms) have none. To make the house total come out exactly, the difference is
taken up by courtyards: some get a second house (a 自建房 beside the old 平房), or, when there are
fewer houses than that (tiny scales), a few courtyards are empty plots.

Houses are planned first (type, structure, size); the population is placed into them; then the
rows are written with use (出租/自住/闲置/经营), owner, landlord and rental details.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from .common import BASE_COLUMNS, Picker, Stamper, Window, stream
from .county import TOWN_CENTRES, OrgPlan, Village
from .gazetteer import Addresses
from .identity import IdNumbers, Names, Phones
from .population import P_ID, P_NAME, P_PHONE, Population

HOUSE_COLUMNS = (
    *BASE_COLUMNS,
    "address_id", "house_type", "structure", "floors", "rooms", "area", "use", "ownership",
    "owner_name", "owner_id_number", "owner_phone", "custodian_name", "custodian_id_number",
    "custodian_phone", "landlord_id", "rental_mode", "rental_start", "rent", "rental_filing_no",
    "security_pledge", "management_level", "is_urban_village", "is_urban_fringe", "is_complex_area",
    "verify_state", "verified_at", "verified_by_id",
)  # fmt: skip
RETURN_REASONS = (
    "房屋结构与实地不符，请核实",
    "出租房屋未登记承租人",
    "房主身份证号码有误",
    "建筑面积填写明显不合理",
)
_ROOMS = Picker.of([(1, 10), (2, 35), (3, 45), (4, 10)])
_AREA = {1: (38, 60), 2: (62, 96), 3: (92, 136), 4: (122, 165)}
_RURAL = Picker.of([("bungalow", 54), ("self_built", 43), ("villa", 1), ("shed", 1), ("other", 1)])
_RURAL_STRUCTURE = {
    "bungalow": Picker.of([("brick_wood", 45), ("earth_wood", 15), ("brick_concrete", 40)]),
    "self_built": Picker.of([("brick_concrete", 85), ("frame", 15)]),
    "villa": Picker.of([("frame", 70), ("brick_concrete", 30)]),
    "shed": Picker.of([("other", 60), ("brick_wood", 40)]),
    "other": Picker.of([("brick_wood", 50), ("other", 50)]),
}


@dataclass(slots=True)
class HouseSpec:
    id: int
    address_id: int
    village: Village
    kind: str  # "room" | "shop" | "rural" | "second"
    house_type: str
    structure: str
    floors: int
    rooms: int
    area: str
    ownership: str
    rent_chance: float
    rented: bool = False
    householder: int = 0  # person id of the (last) householder placed here
    household_kind: str = ""
    since: date | None = None
    landlord: int = 0
    tenant_rows: list[int] = field(default_factory=list)  # residence row indexes


def _spec(rng: random.Random, hid: int, place, kind: str) -> HouseSpec:
    v = place.village
    if kind == "room":
        rooms = _ROOMS(rng)
        lo, hi = (45, 82) if place.old else _AREA[rooms]
        htype = "tube" if place.old and rng.random() < 0.6 else "apartment"
        structure = "frame" if place.floors >= 11 else ("brick_concrete" if rng.random() < 0.6 else "frame")
        ownership = (
            "unit" if place.old and rng.random() < 0.4 else ("private" if rng.random() < 0.92 else "public")
        )
        chance = 0.3 if place.old else 0.22
        return HouseSpec(
            hid,
            place.address_id,
            v,
            kind,
            htype,
            structure,
            place.floors,
            rooms,
            f"{rng.uniform(lo, hi):.2f}",
            ownership,
            chance,
        )
    if kind == "shop":
        r = rng.random()
        ownership = "private" if r < 0.8 else "unit" if r < 0.9 else "collective" if r < 0.95 else "public"
        structure = "brick_concrete" if rng.random() < 0.7 else "frame"
        area = f"{rng.uniform(18, 160):.2f}"
        return HouseSpec(
            hid,
            place.address_id,
            v,
            kind,
            "shop",
            structure,
            rng.randint(1, 3),
            rng.randint(1, 3),
            area,
            ownership,
            0.0,
        )
    htype = "self_built" if kind == "second" else _RURAL(rng)
    structure = _RURAL_STRUCTURE[htype](rng)
    if htype == "self_built":
        floors, rooms, size = rng.randint(2, 3), rng.randint(4, 9), rng.uniform(140, 380)
    elif htype in ("shed", "other"):
        floors, rooms, size = 1, rng.randint(1, 2), rng.uniform(15, 60)
    else:
        floors, rooms, size = (1 if htype == "bungalow" else 3), rng.randint(3, 7), rng.uniform(85, 300)
    chance = 0.05 if kind == "second" else 0.2 if v.fringe else 0.12 if v.seat else 0.07
    ownership = "private" if rng.random() < 0.96 else "collective"
    return HouseSpec(
        hid, place.address_id, v, kind, htype, structure, floors, rooms, f"{size:.2f}", ownership, chance
    )


def plan_houses(addresses: Addresses, total: int, seed: int) -> list[HouseSpec]:
    """Exactly ``total`` houses over the address places (see the module docstring)."""
    rng = stream(seed, "houses")
    places = addresses.places
    extra = total - len(places)
    courtyards = [i for i, p in enumerate(places) if p.kind == "rural"] or list(range(len(places)))
    second: dict[int, int] = {}
    empty: set[int] = set()
    if extra > 0:
        rng.shuffle(courtyards)
        for k in range(extra):
            i = courtyards[k % len(courtyards)]
            second[i] = second.get(i, 0) + 1
    elif extra < 0:
        rng.shuffle(courtyards)
        empty = set(courtyards[: min(-extra, len(courtyards))])
    houses: list[HouseSpec] = []
    for i, place in enumerate(places):
        if i in empty:
            continue
        houses.append(_spec(rng, len(houses) + 1, place, place.kind))
        for _ in range(second.get(i, 0)):
            houses.append(_spec(rng, len(houses) + 1, place, "second"))
    assert len(houses) == total, (len(houses), total)
    return houses


def _near_seat(v: Village) -> bool:
    lng, lat = TOWN_CENTRES[v.town_code]
    return math.hypot((v.centre[0] - lng) * 90.9, (v.centre[1] - lat) * 111.0) < 3.6


def house_rows(
    plan: OrgPlan,
    houses: list[HouseSpec],
    people: Population,
    seed: int,
    ids: IdNumbers,
    phones: Phones,
) -> list[tuple]:
    """The house rows, after the population has been placed and the landlords chosen."""
    rng = stream(seed, "house-rows")
    names = Names(rng)
    stamper = Stamper(rng, Window(date(2026, 9, 8), date(2026, 10, 31)), plan.collectors, RETURN_REASONS)
    persons = people.persons
    rows: list[tuple] = []
    filing = 0
    for h in houses:
        v = h.village
        stamp = stamper.stamp(v.district)
        accepted = stamp[0] == "accepted"
        custodian = ("", "", "")
        rental: tuple[str, str | None, str | None, str, bool] = ("", None, None, "", False)
        landlord = None
        if h.rented:
            use = "rented"
            who = persons[h.landlord - 1]
            owner = (who[P_NAME], who[P_ID], who[P_PHONE])
            landlord = h.landlord
            filing += 1
            start = h.since or date(2026, 1, 1)
            rent = rng.randrange(8, 31) * 50 if h.kind == "room" else rng.randrange(3, 13) * 50
            rental = (
                "whole" if rng.random() < 0.8 else "shared",
                start.isoformat(),
                f"{rent}.00",
                f"合租备字〔{start.year}〕第{filing:05d}号",
                rng.random() < 0.86,
            )
        elif h.householder:
            use = "self"
            who = persons[h.householder - 1]
            owner = (who[P_NAME], who[P_ID], who[P_PHONE])
        else:
            use = "business" if h.kind == "shop" else "vacant"
            if h.kind == "second" and rng.random() < 0.3:
                use = "other"
            owner = _synthetic(rng, names, ids, phones, v)
            if use == "vacant" and rng.random() < 0.3:
                custodian = _synthetic(rng, names, ids, phones, v)
        level = "C"
        r = rng.random()
        if h.rented and h.household_kind == "floating":
            level = "A" if r < 0.03 else "B" if r < 0.28 else "C"
        elif r < 0.01:
            level = "A"
        elif r < 0.06:
            level = "B"
        urban_village = v.fringe and _near_seat(v)
        fringe = v.fringe and not urban_village
        complex_area = level == "A" or (h.rented and h.household_kind == "floating" and rng.random() < 0.08)
        r = rng.random()
        if accepted and r < 0.83:
            verify, vday = "verified", stamper.later(30)[1]
        elif r > 0.985:
            verify, vday = "failed", stamper.later(30)[1]
        else:
            verify, vday = "pending", None
        rows.append(
            (
                h.id,
                *stamp,
                v.code,
                v.district,
                h.address_id,
                h.house_type,
                h.structure,
                h.floors,
                h.rooms,
                h.area,
                use,
                h.ownership,
                *owner,
                *custodian,
                landlord,
                *rental,
                level,
                urban_village,
                fringe,
                complex_area,
                verify,
                vday,
                plan.officers[v.district] if vday else None,
            )
        )
    return rows


def _synthetic(rng, names: Names, ids: IdNumbers, phones: Phones, v: Village) -> tuple[str, str, str]:
    """An owner or custodian who is not living in the county (not in the person registry)."""
    sex = "1" if rng.random() < 0.7 else "2"
    birth = date(rng.randint(1946, 1992), rng.randint(1, 12), rng.randint(1, 28))
    name = names.full(sex, birth.year)
    return name, ids.new("610524", birth, sex), phones.mobile() if rng.random() < 0.9 else ""
