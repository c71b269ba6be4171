"""One background job (a web import or export, a duplicate address check): who started it, its
state and progress, its parameters, result and files.

A job belongs to the user who started it; nobody else sees it (``selectors.job_get``). Files live
under ``settings.YBSS_JOBS_DIR`` (``<data dir>/jobs/<id>/``); ``input_file`` and ``files`` hold
paths relative to that folder, so the data folder can move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    DUPLICATES = "duplicates", _("Duplicate address check")
    QUALITY = "quality", _("Quality scan")
    RATES = "rates", _("Rate count")
    BULLETIN = "bulletin", _("Bulletin issue")
    WATCHLIST = "watchlist", _("Watch-list comparison")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


#: States a job can still leave.
OPEN_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=JobKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED, db_index=True
    )
    #: What the job is doing now: "validate" / "write" (imports), "export", "duplicates"; "" before
    #: it starts.
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    #: Rows the stage will handle; null while unknown.
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    input_file = models.CharField(_("input file"), max_length=255, blank=True)
    #: name → {"path": relative path, "name": the file name offered for download}
    files = models.JSONField(_("files"), default=dict, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    #: "host:pid" of the process that runs the job: how a restarted server knows it died.
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: Last progress write; a job on another host silent for long is taken as dead.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor", "-id"], name="jobs_job_actor_recent")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state not in OPEN_STATES
