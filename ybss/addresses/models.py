"""The standard address (标准地址): gazetteer elements, door plates (门楼牌) and room addresses (层户)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ybss.core.models import BusinessRecord


class ElementKind(models.TextChoices):
    """GA/T 2000.32-2014 element codes used for named places below the village level."""

    GROUP = "34", _("Villager group")
    STREET = "41", _("Street / road / lane")
    COMPOUND = "42", _("Residential compound")
    UNIT_YARD = "43", _("Unit yard")
    NATURAL_VILLAGE = "44", _("Natural village")


class AddressElement(models.Model):
    """A named place the gazetteer knows: 街路巷, 小区, 单位院, 自然村, 组. The address parser and
    matcher learn the county's own names from this table."""

    kind = models.CharField(_("kind"), max_length=2, choices=ElementKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=60, db_index=True)
    division = models.ForeignKey(
        "org.AdminDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    class Meta:
        verbose_name = _("address element")
        verbose_name_plural = _("address elements")
        constraints = [
            models.UniqueConstraint(fields=["division", "kind", "name"], name="element_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AddressLevel(models.TextChoices):
    DOOR = "door", _("Door plate")
    ROOM = "room", _("Unit / floor / room")


class CoordSystem(models.TextChoices):
    WGS84 = "WGS84", "WGS-84"
    GCJ02 = "GCJ02", "GCJ-02"
    BD09 = "BD09", "BD-09"


class MarkState(models.TextChoices):
    UNMARKED = "unmarked", _("Not marked")
    MARKED = "marked", _("Marked, unconfirmed")
    CONFIRMED = "confirmed", _("Marked and confirmed")


class CleanState(models.TextChoices):
    RAW = "raw", _("Not cleaned")
    CLEANED = "cleaned", _("Cleaned")
    MERGED = "merged", _("Merged into another")


class StandardAddress(BusinessRecord):
    """A door plate (``level=door``) or a room address under one (``level=room``).

    ``code`` is stable and unique (division code + element + building + unit/room); ``full_name``
    is derived by ``addresses.naming.full_name`` and stored for search. Coordinates are stored
    in WGS-84; the system they were captured in is kept in ``coord_source``.
    """

    code = models.CharField(_("address code"), max_length=48, unique=True)
    level = models.CharField(_("level"), max_length=4, choices=AddressLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rooms",
        verbose_name=_("door plate"),
    )
    road = models.ForeignKey(
        AddressElement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("street or group"),
    )
    compound = models.ForeignKey(
        AddressElement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compound or yard"),
    )
    door_prefix = models.CharField(_("door number prefix"), max_length=10, blank=True)
    door_number = models.CharField(_("door number"), max_length=10, blank=True)
    door_suffix = models.CharField(_("door number suffix"), max_length=10, blank=True)
    sub_number = models.CharField(_("sub-number"), max_length=10, blank=True)
    building = models.CharField(_("building"), max_length=20, blank=True)
    common_name = models.CharField(_("common name"), max_length=60, blank=True)
    unit_no = models.CharField(pgettext_lazy("building entrance", "unit"), max_length=10, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    room_no = models.CharField(_("room"), max_length=10, blank=True)
    full_name = models.CharField(_("full name"), max_length=200, db_index=True)
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    coord_source = models.CharField(
        _("captured coordinate system"), max_length=5, choices=CoordSystem.choices, blank=True
    )
    mark_state = models.CharField(
        _("marking"), max_length=10, choices=MarkState.choices, default=MarkState.UNMARKED, db_index=True
    )
    marked_source = models.CharField(_("marking source"), max_length=20, blank=True)
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    clean_state = models.CharField(
        _("cleaning"), max_length=8, choices=CleanState.choices, default=CleanState.RAW, db_index=True
    )
    cleaned_at = models.DateTimeField(_("cleaned at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        indexes = [
            models.Index(fields=["police_unit", "status"], name="address_unit_status_idx"),
            models.Index(fields=["division", "status"], name="address_div_status_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class AddressAlias(models.Model):
    class Kind(models.TextChoices):
        ALIAS = "alias", _("Alias")
        OLD = "old", _("Former name")
        COMMON = "common", _("Common name")

    address = models.ForeignKey(
        StandardAddress, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("address")
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ALIAS)

    class Meta:
        verbose_name = _("address alias")
        verbose_name_plural = _("address aliases")
        constraints = [models.UniqueConstraint(fields=["address", "name"], name="alias_unique_per_address")]

    def __str__(self) -> str:
        return self.name
