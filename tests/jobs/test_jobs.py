"""The job facility: submit and run (inline and in a thread), failures recorded and never raised,
throttled progress, the sweep of jobs a dead process left, expiring files, owner-only access."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import connection, transaction  # noqa: F401 (skipif condition)
from django.utils import timezone

from tests.transfer.test_import_support import person_row, write_csv
from ybss.core.errors import Forbidden, InvalidInput, NotFound
from ybss.jobs import runner
from ybss.jobs.models import Job
from ybss.jobs.selectors import job_get, job_progress
from ybss.jobs.services import (
    export_submit,
    import_submit,
    job_execute,
    job_folder,
    job_path,
    jobs_fail_interrupted,
    jobs_purge_expired_files,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _import(county, tmp_path, **options) -> Job:
    path = write_csv(tmp_path / "p.csv", [person_row(1)])
    return import_submit(
        actor=county.a.users["officer"],
        kind="persons",
        upload=ContentFile(path.read_bytes()),
        file_name="名单.csv",
        **options,
    )


def test_an_inline_import_job_runs_to_its_end_and_drops_its_upload(county, tmp_path):
    job = _import(county, tmp_path)
    assert (job.state, job.result["outcome"]) == ("succeeded", "written")
    assert job.stage  # the last stage the import reported
    assert job.started_at and job.finished_at and job.worker == runner.worker_id()
    assert job.input_file == f"{job.pk}/input.csv"
    assert not job_path(job.input_file).exists()  # personal data is not kept once read
    assert job_path(job.files["report"]["path"]).is_file()
    assert job.files["report"]["name"].startswith("名单-")


def test_submit_checks_role_kind_file_type_and_format(county):
    upload = ContentFile(b"x")
    with pytest.raises(Forbidden):
        import_submit(actor=county.users["supervisor"], kind="persons", upload=upload, file_name="a.csv")
    with pytest.raises(InvalidInput) as err:
        import_submit(actor=county.a.users["officer"], kind="aliens", upload=upload, file_name="a.csv")
    assert err.value.code == "unknown_kind"
    with pytest.raises(InvalidInput) as err:
        import_submit(actor=county.a.users["officer"], kind="persons", upload=upload, file_name="a.pdf")
    assert err.value.code == "import.file_type"
    with pytest.raises(Forbidden):
        export_submit(actor=county.a.users["collector"], kind="persons")
    with pytest.raises(InvalidInput) as err:
        export_submit(actor=county.a.users["officer"], kind="persons", fmt="pdf")
    assert err.value.code == "unknown_format"
    with pytest.raises(InvalidInput) as err:
        export_submit(actor=county.a.users["officer"], kind="persons", filters={"colour": "red"})
    assert err.value.code == "unknown_filter"
    assert not Job.objects.exists()


def test_a_service_error_fails_the_job_with_its_code_and_chinese_message(county):
    # an investigator's search without a purpose: person_list refuses it when the job runs
    job = export_submit(actor=county.users["investigator"], kind="persons", filters={"q": "王"})
    assert (job.state, job.error_code) == ("failed", "purpose_required")
    assert CJK.search(job.error)
    assert job.files == {} and not job_folder(job.pk).exists()


def test_an_unexpected_error_fails_the_job_and_is_logged(county, caplog):
    job = Job.objects.create(kind="import", actor=county.a.users["officer"], params={"language": "zh-hans"})
    job_execute(job_id=job.pk)  # no kind, no file: the task breaks
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "job.internal")
    assert CJK.search(job.error) and str(job.pk) in job.error
    assert any(r.levelname == "ERROR" and f"job {job.pk}" in r.getMessage() for r in caplog.records)


def test_a_job_runs_once(county, tmp_path):
    job = _import(county, tmp_path)
    finished_at = job.finished_at
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_progress_is_written_at_most_once_per_interval(county, monkeypatch):
    job = Job.objects.create(kind="import", actor=county.a.users["officer"], state="running")
    clock = [1000.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    reporter = runner.Reporter(job.pk, interval=0.5)
    reporter.stage("validate")
    for done in range(1, 5001):
        reporter(done, 5000)
    assert reporter.writes == 1
    job.refresh_from_db()
    assert (job.stage, job.done, job.total) == ("validate", 0, None)
    assert job_progress(job).done == 5000  # the live figure, from this process's memory
    clock[0] += 0.6
    reporter(5000, 5000)
    job.refresh_from_db()
    assert (reporter.writes, job.done, job.total) == (2, 5000, 5000)
    assert job.heartbeat_at is not None
    runner.forget(job.pk)


def test_progress_inside_the_tasks_own_transaction_stays_in_memory(county):
    job = Job.objects.create(kind="import", actor=county.a.users["officer"], state="running")
    reporter = runner.Reporter(job.pk, interval=0)
    with transaction.atomic():  # an import's write stage
        reporter.stage("write")
        reporter(10, 20)
        assert Job.objects.get(pk=job.pk).stage == ""
    assert reporter.writes == 0
    assert job_progress(Job.objects.get(pk=job.pk)) == job_progress(job)
    assert (job_progress(job).stage, job_progress(job).done, job_progress(job).percent) == ("write", 10, 50)
    runner.forget(job.pk)


def _open_job(county, worker: str, **fields) -> Job:
    return Job.objects.create(
        kind="export", actor=county.a.users["officer"], state="running", worker=worker, **fields
    )


def test_jobs_of_a_dead_process_are_failed_as_interrupted(county):
    dead = _open_job(county, f"{runner.HOST}:{_dead_pid()}", params={"language": "zh-hans"})
    orphan = _open_job(county, runner.worker_id())  # this process, but it does not hold the job
    held = _open_job(county, runner.worker_id())
    runner.register(held.pk)
    alive = _open_job(county, f"{runner.HOST}:1")  # init never dies
    far = _open_job(county, "elsewhere:42", heartbeat_at=timezone.now() - dt.timedelta(hours=2))
    near = _open_job(county, "elsewhere:43", heartbeat_at=timezone.now())
    assert jobs_fail_interrupted() == 3
    states = {j.pk: (j.state, j.error_code) for j in Job.objects.all()}
    for job in (dead, orphan, far):
        assert states[job.pk] == ("failed", "job.interrupted")
    for job in (held, alive, near):
        assert states[job.pk] == ("running", "")
    assert CJK.search(Job.objects.get(pk=dead.pk).error)
    runner.forget(held.pk)


def test_files_are_deleted_some_days_after_the_job_ended(county, tmp_path, settings):
    settings.YBSS_JOB_FILES_DAYS = 7
    job = _import(county, tmp_path)
    assert jobs_purge_expired_files() == 0
    assert jobs_purge_expired_files(now=timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.files == {} and job.result["outcome"] == "written"
    assert not job_folder(job.pk).exists()


def test_a_job_is_its_starters_alone(county, tmp_path):
    job = _import(county, tmp_path)
    assert job_get(actor=county.a.users["officer"], pk=job.pk) == job
    for user in (county.a.users["chief"], county.b.users["officer"], county.users["admin"]):
        with pytest.raises(NotFound):
            job_get(actor=user, pk=job.pk)


def test_an_unknown_runner_is_a_configuration_error(county, settings):
    settings.YBSS_JOB_RUNNER = "celery"
    job = Job.objects.create(kind="export", actor=county.a.users["officer"])
    with pytest.raises(ImproperlyConfigured):
        runner.dispatch(job)


#: The thread runner against SQLite's in-memory test database: its threads share one cache, in
#: which a reader's table lock fails a writer at once (``database table is locked``, no busy
#: wait), so a test polling the job from another thread races the runner. Production SQLite is a
#: WAL file with a busy timeout, where this cannot happen; these tests run on PostgreSQL.
thread_runner = pytest.mark.skipif(
    "connection.vendor == 'sqlite'", reason="in-memory SQLite test database (see thread_runner)"
)


def _wait(*jobs: Job, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    for job in jobs:
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)
            job.refresh_from_db()


@thread_runner
@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_runs_the_job_beside_the_request(county, settings):
    settings.YBSS_JOB_RUNNER = "thread"
    job = export_submit(actor=county.a.users["officer"], kind="persons", fmt="csv")
    _wait(job)
    assert (job.state, job.result.get("rows")) == ("succeeded", 1), job.error
    assert job_path(job.files["export"]["path"]).is_file()
    assert not runner.runs_here(job.pk)


@thread_runner
@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_runs_imports_one_at_a_time(county, settings, tmp_path):
    settings.YBSS_JOB_RUNNER = "thread"
    first = _import(county, tmp_path)
    path = write_csv(tmp_path / "q.csv", [person_row(2)])
    second = import_submit(
        actor=county.a.users["officer"],
        kind="persons",
        upload=ContentFile(path.read_bytes()),
        file_name="b.csv",
    )
    _wait(first, second)
    assert (first.state, second.state) == ("succeeded", "succeeded"), (first.error, second.error)
    a, b = sorted((first, second), key=lambda j: j.started_at)
    assert b.started_at >= a.finished_at
