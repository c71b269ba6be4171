"""Reads for the map page: door plates in a box (points or a count grid), the list of door plates
still to mark, the page's filter choices, and the drawn boundaries.

Door plates are business records: every read starts from ``jurisdiction.scope``. Boundaries are
geography (the outlines of villages, townships and police districts, no personal data) and are
shown to every user who may see business data at all.

Progress (the supervision map, ``progress=True``): each door plate also gets the furthest step of
the work done on it *in order* — a ladder, so each colour implies the ones before it:

* 0 ``none``: its point is not confirmed yet (unmarked, or marked but unconfirmed);
* 1 ``marked``: its point is confirmed (it counts in the 标注率);
* 2 ``verified``: and it has at least one house (at the door plate or one of its rooms) and every
  such house is verified in the field (核查);
* 3 ``collected``: and at least one accepted person currently lives in one of those houses
  (实有人口 collected there).

Cancelled (注销) houses, residences and persons do not count. Collection task households are not
used: tasks cover only part of a county, while residences say the same for every door plate.

Coordinates: the database holds WGS-84. A box comes in, and points go out, in the system the
page displays (``system``): the box's corners are converted to WGS-84 (padded, since the systems'
offsets vary slightly across a box) and every point back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext_lazy as _

from ybss.addresses.coords import from_wgs84, to_wgs84
from ybss.addresses.models import AddressLevel, CleanState, MarkState, StandardAddress
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, PoliceUnit, User
from ybss.registry.models import House, Residence, VerifyState

from . import geometry
from .models import Boundary

#: Mark states as the compact point arrays carry them.
STATE_CODES: dict[str, int] = {MarkState.UNMARKED: 0, MarkState.MARKED: 1, MarkState.CONFIRMED: 2}
#: Progress steps of the supervision map (see the module docstring).
PROGRESS_NONE, PROGRESS_MARKED, PROGRESS_VERIFIED, PROGRESS_COLLECTED = 0, 1, 2, 3
PROGRESS_STATES = ("none", "marked", "verified", "collected")
#: The messages of the box limits the API enforces (kept here, in this app's catalogue).
BOX_TOO_BIG = _("The area is too large: zoom in.")
CELLS_TOO_SMALL = _("The cells are too small for this area.")
#: Degrees added around a converted box: GCJ-02/BD-09 offsets change by far less across one box.
BOX_PAD = 0.002


@dataclass(frozen=True)
class BBox:
    """west, south, east, north in degrees of some coordinate system."""

    west: float
    south: float
    east: float
    north: float

    def to_wgs84(self, system: str) -> BBox:
        """This box (drawn in ``system``) as a WGS-84 box that covers it."""
        if system == "WGS84":
            return self
        corners = [
            to_wgs84(x, y, system)
            for x, y in (
                (self.west, self.south),
                (self.west, self.north),
                (self.east, self.south),
                (self.east, self.north),
            )
        ]
        xs = [float(c[0]) for c in corners]
        ys = [float(c[1]) for c in corners]
        return BBox(min(xs) - BOX_PAD, min(ys) - BOX_PAD, max(xs) + BOX_PAD, max(ys) + BOX_PAD)


def _mappable(actor: User) -> QuerySet[StandardAddress]:
    """Door plates in ``actor``'s jurisdiction that the map shows: not merged away, not voided."""
    # ``exclude(level=ROOM)`` rather than ``filter(level=DOOR)``: the same rows (two levels), but
    # SQLite cannot answer a negation from the ``level`` index, so it takes the jurisdiction's
    # police-unit range instead of walking the two thirds of the table that are door plates.
    return (
        jurisdiction.scope(StandardAddress.objects.exclude(level=AddressLevel.ROOM), actor)
        .exclude(clean_state=CleanState.MERGED)
        .exclude(status=RecordStatus.VOIDED)
    )


