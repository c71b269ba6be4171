"""The cleaning API: queue, item detail, decisions, duplicates, merge, not-duplicate."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient
from tests.factories import AddressFactory
from ybss.addresses.models import StandardAddress
from ybss.cleaning.models import NotDuplicate
from ybss.core.models import RecordStatus

from .conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(client_for):
    return lambda user: ApiClient(client_for(user))


def test_queue_lists_own_items_with_counts_and_rate(items, api_for):
    status, body = api_for(items.a.users["officer"]).get("/api/cleaning/items")
    assert status == 200
    assert [i["raw_text"] for i in body["items"]] == [items.a.item.raw_text]
    assert body["counts"]["pending"] == 1 and body["counts"]["all"] == 1
    assert (body["rate"]["numerator"], body["rate"]["denominator"]) == (0, 2)
    assert body["rate"]["label"] == "标准地址清理率"


def test_queue_rejects_bad_filters_with_the_error_body(items, api_for):
    status, body = api_for(items.a.users["officer"]).get("/api/cleaning/items", state="bogus", limit=0)
    assert status == 400 and set(body) == {"code", "message", "fields"}
    assert {"state", "limit"} <= set(body["fields"])


def test_item_detail_has_parse_and_candidates(county, api_for):
    item = make_item(county.a, county.a.room.full_name)
    status, body = api_for(county.a.users["officer"]).get(f"/api/cleaning/items/{item.pk}")
    assert status == 200
    assert body["match_state"] in ("matched", "ambiguous")
    assert body["candidates"][0]["address"]["id"] == county.a.room.pk
    assert body["parsed"]["normalised"]
    assert {"key", "label", "parsed", "candidate", "differs"} <= set(body["candidates"][0]["rows"][0])


def test_accept_create_and_reject_through_the_api(county, api_for):
    api = api_for(county.a.users["officer"])
    one, two, three = (make_item(county.a, t) for t in ("甲", "a测试路12号", "乙"))
    status, body = api.post(
        f"/api/cleaning/items/{one.pk}/accept", {"version": 1, "address_id": county.a.door.pk}
    )
    assert status == 200 and body["item"]["state"] == "resolved" and body["address"]["id"] == county.a.door.pk
    status, body = api.post(
        f"/api/cleaning/items/{two.pk}/create",
        {
            "version": 1,
            "division_code": county.a.village.code,
            "police_unit_code": county.a.district.code,
            "road_id": county.a.road.pk,
            "door_number": "12",
        },
    )
    assert status == 201 and body["item"]["decision"] == "created" and body["address"]["level"] == "door"
    status, body = api.post(
        f"/api/cleaning/items/{three.pk}/reject", {"version": 1, "decision": "rejected", "reason": "乱码"}
    )
    assert status == 200 and body["item"]["state"] == "rejected" and body["address"] is None


def test_decisions_answer_field_errors_and_conflicts(county, api_for):
    api = api_for(county.a.users["officer"])
    item = make_item(county.a, "丙")
    status, body = api.post(f"/api/cleaning/items/{item.pk}/create", {"version": 1, "door_number": "x"})
    assert status == 400 and {"door_number", "road_id"} <= set(body["fields"])
    status, body = api.post(
        f"/api/cleaning/items/{item.pk}/accept", {"version": 9, "address_id": county.a.door.pk}
    )
    assert status == 409 and body["code"] == "conflict"
    status, body = api.post(
        f"/api/cleaning/items/{item.pk}/reject", {"version": 1, "decision": "x", "reason": ""}
    )
    assert status == 400


def test_another_stations_item_and_addresses_are_404(items, api_for):
    api = api_for(items.a.users["chief"])
    b = items.b
    assert api.get(f"/api/cleaning/items/{b.item.pk}")[0] == 404
    assert (
        api.post(f"/api/cleaning/items/{b.item.pk}/accept", {"version": 1, "address_id": b.door.pk})[0] == 404
    )
    assert (
        api.post(f"/api/cleaning/addresses/{b.door.pk}/merge", {"duplicate_ids": [b.room.pk], "reason": "x"})[
            0
        ]
        == 404
    )
    # cannot merge across jurisdictions either way
    status, _body = api.post(
        f"/api/cleaning/addresses/{items.a.door.pk}/merge", {"duplicate_ids": [b.door.pk], "reason": "x"}
    )
    assert status == 404
    assert (
        api.post(f"/api/cleaning/addresses/{items.a.door.pk}/not-duplicate", {"others": [b.door.pk]})[0]
        == 404
    )
    assert StandardAddress.objects.get(pk=b.door.pk).status == RecordStatus.ACCEPTED
    assert not NotDuplicate.objects.exists()


def test_duplicates_merge_and_not_duplicate_through_the_api(county, api_for):
    stamp = {"division": county.a.village, "police_unit": county.a.district, "road": county.a.road}
    x = AddressFactory(door_number="40", full_name="合阳县城关街道a测试路40号", **stamp)
    y = AddressFactory(door_number="40", full_name="合阳县城关街道a测试路40号", **stamp)
    z = AddressFactory(door_number="41", full_name="合阳县城关街道a测试路41号", **stamp)
    w = AddressFactory(door_number="41", full_name="合阳县城关街道a测试路41号", **stamp)
    api = api_for(county.a.users["chief"])
    status, body = api.get("/api/cleaning/duplicates")
    assert status == 200 and body == {
        "count": 0,
        "limit": body["limit"],
        "offset": 0,
        "scan": None,
        "items": [],
    }
    status, body = api.post("/api/cleaning/duplicates/check", {})
    assert status == 202 and body["job_id"]  # the test settings run jobs inline
    status, body = api.get("/api/cleaning/duplicates")
    assert status == 200 and body["count"] >= 2 and body["scan"]["started_by"]
    groups = [{a["id"] for a in g["addresses"]} for g in body["items"]]
    assert {x.pk, y.pk} in groups and {z.pk, w.pk} in groups
    status, body = api.post(
        f"/api/cleaning/addresses/{x.pk}/merge",
        {"duplicate_ids": [y.pk], "reason": "同一门牌", "versions": {str(x.pk): 1, str(y.pk): 1}},
    )
    assert status == 200 and [m["id"] for m in body["merged"]] == [y.pk]
    status, body = api.post(
        f"/api/cleaning/addresses/{z.pk}/not-duplicate", {"others": [w.pk], "reason": "两户"}
    )
    assert status == 200 and body["recorded"] == 1
    _status, body = api.get("/api/cleaning/duplicates")
    assert not any({z.pk, w.pk} <= {a["id"] for a in g["addresses"]} for g in body["items"])


def test_merge_refuses_a_door_into_a_room_with_a_field_error(county, api_for):
    status, body = api_for(county.a.users["chief"]).post(
        f"/api/cleaning/addresses/{county.a.room.pk}/merge",
        {"duplicate_ids": [county.a.door.pk], "reason": "x"},
    )
    assert status == 400 and "survivor" in body["fields"]
