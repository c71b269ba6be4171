"""Boundary geometry, free of the ORM: read GeoJSON, convert coordinate systems, test points.

Everything here takes and returns plain data or shapely geometries. "Cannot read this file" is a
normal outcome: :func:`read_boundary` returns messages rather than raising.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import unary_union

from ybss.addresses.coords import from_wgs84, in_china
from ybss.addresses.coords import to_wgs84 as _point_to_wgs84

#: A county's boundary is a few thousand vertices; far more is a wrong file (a whole province).
MAX_VERTICES = 200_000
#: Metres a point may lie outside a drawn boundary: hand-drawn lines are rarely more exact.
TOLERANCE_M = 30.0
#: Metres per degree of latitude (and of longitude at the equator), WGS-84 mean.
M_PER_DEGREE = 111_320.0

SYSTEMS = ("WGS84", "GCJ02", "BD09")

Area: TypeAlias = Polygon | MultiPolygon


@dataclass
class ReadResult:
    """What :func:`read_boundary` made of a file: the WGS-84 area, or the messages why not."""

    geometry: Area | None = None
    errors: list[Any] = field(default_factory=list)
    vertex_count: int = 0


def _features(data: Any) -> Iterable[Any] | None:
    """The GeoJSON geometries of a FeatureCollection, Feature or bare geometry (None: not GeoJSON)."""
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if kind == "FeatureCollection":
        feats = data.get("features")
        if not isinstance(feats, list):
            return None
        return [f.get("geometry") if isinstance(f, dict) else None for f in feats]
    if kind == "Feature":
        return [data.get("geometry")]
    if kind in ("Polygon", "MultiPolygon", "Point", "LineString", "MultiPoint", "MultiLineString"):
        return [data]
    return None


def _coords_ok(coords: Any, depth: int) -> bool:
    """Nested lists of [lng, lat] numbers (finite), ``depth`` levels above the pairs."""
    if not isinstance(coords, list):
        return False
    if depth == 0:
        return (
            len(coords) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])
            and all(math.isfinite(c) for c in coords[:2])
        )
    return all(_coords_ok(c, depth - 1) for c in coords)


def _vertices(geom: Area) -> int:
    return int(shapely.get_num_coordinates(geom))


def read_boundary(text: str | bytes, *, system: str = "WGS84") -> ReadResult:
    """Read a GeoJSON boundary (FeatureCollection, Feature, Polygon or MultiPolygon) drawn in
    ``system``; all polygons are merged into one area, converted to WGS-84.

    The messages say what is wrong in words an officer can act on: not GeoJSON, no polygon,
    points outside China (longitude and latitude swapped?), a ring that crosses itself, too big.
    """
    out = ReadResult()
    if system not in SYSTEMS:
        out.errors.append(_("Choose a coordinate system."))
        return out
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        out.errors.append(_("The file is not GeoJSON (it could not be read as JSON)."))
        return out
    geoms = _features(data)
    if geoms is None:
        out.errors.append(
            _("The file is not GeoJSON: expected a FeatureCollection, Feature, Polygon or MultiPolygon.")
        )
        return out
    polygons: list[Area] = []
    for g in geoms:
        if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        depth = 2 if g["type"] == "Polygon" else 3
        coords = g.get("coordinates")
        if not _coords_ok(coords, depth) or not coords:
            out.errors.append(_("A polygon's coordinates are not lists of [longitude, latitude] numbers."))
            return out
        try:
            polygons.append(shape({"type": g["type"], "coordinates": coords}))
        except (ValueError, TypeError, shapely.errors.ShapelyError):
            out.errors.append(_("A polygon's rings are not closed or have fewer than four points."))
            return out
    if not polygons:
        out.errors.append(_("The file holds no polygon: draw the boundary as a Polygon or MultiPolygon."))
        return out
    count = sum(_vertices(p) for p in polygons)
    if count > MAX_VERTICES:
        out.errors.append(
            _("The boundary has %(n)s vertices; at most %(max)s are accepted. Simplify it first.")
            % {"n": count, "max": MAX_VERTICES}
        )
        return out
    x0, y0, x1, y1 = unary_union(polygons).bounds if len(polygons) > 1 else polygons[0].bounds
    if not (in_china(x0, y0) and in_china(x1, y1)):
        out.errors.append(
            _("The boundary lies outside China: check that each point is [longitude, latitude].")
        )
        return out
    if any(not p.is_valid for p in polygons):
        out.errors.append(_("The boundary crosses itself: redraw it so that no edges cross."))
        return out
    area = unary_union(polygons)
    if not isinstance(area, Polygon | MultiPolygon) or area.is_empty or area.area <= 0:
        out.errors.append(_("The boundary encloses no area."))
        return out
    out.geometry = convert(area, system, "WGS84")
    out.vertex_count = _vertices(out.geometry)
    return out


def _point_converter(src: str, dst: str):
    def to_wgs(x: float, y: float) -> tuple[float, float]:
        lng, lat = _point_to_wgs84(x, y, src)
        return float(lng), float(lat)

    def one(x: float, y: float) -> tuple[float, float]:
        if src != "WGS84":
            x, y = to_wgs(x, y)
        if dst != "WGS84":
            x, y = from_wgs84(x, y, dst)
        return x, y

    return one


def convert(geom: Area, src: str, dst: str) -> Area:
    """``geom`` with every vertex converted from system ``src`` to ``dst`` (7 decimals)."""
    if src == dst:
        return shapely.set_precision(geom, 1e-7) if src == "WGS84" else geom
    one = _point_converter(src, dst)

    def each(xy: Any) -> Any:
        import numpy as np

        return np.array([one(float(x), float(y)) for x, y in xy]).round(7)

    return shapely.transform(geom, each)


def as_geojson(geom: Area) -> dict[str, Any]:
    """A plain-JSON GeoJSON geometry (lists, not tuples)."""
    return json.loads(json.dumps(mapping(geom)))


def geometry_of(data: dict[str, Any]) -> Area:
    """A stored GeoJSON geometry as a shapely area."""
    return shape(data)


_PREPARED: dict[tuple[int, int, str], Area] = {}
_PREPARED_MAX = 512


def prepared(pk: int, version: int, stamp: str, data: dict[str, Any]) -> Area:
    """A prepared (fast point-in-polygon) shape of a stored boundary, cached by (pk, version,
    stamp): a boundary's version and update time change whenever its geometry does."""
    key = (pk, version, stamp)
    geom = _PREPARED.get(key)
    if geom is None:
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        geom = shape(data)
        shapely.prepare(geom)
        _PREPARED[key] = geom
    return geom


def distance_m(geom: Area, lng: float, lat: float) -> float:
    """Approximate distance in metres from a WGS-84 point to ``geom`` (0 inside)."""
    pt = Point(lng, lat)
    if geom.covers(pt):
        return 0.0
    # Near the point, scale longitude by cos(latitude) so that one unit is the same on both axes.
    k = math.cos(math.radians(lat))
    local = shapely.transform(geom, lambda xy: xy * [k, 1.0])
    return float(local.distance(Point(lng * k, lat))) * M_PER_DEGREE


def contains(geom: Area, lng: float, lat: float, *, tolerance_m: float = TOLERANCE_M) -> bool:
    """True when the WGS-84 point lies inside ``geom`` or within ``tolerance_m`` metres of it."""
    if geom.covers(Point(lng, lat)):
        return True
    return distance_m(geom, lng, lat) <= tolerance_m