def _in_box(qs: QuerySet[StandardAddress], box: BBox) -> QuerySet[StandardAddress]:
    return qs.filter(
        lng__isnull=False,
        lat__isnull=False,
        lng__gte=box.west,
        lng__lte=box.east,
        lat__gte=box.south,
        lat__lte=box.north,
    )


def _in_node(qs: QuerySet[StandardAddress], division: str, police_unit: str) -> QuerySet[StandardAddress]:
    """``qs`` narrowed to a division and/or police-unit subtree (code prefixes; '' = no filter)."""
    if division:
        qs = qs.filter(jurisdiction.subtree_q("division", division))
    if police_unit:
        qs = qs.filter(jurisdiction.subtree_q("police_unit", police_unit))
    return qs


def _with_progress(qs: QuerySet[StandardAddress]) -> QuerySet[StandardAddress]:
    """``qs`` annotated with ``progress`` (0–3, see the module docstring), computed in the same
    query: correlated EXISTS over the houses at the door plate and at its rooms (both by index),
    inside a CASE that stops at the first step not reached."""
    houses = House.objects.exclude(status=RecordStatus.VOIDED)
    unverified = houses.exclude(verify_state=VerifyState.VERIFIED)
    living = Residence.objects.filter(active=True, person__status=RecordStatus.ACCEPTED).exclude(
        status=RecordStatus.VOIDED
    )
    live = living.exclude(house__status=RecordStatus.VOIDED)
    door = OuterRef("pk")
    has_house = Exists(houses.filter(address_id=door)) | Exists(houses.filter(address__parent_id=door))
    has_unverified = Exists(unverified.filter(address_id=door)) | Exists(
        unverified.filter(address__parent_id=door)
    )
    has_resident = Exists(live.filter(house__address_id=door)) | Exists(
        live.filter(house__address__parent_id=door)
    )
    return qs.annotate(
        progress=Case(
            When(~Q(mark_state=MarkState.CONFIRMED), then=Value(PROGRESS_NONE)),
            When(~has_house | has_unverified, then=Value(PROGRESS_MARKED)),
            When(has_resident, then=Value(PROGRESS_COLLECTED)),
            default=Value(PROGRESS_VERIFIED),
            output_field=IntegerField(),
        )
    )


def _out(lng: Any, lat: Any, system: str) -> tuple[float, float]:
    x, y = from_wgs84(float(lng), float(lat), system)
    return round(x, 7), round(y, 7)


@dataclass(frozen=True)
class Points:
    items: list[list[Any]]  # [id, lng, lat, state code] (+ progress when asked for)
    truncated: bool


def door_points(
    *,
    actor: User,
    box: BBox,
    system: str = "WGS84",
    limit: int = 5000,
    division: str = "",
    police_unit: str = "",
    progress: bool = False,
) -> Points:
    """Door plates with a point inside ``box`` (drawn in ``system``), as ``[id, lng, lat, state]``
    in ``system`` — with a fifth item, the progress step (0–3), when ``progress`` — narrowed to a
    division and/or police-unit subtree (code prefixes); at most ``limit`` (``truncated`` says
    there were more). Scoped; one query."""
    wbox = box.to_wgs84(system)
    qs = _in_node(_in_box(_mappable(actor), wbox), division, police_unit).order_by("pk")
    fields = ["pk", "lng", "lat", "mark_state"]
    if progress:
        qs = _with_progress(qs)
        fields.append("progress")
    rows = list(qs.values_list(*fields)[: limit + 1])
    items = [[r[0], *_out(r[1], r[2], system), STATE_CODES.get(r[3], 0), *r[4:]] for r in rows[:limit]]
    return Points(items=items, truncated=len(rows) > limit)


