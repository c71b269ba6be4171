"""factory_boy factories for the registry; ``make_county`` builds the shared two-station county."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import factory
from django.utils import timezone

from ybss.addresses.models import AddressElement, AddressLevel, StandardAddress
from ybss.core.identifiers import id_check_char
from ybss.org.models import AdminDivision, DivisionLevel, PoliceUnit, PoliceUnitKind, Role, User
from ybss.registry.models import Employment, House, Person, Residence, Unit

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Test@12345"


def make_id(region: str = "610524", birth: str = "19800101", seq: int = 123) -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


class _Stamped(factory.django.DjangoModelFactory):
    status = "accepted"
    created_at = NOW
    updated_at = NOW


class AddressFactory(_Stamped):
    class Meta:
        model = StandardAddress

    code = factory.Sequence(lambda n: f"T{n:08d}")
    level = AddressLevel.DOOR
    door_number = factory.Sequence(lambda n: str(n + 1))
    full_name = factory.LazyAttribute(lambda o: f"合阳县测试路{o.door_number}号")


class HouseFactory(_Stamped):
    class Meta:
        model = House

    house_type = "bungalow"
    use = "self"
    area = 80


class PersonFactory(_Stamped):
    class Meta:
        model = Person

    id_number = factory.Sequence(lambda n: make_id(seq=(2 * n + 1) % 1000, birth=f"19{70 + n % 25}0101"))
    name = factory.Sequence(lambda n: f"张{'伟芳敏静丽强磊军洋勇'[n % 10]}{n}")
    pinyin = "zhangwei"
    sex = "1"
    ethnicity = "01"
    birth_date = dt.date(1980, 1, 1)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    hukou_division_code = "610524001003"


class ResidenceFactory(_Stamped):
    class Meta:
        model = Residence

    residence_type = "permanent"
    relation = "02"
    active = True


class UnitFactory(_Stamped):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"合阳测试商贸有限公司{n}")
    category = "enterprise"
    legal_rep_name = "李强"
    legal_rep_id_number = factory.LazyFunction(lambda: make_id(seq=311))
    legal_rep_phone = "13912345678"


@dataclass
class Station:
    """One station's slice of the test county: its units, users and one record of each kind."""

    key: str
    town: AdminDivision
    village: AdminDivision
    station: PoliceUnit
    district: PoliceUnit
    users: dict[str, User] = field(default_factory=dict)
    road: AddressElement | None = None
    door: StandardAddress | None = None
    room: StandardAddress | None = None
    house: House | None = None
    person: Person | None = None
    residence: Residence | None = None
    unit: Unit | None = None
    employment: Employment | None = None

    def records(self) -> dict[str, Any]:
        return {
            "address": self.door,
            "room": self.room,
            "house": self.house,
            "person": self.person,
            "unit": self.unit,
        }


@dataclass
class County:
    bureau: PoliceUnit
    county: AdminDivision
    a: Station
    b: Station
    users: dict[str, User]


def _div(code: str, name: str, level: int, parent: AdminDivision | None, full: str) -> AdminDivision:
    return AdminDivision.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        prefix=AdminDivision.prefix_for(code, level),
        full_name=full,
    )


def _user(username: str, role: str, unit: PoliceUnit | None, division: AdminDivision | None = None) -> User:
    u = User(username=username, role=role, police_unit=unit, division=division, full_name=username)
    u.set_password(PASSWORD)
    u.save()
    return u


def make_county() -> County:
    """陕西 → 渭南 → 合阳县 with two towns; 金水派出所 (station a) and 甘井派出所 (station b),
    one police district each, a user of every role, and one record of each kind per station."""
    prov = _div("610000000000", "陕西省", DivisionLevel.PROVINCE, None, "陕西省")
    city = _div("610500000000", "渭南市", DivisionLevel.CITY, prov, "陕西省渭南市")
    county = _div("610524000000", "合阳县", DivisionLevel.COUNTY, city, "陕西省渭南市合阳县")
    bureau = PoliceUnit.objects.create(
        code="610524000000", name="合阳县公安局", kind=PoliceUnitKind.COUNTY_BUREAU, prefix="610524"
    )
    stations = {}
    for key, town_code, town_name, vcode, vname, scode, sname in (
        ("a", "610524001000", "城关街道", "610524001003", "金水社区", "610524501", "金水派出所"),
        ("b", "610524101000", "甘井镇", "610524101201", "甘井村", "610524503", "甘井派出所"),
    ):
        town = _div(town_code, town_name, DivisionLevel.TOWN, county, f"陕西省渭南市合阳县{town_name}")
        village = _div(vcode, vname, DivisionLevel.VILLAGE, town, f"陕西省渭南市合阳县{town_name}{vname}")
        st = PoliceUnit.objects.create(
            code=scode + "000", name=sname, kind=PoliceUnitKind.STATION, parent=bureau, prefix=scode
        )
        di = PoliceUnit.objects.create(
            code=scode + "001",
            name=sname + "第一警务区",
            kind=PoliceUnitKind.DISTRICT,
            parent=st,
            prefix=scode + "001",
        )
        di.divisions.add(village)
        s = Station(key=key, town=town, village=village, station=st, district=di)
        s.users = {
            "collector": _user(f"collector_{key}", Role.COLLECTOR, di, village),
            "officer": _user(f"officer_{key}", Role.OFFICER, di),
            "chief": _user(f"chief_{key}", Role.CHIEF, st),
        }
        stamp = {"division": village, "police_unit": di}
        s.road = AddressElement.objects.create(kind="41", name=f"{key}测试路", division=village)
        s.door = AddressFactory(road=s.road, **stamp, full_name=f"合阳县{town_name}{key}测试路1号")
        s.room = AddressFactory(
            level=AddressLevel.ROOM,
            parent=s.door,
            unit_no="1",
            floor=5,
            room_no="501",
            full_name=f"合阳县{town_name}{key}测试路1号1单元501室",
            **stamp,
        )
        s.house = HouseFactory(address=s.room, **stamp)
        seq = 1 if key == "a" else 3
        s.person = PersonFactory(
            id_number=make_id(seq=seq),
            name=f"王{key}明",
            pinyin=f"wang{key}ming",
            phone=f"1391234567{seq}",
            hukou_division_code=vcode,
            **stamp,
        )
        s.residence = ResidenceFactory(person=s.person, house=s.house, **stamp)
        s.unit = UnitFactory(address=s.door, **stamp)
        s.employment = Employment.objects.create(
            person=s.person,
            unit=s.unit,
            post="店员",
            created_at=NOW,
            updated_at=NOW,
            status="accepted",
            **stamp,
        )
        stations[key] = s
    users = {
        "supervisor": _user("supervisor", Role.SUPERVISOR, bureau),
        "investigator": _user("investigator", Role.INVESTIGATOR, bureau),
        "admin": _user("admin", Role.ADMIN, bureau),
        "auditor": _user("auditor", Role.AUDITOR, None),
        "nobody": _user("nobody", Role.OFFICER, None),
    }
    return County(bureau=bureau, county=county, a=stations["a"], b=stations["b"], users=users)


def now() -> dt.datetime:
    return timezone.now()
