"""Writes to standard addresses: door plates, room addresses, whole buildings, map marking.

Same contract as every service: ``actor`` first, scope checked, field-level InvalidInput before
anything is saved, history in the same transaction, optimistic versions on update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import HistoryAction
from ybss.audit.records import record_create, record_update
from ybss.audit.services import history_record
from ybss.core.errors import FieldErrors, InvalidInput, NotFound
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, DivisionLevel, PoliceUnit, User

from .coords import in_china, to_wgs84
from .models import AddressElement, AddressLevel, CoordSystem, ElementKind, MarkState, StandardAddress
from .naming import full_name

_DOOR_NO = re.compile(r"^[0-9]{1,5}$")
_SHORT = re.compile(r"^[0-9A-Za-z\-]{1,10}$")
MAX_GENERATED_ROOMS = 2000


@dataclass
class DoorPlateData:
    division_code: str
    police_unit_code: str
    road_id: int
    door_number: str
    door_prefix: str = ""
    door_suffix: str = ""
    sub_number: str = ""
    compound_id: int | None = None
    building: str = ""
    common_name: str = ""


def division_path(division: AdminDivision) -> list[str]:
    """Names from the province down to ``division`` (for ``naming.full_name``)."""
    names: list[str] = []
    node: AdminDivision | None = division
    while node is not None:
        names.append(node.name)
        node = node.parent
    return names[::-1]


def element_ordinal(element: AddressElement) -> int:
    """The element's 1-based ordinal within its division and kind (the demo numbers the same way)."""
    return (
        AddressElement.objects.filter(
            division_id=element.division_id, kind=element.kind, pk__lt=element.pk
        ).count()
        + 1
    )


def door_code(
    *,
    division_code: str,
    road: AddressElement,
    door_number: str,
    door_prefix: str = "",
    door_suffix: str = "",
    sub_number: str = "",
    building: str = "",
) -> str:
    """Stable code of a door plate: division-element-door (+ sub-number) (+ building), as in
    ``ybss.demo.gazetteer``: 610524001003-4102-018, 610524001003-4102-018-03."""
    door = f"{door_prefix}{int(door_number):03d}{door_suffix}" + (f"F{sub_number}" if sub_number else "")
    code = f"{division_code}-{road.kind}{element_ordinal(road):02d}-{door}"
    if building:
        code += f"-{int(building):02d}" if building.isdigit() else f"-{building}"
    return code[:48]


def room_code(door: StandardAddress, unit_no: str, room_no: str) -> str:
    """Stable room code: door plate code + unit + room (610524001003-4102-018-03-2-0501)."""
    return f"{door.code}-{unit_no or '0'}-{room_no:0>4}"[:48]


def _check_hierarchy(
    actor: User, errors: FieldErrors, division_code: str, police_unit_code: str
) -> tuple[AdminDivision | None, PoliceUnit | None]:
    division = AdminDivision.objects.filter(code=division_code, level=DivisionLevel.VILLAGE).first()
    if division is None:
        errors.add("division_code", _("Choose a community or village."))
    unit = PoliceUnit.objects.filter(code=police_unit_code).first()
    if unit is None:
        errors.add("police_unit_code", _("Choose a police district."))
    if division is not None and unit is not None:
        try:
            jurisdiction.check_can_write(actor, division_id=division.code, police_unit_id=unit.code)
        except NotFound:
            errors.add("police_unit_code", _("This place is outside your jurisdiction."))
    return division, unit


