"""The spot-check API under /api/supervision/spot-checks: rounds, items, results from the phone,
pass rates; scope, errors and query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.supervision.spotcheck_helpers import Api, collected, draw, station_round
from ybss.addresses.models import StandardAddress
from ybss.org.models import ApiToken
from ybss.quality.models import Problem
from ybss.supervision.models import SpotCheckItem, SpotCheckRound

pytestmark = pytest.mark.django_db

API = "/api/supervision/spot-checks"


@pytest.fixture
def api_for(client_for):
    return lambda user: Api(client_for(user))


def test_a_chief_draws_a_round(county, api_for):
    collected(county)
    status, body = api_for(county.a.users["chief"]).post(
        f"{API}/rounds",
        {"name": "十一月", "police_unit_code": county.a.station.code, "sample_size": 3, "seed": 9},
    )
    assert status == 201, body
    rnd = SpotCheckRound.objects.get()
    assert (body["id"], body["seed"], body["items"], body["state"]) == (rnd.pk, 9, 3, "open")
    assert body["strata"]["by"] == ["station", "collector", "type"] and body["by_station"] == []


def test_drawing_needs_the_role_and_the_scope(county, api_for):
    collected(county)
    payload = {"name": "x", "police_unit_code": county.b.station.code, "sample_size": 3}
    status, body = api_for(county.a.users["officer"]).post(f"{API}/rounds", payload)
    assert (status, body["code"]) == (403, "forbidden")
    status, body = api_for(county.a.users["chief"]).post(f"{API}/rounds", payload)
    assert (status, body["code"]) == (404, "not_found")
    assert not SpotCheckRound.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"police_unit_code": "610524501000", "sample_size": 3}, "name"),
        ({"name": "x", "police_unit_code": "6105", "sample_size": 3}, "police_unit_code"),
        ({"name": "x", "police_unit_code": "610524501000", "sample_size": 0}, "sample_size"),
        ({"name": "x", "police_unit_code": "610524501000", "sample_size": 3, "by": ["village"]}, "by"),
        (
            {"name": "x", "police_unit_code": "610524501000", "sample_size": 3, "record_types": []},
            "record_types",
        ),
        (
            {"name": "x", "police_unit_code": "610524501000", "sample_size": 3, "risk_weight": -2},
            "risk_weight",
        ),
        (
            {"name": "x", "police_unit_code": "610524501000", "sample_size": 3, "deadline": "2000-01-01"},
            "deadline",
        ),
    ],
)
def test_bad_draw_input_is_a_field_error(county, api_for, payload, field):
    collected(county)
    status, body = api_for(county.a.users["chief"]).post(f"{API}/rounds", payload)
    assert status == 400 and body["code"] == "invalid"
    assert any(k == field or k.startswith(field) for k in body["fields"]), body
    assert not SpotCheckRound.objects.exists()


def test_rounds_and_items_are_listed_in_scope(county, api_for):
    rnd_a, item_a = station_round(county, county.a)
    rnd_b, _item_b = station_round(county, county.b)
    api = api_for(county.a.users["officer"])
    status, body = api.get(f"{API}/rounds")
    assert status == 200 and [r["id"] for r in body["items"]] == [rnd_a.pk] and body["count"] == 1
    status, body = api.get(f"{API}/items", mine="true")
    assert status == 200 and item_a.pk in [i["id"] for i in body["items"]]
    assert {i["checker"] for i in body["items"]} == {county.a.users["officer"].pk}
    assert {i["round"] for i in body["items"]} == {rnd_a.pk}
    [door] = [i for i in body["items"] if i["id"] == item_a.pk]
    assert door["place"] == county.a.door.full_name
    status, body = api.get(f"{API}/items", round=rnd_b.pk)
    assert status == 200 and body["count"] == 0


def test_other_stations_rounds_and_items_are_not_found(county, api_for):
    rnd, item = station_round(county, county.b)
    for role in ("collector", "officer", "chief"):
        api = api_for(county.a.users[role])
        for path in (f"{API}/rounds/{rnd.pk}", f"{API}/items/{item.pk}"):
            assert api.get(path)[0] == 404, (role, path)
        assert api.post(f"{API}/items/{item.pk}/result", {"result": "agrees"})[0] == 404
        assert api.post(f"{API}/items/{item.pk}/assign", {"checker": county.a.users["chief"].pk})[0] in (
            403,
            404,
        )
        assert api.post(f"{API}/rounds/{rnd.pk}/close")[0] in (403, 404)
    item.refresh_from_db()
    assert item.result == "pending" and item.checker_id == county.b.users["officer"].pk


def test_a_result_from_the_phone_in_the_field(county, token_api):
    StandardAddress.objects.filter(pk=county.a.door.pk).update(lng=Decimal("110.15"), lat=Decimal("35.24"))
    _rnd, item = station_round(county, county.a)
    api = token_api(county.a.users["officer"])
    status, body = api.get(f"{API}/items/{item.pk}")
    assert status == 200 and body["field_choices"][3][0] == "door_number" and body["field_choices"][3][1]
    status, body = api.post(
        f"{API}/items/{item.pk}/result",
        {
            "result": "wrong_fields",
            "wrong_fields": ["door_number"],
            "via": "field",
            "lng": 110.151,
            "lat": 35.24,
        },
    )
    assert status == 200, body
    assert body["result"] == "wrong_fields" and 85 < body["distance_m"] < 95 and body["via"] == "field"
    problem = Problem.objects.get(pk=body["problem"])
    assert (problem.category, problem.collector_id) == ("spot_check_wrong", county.a.users["collector"].pk)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "result"),
        ({"result": "pending"}, "result"),
        ({"result": "wrong_fields"}, "wrong_fields"),
        ({"result": "agrees", "lng": 181, "lat": 35}, "lng"),
        ({"result": "agrees", "lng": 110}, "lat"),
        ({"result": "fabricated"}, "note"),
        ({"result": "agrees", "via": "fax"}, "via"),
    ],
)
def test_bad_results_are_field_errors(county, api_for, payload, field):
    _rnd, item = station_round(county, county.a)
    status, body = api_for(county.a.users["officer"]).post(f"{API}/items/{item.pk}/result", payload)
    assert status == 400 and set(body) == {"code", "message", "fields"}
    assert field in body["fields"], body
    item.refresh_from_db()
    assert item.result == "pending"


def test_a_second_result_is_a_conflict(county, api_for):
    _rnd, item = station_round(county, county.a)
    api = api_for(county.a.users["officer"])
    assert api.post(f"{API}/items/{item.pk}/result", {"result": "agrees"})[0] == 200
    status, body = api.post(f"{API}/items/{item.pk}/result", {"result": "agrees"})
    assert (status, body["code"]) == (409, "spot_check.already_checked")


def test_assigning_to_the_collector_is_refused(county, api_for):
    _rnd, item = station_round(county, county.a)
    api = api_for(county.a.users["chief"])
    status, body = api.post(f"{API}/items/{item.pk}/assign", {"checker": county.a.users["collector"].pk})
    assert (status, body["code"]) == (400, "spot_check.checker_is_collector") and "checker" in body["fields"]
    status, body = api.post(f"{API}/items/{item.pk}/assign", {"checker": county.a.users["chief"].pk})
    assert status == 200 and body["checker"] == county.a.users["chief"].pk


def test_closing_and_reading_a_round(county, api_for):
    rnd, item = station_round(county, county.a)
    api_for(county.a.users["officer"]).post(f"{API}/items/{item.pk}/result", {"result": "agrees"})
    api = api_for(county.a.users["chief"])
    status, body = api.get(f"{API}/rounds/{rnd.pk}")
    assert status == 200 and (body["items"], body["checked"], body["passed"]) == (5, 1, 1)
    assert body["by_station"] == [
        {"key": "610524501", "name": "金水派出所", "checked": 1, "passed": 1, "rate": 1.0}
    ]
    status, body = api.post(f"{API}/rounds/{rnd.pk}/close")
    assert status == 200 and body["state"] == "closed"
    status, body = api.post(f"{API}/rounds/{rnd.pk}/close")
    assert (status, body["code"]) == (400, "spot_check.round_closed")


def test_pass_rates(county, api_for):
    _rnd, item = station_round(county, county.a)
    api_for(county.a.users["officer"]).post(
        f"{API}/items/{item.pk}/result", {"result": "fabricated", "note": "无此门牌"}
    )
    api = api_for(county.users["supervisor"])
    status, body = api.get(f"{API}/pass-rates", group="collector")
    assert status == 200 and body == [
        {
            "key": str(county.a.users["collector"].pk),
            "name": "collector_a",
            "checked": 1,
            "passed": 0,
            "rate": 0.0,
        }
    ]
    assert api.get(f"{API}/pass-rates", group="village")[0] == 400
    assert api.get(f"{API}/pass-rates", day="2026-13-01")[0] == 400
    assert api.get(f"{API}/pass-rates", police_prefix="610524503")[1] == []
    assert api_for(county.b.users["chief"]).get(f"{API}/pass-rates")[1] == []


def _count(api, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path)[0] == 200
    return len(ctx)


def test_lists_use_a_bounded_number_of_queries(county, api_for):
    collected(county)
    sup = county.users["supervisor"]
    api = api_for(sup)
    draw(sup, county.bureau.code, size=10)  # every kind of record: one place query per kind
    few = [_count(api, f"{API}/rounds"), _count(api, f"{API}/items")]
    for seed in range(8):
        draw(sup, county.bureau.code, size=10, seed=seed)
    many = [_count(api, f"{API}/rounds"), _count(api, f"{API}/items")]
    assert many[0] <= few[0] and many[1] <= few[1] + 1 and max(many) <= 15
    assert SpotCheckItem.objects.count() > 60


@pytest.fixture
def token_api(county):
    def make(user):
        _token, secret = ApiToken.issue(user=user, name="phone")
        return Api(Client(), {"Authorization": f"Bearer {secret}"})

    return make
