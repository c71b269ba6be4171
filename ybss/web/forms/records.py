"""Create/edit forms for persons, houses, units and door plates, and the status-transition form.

Forms check shape only (types, lengths, choices); the services check the business rules and raise
``AppError`` whose ``fields`` the views put back on the form (``apply_error``). Field names follow
the services' field names so those errors land next to the right input.

Identifiers: a role that sees masked ID numbers and phones (``jurisdiction.sees_full_identifiers``)
gets the masked value as the initial value of an edit form, never the real one; submitting the
masked value unchanged keeps the stored number (``IdentifierFieldsMixin``).
"""

from __future__ import annotations

from dataclasses import fields as dc_fields
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressElement
from ybss.addresses.services import DoorPlateData
from ybss.core import codes
from ybss.core.errors import AppError
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, DivisionLevel, PoliceUnit, PoliceUnitKind, User
from ybss.registry.models import ResidenceType
from ybss.registry.services import HouseData, PersonData, ResidenceData, UnitData

from ..display import is_id_field, is_phone_field
from .filters import BaseForm, set_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: Service error keys that name a differently-called form field.
FIELD_ALIASES = {"landlord_id": "landlord", "road": "road_id", "compound": "compound_id"}


def apply_error(form: forms.Form, err: AppError) -> None:
    """Put a service error on ``form``: field messages next to their inputs, the rest on top.

    A form names its own differently-called fields in ``field_aliases`` (service key → field).
    """
    if not err.fields:
        form.add_error(None, str(err.message))
        return
    aliases = {**FIELD_ALIASES, **getattr(form, "field_aliases", {})}
    for name, messages in err.fields.items():
        target = aliases.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, str(message))


def code_field(slug: str, label: Any, *, required: bool = False) -> forms.ChoiceField:
    """A select over an official code list; choices are filled per request (the list is data)."""
    field = forms.ChoiceField(label=label, required=required, choices=[])
    field.codelist = slug  # type: ignore[attr-defined]
    return field


class RecordForm(BaseForm):
    """Shared behaviour: code-list choices, masked identifiers, the change reason."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the record's history."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["change_reason"] = self.fields.pop("change_reason")  # last, after the record's fields
        for field in self.fields.values():
            slug = getattr(field, "codelist", "")
            if slug:
                set_choices(field, codes.choices(slug))
        self._masked: dict[str, tuple[str, str]] = {}
        if not jurisdiction.sees_full_identifiers(user):
            for name in self.fields:
                original = str(self.initial.get(name) or "")
                if original and (is_id_field(name) or is_phone_field(name)):
                    shown = (
                        jurisdiction.show_id_number(user, original)
                        if is_id_field(name)
                        else jurisdiction.show_phone(user, original)
                    )
                    self._masked[name] = (shown, original)
                    self.initial[name] = shown

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for name, (shown, original) in self._masked.items():
            if data.get(name) == shown:  # left as shown: keep the stored number
                data[name] = original
        return data

    def data_for(self, cls: type) -> Any:
        """The cleaned values as the service's input dataclass (fields it does not know are left out)."""
        names = {f.name for f in dc_fields(cls)}
        values = {k: v for k, v in self.cleaned_data.items() if k in names}
        for k, v in values.items():
            if v is None and isinstance(self.fields.get(k), forms.CharField):
                values[k] = ""
        return cls(**values)


