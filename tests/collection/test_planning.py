"""The day plan from the database (ybss.collection.planning) and its API (GET /plan)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AddressFactory, HouseFactory, PersonFactory, ResidenceFactory, make_id
from ybss.addresses.models import AddressLevel
from ybss.collection import planning
from ybss.collection import scheduling as sch
from ybss.collection.models import (
    Appointment,
    AppointmentState,
    Availability,
    CollectionTask,
    CollectorHours,
    HouseholdAvailability,
    TaskItem,
    TaskState,
    Visit,
    VisitOutcome,
)
from ybss.collection.services import task_create
from ybss.core.errors import NotFound

WED = dt.date(2026, 11, 4)
SAT = dt.date(2026, 11, 7)

pytestmark = pytest.mark.django_db


def at(day: dt.date, hm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hm), sch.TZ)


_seq = iter(range(100, 999))


def _doors(station, n: int, *, rooms: int = 0, born: dt.date | None = dt.date(1985, 5, 1)) -> list:
    """``n`` door plates along a street of ``station``'s village (about 30 m apart), each with
    ``rooms`` room addresses (or none: a courtyard household), a house and a resident per
    household."""
    stamp = {"division": station.village, "police_unit": station.district}
    doors = []
    for i in range(n):
        door = AddressFactory(
            road=station.road,
            lng=Decimal("110.1500000") + Decimal("0.0003") * i,
            lat=Decimal("35.2400000"),
            **stamp,
        )
        households = [door]
        if rooms:
            households = [
                AddressFactory(
                    level=AddressLevel.ROOM,
                    parent=door,
                    unit_no="1",
                    floor=1,
                    room_no=f"{r + 1:02d}",
                    full_name=f"{door.full_name}1单元{r + 1:02d}室",
                    **stamp,
                )
                for r in range(rooms)
            ]
        for h in households:
            house = HouseFactory(address=h, **stamp)
            if born is not None:
                person = PersonFactory(
                    id_number=make_id(seq=next(_seq), birth=born.strftime("%Y%m%d")),
                    birth_date=born,
                    occupation="职员",
                    **stamp,
                )
                ResidenceFactory(person=person, house=house, **stamp)
        doors.append(door)
    return doors


def _task(station, doors, *, assignee=None) -> CollectionTask:
    return task_create(
        actor=station.users["officer"],
        assignee=assignee or station.users["collector"],
        name="第一轮采集",
        deadline=timezone.localdate() + dt.timedelta(days=30),
        door_ids=[d.pk for d in doors],
    )


def _plan(user, collector=None, day=WED, **kw) -> sch.DayPlan:
    return planning.collector_day_plan(actor=user, collector=collector or user, day=day, **kw)


# --- the plan ----------------------------------------------------------------------------------


def test_the_collector_gets_a_plan_of_their_open_households(county):
    doors = _doors(county.a, 6, rooms=2)
    task = _task(county.a, doors)
    plan = _plan(county.a.users["collector"], day=SAT)  # office workers: home all Saturday
    items = set(TaskItem.objects.filter(task=task).values_list("address_id", flat=True))
    assert plan.candidates == len(items) == 12
    assert {s.key for s in plan.stops} == items
    assert all(s.in_window and s.kind == sch.OFFICE for s in plan.stops)
    assert {s.door_key for s in plan.stops} == {d.pk for d in doors}
    # building mates first, one door plate after the other (30 m apart)
    assert plan.route_m == pytest.approx(5 * 27, rel=0.1)


def test_the_naive_plan_comes_from_the_same_households(county):
    _task(county.a, _doors(county.a, 6, rooms=2))
    naive = _plan(county.a.users["collector"], naive=True)
    assert naive.naive and naive.count == 12
    assert naive.in_window_share == 0.0  # office workers visited in office hours
    assert all(s.start.hour < 17 for s in naive.stops)


def test_finished_households_and_closed_tasks_are_not_planned(county):
    doors = _doors(county.a, 4)
    task = _task(county.a, doors[:2])
    other = _task(county.a, doors[2:])
    TaskItem.objects.filter(task=task, address=doors[0]).update(done_at=timezone.now())
    CollectionTask.objects.filter(pk=other.pk).update(state=TaskState.CLOSED)
    plan = _plan(county.a.users["collector"], day=SAT)
    assert [s.key for s in plan.stops] == [doors[1].pk]


def test_a_recorded_availability_comes_before_the_inferred_one(county):
    doors = _doors(county.a, 2)  # office workers by their residents
    _task(county.a, doors)
    HouseholdAvailability.objects.create(
        address=doors[0],
        kind=Availability.ELDERLY,
        set_at=timezone.now(),
        division=county.a.village,
        police_unit=county.a.district,
    )
    plan = _plan(county.a.users["collector"])
    kinds = {s.key: s.kind for s in plan.stops}
    assert kinds == {doors[0].pk: sch.ELDERLY, doors[1].pk: sch.OFFICE}
    assert next(s for s in plan.stops if s.key == doors[0].pk).start.hour < 18
    assert next(s for s in plan.stops if s.key == doors[1].pk).start.hour >= 18


def test_the_kind_is_inferred_from_the_residents_and_the_address(county):
    elderly = _doors(county.a, 1, born=dt.date(1950, 1, 1))
    nobody = _doors(county.a, 1, born=None)
    office = _doors(county.a, 1)
    _task(county.a, elderly + nobody + office)
    inputs = planning.plan_inputs(WED, [county.a.users["collector"]])
    kinds = {h.key: h.kind for h in inputs[county.a.users["collector"].pk].households}
    assert kinds == {elderly[0].pk: sch.ELDERLY, nobody[0].pk: sch.UNKNOWN, office[0].pk: sch.OFFICE}


def test_failed_visits_and_agreed_appointments_reach_the_scheduler(county):
    doors = _doors(county.a, 3)
    _task(county.a, doors)
    collector = county.a.users["collector"]
    stamp = {"division": county.a.village, "police_unit": county.a.district}
    failed_at = at(WED - dt.timedelta(days=7), "19:00")
    Visit.objects.create(
        address=doors[0],
        door=doors[0],
        collector=collector,
        outcome=VisitOutcome.NOBODY_HOME,
        visited_at=failed_at,
        created_at=failed_at,
        **stamp,
    )
    now = timezone.now()
    for n, (door, state) in enumerate(
        ((doors[1], AppointmentState.CONFIRMED), (doors[2], AppointmentState.PROPOSED))
    ):
        Appointment.objects.create(
            number=f"YY501-TEST-{n}",
            address=door,
            door=door,
            issued_by=collector,
            window_start=at(WED, "16:00"),
            window_end=at(WED, "16:30"),
            state=state,
            created_at=now,
            updated_at=now,
            **stamp,
        )
    households = {h.key: h for h in planning.plan_inputs(WED, [collector])[collector.pk].households}
    assert households[doors[0].pk].failed == (failed_at,) and households[doors[0].pk].priority == 1
    assert households[doors[1].pk].appointment == (at(WED, "16:00"), at(WED, "16:30"))
    assert households[doors[2].pk].appointment is None and households[doors[2].pk].priority == 1

    plan = _plan(collector)
    stops = {s.key: s for s in plan.stops}
    booked = stops[doors[1].pk]
    assert booked.appointment and at(WED, "16:00") <= booked.start and booked.end <= at(WED, "16:30")
    assert stops[doors[0].pk].start >= at(WED, "20:00")  # not again around 19:00


def test_collector_hours_override_the_default_shifts(county):
    _task(county.a, _doors(county.a, 4))
    collector = county.a.users["collector"]
    CollectorHours.objects.create(user=collector, shifts=[["18:30", "20:00"]], weekend=False)
    plan = _plan(collector)
    assert plan.shifts == ((dt.time(18, 30), dt.time(20)),)
    assert plan.count == 4 and all(s.start >= at(WED, "18:30") for s in plan.stops)
    assert _plan(collector, day=SAT).count == 0


@pytest.mark.parametrize(
    "value, ok",
    [
        ([["09:00", "12:00"], ["15:00", "21:00"]], True),
        ([["12:00", "09:00"]], False),
        ([["09:00", "12:00"], ["11:00", "13:00"]], False),
        ([["9h", "12:00"]], False),
        ([], False),
        ("09:00-12:00", False),
    ],
)
def test_parse_shifts_refuses_what_is_not_a_list_of_shifts(value, ok):
    assert (planning.parse_shifts(value) is not None) == ok


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "chief"])
def test_an_officer_or_chief_sees_a_collector_of_their_jurisdiction(county, role):
    _task(county.a, _doors(county.a, 3))
    collector = county.a.users["collector"]
    plan = _plan(county.a.users[role], collector.pk, day=SAT)
    assert plan.count == 3
    assert planning.plan_labels(actor=county.a.users[role], plan=plan)


@pytest.mark.parametrize(
    "who, whose",
    [
        (("b", "officer"), ("a", "collector")),
        (("b", "chief"), ("a", "collector")),
        (("b", "collector"), ("a", "collector")),
        (("a", "collector"), ("a", "officer")),
    ],
)
def test_another_jurisdiction_or_another_collector_is_not_found(county, who, whose):
    _task(county.a, _doors(county.a, 2))
    actor = getattr(county, who[0]).users[who[1]]
    target = getattr(county, whose[0]).users[whose[1]]
    with pytest.raises(NotFound):
        _plan(actor, target.pk)


def test_an_unknown_user_is_not_found(county):
    with pytest.raises(NotFound):
        _plan(county.a.users["officer"], 987654)


def test_only_tasks_in_the_actors_jurisdiction_are_planned(county):
    """A collector of station a with a task in station b's district (moved there since): station
    a's officer sees the collector but not that task."""
    collector = county.a.users["collector"]
    _task(county.a, _doors(county.a, 2))
    b_doors = _doors(county.b, 2)
    collector.police_unit = county.b.district
    collector.save(update_fields=["police_unit"])
    _task(county.b, b_doors, assignee=collector)
    collector.police_unit = county.a.district
    collector.save(update_fields=["police_unit"])
    seen = {s.key for s in _plan(county.a.users["officer"], collector.pk, day=SAT).stops}
    assert seen and not seen & {d.pk for d in b_doors}


