"""The collection-task form: a collector, the door plates (a village, optionally one street or
group), a deadline and a target."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressElement
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, Role, User

from .filters import BaseForm, set_choices


def _collectors(actor: User) -> list[tuple[int, str]]:
    """Collectors and officers whose police unit lies in the actor's subtree."""
    qs = User.objects.filter(is_active=True, role__in=[Role.COLLECTOR, Role.OFFICER]).select_related(
        "police_unit"
    )
    if actor.police_unit is None:
        return []
    qs = qs.filter(police_unit__code__startswith=actor.police_unit.prefix)
    return [
        (u.pk, f"{u.display_name}（{u.police_unit.name if u.police_unit else ''}）")
        for u in qs.order_by("police_unit", "username")
    ]


def _villages(actor: User) -> list[tuple[str, str]]:
    q = jurisdiction.jurisdiction_q(actor)
    if q is None or actor.police_unit is None:
        return []
    qs = AdminDivision.objects.filter(
        level=5, police_units__code__startswith=actor.police_unit.prefix
    ).distinct()
    return [(d.code, d.name) for d in qs.order_by("code")]


class TaskForm(BaseForm):
    name = forms.CharField(label=_("Task name"), max_length=100)
    assignee = forms.TypedChoiceField(label=_("Collector"), coerce=int)
    village = forms.ChoiceField(label=_("Community / village"))
    road = forms.TypedChoiceField(
        label=_("Street or group (optional)"), coerce=int, required=False, empty_value=None
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.IntegerField(label=_("Target (households, optional)"), min_value=1, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["assignee"], [("", "—"), *_collectors(actor)])
        villages = _villages(actor)
        set_choices(self.fields["village"], [("", "—"), *villages])
        codes = [c for c, _n in villages]
        roads = AddressElement.objects.filter(division_id__in=codes).order_by("division_id", "kind", "name")[
            :3000
        ]
        set_choices(self.fields["road"], [("", "—"), *[(e.pk, e.name) for e in roads]])
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=14)
