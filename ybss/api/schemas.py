"""Response and request bodies of the API.

Conventions: every coded field ``x`` is followed by ``x_label`` in the active language (code
lists through ``core.codes.label``, choices through their ``TextChoices`` label). ID numbers and
phones (of persons, house owners and custodians, unit legal representatives and security leads)
pass through ``jurisdiction.show_id_number`` / ``show_phone`` for the calling user, in records and
in their history, and are masked when the caller is unknown (fail closed). List items carry the
hierarchy codes only (no joins); details add names, the record history, status and version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import TextChoices
from ninja import Field, Schema
from pydantic import StringConstraints

from ybss.addresses.models import AddressLevel, CleanState, MarkState
from ybss.audit.models import HistoryAction
from ybss.core import codes
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.registry.models import ResidenceType, VerifyState

#: Record fields holding ID numbers / phones, masked by role wherever they appear (also history).
ID_FIELDS = frozenset(
    {"id_number", "owner_id_number", "custodian_id_number", "legal_rep_id_number", "security_lead_id_number"}
)
PHONE_FIELDS = frozenset(
    {"phone", "phone2", "owner_phone", "custodian_phone", "legal_rep_phone", "security_lead_phone"}
)


def viewer(context: dict[str, Any] | None) -> Any:
    """The calling user from the serialisation context (None outside a request: all masked)."""
    request = (context or {}).get("request")
    return getattr(request, "auth", None)


def show(field: str, value: Any, user: Any) -> Any:
    """``value`` of record field ``field`` as ``user`` may see it."""
    if field in ID_FIELDS and isinstance(value, str):
        return jurisdiction.show_id_number(user, value)
    if field in PHONE_FIELDS and isinstance(value, str):
        return jurisdiction.show_phone(user, value)
    return value


def shown(attr: str) -> staticmethod:
    """A resolver showing an ID or phone attribute for the calling user."""

    def resolve(obj: Any, context: dict[str, Any] | None = None) -> str:
        return show(attr, getattr(obj, attr) or "", viewer(context)) or ""

    return staticmethod(resolve)


def code_label(slug: str, attr: str) -> staticmethod:
    """A resolver giving the label of code-list field ``attr`` (list ``slug``)."""

    def resolve(obj: Any) -> str:
        return codes.label(slug, getattr(obj, attr))

    return staticmethod(resolve)


def choice_label(choices: type[TextChoices], attr: str) -> staticmethod:
    """A resolver giving the label of choice field ``attr``; the raw value when unknown."""

    def resolve(obj: Any) -> str:
        value = getattr(obj, attr)
        try:
            return str(choices(value).label)
        except ValueError:
            return value or ""

    return staticmethod(resolve)


# --- shared pieces -----------------------------------------------------------------------------


class HistoryOut(Schema):
    at: datetime
    actor: str
    version: int
    action: str
    action_label: str
    changes: dict[str, list[Any]]
    reason: str

    resolve_action_label = choice_label(HistoryAction, "action")

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return obj.actor.display_name if obj.actor_id else ""

    @staticmethod
    def resolve_changes(obj: Any, context: dict[str, Any] | None = None) -> dict[str, list[Any]]:
        user = viewer(context)
        return {field: [show(field, v, user) for v in pair] for field, pair in (obj.changes or {}).items()}


class RecordItem(Schema):
    """What every list item shares: hierarchy codes, lifecycle and version."""

    id: int
    division: str
    police_unit: str
    status: str
    status_label: str
    version: int

    resolve_status_label = choice_label(RecordStatus, "status")

    @staticmethod
    def resolve_division(obj: Any) -> str:
        return obj.division_id

    @staticmethod
    def resolve_police_unit(obj: Any) -> str:
        return obj.police_unit_id


class RecordDetail(RecordItem):
    """What every detail adds: names of both hierarchy nodes, provenance and the history."""

    division_name: str
    police_unit_name: str
    status_reason: str
    source_ref: str
    created_at: datetime
    updated_at: datetime
    history: list[HistoryOut]

    @staticmethod
    def resolve_division_name(obj: Any) -> str:
        return obj.division.name

    @staticmethod
    def resolve_police_unit_name(obj: Any) -> str:
        return obj.police_unit.name

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return obj.api_history


class Page(Schema):
    count: int
    limit: int
    offset: int


# --- addresses ---------------------------------------------------------------------------------


class AddressItem(RecordItem):
    code: str
    level: str
    level_label: str
    full_name: str
    parent_id: int | None
    lng: float | None
    lat: float | None
    mark_state: str
    mark_state_label: str
    clean_state: str
    clean_state_label: str

    resolve_level_label = choice_label(AddressLevel, "level")
    resolve_mark_state_label = choice_label(MarkState, "mark_state")
    resolve_clean_state_label = choice_label(CleanState, "clean_state")


class AddressPage(Page):
    items: list[AddressItem]


class AddressDetail(AddressItem, RecordDetail):
    parent_name: str
    road: str
    compound: str
    door_prefix: str
    door_number: str
    door_suffix: str
    sub_number: str
    building: str
    common_name: str
    unit_no: str
    floor: int | None
    room_no: str
    coord_source: str
    marked_source: str
    marked_at: datetime | None
    cleaned_at: datetime | None
    merged_into_id: int | None
    verified_at: datetime | None
    verified_by_id: int | None

    @staticmethod
    def resolve_parent_name(obj: Any) -> str:
        return obj.parent.full_name if obj.parent_id else ""

    @staticmethod
    def resolve_road(obj: Any) -> str:
        return obj.road.name if obj.road_id else ""

    @staticmethod
    def resolve_compound(obj: Any) -> str:
        return obj.compound.name if obj.compound_id else ""


# --- houses ------------------------------------------------------------------------------------


class HouseItem(RecordItem):
    address_id: int
    address_name: str
    house_type: str
    house_type_label: str
    use: str
    use_label: str
    management_level: str
    management_level_label: str
    verify_state: str
    verify_state_label: str
    owner_name: str
    floors: int | None
    rooms: int | None
    area: float | None

    resolve_house_type_label = code_label("house_type", "house_type")
    resolve_use_label = code_label("house_use", "use")
    resolve_management_level_label = code_label("management_level", "management_level")
    resolve_verify_state_label = choice_label(VerifyState, "verify_state")

    @staticmethod
    def resolve_address_name(obj: Any) -> str:
        return obj.address.full_name


class HousePage(Page):
    items: list[HouseItem]


class ResidentOut(Schema):
    """A current resident, as listed on a house: no identifiers (read the person for those)."""

    id: int
    person_id: int
    person_name: str
    residence_type: str
    residence_type_label: str
    relation: str
    relation_label: str
    since: date | None

    resolve_residence_type_label = choice_label(ResidenceType, "residence_type")
    resolve_relation_label = code_label("relation", "relation")

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name


class HouseDetail(HouseItem, RecordDetail):
    structure: str
    structure_label: str
    ownership: str
    ownership_label: str
    owner_id_number: str
    owner_phone: str
    custodian_name: str
    custodian_id_number: str
    custodian_phone: str
    landlord_id: int | None
    landlord_name: str
    rental_mode: str
    rental_mode_label: str
    rental_start: date | None
    rent: float | None
    rental_filing_no: str
    security_pledge: bool
    is_urban_village: bool
    is_urban_fringe: bool
    is_complex_area: bool
    verified_at: datetime | None
    verified_by_id: int | None
    residents: list[ResidentOut]

    resolve_structure_label = code_label("house_structure", "structure")
    resolve_ownership_label = code_label("ownership", "ownership")
    resolve_rental_mode_label = code_label("rental_mode", "rental_mode")
    resolve_owner_id_number = shown("owner_id_number")
    resolve_owner_phone = shown("owner_phone")
    resolve_custodian_id_number = shown("custodian_id_number")
    resolve_custodian_phone = shown("custodian_phone")

    @staticmethod
    def resolve_landlord_name(obj: Any) -> str:
        return obj.landlord.name if obj.landlord_id else ""

    @staticmethod
    def resolve_residents(obj: Any) -> list[Any]:
        return obj.api_residents


# --- persons -----------------------------------------------------------------------------------


class PersonItem(RecordItem):
    id_type: str
    id_type_label: str
    id_number: str
    name: str
    sex: str
    sex_label: str
    birth_date: date | None
    phone: str
    is_key_person: bool

    resolve_id_type_label = code_label("id_type", "id_type")
    resolve_sex_label = code_label("sex", "sex")
    resolve_id_number = shown("id_number")
    resolve_phone = shown("phone")


class PersonPage(Page):
    items: list[PersonItem]


class ResidenceOut(Schema):
    id: int
    house_id: int
    address_name: str
    residence_type: str
    residence_type_label: str
    relation: str
    relation_label: str
    reason: str
    reason_label: str
    since: date | None
    until: date | None
    is_tenant: bool
    is_owner: bool
    landlord_id: int | None
    landlord_name: str
    separated: bool
    active: bool

    resolve_residence_type_label = choice_label(ResidenceType, "residence_type")
    resolve_relation_label = code_label("relation", "relation")
    resolve_reason_label = code_label("residence_reason", "reason")

    @staticmethod
    def resolve_address_name(obj: Any) -> str:
        return obj.house.address.full_name

    @staticmethod
    def resolve_landlord_name(obj: Any) -> str:
        return obj.landlord.name if obj.landlord_id else ""


class PersonEmploymentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    post: str
    since: date | None
    until: date | None
    active: bool

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name


class PersonDetail(PersonItem, RecordDetail):
    pinyin: str
    former_names: str
    ethnicity: str
    ethnicity_label: str
    phone2: str
    hukou_division_code: str
    hukou_address_text: str
    hukou_address_id: int | None
    education: str
    education_label: str
    marital: str
    marital_label: str
    occupation: str
    employer: str
    nationality: str
    nationality_label: str
    foreign_surname: str
    foreign_given_name: str
    visa_type: str
    visa_type_label: str
    visa_expiry: date | None
    entry_date: date | None
    expected_departure: date | None
    residences: list[ResidenceOut]
    employments: list[PersonEmploymentOut]

    resolve_ethnicity_label = code_label("ethnicity", "ethnicity")
    resolve_education_label = code_label("education", "education")
    resolve_marital_label = code_label("marital", "marital")
    resolve_nationality_label = code_label("nationality", "nationality")
    resolve_visa_type_label = code_label("visa_type", "visa_type")
    resolve_phone2 = shown("phone2")

    @staticmethod
    def resolve_residences(obj: Any) -> list[Any]:
        return obj.api_residences

    @staticmethod
    def resolve_employments(obj: Any) -> list[Any]:
        return obj.api_employments


# --- units -------------------------------------------------------------------------------------


class UnitItem(RecordItem):
    name: str
    credit_code: str
    category: str
    category_label: str
    special_trade: str
    special_trade_label: str
    hazards: list[str]
    hazard_labels: list[str]
    biz_status: str
    biz_status_label: str
    address_id: int
    address_name: str
    is_key_unit: bool
    verify_state: str
    verify_state_label: str

    resolve_category_label = code_label("unit_category", "category")
    resolve_special_trade_label = code_label("special_trade", "special_trade")
    resolve_biz_status_label = code_label("unit_status", "biz_status")
    resolve_verify_state_label = choice_label(VerifyState, "verify_state")

    @staticmethod
    def resolve_hazards(obj: Any) -> list[str]:
        return [str(h) for h in (obj.hazards or [])]

    @staticmethod
    def resolve_hazard_labels(obj: Any) -> list[str]:
        return [codes.label("hazard", str(h)) for h in (obj.hazards or [])]

    @staticmethod
    def resolve_address_name(obj: Any) -> str:
        return obj.address.full_name


class UnitPage(Page):
    items: list[UnitItem]


class EmployeeOut(Schema):
    """An employee as listed on a unit: no identifiers (read the person for those)."""

    id: int
    person_id: int
    person_name: str
    post: str
    since: date | None
    until: date | None
    active: bool

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name


class UnitDetail(UnitItem, RecordDetail):
    industry: str
    industry_label: str
    legal_rep_name: str
    legal_rep_id_number: str
    legal_rep_phone: str
    security_lead_name: str
    security_lead_id_number: str
    security_lead_phone: str
    phone: str
    house_id: int | None
    opened_on: date | None
    closed_on: date | None
    has_cctv: bool
    verified_at: datetime | None
    verified_by_id: int | None
    employees: list[EmployeeOut]

    resolve_industry_label = code_label("industry", "industry")
    resolve_legal_rep_id_number = shown("legal_rep_id_number")
    resolve_legal_rep_phone = shown("legal_rep_phone")
    resolve_security_lead_id_number = shown("security_lead_id_number")
    resolve_security_lead_phone = shown("security_lead_phone")
    resolve_phone = shown("phone")

    @staticmethod
    def resolve_employees(obj: Any) -> list[Any]:
        return obj.api_employees


# --- writes ------------------------------------------------------------------------------------


class FindingOut(Schema):
    """A warning a service accepted the input with (kept for review), e.g. an unknown region code."""

    code: str
    message: str
    field: str | None

    @staticmethod
    def resolve_message(obj: Any) -> str:
        return str(obj.message)


class PersonWriteOut(PersonDetail):
    warnings: list[FindingOut]

    @staticmethod
    def resolve_warnings(obj: Any) -> list[Any]:
        return obj.api_warnings


class UnitWriteOut(UnitDetail):
    warnings: list[FindingOut]

    @staticmethod
    def resolve_warnings(obj: Any) -> list[Any]:
        return obj.api_warnings


class BuildingOut(Schema):
    created: int
    items: list[AddressItem]


# --- me and tokens -----------------------------------------------------------------------------


class NodeOut(Schema):
    code: str
    name: str


class CountsOut(Schema):
    addresses: int
    houses: int
    persons: int
    units: int


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    display_name: str
    role: str
    role_label: str
    police_unit: NodeOut | None
    division: NodeOut | None
    sees_full_identifiers: bool
    can_edit: bool
    can_review: bool
    can_export: bool
    counts: CountsOut


class TokenIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    expires_in_days: int = Field(90, ge=1, le=365, description="Days until the token stops working")


class TokenOut(Schema):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class TokenCreated(TokenOut):
    token: str = Field(..., description="The secret. Shown once; only its hash is kept.")
