"""Map fixtures on top of the shared two-station county (tests/conftest.py).

Station a's village sits around A_CENTRE, station b's around B_CENTRE (WGS-84); ``drawn`` gives
each village a square boundary of ±HALF degrees (≈ 2 km) around its centre.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from ybss.addresses.models import StandardAddress

A_CENTRE = (110.15, 35.24)
B_CENTRE = (110.30, 35.30)
HALF = 0.02


def square(lng: float, lat: float, half: float = HALF) -> dict[str, Any]:
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature_collection(*geoms: dict[str, Any]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geoms],
        }
    )


def put(address: StandardAddress, lng: float, lat: float, state: str = "confirmed") -> StandardAddress:
    """Give an address a WGS-84 point directly (test set-up, not the marking service)."""
    StandardAddress.objects.filter(pk=address.pk).update(
        lng=Decimal(f"{lng:.7f}"), lat=Decimal(f"{lat:.7f}"), mark_state=state
    )
    address.refresh_from_db()
    return address


@pytest.fixture
def drawn(county):
    """Square boundaries around both villages (saved through the service, as the CLI would)."""
    from ybss.mapping.services import boundary_save

    return {
        "a": boundary_save(
            actor=None, text=json.dumps(square(*A_CENTRE)), division_code=county.a.village.code
        ),
        "b": boundary_save(
            actor=None, text=json.dumps(square(*B_CENTRE)), division_code=county.b.village.code
        ),
    }
