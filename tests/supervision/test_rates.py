"""The rates engine: facts per leaf, sums for any node of either tree, history, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import HouseFactory
from ybss.core.errors import NotFound
from ybss.registry.models import House
from ybss.supervision import rates
from ybss.supervision.definitions import MAIN_RATES, RATES
from ybss.supervision.models import RateFact


def _verify(house: House, when: dt.datetime) -> None:
    House.objects.filter(pk=house.pk).update(verify_state="verified", verified_at=when)


def test_every_rate_has_a_label_a_definition_and_a_model_field_set():
    assert MAIN_RATES == ("address_cleaned", "address_marked", "house_verified", "unit_verified")
    for code, d in RATES.items():
        assert d.code == code and str(d.label) and str(d.definition)


def test_today_counts_the_records_current_state(county):
    _verify(county.a.house, timezone.now())
    rates.rates_refresh()
    sup = county.users["supervisor"]
    root = rates.node_root(actor=sup)
    got = rates.rates_at(actor=sup, node=root)["house_verified"]
    assert (got.numerator, got.denominator) == (1, 2)
    assert got.percent == "50.00%"


def test_the_children_sum_to_their_parent(county):
    _verify(county.a.house, timezone.now())
    HouseFactory(address=county.b.door, division=county.b.village, police_unit=county.b.district)
    rates.rates_refresh()
    sup = county.users["supervisor"]
    root = rates.node_root(actor=sup)
    total = rates.rates_at(actor=sup, node=root)
    children = rates.rates_by_child(actor=sup, node=root)
    assert [n.code for n, _ in children] == [county.a.station.code, county.b.station.code]
    for code in RATES:
        assert sum(r[code].numerator for _, r in children) == total[code].numerator
        assert sum(r[code].denominator for _, r in children) == total[code].denominator
    by_station = {n.code: r["house_verified"] for n, r in children}
    assert (by_station[county.a.station.code].numerator, by_station[county.a.station.code].denominator) == (
        1,
        1,
    )
    assert (by_station[county.b.station.code].numerator, by_station[county.b.station.code].denominator) == (
        0,
        2,
    )


def test_the_division_tree_gives_the_same_county_total(county):
    _verify(county.b.house, timezone.now())
    rates.rates_refresh()
    sup = county.users["supervisor"]
    police = rates.rates_at(actor=sup, node=rates.node_root(actor=sup, tree="police"))
    division_root = rates.node_root(actor=sup, tree="division")
    assert division_root.code == county.county.code
    divisions = rates.rates_at(actor=sup, node=division_root)
    assert {c: (r.numerator, r.denominator) for c, r in police.items()} == {
        c: (r.numerator, r.denominator) for c, r in divisions.items()
    }
    towns = rates.rates_by_child(actor=sup, node=division_root)
    assert sum(r["house_verified"].numerator for _, r in towns) == 1


def test_a_chief_sees_only_the_own_station(county):
    rates.rates_refresh()
    chief = county.a.users["chief"]
    root = rates.node_root(actor=chief)
    assert root.code == county.a.station.code
    with pytest.raises(NotFound):
        rates.node_get(actor=chief, tree="police", code=county.b.station.code)
    with pytest.raises(NotFound):
        rates.node_get(actor=chief, tree="police", code=county.bureau.code)
    assert [n.code for n in rates.node_children(actor=chief, node=root)] == [county.a.district.code]
    got = rates.rates_at(actor=chief, node=root)["house_verified"]
    assert got.denominator == 1


def test_the_auditor_and_an_unassigned_user_get_no_node(county):
    for key in ("auditor", "nobody"):
        with pytest.raises(NotFound):
            rates.node_root(actor=county.users[key])


def test_an_unknown_tree_or_code_is_not_found(county):
    sup = county.users["supervisor"]
    with pytest.raises(NotFound):
        rates.node_get(actor=sup, tree="police", code="999999999999")
    with pytest.raises(NotFound):
        rates.node_get(actor=sup, tree="nonsense", code=county.bureau.code)


def test_a_past_day_is_reconstructed_from_the_timestamps(county):
    today = timezone.localdate()
    ten_days_ago = today - dt.timedelta(days=10)
    House.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    _verify(county.a.house, timezone.now() - dt.timedelta(days=5))
    sup = county.users["supervisor"]
    root = rates.node_root(actor=sup)
    before = rates.rates_at(actor=sup, node=root, day=ten_days_ago)["house_verified"]
    after = rates.rates_at(actor=sup, node=root, day=today - dt.timedelta(days=2))["house_verified"]
    assert (before.numerator, before.denominator) == (0, 2)
    assert (after.numerator, after.denominator) == (1, 2)
    assert rates.facts_reconstructed(day=ten_days_ago)


def test_backfill_gives_the_same_figures_as_one_day_reconstructions(county):
    today = timezone.localdate()
    House.objects.update(created_at=timezone.now() - dt.timedelta(days=20))
    _verify(county.a.house, timezone.now() - dt.timedelta(days=6))
    _verify(county.b.house, timezone.now() - dt.timedelta(days=3))
    start = today - dt.timedelta(days=10)
    rates.rates_backfill(start=start, end=today - dt.timedelta(days=1))
    sup = county.users["supervisor"]
    root = rates.node_root(actor=sup)
    history = rates.rate_history(actor=sup, node=root, codes=["house_verified"], start=start, end=today)
    series = {d: r.numerator for d, r in history["house_verified"]}
    assert series[start] == 0
    assert series[today - dt.timedelta(days=5)] == 1
    assert series[today - dt.timedelta(days=1)] == 2
    one_day = today - dt.timedelta(days=4)
    backfilled = {
        (f.code, f.police_unit_id, f.division_id): (f.numerator, f.denominator)
        for f in RateFact.objects.filter(day=one_day)
    }
    rates.rates_refresh(day=one_day, trigger="backfill")
    again = {
        (f.code, f.police_unit_id, f.division_id): (f.numerator, f.denominator)
        for f in RateFact.objects.filter(day=one_day)
    }
    assert backfilled == again


def test_a_counted_day_keeps_its_figures_when_the_records_change_later(county):
    sup = county.users["supervisor"]
    root = rates.node_root(actor=sup)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rates.rates_refresh(day=yesterday, trigger="live")
    kept = rates.rates_at(actor=sup, node=root, day=yesterday)["house_verified"]
    _verify(county.a.house, timezone.now())
    rates.rates_refresh()
    rates.rates_backfill(start=yesterday, end=yesterday)
    assert rates.rates_at(actor=sup, node=root, day=yesterday)["house_verified"] == kept
    assert rates.rates_at(actor=sup, node=root)["house_verified"].numerator == 1


def test_rates_at_reads_the_facts_in_one_query(county, django_assert_max_num_queries):
    rates.rates_refresh()
    sup = county.users["supervisor"]
    root = rates.node_root(actor=sup)
    with django_assert_max_num_queries(3):
        rates.rates_at(actor=sup, node=root)


def test_the_command_prints_the_county_rates(county, capsys):
    from django.core.management import call_command

    call_command("supervision", "refresh", "--quiet")
    call_command("supervision", "rates", "--json")
    out = capsys.readouterr().out
    assert '"house_verified"' in out and county.bureau.code in out


def test_count_now_runs_as_a_background_job_and_links_back(county, client_for):
    from ybss.jobs.models import Job

    c = client_for(county.users["supervisor"])
    resp = c.post("/supervision/recount/")
    assert resp.status_code == 302 and resp["Location"].startswith("/jobs/")
    job = Job.objects.get(kind="rates")
    assert job.state == "succeeded" and job.result["facts"] > 0
    assert "/supervision/" in c.get(resp["Location"]).content.decode()
    assert rates.facts_as_of() is not None
    assert client_for(county.users["auditor"]).post("/supervision/recount/").status_code == 403
