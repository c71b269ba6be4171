"""The search-and-filter forms of the four list pages and the audit log.

Each form validates the query string's shape only (a bad value becomes a field error, never a
500) and turns its cleaned data into the selector's frozen ``*Filters`` dataclass. Choices of coded
fields come from the code lists (``core.codes``); police-unit choices are the units under the
user's own unit, for convenience only: the selectors scope the rows whatever is chosen.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressLevel, CleanState, MarkState
from ybss.addresses.selectors import AddressFilters
from ybss.audit.models import AuditAction
from ybss.core import codes
from ybss.core.models import RecordStatus
from ybss.org.models import AdminDivision, PoliceUnit, Role, User
from ybss.registry.models import ResidenceType, VerifyState
from ybss.registry.selectors import HouseFilters, PersonFilters, UnitFilters

ANY: tuple[str, Any] = ("", _("Any"))
YES_NO = [ANY, ("yes", _("Yes")), ("no", _("No"))]


def set_choices(field: forms.Field, choices: Any) -> None:
    """Fill a choice field's options at run time (code lists and units are data)."""
    cast(forms.ChoiceField, field).choices = choices


class BaseForm(forms.Form):
    """Labels without Django's trailing colon: they stand above their inputs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def search_field(help_text: Any) -> forms.CharField:
    """The free-text ``q`` of a list page; ``help_text`` says what it matches there."""
    return forms.CharField(label=_("Search"), required=False, max_length=100, strip=True, help_text=help_text)


def verify_state_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Verification"), required=False, choices=_with_any(VerifyState.choices))


def _with_any(choices: Any) -> list[tuple[str, Any]]:
    return [ANY, *[(value, label) for value, label in choices]]


def _code_choices(slug: str) -> list[tuple[str, Any]]:
    return [ANY, *codes.choices(slug, blank=False)]


def police_units_under(user: User) -> list[PoliceUnit]:
    """The user's own police unit and the units under it (one query; empty without a unit)."""
    if user.police_unit is None:
        return []
    units = PoliceUnit.objects.filter(code__startswith=user.police_unit.prefix).order_by("code")
    return list(units.only("code", "name", "prefix"))