def version_field() -> forms.IntegerField:
    """The hidden version the user saw, for optimistic locking (a stale one earns a 409)."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647)


class VersionedForm(RecordForm):
    """An edit: carries the version the user saw, for optimistic locking."""

    version = version_field()


class PersonFieldsMixin(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    id_type = code_field("id_type", _("Document type"), required=True)
    id_number = forms.CharField(label=_("Document number"), max_length=32)
    sex = code_field("sex", _("Sex"), required=True)
    ethnicity = code_field("ethnicity", _("Ethnicity"))
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    phone2 = forms.CharField(label=_("Second phone"), max_length=20, required=False)
    former_names = forms.CharField(label=_("Former names"), max_length=120, required=False)
    hukou_division_code = forms.CharField(
        label=_("Registered domicile division code"),
        max_length=12,
        required=False,
        help_text=_("6, 9 or 12 digits, e.g. 610524001003."),
    )
    hukou_address_text = forms.CharField(
        label=_("Registered domicile address"), max_length=200, required=False
    )
    education = code_field("education", _("Education"))
    marital = code_field("marital", _("Marital status"))
    occupation = forms.CharField(label=_("Occupation"), max_length=60, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    is_key_person = forms.BooleanField(label=_("Key person"), required=False)
    nationality = code_field("nationality", _("Nationality"))
    foreign_surname = forms.CharField(label=_("Foreign surname"), max_length=60, required=False)
    foreign_given_name = forms.CharField(label=_("Foreign given name"), max_length=60, required=False)
    visa_type = code_field("visa_type", _("Visa type"))
    visa_expiry = forms.DateField(label=_("Visa expiry"), required=False, widget=DATE)
    entry_date = forms.DateField(label=_("Entry date"), required=False, widget=DATE)
    expected_departure = forms.DateField(label=_("Expected departure"), required=False, widget=DATE)


class PersonRegisterForm(PersonFieldsMixin, RecordForm):
    """实有人口采集: a person (new, or found by document number) and their residence in a house."""

    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    relation = code_field("relation", _("Relation to householder"))
    reason = code_field("residence_reason", _("Reason for living here"))
    since = forms.DateField(label=_("Living here since"), required=False, widget=DATE)
    is_tenant = forms.BooleanField(label=_("Tenant"), required=False)
    is_owner = forms.BooleanField(label=_("Owner"), required=False)
    landlord = forms.CharField(
        label=_("Landlord's ID number"),
        max_length=32,
        required=False,
        help_text=_("The landlord must already be recorded in your jurisdiction."),
    )

    def person_data(self) -> PersonData:
        return self.data_for(PersonData)

    def residence_data(self, landlord_id: int | None) -> ResidenceData:
        data = self.data_for(ResidenceData)
        data.landlord_id = landlord_id
        return data


class PersonEditForm(PersonFieldsMixin, VersionedForm):
    def person_data(self) -> PersonData:
        return self.data_for(PersonData)


class HouseForm(RecordForm):
    house_type = code_field("house_type", _("House type"), required=True)
    use = code_field("house_use", _("Use"), required=True)
    structure = code_field("house_structure", _("Structure"))
    floors = forms.IntegerField(label=_("Floors"), required=False, min_value=1, max_value=200)
    rooms = forms.IntegerField(label=_("Rooms"), required=False, min_value=0, max_value=999)
    area = forms.DecimalField(
        label=_("Area (m²)"), required=False, max_digits=8, decimal_places=2, min_value=0
    )
    ownership = code_field("ownership", _("Ownership"))
    owner_name = forms.CharField(label=_("Owner"), max_length=40, required=False)
    owner_id_number = forms.CharField(label=_("Owner ID number"), max_length=18, required=False)
    owner_phone = forms.CharField(label=_("Owner phone"), max_length=20, required=False)
    custodian_name = forms.CharField(label=_("Custodian"), max_length=40, required=False)
    custodian_id_number = forms.CharField(label=_("Custodian ID number"), max_length=18, required=False)
    custodian_phone = forms.CharField(label=_("Custodian phone"), max_length=20, required=False)
    landlord = forms.CharField(
        label=_("Landlord's ID number"),
        max_length=32,
        required=False,
        help_text=_(
            "The landlord must already be recorded in your jurisdiction. Leave empty to keep the current one."
        ),
    )
    rental_mode = code_field("rental_mode", _("Rental mode"))
    rental_start = forms.DateField(label=_("Rental start"), required=False, widget=DATE)
    rent = forms.DecimalField(
        label=_("Monthly rent"), required=False, max_digits=9, decimal_places=2, min_value=0
    )
    rental_filing_no = forms.CharField(label=_("Rental filing number"), max_length=40, required=False)
    security_pledge = forms.BooleanField(label=_("Security pledge signed"), required=False)
    management_level = code_field("management_level", _("Management level"), required=True)
    is_urban_village = forms.BooleanField(label=_("Urban village"), required=False)
    is_urban_fringe = forms.BooleanField(label=_("Urban-rural fringe"), required=False)
    is_complex_area = forms.BooleanField(label=_("Complex public-order area"), required=False)

    def house_data(self, landlord_id: int | None) -> HouseData:
        data = self.data_for(HouseData)
        data.landlord_id = landlord_id
        return data


class HouseEditForm(HouseForm, VersionedForm):
    pass


class UnitForm(RecordForm):
    name = forms.CharField(label=_("Unit name"), max_length=100)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    category = code_field("unit_category", _("Category"), required=True)
    industry = code_field("industry", _("Industry"))
    special_trade = code_field("special_trade", _("Special trade"))
    hazards = forms.MultipleChoiceField(
        label=_("Hazardous goods"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    legal_rep_name = forms.CharField(label=_("Legal representative"), max_length=40, required=False)
    legal_rep_id_number = forms.CharField(
        label=_("Legal representative ID number"), max_length=18, required=False
    )
    legal_rep_phone = forms.CharField(label=_("Legal representative phone"), max_length=20, required=False)
    security_lead_name = forms.CharField(label=_("Security lead"), max_length=40, required=False)
    security_lead_id_number = forms.CharField(
        label=_("Security lead ID number"), max_length=18, required=False
    )
    security_lead_phone = forms.CharField(label=_("Security lead phone"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    biz_status = code_field("unit_status", _("Business status"), required=True)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DATE)
    is_key_unit = forms.BooleanField(label=_("Key unit"), required=False)
    has_cctv = forms.BooleanField(label=_("CCTV present"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["hazards"], codes.choices("hazard", blank=False))

    def unit_data(self) -> UnitData:
        return self.data_for(UnitData)


class UnitEditForm(UnitForm, VersionedForm):
    pass


ROAD_KINDS = frozenset({"34", "41", "44"})
COMPOUND_KINDS = frozenset({"42", "43"})


def _writable_places(user: User) -> tuple[list[AdminDivision], list[PoliceUnit]]:
    """Villages and police districts to offer on a door-plate form: those under the user's assigned
    division, else those covered by the districts under the user's police unit. Only a convenience:
    ``door_plate_create`` checks the actual permission."""
    districts = PoliceUnit.objects.filter(kind=PoliceUnitKind.DISTRICT)
    if user.police_unit is not None:
        districts = districts.filter(code__startswith=user.police_unit.prefix)
    elif user.division is None:
        return [], []
    villages = AdminDivision.objects.filter(level=DivisionLevel.VILLAGE)
    if user.division is not None:
        villages = villages.filter(code__startswith=user.division.prefix)
    else:
        villages = villages.filter(police_units__in=districts).distinct()
    return list(villages.order_by("code")), list(districts.order_by("code"))


class DoorPlateForm(RecordForm):
    """门楼牌: the place (village and police district in the user's jurisdiction) and the number."""

    division_code = forms.ChoiceField(label=_("Community or village"), choices=[])
    police_unit_code = forms.ChoiceField(label=_("Police district"), choices=[])
    road_id = forms.TypedChoiceField(label=_("Street or villager group"), choices=[], coerce=int)
    door_prefix = forms.CharField(label=_("Door number prefix"), max_length=10, required=False)
    door_number = forms.CharField(label=_("Door number"), max_length=10)
    door_suffix = forms.CharField(label=_("Door number suffix"), max_length=10, required=False)
    sub_number = forms.CharField(label=_("Sub-number"), max_length=10, required=False)
    compound_id = forms.TypedChoiceField(
        label=_("Compound or yard"), choices=[], coerce=int, required=False, empty_value=None
    )
    building = forms.CharField(label=_("Building"), max_length=20, required=False)
    common_name = forms.CharField(label=_("Common name"), max_length=60, required=False)

    field_order = [
        "division_code",
        "police_unit_code",
        "road_id",
        "door_prefix",
        "door_number",
        "door_suffix",
        "sub_number",
        "compound_id",
        "building",
        "common_name",
        "change_reason",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages, districts = _writable_places(self.user)
        set_choices(
            self.fields["division_code"], [("", "---------")] + [(v.code, v.full_name) for v in villages]
        )
        set_choices(
            self.fields["police_unit_code"], [("", "---------")] + [(d.code, d.name) for d in districts]
        )
        towns = Q(pk__in=[])
        for prefix in sorted({v.code[:9] for v in villages}):
            towns |= Q(division__pk__startswith=prefix)
        elements = list(
            AddressElement.objects.filter(towns)
            .select_related("division")
            .order_by("division_id", "kind", "name")
        )
        set_choices(
            self.fields["road_id"],
            [("", "---------")]
            + [(e.pk, f"{e.name} · {e.division.name}") for e in elements if e.kind in ROAD_KINDS],
        )
        set_choices(
            self.fields["compound_id"],
            [("", "---------")]
            + [(e.pk, f"{e.name} · {e.division.name}") for e in elements if e.kind in COMPOUND_KINDS],
        )

    def door_plate_data(self) -> DoorPlateData:
        return self.data_for(DoorPlateData)


class AddressEditForm(VersionedForm):
    common_name = forms.CharField(label=_("Common name"), max_length=60, required=False)


#: What the buttons of the status form say, by target status.
TRANSITION_LABELS = {
    RecordStatus.PENDING: _("Submit for review"),
    RecordStatus.ACCEPTED: _("Accept"),
    RecordStatus.RETURNED: _("Return"),
    RecordStatus.VOIDED: _("Void"),
    RecordStatus.DRAFT: _("Back to draft"),
}


class TransitionForm(BaseForm):
    to = forms.ChoiceField(label=_("New status"), choices=RecordStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = version_field()


def transition_options(user: User, record: Any) -> list[dict[str, Any]]:
    """The moves ``user`` may offer on ``record`` now: [{"to", "label", "needs_reason"}]."""
    from ybss.audit.records import REASON_REQUIRED, TRANSITIONS

    if not jurisdiction.can_edit(user):
        return []
    review = jurisdiction.can_review(user)
    out = []
    for to in (
        RecordStatus.PENDING,
        RecordStatus.ACCEPTED,
        RecordStatus.RETURNED,
        RecordStatus.DRAFT,
        RecordStatus.VOIDED,
    ):
        if to not in TRANSITIONS.get(record.status, frozenset()):
            continue
        if to in (RecordStatus.ACCEPTED, RecordStatus.RETURNED, RecordStatus.VOIDED) and not review:
            continue
        out.append({"to": str(to), "label": TRANSITION_LABELS[to], "needs_reason": to in REASON_REQUIRED})
    return out


def initial_from(record: Any, form_class: type[forms.Form]) -> dict[str, Any]:
    """Initial values of an edit form from a record (``version`` included)."""
    initial: dict[str, Any] = {}
    for name in form_class.base_fields:
        if name != "landlord" and hasattr(record, name):
            initial[name] = getattr(record, name)
    return initial


__all__ = [
    "AddressEditForm",
    "DoorPlateForm",
    "HouseEditForm",
    "HouseForm",
    "PersonEditForm",
    "PersonRegisterForm",
    "TransitionForm",
    "UnitEditForm",
    "UnitForm",
    "apply_error",
    "initial_from",
    "transition_options",
    "version_field",
]
