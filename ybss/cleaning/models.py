"""Decisions of the cleaning workflow (清理) that have no home on the address itself.

The queue items are ``ybss.transfer.models.AddressCleaningItem`` (written by imports); merges are
recorded on the addresses (``clean_state`` "merged", ``merged_into``) and in their history. What is
left is the officer's word that two addresses the matcher pairs are *not* the same place, so the
pair is not proposed again (``ybss.addresses.matching.find_duplicates`` skips it).
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
