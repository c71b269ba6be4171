"""Houses, persons and units: list and detail, through ``registry.selectors``.

Person reads and searches are audited by the selectors with ``channel="api"``; an investigator
must say why they search (``purpose``), every time.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from ybss.core.errors import InvalidInput
from ybss.org.models import Role
from ybss.registry import selectors

from .paging import paginate, with_detail
from .params import HouseQuery, PageParams, PersonQuery, PurposeQuery, RecordId, UnitQuery
from .schemas import HouseDetail, HousePage, PersonDetail, PersonPage, UnitDetail, UnitPage
from .scoping import scoped

CHANNEL = "api"

houses = Router(tags=["houses"])
persons = Router(tags=["persons"])
units = Router(tags=["units"])


@houses.get("", response=HousePage, summary="List houses in your jurisdiction")
@scoped
def house_list(request: HttpRequest, filters: Query[HouseQuery], page: Query[PageParams]) -> Any:
    return paginate(selectors.house_list(actor=request.auth, filters=filters.to_filters()), page)  # type: ignore[attr-defined]


@houses.get("/{pk}", response=HouseDetail, summary="One house with its current residents and history")
@scoped
def house_detail(request: HttpRequest, pk: RecordId) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    house = selectors.house_get(actor=actor, pk=pk)
    return with_detail(house, residents=selectors.house_residents(actor=actor, house=house))


@persons.get("", response=PersonPage, summary="Search persons in your jurisdiction (audited)")
@scoped
def person_list(request: HttpRequest, filters: Query[PersonQuery], page: Query[PageParams]) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    purpose = filters.purpose.strip()
    if actor.role == Role.INVESTIGATOR and not purpose:
        # Every investigator search states its purpose (DOMAIN.md §2, §9), even an unfiltered one.
        raise InvalidInput(fields={"purpose": [_("Please state the purpose of this search.")]})
    qs = selectors.person_list(
        actor=actor, filters=filters.to_filters(), purpose=purpose, request=request, channel=CHANNEL
    )
    return paginate(qs, page)


@persons.get("/{pk}", response=PersonDetail, summary="One person with residences, employments, history (audited)")
@scoped
def person_detail(request: HttpRequest, pk: RecordId, params: Query[PurposeQuery]) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    person = selectors.person_get(
        actor=actor, pk=pk, purpose=params.purpose.strip(), request=request, channel=CHANNEL
    )
    return with_detail(
        person,
        residences=selectors.person_residences(actor=actor, person=person),
        employments=selectors.person_employments(actor=actor, person=person),
    )


@units.get("", response=UnitPage, summary="List units in your jurisdiction")
@scoped
def unit_list(request: HttpRequest, filters: Query[UnitQuery], page: Query[PageParams]) -> Any:
    return paginate(selectors.unit_list(actor=request.auth, filters=filters.to_filters()), page)  # type: ignore[attr-defined]


@units.get("/{pk}", response=UnitDetail, summary="One unit with its employees and history")
@scoped
def unit_detail(request: HttpRequest, pk: RecordId) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    unit = selectors.unit_get(actor=actor, pk=pk)
    return with_detail(unit, employees=selectors.unit_employments(actor=actor, unit=unit))