@transaction.atomic
def door_plate_create(*, actor: User, data: DoorPlateData, reason: str = "") -> StandardAddress:
    """Create a door plate (门楼牌) in draft state, with a stable code and derived full name."""
    errors = FieldErrors()
    division, unit = _check_hierarchy(actor, errors, data.division_code, data.police_unit_code)
    road = AddressElement.objects.filter(pk=data.road_id).first()
    if road is None or (division is not None and not division.code.startswith(road.division_id[:9])):
        errors.add("road_id", _("Choose a street or villager group of this place."))
    compound = None
    if data.compound_id is not None:
        compound = AddressElement.objects.filter(pk=data.compound_id).first()
        if compound is None:
            errors.add("compound_id", _("Choose a compound of this place."))
    if not _DOOR_NO.match(data.door_number or ""):
        errors.add("door_number", _("Enter the door number as digits, e.g. 18."))
    for f in ("sub_number", "door_prefix", "door_suffix", "building"):
        v = getattr(data, f)
        if v and not _SHORT.match(v.replace("号楼", "").replace("栋", "")) and len(v) > 10:
            errors.add(f, _("Ensure this value has at most %(n)d characters.") % {"n": 10})
    if len(data.common_name) > 60:
        errors.add("common_name", _("Ensure this value has at most %(n)d characters.") % {"n": 60})
    errors.raise_if_any()
    assert division is not None and unit is not None and road is not None
    code = door_code(
        division_code=division.code,
        road=road,
        door_number=data.door_number,
        door_prefix=data.door_prefix,
        door_suffix=data.door_suffix,
        sub_number=data.sub_number,
        building=data.building,
    )
    if StandardAddress.objects.filter(code=code).exists():
        raise InvalidInput(
            code="address.duplicate", fields={"door_number": [_("This door plate already exists.")]}
        )
    fields = {
        "code": code,
        "level": AddressLevel.DOOR,
        "road": road,
        "compound": compound,
        "door_prefix": data.door_prefix,
        "door_number": data.door_number,
        "door_suffix": data.door_suffix,
        "sub_number": data.sub_number,
        "building": data.building,
        "common_name": data.common_name,
        "full_name": full_name(
            division_path=division_path(division),
            street=road.name if road.kind != ElementKind.GROUP else "",
            group=road.name if road.kind == ElementKind.GROUP else "",
            door_prefix=data.door_prefix,
            door_number=data.door_number,
            door_suffix=data.door_suffix,
            sub_number=data.sub_number,
            compound=compound.name if compound else "",
            building=data.building,
        ),
    }
    a = record_create(
        actor=actor,
        model=StandardAddress,
        fields=fields,
        division_id=division.code,
        police_unit_id=unit.code,
        reason=reason,
        history={"code": code, "full_name": fields["full_name"]},
    )
    return a


def room_full_name(door: StandardAddress, *, unit_no: str, floor: int | None, room_no: str) -> str:
    """The door plate's full name followed by unit and room (…3号楼2单元501室)."""
    return door.full_name + full_name(division_path=[], unit_no=unit_no, floor=floor, room_no=room_no)


