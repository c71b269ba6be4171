"""Forms of the one-step actions on a record's page: mark an address on the map (标注), generate a
building's rooms or add one room (层户), end a residence (迁出), add an employee, verify a house or
unit (核查 / 核实).

As in ``records``: shape only, field names follow the service's argument names so its field
errors land next to the right input, and a write to an existing record carries its ``version``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import CoordSystem

from .filters import BaseForm
from .records import DATE, RecordForm, version_field

#: Whole numbers typed on a phone: the numeric keypad.
NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})
#: Coordinates: the decimal keypad (China lies east and north, so no minus sign is needed).
COORDINATE = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})


def note_field(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class MarkForm(BaseForm):
    """标注 → ``address_mark``: a point in the system it was read in; stored as WGS-84."""

    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, widget=COORDINATE)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, widget=COORDINATE)
    system = forms.ChoiceField(
        label=_("Coordinate system"),
        choices=CoordSystem.choices,
        initial=CoordSystem.WGS84,
        help_text=_(
            "WGS-84: GPS receivers and most handsets' raw position. GCJ-02: Amap, Tencent and most "
            "phone maps. BD-09: Baidu Map. The point is converted and stored as WGS-84."
        ),
    )
    confirm = forms.BooleanField(label=_("Confirmed on site"), required=False)
    version = version_field()


class BuildingForm(RecordForm):
    """生成楼栋层户 → ``building_generate``: units × (floors + underground) × rooms per floor.

    The bounds here only keep the numbers sane; the service says which ranges it accepts.
    """

    units = forms.IntegerField(
        label=_("Building units"), min_value=0, max_value=10_000, initial=1, widget=NUMBER
    )
    floors = forms.IntegerField(label=_("Floors above ground"), min_value=0, max_value=10_000, widget=NUMBER)
    rooms_per_floor = forms.IntegerField(
        label=_("Rooms per floor"), min_value=0, max_value=10_000, widget=NUMBER
    )
    underground = forms.IntegerField(
        label=_("Underground floors"),
        min_value=0,
        max_value=10_000,
        required=False,
        initial=0,
        widget=NUMBER,
        help_text=_(
            "Rooms are numbered 101, 102 … on each floor, underground ones B101 …; rooms that "
            "already exist are kept."
        ),
    )


class RoomForm(RecordForm):
    """新增层户 → ``room_create``: one room address under a door plate."""

    unit_no = forms.CharField(label=_("Building unit"), max_length=10, required=False)
    floor = forms.IntegerField(
        label=_("Floor"),
        required=False,
        min_value=-32_768,
        max_value=32_767,  # no numeric keypad: it has no minus sign on some phones
        help_text=_("Underground floors are negative: -1 for B1."),
    )
    room_no = forms.CharField(label=_("Room"), max_length=10)


class ResidenceEndForm(BaseForm):
    """迁出 / 结束居住 → ``residence_end``: the record stays, marked not current."""

    until = forms.DateField(label=_("Moved out on"), widget=DATE)
    reason = note_field(_("Reason"), required=True)
    version = version_field()


class EmploymentForm(RecordForm):
    """新增从业人员 → ``employment_create``, the person found by ID number in the user's scope."""

    field_aliases = {"person": "id_number"}

    id_number = forms.CharField(
        label=_("Employee's ID number"),
        max_length=32,
        help_text=_("The person must already be recorded in your jurisdiction."),
    )
    post = forms.CharField(label=_("Post"), max_length=40, required=False)
    since = forms.DateField(label=_("Working here since"), required=False, widget=DATE)


#: The two outcomes of a field check, as posted by the buttons of the record page.
VERIFY_OK = "1"
VERIFY_FAILED = "0"


class VerifyForm(BaseForm):
    """核查 (house) / 核实 (unit) → ``house_verify`` / ``unit_verify``."""

    ok = forms.TypedChoiceField(
        label=_("Result"),
        choices=[(VERIFY_OK, _("Verified: no problems")), (VERIFY_FAILED, _("Problems found"))],
        coerce=lambda value: value == VERIFY_OK,
        widget=forms.RadioSelect,
    )
    reason = note_field(_("Note"))
    version = version_field()
    # Where the officer stood: filled by the browser's geolocation (static/web/geo.js) when allowed.
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
    accuracy_m = forms.IntegerField(
        required=False, min_value=0, max_value=1_000_000, widget=forms.HiddenInput
    )


__all__ = [
    "BuildingForm",
    "EmploymentForm",
    "MarkForm",
    "ResidenceEndForm",
    "RoomForm",
    "VerifyForm",
]
