"""The pure staggered-time scheduler (ybss.collection.scheduling): windows, learning from failed
visits, proposals for the slip, inferring the kind, and the day plan against the naive plan."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ybss.collection import scheduling as sch
from ybss.collection.scheduling import Household

WED = date(2026, 11, 4)
SAT = date(2026, 11, 7)
TZ = sch.TZ


def at(day: date, hm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hm), TZ)


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def hh(
    key: int, kind: str = sch.ELDERLY, door: int | None = None, lng: float = 110.15, lat: float = 35.24, **kw
):
    return Household(key=key, door_key=key if door is None else door, lng=lng, lat=lat, kind=kind, **kw)


def inside(stop_start: datetime, stop_end: datetime, spans) -> bool:
    return any(a <= stop_start.time() and stop_end.time() <= b for a, b in spans)


# --- windows -----------------------------------------------------------------------------------


def test_office_workers_are_home_on_weekday_evenings_and_weekend_days():
    assert sch.windows_for(sch.OFFICE, WED) == [(time(18), time(21))]
    assert sch.windows_for(sch.OFFICE, SAT) == [(time(9), time(21))]


@pytest.mark.parametrize("kind", [sch.SHOP, sch.ELDERLY])
def test_shopkeepers_and_the_elderly_have_the_same_daytime_windows_every_day(kind):
    weekday, weekend = sch.windows_for(kind, WED), sch.windows_for(kind, SAT)
    assert weekday == weekend
    assert all(time(9) <= a < b <= time(18) for a, b in weekday)


def test_shopkeepers_are_visited_off_peak_not_at_lunchtime():
    assert not any(a <= time(12, 30) < b for a, b in sch.windows_for(sch.SHOP, WED))


def test_farming_households_early_midday_and_evening_and_by_day_in_the_slack_season():
    nov = sch.windows_for(sch.FARM, WED)
    assert [a.hour for a, _ in nov] == [6, 11, 18]
    assert not any(a <= time(10) < b for a, b in nov)
    january = sch.windows_for(sch.FARM, date(2027, 1, 13))
    assert any(a <= time(10) < b for a, b in january)


def test_an_unknown_kind_string_counts_as_unknown():
    assert sch.windows_for("nonsense", WED) == sch.windows_for(sch.UNKNOWN, WED)
    assert sch.windows_for(sch.UNKNOWN, SAT) == [(time(9), time(21))]


# --- learned windows ---------------------------------------------------------------------------


def test_learned_windows_without_failures_are_the_usual_ones():
    assert sch.learned_windows(sch.OFFICE, (), WED) == sch.windows_for(sch.OFFICE, WED)


def test_learned_windows_avoid_the_hours_of_failed_visits_on_that_day_type():
    failed = [at(WED - timedelta(days=7), "19:00")]
    windows = sch.learned_windows(sch.OFFICE, failed, WED)
    assert windows == [(time(20), time(21))]
    # a weekday failure says nothing about Saturdays
    assert sch.learned_windows(sch.OFFICE, failed, SAT) == sch.windows_for(sch.OFFICE, SAT)


def test_learned_windows_accept_utc_datetimes():
    failed = [datetime(2026, 10, 28, 11, 0, tzinfo=sch.ZoneInfo("UTC"))]  # 19:00 in Shanghai
    assert sch.learned_windows(sch.OFFICE, failed, WED) == [(time(20), time(21))]


def test_unknown_household_not_home_by_day_is_tried_in_the_evening():
    windows = sch.learned_windows(sch.UNKNOWN, [at(WED, "10:00")], WED + timedelta(days=1))
    assert windows and all(a >= time(18) for a, _ in windows)


def test_unknown_household_not_home_in_the_evening_is_tried_by_day():
    windows = sch.learned_windows(sch.UNKNOWN, [at(WED, "19:30")], WED + timedelta(days=1))
    assert windows and all(b <= time(18) for _, b in windows)
    for a, b in windows:
        assert not (a < time(20, 30) and b > time(18, 30))  # nothing around the failure


def test_when_every_window_failed_the_complementary_part_of_the_day_is_used():
    failed = [at(WED, "18:30"), at(WED, "20:00")]
    windows = sch.learned_windows(sch.OFFICE, failed, WED + timedelta(days=1))
    assert windows and all(b <= time(18) for _, b in windows)


@given(
    kind=st.sampled_from(sch.KINDS),
    fails=st.lists(st.integers(min_value=6 * 60, max_value=21 * 60), max_size=2),
)
def test_learned_windows_keep_away_from_a_few_failed_minutes(kind, fails):
    failed = [at(WED, f"{m // 60:02d}:{m % 60:02d}") for m in fails]
    windows = sch.learned_windows(kind, failed, WED + timedelta(days=7))
    assert windows
    spans = [(minutes(a), minutes(b)) for a, b in windows]
    assert spans == sorted(spans)
    assert all(b - a >= sch.MIN_WINDOW_MINUTES for a, b in spans)
    assert not [(m, a, b) for m in fails for a, b in spans if a < m < b]


# --- proposals for the appointment slip --------------------------------------------------------


def test_propose_windows_for_office_workers_are_evenings_inside_the_shifts_one_a_day():
    out = sch.propose_windows(sch.OFFICE, at(WED, "10:07"), count=3)
    assert len(out) == 3
    assert [w[0].date() for w in out] == [WED, WED + timedelta(days=1), WED + timedelta(days=2)]
    for start, end in out:
        assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=8)
        assert start.time() == time(18) and end.time() == time(20)


def test_proposals_start_after_the_lead_time_on_a_half_hour_and_last_long_enough():
    # 10:07 + 1 h → 11:30, but 11:30–12:00 is too short a window: the afternoon shift's start
    assert sch.propose_windows(sch.OFFICE, at(SAT, "10:07"), count=1) == [
        (at(SAT, "15:00"), at(SAT, "17:00"))
    ]
    assert sch.propose_windows(sch.OFFICE, at(SAT, "09:40"), count=1) == [
        (at(SAT, "11:00"), at(SAT, "12:00"))
    ]


def test_proposals_avoid_the_hour_of_the_failed_visit():
    failed = [at(WED, "10:00")]
    out = sch.propose_windows(sch.ELDERLY, at(WED, "10:00"), failed=failed, count=3)
    for start, end in out:
        assert not (start.time() < time(11) and end.time() > time(9))


def test_proposals_skip_weekends_for_collectors_who_do_not_work_then():
    friday = date(2026, 11, 6)
    out = sch.propose_windows(sch.OFFICE, at(friday, "20:30"), count=2, weekend=False)
    assert [w[0].date().weekday() for w in out] == [0, 1]


def test_proposals_respect_custom_shifts():
    out = sch.propose_windows(sch.OFFICE, at(WED, "08:00"), count=2, shifts=sch.DAYTIME_SHIFTS)
    # office workers are home by day only at weekends when the collector works office hours
    assert out and all(sch.is_weekend(s.date()) for s, _ in out)
    assert all(time(9) <= s.time() and e.time() <= time(17) for s, e in out)


# --- inferring the kind ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts, kind",
    [
        ({"ages": [70, 40], "occupations": ["无业", "职员"]}, sch.ELDERLY),
        ({"ages": [45, 43], "occupations": ["离退休人员", "职员"]}, sch.ELDERLY),
        ({"ages": [38], "occupations": ["个体经营"]}, sch.SHOP),
        ({"ages": [30, 28], "occupations": ["职员", "教师"], "shop": True}, sch.SHOP),
        ({"ages": [30], "occupations": ["务工"], "reasons": ["business"]}, sch.SHOP),
        ({"ages": [50, 48], "occupations": ["农民", "农民"], "rural": True}, sch.FARM),
        ({"ages": [50, 48], "occupations": ["", ""], "rural": True}, sch.FARM),
        ({"ages": [35, 33, 8], "occupations": ["职员", "工人", "学生"]}, sch.OFFICE),
        ({"ages": [20], "occupations": ["学生"], "reasons": ["study"]}, sch.OFFICE),
        ({"ages": [], "occupations": []}, sch.UNKNOWN),
        ({"shop": True}, sch.SHOP),
    ],
)
def test_infer_availability_from_plain_facts(facts, kind):
    assert sch.infer_availability(**facts) == kind


# --- the day plan ------------------------------------------------------------------------------


def _street(n: int, kinds: list[str], spacing_m: float = 40.0, per_door: int = 1) -> list[Household]:
    """Households along a straight street, ``per_door`` at each door plate."""
    out = []
    for i in range(n):
        door = i // per_door
        lng = 110.15 + door * spacing_m / (111_320 * math.cos(math.radians(35.24)))
        out.append(Household(key=i, door_key=door, lng=lng, lat=35.24, kind=kinds[i % len(kinds)]))
    return out


def test_plan_respects_the_collector_shifts_and_windows():
    shifts = ((time(10), time(12)), (time(18), time(20)))
    households = _street(60, [sch.ELDERLY, sch.OFFICE, sch.SHOP])
    plan = sch.plan_day(households, WED, shifts)
    assert plan.count > 0 and plan.in_window_share == 1.0
    for s in plan.stops:
        assert inside(s.start, s.end, shifts)
        assert s.window is not None and s.window[0] <= s.start and s.end <= s.window[1]
    assert {s.kind for s in plan.stops if s.start.hour >= 18} == {sch.OFFICE}


def test_no_shifts_no_plan():
    plan = sch.plan_day(_street(5, [sch.ELDERLY]), SAT, ())
    assert plan.count == 0 and plan.in_window_share == 0.0 and plan.candidates == 5


def test_an_appointment_that_day_comes_first_and_inside_its_window():
    households = _street(40, [sch.ELDERLY])
    far = Household(
        key="booked",
        door_key="far",
        lng=110.20,
        lat=35.26,
        kind=sch.OFFICE,
        appointment=(at(WED, "16:00"), at(WED, "16:30")),
    )
    plan = sch.plan_day([*households, far], WED)
    stop = next(s for s in plan.stops if s.key == "booked")
    assert stop.appointment and stop.in_window
    assert at(WED, "16:00") <= stop.start and stop.end <= at(WED, "16:30")
    assert plan.missed_appointments == ()


def test_an_appointment_outside_the_shifts_is_reported_missed():
    booked = hh(1, appointment=(at(WED, "07:00"), at(WED, "08:00")))
    plan = sch.plan_day([booked, hh(2)], WED)
    assert plan.missed_appointments == (1,)
    assert [s.key for s in plan.stops] == [2]


def test_two_appointments_far_apart_at_the_same_time_cannot_both_be_met():
    a = hh(1, lng=110.10, appointment=(at(WED, "10:00"), at(WED, "10:20")))
    b = hh(2, lng=110.30, appointment=(at(WED, "10:00"), at(WED, "10:20")))
    plan = sch.plan_day([a, b], WED)
    assert len(plan.missed_appointments) == 1
    assert [s.key for s in plan.stops] == [k for k in (1, 2) if k not in plan.missed_appointments]


def test_appointments_keep_their_place_when_the_stops_are_capped():
    households = _street(30, [sch.ELDERLY], spacing_m=10.0)
    booked = hh(99, appointment=(at(WED, "16:00"), at(WED, "17:00")))
    plan = sch.plan_day([*households, booked], WED, max_stops=3)
    assert plan.count == 3 and 99 in [s.key for s in plan.stops] and plan.missed_appointments == ()


def test_a_household_booked_for_a_later_day_is_not_visited_before():
    later = hh(1, appointment=(at(SAT, "10:00"), at(SAT, "11:00")))
    plan = sch.plan_day([later, hh(2)], WED)
    assert [s.key for s in plan.stops] == [2]
    assert plan.candidates == 2


def test_building_mates_cost_no_walking():
    households = _street(24, [sch.OFFICE], spacing_m=200.0, per_door=8)  # 3 buildings of 8 flats
    plan = sch.plan_day(households, SAT)
    assert plan.count == 24
    doors = [s.door_key for s in plan.stops]
    assert sum(1 for x, y in itertools.pairwise(doors) if x != y) == 2  # building by building
    assert plan.route_m == pytest.approx(400.0, abs=1.0)
    assert all(s.walk_m == 0 for prev, s in itertools.pairwise(plan.stops) if s.door_key == prev.door_key)


def test_start_point_counts_in_the_route():
    households = _street(3, [sch.ELDERLY])
    start = (households[0].lng - 0.01, 35.24)  # about 900 m west of the first door plate
    plan = sch.plan_day(households, WED, start=start)
    assert plan.stops[0].key == 0 and plan.stops[0].walk_m > 800


def test_households_without_coordinates_are_still_planned():
    households = [
        *_street(3, [sch.ELDERLY]),
        Household(key=99, door_key=99, lng=None, lat=None, kind=sch.ELDERLY),
    ]
    plan = sch.plan_day(households, WED)
    assert 99 in {s.key for s in plan.stops}
    assert plan.route_m >= sch.UNLOCATED_M


def test_priority_households_come_sooner():
    households = _street(30, [sch.ELDERLY], spacing_m=10.0)
    urgent = Household(
        key="urgent", door_key="u", lng=households[-1].lng, lat=35.24, kind=sch.ELDERLY, priority=3
    )
    plan = sch.plan_day([*households, urgent], WED, max_stops=5)
    assert "urgent" in [s.key for s in plan.stops]


def test_max_stops_caps_the_plan():
    assert sch.plan_day(_street(50, [sch.ELDERLY]), WED, max_stops=7).count == 7
    assert sch.naive_plan(_street(50, [sch.ELDERLY]), WED, max_stops=7).count == 7


def test_naive_plan_is_address_order_in_daytime_shifts():
    households = _street(40, [sch.OFFICE, sch.ELDERLY])
    plan = sch.naive_plan(households, WED)
    assert plan.naive
    assert [s.key for s in plan.stops] == list(range(plan.count))
    assert all(inside(s.start, s.end, sch.DAYTIME_SHIFTS) for s in plan.stops)
    # the office workers are visited in the daytime, when they are out
    assert not any(s.in_window for s in plan.stops if s.kind == sch.OFFICE)
    assert 0 < plan.in_window_share < 0.5


def _synthetic(seed: int = 3) -> list[Household]:
    """A small town: 60 door plates in a 1.5 km square, 1–6 households each, mixed kinds, in
    address order (by door plate)."""
    rng = random.Random(seed)
    kinds = [sch.OFFICE, sch.OFFICE, sch.SHOP, sch.ELDERLY, sch.FARM, sch.UNKNOWN]
    out = []
    for door in range(60):
        lng, lat = 110.14 + rng.random() * 0.016, 35.23 + rng.random() * 0.013
        for _ in range(rng.randint(1, 6)):
            out.append(Household(key=len(out), door_key=door, lng=lng, lat=lat, kind=rng.choice(kinds)))
    return out


@pytest.mark.parametrize("day", [WED, SAT])
def test_staggered_plan_beats_the_naive_plan(day):
    households = _synthetic()
    staggered, naive = sch.plan_day(households, day), sch.naive_plan(households, day)
    assert staggered.in_window_share == 1.0 > naive.in_window_share
    assert staggered.in_window_count > naive.in_window_count
    assert staggered.route_m / staggered.count < naive.route_m / naive.count


def test_improvement_never_leaves_a_longer_route_than_the_greedy_one(monkeypatch):
    households = _synthetic(5)
    improved = sch.plan_day(households, WED)
    monkeypatch.setattr(sch, "_improve", lambda ctx, route, passes=8: route)
    greedy = sch.plan_day(households, WED)
    assert improved.route_m / improved.count <= greedy.route_m / greedy.count + 1e-6


def test_times_are_aware_shanghai_whole_minutes():
    plan = sch.plan_day(_synthetic(), WED)
    for s in plan.stops:
        assert s.start.tzinfo is not None and s.start.utcoffset() == timedelta(hours=8)
        assert s.start.second == 0 and s.end - s.start == timedelta(minutes=sch.VISIT_MINUTES)


# --- property: every plan is feasible ----------------------------------------------------------

_shift = st.tuples(st.integers(6 * 60, 20 * 60), st.integers(30, 6 * 60)).map(
    lambda p: (p[0], min(p[0] + p[1], 23 * 60))
)


@st.composite
def _shifts(draw):
    spans = sorted(draw(st.lists(_shift, min_size=1, max_size=3)))
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple((time(a // 60, a % 60), time(b // 60, b % 60)) for a, b in merged)


@st.composite
def _households(draw):
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        door = draw(st.integers(0, max(0, n // 2)))
        located = draw(st.booleans()) or i % 5
        appointment = None
        if draw(st.integers(0, 9)) == 0:
            start = draw(st.integers(7 * 60, 20 * 60))
            appointment = (
                at(WED, f"{start // 60:02d}:{start % 60:02d}"),
                at(WED, f"{start // 60:02d}:{start % 60:02d}")
                + timedelta(minutes=draw(st.integers(15, 120))),
            )
        failed = ()
        if draw(st.integers(0, 4)) == 0:
            m = draw(st.integers(8 * 60, 21 * 60 - 1))
            failed = (at(WED - timedelta(days=7), f"{m // 60:02d}:{m % 60:02d}"),)
        out.append(
            Household(
                key=i,
                door_key=door,
                lng=110.15 + draw(st.floats(0, 0.02)) if located else None,
                lat=35.24 + draw(st.floats(0, 0.02)) if located else None,
                kind=draw(st.sampled_from(sch.KINDS)),
                failed=failed,
                appointment=appointment,
                priority=draw(st.integers(0, 3)),
            )
        )
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households=_households(), shifts=_shifts(), visit=st.integers(5, 40), weekend=st.booleans())
def test_every_stop_is_inside_the_shifts_and_its_window_and_stops_do_not_overlap(
    households, shifts, visit, weekend
):
    day = SAT if weekend else WED
    plan = sch.plan_day(households, day, shifts, visit_minutes=visit)
    keys = [s.key for s in plan.stops]
    assert len(keys) == len(set(keys))
    speed = sch.SPEED_KMH * 1000 / 60
    for s in plan.stops:
        assert inside(s.start, s.end, shifts), (s, shifts)
        assert s.in_window and s.window is not None and s.window[0] <= s.start and s.end <= s.window[1]
        assert s.end - s.start == timedelta(minutes=visit)
    for prev, s in zip(plan.stops, plan.stops[1:], strict=False):
        assert prev.end <= s.start
        if any(inside(prev.start, s.end, [sh]) for sh in shifts):
            # the walk fits between the visits (times are rounded to whole minutes)
            assert (s.start - prev.end).total_seconds() / 60 >= s.walk_m / speed - 1
    booked = {h.key for h in households if h.appointment is not None and h.appointment[0].date() == day}
    assert {s.key for s in plan.stops if s.appointment} | set(plan.missed_appointments) == booked
    naive = sch.naive_plan(households, day, shifts, visit_minutes=visit)
    for s in naive.stops:
        assert inside(s.start, s.end, shifts)
