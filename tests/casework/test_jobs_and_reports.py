"""Watch-list comparison as a background job; tips and leads found while collecting; audit actions;
the multipart upload API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.casework.conftest import csv_bytes
from ybss.audit.models import AuditAction, AuditEvent
from ybss.casework import lead_reports, services
from ybss.casework.models import Lead, LeadSource, WatchList, WatchRun
from ybss.core.errors import Conflict, InvalidInput, NotFound
from ybss.jobs.models import Job, JobKind, JobState
from ybss.jobs.services import watchlist_run_submit

pytestmark = pytest.mark.django_db


# --- the comparison as a job -----------------------------------------------------------------


def test_run_submits_a_job_that_completes_with_the_runs_figures(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    job = watchlist_run_submit(actor=county.users["investigator"], watch_list_id=wl.pk)
    assert job.kind == JobKind.WATCHLIST and job.state == JobState.SUCCEEDED
    run = WatchRun.objects.get(watch_list=wl)
    assert job.result == {
        "watch_list": wl.pk, "run": run.pk, "compared": run.compared, "hits": 1, "new_leads": 1
    }  # fmt: skip
    assert job.stage == "compare" and job.done == run.compared == job.total
    assert Lead.objects.get().police_unit_id == county.b.district.pk


def test_the_job_writes_the_runs_audit_entry_with_the_purpose(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")], purpose="追逃专项")
    watchlist_run_submit(actor=county.users["investigator"], watch_list_id=wl.pk)
    event = AuditEvent.objects.get(object_type="casework.watchrun")
    assert event.purpose == "追逃专项" and event.action == AuditAction.SEARCH
    assert event.actor == county.users["investigator"]


def test_run_button_redirects_to_the_jobs_progress_page(county, client_for, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    client = client_for(county.users["investigator"])
    resp = client.post(f"/casework/lists/{wl.pk}/run/")
    job = Job.objects.get(kind=JobKind.WATCHLIST)
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    page = client.get(resp["Location"])
    assert page.status_code == 200 and 'data-job-outcome="watchlist"' in page.content.decode()
    event = AuditEvent.objects.get(object_type="casework.watchrun")
    assert event.purpose == "追逃比对" and event.ip == "127.0.0.1"


def test_an_inactive_list_is_refused_before_a_job_is_made(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")], approve=False)
    with pytest.raises(Conflict) as err:
        watchlist_run_submit(actor=county.users["investigator"], watch_list_id=wl.pk)
    assert err.value.code == "list_inactive" and not Job.objects.exists()


def test_a_list_out_of_scope_cannot_be_submitted(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    with pytest.raises(NotFound):
        watchlist_run_submit(actor=county.a.users["chief"], watch_list_id=wl.pk)
    assert not Job.objects.exists()


def test_progress_is_reported_while_comparing(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    seen: list[tuple[int, int | None]] = []
    services.watchlist_run(
        actor=county.users["investigator"], pk=wl.pk, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] >= 2


# --- audit actions ---------------------------------------------------------------------------


def test_approve_withdraw_and_review_have_their_own_audit_actions(county, upload):
    wl = upload([(county.a.person.id_number, "", "", "")])
    services.watchlist_run(actor=county.users["investigator"], pk=wl.pk)
    lead = Lead.objects.get()
    services.lead_review(actor=county.a.users["officer"], pk=lead.pk, decision="reviewing", note="")
    services.watchlist_withdraw(actor=county.users["investigator"], pk=wl.pk)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.APPROVE, AuditAction.WITHDRAW, AuditAction.REVIEW} <= actions
    assert actions <= set(AuditAction.values)


# --- tips ------------------------------------------------------------------------------------


def test_tip_about_a_person_lands_in_the_persons_district(county):
    lead = lead_reports.lead_tip_create(
        actor=county.b.users["officer"], summary="群众举报疑似吸毒", details="电话举报",
        person_id_number=county.b.person.id_number.lower(),
    )  # fmt: skip
    assert lead.source == LeadSource.TIP and lead.person_id == county.b.person.pk
    assert (lead.police_unit_id, lead.division_id) == (county.b.district.pk, county.b.village.pk)
    event = AuditEvent.objects.get(object_type="casework.lead", action=AuditAction.REPORT)
    assert county.b.person.id_number not in json.dumps(event.detail)


def test_tip_about_a_house_lands_in_the_houses_district(county):
    lead = lead_reports.lead_tip_create(
        actor=county.users["investigator"], summary="出租屋可疑", house_id=county.a.house.pk
    )
    assert lead.police_unit_id == county.a.district.pk and lead.house_id == county.a.house.pk
    assert lead.address_id == county.a.house.address_id


def test_tip_without_a_person_or_place_lands_with_the_officer(county):
    lead = lead_reports.lead_tip_create(
        actor=county.a.users["officer"], summary="有人在河边游荡", person_description="中年男性，穿蓝衣"
    )
    assert lead.police_unit_id == county.a.district.pk and lead.person is None
    assert lead.person_description == "中年男性，穿蓝衣"


def test_tip_naming_a_person_out_of_scope_is_a_field_error_and_saves_nothing(county):
    with pytest.raises(InvalidInput) as err:
        lead_reports.lead_tip_create(
            actor=county.a.users["officer"], summary="举报", person_id_number=county.b.person.id_number
        )
    assert set(err.value.fields) == {"person_id_number"}
    assert not Lead.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.REPORT).exists()


def test_tip_with_bad_fields_names_each_field(county):
    with pytest.raises(InvalidInput) as err:
        lead_reports.lead_tip_create(
            actor=county.a.users["officer"], summary="", details="x" * 2001, house_id=county.b.house.pk,
            address_code="nope",
        )  # fmt: skip
    assert set(err.value.fields) == {"summary", "details", "house_id", "address_code"}
    assert not Lead.objects.exists()


def test_tip_page_records_the_lead(county, client_for):
    client = client_for(county.a.users["officer"])
    resp = client.post(
        "/casework/leads/new/", {"summary": "群众举报", "person_id_number": county.a.person.id_number}
    )
    lead = Lead.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/casework/leads/{lead.pk}/"
    assert "群众举报" in client.get(resp["Location"]).content.decode()


def test_tip_page_out_of_scope_person_rerenders_with_the_error(county, client_for):
    resp = client_for(county.a.users["officer"]).post(
        "/casework/leads/new/", {"summary": "群众举报", "person_id_number": county.b.person.id_number}
    )
    assert resp.status_code == 400 and not Lead.objects.exists()


def test_tip_api(county, client_for):
    client = client_for(county.b.users["chief"])
    body = {"summary": "举报", "person_id_number": county.b.person.id_number}
    resp = client.post("/api/casework/leads", json.dumps(body), content_type="application/json")
    assert resp.status_code == 201 and resp.json()["source"] == "tip"
    assert resp.json()["police_unit"] == county.b.district.pk
    body["person_id_number"] = county.a.person.id_number
    resp = client.post("/api/casework/leads", json.dumps(body), content_type="application/json")
    assert resp.status_code == 400 and set(resp.json()["fields"]) == {"person_id_number"}


# --- collection ------------------------------------------------------------------------------


def test_collector_reports_a_lead_from_a_persons_page(county, client_for):
    client = client_for(county.a.users["collector"])
    url = f"/leads/report/?person={county.a.person.pk}"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"summary": "发现该人员疑似网上逃犯", "details": "走访时发现"})
    assert resp.status_code == 302 and resp["Location"] == f"/persons/{county.a.person.pk}/"
    lead = Lead.objects.get()
    assert lead.source == LeadSource.COLLECTION and lead.reported_by == county.a.users["collector"]
    assert lead.police_unit_id == county.a.district.pk


def test_collection_lead_from_a_house_through_the_api(county, client_for):
    body = {"summary": "群租隐患", "house": county.b.house.pk}
    resp = client_for(county.b.users["officer"]).post(
        "/api/casework/leads/report", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 201 and resp.json()["source"] == "collection"
    assert Lead.objects.get().house_id == county.b.house.pk


def test_collection_lead_about_another_stations_record_is_404(county, client_for):
    client = client_for(county.a.users["collector"])
    assert client.get(f"/leads/report/?house={county.b.house.pk}").status_code == 404
    assert client.post(f"/leads/report/?person={county.b.person.pk}", {"summary": "x"}).status_code == 404
    assert client.get("/leads/report/?person=abc").status_code == 404
    assert client.get("/leads/report/").status_code == 404
    assert not Lead.objects.exists()


def test_collection_lead_needs_a_summary(county):
    with pytest.raises(InvalidInput) as err:
        lead_reports.lead_collect(actor=county.a.users["officer"], summary=" ", person_id=county.a.person.pk)
    assert set(err.value.fields) == {"summary"} and not Lead.objects.exists()


# --- upload API ------------------------------------------------------------------------------


def _form(county, content: bytes, name: str = "list.csv", **over):
    data = {
        "name": "在逃", "kind": "wanted", "purpose": "追逃",
        "expires_on": (dt.date.today() + dt.timedelta(days=9)).isoformat(),
        "file": SimpleUploadedFile(name, content),
    }  # fmt: skip
    data.update(over)
    return data


def test_api_upload_creates_a_draft_list(county, client_for):
    client = client_for(county.users["investigator"])
    resp = client.post(
        "/api/casework/watch-lists", _form(county, csv_bytes([(county.a.person.id_number, "", "", "")]))
    )
    assert resp.status_code == 201 and resp.json()["state"] == "draft"
    assert WatchList.objects.get().entries.count() == 1


def test_api_upload_bad_file_is_400_with_field_errors_and_saves_nothing(county, client_for):
    client = client_for(county.users["investigator"])
    resp = client.post("/api/casework/watch-lists", _form(county, b"\x00\x01", name="list.pdf"))
    assert resp.status_code == 400 and set(resp.json()["fields"]) == {"file"}
    resp = client.post(
        "/api/casework/watch-lists",
        _form(county, csv_bytes([("123", "", "", "")]), kind="nope", expires_on="soon"),
    )
    assert resp.status_code == 400 and set(resp.json()["fields"]) == {"kind", "expires_on"}
    resp = client.post("/api/casework/watch-lists", _form(county, csv_bytes([("123", "", "", "")])))
    assert resp.status_code == 400 and "file" in resp.json()["fields"]
    assert not WatchList.objects.exists()


def test_api_upload_refused_to_an_officer(county, client_for):
    resp = client_for(county.a.users["officer"]).post(
        "/api/casework/watch-lists", _form(county, csv_bytes([(county.a.person.id_number, "", "", "")]))
    )
    assert resp.status_code == 403 and not WatchList.objects.exists()
