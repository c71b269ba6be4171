"""Write operations: body → service input → service → the record, with the common error body."""

from __future__ import annotations

import pytest

from tests.factories import make_id
from ybss.audit.models import AuditEvent, RecordHistory
from ybss.registry.models import House, Person, Residence

pytestmark = pytest.mark.django_db


def _person_body(**kw):
    body = {
        "id_number": make_id(seq=515, birth="19900305"),
        "name": "赵丽",
        "sex": "1",
        "birth_date": "1990-03-05",
        "phone": "13700001111",
        "hukou_division_code": "610524001003",
    }
    body.update(kw)
    return body


def _new_room(api, door) -> dict:
    status, room = api.post(f"/api/addresses/{door.pk}/rooms", {"unit_no": "1", "floor": 5, "room_no": "502"})
    assert status == 201, room
    return room


# --- addresses ---------------------------------------------------------------------------------


def test_room_create_returns_the_new_address(county, api_for):
    room = _new_room(api_for(county.a.users["officer"]), county.a.door)
    assert room["level"] == "room" and room["parent_id"] == county.a.door.pk
    assert room["status"] == "draft" and room["version"] == 1
    assert [h["action"] for h in room["history"]] == ["create"]


def test_door_plate_create(county, api_for):
    status, body = api_for(county.a.users["officer"]).post(
        "/api/addresses",
        {
            "division_code": county.a.village.code,
            "police_unit_code": county.a.district.code,
            "road_id": county.a.road.pk,
            "door_number": "18",
        },
    )
    assert status == 201, body
    assert body["full_name"].endswith("a测试路18号") and body["division"] == county.a.village.code


def test_door_plate_in_other_station_is_a_field_error(county, api_for):
    status, body = api_for(county.a.users["officer"]).post(
        "/api/addresses",
        {
            "division_code": county.b.village.code,
            "police_unit_code": county.b.district.code,
            "road_id": county.b.road.pk,
            "door_number": "18",
        },
    )
    assert status == 400 and "police_unit_code" in body["fields"]


def test_building_generate(county, api_for):
    status, body = api_for(county.a.users["officer"]).post(
        f"/api/addresses/{county.a.door.pk}/building", {"units": 2, "floors": 3, "rooms_per_floor": 2}
    )
    assert status == 201 and body["created"] == len(body["items"]) >= 11


def test_address_mark_and_rename_bump_the_version(county, api_for):
    api, door = api_for(county.a.users["officer"]), county.a.door
    status, body = api.post(f"/api/addresses/{door.pk}/mark", {"lng": 110.15, "lat": 35.24, "version": 1})
    assert status == 200, body
    assert body["mark_state"] == "marked" and body["version"] == 2
    status, body = api.put(f"/api/addresses/{door.pk}", {"common_name": "老邮局", "version": 2})
    assert status == 200 and body["common_name"] == "老邮局" and body["version"] == 3


@pytest.mark.parametrize(
    "body, field",
    [
        ({"lng": "east", "lat": 35, "version": 1}, "lng"),
        ({"lng": 110, "lat": 95, "version": 1}, "lat"),
        ({"lng": 110, "lat": 35}, "version"),
        ({"lng": 110, "lat": 35, "version": 1, "system": "XYZ"}, "system"),
    ],
)
def test_address_mark_bad_body_is_a_field_error(county, api_for, body, field):
    status, out = api_for(county.a.users["officer"]).post(f"/api/addresses/{county.a.door.pk}/mark", body)
    assert status == 400 and field in out["fields"]


# --- houses ------------------------------------------------------------------------------------


def test_house_create_and_update(county, api_for):
    api = api_for(county.a.users["officer"])
    room = _new_room(api, county.a.door)
    status, house = api.post(
        "/api/houses", {"address_id": room["id"], "house_type": "apartment", "use": "self"}
    )
    assert status == 201, house
    assert house["address_id"] == room["id"] and house["house_type_label"]
    body = {"house_type": "apartment", "use": "self", "area": "90.5", "version": house["version"]}
    status, updated = api.put(f"/api/houses/{house['id']}", body)
    assert status == 200 and updated["area"] == 90.5 and updated["version"] == house["version"] + 1
    assert updated["history"][-1]["changes"]["area"] == [None, "90.5"]


