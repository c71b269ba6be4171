"""The one-step actions on the record pages: 标注, 生成楼栋层户 / 新增层户, 迁出, 新增从业人员, 核查 / 核实.

Each: the happy path through the service, a service error as a field error (400), a stale version
(409) where the write carries one, another station's record (404) and a role that may not (403).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, make_id
from ybss.addresses.coords import to_wgs84
from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditEvent, RecordHistory
from ybss.registry.models import Employment, House, Residence
from ybss.web.display import field_label

pytestmark = pytest.mark.django_db

ZHAOJIA = (110.1498, 35.2378)  # a point in 合阳县 (GCJ-02 as a phone map reads it)


def _levels(response) -> list[str]:
    return [m.level_tag for m in get_messages(response.wsgi_request)]


# --- 标注: mark an address on the map ------------------------------------------------------------


def _mark(client, address, **changes):
    data = {"lng": ZHAOJIA[0], "lat": ZHAOJIA[1], "system": "GCJ02", "version": address.version}
    data.update(changes)
    return client.post(reverse("web:address_mark", args=[address.pk]), data)


def test_mark_stores_wgs84_and_the_marking(county, officer_a):
    door = county.a.door
    response = _mark(officer_a, door, confirm="on")
    assert response.status_code == 302
    door.refresh_from_db()
    assert (door.lng, door.lat) == to_wgs84(*ZHAOJIA, "GCJ02")
    assert (door.coord_source, door.mark_state, door.marked_source) == ("GCJ02", "confirmed", "web")
    assert door.marked_at is not None and door.version == 2
    page = officer_a.get(reverse("web:address_detail", args=[door.pk])).content.decode()
    assert str(door.lng) in page and str(door.lat) in page


def test_mark_without_confirm_is_marked_unconfirmed(county, officer_a):
    door = county.a.door
    assert _mark(officer_a, door, system="WGS84").status_code == 302
    door.refresh_from_db()
    assert door.mark_state == "marked"


def test_mark_form_starts_from_the_stored_point(county, officer_a):
    door = county.a.door
    _mark(officer_a, door, system="WGS84", confirm="on")
    door.refresh_from_db()
    initial = officer_a.get(reverse("web:address_mark", args=[door.pk])).context["form"].initial
    assert (initial["lng"], initial["lat"], initial["system"]) == (door.lng, door.lat, "WGS84")
    assert initial["confirm"] is True and initial["version"] == door.version


def test_mark_outside_china_is_field_error(county, officer_a):
    response = _mark(officer_a, county.a.door, lng="35.2378", lat="10.1498")  # swapped by hand
    assert response.status_code == 400
    assert "lng" in response.context["form"].errors
    county.a.door.refresh_from_db()
    assert county.a.door.version == 1


def test_mark_with_stale_version_is_409(county, officer_a):
    door = county.a.door
    assert _mark(officer_a, door).status_code == 302
    response = _mark(officer_a, door)  # still version 1
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()


def test_mark_of_other_station_address_is_404(county, officer_a):
    assert _mark(officer_a, county.b.door).status_code == 404
    assert officer_a.get(reverse("web:address_mark", args=[county.b.door.pk])).status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "investigator"])
def test_read_only_roles_cannot_mark(county, client_for, role):
    client = client_for(county.users[role])
    assert client.get(reverse("web:address_mark", args=[county.a.door.pk])).status_code == 403
    assert _mark(client, county.a.door).status_code == 403


def test_address_page_offers_marking_and_rooms_on_a_door_plate_only(county, officer_a):
    door_links = {
        link["url"]
        for link in officer_a.get(reverse("web:address_detail", args=[county.a.door.pk])).context[
            "extra_links"
        ]
    }
    assert {
        reverse("web:address_mark", args=[county.a.door.pk]),
        reverse("web:building_generate", args=[county.a.door.pk]),
        reverse("web:room_new", args=[county.a.door.pk]),
    } <= door_links
    room_links = {
        link["url"]
        for link in officer_a.get(reverse("web:address_detail", args=[county.a.room.pk])).context[
            "extra_links"
        ]
    }
    assert reverse("web:address_mark", args=[county.a.room.pk]) not in room_links
    assert reverse("web:building_generate", args=[county.a.room.pk]) not in room_links


# --- 生成楼栋层户 and 新增层户 --------------------------------------------------------------------


def _generate(client, door, **changes):
    data = {"units": 2, "floors": 3, "rooms_per_floor": 2, "underground": 1}
    data.update(changes)
    return client.post(reverse("web:building_generate", args=[door.pk]), data)


def test_generate_rooms_creates_them_and_says_how_many(county, officer_a):
    door = county.a.door
    before = door.rooms.count()
    response = _generate(officer_a, door)
    assert response.status_code == 302
    created = door.rooms.count() - before
    assert created == 2 * (3 + 1) * 2
    assert _levels(response) == ["success"]
    page = officer_a.get(response["Location"])
    assert str(created) in page.content.decode()
    assert door.rooms.filter(room_no="B101", floor=-1, unit_no="2").exists()


def test_generating_existing_rooms_again_creates_none(county, officer_a):
    door = county.a.door
    officer_a.get(_generate(officer_a, door)["Location"])  # shows (and so clears) the first message
    count = door.rooms.count()
    response = _generate(officer_a, door)
    assert response.status_code == 302
    assert door.rooms.count() == count
    assert _levels(response) == ["info"]


def test_generate_too_many_rooms_is_field_error(county, officer_a):
    response = _generate(officer_a, county.a.door, rooms_per_floor=31)
    assert response.status_code == 400
    assert "rooms_per_floor" in response.context["form"].errors
    assert county.a.door.rooms.count() == 1


def test_generate_under_a_room_address_is_a_form_error(county, officer_a):
    response = _generate(officer_a, county.a.room)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_empty_generate_post_shows_required_fields(county, officer_a):
    response = officer_a.post(reverse("web:building_generate", args=[county.a.door.pk]), {})
    assert response.status_code == 400
    assert {"units", "floors", "rooms_per_floor"} <= set(response.context["form"].errors)


def test_generate_rooms_of_other_station_is_404(county, officer_a):
    assert _generate(officer_a, county.b.door).status_code == 404


def test_read_only_role_cannot_generate_rooms(county, client_for):
    client = client_for(county.users["supervisor"])
    assert _generate(client, county.a.door).status_code == 403


def _room(client, door, **changes):
    data = {"unit_no": "1", "floor": "6", "room_no": "601"}
    data.update(changes)
    return client.post(reverse("web:room_new", args=[door.pk]), data)


def test_add_one_room(county, officer_a):
    response = _room(officer_a, county.a.door, change_reason="新建加层")
    assert response.status_code == 302
    room = StandardAddress.objects.get(parent=county.a.door, room_no="601")
    assert (room.unit_no, room.floor, room.status) == ("1", 6, "draft")
    assert room.division_id == county.a.door.division_id


def test_add_existing_room_is_field_error(county, officer_a):
    assert _room(officer_a, county.a.door).status_code == 302
    response = _room(officer_a, county.a.door)
    assert response.status_code == 400
    assert "room_no" in response.context["form"].errors


def test_add_room_with_bad_unit_is_field_error(county, officer_a):
    response = _room(officer_a, county.a.door, unit_no="二单元")
    assert response.status_code == 400
    assert "unit_no" in response.context["form"].errors


def test_add_room_at_other_station_is_404(county, officer_a):
    assert _room(officer_a, county.b.door).status_code == 404


def test_read_only_role_cannot_add_a_room(county, client_for):
    assert _room(client_for(county.users["investigator"]), county.a.door).status_code == 403


# --- 迁出 / 结束居住 ---------------------------------------------------------------------------


def _end(client, person, residence, **changes):
    data = {"until": timezone.localdate().isoformat(), "reason": "迁往西安", "version": residence.version}
    data.update(changes)
    return client.post(reverse("web:residence_end", args=[person.pk, residence.pk]), data)


def test_end_residence(county, officer_a):
    person, residence = county.a.person, county.a.residence
    response = _end(officer_a, person, residence)
    assert response.status_code == 302
    residence.refresh_from_db()
    assert residence.active is False and residence.until == timezone.localdate()
    entry = RecordHistory.objects.filter(record_type="registry.residence", record_id=residence.pk).latest(
        "id"
    )
    assert entry.reason == "迁往西安"


def test_person_page_offers_ending_current_residences_only(county, officer_a):
    person, residence = county.a.person, county.a.residence
    url = reverse("web:residence_end", args=[person.pk, residence.pk])
    assert url in officer_a.get(reverse("web:person_detail", args=[person.pk])).content.decode()
    _end(officer_a, person, residence)
    assert url not in officer_a.get(reverse("web:person_detail", args=[person.pk])).content.decode()


def test_ended_residence_cannot_be_ended_again(county, officer_a):
    person, residence = county.a.person, county.a.residence
    _end(officer_a, person, residence)
    residence.refresh_from_db()
    assert _end(officer_a, person, residence).status_code == 404


def test_end_residence_in_the_future_is_field_error(county, officer_a):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _end(officer_a, county.a.person, county.a.residence, until=tomorrow)
    assert response.status_code == 400
    assert "until" in response.context["form"].errors
    county.a.residence.refresh_from_db()
    assert county.a.residence.active is True


def test_end_residence_before_it_began_is_field_error(county, officer_a):
    residence = county.a.residence
    Residence.objects.filter(pk=residence.pk).update(since=dt.date(2020, 5, 1))
    response = _end(officer_a, county.a.person, residence, until="2019-01-01")
    assert response.status_code == 400
    assert "until" in response.context["form"].errors


def test_end_residence_needs_a_reason(county, officer_a):
    response = _end(officer_a, county.a.person, county.a.residence, reason="  ")
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors


def test_end_residence_with_stale_version_is_409(county, officer_a):
    response = _end(officer_a, county.a.person, county.a.residence, version=5)
    assert response.status_code == 409


def test_end_residence_of_other_station_is_404(county, officer_a):
    assert _end(officer_a, county.b.person, county.b.residence).status_code == 404
    # a person in scope with another station's residence id
    assert _end(officer_a, county.a.person, county.b.residence).status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "investigator"])
def test_read_only_roles_cannot_end_a_residence(county, client_for, role):
    response = _end(client_for(county.users[role]), county.a.person, county.a.residence)
    assert response.status_code == 403


# --- 新增从业人员 --------------------------------------------------------------------------------


def _hire(client, unit, id_number, **changes):
    data = {"id_number": id_number, "post": "保安", "since": "2026-03-01"}
    data.update(changes)
    return client.post(reverse("web:employment_new", args=[unit.pk]), data)


def test_add_employee_by_id_number(county, officer_a):
    worker = PersonFactory(
        id_number=make_id(seq=77, birth="19920304"), division=county.a.village, police_unit=county.a.district
    )
    response = _hire(officer_a, county.a.unit, worker.id_number.lower())
    assert response.status_code == 302
    employment = Employment.objects.get(unit=county.a.unit, person=worker)
    assert (employment.post, employment.since, employment.active) == ("保安", dt.date(2026, 3, 1), True)


def test_employee_look_up_is_an_audited_search(county, officer_a):
    worker = PersonFactory(
        id_number=make_id(seq=78, birth="19920304"), division=county.a.village, police_unit=county.a.district
    )
    _hire(officer_a, county.a.unit, worker.id_number)
    event = AuditEvent.objects.filter(action="search").latest("id")
    assert event.detail["q"] == worker.id_number and event.purpose


def test_add_employee_with_unknown_id_number_is_field_error(county, officer_a):
    response = _hire(officer_a, county.a.unit, make_id(seq=999))
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors
    assert Employment.objects.filter(unit=county.a.unit).count() == 1


def test_add_employee_from_other_station_is_field_error(county, officer_a):
    response = _hire(officer_a, county.a.unit, county.b.person.id_number)
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors


def test_add_current_employee_again_is_field_error(county, officer_a):
    response = _hire(officer_a, county.a.unit, county.a.person.id_number)
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors


def test_add_employee_to_other_station_unit_is_404(county, officer_a):
    assert _hire(officer_a, county.b.unit, county.a.person.id_number).status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "investigator"])
def test_read_only_roles_cannot_add_employees(county, client_for, role):
    client = client_for(county.users[role])
    assert client.get(reverse("web:employment_new", args=[county.a.unit.pk])).status_code == 403
    assert _hire(client, county.a.unit, county.a.person.id_number).status_code == 403


# --- 核查 / 核实 -------------------------------------------------------------------------------------


def _verify(client, name, record, **changes):
    data = {"ok": "1", "reason": "", "version": record.version}
    data.update(changes)
    return client.post(reverse(name, args=[record.pk]), data)


def test_house_check_records_state_time_and_officer(county, officer_a):
    house = county.a.house
    response = _verify(officer_a, "web:house_verify", house)
    assert response.status_code == 302
    house.refresh_from_db()
    assert house.verify_state == "verified" and house.verified_at is not None
    assert house.verified_by == county.a.users["officer"]
    page = officer_a.get(reverse("web:house_detail", args=[house.pk]))
    assert county.a.users["officer"].display_name in page.content.decode()
    changes = {c.label: c.new for c in page.context["history"][0].changes}
    verifier = county.a.users["officer"].display_name
    assert changes[field_label(House, "verified_by")] == verifier  # the name, not the user id


def test_unit_verification_with_problems_keeps_the_note(county, officer_a):
    unit = county.a.unit
    response = _verify(officer_a, "web:unit_verify", unit, ok="0", reason="营业执照过期")
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.verify_state == "failed"
    entry = RecordHistory.objects.filter(record_type="registry.unit", record_id=unit.pk).latest("id")
    assert entry.reason == "营业执照过期"


@pytest.mark.parametrize("name,attr", [("web:house_verify", "house"), ("web:unit_verify", "unit")])
def test_verify_with_no_outcome_is_field_error(county, officer_a, name, attr):
    response = _verify(officer_a, name, getattr(county.a, attr), ok="maybe")
    assert response.status_code == 400
    assert "ok" in response.context["form"].errors


@pytest.mark.parametrize("name,attr", [("web:house_verify", "house"), ("web:unit_verify", "unit")])
def test_verify_with_stale_version_is_409(county, officer_a, name, attr):
    assert _verify(officer_a, name, getattr(county.a, attr), version=9).status_code == 409


@pytest.mark.parametrize("name,attr", [("web:house_verify", "house"), ("web:unit_verify", "unit")])
def test_verify_other_station_record_is_404(county, officer_a, name, attr):
    assert _verify(officer_a, name, getattr(county.b, attr)).status_code == 404


@pytest.mark.parametrize("role", ["collector", "supervisor"])
@pytest.mark.parametrize("name,attr", [("web:house_verify", "house"), ("web:unit_verify", "unit")])
def test_roles_that_do_not_review_cannot_verify(county, client_for, role, name, attr):
    users = county.a.users if role in county.a.users else county.users
    assert _verify(client_for(users[role]), name, getattr(county.a, attr)).status_code == 403


@pytest.mark.parametrize("name,attr", [("web:house_detail", "house"), ("web:unit_detail", "unit")])
def test_verify_buttons_only_for_reviewing_roles(county, client_for, name, attr):
    record = getattr(county.a, attr)
    verify_url = reverse(name.replace("_detail", "_verify"), args=[record.pk])
    officer_page = client_for(county.a.users["officer"]).get(reverse(name, args=[record.pk]))
    assert verify_url in officer_page.content.decode()
    collector_page = client_for(county.a.users["collector"]).get(reverse(name, args=[record.pk]))
    assert verify_url not in collector_page.content.decode()