@transaction.atomic
def building_generate(
    *,
    actor: User,
    door_id: int,
    units: int,
    floors: int,
    rooms_per_floor: int,
    underground: int = 0,
    reason: str = "",
) -> list[StandardAddress]:
    """Generate a building's room addresses in one step: units × floors × rooms per floor
    (rooms numbered 101, 102 … 1804; underground floors B1.. get rooms B101 …). Existing rooms are
    kept; only missing ones are created."""
    door = jurisdiction.get_in_scope(StandardAddress.objects.select_related("division"), actor, pk=door_id)
    jurisdiction.check_can_write(actor, division_id=door.division_id, police_unit_id=door.police_unit_id)
    errors = FieldErrors()
    if door.level != AddressLevel.DOOR:
        errors.add("door", _("Rooms can only be generated under a door plate."))
    for name, v, lo, hi in (
        ("units", units, 1, 20),
        ("floors", floors, 1, 100),
        ("rooms_per_floor", rooms_per_floor, 1, 30),
        ("underground", underground, 0, 10),
    ):
        if not isinstance(v, int) or not lo <= v <= hi:
            errors.add(name, _("Enter a value between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi})
    if not errors and units * (floors + underground) * rooms_per_floor > MAX_GENERATED_ROOMS:
        errors.add(
            "rooms_per_floor", _("At most %(n)d rooms can be generated at once.") % {"n": MAX_GENERATED_ROOMS}
        )
    errors.raise_if_any()
    existing = set(door.rooms.values_list("code", flat=True))
    now = timezone.now()
    made: list[StandardAddress] = []
    floor_list = [-f for f in range(underground, 0, -1)] + list(range(1, floors + 1))
    for u in range(1, units + 1):
        for fl in floor_list:
            for r in range(1, rooms_per_floor + 1):
                room_no = f"B{-fl}{r:02d}" if fl < 0 else f"{fl}{r:02d}"
                code = room_code(door, str(u), room_no)
                if code in existing:
                    continue
                made.append(
                    StandardAddress(
                        code=code,
                        level=AddressLevel.ROOM,
                        parent=door,
                        unit_no=str(u),
                        floor=fl,
                        room_no=room_no,
                        full_name=room_full_name(door, unit_no=str(u), floor=fl, room_no=room_no),
                        division_id=door.division_id,
                        police_unit_id=door.police_unit_id,
                        road_id=door.road_id,
                        compound_id=door.compound_id,
                        status=RecordStatus.DRAFT,
                        created_at=now,
                        updated_at=now,
                        created_by=actor,
                        updated_by=actor,
                    )
                )
    StandardAddress.objects.bulk_create(made, batch_size=500)
    created = list(StandardAddress.objects.filter(parent=door, code__in=[m.code for m in made]))
    for a in created:
        history_record(
            actor=actor,
            record=a,
            action=HistoryAction.CREATE,
            changes={"code": [None, a.code]},
            reason=reason or "building_generate",
        )
    return created


@transaction.atomic
def room_create(
    *, actor: User, door_id: int, unit_no: str, floor: int | None, room_no: str, reason: str = ""
) -> StandardAddress:
    """One room address (层户) under a door plate."""
    door = jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=door_id)
    jurisdiction.check_can_write(actor, division_id=door.division_id, police_unit_id=door.police_unit_id)
    errors = FieldErrors()
    if door.level != AddressLevel.DOOR:
        errors.add("door", _("Rooms can only be created under a door plate."))
    if unit_no and not _SHORT.match(unit_no):
        errors.add("unit_no", _("Enter the unit as digits or letters, e.g. 2."))
    if floor is not None and not -10 <= floor <= 200:
        errors.add("floor", _("Enter a value between %(lo)s and %(hi)s.") % {"lo": -10, "hi": 200})
    if not room_no or not _SHORT.match(room_no):
        errors.add("room_no", _("Enter the room number, e.g. 501."))
    errors.raise_if_any()
    code = room_code(door, unit_no, room_no)
    fields = {
        "code": code,
        "level": AddressLevel.ROOM,
        "parent": door,
        "unit_no": unit_no,
        "floor": floor,
        "room_no": room_no,
        "full_name": room_full_name(door, unit_no=unit_no, floor=floor, room_no=room_no),
        "road_id": door.road_id,
        "compound_id": door.compound_id,
    }
    try:
        with transaction.atomic():
            a = record_create(
                actor=actor,
                model=StandardAddress,
                fields=fields,
                division_id=door.division_id,
                police_unit_id=door.police_unit_id,
                reason=reason,
                history={"code": code},
            )
    except IntegrityError as exc:
        raise InvalidInput(
            code="address.duplicate", fields={"room_no": [_("This room already exists.")]}
        ) from exc
    return a


def address_mark(
    *,
    actor: User,
    address: StandardAddress,
    expected_version: int,
    lng: Any,
    lat: Any,
    system: str = CoordSystem.WGS84,
    source: str = "map",
    confirm: bool = False,
) -> StandardAddress:
    """标注: set a door plate's coordinates (converted to WGS-84), optionally confirmed.

    A point outside a drawn boundary of the address's division or police unit is refused with a
    field error on ``lng`` (code ``address.outside_boundary``; ``ybss.mapping.checks``)."""
    jurisdiction.check_can_write(
        actor, division_id=address.division_id, police_unit_id=address.police_unit_id
    )
    errors = FieldErrors()
    if address.level != AddressLevel.DOOR:
        errors.add("lng", _("Only door plates are marked on the map; rooms share their door plate's point."))
        errors.raise_if_any()
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError):
        errors.add("lng", _("Enter a number."))
        errors.raise_if_any()
    if system not in CoordSystem.values:
        errors.add("system", _("“%(value)s” is not a valid choice.") % {"value": system})
    elif not in_china(x, y):
        errors.add("lng", _("The point is outside China: check longitude and latitude."))
    errors.raise_if_any()
    wlng, wlat = to_wgs84(x, y, system)
    # Drawn boundaries of the address's division and police unit (ybss.mapping builds on this
    # app, hence the late import): outside one is a field error; none drawn, no check.
    from ybss.mapping.checks import boundary_errors

    for message in boundary_errors(
        division_id=address.division_id,
        police_unit_id=address.police_unit_id,
        lng=float(wlng),
        lat=float(wlat),
    ):
        errors.add("lng", message)
    errors.raise_if_any(code="address.outside_boundary")
    return record_update(
        actor=actor,
        record=address,
        expected_version=expected_version,
        reason=source,
        changes={
            "lng": wlng,
            "lat": wlat,
            "coord_source": system,
            "mark_state": MarkState.CONFIRMED if confirm else MarkState.MARKED,
            "marked_source": source[:20],
            "marked_at": timezone.now(),
        },
    )


def address_rename(
    *, actor: User, address: StandardAddress, expected_version: int, common_name: str, reason: str = ""
) -> StandardAddress:
    jurisdiction.check_can_write(
        actor, division_id=address.division_id, police_unit_id=address.police_unit_id
    )
    if len(common_name) > 60:
        raise InvalidInput(
            fields={"common_name": [_("Ensure this value has at most %(n)d characters.") % {"n": 60}]}
        )
    return record_update(
        actor=actor,
        record=address,
        expected_version=expected_version,
        changes={"common_name": common_name.strip()},
        reason=reason,
    )
