"""The station ranking by weighted score, the ranking scheme, and targets with their scoreboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ybss.core.errors import Forbidden, InvalidInput, NotFound
from ybss.registry.models import House
from ybss.supervision import ranking, rates, targets
from ybss.supervision.models import Target


def _verify_a(county) -> None:
    House.objects.filter(pk=county.a.house.pk).update(verify_state="verified", verified_at=timezone.now())


def test_stations_are_ranked_by_weighted_score(county):
    _verify_a(county)
    rates.rates_refresh()
    rows = ranking.station_ranking(actor=county.users["supervisor"])
    assert [r.node.code for r in rows] == [county.a.station.code, county.b.station.code]
    assert [r.rank for r in rows] == [1, 2]
    assert rows[0].score > rows[1].score
    assert rows[0].spot_check is None and rows[0].timeliness is None  # no checks, no targets due


def test_the_score_is_the_weighted_mean_of_the_components_that_have_a_value():
    weights = {"completeness": 40.0, "quality": 30.0, "spot_check": 20.0, "timeliness": 10.0}
    comps = {"completeness": 0.5, "quality": 1.0, "spot_check": None, "timeliness": None}
    assert ranking.weighted_score(comps, weights) == pytest.approx(100 * (40 * 0.5 + 30 * 1.0) / 70)
    assert ranking.weighted_score(dict.fromkeys(comps), weights) == 0.0


def test_new_weights_change_the_ranking_and_old_schemes_stay(county):
    _verify_a(county)
    rates.rates_refresh()
    sup = county.users["supervisor"]
    ranking.scheme_set(
        actor=sup,
        weights={
            "completeness": Decimal(0),
            "quality": Decimal(100),
            "spot_check": Decimal(0),
            "timeliness": Decimal(0),
        },
    )
    rows = ranking.station_ranking(actor=sup)
    assert rows[0].score == rows[1].score == 100.0  # quality alone: no open problems anywhere
    ranking.scheme_set(
        actor=sup,
        weights={
            "completeness": Decimal(50),
            "quality": Decimal(50),
            "spot_check": Decimal(0),
            "timeliness": Decimal(0),
        },
    )
    assert ranking.scheme_current(county_code=county.bureau.code).completeness == Decimal(50)
    from ybss.supervision.models import RankingScheme

    assert RankingScheme.objects.count() == 2


@pytest.mark.parametrize(
    "weights, field",
    [
        ({"completeness": 0, "quality": 0, "spot_check": 0, "timeliness": 0}, "completeness"),
        ({"completeness": 120, "quality": 0, "spot_check": 0, "timeliness": 0}, "completeness"),
        ({"completeness": 10, "quality": -1, "spot_check": 0, "timeliness": 0}, "quality"),
    ],
)
def test_bad_weights_are_refused_with_a_field_error(county, weights, field):
    with pytest.raises(InvalidInput) as exc:
        ranking.scheme_set(
            actor=county.users["supervisor"], weights={k: Decimal(v) for k, v in weights.items()}
        )
    assert field in exc.value.fields


def test_only_the_county_sets_weights(county):
    with pytest.raises(Forbidden):
        ranking.scheme_set(
            actor=county.a.users["chief"], weights=dict.fromkeys(ranking.COMPONENTS, Decimal(1))
        )


def test_a_station_chief_gets_no_ranking_of_the_other_stations(county):
    rates.rates_refresh()
    assert ranking.station_ranking(actor=county.a.users["chief"]) == []


def test_a_target_met_by_its_deadline_counts_for_timeliness(county):
    sup = county.users["supervisor"]
    House.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    House.objects.filter(pk=county.a.house.pk).update(
        verify_state="verified", verified_at=timezone.now() - dt.timedelta(days=10)
    )
    deadline = timezone.localdate() - dt.timedelta(days=5)
    targets.target_set(
        actor=sup,
        police_unit_code=county.a.station.code,
        code="house_verified",
        value="90",
        deadline=deadline,
    )
    targets.target_set(
        actor=sup,
        police_unit_code=county.b.station.code,
        code="house_verified",
        value="0.9",
        deadline=deadline,
    )
    rates.rates_refresh()
    rows = {r.node.code: r for r in ranking.station_ranking(actor=sup)}
    assert rows[county.a.station.code].timeliness == 1.0
    assert rows[county.b.station.code].timeliness == 0.0
    board = {t.target.police_unit_id: t for t in targets.target_scoreboard(actor=sup)}
    assert board[county.a.station.code].status == targets.TargetStatus.MET
    assert board[county.b.station.code].status == targets.TargetStatus.MISSED


def test_a_future_target_is_on_track_or_behind(county):
    sup = county.users["supervisor"]
    t = targets.target_set(
        actor=sup,
        police_unit_code=county.a.district.code,
        code="house_verified",
        value="100",
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    Target.objects.filter(pk=t.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    rates.rates_refresh()
    (row,) = targets.target_scoreboard(actor=sup)
    assert row.status == targets.TargetStatus.BEHIND  # 0% where 50% was expected by now
    _verify_a(county)
    rates.rates_refresh()
    (row,) = targets.target_scoreboard(actor=sup)
    assert row.status == targets.TargetStatus.MET


def test_a_chief_sets_targets_for_the_own_districts_only(county):
    chief = county.a.users["chief"]
    deadline = timezone.localdate() + dt.timedelta(days=30)
    t = targets.target_set(
        actor=chief,
        police_unit_code=county.a.district.code,
        code="unit_verified",
        value="80",
        deadline=deadline,
    )
    assert t.value == Decimal("0.8000")
    with pytest.raises(InvalidInput) as exc:
        targets.target_set(
            actor=chief,
            police_unit_code=county.a.station.code,
            code="unit_verified",
            value="80",
            deadline=deadline,
        )
    assert "police_unit" in exc.value.fields
    with pytest.raises(NotFound):
        targets.target_set(
            actor=chief,
            police_unit_code=county.b.district.code,
            code="unit_verified",
            value="80",
            deadline=deadline,
        )
    with pytest.raises(Forbidden):
        targets.target_set(
            actor=county.a.users["officer"],
            police_unit_code=county.a.district.code,
            code="unit_verified",
            value="80",
            deadline=deadline,
        )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": "separated"}, "code"),
        ({"code": "nope"}, "code"),
        ({"value": "0"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "150"}, "value"),
        ({"deadline": None}, "deadline"),
    ],
)
def test_bad_targets_are_refused_with_a_field_error_and_nothing_saved(county, change, field):
    args = {"code": "house_verified", "value": "80", "deadline": timezone.localdate()} | change
    with pytest.raises(InvalidInput) as exc:
        targets.target_set(actor=county.users["supervisor"], police_unit_code=county.a.district.code, **args)
    assert field in exc.value.fields
    assert not Target.objects.exists()


def test_withdrawn_targets_leave_the_scoreboard_and_a_chief_cannot_withdraw_the_county_target(county):
    sup = county.users["supervisor"]
    t = targets.target_set(
        actor=sup,
        police_unit_code=county.a.station.code,
        code="house_verified",
        value="80",
        deadline=timezone.localdate(),
    )
    with pytest.raises(Forbidden):
        targets.target_deactivate(actor=county.a.users["chief"], pk=t.pk)
    with pytest.raises(NotFound):
        targets.target_deactivate(actor=county.b.users["chief"], pk=t.pk)
    targets.target_deactivate(actor=sup, pk=t.pk)
    rates.rates_refresh()
    assert targets.target_scoreboard(actor=sup) == []


def test_the_pages_show_the_scoreboard_and_the_ranking(county, client_for):
    sup = county.users["supervisor"]
    targets.target_set(
        actor=sup,
        police_unit_code=county.a.station.code,
        code="house_verified",
        value="80",
        deadline=timezone.localdate(),
    )
    rates.rates_refresh()
    c = client_for(sup)
    page = c.get("/supervision/targets/")
    assert page.status_code == 200 and county.a.station.name in page.content.decode()
    page = c.get("/supervision/targets/ranking/")
    assert page.status_code == 200 and county.b.station.name in page.content.decode()
    assert c.get("/supervision/targets/?day=2026-13-01").status_code == 400
    assert c.get("/supervision/targets/ranking/?day=x").status_code == 400


def test_the_target_form_shows_field_errors_and_saves_nothing(county, client_for):
    c = client_for(county.users["supervisor"])
    page = c.post(
        "/supervision/targets/new/",
        {"police_unit": county.a.district.code, "code": "house_verified", "value": "abc", "deadline": "bad"},
    )
    assert page.status_code == 400
    assert not Target.objects.exists()
    page = c.post(
        "/supervision/targets/new/",
        {
            "police_unit": county.a.district.code,
            "code": "house_verified",
            "value": "85",
            "deadline": "2026-12-31",
        },
    )
    assert page.status_code == 302 and Target.objects.get().value == Decimal("0.85")


def test_the_ranking_form_saves_weights_for_the_county_only(county, client_for):
    bad = client_for(county.users["supervisor"]).post(
        "/supervision/targets/ranking/",
        {"completeness": "x", "quality": "1", "spot_check": "1", "timeliness": "1"},
    )
    assert bad.status_code == 400
    ok = client_for(county.users["supervisor"]).post(
        "/supervision/targets/ranking/",
        {"completeness": "50", "quality": "20", "spot_check": "20", "timeliness": "10"},
    )
    assert ok.status_code == 302
    chief = client_for(county.a.users["chief"]).post(
        "/supervision/targets/ranking/",
        {"completeness": "50", "quality": "20", "spot_check": "20", "timeliness": "10"},
    )
    assert chief.status_code == 403


def test_the_api_sets_and_lists_targets_and_refuses_bad_ones(county, client_for):
    c = client_for(county.users["supervisor"])
    ok = c.post(
        "/api/supervision/assessment/targets",
        {
            "police_unit": county.a.district.code,
            "code": "house_verified",
            "value": 90,
            "deadline": "2026-12-31",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["target"] == 0.9
    listed = c.get("/api/supervision/assessment/targets").json()
    assert [t["police_unit"] for t in listed] == [county.a.district.code]
    bad = c.post(
        "/api/supervision/assessment/targets",
        {"police_unit": county.a.district.code, "code": "nope", "value": 90, "deadline": "2026-12-31"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "code" in bad.json()["fields"]
    other = client_for(county.b.users["chief"]).post(
        f"/api/supervision/assessment/targets/{ok.json()['id']}/withdraw"
    )
    assert other.status_code == 404
    assert client_for(county.b.users["chief"]).get("/api/supervision/assessment/targets").json() == []


def test_the_api_reads_and_sets_the_ranking_weights(county, client_for):
    c = client_for(county.users["supervisor"])
    assert c.get("/api/supervision/assessment/ranking-scheme").json()["completeness"] == 40.0
    put = c.put(
        "/api/supervision/assessment/ranking-scheme",
        {"completeness": 25, "quality": 25, "spot_check": 25, "timeliness": 25},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["quality"] == 25.0
    chief = client_for(county.a.users["chief"])
    assert chief.get("/api/supervision/assessment/ranking-scheme").status_code == 404
