"""The base every business record shares, and the official code lists kept as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class RecordStatus(models.TextChoices):
    """The record lifecycle: draft → pending → accepted / returned; anything → voided (注销)."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    VOIDED = "voided", _("Voided")


class BusinessRecord(models.Model):
    """Fields every business record carries: both hierarchy paths, lifecycle, version, provenance.

    ``division`` (administrative tree) and ``police_unit`` (police tree) are stamped when the record
    is written and never derived from the writer's current assignment, so history does not move when
    people move. ``org.jurisdiction`` scopes on exactly these two columns.
    """

    division = models.ForeignKey(
        "org.AdminDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    police_unit = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police unit")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT, db_index=True
    )
    status_reason = models.CharField(_("status reason"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    source_ref = models.CharField(_("source record number"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
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
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status != RecordStatus.VOIDED


class Stamped(models.Model):
    """Both hierarchy stamps, for scoping, on rows that are not full business records (collection
    rows, supervision facts, spot checks, bulletins). ``org.jurisdiction.scope`` applies unchanged."""

    division = models.ForeignKey(
        "org.AdminDivision", on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    police_unit = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police unit")
    )

    class Meta:
        abstract = True


class CodeList(models.Model):
    """An official code list (民族, 与户主关系, 特种行业 ...), maintained by the county admin."""

    slug = models.SlugField(primary_key=True, max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80)
    standard = models.CharField(_("standard"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("code list")
        verbose_name_plural = _("code lists")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_zh


class Code(models.Model):
    codelist = models.ForeignKey(CodeList, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=40)
    label_zh = models.CharField(_("label (Chinese)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=120)
    sort = models.PositiveIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["codelist", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["codelist", "code"], name="code_unique_in_list")]

    def __str__(self) -> str:
        return f"{self.code} {self.label_zh}"

    @property
    def label(self) -> str:
        return self.label_en if translation.get_language() == "en" else self.label_zh
