"""List exports as background jobs: the list's own filters, the template layout, masking by role,
one audit event per export, and the refusals (role, bad filter, missing purpose, GET)."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import PersonFactory, ResidenceFactory
from ybss.audit.models import AuditEvent
from ybss.jobs.models import Job
from ybss.transfer import columns
from ybss.transfer.templates_xlsx import FIRST_DATA_ROW

pytestmark = pytest.mark.django_db

PERSON = {c.key: i for i, c in enumerate(columns.PERSONS.columns)}
EXPORTS = [
    ("addresses", "addresses.standardaddress", 2),
    ("houses", "registry.house", 1),
    ("persons", "registry.person", 1),
    ("units", "registry.unit", 1),
]


def _export(client, kind: str, params: dict | None = None, fmt: str = "xlsx"):
    url = reverse(f"web:{kind}_export")
    query = urlencode(params or {})
    return client.post(f"{url}?{query}" if query else url, {"format": fmt})


def _job(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.state == "succeeded", job.error
    return job


def _file(client, job: Job) -> bytes:
    response = client.get(reverse("web:job_file", args=[job.pk, "export"]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _xlsx_rows(body: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert rows[-1][0].startswith("导出人：")  # the footer
    return rows[:-1]


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize(("kind", "object_type", "count"), EXPORTS)
def test_export_job_writes_the_file_and_one_audit_event(county, officer_a, kind, object_type, count):
    before = _last_event_id()
    job = _job(_export(officer_a, kind, {"status": "accepted"}))
    assert (job.kind, job.actor, job.result["rows"]) == ("export", county.a.users["officer"], count)
    assert len(_xlsx_rows(_file(officer_a, job))) == count
    (event,) = AuditEvent.objects.filter(id__gt=before, action="export")
    assert (event.object_type, event.result_count, event.channel) == (object_type, count, "web")
    assert event.detail["filters"] == {"status": "accepted"}
    assert event.actor == county.a.users["officer"]
    assert event.ip == "127.0.0.1"
    html = officer_a.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert reverse("web:job_file", args=[job.pk, "export"]) in html


def test_export_holds_exactly_the_rows_the_filtered_list_shows(county, officer_a):
    a = county.a
    stamp = {"division": a.village, "police_unit": a.district}
    women = [PersonFactory(sex="2", **stamp) for _ in range(3)]
    PersonFactory(sex="1", **stamp)
    for p in women[:2]:
        ResidenceFactory(person=p, house=a.house, residence_type="floating", **stamp)
    filters = {"sex": "2", "residence_type": "floating"}
    listed = officer_a.get(reverse("web:persons"), filters).context["page"].object_list
    assert {p.name for p in listed} == {p.name for p in women[:2]}
    rows = _xlsx_rows(_file(officer_a, _job(_export(officer_a, "persons", filters))))
    assert sorted(r[PERSON["name"]] for r in rows) == sorted(p.name for p in listed)


def test_the_list_page_posts_its_current_filters_but_not_the_page(county, officer_a):
    html = officer_a.get(reverse("web:persons"), {"sex": "1", "page": "1"}).content.decode()
    assert f'action="{reverse("web:persons_export")}?sex=1"' in html
    assert 'name="format" value="xlsx"' in html and 'name="format" value="csv"' in html


def test_csv_export_is_the_template_layout_with_a_bom(county, officer_a):
    body = _file(officer_a, _job(_export(officer_a, "persons", fmt="csv")))
    assert body.startswith(b"\xef\xbb\xbf")
    header, row, footer = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == [c.header for c in columns.PERSONS.columns]
    assert row[PERSON["name"]] == county.a.person.name
    assert footer[0].startswith("导出人：officer_a")


def test_export_is_masked_for_a_role_that_sees_masked_ids(county, client_for):
    client = client_for(county.users["supervisor"])
    body = _file(client, _job(_export(client, "persons", fmt="csv"))).decode("utf-8-sig")
    for person in (county.a.person, county.b.person):
        assert person.id_number not in body
        assert person.phone not in body
        assert person.id_number[:6] + "********" + person.id_number[-4:] in body
    units = _file(client, _job(_export(client, "units", fmt="csv"))).decode("utf-8-sig")
    assert county.a.unit.legal_rep_id_number not in units


def test_export_is_scoped(county, officer_a):
    body = _file(officer_a, _job(_export(officer_a, "persons", fmt="csv"))).decode("utf-8-sig")
    assert county.a.person.name in body
    assert county.b.person.name not in body


def test_an_exported_file_imports_back_unchanged(county, officer_a):
    body = _file(officer_a, _job(_export(officer_a, "persons")))
    upload = SimpleUploadedFile("实有人口.xlsx", body)
    response = officer_a.post(reverse("web:import"), {"kind": "persons", "file": upload})
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.result["outcome"] == "written", job.result["issues"]
    assert (job.result["created"], job.result["updated"]) == (0, 0)


@pytest.mark.parametrize("role", ["collector", "auditor"])
def test_roles_without_export_are_refused(county, client_for, role):
    user = county.a.users.get(role) or county.users[role]
    assert _export(client_for(user), "persons").status_code == 403
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_collector_sees_no_export_button(county, client_for):
    html = client_for(county.a.users["collector"]).get(reverse("web:persons")).content.decode()
    assert reverse("web:persons_export") not in html


def test_export_with_bad_filter_is_400_not_500(officer_a):
    response = _export(officer_a, "persons", {"separated": "maybe"})
    assert response.status_code == 400
    assert "separated" in response.context["form"].errors
    assert not Job.objects.exists()


def test_export_with_an_unknown_format_is_400(officer_a):
    response = _export(officer_a, "persons", fmt="pdf")
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_export_needs_post(officer_a):
    assert officer_a.get(reverse("web:persons_export")).status_code == 405
    assert not Job.objects.exists()


def test_investigator_export_of_a_search_needs_purpose(county, client_for):
    client = client_for(county.users["investigator"])
    assert _export(client, "persons", {"q": "王"}).status_code == 400
    _job(_export(client, "persons", {"q": "王", "purpose": "协查通报 12 号"}))
    assert AuditEvent.objects.filter(action="export").latest("id").purpose == "协查通报 12 号"


def test_another_user_cannot_download_the_export(county, officer_a, client_for):
    job = _job(_export(officer_a, "persons"))
    other = client_for(county.a.users["chief"])
    assert other.get(reverse("web:job_file", args=[job.pk, "export"])).status_code == 404
    assert other.get(reverse("web:job_detail", args=[job.pk])).status_code == 404