def door_grid(
    *,
    actor: User,
    box: BBox,
    cell: float,
    system: str = "WGS84",
    division: str = "",
    police_unit: str = "",
    progress: bool = False,
) -> list[list[Any]]:
    """Door plates inside ``box`` counted per grid cell of ``cell`` degrees (WGS-84), for the
    zoomed-out map: ``[lng, lat, total, unmarked, marked, confirmed]`` per non-empty cell — or,
    with ``progress``, ``[lng, lat, total, none, marked, verified, collected]`` — the point being
    the cell's mean position in ``system``. Narrowed like ``door_points``. Scoped; one aggregate
    query."""
    wbox = box.to_wgs84(system)
    size = Value(cell, output_field=FloatField())
    qs = _in_node(_in_box(_mappable(actor), wbox), division, police_unit).annotate(
        gx=Floor(Cast("lng", FloatField()) / size),
        gy=Floor(Cast("lat", FloatField()) / size),
    )
    if progress:
        return _progress_grid(_with_progress(qs), system)
    rows = (
        qs.order_by()
        .values("gx", "gy")
        .annotate(
            n=Count("pk"),
            marked=Count("pk", filter=Q(mark_state=MarkState.MARKED)),
            confirmed=Count("pk", filter=Q(mark_state=MarkState.CONFIRMED)),
            x=Avg(Cast("lng", FloatField())),
            y=Avg(Cast("lat", FloatField())),
        )
    )
    out = []
    for r in rows:
        lng, lat = _out(r["x"], r["y"], system)
        out.append([lng, lat, r["n"], r["n"] - r["marked"] - r["confirmed"], r["marked"], r["confirmed"]])
    return out


def _progress_grid(qs: Any, system: str) -> list[list[Any]]:
    """Cells by (cell, progress step), folded per cell: the step is computed once per door plate.
    ``qs`` is ``door_grid``'s queryset with ``gx``/``gy``/``progress`` annotated (typed Any: the
    stubs lose annotations across a call)."""
    rows = (
        qs.order_by()
        .values("gx", "gy", "progress")
        .annotate(n=Count("pk"), x=Sum(Cast("lng", FloatField())), y=Sum(Cast("lat", FloatField())))
    )
    cells: dict[tuple[Any, Any], list[float]] = {}
    for r in rows:
        c = cells.setdefault((r["gx"], r["gy"]), [0.0, 0.0, 0, 0, 0, 0, 0])
        c[0] += r["x"]
        c[1] += r["y"]
        c[2] += r["n"]
        c[3 + int(r["progress"])] += r["n"]
    out = []
    for x, y, n, *steps in cells.values():
        lng, lat = _out(x / n, y / n, system)
        out.append([lng, lat, int(n), *(int(k) for k in steps)])
    return out


#: The list filter ``state``: what is still to do (default), one state, or everything.
TODO_STATES = {
    "todo": (MarkState.UNMARKED, MarkState.MARKED),
    MarkState.UNMARKED.value: (MarkState.UNMARKED,),
    MarkState.MARKED.value: (MarkState.MARKED,),
    MarkState.CONFIRMED.value: (MarkState.CONFIRMED,),
    "all": (MarkState.UNMARKED, MarkState.MARKED, MarkState.CONFIRMED),
}


@dataclass(frozen=True)
class TodoFilters:
    q: str = ""
    division: str = ""  # a division code prefix (a village or township)
    police_unit: str = ""  # a police-unit code prefix (a district or station)
    state: str = "todo"
    pk: int | None = None  # one door plate (a point clicked on the map)


def door_todo(*, actor: User, filters: TodoFilters | None = None) -> QuerySet[StandardAddress]:
    """Door plates in ``actor``'s jurisdiction still to mark (or in the state asked for), by code,
    with their division for the list. Scoped; voided and merged ones are left out (they cannot be
    marked)."""
    f = filters or TodoFilters()
    states = TODO_STATES.get(f.state, TODO_STATES["todo"])
    qs = _mappable(actor)
    if len(states) < len(MarkState.values):
        # As a negation (not indexable): a station's police-unit range is the better index.
        qs = qs.exclude(mark_state__in=[s for s in MarkState.values if s not in states])
    if f.pk is not None:
        qs = qs.filter(pk=f.pk)
    if f.q:
        qs = qs.filter(Q(full_name__contains=f.q) | Q(code__startswith=f.q))
    if f.division:
        qs = qs.filter(jurisdiction.subtree_q("division", f.division))
    if f.police_unit:
        qs = qs.filter(jurisdiction.subtree_q("police_unit", f.police_unit))
    return qs.select_related("division").order_by("code")


