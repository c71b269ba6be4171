"""Spot-check forms (抽查): draw a round, record a check, give an item to another checker.

Shape only, as everywhere: field names are the services' argument names so their field errors land
next to the right input (``spot_check_draw``, ``spot_check_record``, ``spot_check_assign``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.org.models import User
from ybss.supervision import spotchecks
from ybss.supervision.models import SpotCheckResult
from ybss.supervision.services import SPOT_MAX_RISK_WEIGHT, SPOT_MAX_SAMPLE, SPOT_MAX_SEED

from .actions import NUMBER, note_field
from .filters import BaseForm, police_units_under, set_choices
from .records import DATE

RECORD_TYPE_CHOICES: list[tuple[str, Any]] = [
    ("address", _("Standard addresses")),
    ("house", _("Houses")),
    ("person", _("Persons")),
    ("unit", _("Units")),
]

BY_CHOICES: list[tuple[str, Any]] = [
    ("station", _("Police station")),
    ("district", _("Police district")),
    ("collector", _("Collector")),
    ("type", _("Record type")),
]

#: The results a checker chooses from (not "pending").
RESULT_CHOICES: list[tuple[str, Any]] = [
    (SpotCheckResult.AGREES.value, SpotCheckResult.AGREES.label),
    (SpotCheckResult.WRONG_FIELDS.value, SpotCheckResult.WRONG_FIELDS.label),
    (SpotCheckResult.FABRICATED.value, SpotCheckResult.FABRICATED.label),
]

VIA_CHOICES: list[tuple[str, Any]] = [
    ("field", _("In the field")),
    ("platform", _("On the platform")),
]


class DrawForm(BaseForm):
    """新建抽查 → ``spot_check_draw``."""

    name = forms.CharField(label=_("Round name"), max_length=100)
    police_unit_code = forms.ChoiceField(
        label=_("Police unit"), help_text=_("The records of this unit and the units under it are sampled.")
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"), min_value=1, max_value=SPOT_MAX_SAMPLE, initial=50, widget=NUMBER
    )
    record_types = forms.MultipleChoiceField(
        label=_("Records to sample"),
        choices=RECORD_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=list(spotchecks.RECORD_TYPES),
    )
    by = forms.MultipleChoiceField(
        label=_("Strata"),
        choices=BY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=list(spotchecks.DEFAULT_BY),
        help_text=_(
            "Every combination is a stratum: each gets its share of the sample, at least one record."
        ),
    )
    risk_weight = forms.FloatField(
        label=_("Extra weight for quality risk"),
        min_value=0,
        max_value=SPOT_MAX_RISK_WEIGHT,
        initial=1.0,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("0: every record equally likely; 1: a record with open problems up to twice as likely."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=SPOT_MAX_SEED,
        widget=NUMBER,
        help_text=_("Leave empty for a new random draw; the same seed repeats a draw over the same records."),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = police_units_under(actor)
        set_choices(self.fields["police_unit_code"], [(u.code, u.name) for u in units])
        if units:
            self.fields["police_unit_code"].initial = units[0].code
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=14)


class CheckForm(BaseForm):
    """核查结果 → ``spot_check_record``: the result, the wrong fields, a note, where the checker
    stood (the browser's GPS, when allowed)."""

    result = forms.ChoiceField(label=_("Result"), choices=RESULT_CHOICES, widget=forms.RadioSelect)
    wrong_fields = forms.MultipleChoiceField(
        label=_("Wrong fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when the result is “Wrong fields”."),
    )
    note = note_field(_("Note"))
    via = forms.ChoiceField(
        label=_("Checked"), choices=VIA_CHOICES, initial="field", widget=forms.RadioSelect
    )
    lat = forms.DecimalField(
        required=False, min_value=-90, max_value=90, max_digits=10, decimal_places=7, widget=forms.HiddenInput
    )
    lng = forms.DecimalField(
        required=False,
        min_value=-180,
        max_value=180,
        max_digits=10,
        decimal_places=7,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, fields: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["wrong_fields"], fields)


class AssignForm(BaseForm):
    """改派 → ``spot_check_assign``."""

    checker = forms.TypedChoiceField(label=_("Checker"), coerce=int)

    def __init__(self, *args: Any, checkers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self.fields["checker"],
            [
                ("", "—"),
                *[
                    (u.pk, f"{u.display_name}（{u.police_unit.name if u.police_unit else ''}）")
                    for u in checkers
                ],
            ],
        )
