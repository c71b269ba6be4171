"""The marking check (DOMAIN.md §5): a door plate's point must fall inside the drawn boundaries
of its division and its police unit.

Decision: a point outside is a **field error** (the marking is refused), not a warning. Boundaries
are hand-drawn, so a point up to ``geometry.TOLERANCE_M`` (30 m) outside still passes; further
out, either the point is wrong (the usual case: a tap on the wrong street, GCJ-02 read as WGS-84)
or the boundary is, and then the county admin corrects the boundary, not the officer the point.
Where no boundary is drawn there is no check.

The boundaries checked are those of the address's division and every division above it (village,
township, county …) and of its police unit and every unit above it (district, station, bureau).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import geometry
from .models import Boundary

CODE_LENGTH = 12


def _prefixes(code: str) -> list[str]:
    """Every prefix of a 12-digit code: the ``prefix`` of each of its ancestors is among them."""
    return [code[:i] for i in range(2, min(len(code), CODE_LENGTH) + 1)]


def boundaries_over(*, division_id: str, police_unit_id: str) -> list[Boundary]:
    """The boundaries drawn for ``division_id`` and its ancestors and for ``police_unit_id`` and its
    ancestors. One query; not scoped (boundaries are geography, the caller has checked the record)."""
    return list(
        Boundary.objects.filter(
            Q(division__prefix__in=_prefixes(division_id))
            | Q(police_unit__prefix__in=_prefixes(police_unit_id))
        ).select_related("division", "police_unit")
    )


def boundary_errors(*, division_id: str, police_unit_id: str, lng: float, lat: float) -> list[Any]:
    """One message per drawn boundary over the address that the WGS-84 point (lng, lat) lies
    outside of, by more than the tolerance. Empty when inside all of them or none is drawn."""
    messages: list[Any] = []
    for b in boundaries_over(division_id=division_id, police_unit_id=police_unit_id):
        if not (b.min_lng - 0.01 <= lng <= b.max_lng + 0.01 and b.min_lat - 0.01 <= lat <= b.max_lat + 0.01):
            far = True
        else:
            shape = geometry.prepared(b.pk, b.version, b.updated_at.isoformat(), b.geometry)
            far = not geometry.contains(shape, lng, lat)
        if far:
            messages.append(
                _(
                    "The point is outside the boundary of %(name)s. Place it inside, or ask the county "
                    "admin to correct the boundary if it is wrong."
                )
                % {"name": b.owner.name}
            )
    return messages
