"""`ybss collection plan --date … [--collector U] [--json] [--naive]`."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import AddressFactory, HouseFactory, PersonFactory, ResidenceFactory, make_id
from ybss.collection.services import task_create

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("collection", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _work(station, n: int, seq: int) -> list:
    stamp = {"division": station.village, "police_unit": station.district}
    doors = []
    for i in range(n):
        door = AddressFactory(
            road=station.road, lng=Decimal("110.15") + Decimal("0.0004") * i, lat=Decimal("35.24"), **stamp
        )
        house = HouseFactory(address=door, **stamp)
        person = PersonFactory(id_number=make_id(seq=seq + i), birth_date=dt.date(1950, 3, 1), **stamp)
        ResidenceFactory(person=person, house=house, **stamp)
        doors.append(door)
    task_create(
        actor=station.users["officer"],
        assignee=station.users["collector"],
        name="采集",
        deadline=timezone.localdate() + dt.timedelta(days=30),
        door_ids=[d.pk for d in doors],
    )
    return doors


def test_plan_prints_a_line_per_collector_and_a_summary(county):
    _work(county.a, 3, 200)
    _work(county.b, 2, 300)
    out, _ = run("plan", "--date", "2026-11-04")
    assert "collector_a" in out and "collector_b" in out
    assert "2 collectors, 5 visits, 100% in window" in out


def test_plan_for_one_collector_lists_the_stops(county):
    doors = _work(county.a, 3, 400)
    out, _ = run("plan", "--date", "2026-11-04", "--collector", "collector_a")
    assert "collector_b" not in out
    for door in doors:
        assert door.full_name in out
    assert "09:00–09:15" in out


def test_plan_json_has_the_stops(county):
    doors = _work(county.a, 2, 500)
    out, _ = run("plan", "--date", "2026-11-07", "--json")
    (plan,) = json.loads(out)
    assert plan["collector"]["username"] == "collector_a" and plan["count"] == 2
    assert {s["address_id"] for s in plan["stops"]} == {d.pk for d in doors}
    assert all(s["in_window"] and s["kind"] == "elderly" for s in plan["stops"])
    assert plan["stops"][0]["start"].startswith("2026-11-07T09:00:00+08:00")


def test_plan_naive(county):
    _work(county.a, 2, 600)
    (plan,) = json.loads(run("plan", "--date", "2026-11-04", "--json", "--naive")[0])
    assert plan["naive"] is True and plan["shifts"] == [["09:00", "12:00"], ["14:00", "17:00"]]


def test_plan_with_no_open_work_says_so(county):
    out, _ = run("plan", "--date", "2026-11-04")
    assert "0 collectors" in out


@pytest.mark.parametrize(
    "args",
    [
        ("plan",),
        ("plan", "--date", "2026-02-30"),
        ("plan", "--date", "2026-11-04", "--collector", "nobody_x"),
    ],
)
def test_plan_refuses_bad_arguments(county, args):
    with pytest.raises(CommandError):
        run(*args)
