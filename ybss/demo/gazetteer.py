"""The demo's standard addresses (一标): gazetteer elements, door plates and room addresses.

Layout
------
* 城关街道's communities (urban): three streets each (凤凰路, 文化路 …); residential compounds
  (小区, kind 42) and unit yards (单位院, kind 43) hold buildings; every building is a door plate
  (凤凰路18号金水小区3号楼) whose rooms are room addresses (2单元501室). Shops are door plates on the
  streets.
* Township seats: two streets (正街, 新街) with shop door plates.
* Every other village (and 城关街道's villages, on the urban fringe): villager groups (1组…8组,
  kind 34) with courtyard door plates (3组12号).

Address codes (unique, stable, at most 48 characters)::

    610524001003-4102-018                 door plate: division-element-door number
    610524001003-4102-018-03              building door plate: + building number
    610524001003-4102-018-03-2-0501       room: + unit - room number (floor × 100 + room)

The element part is the GA/T 2000.32 kind code followed by the element's two-digit ordinal
within its division and kind (4102 = the second street of 金水社区, 3405 = 5组).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date

from ybss.addresses.naming import full_name

from .common import BASE_COLUMNS, Picker, Stamper, Window, apportion, stream
from .county import OrgPlan, Village

ELEMENT_COLUMNS = ("id", "kind", "name", "division_id", "aliases")
ADDRESS_COLUMNS = (
    *BASE_COLUMNS,
    "code", "level", "parent_id", "road_id", "compound_id", "door_prefix", "door_number",
    "door_suffix", "sub_number", "building", "common_name", "unit_no", "floor", "room_no",
    "full_name", "lng", "lat", "coord_source", "mark_state", "marked_source", "marked_at",
    "clean_state", "cleaned_at", "merged_into_id", "verified_at", "verified_by_id",
)  # fmt: skip

URBAN_STREETS = (
    "凤凰路", "文化路", "人民路", "新华街", "东大街", "西大街", "南环路", "北环路", "澽水路", "莘野路",
    "府前街", "金水路", "九龙路", "梁山路", "洽川路", "迎宾大道", "朝阳路", "建设路", "解放路", "和平路",
    "育才路", "团结路", "振兴路", "东新街", "西新街", "长青路", "公园路", "华山路", "秦晋路", "有莘路",
    "南大街", "北大街", "工业路", "商贸街", "向阳路", "幸福路", "光明路", "滨河路", "体育路", "东环路",
    "西环路", "学巷", "仓巷", "马道巷", "东关巷", "西关巷", "医院巷", "书院街",
)  # fmt: skip
SEAT_STREETS = ("正街", "新街")
STREET_ALIASES = {
    "东大街": ["老城东街"],
    "西大街": ["老城西街"],
    "人民路": ["人民街"],
    "迎宾大道": ["迎宾路"],
}
COMPOUNDS = (
    "金水小区", "凤凰家园", "和园", "阳光花园", "锦绣华庭", "澽水湾", "莘野花园", "盛世华府", "御景苑",
    "书香苑", "泰山小区", "华府名邸", "东城国际", "文化小区", "人民小区", "新华小区", "紫荆苑", "翡翠城",
    "怡馨家园", "福润家园", "中央公园", "世纪花园", "金色家园", "幸福里", "九龙花园", "凤凰城", "翰林苑",
    "学府家园", "南苑小区", "北街小区", "花园小区", "环北小区", "鑫源小区", "天润华庭", "碧水湾",
    "滨河花园", "锦园", "丽景华庭", "康居苑", "兴合家园", "西城华府", "东方花园", "新城小区", "政通小区",
    "开元小区", "永兴苑", "嘉禾苑", "瑞丰苑", "怡景苑", "水岸名居",
)  # fmt: skip
_COMPOUND_HEADS = (
    "金城 华荣 嘉和 恒信 福泰 新阳 宏远 安康 瑞祥 兴业 盛景 润泽 康乐 博雅 东岳 西岭 南湖 北辰".split()
)
_COMPOUND_TAILS = ("家园", "花园", "小区", "佳苑", "雅居", "华庭", "新村", "公寓")
UNIT_YARDS = (
    "县医院家属院", "县政府家属院", "粮食局家属院", "供销社家属院", "二中家属院", "邮电家属院",
    "电力局家属院", "水利局家属院", "教育局家属院", "农机公司家属院", "棉麻公司家属院", "物资局家属院",
)  # fmt: skip
RETURN_REASONS = (
    "门牌号与实地不符，请核实后重新提交",
    "坐标偏差较大，请重新标注",
    "地址要素缺失：未选择所属街路巷或组",
    "疑似重复地址，请与已有地址核对",
    "楼栋单元信息不完整",
)
_FLOORS = Picker.of([(5, 8), (6, 32), (7, 8), (9, 6), (11, 20), (15, 8), (18, 18)])
_UNITS = Picker.of([(1, 10), (2, 35), (3, 35), (4, 20)])

#: Shares of all addresses: urban buildings + rooms, shop door plates (the rest are courtyards).
URBAN_SHARE = 0.29
SHOP_SHARE = 0.02


@dataclass(slots=True)
class Place:
    """An address that holds houses: a room, a shop door plate or a rural courtyard."""

    address_id: int
    village: Village
    kind: str  # "room" | "shop" | "rural"
    floors: int = 1  # the building's floors (rooms)
    old: bool = False  # an old unit-yard building (筒子楼)


@dataclass
class Addresses:
    elements: list[tuple] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # address id → full name (places only)
    courtyards: dict[str, list[int]] = field(default_factory=dict)  # village → rural door ids
    shops: dict[str, list[int]] = field(default_factory=dict)  # village → shop door ids
    buildings: int = 0


class _Builder:
    def __init__(self, plan: OrgPlan, seed: int) -> None:
        self.plan = plan
        self.rng = stream(seed, "addresses")
        self.out = Addresses()
        self.stamper = Stamper(
            self.rng, Window(date(2026, 9, 1), date(2026, 10, 10)), plan.collectors, RETURN_REASONS
        )
        self.ordinals: dict[tuple[str, str], int] = {}
        self.street_numbers: dict[int, int] = {}
        self.element_ord: dict[int, str] = {}

    # -- gazetteer ---------------------------------------------------------------------------
    def element(self, kind: str, name: str, village: Village, aliases: list[str] | None = None) -> int:
        key = (village.code, kind)
        n = self.ordinals.get(key, 0) + 1
        self.ordinals[key] = n
        eid = len(self.out.elements) + 1
        alias_text = json.dumps(aliases or [], ensure_ascii=False)
        self.out.elements.append((eid, kind, name, village.code, alias_text))
        self.element_ord[eid] = f"{kind}{n:02d}"
        return eid

    # -- one address row ---------------------------------------------------------------------
    def address(
        self,
        v: Village,
        code: str,
        level: str,
        name: str,
        *,
        parent=None,
        road=None,
        compound=None,
        door="",
        building="",
        unit="",
        floor=None,
        room="",
        coords=None,
        mark=None,
    ) -> tuple[int, tuple]:
        rng, st = self.rng, self.stamper
        aid = len(self.out.rows) + 1
        stamp = st.stamp(v.district)
        accepted = stamp[0] == "accepted"
        if mark is None:
            r = rng.random()
            if r < (0.92 if accepted else 0.3):
                state = "confirmed"
            elif r < (0.965 if accepted else 0.7):
                state = "marked"
            else:
                state = "unmarked"
            if state == "unmarked":
                mark = (None, None, "", state, "", None)
            else:
                lng, lat = coords
                src = "GCJ02" if rng.random() < 0.6 else "WGS84"
                how = "app" if rng.random() < 0.7 else "map"
                mark = (f"{lng:.7f}", f"{lat:.7f}", src, state, how, st.later(8)[1])
        cleaned = accepted and rng.random() < 0.975
        verified = accepted and rng.random() < 0.885
        officer = self.plan.officers[v.district]
        self.out.rows.append(
            (
                aid,
                *stamp,
                v.code,
                v.district,
                code,
                level,
                parent,
                road,
                compound,
                "",
                door,
                "",
                "",
                building,
                "",
                unit,
                floor,
                room,
                name,
                *mark,
                "cleaned" if cleaned else "raw",
                st.later(15)[1] if cleaned else None,
                None,
                st.later(25)[1] if verified else None,
                officer if verified else None,
            )
        )
        return aid, mark

    def jitter(self, centre: tuple[float, float], metres: float) -> tuple[float, float]:
        rng = self.rng
        return (
            centre[0] + rng.gauss(0, metres) / 90_900,
            centre[1] + rng.gauss(0, metres) / 111_000,
        )

    def next_number(self, street: int) -> int:
        n = self.street_numbers.get(street, -1) + 2 - (self.rng.random() < 0.15)
        n = max(n, 1)
        self.street_numbers[street] = n
        return n


def build_addresses(plan: OrgPlan, seed: int, total: int) -> Addresses:
    """Exactly ``total`` addresses (door plates + rooms) for the county."""
    b = _Builder(plan, seed)
    rng = b.rng
    urban = [v for v in plan.villages if v.urban]
    seats = [v for v in plan.villages if v.seat]
    rural = [v for v in plan.villages if not v.urban]

    # Gazetteer: streets for urban communities and township seats, groups for villages.
    pool = list(URBAN_STREETS)
    rng.shuffle(pool)
    streets: dict[str, list[int]] = {}
    for i, v in enumerate(urban):
        names = [pool[(3 * i + k) % len(pool)] for k in range(3)]
        own = v.name.removesuffix("社区") + "路"
        if own in URBAN_STREETS and own not in names:
            names[0] = own
        streets[v.code] = [b.element("41", n, v, STREET_ALIASES.get(n)) for n in names]
    for v in seats:
        streets[v.code] = [b.element("41", n, v) for n in SEAT_STREETS]
    groups: dict[str, list[int]] = {}
    for v in rural:
        groups[v.code] = [b.element("34", f"{g}组", v) for g in range(1, rng.randint(4, 8) + 1)]

    urban_target = round(total * URBAN_SHARE) if total >= 200 else 0
    shop_target = round(total * SHOP_SHARE) if total >= 50 else 0
    _urban_buildings(b, urban, streets, urban_target)
    _shops(b, urban, seats, streets, shop_target)
    _courtyards(b, rural, groups, total - len(b.out.rows))
    assert len(b.out.rows) == total
    return b.out


def _compound_names(rng):
    yield from COMPOUNDS
    combos = [h + t for h in _COMPOUND_HEADS for t in _COMPOUND_TAILS]
    rng.shuffle(combos)
    yield from combos
    n = 1
    while True:
        yield f"第{n}小区"
        n += 1


def _urban_buildings(b: _Builder, urban: list[Village], streets: dict[str, list[int]], target: int) -> None:
    rng, out = b.rng, b.out
    weights = [rng.uniform(0.5, 1.5) for _v in urban]
    pick = Picker(urban, weights)
    compound_names = _compound_names(rng)
    yards = list(UNIT_YARDS)
    made = 0
    while target - made >= 2:
        v = pick(rng)
        old = bool(yards) and rng.random() < 0.12
        if old:
            ename, kind, n_buildings = yards.pop(0), "43", rng.randint(1, 4)
        else:
            ename, kind, n_buildings = next(compound_names), "42", rng.randint(2, 10)
        compound = b.element(kind, ename, v)
        street = streets[v.code][rng.randrange(3)]
        number = b.next_number(street)
        sname = out.elements[street - 1][2]
        base = f"{v.code}-{b.element_ord[street]}-{number:03d}"
        centre = b.jitter(v.centre, 500)
        for bno in range(1, n_buildings + 1):
            remaining = target - made
            if remaining < 2:
                break
            floors = rng.choice((5, 6)) if old else _FLOORS(rng)
            units = rng.randint(1, 3) if old else _UNITS(rng)
            per_floor = 3 if rng.random() < 0.2 else 2
            rooms = min(units * floors * per_floor, remaining - 1)
            label = f"{bno}号楼"
            door_name = full_name(
                division_path=v.path, street=sname, door_number=str(number), compound=ename, building=label
            )
            door_id, mark = b.address(
                v,
                f"{base}-{bno:02d}",
                "door",
                door_name,
                road=street,
                compound=compound,
                door=str(number),
                building=label,
                coords=b.jitter(centre, 60),
            )
            out.buildings += 1
            made += 1
            k = 0
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for r in range(1, per_floor + 1):
                        if k == rooms:
                            break
                        k += 1
                        room = f"{floor}{r:02d}"
                        name = full_name(
                            division_path=v.path, street=sname, door_number=str(number), compound=ename,
                            building=label, unit_no=str(unit), floor=floor, room_no=room,
                        )  # fmt: skip
                        aid, _m = b.address(
                            v,
                            f"{base}-{bno:02d}-{unit}-{room:0>4}",
                            "room",
                            name,
                            parent=door_id,
                            road=street,
                            compound=compound,
                            door=str(number),
                            building=label,
                            unit=str(unit),
                            floor=floor,
                            room=room,
                            mark=mark,
                        )
                        out.places.append(Place(aid, v, "room", floors, old))
                        out.names[aid] = name
            made += rooms


def _shops(b: _Builder, urban: list[Village], seats: list[Village], streets, target: int) -> None:
    rng, out = b.rng, b.out
    n_urban = round(target * 0.6) if seats else target
    for count, villages in ((n_urban, urban), (target - n_urban, seats)):
        for _ in range(count):
            v = villages[rng.randrange(len(villages))]
            street = streets[v.code][rng.randrange(len(streets[v.code]))]
            number = b.next_number(street)
            sname = out.elements[street - 1][2]
            name = full_name(division_path=v.path, street=sname, door_number=str(number))
            code = f"{v.code}-{b.element_ord[street]}-{number:03d}"
            aid, _m = b.address(
                v, code, "door", name, road=street, door=str(number), coords=b.jitter(v.centre, 450)
            )
            out.places.append(Place(aid, v, "shop"))
            out.names[aid] = name
            out.shops.setdefault(v.code, []).append(aid)


def _courtyards(b: _Builder, rural: list[Village], groups: dict[str, list[int]], total: int) -> None:
    rng, out = b.rng, b.out
    weights = [rng.uniform(0.6, 1.4) * (1.2 if v.fringe or v.seat else 1.0) for v in rural]
    for v, n in zip(rural, apportion(total, weights), strict=True):
        gids = groups[v.code]
        spread = 350 if not v.seat else 250
        for gid, count in zip(gids, apportion(n, [rng.uniform(0.7, 1.3) for _g in gids]), strict=True):
            gname = out.elements[gid - 1][2]
            centre = b.jitter(v.centre, spread)
            prefix = f"{v.code}-{b.element_ord[gid]}-"
            for number in range(1, count + 1):
                name = full_name(division_path=v.path, group=gname, door_number=str(number))
                aid, _m = b.address(
                    v,
                    f"{prefix}{number:03d}",
                    "door",
                    name,
                    road=gid,
                    door=str(number),
                    coords=b.jitter(centre, 120),
                )
                out.places.append(Place(aid, v, "rural"))
                out.names[aid] = name
                out.courtyards.setdefault(v.code, []).append(aid)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rough ground distance near Heyang (for tests and sanity checks)."""
    return math.hypot((a[0] - b[0]) * 90.9, (a[1] - b[1]) * 111.0)
