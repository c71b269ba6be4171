"""Registry write services: validation with field errors, nothing saved on bad input, history, versions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_id
from ybss.audit.models import RecordHistory
from ybss.audit.records import record_move
from ybss.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ybss.registry.models import House, Person, Residence
from ybss.registry.services import (
    HouseData,
    PersonData,
    ResidenceData,
    UnitData,
    house_create,
    person_register,
    person_update,
    unit_create,
)

pytestmark = pytest.mark.django_db


def _person(**kw) -> PersonData:
    base = dict(
        id_number=make_id(seq=515, birth="19900305"),
        name="赵丽",
        sex="1",
        birth_date=dt.date(1990, 3, 5),
        phone="13700001111",
        hukou_division_code="610524001003",
    )
    base.update(kw)
    return PersonData(**base)


def test_person_register_creates_person_residence_and_history(county):
    actor = county.a.users["collector"]
    p, warnings = person_register(
        actor=actor,
        person=_person(),
        house_id=county.a.house.pk,
        residence=ResidenceData(residence_type="lodging", relation="02"),
    )
    assert p.division_id == county.a.village.code and p.police_unit_id == county.a.district.code
    assert p.pinyin == "zhaoli"
    assert Residence.objects.filter(person=p, active=True).count() == 1
    assert RecordHistory.objects.filter(
        record_type="registry.person", record_id=p.pk, action="create"
    ).exists()
    assert warnings == []


def test_person_register_rejects_bad_check_digit_and_saves_nothing(county):
    before = Person.objects.count(), Residence.objects.count()
    with pytest.raises(InvalidInput) as exc:
        person_register(
            actor=county.a.users["collector"],
            person=_person(id_number="110105194912310021"),
            house_id=county.a.house.pk,
            residence=ResidenceData(residence_type="floating"),
        )
    assert "id_number" in exc.value.fields
    assert (Person.objects.count(), Residence.objects.count()) == before


def test_person_register_reports_every_bad_field(county):
    with pytest.raises(InvalidInput) as exc:
        person_register(
            actor=county.a.users["collector"],
            person=_person(name="", phone="12345", sex="7", ethnicity="99"),
            house_id=county.a.house.pk,
            residence=ResidenceData(residence_type="nonsense"),
        )
    assert {"name", "phone", "sex", "ethnicity", "residence_type"} <= set(exc.value.fields)


def test_floating_residence_needs_outside_hukou(county):
    with pytest.raises(InvalidInput) as exc:
        person_register(
            actor=county.a.users["collector"],
            person=_person(),
            house_id=county.a.house.pk,
            residence=ResidenceData(residence_type="floating", reason="work"),
        )
    assert "residence_type" in exc.value.fields


def test_separated_flag_derived_at_township_level(county):
    p, _ = person_register(
        actor=county.a.users["collector"],
        person=_person(hukou_division_code="610524101201"),
        house_id=county.a.house.pk,
        residence=ResidenceData(residence_type="lodging"),
    )
    assert Residence.objects.get(person=p).separated is True


def test_second_permanent_residence_rejected(county):
    p = county.b.person  # already permanent at station b's house
    data = _person(
        id_number=p.id_number,
        name=p.name,
        birth_date=p.birth_date,
        sex=p.sex,
        hukou_division_code=p.hukou_division_code,
    )
    with pytest.raises(InvalidInput) as exc:
        person_register(
            actor=county.users["admin"],
            person=data,
            house_id=county.a.house.pk,
            residence=ResidenceData(residence_type="permanent"),
        )
    assert exc.value.code == "invalid"


def test_cannot_register_into_other_stations_house(county):
    with pytest.raises(NotFound):
        person_register(
            actor=county.a.users["collector"],
            person=_person(),
            house_id=county.b.house.pk,
            residence=ResidenceData(residence_type="lodging"),
        )


def test_update_with_stale_version_conflicts(county):
    officer = county.a.users["officer"]
    p = county.a.person
    data = _person(id_number=p.id_number, name="王新名", birth_date=p.birth_date, sex=p.sex)
    person_update(actor=officer, person=p, expected_version=1, data=data, reason="更正")
    p.refresh_from_db()
    assert p.version == 2 and p.name == "王新名"
    hist = RecordHistory.objects.filter(record_type="registry.person", record_id=p.pk).last()
    assert hist.changes["name"] == ["王a明", "王新名"] and hist.reason == "更正"
    with pytest.raises(Conflict):
        person_update(
            actor=officer,
            person=p,
            expected_version=1,
            data=_person(id_number=p.id_number, name="X", birth_date=p.birth_date, sex=p.sex),
        )


def test_rented_house_needs_landlord(county):
    with pytest.raises(InvalidInput) as exc:
        house_create(
            actor=county.a.users["officer"],
            address_id=county.a.door.pk,
            data=HouseData(house_type="bungalow", use="rented", rental_mode="whole"),
        )
    assert "landlord" in exc.value.fields or "address" in exc.value.fields


def test_house_create_on_room(county):
    from tests.factories import AddressFactory

    room = AddressFactory(
        level="room",
        parent=county.a.door,
        division=county.a.village,
        police_unit=county.a.district,
        room_no="502",
    )
    h = house_create(
        actor=county.a.users["officer"],
        address_id=room.pk,
        data=HouseData(house_type="apartment", use="self", area=90),
    )
    assert House.objects.get(pk=h.pk).police_unit_id == county.a.district.code


def test_unit_credit_code_and_minor_legal_rep(county):
    with pytest.raises(InvalidInput) as exc:
        unit_create(
            actor=county.a.users["officer"],
            address_id=county.a.door.pk,
            data=UnitData(
                name="合阳测试",
                category="enterprise",
                credit_code="91110000101623741",
                legal_rep_id_number=make_id(birth="20200101", seq=11),
            ),
        )
    assert {"credit_code", "legal_rep_id_number"} <= set(exc.value.fields)


def test_unit_valid_credit_code_accepted(county):
    u, warnings = unit_create(
        actor=county.a.users["officer"],
        address_id=county.a.door.pk,
        data=UnitData(name="合阳新店", category="enterprise", credit_code="91110000101623741K"),
    )
    assert u.credit_code == "91110000101623741K" and warnings == []


def test_lifecycle_needs_reason_to_return_and_reviewer_to_accept(county):
    p = county.a.person
    collector, officer = county.a.users["collector"], county.a.users["officer"]
    p.status = "pending"
    p.save()
    with pytest.raises(Forbidden):
        record_move(actor=collector, record=p, to="accepted", expected_version=p.version)
    with pytest.raises(InvalidInput) as exc:
        record_move(actor=officer, record=p, to="returned", expected_version=p.version)
    assert "reason" in exc.value.fields
    record_move(actor=officer, record=p, to="returned", expected_version=p.version, reason="照片不清")
    p.refresh_from_db()
    assert p.status == "returned" and p.status_reason == "照片不清"


def test_voided_records_cannot_be_edited(county):
    officer = county.a.users["officer"]
    p = county.a.person
    record_move(actor=officer, record=p, to="voided", expected_version=p.version, reason="重复")
    p.refresh_from_db()
    with pytest.raises(InvalidInput):
        person_update(
            actor=officer,
            person=p,
            expected_version=p.version,
            data=_person(id_number=p.id_number, name="新", birth_date=p.birth_date, sex=p.sex),
        )
    assert Person.objects.filter(pk=p.pk).exists()


def test_door_plate_and_building_codes_follow_the_demo_scheme(county):
    from ybss.addresses.services import DoorPlateData, building_generate, door_plate_create

    officer = county.a.users["officer"]
    door = door_plate_create(
        actor=officer,
        data=DoorPlateData(
            division_code=county.a.village.code,
            police_unit_code=county.a.district.code,
            road_id=county.a.road.pk,
            door_number="18",
            building="3",
        ),
    )
    assert door.code == f"{county.a.village.code}-4101-018-03"
    assert door.full_name == "陕西省渭南市合阳县城关街道a测试路18号3号楼"
    rooms = building_generate(actor=officer, door_id=door.pk, units=2, floors=3, rooms_per_floor=2)
    assert len(rooms) == 12
    r = next(r for r in rooms if r.unit_no == "2" and r.room_no == "301")
    assert r.code == f"{door.code}-2-0301" and r.full_name.endswith("3号楼2单元301室")
    assert building_generate(actor=officer, door_id=door.pk, units=2, floors=3, rooms_per_floor=2) == []


def test_registering_a_known_person_notifies_the_districts_that_hold_them(county):
    from ybss.org.models import Notice
    from ybss.org.selectors import notice_list
    from ybss.org.services import notice_mark_read

    p = county.b.person  # held by station b
    data = _person(
        id_number=p.id_number,
        name=p.name,
        birth_date=p.birth_date,
        sex=p.sex,
        hukou_division_code="610524101201",
    )
    person_register(
        actor=county.a.users["officer"],
        person=data,
        house_id=county.a.house.pk,
        residence=ResidenceData(residence_type="lodging", reason="work"),
    )
    notice = Notice.objects.get()
    assert (notice.police_unit_id, notice.from_unit_id, notice.record_id) == (
        county.b.district.code,
        county.a.district.code,
        p.pk,
    )
    assert list(notice_list(actor=county.b.users["officer"], unread_only=True)) == [notice]
    assert not notice_list(actor=county.a.users["officer"]).exists()
    assert not notice_list(actor=county.b.users["collector"]).exclude(pk=notice.pk).exists()
    with pytest.raises(NotFound):
        notice_mark_read(actor=county.a.users["officer"], notice_id=notice.pk)
    notice_mark_read(actor=county.b.users["officer"], notice_id=notice.pk)
    assert not notice_list(actor=county.b.users["officer"], unread_only=True).exists()


def test_new_person_sends_no_notice(county):
    from ybss.org.models import Notice

    person_register(
        actor=county.a.users["collector"],
        person=_person(),
        house_id=county.a.house.pk,
        residence=ResidenceData(residence_type="lodging"),
    )
    assert not Notice.objects.exists()


def test_ended_residence_cannot_end_again(county):
    from ybss.registry.services import residence_end

    officer, r = county.a.users["officer"], county.a.residence
    residence_end(
        actor=officer, residence=r, until=dt.date(2026, 10, 1), expected_version=r.version, reason="迁出"
    )
    r.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        residence_end(
            actor=officer, residence=r, until=dt.date(2026, 10, 2), expected_version=r.version, reason="x"
        )
    assert "until" in exc.value.fields


def test_only_door_plates_are_marked(county):
    from ybss.addresses.services import address_mark

    with pytest.raises(InvalidInput):
        address_mark(
            actor=county.a.users["officer"], address=county.a.room, expected_version=1, lng=110.1, lat=35.2
        )
    a = address_mark(
        actor=county.a.users["officer"],
        address=county.a.door,
        expected_version=1,
        lng=110.154,
        lat=35.2376,
        system="GCJ02",
        confirm=True,
    )
    assert a.mark_state == "confirmed" and abs(float(a.lng) - 110.149) < 0.001
