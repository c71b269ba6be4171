"""The import page and import jobs: upload → job → progress → summary, report and fixable file;
dry run; bad uploads; a job is its starter's alone."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.factories import make_id
from tests.transfer.test_import_support import dump, person_row, write_csv
from ybss.jobs.models import Job
from ybss.registry.models import Person

pytestmark = pytest.mark.django_db

BAD_ID = make_id(region="410105", birth="19850615", seq=7)[:-1] + "0"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _csv(tmp_path, rows, name="名单.csv") -> SimpleUploadedFile:
    path = write_csv(tmp_path / "upload.csv", rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def _upload(client, upload, kind="persons", **options):
    data = {"kind": kind, "file": upload, **{k: "on" for k, v in options.items() if v}}
    return client.post(reverse("web:import"), data)


def _job(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def _download(client, job: Job, name: str):
    response = client.get(reverse("web:job_file", args=[job.pk, name]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def test_upload_runs_an_import_job_and_shows_the_summary(county, officer_a, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1), person_row(2)])))
    assert (job.kind, job.state, job.actor) == ("import", "succeeded", county.a.users["officer"])
    assert job.result["outcome"] == "written" and job.result["created"] >= 2
    assert Person.objects.filter(source_ref__in=["SRC-00001", "SRC-00002"]).count() == 2
    page = officer_a.get(reverse("web:job_detail", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-job-outcome="written"' in html and 'data-summary="rows">2<' in html
    assert '<progress class="job-bar" max="100" value="100">' in html


def test_status_endpoint_reports_state_and_progress(county, officer_a, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)])))
    status = officer_a.get(reverse("web:job_status", args=[job.pk])).json()
    assert status["state"] == "succeeded" and status["finished"] is True
    assert status["percent"] == 100
    assert CJK.search(status["state_label"])


def test_the_report_lists_row_level_problems_in_chinese(county, officer_a, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1), person_row(2, 证件号码=BAD_ID)])))
    assert job.result["outcome"] == "rejected"
    assert [(i["row"], i["code"]) for i in job.result["issues"]] == [(3, "id.checksum")]
    html = officer_a.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert 'class="rtable job-issues"' in html and BAD_ID in html
    _summary, issues = _download(officer_a, job, "report").worksheets
    header, *rows = list(issues.iter_rows(values_only=True))
    assert header[:4] == ("行号", "列", "值", "问题")
    ((row, column, value, message, code, _severity),) = rows
    assert (row, column, value, code) == (3, "证件号码", BAD_ID, "id.checksum")
    assert CJK.search(message)
    assert job.result["issues"][0]["message"] == message


def test_a_dry_run_writes_nothing(county, officer_a, tmp_path):
    before = dump()
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)]), dry_run=True))
    assert job.result["outcome"] == "dry_run" and job.result["created"] >= 1
    assert dump() == before
    html = officer_a.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert 'data-job-outcome="dry_run"' in html


def test_good_rows_writes_the_good_ones_and_offers_the_rows_to_correct(county, officer_a, tmp_path):
    upload = _csv(tmp_path, [person_row(1), person_row(2, 证件号码=BAD_ID)])
    job = _job(_upload(officer_a, upload, good_rows=True))
    assert job.result["outcome"] == "partial"
    assert (job.result["rows_ok"], job.result["rows_rejected"]) == (1, 1)
    assert Person.objects.filter(source_ref="SRC-00001").exists()
    assert not Person.objects.filter(source_ref="SRC-00002").exists()
    html = officer_a.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert reverse("web:job_file", args=[job.pk, "fixable"]) in html
    sheet = _download(officer_a, job, "fixable").active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[-1] == "错误说明" and row[1] == BAD_ID


def test_download_names_are_chinese(county, officer_a, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)])))
    response = officer_a.get(reverse("web:job_file", args=[job.pk, "report"]))
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%E5%90%8D%E5%8D%95" in response["Content-Disposition"]  # 名单


def test_another_user_gets_404_for_the_job_its_status_and_files(county, officer_a, client_for, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)])))
    urls = [
        reverse("web:job_detail", args=[job.pk]),
        reverse("web:job_status", args=[job.pk]),
        reverse("web:job_file", args=[job.pk, "report"]),
    ]
    for user in (county.a.users["chief"], county.a.users["collector"], county.users["admin"]):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)


def test_a_missing_file_name_is_404(county, officer_a, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)])))
    assert officer_a.get(reverse("web:job_file", args=[job.pk, "fixable"])).status_code == 404
    assert officer_a.get(reverse("web:job_detail", args=[job.pk + 1000])).status_code == 404


def _field_error(response, field: str, code: str) -> None:
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error(field, code), form.errors.as_data()
    assert all(CJK.search(m) for m in form.errors[field])
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("名单.txt", b"a,b\n1,2\n", "file_type"),
        ("名单.exe", b"MZ\x90\x00", "file_type"),
        ("名单", b"a,b\n", "file_type"),
        ("名单.csv", b"", "empty"),
    ],
)
def test_bad_uploads_get_field_errors(county, officer_a, name, content, code):
    _field_error(_upload(officer_a, SimpleUploadedFile(name, content)), "file", code)


def test_a_file_over_the_size_limit_is_refused(county, officer_a, settings):
    settings.YBSS_IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("大.csv", b"x" * (1024 * 1024 + 1))
    _field_error(_upload(officer_a, big), "file", "file_size")


def test_no_file_and_an_unknown_kind_are_field_errors(county, officer_a):
    response = officer_a.post(reverse("web:import"), {"kind": "aliens", "file": "not a file"})
    _field_error(response, "file", "required")
    assert response.context["form"].has_error("kind", "invalid_choice")
    assert 'class="field-error"' in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_fails_the_import_not_the_page(county, officer_a):
    garbage = SimpleUploadedFile("名单.xlsx", b"\x00\x01 not a zip at all")
    job = _job(_upload(officer_a, garbage))
    assert job.state == "succeeded" and job.result["outcome"] == "rejected"
    assert job.result["issues"][0]["code"] == "file.corrupt"
    assert officer_a.get(reverse("web:job_detail", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("role", ["auditor", "supervisor", "investigator"])
def test_roles_that_may_not_edit_cannot_import(county, client_for, role, tmp_path):
    client = client_for(county.users[role])
    assert client.get(reverse("web:import")).status_code == 403
    assert _upload(client, _csv(tmp_path, [person_row(1)])).status_code == 403
    assert not Job.objects.exists()


def test_import_page_offers_every_template_and_the_template_is_excel(county, officer_a):
    html = officer_a.get(reverse("web:import")).content.decode()
    for kind in ("addresses", "houses", "persons", "units"):
        assert reverse("web:import_template", args=[kind]) in html
    response = officer_a.get(reverse("web:import_template", args=["persons"]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.active.cell(row=1, column=2).value == "*证件号码"  # required columns carry a *
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert officer_a.get("/import/templates/aliens.xlsx").status_code == 404


def test_navigation_leads_editors_to_the_import_page(county, client_for):
    html = client_for(county.a.users["collector"]).get(reverse("web:home")).content.decode()
    assert f'href="{reverse("web:import")}"' in html
    html = client_for(county.users["supervisor"]).get(reverse("web:home")).content.decode()
    assert f'href="{reverse("web:import")}"' not in html
    assert f'href="{reverse("web:jobs")}"' in html
    html = client_for(county.users["auditor"]).get(reverse("web:home")).content.decode()
    assert reverse("web:jobs") not in html


def test_the_running_page_polls_with_a_local_script_and_refreshes_without_it(county, officer_a):
    job = Job.objects.create(
        kind="import", actor=county.a.users["officer"], state="running", stage="validate", done=10,
        total=40, params={"kind": "persons", "file_name": "名单.csv"}, worker="elsewhere:1",
    )  # fmt: skip
    html = officer_a.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert '<script src="/static/web/job.js" defer></script>' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'data-job-status="{reverse("web:job_status", args=[job.pk])}"' in html
    assert 'value="25"' in html
    status = officer_a.get(reverse("web:job_status", args=[job.pk])).json()
    assert (status["stage"], status["done"], status["total"], status["finished"]) == (
        "validate",
        10,
        40,
        False,
    )
    assert status["stage_label"] in html and CJK.search(status["stage_label"])


hostile_files = st.tuples(
    st.sampled_from(["名单.csv", "名单.xlsx", "名单.xls", "a.CSV", "名单.txt", ".csv", "x" * 300 + ".csv"]),
    st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [
                b"PK\x03\x04" + b"\x00" * 40,  # a zip header and nothing else
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,  # an OLE2 header and nothing else
                "姓名,证件号码\n张三,1\n".encode("gb18030"),
                b"=cmd|' /C calc'!A0\n",
                "\ufeff证件号码,姓名\n".encode() + b"\x00" * 20,
            ]
        ),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    ),
    st.sampled_from(["persons", "units", "houses", "addresses"]),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=hostile_files)
def test_hostile_files_never_give_a_500(county, officer_a, case):
    name, content, kind, dry_run, good_rows = case
    before = dump() if dry_run else None
    upload = SimpleUploadedFile(name, content)
    response = _upload(officer_a, upload, kind, dry_run=dry_run, good_rows=good_rows)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        errors = [m for ms in response.context["form"].errors.values() for m in ms]
        assert errors and all(CJK.search(m) for m in errors)
        return
    job = _job(response)
    page = officer_a.get(response["Location"])
    assert page.status_code == 200
    assert job.state in ("succeeded", "failed")
    if job.state == "failed":
        assert CJK.search(job.error), job.error
    if before is not None:
        assert dump() == before


def test_job_pages_load_nothing_from_outside(county, officer_a, tmp_path):
    from django.contrib.staticfiles import finders

    from tests.web.webutil import assert_no_external_assets

    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)])))
    for url in (reverse("web:import"), reverse("web:jobs"), reverse("web:job_detail", args=[job.pk])):
        response = officer_a.get(url)
        assert response.status_code == 200, url
        assert_no_external_assets(response.content.decode())
    script = open(finders.find("web/job.js"), encoding="utf-8").read()
    assert "http" not in script and "eval(" not in script


def test_the_jobs_page_lists_only_ones_own_jobs(county, officer_a, client_for, tmp_path):
    job = _job(_upload(officer_a, _csv(tmp_path, [person_row(1)])))
    mine = officer_a.get(reverse("web:jobs")).content.decode()
    assert reverse("web:job_detail", args=[job.pk]) in mine
    theirs = client_for(county.a.users["chief"]).get(reverse("web:jobs")).content.decode()
    assert reverse("web:job_detail", args=[job.pk]) not in theirs
