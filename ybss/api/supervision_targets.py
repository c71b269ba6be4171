"""Targets and assessment (目标考核) and the ranking weights over JSON: the scoreboard, setting and
withdrawing targets, the scheme in force and setting a new one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ybss.supervision import ranking, targets

from .auth import caller
from .params import RecordId
from .scoping import scoped

router = Router(tags=["supervision"])


class RateOut(Schema):
    numerator: int
    denominator: int
    value: float | None
    percent: str


class TargetOut(Schema):
    id: int
    police_unit: str
    unit_name: str
    officer: int | None
    code: str
    rate_label: str
    target: float
    deadline: date
    note: str
    current: RateOut
    at_deadline: RateOut | None
    expected: float
    status: str
    status_label: str
    days_left: int


def _rate(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"numerator": r.numerator, "denominator": r.denominator, "value": r.value, "percent": r.percent}


def _out(row: targets.TargetRow) -> dict[str, Any]:
    t = row.target
    return {
        "id": t.pk,
        "police_unit": t.police_unit_id,
        "unit_name": row.unit_name,
        "officer": t.officer_id,
        "code": t.code,
        "rate_label": row.rate_label,
        "target": float(t.value),
        "deadline": t.deadline,
        "note": t.note,
        "current": _rate(row.current),
        "at_deadline": _rate(row.at_deadline),
        "expected": round(row.expected, 4),
        "status": row.status,
        "status_label": row.status_label,
        "days_left": row.days_left,
    }


class DayQuery(Schema):
    day: date | None = None


@router.get("/targets", response=list[TargetOut], summary="The target scoreboard of your jurisdiction")
@scoped
def scoreboard(request: HttpRequest, query: Query[DayQuery]) -> Any:
    return [_out(r) for r in targets.target_scoreboard(actor=caller(request), day=query.day)]


class TargetIn(Schema):
    police_unit: Annotated[str, Field(pattern=r"^\d{12}$")]
    code: Annotated[str, Field(max_length=32)]
    value: Annotated[Decimal, Field(gt=0, le=100, description="a share 0–1 or a percentage 1–100")]
    deadline: date
    officer: int | None = None
    note: Annotated[str, Field(max_length=200)] = ""


@router.post("/targets", response={201: TargetOut}, summary="Set a target for a station or police district")
@scoped
def target_create(request: HttpRequest, payload: TargetIn) -> Any:
    actor = caller(request)
    t = targets.target_set(
        actor=actor,
        police_unit_code=payload.police_unit,
        code=payload.code,
        value=payload.value,
        deadline=payload.deadline,
        officer_id=payload.officer,
        note=payload.note,
    )
    row = next(r for r in targets.target_scoreboard(actor=actor) if r.target.pk == t.pk)
    return Status(201, _out(row))


@router.post("/targets/{pk}/withdraw", response={204: None}, summary="Withdraw a target")
@scoped
def target_withdraw(request: HttpRequest, pk: RecordId) -> Any:
    targets.target_deactivate(actor=caller(request), pk=pk)
    return Status(204, None)


class SchemeOut(Schema):
    completeness: float
    quality: float
    spot_check: float
    timeliness: float


class SchemeIn(Schema):
    completeness: Annotated[Decimal, Field(ge=0, le=100)]
    quality: Annotated[Decimal, Field(ge=0, le=100)]
    spot_check: Annotated[Decimal, Field(ge=0, le=100)]
    timeliness: Annotated[Decimal, Field(ge=0, le=100)]


@router.get("/ranking-scheme", response=SchemeOut, summary="The ranking weights in force")
@scoped
def scheme(request: HttpRequest) -> Any:
    actor = caller(request)
    county = ranking._county_of(actor)
    if county is None:
        from ybss.core.errors import NotFound

        raise NotFound()
    return ranking.scheme_weights(ranking.scheme_current(county_code=county.code))


@router.put("/ranking-scheme", response=SchemeOut, summary="Put new ranking weights in force (county)")
@scoped
def scheme_put(request: HttpRequest, payload: SchemeIn) -> Any:
    s = ranking.scheme_set(actor=caller(request), weights=payload.dict())
    return ranking.scheme_weights(s)
