"""Casework API: scoped leads (404 outside), review, approve/run, results."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ybss.audit.models import AuditEvent
from ybss.casework import services
from ybss.casework.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_a(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    return Lead.objects.get()


def test_api_lead_list_and_detail_are_scoped(county, client_for, lead_a):
    mine = client_for(county.a.users["officer"])
    assert [i["id"] for i in mine.get("/api/casework/leads").json()["items"]] == [lead_a.pk]
    assert mine.get(f"/api/casework/leads/{lead_a.pk}").json()["person_name"] == county.a.person.name
    assert AuditEvent.objects.filter(object_type="casework.lead", action="read").count() == 1
    other = client_for(county.b.users["officer"])
    assert other.get("/api/casework/leads").json()["count"] == 0
    assert other.get(f"/api/casework/leads/{lead_a.pk}").status_code == 404


def test_api_collector_sees_the_id_number_masked(county, client_for, lead_a):
    body = client_for(county.a.users["collector"]).get(f"/api/casework/leads/{lead_a.pk}").json()
    assert body["person_id_number"] != county.a.person.id_number and "*" in body["person_id_number"]


def test_api_review_by_another_station_is_404(county, client_for, lead_a):
    body = json.dumps({"decision": "dismissed", "note": "x"})
    other = client_for(county.b.users["officer"])
    url = f"/api/casework/leads/{lead_a.pk}/review"
    assert other.post(url, body, content_type="application/json").status_code == 404
    resp = client_for(county.a.users["officer"]).post(url, body, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["state"] == "dismissed"


def test_api_approve_own_list_is_refused(county, client_for, upload):
    wl = upload([(county.a.person.id_number, "", "", "")], approve=False)
    resp = client_for(county.users["investigator"]).post(f"/api/casework/watch-lists/{wl.pk}/approve")
    assert resp.status_code == 403
    resp = client_for(county.users["admin"]).post(f"/api/casework/watch-lists/{wl.pk}/approve")
    assert resp.status_code == 200 and resp.json()["state"] == "approved"
    run = client_for(county.users["investigator"]).post(f"/api/casework/watch-lists/{wl.pk}/run").json()
    assert run["hits"] == 1 and run["new_leads"] == 1


def test_api_results_record_and_summary(county, client_for):
    client = client_for(county.b.users["chief"])
    day = dt.date.today().isoformat()
    body = json.dumps({"category": "ammunition", "count": 40, "occurred_on": day})
    assert client.post("/api/casework/results", body, content_type="application/json").status_code == 201
    rows = client.get("/api/casework/results/summary", {"start": day, "end": day}).json()
    assert [(r["key"], r["ammunition"]) for r in rows] == [("610524503", 40)]
    assert (
        client_for(county.a.users["chief"])
        .get("/api/casework/results/summary", {"start": day, "end": day})
        .json()
        == []
    )
