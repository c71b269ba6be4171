"""How a job runs: dispatch by ``settings.YBSS_JOB_RUNNER``, progress reporting, and the sweep of
jobs whose process died.

* ``"thread"`` (the default): once the submitting transaction commits, a daemon thread of the
  serving process runs the job and closes its own database connections when it ends. Imports run
  one at a time per process (a second one stays queued until the first ends).
* ``"inline"``: the job runs inside the caller, before ``job_submit`` returns (the test settings).

Progress: a task calls ``Reporter.stage(name)`` and ``Reporter(done, total)``. The values are kept in
memory at once (``live_progress``, which the status endpoint of the same process reads) and written
to the job row at most every ``YBSS_JOB_PROGRESS_SECONDS``. While the task's own transaction is
open (an import's write stage) only memory is updated: a write there would stay invisible until the
commit, and on SQLite it would wait on the import's own write lock. Progress writes are best effort:
a busy database skips one, it never fails the job.

A job's ``worker`` is ``host:pid`` of the process that runs it. A process that dies leaves its jobs
"running"; ``ensure_swept`` fails them as interrupted the first time a process dispatches a job or
shows a job page (``AppConfig.ready`` may not touch the database), and ``ybss serve`` sweeps at start.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from .models import Job

logger = logging.getLogger("ybss.jobs")

HOST = socket.gethostname()
RUNNERS = ("thread", "inline")


def worker_id() -> str:
    """``host:pid`` of this process (read at call time: a forked process has its own pid)."""
    return f"{HOST}:{os.getpid()}"


@dataclass
class LiveProgress:
    stage: str = ""
    done: int = 0
    total: int | None = None


#: Jobs of these kinds run one at a time in a process (the others wait, queued): two imports would
#: contend for the same rows and, on SQLite, for the one write lock.
_slots: dict[str, threading.Semaphore] = {"import": threading.Semaphore(1)}

_live: dict[int, LiveProgress] = {}
_live_lock = threading.Lock()
_swept = False
_sweep_lock = threading.Lock()


def live_progress(job_id: int) -> LiveProgress | None:
    """The in-memory progress of a job this process is running (None otherwise); a copy."""
    with _live_lock:
        p = _live.get(job_id)
        return LiveProgress(p.stage, p.done, p.total) if p is not None else None


def runs_here(job_id: int) -> bool:
    """Whether this process has taken ``job_id`` on (dispatched and not yet finished)."""
    with _live_lock:
        return job_id in _live


def register(job_id: int) -> None:
    with _live_lock:
        _live.setdefault(job_id, LiveProgress())


def forget(job_id: int) -> None:
    with _live_lock:
        _live.pop(job_id, None)


def _atomic_depth() -> int:
    return len(connection.atomic_blocks)


class Reporter:
    """The progress callbacks handed to a task: ``stage(name)`` and ``reporter(done, total)``."""

    def __init__(self, job_id: int, *, interval: float | None = None) -> None:
        self.job_id = job_id
        self.interval = (
            interval if interval is not None else float(getattr(settings, "YBSS_JOB_PROGRESS_SECONDS", 0.5))
        )
        self._depth = _atomic_depth()
        self._last = 0.0
        self.writes = 0
        register(job_id)

    def _set(self, **values: Any) -> LiveProgress:
        with _live_lock:
            p = _live.setdefault(self.job_id, LiveProgress())
            for k, v in values.items():
                setattr(p, k, v)
            return LiveProgress(p.stage, p.done, p.total)

    def stage(self, name: str) -> None:
        self._set(stage=name, done=0, total=None)
        self.flush()

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is None:
            self._set(done=done)
        else:
            self._set(done=done, total=total)
        if time.monotonic() - self._last >= self.interval:
            self.flush()

    def current(self) -> LiveProgress:
        return live_progress(self.job_id) or LiveProgress()

    def flush(self) -> None:
        """Write the progress to the job row, unless the task's own transaction is open."""
        if _atomic_depth() > self._depth:
            return
        p = self.current()
        try:
            Job.objects.filter(pk=self.job_id).update(
                stage=p.stage, done=p.done, total=p.total, heartbeat_at=timezone.now()
            )
        except DatabaseError:  # a busy SQLite: the next write will catch up
            logger.warning("job %s: progress not written (database busy)", self.job_id)
            return
        self._last = time.monotonic()
        self.writes += 1


def dispatch(job: Job) -> None:
    """Hand ``job`` (queued, committed or about to be) to the configured runner."""
    mode = getattr(settings, "YBSS_JOB_RUNNER", "thread")
    if mode not in RUNNERS:
        raise ImproperlyConfigured(f"YBSS_JOB_RUNNER must be one of {RUNNERS}, not {mode!r}")
    ensure_swept()
    register(job.pk)
    if mode == "inline":
        run(job.pk)
    else:
        transaction.on_commit(lambda: _start_thread(job.pk, job.kind))


def _start_thread(job_id: int, kind: str) -> None:
    threading.Thread(target=_thread_main, args=(job_id, kind), name=f"ybss-job-{job_id}", daemon=True).start()


def _thread_main(job_id: int, kind: str) -> None:
    slot = _slots.get(kind)
    try:
        if slot is not None:
            with slot:
                run(job_id)
        else:
            run(job_id)
    except Exception:  # run() records failures itself; this is the database itself failing
        logger.exception("job %s: the runner failed", job_id)
    finally:
        forget(job_id)
        connections.close_all()  # this thread's connections only


def run(job_id: int) -> None:
    """Run one queued job to its end (succeeded or failed). Never raises for a failing task."""
    from .services import job_execute

    try:
        job_execute(job_id=job_id)
    finally:
        forget(job_id)


def ensure_swept() -> None:
    """Fail the jobs dead processes left open, once per process."""
    global _swept
    if _swept:
        return
    with _sweep_lock:
        if _swept:
            return
        from .services import jobs_fail_interrupted

        try:
            jobs_fail_interrupted()
        except DatabaseError:  # e.g. before migrate: try again next time
            logger.warning("jobs: could not sweep interrupted jobs", exc_info=True)
            return
        _swept = True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    except OSError:
        return False
    return True


def is_dead(job: Job, *, stale_after: float) -> bool:
    """Whether an open ``job`` has lost its process: on this host, by its pid (this very process:
    whether it still holds the job); on another host, by ``stale_after`` seconds without progress."""
    host, _sep, pid = job.worker.rpartition(":")
    if host == HOST and pid.isdigit():
        if int(pid) == os.getpid():
            return not runs_here(job.pk)
        return not pid_alive(int(pid))
    last = job.heartbeat_at or job.started_at or job.created_at
    return last is None or (timezone.now() - last).total_seconds() > stale_after
