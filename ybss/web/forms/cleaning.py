"""Forms of the cleaning pages: the queue filter, the three decisions on an item (accept a
candidate, create a new address, set aside), merge and "not a duplicate".

Shape only, as everywhere in this package: field names follow the services' argument names,
so a service's field errors land next to the right input; decisions carry the version the user saw.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ybss.cleaning.services import SET_ASIDE, NewAddressData
from ybss.transfer.models import CleaningDecision, CleaningState

from .filters import BaseForm, set_choices
from .records import DoorPlateForm, version_field

ANY: tuple[str, Any] = ("", _("Any"))
_IDS = re.compile(r"^\s*\d{1,18}(\s*,\s*\d{1,18})*\s*$")
_CODES = re.compile(r"[\s,，、;；]+")
#: Addresses on one merge page at most (a group and the codes typed in).
MAX_MEMBERS = 20


def reason_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        required=required,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history of every record this changes."),
    )


def parse_ids(text: str) -> list[int]:
    """ "3,5, 8" → [3, 5, 8]; anything else raises ValidationError."""
    if not text or not _IDS.match(text):
        raise forms.ValidationError(_("The list of addresses is not valid; reload the page."), code="ids")
    return list(dict.fromkeys(int(x) for x in text.split(",")))


class QueueFilterForm(BaseForm):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[*CleaningState.choices, ("all", _("All"))],
        initial=CleaningState.PENDING,
    )
    q = forms.CharField(label=_("Address text contains"), required=False, max_length=100, strip=True)
    kind = forms.ChoiceField(label=_("Imported as"), required=False, choices=[ANY])
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=[ANY, *CleaningDecision.choices]
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["kind"], [ANY, *kinds])

    def state_value(self) -> str:
        value = self.cleaned_data.get("state") or CleaningState.PENDING
        return "" if value == "all" else value


class AcceptForm(BaseForm):
    """接受候选 → ``item_accept``: one of the candidates, or any address by its code."""

    #: The candidates are the options; any address in scope is accepted (the service checks), so
    #: a candidate shown a moment ago is still accepted when the matcher's index has moved on.
    address_id = forms.IntegerField(
        label=_("Candidate"), required=False, min_value=1, max_value=2**63 - 1, widget=forms.RadioSelect
    )
    address_code = forms.CharField(
        label=_("Or the code of another standard address"),
        required=False,
        max_length=48,
        help_text=_("When none of the candidates is right but you know the address."),
    )
    reason = reason_field(required=False)
    version = version_field()

    def set_candidates(self, candidates: list[tuple[int, str]]) -> None:
        self.fields["address_id"].widget.choices = list(candidates)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not self.errors and not data.get("address_id") and not (data.get("address_code") or "").strip():
            self.add_error("address_id", _("Choose a candidate, or enter the code of an address."))
        return data


class CreateForm(DoorPlateForm):
    """新建标准地址 → ``item_create``: a door plate, or a room under an existing door plate
    (``door_id``) or under the door plate the door fields describe."""

    field_aliases = {"door": "door_id"}

    #: The proposed door plates as options; any door plate in scope is accepted (the service checks).
    door_id = forms.IntegerField(
        label=_("Existing door plate"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select,
        help_text=_("For a room under a door plate that exists; leave empty to describe the door plate."),
    )
    unit_no = forms.CharField(label=_("Building unit"), max_length=10, required=False)
    floor = forms.IntegerField(
        label=_("Floor"),
        required=False,
        min_value=-32_768,
        max_value=32_767,
        help_text=_("Underground floors are negative: -1 for B1."),
    )
    room_no = forms.CharField(label=_("Room"), max_length=10, required=False)
    version = version_field()

    DOOR_REQUIRED = ("division_code", "police_unit_code", "road_id", "door_number")

    field_order = [
        "door_id",
        *DoorPlateForm.field_order[:-1],
        "unit_no",
        "floor",
        "room_no",
        "change_reason",
    ]

    def __init__(self, *args: Any, doors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.DOOR_REQUIRED:
            self.fields[name].required = False
        self.fields["door_id"].widget.choices = [("", "---------"), *doors]  # type: ignore[attr-defined]
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        room = bool(data.get("room_no") or data.get("unit_no") or data.get("floor") is not None)
        if data.get("door_id"):
            if not data.get("room_no") and "room_no" not in self.errors:
                self.add_error("room_no", _("Enter the room number, e.g. 501."))
        else:
            for name in self.DOOR_REQUIRED:
                if name not in self.errors and data.get(name) in (None, ""):
                    self.add_error(name, _("This field is required."))
            if room and not data.get("room_no") and "room_no" not in self.errors:
                self.add_error("room_no", _("Enter the room number, e.g. 501."))
        return data

    def new_address_data(self) -> NewAddressData:
        data = self.data_for(NewAddressData)
        if data.road_id in ("", None):
            data.road_id = None
        return data


class SetAsideForm(BaseForm):
    """不是地址 / 驳回 → ``item_set_aside``."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(d.value, d.label) for d in SET_ASIDE],
        widget=forms.RadioSelect,
        initial=CleaningDecision.NOT_ADDRESS,
    )
    reason = reason_field(required=True)
    version = version_field()


class MembersForm(BaseForm):
    """The addresses of a duplicate group, carried through the page in ``members``."""

    members = forms.CharField(widget=forms.HiddenInput, max_length=400)

    def clean_members(self) -> list[int]:
        ids = parse_ids(self.cleaned_data.get("members") or "")
        if len(ids) > MAX_MEMBERS:
            raise forms.ValidationError(_("Too many addresses at once."), code="too_many")
        return ids


class NotDuplicateForm(MembersForm):
    """不是重复 → ``not_duplicate_mark``."""

    reason = reason_field(required=False)


class MergeForm(MembersForm):
    """合并 → ``address_merge``: the survivor among the group, the others to merge into it, and
    more addresses by code; ``versions`` holds the versions the page showed (``id:version,…``)."""

    survivor = forms.TypedChoiceField(
        label=_("Keep this address"), choices=[], coerce=int, widget=forms.RadioSelect
    )
    duplicates = forms.TypedMultipleChoiceField(
        label=_("Merge these into it"),
        choices=[],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    codes = forms.CharField(
        label=_("More duplicates, by address code"),
        required=False,
        max_length=500,
        help_text=_("Separate codes with spaces or commas."),
    )
    reason = reason_field(required=True)
    versions = forms.CharField(widget=forms.HiddenInput, required=False, max_length=800)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["survivor"], choices)
        set_choices(self.fields["duplicates"], choices)

    def clean_codes(self) -> list[str]:
        codes = [c for c in _CODES.split(self.cleaned_data.get("codes") or "") if c]
        if len(codes) > MAX_MEMBERS:
            raise forms.ValidationError(_("Too many addresses at once."), code="too_many")
        return codes

    def clean_versions(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for part in (self.cleaned_data.get("versions") or "").split(","):
            if not part.strip():
                continue
            pk, sep, version = part.partition(":")
            if not (sep and pk.strip().isdigit() and version.strip().isdigit()) or len(part) > 40:
                raise forms.ValidationError(_("The page is out of date; reload it."), code="versions")
            out[int(pk)] = int(version)
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not self.errors and not data.get("duplicates") and not data.get("codes"):
            self.add_error("duplicates", _("Choose at least one duplicate to merge."))
        return data
