"""Request bodies of the write operations: shape only.

These check types and the column lengths (so nothing reaches the database that it would refuse:
a 500 on PostgreSQL); codes, identifiers, dates and the cross-entity rules are the services' job,
which answer 400 with field errors. ``to_data()`` builds the service's input dataclass; the field
names are the services' own, so a field error from a service names a field of this body.

Updates are full replacements (PUT) and carry the ``version`` the client read; a stale version
answers 409 ``conflict``. A masked identifier sent back unchanged (``610524********123X``) keeps the
stored value, so a collector can edit a record whose ID numbers they may not see.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date
from decimal import Decimal
from typing import Annotated, TypeVar

from ninja import Field, Schema

from ybss.addresses.models import CoordSystem
from ybss.core.models import RecordStatus

from .params import MAX_ID

D = TypeVar("D")

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=2_147_483_647, description="The version you read (optimistic lock)")]
Reason = Annotated[str, Field(max_length=500, description="Why (kept in the record history)")]
SmallCount = Annotated[int, Field(ge=0, le=32767)]


class ServiceInput(Schema):
    """A body that maps onto one service dataclass (its other fields are the operation's own)."""

    def to_data(self, cls: type[D]) -> D:
        names = {f.name for f in dataclass_fields(cls)}  # type: ignore[arg-type]
        return cls(**{name: value for name, value in self.model_dump().items() if name in names})


# --- persons -----------------------------------------------------------------------------------


class PersonFields(ServiceInput):
    id_number: str = Field(..., max_length=32)
    name: str = Field(..., max_length=60)
    sex: str = Field("", max_length=1)
    id_type: str = Field("111", max_length=4)
    ethnicity: str = Field("01", max_length=2)
    birth_date: date | None = None
    phone: str = Field("", max_length=20)
    phone2: str = Field("", max_length=20)
    former_names: str = Field("", max_length=120)
    hukou_division_code: str = Field("", max_length=12)
    hukou_address_text: str = Field("", max_length=200)
    education: str = Field("", max_length=2)
    marital: str = Field("", max_length=2)
    occupation: str = Field("", max_length=60)
    employer: str = Field("", max_length=100)
    is_key_person: bool = False
    nationality: str = Field("", max_length=3)
    foreign_surname: str = Field("", max_length=60)
    foreign_given_name: str = Field("", max_length=60)
    visa_type: str = Field("", max_length=4)
    visa_expiry: date | None = None
    entry_date: date | None = None
    expected_departure: date | None = None


class ResidenceIn(ServiceInput):
    residence_type: str = Field(..., max_length=12)
    relation: str = Field("", max_length=2)
    reason: str = Field("", max_length=10)
    since: date | None = None
    is_tenant: bool = False
    is_owner: bool = False
    landlord_id: Id | None = None


class PersonCreateIn(PersonFields):
    """Register a person living in a house (实有人口采集): found by document, or created."""

    house_id: Id
    residence: ResidenceIn
    reason: Reason = ""


class PersonUpdateIn(PersonFields):
    version: Version
    reason: Reason = ""


class ResidenceEndIn(Schema):
    until: date
    version: Version
    reason: Reason


# --- houses ------------------------------------------------------------------------------------


class HouseFields(ServiceInput):
    house_type: str = Field(..., max_length=16)
    use: str = Field(..., max_length=16)
    structure: str = Field("", max_length=16)
    floors: SmallCount | None = None
    rooms: SmallCount | None = None
    area: Annotated[Decimal, Field(max_digits=8, decimal_places=2)] | None = None
    ownership: str = Field("", max_length=16)
    owner_name: str = Field("", max_length=40)
    owner_id_number: str = Field("", max_length=32)
    owner_phone: str = Field("", max_length=20)
    custodian_name: str = Field("", max_length=40)
    custodian_id_number: str = Field("", max_length=32)
    custodian_phone: str = Field("", max_length=20)
    landlord_id: Id | None = None
    rental_mode: str = Field("", max_length=8)
    rental_start: date | None = None
    rent: Annotated[Decimal, Field(max_digits=9, decimal_places=2)] | None = None
    rental_filing_no: str = Field("", max_length=40)
    security_pledge: bool = False
    management_level: str = Field("C", max_length=1)
    is_urban_village: bool = False
    is_urban_fringe: bool = False
    is_complex_area: bool = False


class HouseCreateIn(HouseFields):
    address_id: Id
    reason: Reason = ""


class HouseUpdateIn(HouseFields):
    version: Version
    reason: Reason = ""


# --- units -------------------------------------------------------------------------------------


class UnitFields(ServiceInput):
    name: str = Field(..., max_length=100)
    category: str = Field(..., max_length=16)
    credit_code: str = Field("", max_length=32)
    industry: str = Field("", max_length=2)
    special_trade: str = Field("", max_length=20)
    hazards: list[Annotated[str, Field(max_length=40)]] = Field([], max_length=10)
    legal_rep_name: str = Field("", max_length=40)
    legal_rep_id_number: str = Field("", max_length=32)
    legal_rep_phone: str = Field("", max_length=20)
    security_lead_name: str = Field("", max_length=40)
    security_lead_id_number: str = Field("", max_length=32)
    security_lead_phone: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    house_id: Id | None = None
    biz_status: str = Field("open", max_length=10)
    opened_on: date | None = None
    closed_on: date | None = None
    is_key_unit: bool = False
    has_cctv: bool = False


class UnitCreateIn(UnitFields):
    address_id: Id
    reason: Reason = ""


class UnitUpdateIn(UnitFields):
    version: Version
    reason: Reason = ""


class EmploymentIn(Schema):
    person_id: Id
    post: str = Field("", max_length=40)
    since: date | None = None
    reason: Reason = ""


# --- shared: lifecycle and verification --------------------------------------------------------


class TransitionIn(Schema):
    """Move a record along draft → pending → accepted / returned; → voided (with a reason)."""

    to: RecordStatus
    version: Version
    reason: Reason = ""


class VerifyIn(Schema):
    """核查 / 核实 in the field: ``ok`` false records that the check found problems."""

    ok: bool
    version: Version
    reason: Reason = ""


# --- addresses ---------------------------------------------------------------------------------


class DoorPlateIn(ServiceInput):
    division_code: str = Field(..., max_length=12)
    police_unit_code: str = Field(..., max_length=12)
    road_id: Id
    door_number: str = Field(..., max_length=10)
    door_prefix: str = Field("", max_length=10)
    door_suffix: str = Field("", max_length=10)
    sub_number: str = Field("", max_length=10)
    compound_id: Id | None = None
    building: str = Field("", max_length=20)
    common_name: str = Field("", max_length=60)
    reason: Reason = ""


class RoomIn(Schema):
    unit_no: str = Field("", max_length=10)
    floor: Annotated[int, Field(ge=-32768, le=32767)] | None = None
    room_no: str = Field(..., max_length=10)
    reason: Reason = ""


class BuildingIn(Schema):
    """units × (floors + underground) × rooms_per_floor room addresses under a door plate."""

    units: Annotated[int, Field(ge=0, le=10_000)]
    floors: Annotated[int, Field(ge=0, le=10_000)]
    rooms_per_floor: Annotated[int, Field(ge=0, le=10_000)]
    underground: Annotated[int, Field(ge=0, le=10_000)] = 0
    reason: Reason = ""


class AddressUpdateIn(Schema):
    """What an address edit may change: its common name (门牌俗称)."""

    common_name: str = Field(..., max_length=60)
    version: Version
    reason: Reason = ""


class MarkIn(Schema):
    """标注: coordinates in the system they were captured in (stored as WGS-84)."""

    lng: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    system: CoordSystem = CoordSystem.WGS84
    source: str = Field("map", max_length=20)
    confirm: bool = False
    version: Version
