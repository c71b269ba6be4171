"""The map API (/api/map/...): points in a box, the count grid, the list to mark, marking with
its rates, boundaries; scoped to the caller's jurisdiction, bad input a 400 field error."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mapping.conftest import A_CENTRE, B_CENTRE, put
from ybss.addresses.coords import from_wgs84
from ybss.addresses.models import StandardAddress

pytestmark = pytest.mark.django_db


def get(client, path, **params):
    r = client.get(path, params)
    return r.status_code, r.json()


def post(client, path, body):
    r = client.post(path, json.dumps(body), content_type="application/json")
    return r.status_code, r.json()


def box(centre, half=0.05):
    return f"{centre[0] - half},{centre[1] - half},{centre[0] + half},{centre[1] + half}"


@pytest.fixture
def placed(county):
    """Both stations' door plates on the map: a marked (unconfirmed), b confirmed."""
    put(county.a.door, *A_CENTRE, state="marked")
    put(county.b.door, *B_CENTRE, state="confirmed")
    return county


def test_points_in_a_box_are_the_callers_own(placed, client_for):
    a = client_for(placed.a.users["officer"])
    status, body = get(a, "/api/map/doors", bbox=box(A_CENTRE))
    assert status == 200
    assert body["items"] == [[placed.a.door.pk, A_CENTRE[0], A_CENTRE[1], 1]] and body["truncated"] is False
    # Station b's door plate lies in this box too: invisible to a, visible to b.
    status, body = get(a, "/api/map/doors", bbox="110.0,35.0,110.4,35.4")
    assert [it[0] for it in body["items"]] == [placed.a.door.pk]
    _, body = get(client_for(placed.b.users["chief"]), "/api/map/doors", bbox="110.0,35.0,110.4,35.4")
    assert [it[0] for it in body["items"]] == [placed.b.door.pk]


def test_points_come_back_in_the_asked_system(placed, client_for):
    a = client_for(placed.a.users["officer"])
    gcj = from_wgs84(*A_CENTRE, "GCJ02")
    _, body = get(a, "/api/map/doors", bbox=box(gcj, 0.01), system="GCJ02")
    [[_pk, lng, lat, _state]] = body["items"]
    assert (lng, lat) == pytest.approx(gcj, abs=1e-6)
    # A small WGS-84 box around the GCJ-02 position finds nothing: the systems are ≈ 500 m apart.
    _, body = get(a, "/api/map/doors", bbox=box(gcj, 0.002), system="WGS84")
    assert body["items"] == []


def test_points_are_truncated_at_the_limit(placed, client_for):
    _, body = get(
        client_for(placed.users["supervisor"]), "/api/map/doors", bbox="110.0,35.0,110.4,35.4", limit=1
    )
    assert len(body["items"]) == 1 and body["truncated"] is True


def test_the_grid_counts_per_cell_and_state(placed, client_for):
    status, body = get(
        client_for(placed.users["supervisor"]), "/api/map/grid", bbox="109.5,34.5,110.9,35.9", cell=0.05
    )
    assert status == 200
    cells = sorted(body["cells"])
    assert [c[2:] for c in cells] == [[1, 0, 1, 0], [1, 0, 0, 1]]
    _, body = get(client_for(placed.a.users["collector"]), "/api/map/grid", bbox="109.5,34.5,110.9,35.9")
    assert [c[2:] for c in body["cells"]] == [[1, 0, 1, 0]]


