"""Bulk imports: one row per import run, and the queue of free-text addresses awaiting cleaning.

``ImportRun`` is written in the same transaction as the records an import writes, so a killed
import leaves no run behind. A file that is rejected (all-or-nothing with errors) still gets a run
row in state ``rejected``, written after the decision, because the cleaning items it queued point
at it; no business record and no history row is written for it.

``AddressCleaningItem`` is what issue 4's cleaning workflow works through: an address cell that
matched no standard address in the importing user's jurisdiction. One pending item per distinct
normalised text and jurisdiction; later sightings bump ``hits`` instead of adding rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    WRITTEN = "written", _("Written")
    PARTIAL = "partial", _("Good rows written, bad rows returned")
    REJECTED = "rejected", _("Rejected")


class ImportRun(models.Model):
    """One import of one file by one user: what, by whom, when, and what it did."""

    kind = models.CharField(_("kind"), max_length=16)
    file_name = models.CharField(_("file name"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices)
    good_rows_only = models.BooleanField(_("good rows only"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    unchanged = models.PositiveIntegerField(_("records unchanged"), default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class CleaningState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Set aside")


class CleaningDecision(models.TextChoices):
    """What the cleaning workflow (``ybss.cleaning.services``) decided for an item."""

    LINKED = "linked", _("Linked to an existing address")
    CREATED = "created", _("New standard address created")
    AUTO = "auto", _("Matched automatically")
    NOT_ADDRESS = "not_address", _("Not an address")
    REJECTED = "rejected", _("Rejected")


class AddressCleaningItem(models.Model):
    """An address cell no standard address matched (地址待清理), queued for the cleaning workflow.

    ``division`` and ``police_unit`` are the importing user's, so the item lands in the queue of
    whoever owns that jurisdiction; either may be empty when the user has only the other.

    The cleaning workflow (``ybss.cleaning.services``) decides each item once: ``state`` becomes
    "resolved" (``decision`` linked / created / auto, ``resolved_address`` set) or "rejected"
    (not an address / rejected, with ``decision_reason``); ``version`` guards against two
    officers deciding the same item, and every decision is a history row on the item.
    """

    raw_text = models.CharField(_("address as written"), max_length=300)
    normalised_text = models.CharField(_("normalised address"), max_length=300, db_index=True)
    source_import = models.ForeignKey(
        ImportRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cleaning_items",
        verbose_name=_("import"),
    )
    kind = models.CharField(_("record kind"), max_length=16, blank=True)
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    source_ref = models.CharField(_("source record number"), max_length=64, blank=True)
    division = models.ForeignKey(
        "org.AdminDivision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("division"),
    )
    police_unit = models.ForeignKey(
        "org.PoliceUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("police unit"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CleaningState.choices, default=CleaningState.PENDING, db_index=True
    )
    hits = models.PositiveIntegerField(_("times seen"), default=1)
    resolved_address = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved to"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    decision = models.CharField(_("decision"), max_length=12, choices=CleaningDecision.choices, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    #: Bumped by every cleaning decision, so two officers cannot decide the same item twice.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("address awaiting cleaning")
        verbose_name_plural = _("addresses awaiting cleaning")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["normalised_text", "division", "police_unit"],
                condition=Q(state="pending"),
                name="cleaning_item_once_pending",
            )
        ]

    def __str__(self) -> str:
        return self.raw_text
