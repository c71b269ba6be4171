"""The demo county's organisation: divisions (from the real 合阳县 tree), the police tree
(合阳县公安局 → 13 派出所 → 警务区) and the users (one per county role, a chief per station, a
community officer per police district, two collectors per district). Pure data; the same for
every scale, and the same names for a seed.

Police codes nest by prefix: bureau 610524000000 (prefix 610524); station 6105245NN000 (prefix
6105245NN); district 6105245NNDDD (prefix = the whole code). Every village belongs to exactly one
police district; 城关街道 is split between 金水派出所 and 九龙派出所, every other township has
its own station.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ybss.core.data import heyang

from .common import stream
from .identity import Names, Phones

COUNTY_CODE = "610524"
BUREAU_CODE = "610524000000"
BUREAU_NAME = "合阳县公安局"
URBAN_TOWN = "610524001"  # 城关街道

#: Approximate WGS-84 centres of the township seats (county seat ≈ 110.149E 35.238N).
TOWN_CENTRES: dict[str, tuple[float, float]] = {
    "610524001": (110.149, 35.238),  # 城关街道
    "610524101": (110.046, 35.327),  # 甘井镇
    "610524102": (110.238, 35.318),  # 坊镇
    "610524103": (110.352, 35.226),  # 洽川镇
    "610524104": (110.268, 35.172),  # 新池镇
    "610524105": (110.197, 35.110),  # 黑池镇
    "610524106": (110.082, 35.108),  # 路井镇
    "610524107": (110.024, 35.201),  # 和家庄镇
    "610524108": (110.106, 35.168),  # 王村镇
    "610524110": (110.322, 35.126),  # 同家庄镇
    "610524111": (110.365, 35.168),  # 百良镇
    "610524112": (110.176, 35.392),  # 金峪镇
}

# (NN, station name, pinyin for usernames, township code). 城关街道's communities are split below.
STATIONS = (
    ("01", "金水派出所", "jinshui", URBAN_TOWN),
    ("02", "九龙派出所", "jiulong", URBAN_TOWN),
    ("03", "甘井派出所", "ganjing", "610524101"),
    ("04", "坊镇派出所", "fangzhen", "610524102"),
    ("05", "洽川派出所", "qiachuan", "610524103"),
    ("06", "新池派出所", "xinchi", "610524104"),
    ("07", "黑池派出所", "heichi", "610524105"),
    ("08", "路井派出所", "lujing", "610524106"),
    ("09", "和家庄派出所", "hejiazhuang", "610524107"),
    ("10", "王村派出所", "wangcun", "610524108"),
    ("11", "同家庄派出所", "tongjiazhuang", "610524110"),
    ("12", "百良派出所", "bailiang", "610524111"),
    ("13", "金峪派出所", "jinyu", "610524112"),
)

#: 城关街道 villages (last three digits) served by 九龙派出所 (west and south); the rest are 金水's.
JIULONG_VILLAGES = frozenset(
    {"011", "012", "013", "014", "015", "016", "017", "018", "019", "020"}
    | {"202", "203", "232", "233", "234", "235", "236", "248", "249"}
)

#: Names of the urban police districts, in order; township districts are 第一…第六警务区.
URBAN_DISTRICT_NAMES = {
    "01": ("城中", "城东", "东郊", "北郊", "东关", "北关"),
    "02": ("城南", "城西", "西郊", "南郊", "西关", "南关"),
}
ORDINALS = ("第一", "第二", "第三", "第四", "第五", "第六")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int
    parent_code: str | None
    prefix: str
    full_name: str


@dataclass(frozen=True)
class PoliceUnitPlan:
    code: str
    name: str
    kind: str
    parent_code: str | None
    prefix: str
    division_codes: tuple[str, ...]


@dataclass(frozen=True)
class UserPlan:
    id: int
    username: str
    full_name: str
    role: str
    police_unit_code: str | None
    division_code: str | None
    phone: str
    is_staff: bool = False


@dataclass(frozen=True)
class Village:
    """A community or village with everything the generators need to place records in it."""

    code: str
    name: str
    town_code: str
    town_name: str
    path: tuple[str, ...]  # province … village names, for full names
    district: str  # police district code
    station: str  # station code
    urban: bool  # a 城关街道 community: streets and compounds
    fringe: bool  # a 城关街道 village: urban-rural fringe
    seat: bool  # the township seat (its first community): main streets with shops
    centre: tuple[float, float]


@dataclass
class OrgPlan:
    divisions: list[Division]
    police_units: list[PoliceUnitPlan]
    users: list[UserPlan]
    villages: list[Village]
    collectors: dict[str, list[int]] = field(default_factory=dict)  # district → user ids
    officers: dict[str, int] = field(default_factory=dict)  # district → user id

    def district_codes(self) -> list[str]:
        return [u.code for u in self.police_units if u.kind == "district"]


def divisions(code: str = COUNTY_CODE) -> list[Division]:
    """Province, city, county, townships and villages of the shipped county tree."""
    tree = heyang()
    if tree["county"]["code"][:6] != code:
        raise ValueError(f"no division data for county {code}")
    prov, city, county = tree["province"], tree["city"], tree["county"]
    out = [
        Division(prov["code"], prov["name"], 1, None, prov["code"][:2], prov["name"]),
        Division(city["code"], city["name"], 2, prov["code"], city["code"][:4], prov["name"] + city["name"]),
    ]
    county_full = prov["name"] + city["name"] + county["name"]
    out.append(Division(county["code"], county["name"], 3, city["code"], county["code"][:6], county_full))
    for town in tree["towns"]:
        town_full = county_full + town["name"]
        out.append(Division(town["code"] + "000", town["name"], 4, county["code"], town["code"], town_full))
        for v in town["villages"]:
            out.append(
                Division(v["code"], v["name"], 5, town["code"] + "000", v["code"], town_full + v["name"])
            )
    return out


def _chunks(items: list[str], n: int) -> list[list[str]]:
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def _centre(rng, origin: tuple[float, float], r_min_km: float, r_max_km: float) -> tuple[float, float]:
    angle = rng.random() * 2 * math.pi
    r = math.sqrt(rng.uniform(r_min_km**2, r_max_km**2))
    return origin[0] + r * math.cos(angle) / 90.9, origin[1] + r * math.sin(angle) / 111.0


def build_org(seed: int) -> OrgPlan:
    """The whole organisation plan for ``seed`` (names, phones and village positions vary)."""
    tree = heyang()
    rng = stream(seed, "org")
    names, phones = Names(rng), Phones(stream(seed, "org-phones"))
    prov, city, county = tree["province"]["name"], tree["city"]["name"], tree["county"]["name"]
    county_division = tree["county"]["code"]
    units = [PoliceUnitPlan(BUREAU_CODE, BUREAU_NAME, "county_bureau", None, COUNTY_CODE, (county_division,))]
    villages: list[Village] = []
    users: list[UserPlan] = []
    plan = OrgPlan(divisions(), units, users, villages)

    def add_user(username: str, role: str, unit: str | None, division: str | None = None, **kw) -> int:
        sex = "1" if rng.random() < 0.78 else "2"
        full = names.full(sex, rng.randint(1968, 2000))
        users.append(UserPlan(len(users) + 1, username, full, role, unit, division, phones.mobile(), **kw))
        return len(users)

    add_user("admin", "admin", BUREAU_CODE, is_staff=True)
    add_user("supervisor", "supervisor", BUREAU_CODE)
    add_user("investigator", "investigator", BUREAU_CODE)
    add_user("auditor", "auditor", None)

    towns = {t["code"]: t for t in tree["towns"]}
    for nn, station_name, py, town_code in STATIONS:
        town = towns[town_code]
        codes = [v["code"] for v in town["villages"]]
        if town_code == URBAN_TOWN:
            west = nn == "02"
            codes = [c for c in codes if (c[-3:] in JIULONG_VILLAGES) == west]
        station = f"{COUNTY_CODE}5{nn}000"
        units.append(PoliceUnitPlan(station, station_name, "station", BUREAU_CODE, station[:9], tuple(codes)))
        add_user(f"{py}_chief", "chief", station)
        n_districts = min(6, max(2, math.ceil(len(codes) / 5)))
        labels = URBAN_DISTRICT_NAMES.get(nn, ORDINALS)
        vnames = {v["code"]: v["name"] for v in town["villages"]}
        town_centre = TOWN_CENTRES[town_code]
        collector_no = 0
        for i, chunk in enumerate(_chunks(codes, n_districts), start=1):
            district = f"{station[:9]}{i:03d}"
            units.append(
                PoliceUnitPlan(
                    district,
                    f"{station_name}{labels[i - 1]}警务区",
                    "district",
                    station,
                    district,
                    tuple(chunk),
                )
            )
            plan.officers[district] = add_user(f"{py}_officer{i}", "officer", district)
            staff = []
            for j in range(2):
                collector_no += 1
                village = chunk[rng.randrange(len(chunk))] if j == 1 else None
                staff.append(add_user(f"{py}_collector{collector_no}", "collector", district, village))
            plan.collectors[district] = staff
            for code in chunk:
                urban = town_code == URBAN_TOWN and code[9] == "0"
                fringe = town_code == URBAN_TOWN and not urban
                seat = town_code != URBAN_TOWN and code == codes[0]
                if urban:
                    centre = _centre(rng, town_centre, 0.0, 1.8)
                elif fringe:
                    centre = _centre(rng, town_centre, 2.2, 5.0)
                elif seat:
                    centre = _centre(rng, town_centre, 0.0, 0.3)
                else:
                    centre = _centre(rng, town_centre, 1.0, 6.5)
                path = (prov, city, county, town["name"], vnames[code])
                villages.append(
                    Village(
                        code,
                        vnames[code],
                        town_code,
                        town["name"],
                        path,
                        district,
                        station,
                        urban,
                        fringe,
                        seat,
                        centre,
                    )
                )
    villages.sort(key=lambda v: v.code)
    return plan