def door_get(*, actor: User, pk: int) -> StandardAddress:
    """One door plate in scope, or NotFound (rooms are marked through their door plate)."""
    return jurisdiction.get_in_scope(
        StandardAddress.objects.filter(level=AddressLevel.DOOR).select_related("division", "police_unit"),
        actor,
        pk=pk,
    )


@dataclass(frozen=True)
class MapOptions:
    villages: list[tuple[str, str]]  # (code, name) of the villages where the user has door plates
    districts: list[tuple[str, str]]  # (code, name) of their police districts


def map_options(*, actor: User) -> MapOptions:
    """The filter choices of the map page: the villages and police units that hold door plates in
    ``actor``'s jurisdiction. Two small queries over the scoped door plates."""
    doors = _mappable(actor).order_by()
    div_ids = set(doors.values_list("division_id", flat=True).distinct())
    unit_ids = set(doors.values_list("police_unit_id", flat=True).distinct())
    villages = [
        (
            d.code,
            d.full_name.removeprefix(d.parent.parent.full_name) if d.parent and d.parent.parent else d.name,
        )
        for d in AdminDivision.objects.filter(code__in=div_ids)
        .select_related("parent__parent")
        .order_by("code")
    ]
    districts = [(u.code, u.name) for u in PoliceUnit.objects.filter(code__in=unit_ids).order_by("code")]
    return MapOptions(villages=villages, districts=districts)


def boundary_list(*, box: BBox | None = None, system: str = "WGS84") -> list[dict[str, Any]]:
    """Drawn boundaries (overlapping ``box`` if given) as GeoJSON features in ``system``, with
    ``kind`` ("division" / "police_unit"), ``code``, ``name`` and ``level`` properties. Not
    scoped: geography, no personal data (see the module docstring)."""
    qs = Boundary.objects.select_related("division", "police_unit")
    if box is not None:
        w = box.to_wgs84(system)
        qs = qs.filter(max_lng__gte=w.west, min_lng__lte=w.east, max_lat__gte=w.south, min_lat__lte=w.north)
    features = []
    for b in qs.order_by("division_id", "police_unit_id"):
        geom = geometry.geometry_of(b.geometry)
        if system != "WGS84":
            geom = geometry.convert(geom, "WGS84", system)
        owner = b.owner
        features.append(
            {
                "type": "Feature",
                "id": b.pk,
                "geometry": geometry.as_geojson(geom),
                "properties": {
                    "kind": "division" if b.division_id else "police_unit",
                    "code": b.owner_code,
                    "name": owner.name,
                    "level": str(owner.level if b.division_id else owner.kind),
                },
            }
        )
    return features


def boundary_table() -> QuerySet[Boundary]:
    """Every boundary for the county admin's list page, with its owner and last editor."""
    return Boundary.objects.select_related("division", "police_unit", "updated_by").order_by(
        "division_id", "police_unit_id"
    )


def boundary_targets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a boundary can be drawn for: (code, label) of divisions from the county down and of
    police units, for the upload form."""
    divisions = [
        (d.code, f"{d.code} {d.name}")
        for d in AdminDivision.objects.filter(level__gte=3).order_by("code").only("code", "name")
    ]
    units = [(u.code, f"{u.code} {u.name}") for u in PoliceUnit.objects.order_by("code").only("code", "name")]
    return divisions, units


__all__ = [
    "PROGRESS_STATES",
    "STATE_CODES",
    "BBox",
    "MapOptions",
    "Points",
    "TodoFilters",
    "boundary_list",
    "boundary_table",
    "boundary_targets",
    "door_get",
    "door_grid",
    "door_points",
    "door_todo",
    "map_options",
]
