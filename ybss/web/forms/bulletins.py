"""The bulletin (通报) forms: a new draft (date of the figures, title), the wording of a draft,
issuing (a confirmation), and opening a revision. Shape only; the rules are in
``supervision.bulletins``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.supervision.bulletins import TEXT_MAX, TITLE_MAX

from .filters import BaseForm


def _text(label: Any, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": rows})
    )


class BulletinNewForm(BaseForm):
    as_of = forms.DateField(
        label=_("Figures as of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX,
        help_text=_("Leave empty for the usual title."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()


class BulletinTextForm(BaseForm):
    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_MAX)
    praise = _text(_("Praise"))
    criticism = _text(_("Criticism"))
    remarks = _text(_("Next steps"))
    refresh = forms.BooleanField(
        label=_("Retake the figures of this date (the suggested lines are not rewritten)"), required=False
    )


class BulletinIssueForm(BaseForm):
    confirm = forms.BooleanField(
        label=_(
            "I have checked the figures and the wording; issue this bulletin. "
            "It cannot be changed afterwards."
        ),
        error_messages={"required": _("Tick the box to confirm the issue.")},
    )


class BulletinReviseForm(BaseForm):
    refresh = forms.BooleanField(
        label=_("Retake the figures of the same date in the new version"), required=False
    )