# --- bulk and queries --------------------------------------------------------------------------


def test_plan_all_plans_every_collector_with_open_work(county):
    _task(county.a, _doors(county.a, 3))
    _task(county.b, _doors(county.b, 2))
    plans = planning.plan_all(SAT)
    assert {k: p.count for k, p in plans.items()} == {
        county.a.users["collector"].pk: 3,
        county.b.users["collector"].pk: 2,
    }
    naive = planning.plan_all(SAT, [county.a.users["collector"]], naive=True)
    assert list(naive) == [county.a.users["collector"].pk] and naive[county.a.users["collector"].pk].naive


def test_plan_all_with_a_collector_without_work_gives_an_empty_plan(county):
    plans = planning.plan_all(WED, [county.a.users["collector"].pk])
    assert plans[county.a.users["collector"].pk].count == 0


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


#: User lookup, tasks+items, availability, residents, houses, units, visits, appointments, hours.
MAX_QUERIES = 12


def test_query_count_does_not_grow_with_households(county, django_assert_max_num_queries):
    officer, collector = county.a.users["officer"], county.a.users["collector"]
    _task(county.a, _doors(county.a, 2))
    few = _queries(lambda: _plan(officer, collector.pk))
    _task(county.a, _doors(county.a, 12, rooms=3))
    many = _queries(lambda: _plan(officer, collector.pk))
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        plan = _plan(officer, collector.pk, day=SAT)
    assert plan.candidates == 38 and plan.count >= 30  # a day holds 36 visits at most
    assert _queries(lambda: planning.plan_all(WED)) <= MAX_QUERIES


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def plan_api(client_for):
    """``plan_api(user, **params) -> (status, body)`` for GET /api/collection/plan."""

    def get(user, **params):
        response = client_for(user).get("/api/collection/plan", params)
        return response.status_code, response.json()

    return get


