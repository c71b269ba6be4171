"""The bulletin pages (/supervision/bulletins/) and API (/api/supervision/bulletins)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.supervision.bulletin_util import make_other_county, pdf_text
from tests.web.webutil import assert_no_external_assets
from ybss.audit.models import AuditEvent
from ybss.supervision import bulletins
from ybss.supervision.models import Bulletin, BulletinState

pytestmark = pytest.mark.django_db

BASE = "/supervision/bulletins/"
API = "/api/supervision/bulletins"


def _today() -> dt.date:
    return timezone.localdate()


def _issued(user) -> Bulletin:
    return bulletins.bulletin_issue(actor=user, bulletin=bulletins.bulletin_draft(actor=user, as_of=_today()))


# --- pages -----------------------------------------------------------------------------------


def test_a_supervisor_drafts_edits_issues_downloads_and_revises_on_the_pages(county, client_for):
    sup = county.users["supervisor"]
    client = client_for(sup)
    form = client.get(f"{BASE}new/")
    assert form.status_code == 200 and 'name="as_of"' in form.content.decode()
    resp = client.post(f"{BASE}new/", {"as_of": _today().isoformat(), "title": ""})
    assert resp.status_code == 302
    b = Bulletin.objects.get()
    assert resp["Location"] == f"{BASE}{b.pk}/"
    page = client.get(resp["Location"]).content.decode()
    for rate in b.content["rates"][:4]:
        assert rate["percent"] in page and rate["label"] in page
    assert 'name="praise"' in page and 'name="confirm"' in page
    assert_no_external_assets(page)
    saved = client.post(
        f"{BASE}{b.pk}/edit/", {"title": "专项通报", "praise": "表扬甲", "criticism": "", "remarks": "要求乙"}
    )
    assert saved.status_code == 302
    b.refresh_from_db()
    assert (b.title, b.praise, b.criticism, b.remarks) == ("专项通报", "表扬甲", "", "要求乙")
    preview = client.get(f"{BASE}{b.pk}/preview.pdf")
    assert preview["Content-Type"] == "application/pdf" and "表扬甲" in pdf_text(preview.content)
    assert Bulletin.objects.get(pk=b.pk).pdf is None  # a preview stores nothing
    unconfirmed = client.post(f"{BASE}{b.pk}/issue/", {})
    assert unconfirmed.status_code == 400 and 'class="field-error"' in unconfirmed.content.decode()
    assert Bulletin.objects.get(pk=b.pk).state == BulletinState.DRAFT
    issued = client.post(f"{BASE}{b.pk}/issue/", {"confirm": "on"})
    assert issued.status_code == 302 and issued["Location"].startswith("/jobs/")  # a background job
    job_page = client.get(issued["Location"]).content.decode()
    assert f"{BASE}{b.pk}/" in job_page  # the finished job links to the bulletin
    b.refresh_from_db()
    assert b.state == BulletinState.ISSUED
    page = client.get(f"{BASE}{b.pk}/").content.decode()
    assert b.digest in page and "表扬甲" in page and 'name="praise"' not in page
    for kind, ctype in (
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        got = client.get(f"{BASE}{b.pk}/files/{kind}/")
        assert got.status_code == 200 and got["Content-Type"] == ctype
        assert got.content == bytes(getattr(b, kind))
        assert "attachment" in got["Content-Disposition"]
    assert AuditEvent.objects.filter(actor=sup, action="export", detail__has_key="format").count() == 3
    assert client.get(f"{BASE}{b.pk}/preview.pdf").status_code == 404
    revised = client.post(f"{BASE}{b.pk}/revise/", {"refresh": "on"})
    v2 = Bulletin.objects.get(supersedes=b)
    assert revised["Location"] == f"{BASE}{v2.pk}/" and v2.version == 2
    versions = client.get(f"{BASE}{v2.pk}/").content.decode()
    assert f"{BASE}{b.pk}/" in versions and 'id="bulletin-versions"' in versions
    again = client.post(f"{BASE}{b.pk}/revise/", {})
    assert again.status_code == 302 and Bulletin.objects.filter(supersedes=b).count() == 1


def test_bad_wording_re_renders_the_draft_with_field_errors(county, client_for):
    sup = county.users["supervisor"]
    b = bulletins.bulletin_draft(actor=sup, as_of=_today(), praise="原文")
    resp = client_for(sup).post(f"{BASE}{b.pk}/edit/", {"title": "长" * 121, "praise": "新"})
    assert resp.status_code == 400 and 'class="field-error"' in resp.content.decode()
    assert Bulletin.objects.get(pk=b.pk).praise == "原文"


@pytest.mark.parametrize(
    "data",
    [
        {"as_of": ""},
        {"as_of": "2026-02-30"},
        {"as_of": "abc"},
        {"as_of": "2999-01-01"},
        {"as_of": "1999-12-31"},
        {"as_of": "2026-01-01", "title": "题" * 121},
    ],
)
def test_a_bad_new_draft_is_a_field_error_and_saves_nothing(county, client_for, data):
    resp = client_for(county.users["supervisor"]).post(f"{BASE}new/", data)
    assert resp.status_code == 400 and 'class="field-error"' in resp.content.decode()
    assert not Bulletin.objects.exists()


def test_the_list_shows_every_version_with_a_bounded_number_of_queries(county, client_for):
    sup = county.users["supervisor"]
    client = client_for(sup)
    first = _issued(sup)
    bulletins.bulletin_revise(actor=sup, bulletin=first)
    _issued(sup)
    with CaptureQueriesContext(connection) as few:
        resp = client.get(BASE)
    for _i in range(4):
        _issued(sup)
    with CaptureQueriesContext(connection) as many:
        resp = client.get(BASE)
    body = resp.content.decode()
    assert resp.status_code == 200 and body.count(f'href="{BASE}') >= 7
    assert f'href="{BASE}new/"' in body
    assert len(many) == len(few) <= 12


@pytest.mark.parametrize("role", ["chief", "officer"])
def test_a_chief_or_officer_reads_and_downloads_but_cannot_draft_issue_or_revise(county, client_for, role):
    sup = county.users["supervisor"]
    issued = _issued(sup)
    draft = bulletins.bulletin_draft(actor=sup, as_of=_today())
    client = client_for(county.b.users[role])
    listing = client.get(BASE).content.decode()
    assert f"{BASE}{issued.pk}/" in listing and f'href="{BASE}new/"' not in listing
    page = client.get(f"{BASE}{issued.pk}/").content.decode()
    assert "/revise/" not in page
    assert client.get(f"{BASE}{issued.pk}/files/pdf/").content == bytes(issued.pdf)
    assert 'name="praise"' not in client.get(f"{BASE}{draft.pk}/").content.decode()
    assert client.get(f"{BASE}new/").status_code == 403
    assert client.post(f"{BASE}new/", {"as_of": _today().isoformat()}).status_code == 403
    assert client.post(f"{BASE}{draft.pk}/issue/", {"confirm": "on"}).status_code == 403
    assert client.post(f"{BASE}{draft.pk}/edit/", {"praise": "x"}).status_code == 403
    assert client.post(f"{BASE}{issued.pk}/revise/", {}).status_code == 403
    assert client.get(f"{BASE}{draft.pk}/preview.pdf").status_code == 403
    assert Bulletin.objects.get(pk=draft.pk).state == BulletinState.DRAFT
    assert Bulletin.objects.count() == 2


def test_a_collector_sees_no_bulletins(county, client_for):
    issued = _issued(county.users["supervisor"])
    client = client_for(county.a.users["collector"])
    listing = client.get(BASE)
    assert listing.status_code == 200 and f"{BASE}{issued.pk}/" not in listing.content.decode()
    for url in (f"{BASE}{issued.pk}/", f"{BASE}{issued.pk}/files/pdf/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{BASE}new/").status_code == 403


def test_another_countys_bulletin_is_not_found_on_every_page(county, client_for):
    other = make_other_county()
    theirs = _issued(other.supervisor)
    draft = bulletins.bulletin_draft(actor=other.supervisor, as_of=_today())
    for user in (county.users["supervisor"], county.a.users["chief"]):
        client = client_for(user)
        assert f"{BASE}{theirs.pk}/" not in client.get(BASE).content.decode()
        for url in (f"{BASE}{theirs.pk}/", f"{BASE}{theirs.pk}/files/pdf/"):
            assert client.get(url).status_code == 404, url
    client = client_for(county.users["supervisor"])
    assert client.post(f"{BASE}{draft.pk}/issue/", {"confirm": "on"}).status_code == 404
    assert client.post(f"{BASE}{draft.pk}/edit/", {"praise": "x"}).status_code == 404
    assert client.post(f"{BASE}{theirs.pk}/revise/", {}).status_code == 404
    assert client.get(f"{BASE}{draft.pk}/preview.pdf").status_code == 404
    assert Bulletin.objects.get(pk=draft.pk).state == BulletinState.DRAFT
    assert not Bulletin.objects.filter(supersedes=theirs).exists()


def test_an_unknown_file_kind_is_not_found(county, client_for):
    issued = _issued(county.users["supervisor"])
    client = client_for(county.users["supervisor"])
    assert client.get(f"{BASE}{issued.pk}/files/html/").status_code == 404
    assert client.get(f"{BASE}999999/").status_code == 404


# --- API -------------------------------------------------------------------------------------


def test_the_api_drafts_edits_issues_revises_and_serves_the_files(county, client_for):
    client = client_for(county.users["supervisor"])
    resp = client.post(API, json.dumps({"as_of": _today().isoformat()}), content_type="application/json")
    assert resp.status_code == 201
    body = resp.json()
    assert (body["number"], body["version"], body["state"], body["files"]) == (1, 1, "draft", [])
    assert body["content"]["rates"][0]["code"] == "address_cleaned"
    pk = body["id"]
    patched = client.patch(f"{API}/{pk}", json.dumps({"praise": "表扬"}), content_type="application/json")
    assert patched.status_code == 200 and patched.json()["praise"] == "表扬"
    issued = client.post(f"{API}/{pk}/issue")
    assert issued.status_code == 200 and issued.json()["state"] == "issued" and issued.json()["digest"]
    assert issued.json()["files"] == ["pdf", "docx", "xlsx"]
    pdf = client.get(f"{API}/{pk}/files/pdf")
    assert pdf.status_code == 200 and pdf.content == bytes(Bulletin.objects.get(pk=pk).pdf)
    again = client.post(f"{API}/{pk}/issue")
    assert again.status_code == 409 and again.json()["code"] == "bulletin.not_draft"
    revised = client.post(
        f"{API}/{pk}/revise", json.dumps({"refresh": True}), content_type="application/json"
    )
    assert revised.status_code == 201 and (revised.json()["version"], revised.json()["supersedes"]) == (2, pk)
    listing = client.get(API).json()
    assert [(b["number"], b["version"]) for b in listing] == [(1, 2), (1, 1)]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"as_of": "2026-02-30"},
        {"as_of": "2999-01-01"},
        {"as_of": "2026-01-01", "title": "x" * 121},
        {"as_of": "2026-01-01", "praise": 5},
        {"as_of": "2026-01-01", "remarks": "a\x00b"},
        {"as_of": ["2026-01-01"]},
    ],
)
def test_the_api_answers_bad_input_with_field_errors(county, client_for, body):
    resp = client_for(county.users["supervisor"]).post(API, json.dumps(body), content_type="application/json")
    assert resp.status_code == 400
    assert set(resp.json()) == {"code", "message", "fields"} and resp.json()["fields"]
    assert not Bulletin.objects.exists()


def test_the_api_refuses_station_users_writes_and_hides_other_counties(county, client_for):
    sup = county.users["supervisor"]
    ours = _issued(sup)
    other = make_other_county()
    theirs = _issued(other.supervisor)
    chief = client_for(county.a.users["chief"])
    assert [b["id"] for b in chief.get(API).json()] == [ours.pk]
    assert chief.get(f"{API}/{ours.pk}").status_code == 200
    resp = chief.post(API, json.dumps({"as_of": _today().isoformat()}), content_type="application/json")
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert chief.post(f"{API}/{ours.pk}/revise", "{}", content_type="application/json").status_code == 403
    for client in (chief, client_for(sup)):
        assert client.get(f"{API}/{theirs.pk}").status_code == 404
        assert client.get(f"{API}/{theirs.pk}/files/pdf").status_code == 404
    assert (
        client_for(sup).post(f"{API}/{theirs.pk}/revise", "{}", content_type="application/json").status_code
        == 404
    )
    collector = client_for(county.a.users["collector"])
    assert collector.get(API).json() == []
    assert collector.get(f"{API}/{ours.pk}").status_code == 404
    assert client_for(sup).get(f"{API}/{ours.pk}/files/html").status_code == 400
