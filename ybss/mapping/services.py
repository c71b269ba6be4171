"""Writes of the mapping app: drawing (uploading) and removing boundaries.

Marking itself is ``ybss.addresses.services.address_mark`` (which calls ``checks.boundary_errors``);
the map page and the API call it directly.

Boundaries are county-wide geography kept by the county admin (``Role.ADMIN``); the command line
(``ybss boundary``) may write them without a user, as the installation's operator. Each change
appends a RecordHistory row (``mapping.boundary``) in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import HistoryAction
from ybss.audit.services import history_record
from ybss.core.errors import FieldErrors, InvalidInput, NotFound
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, PoliceUnit, Role, User

from . import geometry
from .models import Boundary

#: Who may draw boundaries from the web and the API.
BOUNDARY_ROLES = frozenset({Role.ADMIN})

#: The largest boundary file accepted (bytes).
MAX_FILE_BYTES = 5 * 1024 * 1024


def can_edit_boundaries(user: Any) -> bool:
    return getattr(user, "role", None) in BOUNDARY_ROLES


def _check_actor(actor: User | None) -> None:
    if actor is not None:
        jurisdiction.require_role(actor, BOUNDARY_ROLES)


@transaction.atomic
def boundary_save(
    *,
    actor: User | None,
    text: str | bytes,
    division_code: str = "",
    police_unit_code: str = "",
    system: str = "WGS84",
    source: str = "",
    reason: str = "",
) -> Boundary:
    """Draw (create or replace) the boundary of one division or one police unit from GeoJSON
    ``text`` drawn in ``system``; stored as WGS-84.

    Exactly one of ``division_code`` / ``police_unit_code``. Field errors (``InvalidInput``) name
    ``division_code``, ``police_unit_code``, ``file`` or ``system``; nothing is saved then. Replacing
    bumps the version (which also refreshes the cached shape used by the marking check).
    """
    _check_actor(actor)
    errors = FieldErrors()
    division = unit = None
    if bool(division_code) == bool(police_unit_code):
        errors.add("division_code", _("Choose either a division or a police unit."))
    elif division_code:
        division = AdminDivision.objects.filter(code=division_code).first()
        if division is None:
            errors.add("division_code", _("No division has this code."))
    else:
        unit = PoliceUnit.objects.filter(code=police_unit_code).first()
        if unit is None:
            errors.add("police_unit_code", _("No police unit has this code."))
    if system not in geometry.SYSTEMS:
        errors.add("system", _("Choose a coordinate system."))
    if len(text) > MAX_FILE_BYTES:
        errors.add("file", _("The file is larger than %(n)s MB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)})
    errors.raise_if_any()
    read = geometry.read_boundary(text, system=system)
    if read.geometry is None:
        raise InvalidInput(code="boundary.invalid", fields={"file": read.errors})
    geom = read.geometry
    x0, y0, x1, y1 = geom.bounds
    now = timezone.now()
    fields = {
        "geometry": geometry.as_geojson(geom),
        "min_lng": x0,
        "min_lat": y0,
        "max_lng": x1,
        "max_lat": y1,
        "vertex_count": read.vertex_count,
        "drawn_in": system,
        "source": source[:200],
        "updated_at": now,
        "updated_by": actor,
    }
    owner = {"division": division} if division is not None else {"police_unit": unit}
    existing = Boundary.objects.select_for_update().filter(**owner).first()
    summary = {
        "vertices": read.vertex_count,
        "bbox": [round(v, 6) for v in (x0, y0, x1, y1)],
        "system": system,
    }
    if existing is None:
        b = Boundary.objects.create(**owner, **fields)
        history_record(
            actor=actor,
            record=b,
            action=HistoryAction.CREATE,
            changes={"boundary": [None, summary]},
            reason=reason,
        )
        return b
    before = {
        "vertices": existing.vertex_count,
        "bbox": [existing.min_lng, existing.min_lat, existing.max_lng, existing.max_lat],
    }
    for k, v in fields.items():
        setattr(existing, k, v)
    existing.version += 1
    existing.save()
    history_record(
        actor=actor,
        record=existing,
        action=HistoryAction.UPDATE,
        changes={"boundary": [before, summary]},
        reason=reason,
    )
    return existing


@transaction.atomic
def boundary_delete(*, actor: User | None, boundary_id: int, reason: str = "") -> None:
    """Remove a boundary (its marking check goes with it). The history row stays."""
    _check_actor(actor)
    b = Boundary.objects.select_for_update().filter(pk=boundary_id).first()
    if b is None:
        raise NotFound()
    history_record(
        actor=actor,
        record=b,
        action=HistoryAction.VOID,
        changes={"boundary": [{"vertices": b.vertex_count}, None]},
        reason=reason or "boundary_delete",
    )
    b.delete()
