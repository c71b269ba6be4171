"""The staggered-time day plan (错时采集): ``GET /plan?date=YYYY-MM-DD[&collector=<user id>]``.

Mounted by ``ybss/api/main.py`` at ``/api/collection`` (so ``/api/collection/plan``). A collector
gets their own plan; an officer, chief, supervisor or admin may ask for a collector in their
jurisdiction (another one answers 404 ``not_found``, like a missing one). Reads through
``ybss.collection.planning`` (scoped); ``date`` defaults to today (Asia/Shanghai).

Schemas live here: they are this router's alone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ybss.collection import planning
from ybss.collection.models import Availability

from .auth import caller
from .params import RecordId
from .scoping import scoped

router = Router(tags=["collection"])


class PlanQuery(Schema):
    day: date | None = Field(None, alias="date", description="The day to plan (default: today)")
    collector: RecordId | None = Field(None, description="A collector's user id (default: yourself)")


class StopOut(Schema):
    address_id: int
    door_id: int
    label: str = Field(description="The address's full name")
    kind: str = Field(description="Availability kind used for the window")
    kind_label: str
    window_start: datetime | None = Field(description="The household's window the visit lies in")
    window_end: datetime | None
    start: datetime = Field(description="Planned start of the visit")
    end: datetime
    in_window: bool
    appointment: bool = Field(description="An appointment agreed with the household")
    walk_m: float = Field(description="Metres walked from the previous stop")


class PlanOut(Schema):
    collector_id: int
    date: date
    naive: bool
    shifts: list[list[str]] = Field(description='Working hours: [["09:00", "12:00"], ["15:00", "21:00"]]')
    households: int = Field(description="Households still to visit in the collector's open tasks")
    count: int = Field(description="Visits planned")
    in_window_share: float
    route_m: float
    walk_minutes: float
    idle_minutes: float
    visit_minutes: int
    missed_appointments: list[int] = Field(description="Address ids of that day's appointments not met")
    stops: list[StopOut]


def _kind_label(kind: str) -> str:
    try:
        return str(Availability(kind).label)
    except ValueError:
        return kind


@router.get("/plan", response=PlanOut, summary="A collector's staggered-time plan for a day")
@scoped
def plan(request: HttpRequest, query: Query[PlanQuery]) -> Any:
    user = caller(request)
    day = query.day or planning.local_today()
    result = planning.collector_day_plan(actor=user, collector=query.collector or user.pk, day=day)
    labels: dict[Any, str] = planning.plan_labels(actor=user, plan=result)
    collector_id = query.collector or user.pk
    return {
        "collector_id": collector_id,
        "date": result.day,
        "naive": result.naive,
        "shifts": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in result.shifts],
        "households": result.candidates,
        "count": result.count,
        "in_window_share": round(result.in_window_share, 4),
        "route_m": result.route_m,
        "walk_minutes": result.walk_minutes,
        "idle_minutes": result.idle_minutes,
        "visit_minutes": result.visit_minutes,
        "missed_appointments": list(result.missed_appointments),
        "stops": [
            {
                "address_id": s.key,
                "door_id": s.door_key,
                "label": labels.get(s.key, ""),
                "kind": s.kind,
                "kind_label": _kind_label(s.kind),
                "window_start": s.window[0] if s.window else None,
                "window_end": s.window[1] if s.window else None,
                "start": s.start,
                "end": s.end,
                "in_window": s.in_window,
                "appointment": s.appointment,
                "walk_m": s.walk_m,
            }
            for s in result.stops
        ],
    }
