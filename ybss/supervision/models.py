"""Supervision (督查通报, DOMAIN.md §8): rate facts by day, targets, the ranking scheme, spot checks
and numbered bulletins.

* ``RateFact`` holds, for one day and one rate, the numerator and denominator of every leaf of both
  hierarchies at once: a (police district, village) pair. Any node of either tree is a sum over the
  leaves under it, and ``org.jurisdiction.scope`` applies to facts unchanged because they carry
  ``division`` and ``police_unit`` like a business record. Dashboards and bulletins read facts, never
  the 500k records, which is how the county dashboard answers in milliseconds.
* ``SpotCheckItem`` rows are stamped with the record's own division and police unit.
* A ``Bulletin`` is frozen when issued: its content (a JSON snapshot of every figure it prints)
  and its rendered files are stored and never rewritten; a correction is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ybss.core.models import Stamped

# --- rates -----------------------------------------------------------------------------------


class RateFact(Stamped):
    """One rate's numerator and denominator for one (police district, village) leaf on one day.

    ``reconstructed`` facts were rebuilt afterwards from the records' timestamps (created, cleaned,
    marked, verified, closed); the others were counted on the day itself and are the record of
    what the platform showed then.
    """

    day = models.DateField(_("day"))
    code = models.CharField(_("rate"), max_length=32)
    numerator = models.BigIntegerField(_("numerator"), default=0)
    denominator = models.BigIntegerField(_("denominator"), default=0)
    reconstructed = models.BooleanField(_("reconstructed"), default=False)

    class Meta:
        verbose_name = _("rate fact")
        verbose_name_plural = _("rate facts")
        constraints = [
            models.UniqueConstraint(fields=["day", "code", "police_unit", "division"], name="rate_fact_once")
        ]
        indexes = [models.Index(fields=["day", "code"], name="rate_fact_day_code_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.code} {self.police_unit_id}/{self.division_id}"


class RateRefresh(models.Model):
    """One computation of the facts of a day: when it ran, how long, by what."""

    day = models.DateField(_("day"), db_index=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    trigger = models.CharField(_("trigger"), max_length=16)  # live / nightly / backfill / command

    class Meta:
        verbose_name = _("rate refresh")
        verbose_name_plural = _("rate refreshes")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.day} {self.trigger}"


# --- targets and ranking ---------------------------------------------------------------------


class Target(Stamped):
    """目标考核: a rate a station, police district or officer is to reach by a deadline.

    ``police_unit`` is the unit the target is set for (station or district); ``officer``, when set,
    narrows it to the officer responsible for that district. ``division`` is the county's division
    (targets belong to the police tree). ``value`` is a fraction 0–1.
    """

    code = models.CharField(_("rate"), max_length=32)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    value = models.DecimalField(_("target"), max_digits=5, decimal_places=4)
    deadline = models.DateField(_("deadline"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["deadline", "police_unit", "code", "pk"]

    def __str__(self) -> str:
        return f"{self.police_unit_id} {self.code} {self.value}"


class RankingScheme(models.Model):
    """The weights of the station ranking (排名): completeness, quality, spot-check pass rate and
    timeliness. The newest row is in force; older rows stay so every bulletin names its scheme."""

    county = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("county bureau")
    )
    completeness = models.DecimalField(_("completeness weight"), max_digits=5, decimal_places=2)
    quality = models.DecimalField(_("quality weight"), max_digits=5, decimal_places=2)
    spot_check = models.DecimalField(_("spot-check weight"), max_digits=5, decimal_places=2)
    timeliness = models.DecimalField(_("timeliness weight"), max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("ranking scheme")
        verbose_name_plural = _("ranking schemes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.completeness}/{self.quality}/{self.spot_check}/{self.timeliness}"


# --- spot checks -----------------------------------------------------------------------------


class SpotCheckState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SpotCheckRound(Stamped):
    """抽查批次: a stratified random sample of finished records in a police-unit subtree.

    ``police_unit`` / ``division`` are the subtree sampled. ``strata`` records how the sample was
    drawn (by station, collector and entity type; sizes, weights, risk factor, seed) so the draw
    can be explained and repeated.
    """

    name = models.CharField(_("name"), max_length=100)
    sample_size = models.PositiveIntegerField(_("sample size"))
    risk_weight = models.FloatField(_("extra weight for quality risk"), default=1.0)
    seed = models.BigIntegerField(_("random seed"))
    strata = models.JSONField(_("strata"), default=dict, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=SpotCheckState.choices, default=SpotCheckState.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("spot-check round")
        verbose_name_plural = _("spot-check rounds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class SpotCheckResult(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    AGREES = "agrees", _("Agrees with the field")
    WRONG_FIELDS = "wrong_fields", _("Wrong fields")
    FABRICATED = "fabricated", _("Fabricated")


class SpotCheckItem(Stamped):
    """One sampled record, its checker (never its collector) and the result."""

    round = models.ForeignKey(
        SpotCheckRound, on_delete=models.CASCADE, related_name="items", verbose_name=_("round")
    )
    record_type = models.CharField(_("record type"), max_length=40)  # address / house / person / unit
    record_id = models.BigIntegerField(_("record id"))
    stratum = models.CharField(_("stratum"), max_length=80, blank=True)
    weight = models.FloatField(_("sampling weight"), default=1.0)
    risk = models.FloatField(_("quality risk"), default=0.0)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collector"),
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checker"),
    )
    result = models.CharField(
        _("result"),
        max_length=12,
        choices=SpotCheckResult.choices,
        default=SpotCheckResult.PENDING,
        db_index=True,
    )
    wrong_fields = models.JSONField(_("wrong fields"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    via = models.CharField(_("checked"), max_length=8, blank=True)  # field / platform
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    distance_m = models.FloatField(_("distance from the door plate (m)"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, db_index=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    problem = models.ForeignKey(
        "quality.Problem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("problem"),
    )

    class Meta:
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "record_type", "record_id"], name="spot_check_item_once"
            ),
            models.CheckConstraint(
                condition=Q(checker__isnull=True)
                | Q(collector__isnull=True)
                | ~Q(checker=models.F("collector")),
                name="spot_check_checker_not_collector",
            ),
        ]
        indexes = [models.Index(fields=["police_unit", "result"], name="spot_check_unit_result_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.record_type}:{self.record_id}"


# --- bulletins -------------------------------------------------------------------------------


class BulletinState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded by a new version")


class Bulletin(Stamped):
    """通报 第N期: numbered per county and year, dated, frozen once issued.

    ``content`` is the snapshot of every figure the bulletin prints (rates and their change since
    the previous issue, station ranking with its scheme, problems by category and station, spot
    checks, praise and criticism). Issuing renders the PDF, Word and Excel files once, stores them
    with their SHA-256 and never touches them again; a correction is a new ``version`` of the same
    number whose ``supersedes`` points at the old one, which becomes SUPERSEDED but keeps its files.
    ``police_unit`` is the county bureau that issues it; ``division`` the county.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=120)
    as_of = models.DateField(_("figures as of"))
    period_start = models.DateField(_("period start"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=BulletinState.choices, default=BulletinState.DRAFT, db_index=True
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    praise = models.TextField(_("praise"), blank=True)
    criticism = models.TextField(_("criticism"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    docx = models.BinaryField(_("Word"), null=True, blank=True)
    xlsx = models.BinaryField(_("Excel"), null=True, blank=True)
    digest = models.CharField(_("SHA-256 of the files"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-year", "-number", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["police_unit", "year", "number", "version"], name="bulletin_number_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.number}v{self.version}"
