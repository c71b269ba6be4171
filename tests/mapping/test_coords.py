"""WGS-84 ⇄ GCJ-02 ⇄ BD-09 at the edges (``ybss.addresses.coords``), against published pairs.

Reference pairs, each from another project's own test suite (not computed by the code under test):

* wandergis/coordtransform (JavaScript), ``test/app.js``: 116.404, 39.915 converted four ways.
* googollee/eviltransform (Python test suite; also larryli/eviltransform for PHP): WGS-84 → GCJ-02
  for Shanghai, Shenzhen and Beijing.
* hujiulong/gcoord (JavaScript), ``test/unit/crs/GCJ02.spec.js``: 123, 45 from GCJ-02 to WGS-84
  and to BD-09 (asserted there to 5 decimals).

An independent implementation of the published GCJ-02 formula (Krasovsky 1940 ellipsoid, written
here from the formula, not imported) checks the Heyang area point by point.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ybss.addresses.coords import from_wgs84, to_wgs84

GCJ_TOL = 1e-5  # degrees (≈1 m)
EXACT = 1e-9

# (system from, point, system to, expected, tolerance)
COORDTRANSFORM = [
    ("WGS84", (116.404, 39.915), "GCJ02", (116.41024449916938, 39.91640428150164), EXACT),
    ("GCJ02", (116.404, 39.915), "BD09", (116.41036949371029, 39.92133699351021), EXACT),
    ("BD09", (116.404, 39.915), "GCJ02", (116.39762729119315, 39.90865673957631), EXACT),
    # coordtransform inverts GCJ-02 in one step (an approximation); ours iterates to < 1e-6.
    ("GCJ02", (116.404, 39.915), "WGS84", (116.39775550083061, 39.91359571849836), GCJ_TOL),
]

EVILTRANSFORM_WGS_GCJ = [  # (wgs lng, wgs lat), (gcj lng, gcj lat)
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]

GCOORD = [
    ("GCJ02", (123.0, 45.0), "WGS84", (122.99395597, 44.99804071), GCJ_TOL),
    ("GCJ02", (123.0, 45.0), "BD09", (123.00636499, 45.00636899), GCJ_TOL),
]


def convert(src: str, point: tuple[float, float], dst: str) -> tuple[float, float]:
    """Through the stored form, as the application does: ``src`` → WGS-84 → ``dst``."""
    if src == "BD09" and dst == "GCJ02":
        # BD-09 → GCJ-02 directly is what the published pair gives; going through WGS-84 and back
        # adds the GCJ inversion's < 1e-6 error only.
        w = to_wgs84(*point, "BD09")
        return from_wgs84(float(w[0]), float(w[1]), "GCJ02")
    if src == "GCJ02" and dst == "BD09":
        w = to_wgs84(*point, "GCJ02")
        return from_wgs84(float(w[0]), float(w[1]), "BD09")
    if dst == "WGS84":
        w = to_wgs84(*point, src)
        return float(w[0]), float(w[1])
    return from_wgs84(*point, dst)


@pytest.mark.parametrize("src,point,dst,expected,tol", COORDTRANSFORM + GCOORD)
def test_published_pairs(src, point, dst, expected, tol):
    got = convert(src, point, dst)
    # Through WGS-84 the stored 7-decimal rounding (≈1 cm) applies; never more than that.
    tol = max(tol, 2e-7)
    assert got[0] == pytest.approx(expected[0], abs=tol)
    assert got[1] == pytest.approx(expected[1], abs=tol)


@pytest.mark.parametrize("wgs,gcj", EVILTRANSFORM_WGS_GCJ)
def test_eviltransform_pairs_both_ways(wgs, gcj):
    assert from_wgs84(*wgs, "GCJ02") == pytest.approx(gcj, abs=EXACT)
    back = to_wgs84(*gcj, "GCJ02")
    assert (float(back[0]), float(back[1])) == pytest.approx(wgs, abs=GCJ_TOL)


# ---- an independent implementation of the published formula, for the Heyang area --------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _d_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _d_lng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def reference_wgs_to_gcj(lng: float, lat: float) -> tuple[float, float]:
    dlat = _d_lat(lng - 105.0, lat - 35.0)
    dlng = _d_lng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


def reference_gcj_to_bd(lng: float, lat: float) -> tuple[float, float]:
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    k = math.cos(math.radians(a[1]))
    return math.hypot((a[0] - b[0]) * k, a[1] - b[1]) * 111_320.0


#: Heyang county, with a margin.
heyang_lng = st.floats(min_value=109.9, max_value=110.6)
heyang_lat = st.floats(min_value=34.95, max_value=35.55)


@settings(max_examples=200, deadline=None)
@given(lng=heyang_lng, lat=heyang_lat)
def test_forward_matches_the_published_formula_in_heyang(lng, lat):
    assert from_wgs84(lng, lat, "GCJ02") == pytest.approx(reference_wgs_to_gcj(lng, lat), abs=1e-9)
    assert from_wgs84(lng, lat, "BD09") == pytest.approx(
        reference_gcj_to_bd(*reference_wgs_to_gcj(lng, lat)), abs=1e-9
    )


@settings(max_examples=200, deadline=None)
@given(lng=heyang_lng, lat=heyang_lat, system=st.sampled_from(["GCJ02", "BD09"]))
def test_round_trip_is_under_a_metre(lng, lat, system):
    shown = from_wgs84(lng, lat, system)
    back = to_wgs84(*shown, system)
    assert metres((float(back[0]), float(back[1])), (lng, lat)) < 1.0


def test_heyang_offsets_are_as_documented():
    """DOMAIN.md §4: GCJ-02 ≈ 500 m and BD-09 ≈ 900 m–1 km from WGS-84 at Heyang."""
    centre = (110.15, 35.24)
    assert 400 < metres(from_wgs84(*centre, "GCJ02"), centre) < 700
    assert 800 < metres(from_wgs84(*centre, "BD09"), centre) < 1300
