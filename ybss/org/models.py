"""The two hierarchies (administrative divisions, police units), users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWN = 4, _("Township / subdistrict")
    VILLAGE = 5, _("Community / village")


#: How many leading digits of a 12-digit code identify a division at each level.
DIVISION_PREFIX_LEN = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class AdminDivision(models.Model):
    """行政区划 (GB/T 2260 + NBS 12-digit statistical code). The primary key is the 12-digit code,
    so a record's ``division_id`` can be scoped by prefix without a join."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=DivisionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    prefix = models.CharField(_("code prefix"), max_length=12, db_index=True)
    full_name = models.CharField(_("full name"), max_length=200)

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def prefix_for(code: str, level: int) -> str:
        return code[: DIVISION_PREFIX_LEN[level]]


class PoliceUnitKind(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("City bureau")
    COUNTY_BUREAU = "county_bureau", _("County bureau")
    STATION = "station", _("Police station")
    DISTRICT = "district", _("Police district")


class PoliceUnit(models.Model):
    """公安机关: 市局 → 县局 → 派出所 → 警务区. Codes nest by prefix like division codes: a
    district's code starts with its station's ``prefix``, a station's with its bureau's."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=PoliceUnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    prefix = models.CharField(_("code prefix"), max_length=12, db_index=True)
    divisions = models.ManyToManyField(
        AdminDivision, blank=True, related_name="police_units", verbose_name=_("covered divisions")
    )

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """The roles of DOMAIN.md §2. What each may do is decided in ``org.jurisdiction``."""

    COLLECTOR = "collector", _("Collector")
    OFFICER = "officer", _("Community officer")
    CHIEF = "chief", _("Station chief")
    SUPERVISOR = "supervisor", _("County supervisor")
    INVESTIGATOR = "investigator", _("Investigator")
    ADMIN = "admin", _("County admin")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    """A person who signs in. Jurisdiction = ``police_unit`` (its subtree) and/or ``division``
    (its subtree); a user with neither sees no business data."""

    full_name = models.CharField(_("full name"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    police_unit = models.ForeignKey(
        PoliceUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("police unit"),
    )
    division = models.ForeignKey(
        AdminDivision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("assigned division"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
        """Create a token; the plain secret is returned once and never stored."""
        key = "ybss_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), expires_at=expires_at)
        return token, key


class NoticeKind(models.TextChoices):
    PERSON_REGISTERED_ELSEWHERE = (
        "person_elsewhere",
        _("A person you hold was registered in another district"),
    )


class Notice(models.Model):
    """A message to a police unit (usually a police district), e.g. that a person it holds was just
    registered living in another district (DOMAIN.md §4). Scoped by ``police_unit`` like business
    records; carries record ids, never personal data in text."""

    police_unit = models.ForeignKey(
        PoliceUnit, on_delete=models.PROTECT, related_name="notices", verbose_name=_("to police unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.BigIntegerField(_("record id"))
    from_unit = models.ForeignKey(
        PoliceUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("read by")
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["police_unit", "read_at"], name="notice_unit_read_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.police_unit_id}"