def test_api_plan_for_the_collector_themselves(county, plan_api):
    doors = _doors(county.a, 2, rooms=2)
    _task(county.a, doors)
    status, body = plan_api(county.a.users["collector"], date="2026-11-07")
    assert status == 200, body
    assert body["collector_id"] == county.a.users["collector"].pk and body["date"] == "2026-11-07"
    assert body["count"] == 4 and body["in_window_share"] == 1.0
    assert body["shifts"] == [["09:00", "12:00"], ["15:00", "21:00"]]
    stop = body["stops"][0]
    assert set(stop) >= {
        "address_id",
        "door_id",
        "label",
        "window_start",
        "start",
        "end",
        "in_window",
        "walk_m",
    }
    assert stop["label"].endswith("室") and stop["door_id"] in {d.pk for d in doors}
    assert stop["start"].endswith("+08:00")


def test_api_plan_for_a_collector_in_scope_and_not_out_of_it(county, plan_api):
    _task(county.a, _doors(county.a, 2))
    collector = county.a.users["collector"]
    status, body = plan_api(county.a.users["officer"], date="2026-11-07", collector=collector.pk)
    assert status == 200 and body["count"] == 2
    status, body = plan_api(county.b.users["officer"], date="2026-11-07", collector=collector.pk)
    assert status == 404 and body["code"] == "not_found"
    status, body = plan_api(county.b.users["collector"], collector=collector.pk)
    assert status == 404 and body["code"] == "not_found"


def test_api_plan_rejects_a_bad_date(county, plan_api):
    status, body = plan_api(county.a.users["collector"], date="2026-13-01")
    assert status == 400 and body["code"] == "invalid" and "date" in body["fields"]


def test_api_plan_defaults_to_today(county, plan_api):
    status, body = plan_api(county.a.users["collector"])
    assert status == 200 and body["date"] == timezone.localdate().isoformat() and body["count"] == 0
