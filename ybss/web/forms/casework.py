"""Casework forms (watch lists, lead review, results): shape only. Field names are the services'
argument names so their field errors land next to the right input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ybss.casework.models import CaseState, LeadState, ResultCategory, WatchListKind

from .actions import NUMBER, note_field
from .filters import BaseForm
from .records import DATE

DECISIONS: list[tuple[str, Any]] = [
    (LeadState.REVIEWING.value, _("Take up for review")),
    (LeadState.CONFIRMED.value, _("Confirm: the person is the one on the list")),
    (LeadState.DISMISSED.value, _("Dismiss: not the same person")),
    (LeadState.CLOSED.value, _("Close")),
]

BY_CHOICES: list[tuple[str, Any]] = [("station", _("Police station")), ("month", _("Month"))]


class WatchListUploadForm(BaseForm):
    """上传比对名单 → ``watchlist_upload``."""

    name = forms.CharField(label=_("List name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=WatchListKind.choices)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=200, help_text=_("Why the list is compared; recorded with every use.")
    )
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE)
    file = forms.FileField(
        label=_("List file (.xlsx or .csv)"),
        help_text=_("First row: 身份证号, 姓名, 出生日期, 地区, 备注 (an ID number or a name on every row)."),
    )


class LeadReviewForm(BaseForm):
    """核查线索 → ``lead_review``."""

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    note = note_field(_("Note"))
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


class ResultForm(BaseForm):
    """登记战果 → ``result_record``."""

    category = forms.ChoiceField(label=_("Category"), choices=ResultCategory.choices)
    count = forms.IntegerField(label=_("Count"), min_value=1, max_value=100_000, initial=1, widget=NUMBER)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    note = note_field(_("Note"))
    lead_id = forms.IntegerField(label=_("Lead number"), required=False, min_value=1, widget=NUMBER)
    case_id = forms.IntegerField(label=_("Case number"), required=False, min_value=1, widget=NUMBER)


class CaseForm(BaseForm):
    """立案 → ``case_create``."""

    title = forms.CharField(label=_("Title"), max_length=200)
    opened_on = forms.DateField(label=_("Date opened"), widget=DATE)
    lead_id = forms.IntegerField(
        label=_("Lead number"),
        required=False,
        min_value=1,
        max_value=10**12,
        widget=NUMBER,
        help_text=_("A lead in your jurisdiction; the case is then recorded in its police district."),
    )


CASE_MOVES: list[tuple[str, Any]] = [
    (CaseState.SOLVED.value, _("Solved (破案)")),
    (CaseState.CLOSED.value, _("Closed (结案)")),
]


class CaseStateForm(BaseForm):
    """破案/结案 → ``case_update_state``."""

    state = forms.ChoiceField(label=_("New state"), choices=CASE_MOVES)
    solved_on = forms.DateField(
        label=_("Solved on"), required=False, widget=DATE, help_text=_("Required when marking it solved.")
    )
    note = note_field(_("Note"))


class CasesFilterForm(BaseForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *CaseState.choices])
    station = forms.RegexField(
        label=_("Police station"), required=False, regex=r"^[0-9]{2,12}$", max_length=12
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)


class ResultsFilterForm(BaseForm):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    by = forms.ChoiceField(label=_("Group by"), required=False, choices=BY_CHOICES)


class LeadTipForm(BaseForm):
    """登记群众举报线索 → ``lead_reports.lead_tip_create``."""

    summary = forms.CharField(label=_("What the tip is about"), max_length=200)
    details = forms.CharField(
        label=_("Source of the tip"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who reported it and how (telephone, in person, letter)."),
    )
    person_id_number = forms.CharField(
        label=_("ID number of the person"),
        required=False,
        max_length=32,
        help_text=_("A person in your jurisdiction; leave empty and describe them below if unknown."),
    )
    person_description = forms.CharField(label=_("Description of the person"), required=False, max_length=200)
    house_id = forms.IntegerField(
        label=_("House number (record)"), required=False, min_value=1, widget=NUMBER
    )
    address_code = forms.CharField(label=_("Address code"), required=False, max_length=48)


class LeadReportForm(BaseForm):
    """发现线索 (from a person's or a house's page) → ``lead_reports.lead_collect``."""

    summary = forms.CharField(label=_("What you found"), max_length=200)
    details = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
