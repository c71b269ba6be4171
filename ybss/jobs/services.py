"""Writes of the jobs app: submit a job, run it to its end, fail the jobs a dead process left,
forget old files.

A job's files live in ``settings.YBSS_JOBS_DIR / <id>``; the uploaded input is deleted when the
job ends (it holds personal data and is no longer needed); results are kept for
``YBSS_JOB_FILES_DAYS`` days after the job ends, then deleted with the folder.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ybss.core.errors import AppError, Conflict, Forbidden, InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.transfer.columns import KINDS
from ybss.transfer.exporting import FORMATS, active_filters, make_filters

from . import runner
from .models import OPEN_STATES, Job, JobKind, JobState

logger = logging.getLogger("ybss.jobs")

#: File types the importer reads.
IMPORT_SUFFIXES = (".csv", ".xlsx", ".xls")


def jobs_dir() -> Path:
    return Path(settings.YBSS_JOBS_DIR)


def job_folder(job_id: int) -> Path:
    """The folder of one job's files (not created here)."""
    return jobs_dir() / str(job_id)


def job_path(relative: str) -> Path:
    """A stored relative file path of a job, as a path under ``YBSS_JOBS_DIR``."""
    return jobs_dir() / relative


def _relative(path: Path) -> str:
    return path.relative_to(jobs_dir()).as_posix()


