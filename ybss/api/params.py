"""Query parameters: paging and the list filters, validated before any selector runs.

Each filter schema mirrors a selector's ``*Filters`` dataclass field for field and converts to it
with ``to_filters()``. An empty parameter (``?status=``) means "no filter". Enumerations accept only
their values and code-list fields only active codes of their list, so a bad value is a 400 field
error, never a 500 and never a silent empty result.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from ybss.addresses.models import AddressLevel, CleanState, MarkState
from ybss.addresses.selectors import AddressFilters
from ybss.core import codes
from ybss.core.models import RecordStatus
from ybss.registry.models import ResidenceType, VerifyState
from ybss.registry.selectors import HouseFilters, PersonFilters, UnitFilters

MAX_LIMIT = 200
#: Far beyond any county (and any shard), well inside a 64-bit OFFSET.
MAX_OFFSET = 1_000_000_000
#: Largest primary key the databases store (bigint).
MAX_ID = 2**63 - 1


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def code_of(slug: str, *extra: str) -> AfterValidator:
    """A check that a value is an active code of list ``slug`` (or one of ``extra``)."""

    def check(value: str | None) -> str | None:
        if value is None or value in extra or codes.is_valid(slug, value):
            return value
        raise PydanticCustomError("code_invalid", "not an active code of {slug}", {"slug": slug})

    return AfterValidator(check)


Blank = BeforeValidator(_blank_to_none)

#: A record id in a path.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A division or police-unit code prefix (2–12 digits).
CodePrefix = Annotated[Annotated[str, Field(pattern=r"^[0-9]{2,12}$")] | None, Blank]
#: Free-text search.
SearchText = Annotated[Annotated[str, Field(max_length=100)] | None, Blank]


#: An optional code-list code; add ``code_of(slug)`` to check it: ``Annotated[Code, code_of("sex")]``.
Code = Annotated[Annotated[str, Field(max_length=40)] | None, Blank]


def _s(value: Any) -> str:
    """A validated optional value as the selectors' dataclasses want it ('' = no filter)."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


class PageParams(Schema):
    limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class AddressQuery(Schema):
    q: SearchText = None
    level: Annotated[AddressLevel | None, Blank] = None
    status: Annotated[RecordStatus | None, Blank] = None
    division: CodePrefix = None
    police_unit: CodePrefix = None
    mark_state: Annotated[MarkState | None, Blank] = None
    clean_state: Annotated[CleanState | None, Blank] = None

    def to_filters(self) -> AddressFilters:
        return AddressFilters(**{name: _s(getattr(self, name)) for name in AddressQuery.model_fields})


class PersonQuery(Schema):
    q: SearchText = None
    sex: Annotated[Code, code_of("sex")] = None
    residence_type: Annotated[ResidenceType | None, Blank] = None
    separated: Annotated[bool | None, Blank] = None
    status: Annotated[RecordStatus | None, Blank] = None
    division: CodePrefix = None
    police_unit: CodePrefix = None
    purpose: str = Field("", max_length=200, description="Why you search (required for investigators)")

    def to_filters(self) -> PersonFilters:
        return PersonFilters(
            q=_s(self.q),
            sex=_s(self.sex),
            residence_type=_s(self.residence_type),
            separated=self.separated,
            status=_s(self.status),
            division=_s(self.division),
            police_unit=_s(self.police_unit),
        )


class PurposeQuery(Schema):
    purpose: str = Field("", max_length=200, description="Why you read this record")


class HouseQuery(Schema):
    q: SearchText = None
    use: Annotated[Code, code_of("house_use")] = None
    house_type: Annotated[Code, code_of("house_type")] = None
    verify_state: Annotated[VerifyState | None, Blank] = None
    management_level: Annotated[Code, code_of("management_level")] = None
    status: Annotated[RecordStatus | None, Blank] = None
    police_unit: CodePrefix = None

    def to_filters(self) -> HouseFilters:
        return HouseFilters(**{name: _s(getattr(self, name)) for name in HouseQuery.model_fields})


class UnitQuery(Schema):
    q: SearchText = None
    category: Annotated[Code, code_of("unit_category")] = None
    special_trade: Annotated[
        Code, code_of("special_trade", "*"), Field(description="A special-trade code, or * for any")
    ] = None
    hazardous: Annotated[bool | None, Blank] = None
    verify_state: Annotated[VerifyState | None, Blank] = None
    status: Annotated[RecordStatus | None, Blank] = None
    police_unit: CodePrefix = None

    def to_filters(self) -> UnitFilters:
        return UnitFilters(
            q=_s(self.q),
            category=_s(self.category),
            special_trade=_s(self.special_trade),
            hazardous=self.hazardous,
            verify_state=_s(self.verify_state),
            status=_s(self.status),
            police_unit=_s(self.police_unit),
        )
