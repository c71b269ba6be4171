"""The supervision rates over JSON (``/api/supervision/rates``): the rates of a node and of its
children, their history, the definitions, and the station ranking.

A node is named by ``tree`` (``police`` or ``division``, default ``police``) and ``code``; without a
code it is the caller's own node (``rates.node_root``). A node outside the caller's jurisdiction
answers 404, the same as a missing one. ``day`` (``YYYY-MM-DD``, default today) must not be in the
future. Figures come from the day's rate facts (``ybss.supervision.rates``), which are scoped like
records; every rate carries its numerator, denominator and definition.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from ybss.addresses.rates import Rate
from ybss.core.errors import InvalidInput
from ybss.org.models import User
from ybss.supervision import ranking, rates
from ybss.supervision.definitions import MAIN_RATES, RATES

from .auth import caller
from .params import Blank
from .scoping import scoped, unscoped

router = Router(tags=["supervision"])

#: Most days one history answer covers.
MAX_HISTORY_DAYS = 400
FIRST_DAY = dt.date(2000, 1, 1)
DAY_RANGE = _("Choose a day from 2000 up to today.")

Tree = Annotated[Literal["police", "division"] | None, Blank]
NodeCode = Annotated[Annotated[str, Field(pattern=r"^[0-9]{12}$")] | None, Blank]


def _rate_codes(value: str | None) -> list[str]:
    if value is None:
        return list(MAIN_RATES)
    codes = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in RATES]
    if unknown or not codes:
        raise PydanticCustomError("rate_unknown", "not a rate: {codes}", {"codes": ",".join(unknown)})
    return list(dict.fromkeys(codes))


RateCodes = Annotated[
    Annotated[str, Field(max_length=300)] | None,
    Blank,
    AfterValidator(_rate_codes),
]


class NodeQuery(Schema):
    tree: Tree = Field(None, description="police (default) or division")
    code: NodeCode = Field(None, description="The node's 12-digit code; default: your own unit")


class RatesQuery(NodeQuery):
    day: Annotated[dt.date | None, Blank] = Field(None, description="YYYY-MM-DD; default today")
    children: bool = Field(True, description="Also the rates of each child node")


class HistoryQuery(NodeQuery):
    start: Annotated[dt.date | None, Blank] = Field(None, description="Default: 60 days before end")
    end: Annotated[dt.date | None, Blank] = Field(None, description="Default: today")
    codes: RateCodes = Field(None, description="Comma-separated rate codes; default the four main rates")


class DayQuery(Schema):
    day: Annotated[dt.date | None, Blank] = Field(None, description="YYYY-MM-DD; default today")


class NodeOut(Schema):
    tree: str
    code: str
    name: str
    kind: str
    parent: str | None


class RateOut(Schema):
    code: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    percent: str
    definition: str


class ChildOut(Schema):
    node: NodeOut
    rates: list[RateOut]


class RatesOut(Schema):
    node: NodeOut
    day: dt.date
    as_of: dt.datetime | None = Field(description="When the day's figures were counted")
    reconstructed: bool = Field(description="Figures rebuilt afterwards from the records' timestamps")
    rates: list[RateOut]
    children: list[ChildOut]


class PointOut(Schema):
    day: dt.date
    numerator: int
    denominator: int
    value: float | None
    percent: str


class HistoryOut(Schema):
    node: NodeOut
    start: dt.date
    end: dt.date
    series: dict[str, list[PointOut]]


class DefinitionOut(Schema):
    code: str
    label: str
    short: str
    definition: str
    main: bool
    neutral: bool
    drill: str | None = Field(description="URL name of the list of the records not counted yet")
    drill_query: dict[str, str]


class ScoreOut(Schema):
    rank: int
    node: NodeOut
    score: float
    completeness: float | None
    quality: float | None
    spot_check: float | None
    timeliness: float | None


class RankingOut(Schema):
    day: dt.date
    items: list[ScoreOut]


def _check_day(day: dt.date | None, field: str = "day") -> dt.date:
    today = timezone.localdate()
    if day is None:
        return today
    if not (FIRST_DAY <= day <= today):
        raise InvalidInput(code="supervision.day_out_of_range", fields={field: [DAY_RANGE]})
    return day


def _node(actor: User, query: NodeQuery) -> rates.Node:
    if query.code is None:
        return rates.node_root(actor=actor, tree=query.tree or rates.POLICE)
    return rates.node_get(actor=actor, tree=query.tree or rates.POLICE, code=query.code)


def _node_out(n: rates.Node) -> dict[str, Any]:
    return {"tree": n.tree, "code": n.code, "name": n.name, "kind": n.kind, "parent": n.parent}


def _rate_out(r: Rate) -> dict[str, Any]:
    return {
        "code": r.code,
        "label": r.label,
        "numerator": r.numerator,
        "denominator": r.denominator,
        "value": r.value,
        "percent": r.percent,
        "definition": r.definition,
    }


@router.get(
    "",
    response=RatesOut,
    summary="The rates of a node (and of its children) on a day",
    url_name="supervision_rates",
)
@scoped
def node_rates(request: HttpRequest, query: Query[RatesQuery]) -> Any:
    actor = caller(request)
    day = _check_day(query.day)
    node = _node(actor, query)
    current = rates.rates_at(actor=actor, node=node, day=day)
    children = rates.rates_by_child(actor=actor, node=node, day=day) if query.children else []
    return {
        "node": _node_out(node),
        "day": day,
        "as_of": rates.facts_as_of(day=day),
        "reconstructed": day < timezone.localdate() and rates.facts_reconstructed(day=day),
        "rates": [_rate_out(r) for r in current.values()],
        "children": [
            {"node": _node_out(child), "rates": [_rate_out(r) for r in rs.values()]} for child, rs in children
        ],
    }


@router.get(
    "/history",
    response=HistoryOut,
    summary="Each rate of a node for every counted day of a period",
    url_name="supervision_rate_history",
)
@scoped
def history(request: HttpRequest, query: Query[HistoryQuery]) -> Any:
    actor = caller(request)
    end = _check_day(query.end, "end")
    start = _check_day(query.start, "start") if query.start else end - dt.timedelta(days=60)
    if start > end:
        raise InvalidInput(
            code="supervision.period_invalid", fields={"start": [_("The start is after the end.")]}
        )
    if (end - start).days > MAX_HISTORY_DAYS:
        raise InvalidInput(
            code="supervision.period_too_long",
            fields={"start": [_("Ask for at most %(n)s days at once.") % {"n": MAX_HISTORY_DAYS}]},
        )
    node = _node(actor, query)
    series = rates.rate_history(actor=actor, node=node, codes=query.codes, start=start, end=end)
    return {
        "node": _node_out(node),
        "start": start,
        "end": end,
        "series": {
            code: [
                {
                    "day": day,
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "value": r.value,
                    "percent": r.percent,
                }
                for day, r in points
            ]
            for code, points in series.items()
        },
    }


@router.get(
    "/definitions",
    response=list[DefinitionOut],
    summary="What every rate counts (the wording shown next to each figure)",
    url_name="supervision_rate_definitions",
)
@unscoped("the definitions of the rates: fixed text, no records")
def definitions(request: HttpRequest) -> Any:
    return [
        {
            "code": d.code,
            "label": str(d.label),
            "short": str(d.short),
            "definition": str(d.definition),
            "main": d.main,
            "neutral": d.neutral,
            "drill": d.drill[0] if d.drill else None,
            "drill_query": dict(d.drill[1]) if d.drill else {},
        }
        for d in RATES.values()
    ]


@router.get(
    "/ranking",
    response=RankingOut,
    summary="The stations of your county ranked by weighted score (county bureau users; others get none)",
    url_name="supervision_ranking",
)
@scoped
def station_ranking(request: HttpRequest, query: Query[DayQuery]) -> Any:
    day = _check_day(query.day)
    scores = ranking.station_ranking(actor=caller(request), day=day)
    return {
        "day": day,
        "items": [
            {
                "rank": s.rank,
                "node": _node_out(s.node),
                "score": s.score,
                "completeness": s.completeness,
                "quality": s.quality,
                "spot_check": s.spot_check,
                "timeliness": s.timeliness,
            }
            for s in scores
        ],
    }