def _save_upload(job_id: int, upload: File, suffix: str) -> str:
    folder = job_folder(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"input{suffix}"
    with open(target, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return _relative(target)


def job_submit(
    *,
    actor: User,
    kind: str,
    params: Mapping[str, Any],
    upload: File | None = None,
    upload_suffix: str = "",
) -> Job:
    """Create a job of ``kind`` for ``actor`` and hand it to the runner (``YBSS_JOB_RUNNER``).

    ``upload`` is copied into the job's folder as ``input<upload_suffix>`` first. The caller has
    checked the actor's role for the job. With the inline runner the returned job has finished;
    with the thread runner it starts once the caller's transaction (if any) commits.
    """
    if kind not in JobKind.values:
        raise InvalidInput(code="job.unknown_kind")
    jobs_purge_expired_files()
    with transaction.atomic():
        job = Job.objects.create(kind=kind, actor=actor, params=dict(params), worker=runner.worker_id())
        runner.register(job.pk)  # before anyone can see the row: a sweep must not take it for dead
        if upload is not None:
            job.input_file = _save_upload(job.pk, upload, upload_suffix)
            job.save(update_fields=["input_file"])
    runner.dispatch(job)
    job.refresh_from_db()
    return job


def import_submit(
    *,
    actor: User,
    kind: str,
    upload: File,
    file_name: str,
    dry_run: bool = False,
    good_rows: bool = False,
    language: str = "",
) -> Job:
    """Start an import of ``upload`` (csv/xlsx/xls, named ``file_name``) of ``kind`` as ``actor``.

    Forbidden unless the actor may edit business data; InvalidInput ``import.file_type`` for
    another file type, ``unknown_kind`` for an unknown kind. The rows are checked and written by
    ``transfer.importing.run_import`` in the job (``jobs.tasks``)."""
    if not (jurisdiction.can_edit(actor) and jurisdiction.can_see_business_data(actor)):
        raise Forbidden()
    if kind not in KINDS:
        raise InvalidInput(code="unknown_kind", fields={"kind": [gettext_lazy("Unknown kind of record.")]})
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise InvalidInput(
            code="import.file_type",
            fields={"file": [gettext_lazy("Choose a csv, xlsx or xls file.")]},
        )
    params = {
        "kind": kind,
        "file_name": PurePath(file_name).name[:255],
        "dry_run": bool(dry_run),
        "good_rows": bool(good_rows),
        "language": language or settings.LANGUAGE_CODE,
    }
    return job_submit(actor=actor, kind=JobKind.IMPORT, params=params, upload=upload, upload_suffix=suffix)


def export_submit(
    *,
    actor: User,
    kind: str,
    filters: Any = None,
    fmt: str = "xlsx",
    purpose: str = "",
    ip: str | None = None,
    language: str = "",
) -> Job:
    """Start an export of the ``kind`` records ``actor`` may see under ``filters`` (a mapping or the
    list selector's filter dataclass) as ``fmt`` (xlsx or csv).

    Forbidden for roles without ``can_export``; InvalidInput for an unknown kind, format or filter.
    The job calls ``transfer.exporting.export_to_file``, which writes the one audit event of the
    export (channel "web", ``ip``, ``purpose``) when it runs."""
    if not jurisdiction.can_export(actor):
        raise Forbidden()
    if kind not in KINDS:
        raise InvalidInput(code="unknown_kind", fields={"kind": [gettext_lazy("Unknown kind of record.")]})
    if fmt not in FORMATS:
        raise InvalidInput(code="unknown_format", fields={"format": [gettext_lazy("Choose Excel or CSV.")]})
    params = {
        "kind": kind,
        "format": fmt,
        "filters": active_filters(make_filters(kind, filters)),
        "purpose": purpose[:200],
        "ip": ip or "",
        "language": language or settings.LANGUAGE_CODE,
    }
    return job_submit(actor=actor, kind=JobKind.EXPORT, params=params)


def duplicate_scan_submit(*, actor: User, language: str = "") -> Job:
    """Start a duplicate address check (查重) for ``actor``, or return the one they started that
    has not ended yet. Forbidden for users who may see no business data.

    The job searches the whole county and stores the groups (``cleaning.services.
    duplicate_scan_run``); pages show each user only the groups inside their jurisdiction."""
    if not jurisdiction.can_see_business_data(actor):
        raise Forbidden()
    runner.ensure_swept()  # a job a dead process left "running" is not one to wait for
    open_job = (
        Job.objects.filter(actor=actor, kind=JobKind.DUPLICATES, state__in=OPEN_STATES)
        .order_by("-id")
        .first()
    )
    if open_job is not None:
        return open_job
    params = {"language": language or settings.LANGUAGE_CODE}
    return job_submit(actor=actor, kind=JobKind.DUPLICATES, params=params)


def quality_scan_submit(*, actor: User, language: str = "") -> Job:
    """Start the county-wide quality scan (质量审查) as a background job, or return the one still
    running. County supervisors and admins only: the scan updates everyone's problem ledger."""
    from ybss.org.models import Role

    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden()
    runner.ensure_swept()
    open_job = (
        Job.objects.filter(actor=actor, kind=JobKind.QUALITY, state__in=OPEN_STATES).order_by("-id").first()
    )
    if open_job is not None:
        return open_job
    return job_submit(
        actor=actor, kind=JobKind.QUALITY, params={"language": language or settings.LANGUAGE_CODE}
    )


def rates_refresh_submit(*, actor: User, language: str = "") -> Job:
    """Count today's rates now as a background job (any user who sees business data: the count is
    county-wide and shows nothing by itself), or return the one still running."""
    if not jurisdiction.can_see_business_data(actor):
        raise Forbidden()
    runner.ensure_swept()
    open_job = Job.objects.filter(kind=JobKind.RATES, state__in=OPEN_STATES).order_by("-id").first()
    if open_job is not None:
        return open_job
    return job_submit(
        actor=actor, kind=JobKind.RATES, params={"language": language or settings.LANGUAGE_CODE}
    )


def bulletin_issue_submit(*, actor: User, bulletin_id: int, language: str = "") -> Job:
    """Issue a bulletin draft as a background job (rendering takes seconds), or return the job
    already issuing it. Supervisors and admins of a county bureau only; the draft must be in scope
    and still a draft (Conflict ``bulletin.not_draft`` otherwise)."""
    from ybss.supervision.bulletins import bulletin_get
    from ybss.supervision.models import BulletinState

    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    b = bulletin_get(actor=actor, pk=bulletin_id)
    if b.state != BulletinState.DRAFT:
        raise Conflict(_("This bulletin has already been issued."), code="bulletin.not_draft")
    runner.ensure_swept()
    for job in Job.objects.filter(kind=JobKind.BULLETIN, state__in=OPEN_STATES):
        if job.params.get("bulletin") == b.pk:
            return job
    return job_submit(
        actor=actor,
        kind=JobKind.BULLETIN,
        params={"bulletin": b.pk, "language": language or settings.LANGUAGE_CODE},
    )


def watchlist_run_submit(
    *, actor: User, watch_list_id: int, ip: str | None = None, language: str = ""
) -> Job:
    """Compare a watch list with the population as a background job (a county takes seconds to
    minutes), or return the job already comparing it. The list must be in the actor's scope, the
    actor a watch-list role (``casework.services.watchlist_check_runnable``: NotFound, Forbidden,
    Conflict ``list_inactive``); the job writes the run's audit entry with the list's purpose and
    the submitter's address ``ip``."""
    from ybss.casework.services import watchlist_check_runnable

    wl = watchlist_check_runnable(actor=actor, pk=watch_list_id)
    runner.ensure_swept()
    for job in Job.objects.filter(kind=JobKind.WATCHLIST, state__in=OPEN_STATES):
        if job.params.get("watch_list") == wl.pk:
            return job
    return job_submit(
        actor=actor,
        kind=JobKind.WATCHLIST,
        params={"watch_list": wl.pk, "ip": ip or "", "language": language or settings.LANGUAGE_CODE},
    )


def _error_text(exc: AppError) -> str:
    parts = [str(exc.message)]
    for messages in exc.fields.values():
        parts.extend(str(m) for m in messages)
    return " ".join(dict.fromkeys(parts))


def job_execute(*, job_id: int) -> None:
    """Run queued job ``job_id`` to its end in this thread: claim it (queued → running), call its
    task, then record the result and files (succeeded) or a message in the job's language
    (failed). A failing task never raises from here; the uploaded input is deleted either way, and
    a failed job's folder (half-written results) with it."""
    from .tasks import TASKS  # the tasks import the transfer services, which import much

    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, worker=runner.worker_id()
    )
    if not claimed:
        return
    job = Job.objects.select_related("actor").get(pk=job_id)
    reporter = runner.Reporter(job_id)
    state = JobState.FAILED
    try:
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            try:
                outcome = TASKS[job.kind](job, reporter)
            except AppError as exc:
                _finish(job, reporter, state=state, error_code=exc.code, error=_error_text(exc))
            except Exception:
                logger.exception("job %s (%s) failed", job.pk, job.kind)
                message = _(
                    "The job stopped because of an internal error (job %(id)s). Try again later; if it "
                    "happens again, tell the administrator (the server log has the details)."
                ) % {"id": job.pk}
                _finish(job, reporter, state=state, error_code="job.internal", error=message)
            else:
                files = {
                    name: {"path": _relative(path), "name": download}
                    for name, (path, download) in outcome.files.items()
                }
                _finish(job, reporter, state=JobState.SUCCEEDED, result=outcome.result, files=files)
                state = JobState.SUCCEEDED
    finally:
        if job.input_file:
            job_path(job.input_file).unlink(missing_ok=True)
        if state == JobState.FAILED:
            shutil.rmtree(job_folder(job.pk), ignore_errors=True)


def _finish(job: Job, reporter: runner.Reporter, *, state: str, **values: Any) -> None:
    p = reporter.current()
    Job.objects.filter(pk=job.pk).update(
        state=state,
        stage=p.stage,
        done=p.done,
        total=p.total,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        **values,
    )


def jobs_fail_interrupted() -> int:
    """Fail every open job whose process is gone (``runner.is_dead``) with the message that it was
    interrupted; returns how many. Safe to run at any time from any process."""
    stale = float(getattr(settings, "YBSS_JOB_STALE_SECONDS", 3600))
    failed = 0
    for job in Job.objects.filter(state__in=OPEN_STATES).only(
        "id", "state", "worker", "created_at", "started_at", "heartbeat_at", "input_file", "params"
    ):
        if not runner.is_dead(job, stale_after=stale):
            continue
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            message = _("The job was interrupted (the server stopped while it ran). Start it again.")
        failed += Job.objects.filter(pk=job.pk, state=job.state).update(
            state=JobState.FAILED, error_code="job.interrupted", error=message, finished_at=timezone.now()
        )
        if job.input_file:
            job_path(job.input_file).unlink(missing_ok=True)
    return failed


def jobs_purge_expired_files(*, now: dt.datetime | None = None) -> int:
    """Delete the folders of jobs that ended more than ``YBSS_JOB_FILES_DAYS`` days ago (exported
    personal data does not stay on the server); the jobs keep their summary. Returns how many."""
    days = float(getattr(settings, "YBSS_JOB_FILES_DAYS", 7))
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    purged = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(files={}).only("id", "files"):
        shutil.rmtree(job_folder(job.pk), ignore_errors=True)
        purged += Job.objects.filter(pk=job.pk).update(files={})
    return purged
