"""Casework forms (watch lists, lead review, results): shape only. Field names are the services'
argument names so their field errors land next to the right input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ybss.casework.models import LeadState, ResultCategory, WatchListKind

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


class ResultsFilterForm(BaseForm):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    by = forms.ChoiceField(label=_("Group by"), required=False, choices=BY_CHOICES)
