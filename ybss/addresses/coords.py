"""Coordinate systems at the edges: ybss stores WGS-84; phones and web maps in China often give
GCJ-02 (≈500 m off at Heyang) or BD-09 (≈900 m–1 km off). Conversion via ``coord-convert``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from coord_convert import transform

from .models import CoordSystem

#: Heyang lies well inside this box; anything outside China is surely a typo (lat/lng swapped ...).
CHINA_BBOX = (73.0, 3.0, 136.0, 54.0)

_Q = Decimal("0.0000001")


def to_wgs84(lng: float, lat: float, system: str) -> tuple[Decimal, Decimal]:
    """Convert a point captured in ``system`` to WGS-84, rounded to 7 decimals (≈1 cm)."""
    if system == CoordSystem.GCJ02:
        lng, lat = transform.gcj2wgs(lng, lat)
    elif system == CoordSystem.BD09:
        lng, lat = transform.bd2wgs(lng, lat)
    elif system != CoordSystem.WGS84:
        raise ValueError(f"unknown coordinate system {system!r}")
    return Decimal(lng).quantize(_Q, ROUND_HALF_UP), Decimal(lat).quantize(_Q, ROUND_HALF_UP)


def from_wgs84(lng: float, lat: float, system: str) -> tuple[float, float]:
    if system == CoordSystem.GCJ02:
        return transform.wgs2gcj(lng, lat)
    if system == CoordSystem.BD09:
        return transform.wgs2bd(lng, lat)
    return lng, lat


def in_china(lng: float, lat: float) -> bool:
    x0, y0, x1, y1 = CHINA_BBOX
    return x0 <= lng <= x1 and y0 <= lat <= y1
