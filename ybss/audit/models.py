"""The append-only audit log (who read, searched or exported what, and why) and record history.

Both tables refuse UPDATE and DELETE: in Python (``save``/``delete`` raise) and in the database
(triggers created by migration 0002, on SQLite and PostgreSQL). Audit events are hash-chained
(``prev_hash`` → ``hash``), so an edit made behind the database's back shows up in
``audit.services.verify_chain``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("append-only table")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("append-only table")


class AuditAction(models.TextChoices):
    READ = "read", _("Read record")
    SEARCH = "search", _("Search")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    LOGIN = "login", _("Sign in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign out")
    DENIED = "denied", _("Access denied")
    APPROVE = "approve", _("Approve")
    WITHDRAW = "withdraw", _("Withdraw")
    REVIEW = "review", _("Review")
    REPORT = "report", _("Report a lead")


class AuditEvent(AppendOnly):
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    result_count = models.IntegerField(_("result count"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_type}"


class HistoryAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    STATUS = "status", _("Status changed")
    VOID = "void", _("Voided")
    MERGE = "merge", _("Merged")
    IMPORT = "import", _("Imported")


class RecordHistory(AppendOnly):
    """One row per change of a business record: who, when, what changed (old → new) and why."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.BigIntegerField(_("record id"))
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=16, choices=HistoryAction.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("record history")
        verbose_name_plural = _("record history")
        ordering = ["record_type", "record_id", "id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="history_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_type}#{self.record_id} v{self.version} {self.action}"
