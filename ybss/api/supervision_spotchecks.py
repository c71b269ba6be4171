"""Spot checks (抽查) over JSON, mounted at ``/api/supervision/spot-checks``: rounds (list, one with
its pass rates, draw, close), items (list, one, give to another checker, record the result — from
the phone in the field with its GPS point) and pass rates by station, police district or collector.

Who sees what is decided by ``supervision.selectors`` / ``services`` (``SPOT_CHECKER_ROLES`` in
jurisdiction; drawing, assigning and closing need ``SPOT_CHECK_ROLES``); out of scope is 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ybss.supervision import selectors, services, spotchecks
from ybss.supervision.models import SpotCheckItem, SpotCheckResult, SpotCheckRound

from .auth import caller
from .paging import paginate
from .params import MAX_ID, PageParams, RecordId
from .scoping import scoped

router = Router(tags=["supervision"])

RecordType = Annotated[str, Field(pattern="^(address|house|person|unit)$")]
Dimension = Annotated[str, Field(pattern="^(station|district|collector|type)$")]


class RoundOut(Schema):
    id: int
    name: str
    police_unit: str
    police_unit_name: str
    division: str
    sample_size: int
    risk_weight: float
    seed: int
    deadline: date | None
    state: str
    created_at: datetime
    created_by: int
    items: int = Field(description="Items you see")
    checked: int
    passed: int


def _round_out(r: SpotCheckRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "name": r.name,
        "police_unit": r.police_unit_id,
        "police_unit_name": r.police_unit.name,
        "division": r.division_id,
        "sample_size": r.sample_size,
        "risk_weight": r.risk_weight,
        "seed": r.seed,
        "deadline": r.deadline,
        "state": r.state,
        "created_at": r.created_at,
        "created_by": r.created_by_id,
        "items": getattr(r, "n_items", 0),
        "checked": getattr(r, "n_checked", 0),
        "passed": getattr(r, "n_passed", 0),
    }


class RoundPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RoundOut]


class PassRateOut(Schema):
    key: str
    name: str
    checked: int
    passed: int
    rate: float | None


def _rates(actor: Any, group: str, **kwargs: Any) -> list[dict[str, Any]]:
    rows = selectors.spot_check_pass_rates(actor=actor, group=group, **kwargs)
    names = selectors.spot_check_pass_names(rows, group=group)
    return [
        {
            "key": r.key,
            "name": names.get(r.key, r.key),
            "checked": r.checked,
            "passed": r.passed,
            "rate": r.rate,
        }
        for r in rows
    ]


class RoundDetail(RoundOut):
    strata: dict[str, Any]
    by_station: list[PassRateOut]
    by_collector: list[PassRateOut]


@router.get("/rounds", response=RoundPage, summary="Spot-check rounds you see, newest first")
@scoped
def round_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    data = paginate(selectors.spot_check_rounds(actor=caller(request)), page)
    data["items"] = [_round_out(r) for r in data["items"]]
    return data


class DrawIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    police_unit_code: Annotated[str, Field(pattern=r"^[0-9]{12}$")]
    sample_size: Annotated[int, Field(ge=1, le=services.SPOT_MAX_SAMPLE)]
    by: Annotated[list[Dimension], Field(max_length=4)] = list(spotchecks.DEFAULT_BY)
    record_types: Annotated[list[RecordType], Field(min_length=1, max_length=4)] = list(
        spotchecks.RECORD_TYPES
    )
    risk_weight: Annotated[float, Field(ge=0, le=services.SPOT_MAX_RISK_WEIGHT, allow_inf_nan=False)] = 1.0
    seed: Annotated[int, Field(ge=0, le=services.SPOT_MAX_SEED)] | None = None
    deadline: date | None = None


@router.post("/rounds", response={201: RoundDetail}, summary="Draw a spot-check round (chief, supervisor)")
@scoped
def round_draw(request: HttpRequest, payload: DrawIn) -> Any:
    actor = caller(request)
    rnd = services.spot_check_draw(actor=actor, **payload.model_dump())
    return Status(201, _round_detail(actor, rnd.pk, request))


def _round_detail(actor: Any, pk: int, request: HttpRequest) -> dict[str, Any]:
    rnd = selectors.spot_check_round_get(actor=actor, pk=pk, request=request)
    return {
        **_round_out(rnd),
        "strata": rnd.strata or {},
        "by_station": _rates(actor, "station", round=rnd),
        "by_collector": _rates(actor, "collector", round=rnd),
    }


@router.get("/rounds/{pk}", response=RoundDetail, summary="One round: how it was drawn, its pass rates")
@scoped
def round_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _round_detail(caller(request), pk, request)


@router.post("/rounds/{pk}/close", response=RoundOut, summary="Close a round (its unchecked items stay so)")
@scoped
def round_close(request: HttpRequest, pk: RecordId) -> Any:
    actor = caller(request)
    services.spot_check_close(actor=actor, round=pk)
    return _round_out(selectors.spot_check_rounds(actor=actor).get(pk=pk))


class ItemOut(Schema):
    id: int
    round: int
    record_type: str
    record_id: int
    place: str = Field(description="The record's address (a person's: their current residence)")
    stratum: str
    weight: float
    risk: float
    police_unit: str
    collector: int | None
    collector_name: str
    checker: int | None
    checker_name: str
    result: str
    result_label: str
    wrong_fields: list[str]
    note: str
    via: str
    lng: float | None
    lat: float | None
    distance_m: float | None
    checked_at: datetime | None
    checked_by: int | None
    problem: int | None


def _item_out(it: SpotCheckItem, places: dict[tuple[str, int], str]) -> dict[str, Any]:
    return {
        "id": it.pk,
        "round": it.round_id,
        "record_type": it.record_type,
        "record_id": it.record_id,
        "place": places.get((it.record_type, it.record_id), ""),
        "stratum": it.stratum,
        "weight": it.weight,
        "risk": it.risk,
        "police_unit": it.police_unit_id,
        "collector": it.collector_id,
        "collector_name": it.collector.display_name if it.collector else "",
        "checker": it.checker_id,
        "checker_name": it.checker.display_name if it.checker else "",
        "result": it.result,
        "result_label": str(SpotCheckResult(it.result).label),
        "wrong_fields": list(it.wrong_fields or []),
        "note": it.note,
        "via": it.via,
        "lng": float(it.lng) if it.lng is not None else None,
        "lat": float(it.lat) if it.lat is not None else None,
        "distance_m": it.distance_m,
        "checked_at": it.checked_at,
        "checked_by": it.checked_by_id,
        "problem": it.problem_id,
    }


class ItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ItemOut]


class ItemQuery(Schema):
    round: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    mine: bool = Field(False, description="Only the items given to you to check")
    result: Annotated[str, Field(pattern="^(|pending|checked|agrees|wrong_fields|fabricated)$")] = ""


@router.get("/items", response=ItemPage, summary="Spot-check items you see (yours with mine=true)")
@scoped
def item_list(request: HttpRequest, filters: Query[ItemQuery], page: Query[PageParams]) -> Any:
    actor = caller(request)
    qs = selectors.spot_check_items(
        actor=actor,
        round=filters.round,
        checker=actor if filters.mine else None,
        result=filters.result or None,
    )
    data = paginate(qs, page)
    places = selectors.spot_check_places(actor=actor, items=data["items"])
    data["items"] = [_item_out(it, places) for it in data["items"]]
    return data


class ItemDetail(ItemOut):
    field_choices: list[tuple[str, str]] = Field(
        description="The fields that may be marked wrong, with labels"
    )


def _item_detail(actor: Any, pk: int, request: HttpRequest) -> dict[str, Any]:
    it = selectors.spot_check_item_get(actor=actor, pk=pk, request=request)
    places = selectors.spot_check_places(actor=actor, items=[it])
    return {**_item_out(it, places), "field_choices": selectors.spot_check_record_fields(it.record_type)}


@router.get(
    "/items/{pk}", response=ItemDetail, summary="One spot-check item and the fields it may mark wrong"
)
@scoped
def item_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _item_detail(caller(request), pk, request)


class AssignIn(Schema):
    checker: Annotated[int, Field(ge=1, le=MAX_ID)]


@router.post("/items/{pk}/assign", response=ItemDetail, summary="Give an item to another checker")
@scoped
def item_assign(request: HttpRequest, pk: RecordId, payload: AssignIn) -> Any:
    actor = caller(request)
    services.spot_check_assign(actor=actor, item=pk, checker=payload.checker)
    return _item_detail(actor, pk, request)


class ResultIn(Schema):
    result: Annotated[str, Field(pattern="^(agrees|wrong_fields|fabricated)$")]
    wrong_fields: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=40)] = Field(
        default_factory=list
    )
    note: Annotated[str, Field(max_length=500)] = ""
    via: Annotated[str, Field(pattern="^(platform|field)$")] = "platform"
    lng: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None


@router.post(
    "/items/{pk}/result",
    response=ItemDetail,
    summary="Record a check: agrees, wrong fields or fabricated (with the phone's GPS in the field)",
)
@scoped
def item_result(request: HttpRequest, pk: RecordId, payload: ResultIn) -> Any:
    actor = caller(request)
    services.spot_check_record(actor=actor, item=pk, **payload.model_dump())
    return _item_detail(actor, pk, request)


class PassRateQuery(Schema):
    police_prefix: Annotated[str, Field(pattern=r"^[0-9]{0,12}$")] = ""
    day: date | None = None
    group: Annotated[str, Field(pattern="^(station|district|collector)$")] = "station"


@router.get(
    "/pass-rates", response=list[PassRateOut], summary="Pass rates (agrees ÷ checked) in your jurisdiction"
)
@scoped
def pass_rates(request: HttpRequest, query: Query[PassRateQuery]) -> Any:
    return _rates(caller(request), query.group, police_prefix=query.police_prefix or None, day=query.day)