def test_service_field_errors_come_back_as_400(county, api_for):
    api = api_for(county.a.users["officer"])
    room = _new_room(api, county.a.door)
    status, body = api.post("/api/houses", {"address_id": room["id"], "house_type": "igloo", "use": "castle"})
    assert status == 400 and body["code"] == "invalid"
    assert {"house_type", "use"} <= set(body["fields"])
    assert not House.objects.filter(address_id=room["id"]).exists()


def test_update_needs_the_version(county, api_for):
    status, body = api_for(county.a.users["officer"]).put(
        f"/api/houses/{county.a.house.pk}", {"house_type": "apartment", "use": "self"}
    )
    assert status == 400 and list(body["fields"]) == ["version"]


def test_stale_version_is_409_conflict(county, api_for):
    api, house = api_for(county.a.users["officer"]), county.a.house
    body = {"house_type": "apartment", "use": "self", "version": house.version}
    assert api.put(f"/api/houses/{house.pk}", body)[0] == 200
    status, out = api.put(f"/api/houses/{house.pk}", body)
    assert status == 409 and out["code"] == "conflict"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("put", "/api/houses/{house}", {"house_type": "apartment", "use": "self", "version": 1}),
        ("post", "/api/houses/{house}/verify", {"ok": True, "version": 1}),
        ("post", "/api/houses/{house}/transition", {"to": "pending", "version": 1}),
        ("put", "/api/units/{unit}", {"name": "x", "category": "enterprise", "version": 1}),
        ("post", "/api/units/{unit}/transition", {"to": "pending", "version": 1}),
        ("post", "/api/units/{unit}/employments", {"person_id": 1}),
        ("put", "/api/persons/{person}", {**_person_body(), "version": 1}),
        ("post", "/api/persons/{person}/transition", {"to": "pending", "version": 1}),
        ("put", "/api/addresses/{door}", {"common_name": "x", "version": 1}),
        ("post", "/api/addresses/{door}/rooms", {"room_no": "9"}),
        ("post", "/api/addresses/{door}/mark", {"lng": 110, "lat": 35, "version": 1}),
        ("post", "/api/houses", {"address_id": "{room}", "house_type": "apartment", "use": "self"}),
        ("post", "/api/units", {"address_id": "{door}", "name": "x", "category": "enterprise"}),
    ],
)
def test_writes_to_other_station_records_are_not_found(county, api_for, method, path, body):
    b = county.b
    ids = {
        "house": b.house.pk,
        "unit": b.unit.pk,
        "person": b.person.pk,
        "door": b.door.pk,
        "room": b.room.pk,
    }
    body = {k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}
    status, out = getattr(api_for(county.a.users["officer"]), method)(path.format(**ids), body)
    assert status == 404 and out["code"] == "not_found"
    assert b.house.__class__.objects.get(pk=b.house.pk).version == 1


def test_verify_needs_a_reviewer(county, api_for):
    house = county.a.house
    status, body = api_for(county.a.users["collector"]).post(
        f"/api/houses/{house.pk}/verify", {"ok": True, "version": house.version}
    )
    assert status == 403 and body["code"] == "forbidden"
    status, body = api_for(county.a.users["officer"]).post(
        f"/api/houses/{house.pk}/verify", {"ok": True, "version": house.version}
    )
    assert status == 200 and body["verify_state"] == "verified"


# --- lifecycle ---------------------------------------------------------------------------------


def test_transition_by_role(county, api_for):
    unit = county.a.unit  # accepted
    collector, officer = api_for(county.a.users["collector"]), api_for(county.a.users["officer"])
    status, body = collector.post(f"/api/units/{unit.pk}/transition", {"to": "pending", "version": 1})
    assert status == 200 and body["status"] == "pending" and body["version"] == 2
    status, body = collector.post(f"/api/units/{unit.pk}/transition", {"to": "accepted", "version": 2})
    assert status == 403 and body["code"] == "forbidden"
    status, body = officer.post(f"/api/units/{unit.pk}/transition", {"to": "returned", "version": 2})
    assert status == 400 and list(body["fields"]) == ["reason"]
    status, body = officer.post(
        f"/api/units/{unit.pk}/transition", {"to": "returned", "version": 2, "reason": "照片不清"}
    )
    assert status == 200 and body["status"] == "returned" and body["status_reason"] == "照片不清"


