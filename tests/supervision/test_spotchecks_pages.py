"""Spot-check pages under /supervision/spot-checks/: lists, the draw form, a round, the checker's
list, the check form, reassigning, closing; scope, bad input and query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.supervision.spotcheck_helpers import collected, draw, station_round
from ybss.quality.models import Problem
from ybss.supervision.models import SpotCheckItem, SpotCheckRound

pytestmark = pytest.mark.django_db

BASE = "/supervision/spot-checks/"
ERROR = re.compile(r'class="(?:field-error|alert alert-error)[^"]*"[^>]*>([^<]+)<')
CJK = re.compile(r"[\u4e00-\u9fff]")


def _draw_form(county, **over):
    data = {
        "name": "十一月抽查",
        "police_unit_code": county.a.station.code,
        "sample_size": "4",
        "record_types": ["address", "house", "person", "unit"],
        "by": ["station", "collector", "type"],
        "risk_weight": "1",
        "seed": "12345",
        "deadline": "",
    }
    data.update(over)
    return data


def test_the_rounds_page_shows_progress_and_pass_rate(county, client_for):
    rnd, item = station_round(county, county.a)
    from ybss.supervision import services

    services.spot_check_record(actor=county.a.users["officer"], item=item, result="agrees")
    body = client_for(county.a.users["chief"]).get(BASE).content.decode()
    assert rnd.name in body and "1 / 5" in body and "100%" in body and "金水派出所" in body


def test_drawing_a_round_from_the_form(county, client_for):
    collected(county)
    resp = client_for(county.a.users["chief"]).post(BASE + "new/", _draw_form(county))
    rnd = SpotCheckRound.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"{BASE}{rnd.pk}/"
    assert (rnd.name, rnd.seed, rnd.sample_size, rnd.police_unit_id) == (
        "十一月抽查",
        12345,
        4,
        county.a.station.code,
    )


def test_the_draw_form_needs_a_spot_check_role(county, client_for):
    for role in ("collector", "officer"):
        assert client_for(county.a.users[role]).get(BASE + "new/").status_code == 403
    assert client_for(county.a.users["chief"]).get(BASE + "new/").status_code == 200


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("sample_size", "abc"),
        ("sample_size", "0"),
        ("risk_weight", "NaN"),
        ("risk_weight", "-1"),
        ("seed", "1e309"),
        ("record_types", []),
        ("by", ["village"]),
        ("deadline", "2026-02-30"),
        ("police_unit_code", "610524503000"),
    ],
)
def test_bad_draw_input_shows_chinese_field_errors(county, client_for, field, value):
    collected(county)
    resp = client_for(county.a.users["chief"]).post(BASE + "new/", _draw_form(county, **{field: value}))
    assert resp.status_code == 400
    errors = ERROR.findall(resp.content.decode())
    assert errors and any(CJK.search(e) for e in errors), errors
    assert f'name="{field}"' in resp.content.decode()
    assert not SpotCheckRound.objects.exists()


def test_a_draw_with_nobody_to_check_is_a_form_error(county, client_for):
    """Only the collector could check: the page says so (400), nothing is saved."""
    a = county.a
    from tests.supervision.spotcheck_helpers import doors

    doors(a, 2, a.users["officer"])
    for user in (a.users["chief"], county.users["supervisor"]):
        user.is_active = False
        user.save()
    resp = client_for(county.users["admin"]).post(
        BASE + "new/", _draw_form(county, police_unit_code=a.district.code, record_types=["address"], by=[])
    )
    assert resp.status_code == 400 and not SpotCheckRound.objects.exists()


def test_a_round_page_lists_its_items_and_pass_rates(county, client_for):
    rnd, item = station_round(county, county.a)
    body = client_for(county.a.users["officer"]).get(f"{BASE}{rnd.pk}/").content.decode()
    assert f"{BASE}items/{item.pk}/" in body and f"/addresses/{county.a.door.pk}/" in body
    assert county.a.door.full_name in body and "collector_a" in body and "officer_a" in body
    assert "610524501|collector:" in body


def test_other_stations_rounds_and_items_are_not_found(county, client_for):
    rnd, item = station_round(county, county.b)
    for role in ("collector", "officer", "chief"):
        client = client_for(county.a.users[role])
        for url in (f"{BASE}{rnd.pk}/", f"{BASE}items/{item.pk}/", f"{BASE}items/{item.pk}/assign/"):
            assert client.get(url).status_code in (403, 404), (role, url)
        assert client.post(f"{BASE}items/{item.pk}/", {"result": "agrees", "via": "field"}).status_code == 404
        assert client.post(f"{BASE}{rnd.pk}/close/").status_code in (403, 404)
        body = client.get(BASE).content.decode() + client.get(BASE + "mine/").content.decode()
        assert rnd.name not in body and county.b.door.full_name not in body
    item.refresh_from_db()
    rnd.refresh_from_db()
    assert item.result == "pending" and rnd.state == "open"


def test_my_checks_lists_the_items_given_to_me(county, client_for):
    _rnd, item = station_round(county, county.a)
    mine = client_for(county.a.users["officer"]).get(BASE + "mine/").content.decode()
    assert f"{BASE}items/{item.pk}/" in mine
    others = client_for(county.a.users["chief"]).get(BASE + "mine/").content.decode()
    assert f"{BASE}items/{item.pk}/" not in others


def test_the_check_form_records_a_field_check_with_gps(county, client_for):
    from decimal import Decimal

    from ybss.addresses.models import StandardAddress

    StandardAddress.objects.filter(pk=county.a.door.pk).update(lng=Decimal("110.15"), lat=Decimal("35.24"))
    _rnd, item = station_round(county, county.a)
    client = client_for(county.a.users["officer"])
    page = client.get(f"{BASE}items/{item.pk}/").content.decode()
    assert "data-geo" in page and 'name="wrong_fields"' in page and 'value="door_number"' in page
    resp = client.post(
        f"{BASE}items/{item.pk}/",
        {
            "result": "wrong_fields",
            "wrong_fields": ["door_number"],
            "via": "field",
            "lng": "110.1505",
            "lat": "35.24",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == BASE + "mine/"
    item.refresh_from_db()
    assert item.result == "wrong_fields" and item.distance_m == pytest.approx(45, abs=2)
    assert Problem.objects.get(pk=item.problem_id).collector_id == county.a.users["collector"].pk
    after = client.get(f"{BASE}items/{item.pk}/").content.decode()
    assert 'name="result"' not in after and f"/quality/{item.problem_id}/" in after


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"result": "maybe", "via": "field"},
        {"result": "wrong_fields", "via": "field"},
        {"result": "wrong_fields", "wrong_fields": ["password"], "via": "field"},
        {"result": "fabricated", "via": "field"},
        {"result": "agrees", "via": "field", "lng": "110.1"},
        {"result": "agrees", "via": "field", "lng": "999", "lat": "35"},
    ],
)
def test_bad_check_input_is_shown_next_to_the_fields(county, client_for, data):
    _rnd, item = station_round(county, county.a)
    resp = client_for(county.a.users["officer"]).post(f"{BASE}items/{item.pk}/", data)
    assert resp.status_code == 400
    assert ERROR.findall(resp.content.decode())
    item.refresh_from_db()
    assert item.result == "pending" and not Problem.objects.exists()


def test_the_assign_page_gives_the_item_to_another_checker(county, client_for):
    rnd, item = station_round(county, county.a)
    client = client_for(county.a.users["chief"])
    page = client.get(f"{BASE}items/{item.pk}/assign/").content.decode()
    assert f'value="{county.a.users["chief"].pk}"' in page
    assert f'value="{county.a.users["collector"].pk}"' not in page
    resp = client.post(f"{BASE}items/{item.pk}/assign/", {"checker": county.a.users["chief"].pk})
    assert resp.status_code == 302 and resp["Location"] == f"{BASE}{rnd.pk}/"
    item.refresh_from_db()
    assert item.checker_id == county.a.users["chief"].pk
    bad = client.post(f"{BASE}items/{item.pk}/assign/", {"checker": county.a.users["collector"].pk})
    assert bad.status_code == 400


def test_the_close_button_closes_the_round(county, client_for):
    rnd, _item = station_round(county, county.a)
    client = client_for(county.a.users["chief"])
    assert f"{BASE}{rnd.pk}/close/" in client.get(f"{BASE}{rnd.pk}/").content.decode()
    assert client.get(f"{BASE}{rnd.pk}/close/").status_code == 405
    resp = client.post(f"{BASE}{rnd.pk}/close/")
    assert resp.status_code == 302
    rnd.refresh_from_db()
    assert rnd.state == "closed"
    assert client.post(f"{BASE}{rnd.pk}/close/").status_code == 302  # told it is closed already


def test_a_bad_page_number_is_a_notice(county, client_for):
    rnd, _item = station_round(county, county.a)
    client = client_for(county.a.users["chief"])
    for url in (BASE, f"{BASE}{rnd.pk}/", BASE + "mine/"):
        resp = client.get(url, {"page": "x' OR 1=1", "result": "<script>"})
        assert resp.status_code == 200, url


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_lists_use_a_bounded_number_of_queries(county, client_for):
    collected(county)
    sup = county.users["supervisor"]
    client = client_for(sup)
    rnd = draw(sup, county.bureau.code, size=10)  # every kind of record: one place query per kind
    for item in SpotCheckItem.objects.filter(round=rnd):
        SpotCheckItem.objects.filter(pk=item.pk).update(checker=sup)
    few = {url: _queries(client, url) for url in (BASE, f"{BASE}{rnd.pk}/", BASE + "mine/")}
    for seed in range(6):
        draw(sup, county.bureau.code, size=10, seed=seed)
    big = draw(sup, county.bureau.code, size=10, seed=99)
    SpotCheckItem.objects.filter(round=big).update(checker=sup)
    many = {url: _queries(client, url) for url in (BASE, f"{BASE}{big.pk}/", BASE + "mine/")}
    for (url, n), m in zip(few.items(), many.values(), strict=True):
        assert m <= n + 1, (url, n, m)
        assert m <= 25, (url, m)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.fixed_dictionaries(
        {
            k: st.one_of(
                st.text(max_size=30), st.sampled_from(["", "0", "-1", "1e309", "NaN", "9" * 30, "\x00"])
            )
            for k in (
                "name",
                "police_unit_code",
                "sample_size",
                "record_types",
                "by",
                "risk_weight",
                "seed",
                "deadline",
            )
        }
    )
)
def test_the_draw_form_survives_garbage(county, client_for, data):
    client = client_for(county.a.users["chief"])
    before = SpotCheckRound.objects.count()
    resp = client.post(BASE + "new/", data)
    assert resp.status_code < 500, data
    if resp.status_code >= 400:
        assert SpotCheckRound.objects.count() == before
    if resp.status_code == 400:
        errors = ERROR.findall(resp.content.decode())
        assert errors and any(CJK.search(e) for e in errors), errors
