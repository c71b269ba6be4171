"""Real Chromium: upload a persons csv on the import page, watch the job's progress bar reach the
end and read the summary; and the job page's script following a job's progress by itself.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
The jobs run in a thread of the live server (``YBSS_JOB_RUNNER = "thread"``), as in production
(on PostgreSQL; see ``thread_runner``).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, open_page


@pytest.fixture
def page(browser):
    ctx, p = open_page(browser, **DESKTOP)
    yield p
    ctx.close()


@pytest.fixture
def thread_runner(settings):
    """Jobs in a thread of the live server. Not on SQLite: the test database is in-memory with a
    shared cache, where a reader's table lock fails the job thread's write at once (``database
    table is locked``, no busy wait) — production SQLite is a WAL file with a busy timeout. As
    ``tests/jobs/test_jobs.py::thread_runner``: this runs on PostgreSQL."""
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite test database shares one cache between threads")
    settings.YBSS_JOB_RUNNER = "thread"


def _sign_in(page, live_server, username: str) -> None:
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_officer_uploads_persons_and_watches_the_job_finish(
    county, live_server, page, thread_runner, tmp_path
):
    from tests.transfer.test_import_support import person_row, write_csv

    rows = 400
    csv_path = write_csv(tmp_path / "流动人口.csv", [person_row(n) for n in range(1, rows + 1)])
    _sign_in(page, live_server, county.a.users["officer"].username)
    page.click("nav >> text=导入导出")
    page.wait_for_load_state("networkidle")
    assert "/import/" in page.url
    page.select_option("select[name=kind]", "persons")
    page.set_input_files("input[name=file]", str(csv_path))
    page.click("button:has-text('上传并导入')")
    page.wait_for_url("**/jobs/*/")
    assert page.locator("progress.job-bar").count() == 1
    page.wait_for_selector("[data-job-outcome=written]", timeout=60_000)
    assert page.get_attribute("progress.job-bar", "value") == "100"
    assert page.inner_text("[data-summary=rows]") == f"{rows:,}"
    assert page.inner_text("[data-summary=created]") != "0"
    assert "已全部写入" in page.content()
    assert page.external_requests == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_the_job_page_follows_progress_and_shows_the_summary_when_done(county, live_server, page):
    from django.utils import timezone

    from ybss.jobs.models import Job

    job = Job.objects.create(
        kind="import",
        actor=county.a.users["officer"],
        state="running",
        stage="validate",
        done=10,
        total=40,
        params={"kind": "persons", "file_name": "名单.csv"},
        worker="another-host:1",
        heartbeat_at=timezone.now(),
    )
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/status") else None)
    _sign_in(page, live_server, county.a.users["officer"].username)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    assert page.get_attribute("progress.job-bar", "value") == "25"
    Job.objects.filter(pk=job.pk).update(stage="write", done=30, heartbeat_at=timezone.now())
    page.wait_for_function("document.querySelector('progress.job-bar').value === 30", timeout=15_000)
    assert page.inner_text("[data-job-stage]") == "写入"
    assert "30 / 40 行" in page.inner_text("[data-job-count]")
    Job.objects.filter(pk=job.pk).update(
        state="succeeded",
        finished_at=timezone.now(),
        result={"outcome": "written", "rows": 40, "rows_ok": 40, "created": 40, "issues": []},
    )
    page.wait_for_selector("[data-job-outcome=written]", timeout=15_000)  # reloaded by itself
    assert page.get_attribute("progress.job-bar", "value") == "100"
    assert page.inner_text("[data-summary=rows]") == "40"
    assert polls
