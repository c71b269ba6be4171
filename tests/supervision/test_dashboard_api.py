"""The supervision rates over JSON: shape, scope, days, history, definitions, ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ybss.registry.models import House
from ybss.supervision import rates
from ybss.supervision.definitions import MAIN_RATES, RATES

pytestmark = pytest.mark.django_db

RATE_KEYS = {"code", "label", "numerator", "denominator", "value", "percent", "definition"}
NODE_KEYS = {"tree", "code", "name", "kind", "parent"}


@pytest.fixture
def counted(county):
    House.objects.filter(pk=county.a.house.pk).update(verify_state="verified", verified_at=timezone.now())
    rates.rates_refresh()
    return county


def test_the_rates_of_the_callers_own_node_and_its_children(counted, client_for):
    body = client_for(counted.users["supervisor"]).get("/api/supervision/rates").json()
    assert set(body) == {"node", "day", "as_of", "reconstructed", "rates", "children"}
    assert body["node"] == {
        "tree": "police",
        "code": counted.bureau.code,
        "name": counted.bureau.name,
        "kind": "county_bureau",
        "parent": None,
    }
    assert body["day"] == timezone.localdate().isoformat() and body["as_of"] and not body["reconstructed"]
    assert [r["code"] for r in body["rates"]] == list(RATES)
    assert all(set(r) == RATE_KEYS for r in body["rates"])
    house = next(r for r in body["rates"] if r["code"] == "house_verified")
    assert (house["numerator"], house["denominator"], house["percent"]) == (1, 2, "50.00%")
    assert [c["node"]["code"] for c in body["children"]] == [counted.a.station.code, counted.b.station.code]
    assert all(set(c["node"]) == NODE_KEYS and len(c["rates"]) == len(RATES) for c in body["children"])


def test_a_node_of_the_division_tree(counted, client_for):
    client = client_for(counted.users["supervisor"])
    body = client.get("/api/supervision/rates", {"tree": "division", "code": counted.a.town.code}).json()
    assert body["node"]["code"] == counted.a.town.code
    assert [c["node"]["code"] for c in body["children"]] == [counted.a.village.code]


def test_a_node_outside_the_jurisdiction_is_404(counted, client_for):
    client = client_for(counted.a.users["chief"])
    for params in (
        {"code": counted.b.station.code},
        {"code": counted.b.district.code},
        {"tree": "division", "code": counted.b.village.code},
    ):
        for url in ("/api/supervision/rates", "/api/supervision/rates/history"):
            resp = client.get(url, params)
            assert resp.status_code == 404 and resp.json()["code"] == "not_found", (url, params)


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "1e9", "-1"])
def test_a_malformed_day_is_a_field_error(counted, client_for, day):
    resp = client_for(counted.users["supervisor"]).get("/api/supervision/rates", {"day": day})
    assert resp.status_code == 400
    assert set(resp.json()) == {"code", "message", "fields"} and "day" in resp.json()["fields"]


def test_a_future_day_is_refused(counted, client_for):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    resp = client_for(counted.users["supervisor"]).get("/api/supervision/rates", {"day": tomorrow})
    assert resp.status_code == 400 and resp.json()["code"] == "supervision.day_out_of_range"


def test_a_bad_tree_or_code_is_a_field_error(counted, client_for):
    client = client_for(counted.users["supervisor"])
    assert "tree" in client.get("/api/supervision/rates", {"tree": "people"}).json()["fields"]
    assert "code" in client.get("/api/supervision/rates", {"code": "6105"}).json()["fields"]


def test_the_history_of_a_node(counted, client_for):
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    rates.rates_refresh(day=week_ago)
    body = (
        client_for(counted.users["supervisor"])
        .get("/api/supervision/rates/history", {"codes": "house_verified,unit_verified"})
        .json()
    )
    assert set(body) == {"node", "start", "end", "series"}
    assert set(body["series"]) == {"house_verified", "unit_verified"}
    days = [p["day"] for p in body["series"]["house_verified"]]
    assert days == [week_ago.isoformat(), timezone.localdate().isoformat()]
    assert [p["numerator"] for p in body["series"]["house_verified"]] == [0, 1]
    default = client_for(counted.users["supervisor"]).get("/api/supervision/rates/history").json()
    assert set(default["series"]) == set(MAIN_RATES)


def test_a_history_period_the_wrong_way_round_is_refused(counted, client_for):
    today = timezone.localdate()
    resp = client_for(counted.users["supervisor"]).get(
        "/api/supervision/rates/history",
        {"start": today.isoformat(), "end": (today - dt.timedelta(days=3)).isoformat()},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "supervision.period_invalid"


def test_an_unknown_rate_in_the_history_is_a_field_error(counted, client_for):
    resp = client_for(counted.users["supervisor"]).get(
        "/api/supervision/rates/history", {"codes": "house_verified,nope"}
    )
    assert resp.status_code == 400 and "codes" in resp.json()["fields"]


def test_the_definitions(counted, client_for):
    body = client_for(counted.a.users["officer"]).get("/api/supervision/rates/definitions").json()
    assert [d["code"] for d in body] == list(RATES)
    house = next(d for d in body if d["code"] == "house_verified")
    assert (
        house["main"]
        and house["drill"] == "web:houses"
        and house["drill_query"] == {"verify_state": "pending"}
    )


def test_the_ranking_is_for_the_county(counted, client_for):
    body = client_for(counted.users["supervisor"]).get("/api/supervision/rates/ranking").json()
    assert [i["rank"] for i in body["items"]] == [1, 2]
    assert {i["node"]["code"] for i in body["items"]} == {counted.a.station.code, counted.b.station.code}
    assert client_for(counted.a.users["chief"]).get("/api/supervision/rates/ranking").json()["items"] == []


def test_users_without_business_data_get_no_rates(counted, client_for):
    resp = client_for(counted.users["auditor"]).get("/api/supervision/rates")
    assert resp.status_code == 404


def test_the_api_needs_a_signed_in_user(counted, client):
    assert client.get("/api/supervision/rates").status_code == 401
