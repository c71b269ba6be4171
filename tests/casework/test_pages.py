"""Casework pages: leads queue and review, watch-list upload/approve/run, results ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.casework.conftest import csv_bytes
from ybss.audit.models import AuditEvent
from ybss.casework import services
from ybss.casework.models import Lead, Result, WatchList

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_a(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    return Lead.objects.get()


def test_lead_page_is_audited_with_the_purpose(county, client_for, lead_a):
    resp = client_for(county.a.users["officer"]).get(f"/casework/leads/{lead_a.pk}/")
    assert resp.status_code == 200
    ev = AuditEvent.objects.get(object_type="casework.lead", object_id=str(lead_a.pk))
    assert ev.purpose == "追逃比对" and ev.action == "read"


def test_officer_of_another_station_gets_404_on_the_lead(county, client_for, lead_a):
    client = client_for(county.b.users["officer"])
    assert client.get(f"/casework/leads/{lead_a.pk}/").status_code == 404
    resp = client.post(f"/casework/leads/{lead_a.pk}/", {"decision": "dismissed", "note": "x"})
    assert resp.status_code == 404
    assert Lead.objects.get().state == "new"
    assert county.a.person.name not in client.get("/casework/").content.decode()


def test_review_form_confirms_the_lead(county, client_for, lead_a):
    client = client_for(county.a.users["officer"])
    resp = client.post(f"/casework/leads/{lead_a.pk}/", {"decision": "confirmed", "note": "核实本人"})
    assert resp.status_code == 302
    lead = Lead.objects.get()
    assert (lead.state, lead.reviewer_id) == ("confirmed", county.a.users["officer"].pk)


def test_review_without_a_note_is_a_field_error(county, client_for, lead_a):
    resp = client_for(county.a.users["officer"]).post(
        f"/casework/leads/{lead_a.pk}/", {"decision": "dismissed"}
    )
    assert resp.status_code == 400
    assert Lead.objects.get().state == "new"


def test_leads_list_query_count_is_bounded(county, client_for, upload):
    from tests.factories import PersonFactory, make_id

    people = [
        PersonFactory(id_number=make_id(birth="19700202", seq=i), division=county.a.village,
                      police_unit=county.a.district)
        for i in range(1, 8)
    ]  # fmt: skip
    wl = upload([(p.id_number, "", "", "") for p in people])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    client = client_for(county.a.users["officer"])
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get("/casework/")
    assert resp.status_code == 200 and resp.content.decode().count("/casework/leads/") >= 7
    assert len(ctx.captured_queries) <= 12


def test_upload_approve_and_run_through_the_pages(county, client_for):
    upload = SimpleUploadedFile("list.csv", csv_bytes([(county.b.person.id_number, "", "", "")]))
    resp = client_for(county.users["investigator"]).post(
        "/casework/lists/new/",
        {"name": "在逃", "kind": "wanted", "purpose": "追逃",
         "expires_on": (dt.date.today() + dt.timedelta(days=9)).isoformat(), "file": upload},
    )  # fmt: skip
    assert resp.status_code == 302
    wl = WatchList.objects.get()
    assert client_for(county.users["supervisor"]).post(f"/casework/lists/{wl.pk}/approve/").status_code == 302
    assert client_for(county.users["investigator"]).post(f"/casework/lists/{wl.pk}/run/").status_code == 302
    assert Lead.objects.get().police_unit_id == county.b.district.pk


def test_bad_upload_rerenders_with_errors_and_saves_nothing(county, client_for):
    upload = SimpleUploadedFile("list.csv", csv_bytes([("123", "", "", "")]))
    resp = client_for(county.users["investigator"]).post(
        "/casework/lists/new/",
        {"name": "x", "kind": "wanted", "purpose": "p",
         "expires_on": (dt.date.today() + dt.timedelta(days=9)).isoformat(), "file": upload},
    )  # fmt: skip
    assert resp.status_code == 400 and not WatchList.objects.exists()


def test_station_chief_cannot_see_a_county_list(county, client_for, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    client = client_for(county.a.users["chief"])
    assert client.get(f"/casework/lists/{wl.pk}/").status_code == 404
    assert client.post(f"/casework/lists/{wl.pk}/run/").status_code == 404


def test_results_pages_record_and_summarise(county, client_for):
    client = client_for(county.a.users["officer"])
    today = dt.date.today().isoformat()
    resp = client.post("/casework/results/new/", {"category": "helped", "count": "3", "occurred_on": today})
    assert resp.status_code == 302
    assert Result.objects.get().police_unit_id == county.a.district.pk
    resp = client.get("/casework/results/", {"start": today, "end": today})
    assert resp.status_code == 200 and "金水派出所" in resp.content.decode()
    other = client_for(county.b.users["officer"]).get("/casework/results/", {"start": today, "end": today})
    assert "金水派出所" not in other.content.decode()
