"""The demo's actual population (实有人口) and their residences (居住).

Households are placed into houses: rented houses first (tenant households of 流动 inflow people
from other counties and provinces, 寄住 people from other Heyang townships, a few foreigners),
then owner-occupied houses, chosen at random with urban flats weighted up and second courtyard
houses down, until exactly the requested number of people is placed. The rules of DOMAIN.md §4
hold by construction: one active residence per person (so at most one 常住), 寄住 only for a county
hukou, 流动 only for an outside hukou, ``separated`` exactly when the hukou township differs from
the house's (``registry.rules.is_household_separated``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ybss.core.data import regions
from ybss.registry.rules import is_household_separated

from .common import BASE_COLUMNS, REFERENCE_DATE, Picker, Stamper, Window, stream, weighted_order
from .county import COUNTY_CODE, OrgPlan, Village
from .foreigners import Foreigners
from .gazetteer import Addresses
from .households import OWNER_SIZES, TENANT_SIZES, Member, education, marital, members, occupation
from .identity import IdNumbers, Names, Phones, pinyin

if TYPE_CHECKING:
    from .housing import HouseSpec

PERSON_COLUMNS = (
    *BASE_COLUMNS,
    "id_type", "id_number", "name", "pinyin", "former_names", "sex", "ethnicity", "birth_date",
    "phone", "phone2", "hukou_division_code", "hukou_address_text", "hukou_address_id", "education",
    "marital", "occupation", "employer", "is_key_person", "nationality", "foreign_surname",
    "foreign_given_name", "visa_type", "visa_expiry", "entry_date", "expected_departure",
)  # fmt: skip
P_NAME, P_PHONE, P_ID = (
    PERSON_COLUMNS.index("name"),
    PERSON_COLUMNS.index("phone"),
    PERSON_COLUMNS.index("id_number"),
)
P_OCCUPATION, P_EMPLOYER = PERSON_COLUMNS.index("occupation"), PERSON_COLUMNS.index("employer")
P_ID_TYPE = PERSON_COLUMNS.index("id_type")
RESIDENCE_COLUMNS = (
    *BASE_COLUMNS,
    "person_id", "house_id", "residence_type", "relation", "reason", "since", "until", "is_tenant",
    "is_owner", "landlord_id", "separated", "active",
)  # fmt: skip

RETURN_REASONS = (
    "身份证号码与姓名不符，请核实",
    "缺少联系电话",
    "户籍地址填写不完整",
    "与户主关系填写有误",
    "照片不清晰，请重新采集",
)
ETHNICITY = Picker.of(
    [("01", 9950), ("03", 25), ("11", 6), ("02", 4), ("04", 3), ("06", 3), ("08", 3), ("15", 6)]
)
REASONS = Picker.of([("work", 60), ("business", 20), ("family", 12), ("study", 5), ("other", 3)])
# Where inflow residents come from: (code prefix, weight). Neighbouring Weinan counties and Shanxi
# across the Yellow River first, then Xi'an, the rest of Shaanxi, Henan, Gansu and further away.
INFLOW_ORIGINS = (
    ("6105", 30), ("6101", 12), ("61", 10), ("1408", 10), ("14", 6), ("41", 10), ("62", 7),
    ("64", 3), ("51", 4), ("42", 2), ("37", 2), ("13", 2), ("34", 2), ("50", 2),
)  # fmt: skip
OUTSIDE_TOWNS = (
    "城关镇",
    "城关街道",
    "东关街道",
    "新城街道",
    "北关镇",
    "河西镇",
    "南郊镇",
    "柳林镇",
    "杨庄镇",
)
OUTSIDE_VILLAGES = ("东关村", "西街村", "李家村", "王庄村", "新庄村", "南街村", "张堡村", "河东村", "杨湾村")


@dataclass
class Population:
    persons: list[list] = field(default_factory=list)  # mutable until units set employers
    residences: list[tuple] = field(default_factory=list)
    working: dict[str, list[int]] = field(default_factory=dict)  # station → person ids aged 18–60
    adults: dict[str, list[int]] = field(default_factory=dict)  # station → person ids aged 25–65
    ages: list[int] = field(default_factory=list)  # index = person id − 1


@dataclass
class _Origin:
    code: str  # 6-digit county code
    text: str  # province + city + county names


def _origins() -> tuple[Picker[str], dict[str, list[str]], dict[str, str]]:
    table = regions()
    groups: dict[str, list[str]] = {}
    for prefix, _w in INFLOW_ORIGINS:
        groups[prefix] = []
    for code, name in table.items():
        if code[4:] == "00" or code.startswith(COUNTY_CODE) or name == "市辖区":
            continue
        for prefix, _w in INFLOW_ORIGINS:  # first matching (most specific listed first per province)
            if (
                code.startswith(prefix)
                and not (prefix == "61" and code[:4] in ("6101", "6105"))
                and not (prefix == "14" and code[:4] == "1408")
            ):
                groups[prefix].append(code)
                break
    prefixes = [p for p, _w in INFLOW_ORIGINS if groups[p]]
    weights = [w for p, w in INFLOW_ORIGINS if groups[p]]
    return Picker(prefixes, weights), groups, table


class _People:
    def __init__(
        self, plan: OrgPlan, addresses: Addresses, seed: int, ids: IdNumbers, phones: Phones
    ) -> None:
        self.plan, self.addresses = plan, addresses
        self.rng = stream(seed, "population")
        self.names, self.ids, self.phones = Names(self.rng), ids, phones
        self.foreigners = Foreigners(stream(seed, "foreigners"))
        self.stamper = Stamper(
            self.rng, Window(date(2026, 9, 15), date(2026, 11, 14)), plan.collectors, RETURN_REASONS
        )
        self.out = Population()
        self.local_surnames = {v.code: self.names.village_surnames(v.name) for v in plan.villages}
        self.villages_by_town: dict[str, list[Village]] = {}
        for v in plan.villages:
            self.villages_by_town.setdefault(v.town_code, []).append(v)
        self.towns = list(self.villages_by_town)
        self.origin_pick, self.origin_groups, self.region_names = _origins()
        self.ref_ord = REFERENCE_DATE.toordinal()
        self.birth_cert_taken: set[str] = set()
        self._last_stamp: tuple = ()
        self.homes: list[HouseSpec] = []

    # -- hukou -----------------------------------------------------------------------------
    def county_hukou(self, house_village: Village, separated: bool) -> tuple[str, str, int | None]:
        """A Heyang village other than the house's: another township when ``separated``."""
        rng = self.rng
        if separated:
            towns = [t for t in self.towns if t != house_village.town_code] or self.towns
            pool = self.villages_by_town[towns[rng.randrange(len(towns))]]
        else:
            pool = self.villages_by_town[house_village.town_code]
        v = pool[rng.randrange(len(pool))]
        doors = self.addresses.courtyards.get(v.code)
        if doors:
            aid = doors[rng.randrange(len(doors))]
            return v.code, self.addresses.names[aid], aid
        return v.code, "".join(v.path) + f"{rng.randint(1, 6)}组", None

    def outside_hukou(self) -> tuple[str, str]:
        rng = self.rng
        group = self.origin_groups[self.origin_pick(rng)]
        code = group[rng.randrange(len(group))]
        names = self.region_names
        text = names.get(code[:2] + "0000", "") + names.get(code[:4] + "00", "") + names[code]
        town = OUTSIDE_TOWNS[rng.randrange(len(OUTSIDE_TOWNS))]
        village = OUTSIDE_VILLAGES[rng.randrange(len(OUTSIDE_VILLAGES))]
        return code, f"{text}{town}{village}{rng.randint(1, 120)}号"

    # -- one household ----------------------------------------------------------------------
    def household(self, house: HouseSpec, kind: str, size: int, remaining: int) -> int:
        """Place one household of ``kind`` (permanent / lodging / floating / foreign) in ``house``;
        returns how many people were added (at most ``remaining``)."""
        rng = self.rng
        v = house.village
        tenant = house.rented
        if kind == "foreign":
            return self.foreigners.household(self, house, min(size, 2, remaining))
        fam = members(rng, size, tenant=tenant, elderly_bias=0.0 if (v.urban or tenant) else 0.5)[:remaining]
        hukou_addr: int | None
        if kind == "permanent":
            hukou, hukou_text, hukou_addr = v.code, self.addresses.names[house.address_id], house.address_id
            region = COUNTY_CODE
        elif kind == "lodging":
            hukou, hukou_text, hukou_addr = self.county_hukou(v, separated=rng.random() < 0.7)
            region = COUNTY_CODE
        else:
            code, hukou_text = self.outside_hukou()
            hukou, hukou_addr, region = code + "000000", None, code
        separated = is_household_separated(hukou, v.code)
        local = self.local_surnames[v.code] if kind == "permanent" else ()
        surnames: list[str] = []
        ethnicity = ETHNICITY(rng)
        reason = "" if kind == "permanent" else REASONS(rng)
        since_move = self.ref_ord - rng.randrange(30, 365 * (25 if kind == "permanent" else 6))
        first_pid = len(self.out.persons) + 1
        for i, m in enumerate(fam):
            surname = surnames[m.surname_of] if m.surname_of != i else self.names.surname(local)
            surnames.append(surname)
            pid = len(self.out.persons) + 1
            birth = date.fromordinal(self.ref_ord - int(m.age * 365.2425) - rng.randrange(365))
            unregistered = kind == "permanent" and m.age <= 6 and rng.random() < 0.02
            person_ethnicity = ethnicity if rng.random() < 0.97 else ETHNICITY(rng)
            self.person(
                house,
                m,
                surname,
                birth,
                region,
                person_ethnicity,
                hukou,
                hukou_text,
                hukou_addr,
                unregistered,
                kind,
                len(fam),
            )
            rtype = "unregistered" if unregistered else kind
            since = max(birth.toordinal(), since_move)
            m_reason = reason if m.age >= 16 or not reason else ("study" if m.age >= 6 else "family")
            owner = m.role == "H" and not tenant
            self.residence(
                pid,
                house,
                rtype,
                m.relation,
                m_reason,
                date.fromordinal(since),
                tenant,
                owner,
                False if unregistered else separated,
            )
        house.householder = first_pid
        house.household_kind = kind
        house.since = date.fromordinal(since_move)
        return len(fam)

    def person(
        self,
        house,
        m: Member,
        surname,
        birth,
        region,
        ethnicity,
        hukou,
        hukou_text,
        hukou_addr,
        unregistered,
        kind,
        size,
    ) -> None:
        rng = self.rng
        v = house.village
        pid = len(self.out.persons) + 1
        stamp = self.stamper.stamp(v.district)
        name = surname + self.names.given(m.sex, birth.year)
        if unregistered:
            id_type, id_number, hukou, hukou_text, hukou_addr = "117", self.birth_certificate(), "", "", None
        else:
            id_type, id_number = "111", self.ids.new(region, birth, m.sex)
        age = m.age
        adult_phone = (0.95 if age < 70 else 0.7) if age >= 18 else (0.5 if age >= 16 else 0.0)
        phone = self.phones.mobile() if rng.random() < adult_phone else ""
        phone2 = self.phones.mobile() if phone and rng.random() < 0.04 else ""
        former = ""
        if age >= 30 and rng.random() < 0.01:
            former = surname + self.names.given(m.sex, birth.year - 10)
        inflow = kind in ("floating", "lodging")
        job = occupation(rng, age, urban=v.urban or v.seat, inflow=inflow)
        key = 18 <= age <= 60 and rng.random() < 0.003
        self.out.persons.append(
            [
                pid,
                *stamp,
                v.code,
                v.district,
                id_type,
                id_number,
                name,
                pinyin(name),
                former,
                m.sex,
                ethnicity,
                birth.isoformat(),
                phone,
                phone2,
                hukou,
                hukou_text,
                hukou_addr,
                education(rng, age, birth.year),
                marital(rng, m, size),
                job,
                "",
                key,
                "CHN",
                "",
                "",
                "",
                None,
                None,
                None,
            ]
        )
        self.out.ages.append(age)
        if 18 <= age <= 60:
            self.out.working.setdefault(v.station, []).append(pid)
        if 25 <= age <= 65:
            self.out.adults.setdefault(v.station, []).append(pid)
        self._last_stamp = stamp

    def residence(self, pid, house, rtype, relation, reason, since, tenant, owner, separated) -> None:
        """Tenancy (``is_tenant``, ``landlord``) is filled in once landlords are chosen."""
        v = house.village
        rid = len(self.out.residences) + 1
        if tenant:
            house.tenant_rows.append(rid - 1)
        self.out.residences.append(
            (
                rid,
                *self._last_stamp,
                v.code,
                v.district,
                pid,
                house.id,
                rtype,
                relation,
                reason,
                since.isoformat(),
                None,
                False,
                owner,
                None,
                separated,
                True,
            )
        )

    def birth_certificate(self) -> str:
        rng = self.rng
        while True:
            number = f"{'NOPQRS'[rng.randrange(6)]}{rng.randrange(10**9):09d}"
            if number not in self.birth_cert_taken:
                self.birth_cert_taken.add(number)
                return number


