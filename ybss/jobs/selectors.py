"""Reads of the jobs app. A job is its starter's alone: anyone else, whatever their role or
station, gets NotFound (the same answer as for a job that does not exist)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ybss.core.errors import NotFound
from ybss.org import jurisdiction
from ybss.org.models import User

from . import runner
from .models import Job, JobState
from .services import job_path

RECENT = 50


def job_get(*, actor: User, pk: int) -> Job:
    """The job ``pk`` if ``actor`` started it, else NotFound."""
    job = Job.objects.filter(pk=pk, actor=actor).first()
    if job is None:
        raise NotFound()
    return job


def job_list(*, actor: User, limit: int = RECENT) -> list[Job]:
    """The ``limit`` most recent jobs ``actor`` started, newest first."""
    return list(Job.objects.filter(actor=actor).order_by("-id")[:limit])


@dataclass(frozen=True)
class Progress:
    state: str
    stage: str
    done: int
    total: int | None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)

    @property
    def percent(self) -> int | None:
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))


def job_progress(job: Job) -> Progress:
    """The job's progress: this process's live figures while it runs the job here (fresher than
    the row, which is written at most twice a second and not during an import's write stage)."""
    live = runner.live_progress(job.pk) if job.state == JobState.RUNNING else None
    if live is not None and (live.stage or live.done):
        return Progress(job.state, live.stage, live.done, live.total)
    return Progress(job.state, job.stage, job.done, job.total)


def files_expired(job: Job, *, now: dt.datetime | None = None) -> bool:
    """Whether a finished job's files have been deleted (``YBSS_JOB_FILES_DAYS`` after it ended)."""
    days = float(getattr(settings, "YBSS_JOB_FILES_DAYS", 7))
    return bool(
        job.state == JobState.SUCCEEDED
        and not job.files
        and job.finished_at
        and job.finished_at < (now or timezone.now()) - dt.timedelta(days=days)
    )


def job_file(*, actor: User, pk: int, name: str) -> tuple[Path, str]:
    """(path, download name) of file ``name`` ("report", "fixable", "export") of ``actor``'s job
    ``pk``. NotFound when the job is not theirs, the file does not exist or has expired, or the
    actor may no longer see business data."""
    job = job_get(actor=actor, pk=pk)
    entry = job.files.get(name) if isinstance(job.files, dict) else None
    if entry is None or not jurisdiction.can_see_business_data(actor):
        raise NotFound()
    path = job_path(entry["path"])
    if not path.is_file():
        raise NotFound()
    return path, entry["name"]
