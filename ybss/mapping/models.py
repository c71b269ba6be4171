"""Drawn boundaries (边界) of administrative divisions and police units, for the map and the
marking check (a door plate's point must fall inside its village's, township's and police
district's boundaries where they are drawn)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Boundary(models.Model):
    """The outline of one AdminDivision or one PoliceUnit (exactly one of the two).

    ``geometry`` is a GeoJSON Polygon or MultiPolygon in WGS-84 (``[lng, lat]``), as stored by
    ``mapping.services.boundary_save`` after validation and conversion from the system it was
    drawn in. ``min_lng`` … ``max_lat`` are its bounding box, for bbox queries without a spatial
    index. Geography, not personal data; changes are kept in the record history (``version``).
    """

    division = models.OneToOneField(
        "org.AdminDivision",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="boundary",
        verbose_name=_("division"),
    )
    police_unit = models.OneToOneField(
        "org.PoliceUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="boundary",
        verbose_name=_("police unit"),
    )
    geometry = models.JSONField(_("geometry (GeoJSON, WGS-84)"))
    min_lng = models.FloatField(_("west"))
    min_lat = models.FloatField(_("south"))
    max_lng = models.FloatField(_("east"))
    max_lat = models.FloatField(_("north"))
    vertex_count = models.PositiveIntegerField(_("vertices"), default=0)
    drawn_in = models.CharField(_("drawn in coordinate system"), max_length=5, default="WGS84")
    source = models.CharField(_("source"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")
        ordering = ["division_id", "police_unit_id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(division__isnull=False) & Q(police_unit__isnull=True))
                | (Q(division__isnull=True) & Q(police_unit__isnull=False)),
                name="boundary_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return str(self.owner)

    @property
    def owner(self):  # AdminDivision | PoliceUnit
        return self.division if self.division_id else self.police_unit

    @property
    def owner_code(self) -> str:
        return str(self.division_id or self.police_unit_id)
