"""Spot-check services and selectors: drawing, assigning, recording, closing, pass rates, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.supervision.spotcheck_helpers import collected, doors, draw, items, second_collector, station_round
from ybss.audit.models import AuditEvent, RecordHistory
from ybss.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from ybss.quality.models import Problem, ProblemEvent
from ybss.registry.models import House, Unit
from ybss.supervision import selectors, services
from ybss.supervision.models import SpotCheckItem, SpotCheckRound

pytestmark = pytest.mark.django_db


def _code(call) -> str:
    try:
        call()
    except AppError as err:
        return err.code
    return "ok"


# --- drawing ---------------------------------------------------------------------------------


def test_draw_stamps_the_round_and_its_items(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code, size=6)
    assert (rnd.police_unit_id, rnd.division_id, rnd.state) == (
        county.bureau.code,
        county.county.code,
        "open",
    )
    got = items(rnd)
    assert len(got) == rnd.sample_size == 6
    for it in got:
        model = {"address": "standardaddress", "house": "house", "person": "person", "unit": "unit"}
        assert it.record_type in model and it.stratum.count("|") == 2
        station = county.a if it.police_unit_id == county.a.district.code else county.b
        assert (it.division_id, it.collector_id) == (station.village.code, station.users["collector"].pk)
    assert rnd.strata["population"] == 10 and rnd.strata["seed"] == rnd.seed


def test_draw_takes_at_least_one_record_of_every_stratum(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code, size=8)
    strata = {s["key"] for s in rnd.strata["strata"]}
    assert len(strata) == 8 and {it.stratum for it in items(rnd)} == strata


def test_the_same_seed_draws_the_same_records(county):
    collected(county)
    doors(county.a, 30, county.a.users["collector"])
    first = draw(county.users["supervisor"], county.bureau.code, size=9, seed=77)
    again = draw(county.users["supervisor"], county.bureau.code, size=9, seed=77)
    assert [(i.record_type, i.record_id) for i in items(first)] == [
        (i.record_type, i.record_id) for i in items(again)
    ]


def test_an_unseeded_draw_stores_its_seed(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code, seed=None)
    assert rnd.seed > 0 and rnd.strata["seed"] == rnd.seed


def test_only_finished_records_are_drawn(county):
    collected(county)
    House.objects.update(status="pending")
    rnd = draw(county.users["supervisor"], county.bureau.code, size=100, record_types=["house", "unit"])
    assert {i.record_type for i in items(rnd)} == {"unit"}


def test_records_with_open_problems_are_drawn_more_often(county):
    collected(county)
    many = doors(county.a, 40, county.a.users["collector"])
    risky = {d.pk for d in many[:4]}
    now = timezone.now()
    for pk in risky:
        Problem.objects.create(
            fingerprint=f"fp{pk}",
            rule="person.id_pattern",
            category="fake_id_pattern",
            severity="error",
            record_type="addresses.standardaddress",
            record_id=pk,
            first_seen=now,
            last_seen=now,
            division=county.a.village,
            police_unit=county.a.district,
        )
    hits = {0.0: 0, 20.0: 0}
    for weight in hits:
        for seed in range(30):
            rnd = draw(
                county.users["supervisor"],
                county.a.station.code,
                size=2,
                by=[],
                record_types=["address"],
                risk_weight=weight,
                seed=seed,
            )
            hits[weight] += sum(i.record_id in risky for i in items(rnd))
    assert hits[20.0] > 3 * max(hits[0.0], 1)
    drawn = SpotCheckItem.objects.filter(record_id__in=risky, round__risk_weight=20.0).first()
    assert drawn.risk > 0.9 and drawn.weight > 18


def test_every_item_gets_a_checker_who_is_not_its_collector(county):
    collected(county)
    for user in ("officer", "chief"):
        doors(county.a, 3, county.a.users[user])
    rnd = draw(county.users["supervisor"], county.bureau.code, size=16)
    for it in items(rnd):
        assert it.checker_id is not None and it.checker_id != it.collector_id
        assert it.checker.role in ("officer", "chief", "supervisor")


def test_draw_refuses_when_only_the_collector_could_check(county):
    a = county.a
    doors(a, 2, a.users["officer"])
    for key in ("chief",):
        a.users[key].is_active = False
        a.users[key].save()
    county.users["supervisor"].is_active = False
    county.users["supervisor"].save()
    before = SpotCheckRound.objects.count()
    with pytest.raises(InvalidInput) as err:
        draw(county.users["admin"], a.district.code, size=2, record_types=["address"], by=[])
    assert err.value.code == "spot_check.no_checker"
    assert SpotCheckRound.objects.count() == before and not SpotCheckItem.objects.exists()


def test_draw_needs_a_spot_check_role(county):
    collected(county)
    for role in ("collector", "officer"):
        with pytest.raises(Forbidden):
            draw(county.a.users[role], county.a.station.code)
    with pytest.raises(Forbidden):
        draw(county.users["investigator"], county.bureau.code)


def test_a_station_chief_cannot_draw_in_another_station(county):
    collected(county)
    with pytest.raises(NotFound):
        draw(county.a.users["chief"], county.b.station.code)
    with pytest.raises(NotFound):
        draw(county.a.users["chief"], county.bureau.code)
    assert draw(county.a.users["chief"], county.a.district.code).police_unit_id == county.a.district.code


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", " "),
        ("name", "x" * 101),
        ("sample_size", 0),
        ("sample_size", 10**6),
        ("sample_size", "5"),
        ("record_types", []),
        ("record_types", ["vehicle"]),
        ("by", ["village"]),
        ("by", "station"),
        ("record_types", 5),
        ("police_unit_code", 610524000000),
        ("risk_weight", -1),
        ("risk_weight", float("nan")),
        ("risk_weight", "much"),
        ("seed", -5),
        ("deadline", dt.date(2000, 1, 1)),
    ],
)
def test_bad_draw_input_is_a_field_error(county, field, value):
    collected(county)
    kwargs = {"name": "轮次", "sample_size": 3, "police_unit_code": county.bureau.code, field: value}
    with pytest.raises(InvalidInput) as err:
        services.spot_check_draw(actor=county.users["supervisor"], **kwargs)
    assert field in err.value.fields
    assert not SpotCheckRound.objects.exists()


def test_a_malformed_unit_code_is_a_field_error_and_an_unknown_one_not_found(county):
    sup = county.users["supervisor"]
    with pytest.raises(InvalidInput) as err:
        services.spot_check_draw(actor=sup, name="x", police_unit_code="6105", sample_size=1)
    assert "police_unit_code" in err.value.fields
    with pytest.raises(NotFound):
        services.spot_check_draw(actor=sup, name="x", police_unit_code="610524599000", sample_size=1)


def test_nothing_to_sample_is_refused(county):
    Unit.objects.update(status="draft")
    with pytest.raises(InvalidInput) as err:
        draw(county.users["supervisor"], county.bureau.code, record_types=["unit"])
    assert err.value.code == "spot_check.nothing_to_sample"


def test_the_draw_is_in_the_round_history(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code)
    [h] = RecordHistory.objects.filter(record_type="supervision.spotcheckround", record_id=rnd.pk)
    assert (h.action, h.version, h.actor_id) == ("create", 1, county.users["supervisor"].pk)
    assert h.changes["seed"] == [None, rnd.seed]


# --- assigning -------------------------------------------------------------------------------


def test_assign_gives_the_item_to_another_checker(county):
    _rnd, item = station_round(county, county.a)
    chief = county.a.users["chief"]
    services.spot_check_assign(actor=chief, item=item, checker=chief)
    item.refresh_from_db()
    assert item.checker_id == chief.pk
    h = RecordHistory.objects.get(record_type="supervision.spotcheckitem", record_id=item.pk)
    assert h.changes == {"checker": [county.a.users["officer"].pk, chief.pk]}


def test_assign_never_to_the_collector(county):
    _rnd, item = station_round(county, county.a)
    code = _code(
        lambda: services.spot_check_assign(
            actor=county.a.users["chief"], item=item, checker=item.collector_id
        )
    )
    assert code == "spot_check.checker_is_collector"
    item.refresh_from_db()
    assert item.checker_id == county.a.users["officer"].pk


def test_assign_only_to_someone_who_sees_the_record(county):
    _rnd, item = station_round(county, county.a)
    chief = county.a.users["chief"]
    for who in (county.b.users["officer"], county.users["admin"], county.users["auditor"]):
        assert _code(lambda who=who: services.spot_check_assign(actor=chief, item=item, checker=who)) == (
            "spot_check.checker_invalid"
        )


def test_assign_in_another_station_is_not_found(county):
    _rnd, item = station_round(county, county.b)
    with pytest.raises(NotFound):
        services.spot_check_assign(actor=county.a.users["chief"], item=item, checker=county.a.users["chief"])
    with pytest.raises(Forbidden):
        services.spot_check_assign(
            actor=county.b.users["officer"], item=item, checker=county.b.users["chief"]
        )


# --- recording -------------------------------------------------------------------------------


def test_the_checker_records_agreement(county):
    _rnd, item = station_round(county, county.a)
    done = services.spot_check_record(actor=county.a.users["officer"], item=item, result="agrees")
    assert (done.result, done.checked_by_id, done.problem_id) == (
        "agrees",
        county.a.users["officer"].pk,
        None,
    )
    assert done.checked_at is not None and not Problem.objects.exists()


def test_wrong_fields_open_a_problem_against_the_collector(county):
    _rnd, item = station_round(county, county.a)
    done = services.spot_check_record(
        actor=county.a.users["officer"],
        item=item,
        result="wrong_fields",
        wrong_fields=["door_number", "building"],
        note="门牌号与现场不符",
    )
    p = done.problem
    assert (p.category, p.rule, p.severity, p.state) == (
        "spot_check_wrong",
        "spot_check.wrong_fields",
        "warning",
        "open",
    )
    assert (p.record_type, p.record_id) == ("addresses.standardaddress", county.a.door.pk)
    assert p.collector_id == county.a.users["collector"].pk
    assert p.officer_id == county.a.users["officer"].pk
    assert (p.police_unit_id, p.division_id) == (county.a.district.code, county.a.village.code)
    assert (
        p.evidence["wrong_fields"] == ["door_number", "building"] and p.evidence["spot_check_item"] == item.pk
    )
    assert p.summary and p.deadline is not None
    assert ProblemEvent.objects.filter(problem=p, action="found").exists()


def test_a_fabricated_record_opens_an_error_problem_and_needs_a_reason(county):
    _rnd, item = station_round(county, county.a)
    officer = county.a.users["officer"]
    with pytest.raises(InvalidInput) as err:
        services.spot_check_record(actor=officer, item=item, result="fabricated")
    assert "note" in err.value.fields and not Problem.objects.exists()
    done = services.spot_check_record(actor=officer, item=item, result="fabricated", note="现场无此门牌")
    assert (done.problem.category, done.problem.severity) == ("spot_check_fabricated", "error")
    assert done.problem.collector_id == county.a.users["collector"].pk


def test_each_failure_is_its_own_problem(county):
    _rnd, item = station_round(county, county.a)
    services.spot_check_record(actor=county.a.users["officer"], item=item, result="fabricated", note="无")
    _rnd2, item2 = station_round(county, county.a, seed=5)
    services.spot_check_record(actor=county.a.users["officer"], item=item2, result="fabricated", note="无")
    assert Problem.objects.filter(record_id=county.a.door.pk).count() == 2


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"result": "maybe"}, "result"),
        ({"result": "wrong_fields"}, "wrong_fields"),
        ({"result": "wrong_fields", "wrong_fields": ["id"]}, "wrong_fields"),
        ({"result": "agrees", "wrong_fields": ["door_number"]}, "wrong_fields"),
        ({"result": "agrees", "via": "phone"}, "via"),
        ({"result": "agrees", "lng": 200, "lat": 35}, "lng"),
        ({"result": "agrees", "lng": "x", "lat": 35}, "lng"),
        ({"result": "agrees", "lng": 110.1}, "lat"),
        ({"result": "agrees", "note": "x" * 501}, "note"),
        ({"result": "wrong_fields", "wrong_fields": 5}, "wrong_fields"),
        ({"result": "wrong_fields", "wrong_fields": [{"a": 1}]}, "wrong_fields"),
        ({"result": "agrees", "note": 5}, "note"),
    ],
)
def test_bad_result_input_is_a_field_error(county, kwargs, field):
    _rnd, item = station_round(county, county.a)
    with pytest.raises(InvalidInput) as err:
        services.spot_check_record(actor=county.a.users["officer"], item=item, **kwargs)
    assert field in err.value.fields
    item.refresh_from_db()
    assert item.result == "pending"


def test_a_field_check_records_the_distance_from_the_door_plate(county):
    from ybss.addresses.models import StandardAddress

    StandardAddress.objects.filter(pk=county.a.door.pk).update(lng=Decimal("110.15"), lat=Decimal("35.24"))
    _rnd, item = station_round(county, county.a)
    done = services.spot_check_record(
        actor=county.a.users["officer"], item=item, result="agrees", via="field", lng=110.151, lat=35.24
    )
    assert done.via == "field" and 85 < done.distance_m < 95
    assert float(done.lng) == pytest.approx(110.151)


def test_only_the_checker_or_a_chief_records(county):
    _rnd, item = station_round(county, county.a)
    SpotCheckItem.objects.filter(pk=item.pk).update(checker=county.a.users["chief"])
    with pytest.raises(Forbidden):
        services.spot_check_record(actor=county.a.users["officer"], item=item, result="agrees")
    with pytest.raises(NotFound):
        services.spot_check_record(actor=county.a.users["collector"], item=item, result="agrees")
    done = services.spot_check_record(actor=county.users["supervisor"], item=item, result="agrees")
    assert (
        done.checked_by_id == county.users["supervisor"].pk and done.checker_id == county.a.users["chief"].pk
    )


def test_the_collector_never_records_their_own_record(county):
    _rnd, item = station_round(county, county.a)
    SpotCheckItem.objects.filter(pk=item.pk).update(collector=county.a.users["chief"])
    assert (
        _code(lambda: services.spot_check_record(actor=county.a.users["chief"], item=item, result="agrees"))
        == "spot_check.own_record"
    )


def test_a_result_is_recorded_once(county):
    _rnd, item = station_round(county, county.a)
    services.spot_check_record(actor=county.a.users["officer"], item=item, result="agrees")
    with pytest.raises(Conflict) as err:
        services.spot_check_record(actor=county.a.users["officer"], item=item, result="fabricated", note="x")
    assert err.value.code == "spot_check.already_checked"


def test_a_chief_cannot_record_in_another_station(county):
    _rnd, item = station_round(county, county.b)
    with pytest.raises(NotFound):
        services.spot_check_record(actor=county.a.users["chief"], item=item, result="agrees")
    with pytest.raises(NotFound):
        services.spot_check_record(actor=county.a.users["officer"], item=item.pk, result="agrees")


def test_the_check_is_in_the_item_history(county):
    _rnd, item = station_round(county, county.a)
    services.spot_check_record(
        actor=county.a.users["officer"], item=item, result="wrong_fields", wrong_fields=["building"]
    )
    h = RecordHistory.objects.get(record_type="supervision.spotcheckitem", record_id=item.pk)
    assert h.changes["result"] == ["pending", "wrong_fields"] and h.changes["problem"][1] is not None


# --- closing ---------------------------------------------------------------------------------


def test_closing_a_round_stops_checks(county):
    rnd, item = station_round(county, county.a)
    services.spot_check_close(actor=county.a.users["chief"], round=rnd)
    rnd.refresh_from_db()
    assert rnd.state == "closed"
    assert (
        _code(lambda: services.spot_check_record(actor=county.a.users["officer"], item=item, result="agrees"))
        == "spot_check.round_closed"
    )
    assert _code(lambda: services.spot_check_close(actor=county.a.users["chief"], round=rnd)) == (
        "spot_check.round_closed"
    )


def test_a_station_chief_cannot_close_a_county_round(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code, size=10)
    with pytest.raises(NotFound):
        services.spot_check_close(actor=county.a.users["chief"], round=rnd)
    with pytest.raises(Forbidden):
        services.spot_check_close(actor=county.a.users["officer"], round=rnd)


# --- reads -----------------------------------------------------------------------------------


def test_a_station_sees_a_county_round_through_its_own_items(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code, size=10)
    for role in ("officer", "chief"):
        [seen] = selectors.spot_check_rounds(actor=county.a.users[role])
        assert seen.pk == rnd.pk and seen.n_items == 5
        got = selectors.spot_check_items(actor=county.a.users[role], round=rnd)
        assert {i.police_unit_id for i in got} == {county.a.district.code}
    assert selectors.spot_check_rounds(actor=county.users["supervisor"]).get().n_items == 10


def test_a_station_round_is_hidden_from_the_other_station(county):
    rnd, item = station_round(county, county.a)
    for role in ("officer", "chief"):
        user = county.b.users[role]
        assert not selectors.spot_check_rounds(actor=user).exists()
        assert not selectors.spot_check_items(actor=user).exists()
        with pytest.raises(NotFound):
            selectors.spot_check_round_get(actor=user, pk=rnd.pk)
        with pytest.raises(NotFound):
            selectors.spot_check_item_get(actor=user, pk=item.pk)


def test_collectors_and_other_roles_see_no_spot_checks(county):
    station_round(county, county.a)
    for user in (county.a.users["collector"], county.users["investigator"], county.users["auditor"]):
        assert not selectors.spot_check_rounds(actor=user).exists()
        assert not selectors.spot_check_items(actor=user).exists()
        assert selectors.spot_check_pass_rates(actor=user) == []


def test_reading_a_round_or_item_is_audited(county):
    rnd, item = station_round(county, county.a)
    officer = county.a.users["officer"]
    selectors.spot_check_round_get(actor=officer, pk=rnd.pk)
    selectors.spot_check_item_get(actor=officer, pk=item.pk)
    got = set(AuditEvent.objects.filter(actor=officer).values_list("action", "object_type", "object_id"))
    assert {
        ("read", "supervision.spotcheckround", str(rnd.pk)),
        ("read", "supervision.spotcheckitem", str(item.pk)),
    } <= got


def _check_all(county, rnd, failing: set[int] = frozenset()) -> None:
    for it in items(rnd):
        result = "wrong_fields" if it.record_id in failing and it.record_type == "address" else "agrees"
        fields = ["building"] if result == "wrong_fields" else []
        services.spot_check_record(actor=it.checker, item=it, result=result, wrong_fields=fields)


def test_pass_rates_by_station_and_collector(county):
    collected(county)
    second = second_collector(county.a)
    doors(county.a, 2, second)
    rnd = draw(county.users["supervisor"], county.bureau.code, size=100)
    _check_all(county, rnd, failing={county.a.door.pk, county.b.door.pk})
    sup = county.users["supervisor"]
    by_station = {r.key: (r.checked, r.passed) for r in selectors.spot_check_pass_rates(actor=sup)}
    assert by_station == {"610524501": (7, 6), "610524503": (5, 4)}
    by_collector = {
        r.key: (r.checked, r.passed) for r in selectors.spot_check_pass_rates(actor=sup, group="collector")
    }
    assert by_collector == {
        str(county.a.users["collector"].pk): (5, 4),
        str(second.pk): (2, 2),
        str(county.b.users["collector"].pk): (5, 4),
    }
    [only_a] = selectors.spot_check_pass_rates(actor=county.a.users["chief"], group="district")
    assert only_a == (county.a.district.code, 7, 6) and only_a.percent == "85.71%"
    assert selectors.spot_check_pass_rates(actor=sup, police_prefix="610524503") == [("610524503", 5, 4)]
    names = selectors.spot_check_pass_names(selectors.spot_check_pass_rates(actor=sup), group="station")
    assert names == {"610524501": "金水派出所", "610524503": "甘井派出所"}


def test_pass_rates_count_checks_made_by_the_end_of_the_day(county):
    _rnd, item = station_round(county, county.a)
    services.spot_check_record(actor=county.a.users["officer"], item=item, result="agrees")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    sup = county.users["supervisor"]
    assert selectors.spot_check_pass_rates(actor=sup, day=yesterday) == []
    assert selectors.spot_check_pass_rates(actor=sup, day=timezone.localdate()) == [("610524501", 1, 1)]


def test_pass_by_station_for_the_ranking(county):
    collected(county)
    rnd = draw(county.users["supervisor"], county.bureau.code, size=100)
    _check_all(county, rnd, failing={county.b.door.pk})
    today = timezone.localdate()
    assert selectors.spot_check_pass_by_station(county_prefix="610524", day=today) == {
        county.a.station.code: (5, 5),
        county.b.station.code: (4, 5),
    }
    assert (
        selectors.spot_check_pass_by_station(county_prefix="610524", day=today - dt.timedelta(days=1)) == {}
    )
    assert selectors.spot_check_pass_by_station(county_prefix="610525", day=None) == {}


def test_places_name_the_address_of_each_record(county):
    rnd, _item = station_round(county, county.a)
    got = selectors.spot_check_places(actor=county.a.users["officer"], items=items(rnd))
    room = county.a.room.full_name
    assert got[("address", county.a.door.pk)] == county.a.door.full_name
    assert got[("house", county.a.house.pk)] == room and got[("person", county.a.person.pk)] == room
    assert got[("unit", county.a.unit.pk)] == county.a.door.full_name


def test_checker_choices_exclude_the_collector_and_other_stations(county):
    _rnd, item = station_round(county, county.a)
    SpotCheckItem.objects.filter(pk=item.pk).update(
        checker=county.a.users["chief"], collector=county.a.users["officer"]
    )
    item.refresh_from_db()
    got = {u.username for u in selectors.spot_check_checker_choices(actor=county.a.users["chief"], item=item)}
    assert got == {"chief_a", "supervisor"}
