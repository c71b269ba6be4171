"""Field collection (DOMAIN.md §1, §6): tasks and their households, visits, appointments (预约单),
submissions from phones (applied exactly once, reviewed side by side), acceptance, and field
verification (核查 / 核实).

Every row that carries personal or household data is stamped with ``division`` and
``police_unit`` like a business record (copied from the address it concerns, never from the
collector's current assignment), so ``org.jurisdiction.scope`` applies to it unchanged.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ybss.core.models import BusinessRecord, Stamped

# --- tasks -----------------------------------------------------------------------------------


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class CollectionTask(BusinessRecord):
    """采集任务: the households (under door plates) a collector is to cover by a deadline.

    Stamped with the police district it belongs to and the smallest division holding all its
    households. ``target`` is the number of households to finish (it may be less than the items).
    """

    name = models.CharField(_("task name"), max_length=100)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="collection_tasks",
        verbose_name=_("collector"),
    )
    target = models.PositiveIntegerField(_("target (households)"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("task state"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN, db_index=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("collection task")
        verbose_name_plural = _("collection tasks")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.name


class VisitOutcome(models.TextChoices):
    """走访结果. Collected, vacant, demolished and moved finish a household; nobody home and
    refused call for a return visit."""

    COLLECTED = "collected", _("Collected")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    REFUSED = "refused", _("Refused")
    VACANT = "vacant", _("Vacant")
    DEMOLISHED = "demolished", _("Demolished")
    MOVED = "moved", _("Moved away")


#: Outcomes after which a household needs no further visit.
FINAL_OUTCOMES = frozenset(
    {VisitOutcome.COLLECTED, VisitOutcome.VACANT, VisitOutcome.DEMOLISHED, VisitOutcome.MOVED}
)


class TaskItem(Stamped):
    """One household of a task: a room address, or a door plate without rooms (a courtyard)."""

    task = models.ForeignKey(
        CollectionTask, on_delete=models.CASCADE, related_name="items", verbose_name=_("task")
    )
    address = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, related_name="+", verbose_name=_("address")
    )
    door = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, related_name="+", verbose_name=_("door plate")
    )
    seq = models.PositiveIntegerField(_("order"), default=0)
    outcome = models.CharField(
        _("last outcome"), max_length=12, choices=VisitOutcome.choices, blank=True, db_index=True
    )
    visits = models.PositiveSmallIntegerField(_("visits"), default=0)
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("task household")
        verbose_name_plural = _("task households")
        ordering = ["task", "seq", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "address"], name="task_item_once")]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.address_id}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


# --- availability, visits and appointments ---------------------------------------------------


class Availability(models.TextChoices):
    """When a household is usually at home (错时采集 groups)."""

    OFFICE = "office", _("Office workers: evenings and weekends")
    SHOP = "shop", _("Shopkeepers: off-peak mornings and afternoons")
    ELDERLY = "elderly", _("Elderly or carers: daytime")
    FARM = "farm", _("Farming households: early morning, midday and evening")
    UNKNOWN = "unknown", _("Unknown")


class HouseholdAvailability(Stamped):
    """What a collector or officer knows of when a household is at home. The scheduler uses it
    before anything it infers."""

    address = models.OneToOneField(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        related_name="availability",
        verbose_name=_("address"),
    )
    kind = models.CharField(_("availability"), max_length=10, choices=Availability.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("household availability")
        verbose_name_plural = _("household availabilities")

    def __str__(self) -> str:
        return f"{self.address_id}: {self.kind}"


class Visit(Stamped):
    """走访: one call at a household, with its outcome, time, GPS and device. Written once (from a
    submission or a form); never edited."""

    address = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("address"),
    )
    door = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, related_name="+", verbose_name=_("door plate")
    )
    task_item = models.ForeignKey(
        TaskItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_set",
        verbose_name=_("task household"),
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("collector")
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices, db_index=True)
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    submission = models.ForeignKey(
        "Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("submission"),
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["address", "visited_at"], name="visit_address_at_idx")]

    def __str__(self) -> str:
        return f"{self.address_id} {self.outcome}"


class AppointmentState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    MOVED = "moved", _("Moved to another time")
    DONE = "done", _("Visited")
    CANCELLED = "cancelled", _("Cancelled")


def _new_token() -> str:
    return secrets.token_urlsafe(16)


class Appointment(Stamped):
    """信息采集预约单: left at a household where nobody was home. The slip (an A6 PDF) carries the
    station, the officer and their phone, the proposed window and a QR code for the household's
    appointment page (``token``), where the resident confirms or moves the window."""

    number = models.CharField(_("slip number"), max_length=32, unique=True)
    token = models.CharField(max_length=32, unique=True, default=_new_token)
    address = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("address"),
    )
    door = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, related_name="+", verbose_name=_("door plate")
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("visit"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community officer"),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    window_start = models.DateTimeField(_("window from"))
    window_end = models.DateTimeField(_("window to"))
    state = models.CharField(
        _("appointment state"),
        max_length=10,
        choices=AppointmentState.choices,
        default=AppointmentState.PROPOSED,
        db_index=True,
    )
    resident_note = models.CharField(_("resident's note"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_via = models.CharField(_("confirmed by"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("issued at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["window_start"]

    def __str__(self) -> str:
        return self.number


# --- submissions, review, acceptance ---------------------------------------------------------


class SubmissionKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household collection")
    VISIT = "visit", _("Visit outcome")
    VERIFY = "verify", _("Field verification")


class SubmissionState(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    CONFLICT = "conflict", _("Conflict")
    PASSED = "passed", _("Passed")
    RETURNED = "returned", _("Returned")
    VOIDED = "voided", _("Voided as duplicate")
    APPLIED = "applied", _("Applied")


#: States the review queue shows.
OPEN_STATES = frozenset({SubmissionState.PENDING, SubmissionState.CONFLICT})


class Submission(Stamped):
    """One submission from a phone (or the web), keyed by the client's id and applied exactly once.

    ``payload`` is the normalised content; ``payload_hash`` detects a client id reused for other
    content. ``base_versions`` maps ``"<model>:<pk>"`` to the version the collector's edit was
    based on; an outdated base makes the submission a conflict for the reviewer. Household
    submissions wait for review; visit and verification submissions are applied on arrival.
    """

    client_id = models.UUIDField(_("client id"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SubmissionKind.choices)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("submitted by"),
    )
    door = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door plate"),
    )
    task_item = models.ForeignKey(
        TaskItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("task household"),
    )
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    payload = models.JSONField(_("content"))
    payload_hash = models.CharField(max_length=64)
    base_versions = models.JSONField(_("based on versions"), default=dict, blank=True)
    depends_on = models.JSONField(_("depends on"), default=list, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SubmissionState.choices,
        default=SubmissionState.PENDING,
        db_index=True,
    )
    conflict = models.JSONField(_("conflict"), default=list, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    app_version = models.CharField(_("app version"), max_length=20, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    started_at = models.DateTimeField(_("form opened at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("form saved at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resubmission of"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.CharField(_("review reason"), max_length=500, blank=True)
    station_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by station"),
    )
    station_accepted_at = models.DateTimeField(_("station accepted at"), null=True, blank=True)
    county_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by county"),
    )
    county_accepted_at = models.DateTimeField(_("county accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["police_unit", "state"], name="submission_unit_state_idx"),
            models.Index(fields=["collector", "received_at"], name="submission_collector_idx"),
        ]

    def __str__(self) -> str:
        return str(self.client_id)

    @property
    def short_id(self) -> str:
        return self.client_id.hex[:8].upper()


class SubmissionEvent(models.Model):
    """The history of one submission: received, conflict found, passed, returned, voided,
    accepted by the station or county. Append-only by convention (services only insert)."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        CONFLICT = "conflict", _("Conflict found")
        PASSED = "passed", _("Passed")
        OVERWRITTEN = "overwritten", _("Passed and overwritten")
        RETURNED = "returned", _("Returned")
        VOIDED = "voided", _("Voided as duplicate")
        APPLIED = "applied", _("Applied")
        STATION_ACCEPTED = "station_ok", _("Accepted by the station")
        COUNTY_ACCEPTED = "county_ok", _("Accepted by the county")
        SENT_BACK = "sent_back", _("Sent back for review")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("submission")
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action}"