def test_transition_to_unknown_state_is_a_field_error(county, api_for):
    status, body = api_for(county.a.users["officer"]).post(
        f"/api/units/{county.a.unit.pk}/transition", {"to": "archived", "version": 1}
    )
    assert status == 400 and list(body["fields"]) == ["to"]


def test_impossible_transition_is_400_with_its_code(county, api_for):
    status, body = api_for(county.a.users["officer"]).post(
        f"/api/units/{county.a.unit.pk}/transition", {"to": "returned", "version": 1, "reason": "x"}
    )
    assert status == 400 and body["code"] == "record.bad_transition"


# --- persons -----------------------------------------------------------------------------------


def test_person_register_returns_the_person_and_audits_the_read(county, api_for):
    user = county.a.users["collector"]
    status, body = api_for(user).post(
        "/api/persons",
        {**_person_body(), "house_id": county.a.house.pk, "residence": {"residence_type": "lodging"}},
    )
    assert status == 201, body
    assert body["name"] == "赵丽" and body["warnings"] == []
    assert body["id_number"].startswith("610524********")  # a collector sees it masked
    assert [r["house_id"] for r in body["residences"]] == [county.a.house.pk]
    assert AuditEvent.objects.filter(
        action="read", object_type="registry.person", object_id=str(body["id"]), channel="api"
    ).exists()


def test_person_register_reports_service_field_errors(county, api_for):
    status, body = api_for(county.a.users["collector"]).post(
        "/api/persons",
        {
            **_person_body(name="", phone="12345", sex="7"),
            "house_id": county.a.house.pk,
            "residence": {"residence_type": "nonsense"},
        },
    )
    assert status == 400 and {"name", "phone", "sex", "residence_type"} <= set(body["fields"])


def test_person_register_needs_a_residence(county, api_for):
    status, body = api_for(county.a.users["collector"]).post(
        "/api/persons", {**_person_body(), "house_id": county.a.house.pk}
    )
    assert status == 400 and list(body["fields"]) == ["residence"]


def test_collector_can_save_a_person_whose_identifiers_are_masked(county, api_for):
    p = county.a.person
    api = api_for(county.a.users["collector"])
    shown = api.get(f"/api/persons/{p.pk}")[1]
    assert "*" in shown["id_number"] and "*" in shown["phone"]
    body = {
        "id_number": shown["id_number"],
        "phone": shown["phone"],
        "name": p.name,
        "sex": p.sex,
        "birth_date": str(p.birth_date),
        "hukou_division_code": p.hukou_division_code,
        "occupation": "教师",
        "version": shown["version"],
    }
    status, out = api.put(f"/api/persons/{p.pk}", body)
    assert status == 200, out
    p.refresh_from_db()
    assert (p.id_number, p.phone, p.occupation) == (county.a.person.id_number, county.a.person.phone, "教师")
    assert "id_number" not in RecordHistory.objects.filter(record_id=p.pk).last().changes


def test_a_different_masked_value_is_rejected(county, api_for):
    p = county.a.person
    body = {
        "id_number": "610524********9999",
        "name": p.name,
        "sex": p.sex,
        "birth_date": str(p.birth_date),
        "version": p.version,
    }
    status, out = api_for(county.a.users["collector"]).put(f"/api/persons/{p.pk}", body)
    assert status == 400 and "id_number" in out["fields"]
    p.refresh_from_db()
    assert p.id_number == county.a.person.id_number and p.version == 1


def test_residence_end(county, api_for):
    p, residence = county.a.person, county.a.residence
    status, body = api_for(county.a.users["officer"]).post(
        f"/api/persons/{p.pk}/residences/{residence.pk}/end",
        {"until": "2026-10-01", "version": residence.version, "reason": "搬走"},
    )
    assert status == 200, body
    assert Residence.objects.get(pk=residence.pk).active is False
    assert body["residences"][0]["active"] is False


def test_residence_of_another_person_is_not_found(county, api_for):
    status, body = api_for(county.users["admin"]).post(
        f"/api/persons/{county.a.person.pk}/residences/{county.b.residence.pk}/end",
        {"until": "2026-10-01", "version": 1, "reason": "x"},
    )
    assert status == 404 and body["code"] == "not_found"
    assert Residence.objects.get(pk=county.b.residence.pk).active is True


