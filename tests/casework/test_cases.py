"""The cases ledger (案件): open from a lead, solve with a day, close (final), scoped pages and API,
list filters and the statistics that feed the bulletins."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from ybss.audit.models import AuditEvent
from ybss.casework import selectors, services
from ybss.casework.models import Case, Lead
from ybss.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

OPENED = dt.date(2026, 10, 1)


@pytest.fixture
def lead_b(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    return Lead.objects.get()


@pytest.fixture
def case_b(county, lead_b):
    return services.case_create(
        actor=county.b.users["officer"], title="追逃案", opened_on=OPENED, lead_id=lead_b.pk
    )


def _state(case: Case) -> tuple:
    case.refresh_from_db()
    return case.state, case.solved_on


def test_case_from_a_lead_page_is_stamped_as_the_leads_district(county, client_for, lead_b):
    client = client_for(county.b.users["officer"])
    assert (
        f"/casework/cases/new/?lead={lead_b.pk}"
        in client.get(f"/casework/leads/{lead_b.pk}/").content.decode()
    )
    form = client.get(f"/casework/cases/new/?lead={lead_b.pk}")
    assert form.status_code == 200 and f'value="{lead_b.pk}"' in form.content.decode()
    resp = client.post(
        "/casework/cases/new/", {"title": "追逃案", "opened_on": "2026-10-01", "lead_id": lead_b.pk}
    )
    case = Case.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/casework/cases/{case.pk}/"
    assert (case.police_unit_id, case.division_id, case.lead_id) == (
        county.b.district.pk,
        county.b.village.pk,
        lead_b.pk,
    )


def test_case_from_a_lead_out_of_scope_is_404(county, client_for, lead_b):
    resp = client_for(county.a.users["officer"]).post(
        "/casework/cases/new/", {"title": "x", "opened_on": "2026-10-01", "lead_id": lead_b.pk}
    )
    assert resp.status_code == 404 and not Case.objects.exists()


def test_solve_with_a_date(county, case_b):
    day = dt.date(2026, 10, 5)
    services.case_update_state(actor=county.b.users["officer"], pk=case_b.pk, state="solved", solved_on=day)
    assert _state(case_b) == ("solved", day)
    ev = AuditEvent.objects.get(object_type="casework.case", object_id=str(case_b.pk))
    assert (ev.action, ev.purpose) == ("review", services.CASE_PURPOSE)


@pytest.mark.parametrize(
    "solved_on",
    [None, OPENED - dt.timedelta(days=1), "tomorrow"],
)
def test_solve_with_a_bad_date_is_a_field_error_and_saves_nothing(county, case_b, solved_on):
    if solved_on == "tomorrow":
        solved_on = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as err:
        services.case_update_state(
            actor=county.b.users["officer"], pk=case_b.pk, state="solved", solved_on=solved_on
        )
    assert set(err.value.fields) == {"solved_on"}
    assert _state(case_b) == ("open", None)
    assert not AuditEvent.objects.filter(object_type="casework.case").exists()


def test_solve_before_opening_on_the_page_is_a_400(county, client_for, case_b):
    resp = client_for(county.b.users["officer"]).post(
        f"/casework/cases/{case_b.pk}/", {"state": "solved", "solved_on": "2026-09-01"}
    )
    assert resp.status_code == 400 and _state(case_b) == ("open", None)


def test_close_a_solved_case_and_it_cannot_reopen(county, client_for, case_b):
    officer = county.b.users["officer"]
    services.case_update_state(actor=officer, pk=case_b.pk, state="solved", solved_on=dt.date(2026, 10, 5))
    resp = client_for(officer).post(f"/casework/cases/{case_b.pk}/", {"state": "closed"})
    assert resp.status_code == 302 and _state(case_b) == ("closed", dt.date(2026, 10, 5))
    for state in ("solved", "closed", "open"):
        with pytest.raises(InvalidInput) as err:
            services.case_update_state(
                actor=officer, pk=case_b.pk, state=state, solved_on=dt.date(2026, 10, 6)
            )
        assert set(err.value.fields) == {"state"}
    assert _state(case_b) == ("closed", dt.date(2026, 10, 5))


def test_a_solved_case_cannot_be_solved_again(county, case_b):
    officer = county.b.users["officer"]
    services.case_update_state(actor=officer, pk=case_b.pk, state="solved", solved_on=dt.date(2026, 10, 5))
    with pytest.raises(InvalidInput) as err:
        services.case_update_state(
            actor=officer, pk=case_b.pk, state="solved", solved_on=dt.date(2026, 10, 7)
        )
    assert set(err.value.fields) == {"state"}
    assert _state(case_b) == ("solved", dt.date(2026, 10, 5))


def test_out_of_scope_officer_gets_404_on_page_and_api(county, client_for, case_b):
    client = client_for(county.a.users["officer"])
    assert client.get(f"/casework/cases/{case_b.pk}/").status_code == 404
    assert client.post(f"/casework/cases/{case_b.pk}/", {"state": "closed"}).status_code == 404
    assert client.get(f"/api/casework/cases/{case_b.pk}").status_code == 404
    body = json.dumps({"state": "closed"})
    url = f"/api/casework/cases/{case_b.pk}/state"
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert client.get("/api/casework/cases").json()["count"] == 0
    assert "追逃案" not in client.get("/casework/cases/").content.decode()
    assert _state(case_b) == ("open", None)


def test_api_open_solve_and_read_a_case(county, client_for, lead_b):
    client = client_for(county.b.users["officer"])
    body = json.dumps({"title": "盗窃案", "opened_on": "2026-10-01", "lead": lead_b.pk})
    made = client.post("/api/casework/cases", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["police_unit"] == county.b.district.pk
    pk = made.json()["id"]
    url = f"/api/casework/cases/{pk}/state"
    bad = client.post(
        url, json.dumps({"state": "solved", "solved_on": "2026-09-01"}), content_type="application/json"
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"solved_on"}
    ok = client.post(
        url, json.dumps({"state": "solved", "solved_on": "2026-10-03"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "solved"
    one = client.get(f"/api/casework/cases/{pk}").json()
    assert (one["solved_on"], one["lead"], one["results"]) == ("2026-10-03", lead_b.pk, [])
    assert [c["id"] for c in client.get("/api/casework/cases", {"state": "solved"}).json()["items"]] == [pk]


def test_api_bad_case_is_400_with_fields(county, client_for):
    client = client_for(county.b.users["officer"])
    resp = client.post("/api/casework/cases", json.dumps({"title": " ", "opened_on": "2026-10-01"}),
                       content_type="application/json")  # fmt: skip
    assert resp.status_code == 400 and "title" in resp.json()["fields"]
    assert not Case.objects.exists()


def test_list_filters_by_state_station_and_period(county, client_for):
    a = services.case_create(actor=county.a.users["officer"], title="甲案", opened_on=dt.date(2026, 9, 1))
    b = services.case_create(actor=county.b.users["officer"], title="乙案", opened_on=dt.date(2026, 10, 1))
    services.case_update_state(actor=county.b.users["officer"], pk=b.pk, state="closed")
    chief = county.users["supervisor"]

    def ids(**kw) -> list[int]:
        return sorted(c.pk for c in selectors.case_list(actor=chief, **kw))

    assert ids() == sorted([a.pk, b.pk])
    assert ids(state="closed") == [b.pk]
    assert ids(station=county.a.station.prefix) == [a.pk]
    assert ids(start=dt.date(2026, 9, 15), end=dt.date(2026, 10, 15)) == [b.pk]
    page = client_for(chief).get("/casework/cases/", {"state": "open"}).content.decode()
    assert "甲案" in page and "乙案" not in page
    assert client_for(chief).get("/casework/cases/", {"station": "x<", "start": "bad"}).status_code == 200


def test_statistics_count_a_solved_case_in_its_period(county, case_b):
    services.case_update_state(
        actor=county.b.users["officer"], pk=case_b.pk, state="solved", solved_on=dt.date(2026, 11, 2)
    )
    chief = county.b.users["chief"]
    october = selectors.casework_statistics(
        actor=chief, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
    )
    november = selectors.casework_statistics(
        actor=chief, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)
    )
    assert (october["cases_opened"], october["cases_solved"]) == (1, 0)
    assert (november["cases_opened"], november["cases_solved"]) == (0, 1)
    assert november["stations"][county.b.station.prefix]["cases_solved"] == 1


def test_result_recorded_against_a_case_shows_on_the_case_page(county, client_for, case_b):
    client = client_for(county.b.users["officer"])
    page = client.get(f"/casework/cases/{case_b.pk}/").content.decode()
    assert f"/casework/results/new/?case={case_b.pk}" in page
    form = client.get(f"/casework/results/new/?case={case_b.pk}")
    assert f'value="{case_b.pk}"' in form.content.decode()
    resp = client.post(
        f"/casework/results/new/?case={case_b.pk}",
        {
            "category": "fugitive",
            "count": 3,
            "occurred_on": "2026-10-05",
            "case_id": case_b.pk,
            "note": "抓获归案",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == f"/casework/cases/{case_b.pk}/"
    assert "抓获归案" in client.get(f"/casework/cases/{case_b.pk}/").content.decode()


def test_cases_button_on_the_leads_page(county, client_for):
    assert "/casework/cases/" in client_for(county.a.users["officer"]).get("/casework/").content.decode()


def test_notes_of_each_change_are_kept_with_the_case_not_in_the_audit(county, client_for, case_b):
    client = client_for(county.b.users["officer"])
    resp = client.post(
        f"/casework/cases/{case_b.pk}/",
        {"state": "solved", "solved_on": "2026-10-05", "note": "嫌疑人已抓获"},
    )
    assert resp.status_code == 302
    services.case_update_state(actor=county.b.users["officer"], pk=case_b.pk, state="closed", note="移送起诉")
    case_b.refresh_from_db()
    lines = case_b.notes.splitlines()
    assert len(lines) == 2 and lines[0].endswith("嫌疑人已抓获") and lines[1].endswith("移送起诉")
    page = client.get(f"/casework/cases/{case_b.pk}/").content.decode()
    assert "嫌疑人已抓获" in page and "移送起诉" in page
    events = AuditEvent.objects.filter(object_type="casework.case", object_id=str(case_b.pk))
    assert events.count() == 2 and all("抓获" not in str(e.detail) for e in events)
    body = client.get(f"/api/casework/cases/{case_b.pk}").json()
    assert "移送起诉" in body["notes"]