class SubmissionEffect(models.Model):
    """A registry record a submission created or changed when it was applied (provenance: which
    collector's submission a record came from, for quality checks and responsibility)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="effects", verbose_name=_("submission")
    )
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.BigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=10)

    class Meta:
        verbose_name = _("submission effect")
        verbose_name_plural = _("submission effects")
        indexes = [models.Index(fields=["record_type", "record_id"], name="effect_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"


class ClientEntity(models.Model):
    """A record a phone created offline, under the phone's own id (``cid``), and the submission
    that defines it. ``record_id`` is filled when that submission is passed; until then a later
    submission referring to the cid waits for it."""

    cid = models.UUIDField(_("client reference"), unique=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="entities", verbose_name=_("submission")
    )
    entity = models.CharField(_("entity"), max_length=10)
    record_id = models.BigIntegerField(_("record id"), null=True, blank=True)

    class Meta:
        verbose_name = _("client entity")
        verbose_name_plural = _("client entities")

    def __str__(self) -> str:
        return f"{self.entity}:{self.cid}"


class Photo(Stamped):
    """A photo taken with a submission (the door plate, usually). Stored under the data folder;
    ``sha256`` lets the quality checks find one photo reused for many households."""

    client_id = models.UUIDField(_("client id"), unique=True)
    submission = models.ForeignKey(
        Submission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("submission"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    path = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return str(self.client_id)


class VerificationLog(Stamped):
    """核查 / 核实 in the field: who verified which house or unit, when, where (GPS) and with what
    result; the record's own ``verify_state`` drives 实有房屋核查率 and 实有单位核实率."""

    record_type = models.CharField(_("record type"), max_length=20)
    record_id = models.BigIntegerField(_("record id"))
    ok = models.BooleanField(_("confirmed"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    verified_at = models.DateTimeField(_("verified at"), db_index=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("distance from the door plate (m)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submission"),
    )

    class Meta:
        verbose_name = _("field verification")
        verbose_name_plural = _("field verifications")
        ordering = ["-verified_at"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="verification_record_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(record_type__in=["house", "unit"]), name="verification_record_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"


class CollectorHours(models.Model):
    """A collector's working hours for the staggered-time plan (错时采集). Without a row the
    scheduler uses ``ybss.collection.scheduling.DEFAULT_SHIFTS``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="collector_hours",
        verbose_name=_("collector"),
    )
    shifts = models.JSONField(
        _("shifts"), default=list, help_text='e.g. [["09:00", "12:00"], ["15:00", "21:00"]]'
    )
    weekend = models.BooleanField(_("works at weekends"), default=True)

    class Meta:
        verbose_name = _("collector hours")
        verbose_name_plural = _("collector hours")

    def __str__(self) -> str:
        return str(self.user_id)
