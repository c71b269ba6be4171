"""The problem ledger (问题台账), rule settings, "not a duplicate" decisions and scan runs.

A ``Problem`` is one finding the scan keeps following: the record (and its 来源编号 when it was
imported), category and rule, severity, score and evidence, the responsible collector and
officer, a deadline, and a state. Problems are stamped with the record's division and police
district, so ``org.jurisdiction.scope`` applies to them unchanged. The scan updates a problem
whose finding it meets again (by ``fingerprint``) and marks one it no longer meets as fixed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ProblemState(models.TextChoices):
    OPEN = "open", _("Open")
    FIXED = "fixed", _("Fixed")
    CONFIRMED = "confirmed", _("Confirmed true")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")


#: States in which a problem still needs someone to act.
ACTIVE_STATES = frozenset({ProblemState.OPEN, ProblemState.OVERDUE, ProblemState.ESCALATED})


class Problem(models.Model):
    """问题: one finding on one record, followed until it is fixed or confirmed true."""

    fingerprint = models.CharField(max_length=40, unique=True)
    rule = models.CharField(_("rule"), max_length=60, db_index=True)
    rule_version = models.PositiveSmallIntegerField(_("rule version"), default=1)
    category = models.CharField(_("category"), max_length=30, db_index=True)
    severity = models.CharField(_("severity"), max_length=10)
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.BigIntegerField(_("record id"))
    source_ref = models.CharField(_("source record number"), max_length=64, blank=True)
    related = models.JSONField(_("related records"), default=list, blank=True)
    score = models.FloatField(_("score"), default=1.0)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible collector"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible officer"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ProblemState.choices, default=ProblemState.OPEN, db_index=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first found"))
    last_seen = models.DateTimeField(_("last found"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    division = models.ForeignKey(
        "org.AdminDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    police_unit = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police unit")
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-last_seen", "pk"]
        indexes = [
            models.Index(fields=["police_unit", "state"], name="problem_unit_state_idx"),
            models.Index(fields=["record_type", "record_id"], name="problem_record_idx"),
            models.Index(fields=["collector", "state"], name="problem_collector_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.record_type}:{self.record_id}"


class ProblemEvent(models.Model):
    """The history of a problem: found, found again with a new score, assigned, fixed (by a scan
    that no longer finds it, or by a person), confirmed true, overdue, escalated, reopened."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="events", verbose_name=_("problem")
    )
    action = models.CharField(_("action"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.action}"


class RuleSetting(models.Model):
    """The county admin's switch and thresholds for one rule (defaults live in the rule's spec)."""

    code = models.CharField(_("rule"), max_length=60, primary_key=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return self.code


class NotDuplicatePair(models.Model):
    """Two persons (or units) an officer checked and found to be different: the pair is not
    proposed again. Stored once, ordered (``record_a < record_b``)."""

    record_type = models.CharField(_("record type"), max_length=40)
    record_a = models.BigIntegerField()
    record_b = models.BigIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("not a duplicate")
        verbose_name_plural = _("not duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_a", "record_b"], name="quality_not_dup_once"
            ),
            models.CheckConstraint(condition=Q(record_a__lt=F("record_b")), name="quality_not_dup_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_a} ≠ {self.record_b}"


class QualityScan(models.Model):
    """One run of the scan: when, by whom (or the schedule), what it covered and found."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    police_prefix = models.CharField(_("police unit subtree"), max_length=12, blank=True)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    opened = models.PositiveIntegerField(_("problems opened"), default=0)
    fixed = models.PositiveIntegerField(_("problems fixed"), default=0)
    by_category = models.JSONField(_("by category"), default=dict, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("quality scan")
        verbose_name_plural = _("quality scans")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"scan {self.pk} {self.started_at:%Y-%m-%d %H:%M}"
