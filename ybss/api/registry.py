"""Houses, persons and units: reads through ``registry.selectors``, writes through
``registry.services`` (and ``audit.records.record_move`` for the lifecycle).

Person reads and searches are audited by the selectors with ``channel="api"``; an investigator
must say why they search (``purpose``), every time. A write that answers with a person reads it
through ``person_get`` first, so it is audited like any read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from ybss.audit.records import record_move
from ybss.core.errors import InvalidInput, NotFound
from ybss.org.models import Role
from ybss.registry import selectors, services
from ybss.registry.services import HouseData, PersonData, ResidenceData, UnitData

from .auth import caller
from .inputs import (
    EmploymentIn,
    HouseCreateIn,
    HouseUpdateIn,
    PersonCreateIn,
    PersonUpdateIn,
    ResidenceEndIn,
    TransitionIn,
    UnitCreateIn,
    UnitUpdateIn,
    VerifyIn,
)
from .paging import paginate, with_detail
from .params import HouseQuery, PageParams, PersonQuery, PurposeQuery, RecordId, UnitQuery
from .schemas import (
    EmployeeOut,
    HouseDetail,
    HousePage,
    PersonDetail,
    PersonPage,
    PersonWriteOut,
    UnitDetail,
    UnitPage,
    UnitWriteOut,
)
from .scoping import scoped
from .writes import keep_masked, with_warnings

CHANNEL = "api"

houses = Router(tags=["houses"])
persons = Router(tags=["persons"])
units = Router(tags=["units"])


# --- houses ------------------------------------------------------------------------------------


def _house_detail(actor: Any, pk: int) -> Any:
    house = selectors.house_get(actor=actor, pk=pk)
    return with_detail(house, residents=selectors.house_residents(actor=actor, house=house))


@houses.get("", response=HousePage, summary="List houses in your jurisdiction")
@scoped
def house_list(request: HttpRequest, filters: Query[HouseQuery], page: Query[PageParams]) -> Any:
    return paginate(selectors.house_list(actor=caller(request), filters=filters.to_filters()), page)


@houses.get("/{pk}", response=HouseDetail, summary="One house with its current residents and history")
@scoped
def house_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _house_detail(caller(request), pk)


@houses.post("", response={201: HouseDetail}, summary="Record a house at a standard address")
@scoped
def house_create(request: HttpRequest, payload: HouseCreateIn) -> Any:
    actor = caller(request)
    house = services.house_create(
        actor=actor, address_id=payload.address_id, data=payload.to_data(HouseData), reason=payload.reason
    )
    return Status(201, _house_detail(actor, house.pk))


@houses.put("/{pk}", response=HouseDetail, summary="Replace a house's details (needs its version)")
@scoped
def house_update(request: HttpRequest, pk: RecordId, payload: HouseUpdateIn) -> Any:
    actor = caller(request)
    house = selectors.house_get(actor=actor, pk=pk)
    data = keep_masked(payload.to_data(HouseData), house, actor)
    services.house_update(
        actor=actor, house=house, expected_version=payload.version, data=data, reason=payload.reason
    )
    return _house_detail(actor, pk)


@houses.post("/{pk}/verify", response=HouseDetail, summary="核查: record the field verification")
@scoped
def house_verify(request: HttpRequest, pk: RecordId, payload: VerifyIn) -> Any:
    actor = caller(request)
    house = selectors.house_get(actor=actor, pk=pk)
    services.house_verify(
        actor=actor, house=house, expected_version=payload.version, ok=payload.ok, reason=payload.reason
    )
    return _house_detail(actor, pk)


@houses.post("/{pk}/transition", response=HouseDetail, summary="Move a house along its lifecycle")
@scoped
def house_transition(request: HttpRequest, pk: RecordId, payload: TransitionIn) -> Any:
    actor = caller(request)
    house = selectors.house_get(actor=actor, pk=pk)
    record_move(
        actor=actor, record=house, to=payload.to, expected_version=payload.version, reason=payload.reason
    )
    return _house_detail(actor, pk)


# --- persons -----------------------------------------------------------------------------------


def _person_detail(person: Any, actor: Any) -> Any:
    return with_detail(
        person,
        residences=selectors.person_residences(actor=actor, person=person),
        employments=selectors.person_employments(actor=actor, person=person),
    )


def _person_get(request: HttpRequest, pk: int, purpose: str = "") -> Any:
    return selectors.person_get(
        actor=caller(request),
        pk=pk,
        purpose=purpose.strip(),
        request=request,
        channel=CHANNEL,
    )


@persons.get("", response=PersonPage, summary="Search persons in your jurisdiction (audited)")
@scoped
def person_list(request: HttpRequest, filters: Query[PersonQuery], page: Query[PageParams]) -> Any:
    actor = caller(request)
    purpose = filters.purpose.strip()
    if actor.role == Role.INVESTIGATOR and not purpose:
        # Every investigator search states its purpose (DOMAIN.md §2, §9), even an unfiltered one.
        raise InvalidInput(fields={"purpose": [_("Please state the purpose of this search.")]})
    qs = selectors.person_list(
        actor=actor, filters=filters.to_filters(), purpose=purpose, request=request, channel=CHANNEL
    )
    return paginate(qs, page)


@persons.get(
    "/{pk}", response=PersonDetail, summary="One person with residences, employments, history (audited)"
)
@scoped
def person_detail(request: HttpRequest, pk: RecordId, params: Query[PurposeQuery]) -> Any:
    return _person_detail(_person_get(request, pk, params.purpose), caller(request))


@persons.post("", response={201: PersonWriteOut}, summary="Register a person living in a house")
@scoped
def person_register(request: HttpRequest, payload: PersonCreateIn) -> Any:
    actor = caller(request)
    person, warnings = services.person_register(
        actor=actor,
        person=payload.to_data(PersonData),
        house_id=payload.house_id,
        residence=payload.residence.to_data(ResidenceData),
        reason=payload.reason,
    )
    # The person may be an existing record found by document number: reading it is audited.
    shown = _person_get(request, person.pk, payload.reason)
    return Status(201, with_warnings(_person_detail(shown, actor), warnings))


@persons.put("/{pk}", response=PersonWriteOut, summary="Replace a person's details (needs its version)")
@scoped
def person_update(request: HttpRequest, pk: RecordId, payload: PersonUpdateIn) -> Any:
    actor = caller(request)
    person = _person_get(request, pk, payload.reason)
    data = keep_masked(payload.to_data(PersonData), person, actor)
    person, warnings = services.person_update(
        actor=actor, person=person, expected_version=payload.version, data=data, reason=payload.reason
    )
    return with_warnings(_person_detail(person, actor), warnings)


@persons.post("/{pk}/transition", response=PersonDetail, summary="Move a person along its lifecycle")
@scoped
def person_transition(request: HttpRequest, pk: RecordId, payload: TransitionIn) -> Any:
    actor = caller(request)
    person = _person_get(request, pk, payload.reason)
    person = record_move(
        actor=actor, record=person, to=payload.to, expected_version=payload.version, reason=payload.reason
    )
    return _person_detail(person, actor)


@persons.post(
    "/{pk}/residences/{residence_pk}/end", response=PersonDetail, summary="End a residence (moved away)"
)
@scoped
def residence_end(request: HttpRequest, pk: RecordId, residence_pk: RecordId, payload: ResidenceEndIn) -> Any:
    actor = caller(request)
    person = _person_get(request, pk, payload.reason)
    residence = selectors.person_residences(actor=actor, person=person).filter(pk=residence_pk).first()
    if residence is None:
        raise NotFound()
    services.residence_end(
        actor=actor,
        residence=residence,
        until=payload.until,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _person_detail(person, actor)


# --- units -------------------------------------------------------------------------------------


def _unit_detail(actor: Any, pk: int) -> Any:
    unit = selectors.unit_get(actor=actor, pk=pk)
    return with_detail(unit, employees=selectors.unit_employments(actor=actor, unit=unit))


@units.get("", response=UnitPage, summary="List units in your jurisdiction")
@scoped
def unit_list(request: HttpRequest, filters: Query[UnitQuery], page: Query[PageParams]) -> Any:
    return paginate(selectors.unit_list(actor=caller(request), filters=filters.to_filters()), page)


@units.get("/{pk}", response=UnitDetail, summary="One unit with its employees and history")
@scoped
def unit_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _unit_detail(caller(request), pk)


@units.post("", response={201: UnitWriteOut}, summary="Record a unit at a standard address")
@scoped
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Any:
    actor = caller(request)
    unit, warnings = services.unit_create(
        actor=actor, address_id=payload.address_id, data=payload.to_data(UnitData), reason=payload.reason
    )
    return Status(201, with_warnings(_unit_detail(actor, unit.pk), warnings))


@units.put("/{pk}", response=UnitWriteOut, summary="Replace a unit's details (needs its version)")
@scoped
def unit_update(request: HttpRequest, pk: RecordId, payload: UnitUpdateIn) -> Any:
    actor = caller(request)
    unit = selectors.unit_get(actor=actor, pk=pk)
    data = keep_masked(payload.to_data(UnitData), unit, actor)
    _unit, warnings = services.unit_update(
        actor=actor, unit=unit, expected_version=payload.version, data=data, reason=payload.reason
    )
    return with_warnings(_unit_detail(actor, pk), warnings)


@units.post("/{pk}/verify", response=UnitDetail, summary="核实: record the field verification")
@scoped
def unit_verify(request: HttpRequest, pk: RecordId, payload: VerifyIn) -> Any:
    actor = caller(request)
    unit = selectors.unit_get(actor=actor, pk=pk)
    services.unit_verify(
        actor=actor, unit=unit, expected_version=payload.version, ok=payload.ok, reason=payload.reason
    )
    return _unit_detail(actor, pk)


@units.post("/{pk}/transition", response=UnitDetail, summary="Move a unit along its lifecycle")
@scoped
def unit_transition(request: HttpRequest, pk: RecordId, payload: TransitionIn) -> Any:
    actor = caller(request)
    unit = selectors.unit_get(actor=actor, pk=pk)
    record_move(
        actor=actor, record=unit, to=payload.to, expected_version=payload.version, reason=payload.reason
    )
    return _unit_detail(actor, pk)


@units.post("/{pk}/employments", response={201: EmployeeOut}, summary="Record that a person works here")
@scoped
def employment_create(request: HttpRequest, pk: RecordId, payload: EmploymentIn) -> Any:
    actor = caller(request)
    unit = selectors.unit_get(actor=actor, pk=pk)
    employment = services.employment_create(
        actor=actor,
        unit=unit,
        person_id=payload.person_id,
        post=payload.post,
        since=payload.since,
        reason=payload.reason,
    )
    return Status(201, employment)