@pytest.mark.parametrize(
    "path,params,field",
    [
        ("/api/map/doors", {}, "bbox"),
        ("/api/map/doors", {"bbox": "1,2,3"}, "bbox"),
        ("/api/map/doors", {"bbox": "a,b,c,d"}, "bbox"),
        ("/api/map/doors", {"bbox": "110.2,35,110.1,35.1"}, "bbox"),
        ("/api/map/doors", {"bbox": "nan,35,110.1,35.1"}, "bbox"),
        ("/api/map/doors", {"bbox": "100,30,110,35"}, "bbox"),  # too big for points
        ("/api/map/doors", {"bbox": "110,35,110.1,35.1", "system": "XYZ"}, "system"),
        ("/api/map/doors", {"bbox": "110,35,110.1,35.1", "limit": "0"}, "limit"),
        ("/api/map/grid", {"bbox": "80,20,100,40"}, "bbox"),
        ("/api/map/grid", {"bbox": "105,30,110,35", "cell": "0.0005"}, "cell"),
        ("/api/map/grid", {"bbox": "110,35,110.1,35.1", "cell": "inf"}, "cell"),
        ("/api/map/todo", {"state": "nope"}, "state"),
        ("/api/map/todo", {"division": "abc"}, "division"),
        ("/api/map/todo", {"id": "-1"}, "id"),
        ("/api/map/rates", {"police_unit": "x"}, "police_unit"),
        ("/api/map/boundaries", {"bbox": "x"}, "bbox"),
    ],
)
def test_bad_queries_are_field_errors(county, client_for, path, params, field):
    status, body = get(client_for(county.a.users["officer"]), path, **params)
    assert status == 400, body
    assert body["code"] in ("invalid", "map.box_too_big") and field in body["fields"]


def test_todo_lists_own_door_plates_still_to_mark(placed, client_for):
    a = client_for(placed.a.users["officer"])
    status, body = get(a, "/api/map/todo")
    assert status == 200 and body["count"] == 1
    [item] = body["items"]
    assert item["id"] == placed.a.door.pk and item["mark_state"] == "marked" and item["version"] == 1
    assert placed.b.door.full_name not in json.dumps(body, ensure_ascii=False)
    assert get(a, "/api/map/todo", state="confirmed")[1]["count"] == 0
    assert get(a, "/api/map/todo", q=placed.b.door.full_name[:6])[1]["count"] == 0
    assert get(a, "/api/map/todo", division=placed.a.village.code)[1]["count"] == 1
    assert get(a, "/api/map/todo", police_unit=placed.b.district.code)[1]["count"] == 0
    assert get(a, "/api/map/todo", id=placed.b.door.pk)[1]["count"] == 0


def test_rooms_are_not_listed_they_share_their_door_plate(placed, client_for):
    _, body = get(client_for(placed.a.users["officer"]), "/api/map/todo", state="all")
    assert [it["id"] for it in body["items"]] == [placed.a.door.pk]


def test_marking_confirms_and_answers_the_new_rate(county, client_for):
    a = client_for(county.a.users["officer"])
    gcj = from_wgs84(*A_CENTRE, "GCJ02")
    status, body = post(
        a,
        f"/api/map/addresses/{county.a.door.pk}/mark",
        {"lng": gcj[0], "lat": gcj[1], "system": "GCJ02", "confirm": True, "version": 1},
    )
    assert status == 200, body
    assert body["item"]["mark_state"] == "confirmed" and body["item"]["version"] == 2
    assert (body["item"]["lng"], body["item"]["lat"]) == pytest.approx(gcj, abs=1e-6)
    rate = body["rates"]["address_marked"]
    assert (rate["numerator"], rate["denominator"], rate["percent"]) == (2, 2, "100.00%")  # door + its room
    door = StandardAddress.objects.get(pk=county.a.door.pk)
    assert (float(door.lng), float(door.lat)) == pytest.approx(A_CENTRE, abs=2e-6)
    assert door.coord_source == "GCJ02" and door.marked_source == "map"
    assert get(a, "/api/map/rates")[1]["address_marked"]["numerator"] == 2


def test_a_stale_version_is_a_conflict(county, client_for):
    a = client_for(county.a.users["officer"])
    url = f"/api/map/addresses/{county.a.door.pk}/mark"
    assert post(a, url, {"lng": A_CENTRE[0], "lat": A_CENTRE[1], "confirm": False, "version": 1})[0] == 200
    status, body = post(a, url, {"lng": A_CENTRE[0], "lat": A_CENTRE[1], "version": 1})
    assert status == 409 and body["code"] == "conflict"


