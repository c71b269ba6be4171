"""Records of the cleaning workflow (清理) that have no home on the address itself.

The queue items are ``ybss.transfer.models.AddressCleaningItem`` (written by imports); merges are
recorded on the addresses (``clean_state`` "merged", ``merged_into``) and in their history. What is
left is the officer's word that two addresses the matcher pairs are *not* the same place, so the
pair is not proposed again (``ybss.addresses.matching.find_duplicates`` skips it), and the stored
result of the duplicate search (``DuplicateScan``), which takes seconds at county scale and so
runs as a background job rather than on every page view.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class NotDuplicate(models.Model):
    """Two standard addresses an officer checked and found to be different places.

    The pair is stored once, ordered: ``address_a_id < address_b_id`` (``ordered_pair``).
    """

    address_a = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, related_name="+", verbose_name=_("address")
    )
    address_b = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other address"),
    )
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
            models.UniqueConstraint(fields=["address_a", "address_b"], name="not_duplicate_once"),
            models.CheckConstraint(condition=Q(address_a__lt=F("address_b")), name="not_duplicate_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.address_a_id} ≠ {self.address_b_id}"

    @staticmethod
    def ordered_pair(a: int, b: int) -> tuple[int, int]:
        """The pair as stored: the smaller id first."""
        return (a, b) if a < b else (b, a)


class DuplicateScan(models.Model):
    """One finished run of the duplicate search (查重) and, in ``members``, the groups it found.

    A scan covers the whole county unless ``scoped`` (then only ``actor``'s jurisdiction, as a
    command run with ``--user``) and, when ``division_prefix`` is set, only that division subtree.
    The row and its members are written together when the search has ended, so a scan is never
    half stored. Pages never show a scan as it is: ``selectors.duplicate_scan_groups`` narrows it
    to the viewer's jurisdiction and drops what was merged or marked "not a duplicate" since.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("Empty for a run from the command line without a user."),
    )
    scoped = models.BooleanField(_("limited to the jurisdiction of who started it"), default=False)
    division_prefix = models.CharField(_("division code prefix"), max_length=12, blank=True)
    job = models.ForeignKey(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background job"),
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), db_index=True)
    group_count = models.PositiveIntegerField(_("groups found"), default=0)
    address_count = models.PositiveIntegerField(_("addresses in the groups"), default=0)

    class Meta:
        verbose_name = _("duplicate address check")
        verbose_name_plural = _("duplicate address checks")

    def __str__(self) -> str:
        return f"DuplicateScan #{self.pk} ({self.group_count})"


class DuplicateMember(models.Model):
    """One address of one group of a ``DuplicateScan``; ``position`` 0 is the suggested survivor.

    A snapshot: merging or voiding an address later leaves these rows alone (``merge.HANDLERS``);
    the page leaves out what is no longer live."""

    scan = models.ForeignKey(
        DuplicateScan, on_delete=models.CASCADE, related_name="members", verbose_name=_("check")
    )
    group = models.PositiveIntegerField(_("group"))
    position = models.PositiveSmallIntegerField(_("position"))
    address = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.CASCADE, related_name="+", verbose_name=_("address")
    )

    class Meta:
        verbose_name = _("address in a group of duplicates")
        verbose_name_plural = _("addresses in groups of duplicates")
        constraints = [
            models.UniqueConstraint(fields=["scan", "group", "position"], name="duplicate_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scan_id}/{self.group}/{self.position}: {self.address_id}"