# --- units -------------------------------------------------------------------------------------


def test_unit_create_with_warnings_and_employment(county, api_for):
    api = api_for(county.a.users["officer"])
    status, unit = api.post(
        "/api/units",
        {
            "address_id": county.a.door.pk,
            "name": "合阳新店",
            "category": "enterprise",
            "special_trade": "hotel",
            "hazards": ["hazardous_chemical"],
        },
    )
    assert status == 201, unit
    assert unit["special_trade_label"] and unit["hazard_labels"] and unit["warnings"] == []
    status, emp = api.post(
        f"/api/units/{unit['id']}/employments", {"person_id": county.a.person.pk, "post": "前台"}
    )
    assert status == 201 and emp["person_id"] == county.a.person.pk
    assert [e["person_id"] for e in api.get(f"/api/units/{unit['id']}")[1]["employees"]] == [
        county.a.person.pk
    ]


def test_employment_of_invisible_person_is_a_field_error(county, api_for):
    status, body = api_for(county.a.users["officer"]).post(
        f"/api/units/{county.a.unit.pk}/employments", {"person_id": county.b.person.pk}
    )
    assert status == 400 and list(body["fields"]) == ["person"]


# --- bad bodies --------------------------------------------------------------------------------

WRITES = [
    ("post", "/api/addresses"),
    ("put", "/api/addresses/{door}"),
    ("post", "/api/addresses/{door}/rooms"),
    ("post", "/api/addresses/{door}/building"),
    ("post", "/api/addresses/{door}/mark"),
    ("post", "/api/addresses/{door}/transition"),
    ("post", "/api/houses"),
    ("put", "/api/houses/{house}"),
    ("post", "/api/houses/{house}/verify"),
    ("post", "/api/houses/{house}/transition"),
    ("post", "/api/persons"),
    ("put", "/api/persons/{person}"),
    ("post", "/api/persons/{person}/transition"),
    ("post", "/api/persons/{person}/residences/{residence}/end"),
    ("post", "/api/units"),
    ("put", "/api/units/{unit}"),
    ("post", "/api/units/{unit}/verify"),
    ("post", "/api/units/{unit}/transition"),
    ("post", "/api/units/{unit}/employments"),
]

GARBAGE = [
    {},
    {"version": "x", "name": 5, "to": None, "ok": "maybe", "units": -1, "address_id": "abc", "person_id": 0},
    {"version": 10**40, "lng": "nan", "lat": "inf", "floor": 10**9, "area": "1e400", "house_id": 2**70},
    {"name": "x" * 1000, "id_number": "1" * 100, "hazards": ["x"] * 50, "residence": []},
]


@pytest.mark.parametrize("method, path", WRITES)
@pytest.mark.parametrize("body", GARBAGE, ids=["empty", "types", "huge", "long"])
def test_garbage_bodies_are_400_never_500(county, api_for, method, path, body):
    a = county.a
    ids = {
        "door": a.door.pk,
        "house": a.house.pk,
        "person": a.person.pk,
        "unit": a.unit.pk,
        "residence": a.residence.pk,
    }
    before = Person.objects.count(), House.objects.count()
    status, out = getattr(api_for(a.users["officer"]), method)(path.format(**ids), body)
    assert status == 400, out
    assert out["code"] == "invalid" and out["fields"]
    assert (Person.objects.count(), House.objects.count()) == before


@pytest.mark.parametrize("method, path", WRITES)
def test_non_json_bodies_are_400(county, client_for, method, path):
    a = county.a
    ids = {
        "door": a.door.pk,
        "house": a.house.pk,
        "person": a.person.pk,
        "unit": a.unit.pk,
        "residence": a.residence.pk,
    }
    client = client_for(a.users["officer"])
    for content in ("{not json", "[1, 2]", '"text"', "null"):
        response = getattr(client, method)(path.format(**ids), content, content_type="application/json")
        assert response.status_code == 400, (content, response.content)
        assert response.json()["code"] == "invalid"


def test_token_clients_write_without_csrf(county, token_for, bearer_api):
    api = bearer_api(token_for(county.a.users["officer"]))
    status, body = api.post(f"/api/units/{county.a.unit.pk}/transition", {"to": "pending", "version": 1})
    assert status == 200 and body["status"] == "pending"