def test_marking_outside_the_boundary_is_refused(county, client_for, drawn):
    status, body = post(
        client_for(county.a.users["officer"]),
        f"/api/map/addresses/{county.a.door.pk}/mark",
        {"lng": B_CENTRE[0], "lat": B_CENTRE[1], "version": 1},
    )
    assert status == 400 and body["code"] == "address.outside_boundary" and "lng" in body["fields"]
    assert StandardAddress.objects.get(pk=county.a.door.pk).version == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({"lat": 35.2, "version": 1}, "lng"),
        ({"lng": "x", "lat": 35.2, "version": 1}, "lng"),
        ({"lng": 1e309, "lat": 35.2, "version": 1}, "lng"),
        ({"lng": 2.35, "lat": 48.85, "version": 1}, "lng"),  # Paris
        ({"lng": 110.1, "lat": 35.2, "version": 1, "system": "UTM"}, "system"),
        ({"lng": 110.1, "lat": 35.2}, "version"),
    ],
)
def test_bad_marks_are_field_errors(county, client_for, body, field):
    status, answer = post(
        client_for(county.a.users["officer"]), f"/api/map/addresses/{county.a.door.pk}/mark", body
    )
    assert status == 400 and field in answer["fields"], answer


def test_other_stations_and_rooms_are_not_found(county, client_for):
    a = client_for(county.a.users["officer"])
    body = {"lng": B_CENTRE[0], "lat": B_CENTRE[1], "version": 1}
    assert post(a, f"/api/map/addresses/{county.b.door.pk}/mark", body)[0] == 404
    assert post(a, f"/api/map/addresses/{county.a.room.pk}/mark", body)[0] == 404
    assert post(a, "/api/map/addresses/999999/mark", body)[0] == 404
    assert StandardAddress.objects.get(pk=county.b.door.pk).version == 1


@pytest.mark.parametrize("role", ["supervisor", "investigator"])
def test_read_only_roles_cannot_mark(county, client_for, role):
    status, body = post(
        client_for(county.users[role]),
        f"/api/map/addresses/{county.a.door.pk}/mark",
        {"lng": A_CENTRE[0], "lat": A_CENTRE[1], "version": 1},
    )
    assert status == 403 and body["code"] == "forbidden"


def test_boundaries_as_geojson_in_the_asked_system(county, client_for, drawn):
    a = client_for(county.a.users["collector"])
    status, body = get(a, "/api/map/boundaries")
    assert status == 200 and body["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in body["features"]}
    assert names == {"金水社区", "甘井村"}
    _, gcj = get(a, "/api/map/boundaries", system="GCJ02", bbox=f"{A_CENTRE[0]},{A_CENTRE[1]},110.16,35.25")
    [feature] = gcj["features"]
    corner = from_wgs84(A_CENTRE[0] - 0.02, A_CENTRE[1] - 0.02, "GCJ02")
    ring = feature["geometry"]["coordinates"][0]
    assert any(v == pytest.approx(list(corner), abs=1e-6) for v in ring)


def test_the_auditor_sees_nothing(county, client_for, drawn):
    put(county.a.door, *A_CENTRE)
    auditor = client_for(county.users["auditor"])
    assert get(auditor, "/api/map/boundaries")[0] == 403
    assert get(auditor, "/api/map/doors", bbox=box(A_CENTRE))[1]["items"] == []
    assert get(auditor, "/api/map/todo")[1]["count"] == 0


def test_the_point_endpoint_is_one_query_after_auth(placed, client_for):
    a = client_for(placed.users["supervisor"])
    get(a, "/api/map/doors", bbox=box(A_CENTRE))  # warm the session
    with CaptureQueriesContext(connection) as q:
        get(a, "/api/map/doors", bbox="110.0,35.0,110.4,35.4")
    selects = [x["sql"] for x in q.captured_queries if "standardaddress" in x["sql"]]
    assert len(selects) == 1