def _household_kind(rng: random.Random, house: HouseSpec) -> str:
    v, r = house.village, rng.random()
    if house.rented:
        if v.urban and r < 0.006:
            return "foreign"
        return "floating" if r < (0.6 if v.urban else 0.55) else "lodging"
    if house.kind == "room":
        return "permanent" if r < 0.76 else "lodging" if r < 0.91 else "floating"
    if v.fringe or v.seat:
        return "permanent" if r < 0.9 else "lodging" if r < 0.95 else "floating"
    return "permanent" if r < 0.96 else "lodging" if r < 0.98 else "floating"


def populate(
    plan: OrgPlan,
    addresses: Addresses,
    houses: list[HouseSpec],
    total: int,
    seed: int,
    ids: IdNumbers,
    phones: Phones,
) -> Population:
    """Exactly ``total`` persons, each with one active residence in one of ``houses``.

    Marks the houses that were let (``rented``) and records each one's householder; the caller
    chooses landlords and writes the house rows afterwards.
    """
    p = _People(plan, addresses, seed, ids, phones)
    rng = p.rng
    homes = p.homes = [h for h in houses if h.kind != "shop"]
    for h in homes:
        h.rented = rng.random() < h.rent_chance
    rented = [h for h in homes if h.rented]
    others = [h for h in homes if not h.rented]
    weights = [1.3 if h.kind == "room" else 0.25 if h.kind == "second" else 1.0 for h in others]
    queue = rented + weighted_order(rng, others, weights)
    placed = 0
    i = 0
    while placed < total and queue:
        house = queue[i % len(queue)]
        i += 1
        if i > len(queue) and house.householder:  # more people than houses (tiny scales)
            house.rented = False
        kind = _household_kind(rng, house)
        size = (TENANT_SIZES if house.rented else OWNER_SIZES)(rng)
        placed += p.household(house, kind, size, total - placed)
    _choose_landlords(p, rented)
    assert placed == total and len(p.out.persons) == total
    return p.out


R_TENANT, R_LANDLORD = RESIDENCE_COLUMNS.index("is_tenant"), RESIDENCE_COLUMNS.index("landlord_id")


def _choose_landlords(p: _People, rented: list[HouseSpec]) -> None:
    """Each let house gets a landlord: an adult owner-occupier householder, from the same
    township when there is one. A house nobody could let stays unlet."""
    persons, ages, rng = p.out.persons, p.out.ages, p.rng
    by_town: dict[str, list[int]] = {}
    everyone: list[int] = []
    for h in p.homes:
        pid = h.householder
        if pid and not h.rented and h.household_kind in ("permanent", "lodging") and ages[pid - 1] >= 18:
            by_town.setdefault(h.village.town_code, []).append(pid)
            everyone.append(pid)
    residences = p.out.residences
    for h in rented:
        pool = by_town.get(h.village.town_code) or everyone
        if not (h.rented and h.householder and pool):
            h.rented = False
            continue
        h.landlord = pool[rng.randrange(len(pool))]
        for i in h.tenant_rows:
            row = residences[i]
            residences[i] = (*row[:R_TENANT], True, row[R_TENANT + 1], h.landlord, *row[R_LANDLORD + 1 :])
        assert persons[h.landlord - 1][0] == h.landlord
