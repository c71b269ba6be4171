"""The map (标注): door plates in a box, the list still to mark, marking, the 标注率, boundaries.

Coordinates go in and out in the system named by ``system`` (WGS84, GCJ02 or BD09; stored as
WGS-84). Reads go through ``ybss.mapping.selectors`` (scoped), marking through
``ybss.addresses.services.address_mark`` (which checks the drawn boundaries), rates through
``ybss.addresses.rates.address_rates``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from ybss.addresses.models import CoordSystem
from ybss.addresses.rates import address_rates
from ybss.addresses.services import address_mark
from ybss.core.errors import Forbidden, InvalidInput
from ybss.mapping import selectors
from ybss.mapping.selectors import BBox, TodoFilters
from ybss.org import jurisdiction

from .auth import caller
from .inputs import Version
from .params import MAX_OFFSET, CodePrefix, RecordId, SearchText, _s
from .scoping import scoped, unscoped

router = Router(tags=["map"])

#: Widest box (degrees) the point endpoint answers: about a township. Zoomed further out, the page
#: asks for the count grid instead.
MAX_POINT_SPAN = 0.5
#: Widest box of the count grid: a prefecture.
MAX_GRID_SPAN = 10.0
#: Most cells one grid answer may have.
MAX_GRID_CELLS = 40_000


def _box(value: str) -> BBox:
    parts = value.split(",")
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError as exc:
        raise PydanticCustomError("bbox_invalid", "bbox is west,south,east,north") from exc
    if not all(math.isfinite(v) for v in (w, s, e, n)) or not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise PydanticCustomError("bbox_invalid", "bbox is west,south,east,north")
    return BBox(w, s, e, n)


Box = Annotated[
    str, Field(max_length=120, description="west,south,east,north in `system`"), AfterValidator(_box)
]
System = Annotated[CoordSystem, Field(description="Coordinate system of the box and of the answer")]


def _span(box: BBox, limit: float) -> BBox:
    if box.east - box.west > limit or box.north - box.south > limit:
        raise InvalidInput(code="map.box_too_big", fields={"bbox": [selectors.BOX_TOO_BIG]})
    return box


class NodeQuery(Schema):
    """Narrow the map to a node of either tree (the supervision dashboard) and ask for the work
    progress of each door plate (see ``ybss.mapping.selectors``)."""

    division: CodePrefix = None
    police_unit: CodePrefix = None
    progress: bool = Field(
        False, description="Add the progress step: 0 none, 1 marked, 2 verified, 3 collected"
    )


class PointsQuery(NodeQuery):
    bbox: Box
    system: System = CoordSystem.WGS84
    limit: int = Field(5000, ge=1, le=10_000)


class GridQuery(NodeQuery):
    bbox: Box
    system: System = CoordSystem.WGS84
    cell: float = Field(0.01, ge=0.0005, le=1.0, allow_inf_nan=False, description="Cell size (degrees)")


class TodoQuery(Schema):
    q: SearchText = None
    division: CodePrefix = None
    police_unit: CodePrefix = None
    state: Literal["todo", "unmarked", "marked", "confirmed", "all"] = "todo"
    id: RecordId | None = Field(None, description="Only this door plate")
    system: System = CoordSystem.WGS84
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class RatesQuery(Schema):
    division: CodePrefix = None
    police_unit: CodePrefix = None


class BoundaryQuery(Schema):
    bbox: Annotated[str | None, AfterValidator(lambda v: v if v is None else _box(v))] = None
    system: System = CoordSystem.WGS84


class PointsOut(Schema):
    system: str
    items: list[list[Any]] = Field(
        description="[id, lng, lat, state]: state 0 unmarked, 1 marked, 2 confirmed; with progress, "
        "a fifth item: 0 none, 1 marked, 2 houses verified, 3 collected"
    )
    truncated: bool


class GridOut(Schema):
    system: str
    cell: float
    cells: list[list[Any]] = Field(
        description="[lng, lat, total, unmarked, marked, confirmed]; with progress "
        "[lng, lat, total, none, marked, verified, collected]"
    )


class TodoItem(Schema):
    id: int
    code: str
    full_name: str
    division_name: str
    mark_state: str
    version: int
    lng: float | None
    lat: float | None


class TodoPage(Schema):
    count: int
    limit: int
    offset: int
    system: str
    items: list[TodoItem]


class RateOut(Schema):
    code: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    percent: str
    definition: str


class RatesOut(Schema):
    address_marked: RateOut
    address_cleaned: RateOut


class MapMarkIn(Schema):
    """A point in ``system``; ``confirm`` = confirmed on site (counts in the 标注率)."""

    lng: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    system: CoordSystem = CoordSystem.WGS84
    confirm: bool = True
    version: Version


class MarkedOut(Schema):
    item: TodoItem
    rates: RatesOut


def _rates(actor: Any, division: str = "", police_unit: str = "") -> dict[str, Any]:
    rates = address_rates(actor=actor, division_prefix=division, police_unit_prefix=police_unit)
    return {
        code: {
            "code": r.code,
            "label": r.label,
            "numerator": r.numerator,
            "denominator": r.denominator,
            "value": r.value,
            "percent": r.percent,
            "definition": r.definition,
        }
        for code, r in rates.items()
    }


def _item(a: Any, system: str) -> dict[str, Any]:
    lng = lat = None
    if a.lng is not None and a.lat is not None:
        from ybss.addresses.coords import from_wgs84

        x, y = from_wgs84(float(a.lng), float(a.lat), system)
        lng, lat = round(x, 7), round(y, 7)
    return {
        "id": a.pk,
        "code": a.code,
        "full_name": a.full_name,
        "division_name": a.division.name,
        "mark_state": a.mark_state,
        "version": a.version,
        "lng": lng,
        "lat": lat,
    }


@router.get(
    "/doors",
    response=PointsOut,
    summary="Door plates with a point inside a box (zoomed in)",
    url_name="map_doors",
)
@scoped
def door_points(request: HttpRequest, query: Query[PointsQuery]) -> Any:
    box = _span(query.bbox, MAX_POINT_SPAN)  # type: ignore[arg-type]
    pts = selectors.door_points(
        actor=caller(request),
        box=box,
        system=str(query.system),
        limit=query.limit,
        division=_s(query.division),
        police_unit=_s(query.police_unit),
        progress=query.progress,
    )
    return {"system": str(query.system), "items": pts.items, "truncated": pts.truncated}


@router.get(
    "/grid", response=GridOut, summary="Door plates counted per grid cell (zoomed out)", url_name="map_grid"
)
@scoped
def door_grid(request: HttpRequest, query: Query[GridQuery]) -> Any:
    box: BBox = _span(query.bbox, MAX_GRID_SPAN)  # type: ignore[arg-type]
    if (box.east - box.west) * (box.north - box.south) / (query.cell * query.cell) > MAX_GRID_CELLS:
        raise InvalidInput(code="map.box_too_big", fields={"cell": [selectors.CELLS_TOO_SMALL]})
    cells = selectors.door_grid(
        actor=caller(request),
        box=box,
        cell=query.cell,
        system=str(query.system),
        division=_s(query.division),
        police_unit=_s(query.police_unit),
        progress=query.progress,
    )
    return {"system": str(query.system), "cell": query.cell, "cells": cells}


@router.get(
    "/todo",
    response=TodoPage,
    summary="Door plates still to mark (search, village, district)",
    url_name="map_todo",
)
@scoped
def door_todo(request: HttpRequest, query: Query[TodoQuery]) -> Any:
    filters = TodoFilters(
        q=_s(query.q),
        division=_s(query.division),
        police_unit=_s(query.police_unit),
        state=query.state,
        pk=query.id,
    )
    qs = selectors.door_todo(actor=caller(request), filters=filters)
    rows = list(qs[query.offset : query.offset + query.limit])
    system = str(query.system)
    return {
        "count": qs.count(),
        "limit": query.limit,
        "offset": query.offset,
        "system": system,
        "items": [_item(a, system) for a in rows],
    }


@router.post(
    "/addresses/{pk}/mark",
    response=MarkedOut,
    summary="标注: place a door plate (needs its version); answers the new 标注率",
    url_name="map_mark",
)
@scoped
def door_mark(request: HttpRequest, pk: RecordId, payload: MapMarkIn) -> Any:
    actor = caller(request)
    door = selectors.door_get(actor=actor, pk=pk)
    address_mark(
        actor=actor,
        address=door,
        expected_version=payload.version,
        lng=payload.lng,
        lat=payload.lat,
        system=str(payload.system),
        source="map",
        confirm=payload.confirm,
    )
    door = selectors.door_get(actor=actor, pk=pk)
    return {"item": _item(door, str(payload.system)), "rates": _rates(actor)}


@router.get(
    "/rates",
    response=RatesOut,
    summary="标注率 and 清理率 over your jurisdiction (or a part of it)",
    url_name="map_rates",
)
@scoped
def rates(request: HttpRequest, query: Query[RatesQuery]) -> Any:
    return _rates(caller(request), _s(query.division), _s(query.police_unit))


@router.get(
    "/boundaries", response=dict[str, Any], summary="Drawn boundaries as GeoJSON", url_name="map_boundaries"
)
@unscoped("boundaries are geography (outlines of divisions and police units), no business records")
def boundaries(request: HttpRequest, query: Query[BoundaryQuery]) -> Any:
    if not jurisdiction.can_see_business_data(caller(request)):
        raise Forbidden()
    box: BBox | None = query.bbox  # type: ignore[assignment]
    system = str(query.system)
    return {"type": "FeatureCollection", "features": selectors.boundary_list(box=box, system=system)}