class FilterForm(BaseForm):
    """Shared fields and behaviour. Bound to ``request.GET``; an empty query string is valid."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_with_any(RecordStatus.choices))
    police_unit = forms.ChoiceField(label=_("Police unit"), required=False, choices=[])
    #: A division's code (a township or village): the supervision dashboard's drill-down links
    #: narrow a list to the division node they come from.
    division = forms.RegexField(
        label=_("Division code"),
        required=False,
        regex=r"^[0-9]{12}$",
        max_length=12,
        strip=True,
        help_text=_("The 12-digit code of a township or village: only its records."),
        error_messages={"invalid": _("Enter the 12-digit code of a division.")},
    )

    #: Names of the fields copied into the selector's dataclass (``q`` included).
    filter_fields: tuple[str, ...] = ("q", "status", "police_unit")
    #: Shown at all times; the others fold away on a phone until used.
    primary_names: tuple[str, ...] = ("q", "purpose")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        units = police_units_under(user)
        # The URL carries the unit's code; the selector filters on the code prefix of its subtree.
        self.unit_prefixes = {u.code: u.prefix for u in units}
        if units:
            set_choices(self.fields["police_unit"], [ANY, *[(u.code, u.name) for u in units]])
        else:
            del self.fields["police_unit"]

    def clean_division(self) -> str:
        """The division's code prefix (its subtree), or a field error for an unknown code."""
        code = self.cleaned_data.get("division") or ""
        if not code:
            return ""
        prefix = AdminDivision.objects.filter(pk=code).values_list("prefix", flat=True).first()
        if prefix is None:
            raise forms.ValidationError(_("There is no division with this code."), code="unknown_division")
        self.division_code = code
        return prefix

    def primary_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n in self.primary_names]

    def extra_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in self.primary_names]

    def extra_open(self) -> bool:
        """Unfold the extra filters when one is set or wrong."""
        return any(self.data.get(b.name) or b.errors for b in self.extra_fields())

    def value_of(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        return value if value is not None else ""

    def filter_kwargs(self) -> dict[str, Any]:
        return {name: self.value_of(name) for name in self.filter_fields if name in self.fields}

    def to_filter_kwargs(self) -> dict[str, Any]:
        """``filter_kwargs`` with the police unit's code turned into its subtree prefix."""
        kwargs = self.filter_kwargs()  # ``division`` is already its prefix (clean_division)
        if kwargs.get("police_unit"):
            kwargs["police_unit"] = self.unit_prefixes[kwargs["police_unit"]]
        return kwargs

    def active_filters(self) -> dict[str, Any]:
        """The filters that are set, for the audit detail and for "clear" links."""
        return {k: v for k, v in self.filter_kwargs().items() if v not in ("", None)}


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class AddressFilterForm(FilterForm):
    q = search_field(_("Part of the address name or alias, or the start of its code."))
    q.widget.attrs.update(
        {"data-address-suggest": "/api/addresses/suggest", "data-address-open": "/addresses/{id}/"}
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_with_any(AddressLevel.choices))
    mark_state = forms.ChoiceField(label=_("Marking"), required=False, choices=_with_any(MarkState.choices))
    clean_state = forms.ChoiceField(
        label=_("Cleaning"), required=False, choices=_with_any(CleanState.choices)
    )

    field_order = ["q", "level", "status", "mark_state", "clean_state", "police_unit", "division"]
    filter_fields = ("q", "level", "status", "mark_state", "clean_state", "police_unit", "division")

    def to_filters(self) -> AddressFilters:
        return AddressFilters(**self.to_filter_kwargs())


class HouseFilterForm(FilterForm):
    q = search_field(_("Part of the address or the owner's name."))
    use = forms.ChoiceField(label=_("Use"), required=False)
    house_type = forms.ChoiceField(label=_("House type"), required=False)
    management_level = forms.ChoiceField(label=_("Management level"), required=False)
    verify_state = verify_state_field()

    field_order = [
        "q",
        "use",
        "house_type",
        "management_level",
        "verify_state",
        "status",
        "police_unit",
        "division",
    ]
    filter_fields = (
        "q",
        "use",
        "house_type",
        "management_level",
        "verify_state",
        "status",
        "police_unit",
        "division",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["use"], _code_choices("house_use"))
        set_choices(self.fields["house_type"], _code_choices("house_type"))
        set_choices(self.fields["management_level"], _code_choices("management_level"))

    def to_filters(self) -> HouseFilters:
        return HouseFilters(**self.to_filter_kwargs())


class PersonFilterForm(FilterForm):
    q = search_field(_("Name, pinyin, ID number or phone number (or their beginning)."))
    purpose = forms.CharField(
        label=_("Purpose of the search"),
        required=False,
        max_length=200,
        strip=True,
        help_text=_("Recorded in the audit log. Investigators must state it for every search."),
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False)
    residence_type = forms.ChoiceField(
        label=_("Residence type"), required=False, choices=_with_any(ResidenceType.choices)
    )
    separated = forms.ChoiceField(label=_("Household separated"), required=False, choices=YES_NO)

    field_order = ["q", "purpose", "sex", "residence_type", "separated", "status", "police_unit", "division"]
    filter_fields = ("q", "sex", "residence_type", "separated", "status", "police_unit", "division")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["sex"], _code_choices("sex"))

    @property
    def purpose_required(self) -> bool:
        return self.user.role == Role.INVESTIGATOR

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.purpose_required and data.get("q") and not data.get("purpose"):
            self.add_error("purpose", _("State the purpose of this search: investigators must record it."))
        return data

    def filter_kwargs(self) -> dict[str, Any]:
        kwargs = super().filter_kwargs()
        kwargs["separated"] = _yes_no(kwargs.get("separated", ""))
        return kwargs

    def to_filters(self) -> PersonFilters:
        return PersonFilters(**self.to_filter_kwargs())

    def stated_purpose(self) -> str:
        """The purpose typed with the search ('' when none); only meaningful on a valid form."""
        return self.value_of("purpose")


class UnitFilterForm(FilterForm):
    ANY_SPECIAL_TRADE = "*"

    q = search_field(_("Part of the unit name, or the start of its credit code."))
    category = forms.ChoiceField(label=_("Category"), required=False)
    special_trade = forms.ChoiceField(label=_("Special trade"), required=False)
    hazardous = forms.ChoiceField(
        label=_("Hazardous goods"), required=False, choices=[ANY, ("yes", _("Handles hazardous goods"))]
    )
    verify_state = verify_state_field()

    field_order = [
        "q",
        "category",
        "special_trade",
        "hazardous",
        "verify_state",
        "status",
        "police_unit",
        "division",
    ]
    filter_fields = (
        "q",
        "category",
        "special_trade",
        "hazardous",
        "verify_state",
        "status",
        "police_unit",
        "division",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["category"], _code_choices("unit_category"))
        set_choices(
            self.fields["special_trade"],
            [
                ANY,
                (self.ANY_SPECIAL_TRADE, _("Any special trade")),
                *codes.choices("special_trade", blank=False),
            ],
        )

    def filter_kwargs(self) -> dict[str, Any]:
        kwargs = super().filter_kwargs()
        kwargs["hazardous"] = _yes_no(kwargs.get("hazardous", ""))
        return kwargs

    def to_filters(self) -> UnitFilters:
        return UnitFilters(**self.to_filter_kwargs())


#: Object types the audit log records reads, searches and exports of.
AUDITED_TYPES = ("addresses.standardaddress", "registry.house", "registry.person", "registry.unit")


def object_type_label(label: str) -> str:
    """``registry.person`` → the model's translated verbose name; unknown labels unchanged."""
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditFilterForm(BaseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["object_type"], [ANY, *[(t, object_type_label(t)) for t in AUDITED_TYPES]])

    user = forms.CharField(
        label=_("User name"),
        required=False,
        max_length=150,
        strip=True,
        help_text=_("The sign-in name, exactly."),
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_with_any(AuditAction.choices))
    object_type = forms.ChoiceField(label=_("Object type"), required=False, choices=[])
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
