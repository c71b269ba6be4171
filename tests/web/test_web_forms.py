"""Create/edit forms and the status form: service errors on the form fields, 400/409, versions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_id
from ybss.addresses.models import StandardAddress
from ybss.audit.models import RecordHistory
from ybss.registry.models import House, Person, Unit

pytestmark = pytest.mark.django_db


def _person_post(person: Person, **changes) -> dict:
    data = {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "phone": person.phone,
        "hukou_division_code": person.hukou_division_code,
        "version": person.version,
        "change_reason": "",
    }
    data.update(changes)
    return data


def test_person_edit_form_carries_version(county, officer_a):
    response = officer_a.get(reverse("web:person_edit", args=[county.a.person.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["version"] == county.a.person.version
    assert 'type="hidden" name="version"' in response.content.decode()


def test_person_edit_saves_and_shows_history(county, officer_a):
    person = county.a.person
    response = officer_a.post(
        reverse("web:person_edit", args=[person.pk]),
        _person_post(person, occupation="教师", change_reason="入户核对"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.occupation == "教师" and person.version == 2
    page = officer_a.get(reverse("web:person_detail", args=[person.pk]))
    entry = page.context["history"][0]
    assert entry.reason == "入户核对"
    assert any(c.new == "教师" for c in entry.changes)


def test_person_edit_with_stale_version_is_409(county, officer_a):
    person = county.a.person
    url = reverse("web:person_edit", args=[person.pk])
    assert officer_a.post(url, _person_post(person, occupation="甲")).status_code == 302
    response = officer_a.post(url, _person_post(person, occupation="乙"))  # still version 1
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()


def test_person_edit_bad_id_number_is_field_error(county, officer_a):
    person = county.a.person
    response = officer_a.post(
        reverse("web:person_edit", args=[person.pk]), _person_post(person, id_number="610524198001011234")
    )
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors


def test_person_edit_bad_date_is_field_error(county, officer_a):
    person = county.a.person
    response = officer_a.post(
        reverse("web:person_edit", args=[person.pk]), _person_post(person, birth_date="1980-02-31")
    )
    assert response.status_code == 400
    assert "birth_date" in response.context["form"].errors


def test_collector_edit_form_masks_identifiers_and_keeps_them(county, client_for):
    person = county.a.person
    collector = client_for(county.a.users["collector"])
    page = collector.get(reverse("web:person_edit", args=[person.pk]))
    html = page.content.decode()
    assert person.id_number not in html and person.phone not in html
    masked = page.context["form"].initial
    response = collector.post(
        reverse("web:person_edit", args=[person.pk]),
        _person_post(person, id_number=masked["id_number"], phone=masked["phone"], occupation="司机"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number == county.a.person.id_number
    assert person.phone == county.a.person.phone
    assert person.occupation == "司机"


def test_edit_of_other_station_record_is_404(county, officer_a):
    assert officer_a.get(reverse("web:person_edit", args=[county.b.person.pk])).status_code == 404
    assert officer_a.get(reverse("web:house_edit", args=[county.b.house.pk])).status_code == 404
    assert officer_a.get(reverse("web:house_new", args=[county.b.room.pk])).status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "investigator"])
def test_read_only_roles_cannot_open_forms(county, client_for, role):
    client = client_for(county.users[role])
    assert client.get(reverse("web:person_edit", args=[county.a.person.pk])).status_code == 403
    assert client.get(reverse("web:address_new")).status_code == 403


def test_register_resident_creates_person(county, officer_a):
    house = county.a.house
    response = officer_a.post(
        reverse("web:person_new", args=[house.pk]),
        {
            "name": "李娜",
            "id_type": "111",
            "id_number": make_id(seq=124, birth="19900505"),
            "sex": "2",
            "ethnicity": "01",
            "hukou_division_code": "610524001003",
            "residence_type": "permanent",
            "relation": "10",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(name="李娜")
    assert person.residences.get().house == house


def test_register_resident_with_unknown_landlord_is_field_error(county, officer_a):
    response = officer_a.post(
        reverse("web:person_new", args=[county.a.house.pk]),
        {
            "name": "李娜",
            "id_type": "111",
            "id_number": make_id(seq=124, birth="19900505"),
            "sex": "2",
            "residence_type": "permanent",
            "hukou_division_code": "610524001003",
            "landlord": make_id(seq=999),
        },
    )
    assert response.status_code == 400
    assert "landlord" in response.context["form"].errors


def test_house_create_and_rule_errors(county, officer_a):
    door = county.a.door
    new_door = StandardAddress.objects.create(
        code="T-NEW-1",
        level="door",
        full_name="合阳县测试路9号",
        division=door.division,
        police_unit=door.police_unit,
        status="accepted",
        created_at=door.created_at,
        updated_at=door.updated_at,
    )
    url = reverse("web:house_new", args=[new_door.pk])
    bad = officer_a.post(url, {"house_type": "bungalow", "use": "rented", "management_level": "C"})
    assert bad.status_code == 400
    assert "landlord" in bad.context["form"].errors
    good = officer_a.post(
        url, {"house_type": "bungalow", "use": "self", "management_level": "C", "area": "60"}
    )
    assert good.status_code == 302
    assert House.objects.filter(address=new_door).count() == 1


def test_house_on_door_plate_with_rooms_is_a_form_error(county, officer_a):
    response = officer_a.post(
        reverse("web:house_new", args=[county.a.door.pk]),
        {"house_type": "bungalow", "use": "self", "management_level": "C"},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_house_edit_keeps_landlord_when_left_empty(county, officer_a):
    house = county.a.house
    house.landlord = county.a.person
    house.save()
    response = officer_a.post(
        reverse("web:house_edit", args=[house.pk]),
        {
            "house_type": "bungalow",
            "use": "rented",
            "rental_mode": "whole",
            "management_level": "B",
            "version": house.version,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    house.refresh_from_db()
    assert house.landlord == county.a.person and house.management_level == "B"


def test_unit_create_and_bad_credit_code(county, officer_a):
    url = reverse("web:unit_new", args=[county.a.door.pk])
    bad = officer_a.post(
        url, {"name": "合阳宾馆", "category": "enterprise", "biz_status": "open", "credit_code": "12345"}
    )
    assert bad.status_code == 400
    assert "credit_code" in bad.context["form"].errors
    good = officer_a.post(
        url,
        {
            "name": "合阳宾馆",
            "category": "enterprise",
            "biz_status": "open",
            "special_trade": "hotel",
            "hazards": ["hazardous_chemical"],
        },
    )
    assert good.status_code == 302
    assert Unit.objects.get(name="合阳宾馆").hazards == ["hazardous_chemical"]


def test_door_plate_create(county, officer_a):
    form_page = officer_a.get(reverse("web:address_new"))
    assert form_page.status_code == 200
    data = {
        "division_code": county.a.village.code,
        "police_unit_code": county.a.district.code,
        "road_id": county.a.road.pk,
        "door_number": "18",
    }
    bad = officer_a.post(reverse("web:address_new"), {**data, "door_number": "十八"})
    assert bad.status_code == 400
    assert "door_number" in bad.context["form"].errors
    good = officer_a.post(reverse("web:address_new"), data)
    assert good.status_code == 302
    assert StandardAddress.objects.filter(door_number="18", road=county.a.road).exists()


def test_door_plate_form_offers_only_own_places(county, officer_a):
    form = officer_a.get(reverse("web:address_new")).context["form"]
    assert [c for c, _l in form.fields["police_unit_code"].choices if c] == [county.a.district.code]
    roads = [c for c, _l in form.fields["road_id"].choices if c]
    assert county.a.road.pk in roads and county.b.road.pk not in roads


def test_address_common_name_edit(county, officer_a):
    door = county.a.door
    response = officer_a.post(
        reverse("web:address_edit", args=[door.pk]), {"common_name": "老邮局", "version": door.version}
    )
    assert response.status_code == 302
    door.refresh_from_db()
    assert door.common_name == "老邮局"


# --- status transitions --------------------------------------------------------------------


def test_collector_sees_submit_only(county, client_for):
    house = county.a.house
    house.status = "draft"
    house.save()
    page = client_for(county.a.users["collector"]).get(reverse("web:house_detail", args=[house.pk]))
    assert [t["to"] for t in page.context["transitions"]] == ["pending"]


def test_submit_then_accept(county, client_for):
    house = county.a.house
    house.status = "draft"
    house.save()
    url = reverse("web:house_status", args=[house.pk])
    collector = client_for(county.a.users["collector"])
    assert collector.post(url, {"to": "pending", "version": 1}).status_code == 302
    assert collector.post(url, {"to": "accepted", "version": 2}).status_code == 403
    officer = client_for(county.a.users["officer"])
    assert officer.post(url, {"to": "accepted", "version": 2}).status_code == 302
    house.refresh_from_db()
    assert house.status == "accepted" and house.version == 3
    assert RecordHistory.objects.filter(record_type="registry.house", record_id=house.pk).count() == 2


def test_return_needs_reason(county, officer_a):
    unit = county.a.unit
    unit.status = "pending"
    unit.save()
    response = officer_a.post(reverse("web:unit_status", args=[unit.pk]), {"to": "returned", "version": 1})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    ok = officer_a.post(
        reverse("web:unit_status", args=[unit.pk]), {"to": "returned", "version": 1, "reason": "法人电话缺失"}
    )
    assert ok.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "returned" and unit.status_reason == "法人电话缺失"


def test_void_with_reason_and_stale_version(county, officer_a):
    person = county.a.person
    url = reverse("web:person_status", args=[person.pk])
    stale = officer_a.post(url, {"to": "voided", "version": 7, "reason": "重复录入"})
    assert stale.status_code == 409
    ok = officer_a.post(url, {"to": "voided", "version": 1, "reason": "重复录入"})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.status == "voided"


def test_bad_transition_is_400(county, officer_a):
    response = officer_a.post(
        reverse("web:address_status", args=[county.a.door.pk]),
        {"to": "returned", "version": 1, "reason": "x"},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


@pytest.mark.parametrize("data", [{"to": "nonsense", "version": 1}, {"to": "pending", "version": "abc"}, {}])
def test_malformed_status_post_is_400(county, officer_a, data):
    assert officer_a.post(reverse("web:house_status", args=[county.a.house.pk]), data).status_code == 400


def test_status_of_other_station_record_is_404(county, officer_a):
    url = reverse("web:house_status", args=[county.b.house.pk])
    assert officer_a.post(url, {"to": "voided", "version": 1, "reason": "x"}).status_code == 404
