"""The results ledger: recording in scope and statistics by station and period."""

from __future__ import annotations

import datetime as dt

import pytest

from ybss.casework import selectors, services
from ybss.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 15)


def test_results_summary_counts_by_station(county):
    services.result_record(actor=county.a.users["officer"], category="weapons", count=2, occurred_on=DAY)
    services.result_record(actor=county.a.users["chief"], category="weapons", count=1, occurred_on=DAY)
    services.result_record(actor=county.b.users["officer"], category="helped", count=5, occurred_on=DAY)
    rows = selectors.results_summary(
        actor=county.users["supervisor"], start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
    )
    by_key = {r["key"]: r for r in rows}
    assert by_key["610524501"]["weapons"] == 3 and by_key["610524501"]["label"] == "金水派出所"
    assert by_key["610524503"]["helped"] == 5 and by_key["610524503"]["weapons"] == 0


def test_results_summary_is_scoped_and_bounded_by_period(county):
    services.result_record(actor=county.a.users["officer"], category="fugitive", count=1, occurred_on=DAY)
    services.result_record(actor=county.b.users["officer"], category="fugitive", count=1, occurred_on=DAY)
    rows = selectors.results_summary(actor=county.a.users["chief"], start=DAY, end=DAY)
    assert [r["key"] for r in rows] == ["610524501"]
    assert (
        selectors.results_summary(actor=county.a.users["chief"], start=DAY + dt.timedelta(days=1), end=DAY)
        == []
    )


def test_results_summary_by_month(county):
    services.result_record(actor=county.a.users["officer"], category="drug_user", count=1, occurred_on=DAY)
    services.result_record(
        actor=county.a.users["officer"], category="drug_user", count=2, occurred_on=dt.date(2026, 9, 1)
    )
    rows = selectors.results_summary(
        actor=county.a.users["officer"], start=dt.date(2026, 1, 1), end=DAY, by="month"
    )
    assert [(r["key"], r["drug_user"]) for r in rows] == [("2026-09", 2), ("2026-10", 1)]


def test_result_with_bad_fields_is_refused(county):
    with pytest.raises(InvalidInput) as err:
        services.result_record(actor=county.a.users["officer"], category="x", count=0, occurred_on=None)
    assert set(err.value.fields) == {"category", "count", "occurred_on"}


def test_case_from_a_lead_is_stamped_as_the_lead(county, upload):
    from ybss.casework.models import Lead

    wl = upload([(county.b.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    lead = Lead.objects.get()
    case = services.case_create(actor=county.b.users["officer"], title="追逃", opened_on=DAY, lead_id=lead.pk)
    res = services.result_record(
        actor=county.b.users["officer"], category="fugitive", count=1, occurred_on=DAY, case_id=case.pk
    )
    assert case.police_unit_id == res.police_unit_id == county.b.district.pk
