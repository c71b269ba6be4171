"""Use in police work (issue 8): watch lists, leads, cases and results (线索/案件/战果).

* A **watch list** (比对名单: wanted, missing, people to help) is uploaded with a purpose, approved by
  another user with an approver role, compared with the population while approved and not expired,
  and stamped with the uploading unit (scoped like any record).
* A **lead** (线索) is one hit for human review, stamped with the matched person's record stamps —
  the responsible police district — never an automatic action. One lead per (entry, person): a
  re-run or a changed record does not recreate a dismissed lead.
* **Cases** and **results** (战果) are the ledger in Heyang's categories, stamped with the station.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ybss.core.models import Stamped


class WatchListKind(models.TextChoices):
    WANTED = "wanted", _("Wanted persons")
    MISSING = "missing", _("Missing persons")
    HELP = "help", _("People to help")
    OTHER = "other", _("Other")


class WatchListState(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WatchList(models.Model):
    """An uploaded list; stamped with the uploader's units (``division`` may be empty)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=WatchListKind.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    state = models.CharField(
        _("state"), max_length=16, choices=WatchListState.choices, default=WatchListState.DRAFT
    )
    expires_on = models.DateField(_("expires on"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    police_unit = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police unit")
    )
    division = models.ForeignKey(
        "org.AdminDivision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("division"),
    )

    class Meta:
        verbose_name = _("watch list")
        verbose_name_plural = _("watch lists")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class WatchEntry(models.Model):
    """One row of a list. The ID number is personal data: never logged, shown masked by role."""

    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="entries")
    row = models.PositiveIntegerField(_("row"))
    id_number = models.CharField(_("document number"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=60, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list entries")
        ordering = ["watch_list", "row"]

    def __str__(self) -> str:
        return f"{self.watch_list_id}:{self.row}"


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("Manual")
    NEW_RECORD = "new_record", _("New or changed record")


class WatchRun(models.Model):
    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("trigger"), max_length=16, choices=RunTrigger.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compared = models.PositiveIntegerField(_("persons compared"), default=0)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    new_leads = models.PositiveIntegerField(_("new leads"), default=0)

    class Meta:
        verbose_name = _("watch list run")
        verbose_name_plural = _("watch list runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.watch_list_id}/{self.pk}"


class LeadSource(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    WATCH_LIST = "watch_list", _("Watch list")
    TIP = "tip", _("Tip")


class LeadState(models.TextChoices):
    NEW = "new", _("New")
    REVIEWING = "reviewing", _("Under review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    CLOSED = "closed", _("Closed")


class Lead(Stamped):
    """A hit, tip or field report for human review, stamped with the responsible police district:
    the person's record, else the house's or address's, else the reporting officer's own.

    ``person_description`` describes a person not (yet) identified in the records; ``details`` holds
    where the lead came from (who reported it, how it reached the police) — personal data, never
    logged or put in an audit detail."""

    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    state = models.CharField(_("state"), max_length=16, choices=LeadState.choices, default=LeadState.NEW)
    watch_entry = models.ForeignKey(
        WatchEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="leads"
    )
    run = models.ForeignKey(WatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    house = models.ForeignKey(
        "registry.House", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("house"),
    )  # fmt: skip
    address = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("address"),
    )  # fmt: skip
    person_description = models.CharField(_("person description"), max_length=200, blank=True)
    details = models.TextField(_("source details"), max_length=2000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reported by"),
    )  # fmt: skip
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    outcome = models.CharField(pgettext_lazy("lead", "outcome"), max_length=200, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["watch_entry", "person"], name="casework_lead_entry_person"),
        ]


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """A case (案件) opened from a lead or on its own; stamped with the recording unit or the lead."""

    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN)
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    opened_on = models.DateField(pgettext_lazy("case", "opened on"))
    solved_on = models.DateField(_("solved on"), null=True, blank=True)
    #: remarks written with each change of state, one dated line each (case facts, kept with the case)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    police_unit = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police unit")
    )
    division = models.ForeignKey(
        "org.AdminDivision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class ResultCategory(models.TextChoices):
    """Heyang's reported categories (战果)."""

    LEAD = "lead", _("Leads provided")
    CASE_SOLVED = "case_solved", _("Cases solved")
    PROSECUTION = "prosecution", _("Criminal prosecutions")
    FUGITIVE = "fugitive", _("Fugitives caught")
    DRUG_USER = "drug_user", _("Drug users found")
    WEAPONS = "weapons", _("Weapons seized")
    AMMUNITION = "ammunition", _("Rounds of ammunition seized")
    HELPED = "helped", _("Residents helped")


class Result(models.Model):
    """One result (战果) with its count, on a day, linked to a lead or a case when there is one."""

    category = models.CharField(
        pgettext_lazy("result", "category"), max_length=16, choices=ResultCategory.choices
    )
    count = models.PositiveIntegerField(_("count"), default=1)
    occurred_on = models.DateField(_("date"), db_index=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="results")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="results")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    police_unit = models.ForeignKey(
        "org.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police unit")
    )
    division = models.ForeignKey(
        "org.AdminDivision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.category} {self.count}"
