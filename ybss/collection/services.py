"""Writes of field collection: tasks, visits and field verification.

Every service is keyword-only with ``actor`` first, checks scope through ``org.jurisdiction``,
and writes its rows (and their history) in one transaction. Rows are stamped with the division
and police district of the address they concern. Submissions from phones are received in
``collection.sync`` and reviewed in ``collection.review``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressLevel, StandardAddress
from ybss.audit.services import history_record
from ybss.core.errors import Forbidden, InvalidInput, NotFound
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, PoliceUnitKind, Role, User
from ybss.registry.models import House, Unit
from ybss.registry.services import house_verify, unit_verify

from .models import (
    FINAL_OUTCOMES,
    CollectionTask,
    HouseholdAvailability,
    Photo,
    Submission,
    TaskItem,
    TaskState,
    VerificationLog,
    Visit,
    VisitOutcome,
)

#: Roles that plan and assign collection work.
PLANNING_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.ADMIN})


def households_under(door_ids: Iterable[int]) -> list[StandardAddress]:
    """The households of door plates: each active room address, or the door plate itself when it
    has no rooms (a courtyard house or a shop)."""
    doors = list(
        StandardAddress.objects.filter(pk__in=list(door_ids), level=AddressLevel.DOOR)
        .exclude(status=RecordStatus.VOIDED)
        .order_by("code")
    )
    rooms: dict[int, list[StandardAddress]] = {}
    for room in (
        StandardAddress.objects.filter(parent_id__in=[d.pk for d in doors], level=AddressLevel.ROOM)
        .exclude(status=RecordStatus.VOIDED)
        .order_by("code")
    ):
        rooms.setdefault(room.parent_id, []).append(room)  # type: ignore[arg-type]
    out: list[StandardAddress] = []
    for d in doors:
        out.extend(rooms.get(d.pk) or [d])
    return out


def _common_division(codes: list[str]) -> str:
    """The smallest division (village, township or county code) holding every code."""
    if not codes:
        raise InvalidInput(code="task.empty", fields={"doors": [_("Choose at least one door plate.")]})
    if len(set(codes)) == 1:
        return codes[0]
    for length in (9, 6):
        if len({c[:length] for c in codes}) == 1:
            return codes[0][:length].ljust(12, "0")
    return codes[0][:6].ljust(12, "0")


@transaction.atomic
def task_create(
    *,
    actor: User,
    assignee: User,
    name: str,
    deadline: dt.date,
    address_ids: Iterable[int] | None = None,
    door_ids: Iterable[int] | None = None,
    target: int | None = None,
    note: str = "",
) -> CollectionTask:
    """Assign a collector the households of some door plates (or the given household addresses).

    The actor plans (officer, chief, admin) and every household must lie in their jurisdiction and
    in one police district; the assignee must be a collector or officer who may work there.
    ``target`` defaults to the number of households. Households already in another open task are
    left out (one collector per household at a time).
    """
    if actor.role not in PLANNING_ROLES:
        raise Forbidden()
    errors: dict[str, list[Any]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 100:
        errors["name"] = [_("Ensure this value has at most %(n)d characters.") % {"n": 100}]
    if deadline is None:
        errors["deadline"] = [_("This field is required.")]
    elif deadline < timezone.localdate():
        errors["deadline"] = [_("The deadline has passed.")]
    if assignee.role not in (Role.COLLECTOR, Role.OFFICER) or not assignee.is_active:
        errors["assignee"] = [_("Choose a collector.")]
    visible = jurisdiction.scope(StandardAddress.objects.all(), actor)
    if address_ids is not None:
        households = list(visible.filter(pk__in=list(address_ids)).exclude(status=RecordStatus.VOIDED))
    else:
        doors = visible.filter(pk__in=list(door_ids or []), level=AddressLevel.DOOR).values_list(
            "pk", flat=True
        )
        households = households_under(doors)
    busy = set(
        TaskItem.objects.filter(
            task__state=TaskState.OPEN, address_id__in=[h.pk for h in households]
        ).values_list("address_id", flat=True)
    )
    households = [h for h in households if h.pk not in busy]
    if not households:
        errors.setdefault("doors", []).append(_("None of these households is free to assign."))
    units = {h.police_unit_id for h in households}
    if len(units) > 1:
        errors.setdefault("doors", []).append(_("Choose door plates of one police district."))
    if target is not None and not 1 <= target <= len(households or [0]):
        errors["target"] = [_("Enter a value between %(lo)s and %(hi)s.") % {"lo": 1, "hi": len(households)}]
    if errors:
        raise InvalidInput(fields=errors)
    unit_code = units.pop()
    division_code = _common_division([h.division_id for h in households])
    try:
        jurisdiction.check_can_write(actor, division_id=division_code, police_unit_id=unit_code)
    except NotFound as exc:
        raise InvalidInput(
            code="task.scope", fields={"doors": [_("This place is outside your jurisdiction.")]}
        ) from exc
    if not (
        (assignee.police_unit_id and unit_code.startswith(assignee.police_unit.prefix))  # type: ignore[union-attr]
        or (assignee.division_id and division_code.startswith(assignee.division.prefix))  # type: ignore[union-attr]
    ):
        raise InvalidInput(
            code="task.assignee", fields={"assignee": [_("This collector does not work here.")]}
        )
    now = timezone.now()
    task = CollectionTask.objects.create(
        name=name,
        assignee=assignee,
        target=target or len(households),
        deadline=deadline,
        note=note[:500],
        division_id=division_code,
        police_unit_id=unit_code,
        status=RecordStatus.ACCEPTED,
        created_at=now,
        updated_at=now,
        created_by=actor,
        updated_by=actor,
    )
    TaskItem.objects.bulk_create(
        [
            TaskItem(
                task=task,
                address=h,
                door_id=h.parent_id or h.pk,
                seq=i,
                division_id=h.division_id,
                police_unit_id=h.police_unit_id,
            )
            for i, h in enumerate(households)
        ],
        batch_size=2000,
    )
    history_record(
        actor=actor,
        record=task,
        action="create",
        changes={
            "name": [None, name],
            "assignee": [None, assignee.pk],
            "households": [None, len(households)],
        },
    )
    return task


@transaction.atomic
def task_close(
    *, actor: User, task: CollectionTask, state: str = TaskState.CLOSED, reason: str = ""
) -> CollectionTask:
    """Close or cancel an open task (its unfinished households become free to assign again)."""
    if actor.role not in PLANNING_ROLES:
        raise Forbidden()
    task = jurisdiction.get_in_scope(CollectionTask.objects.select_for_update(), actor, pk=task.pk)
    if task.state != TaskState.OPEN or state not in (TaskState.CLOSED, TaskState.CANCELLED):
        raise InvalidInput(code="task.state", fields={"state": [_("Only an open task can be closed.")]})
    old = task.state
    task.state = state
    task.updated_at = timezone.now()
    task.updated_by = actor
    task.version += 1
    task.save(update_fields=["state", "updated_at", "updated_by", "version"])
    history_record(actor=actor, record=task, action="status", changes={"state": [old, state]}, reason=reason)
    return task


def _household(actor: User, address_id: int) -> StandardAddress:
    address = jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=address_id)
    jurisdiction.check_can_write(
        actor, division_id=address.division_id, police_unit_id=address.police_unit_id
    )
    if address.status == RecordStatus.VOIDED:
        raise InvalidInput(code="address.voided", fields={"address_id": [_("This address has been voided.")]})
    return address


def open_item_for(address_id: int, collector: User | None = None) -> TaskItem | None:
    """The open task's household row for an address (the collector's own first)."""
    items = TaskItem.objects.filter(address_id=address_id, task__state=TaskState.OPEN).select_related("task")
    if collector is not None:
        mine = items.filter(task__assignee=collector).first()
        if mine is not None:
            return mine
    return items.first()


def _advance_item(item: TaskItem, outcome: str, at: dt.datetime) -> None:
    item.outcome = outcome
    item.visits += 1
    item.last_visit_at = max(item.last_visit_at, at) if item.last_visit_at else at
    if outcome in FINAL_OUTCOMES and item.done_at is None:
        item.done_at = at
    item.save(update_fields=["outcome", "visits", "last_visit_at", "done_at"])


@transaction.atomic
def visit_record(
    *,
    actor: User,
    address_id: int,
    outcome: str,
    visited_at: dt.datetime,
    lat: Any = None,
    lng: Any = None,
    accuracy_m: int | None = None,
    device: str = "",
    note: str = "",
    task_item: TaskItem | None = None,
    submission: Submission | None = None,
    availability: str | None = None,
    appointment: dict[str, Any] | None = None,
    collector: User | None = None,
) -> Visit:
    """Record one call at a household (走访) and move its task row on.

    ``availability`` stores what the collector learned of when the household is home.
    ``appointment`` (a dict with ``window_start``/``window_end``, or ``{}`` to let the scheduler
    propose one) issues an appointment slip; only when nobody was home. ``collector`` is who made
    the call when someone else records it (an officer passing a phone submission).
    """
    if outcome not in VisitOutcome.values:
        raise InvalidInput(fields={"outcome": [_("Select a valid choice.")]})
    address = _household(actor, address_id)
    if task_item is None:
        task_item = open_item_for(address.pk, actor)
    visit = Visit.objects.create(
        address=address,
        door_id=address.parent_id or address.pk,
        task_item=task_item,
        collector=collector or actor,
        outcome=outcome,
        visited_at=visited_at,
        lat=lat,
        lng=lng,
        accuracy_m=accuracy_m,
        device=device[:200],
        note=note[:500],
        submission=submission,
        created_at=timezone.now(),
        division_id=address.division_id,
        police_unit_id=address.police_unit_id,
    )
    if task_item is not None:
        _advance_item(task_item, outcome, visited_at)
    if availability:
        HouseholdAvailability.objects.update_or_create(
            address=address,
            defaults={
                "kind": availability,
                "set_by": actor,
                "set_at": timezone.now(),
                "division_id": address.division_id,
                "police_unit_id": address.police_unit_id,
            },
        )
    from .appointments import appointment_issue, appointments_close_for_visit

    appointments_close_for_visit(actor=actor, visit=visit)
    if appointment is not None and outcome == VisitOutcome.NOBODY_HOME:
        appointment_issue(
            actor=actor,
            visit=visit,
            window_start=appointment.get("window_start"),
            window_end=appointment.get("window_end"),
        )
    return visit


def _distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def door_distance_m(address: StandardAddress, lng: Any, lat: Any) -> int | None:
    """How far a GPS point lies from the address's door plate (None when either is unknown)."""
    door = address.parent if address.parent_id else address
    if door is None or door.lng is None or door.lat is None or lng is None or lat is None:
        return None
    return round(_distance_m(float(door.lng), float(door.lat), float(lng), float(lat)))


@transaction.atomic
def verification_record(
    *,
    actor: User,
    record_type: str,
    record_id: int,
    ok: bool,
    expected_version: int | None = None,
    note: str = "",
    lat: Any = None,
    lng: Any = None,
    accuracy_m: int | None = None,
    verified_at: dt.datetime | None = None,
    submission: Submission | None = None,
) -> VerificationLog:
    """核查 (house) / 核实 (unit) in the field: the record's verification state, by whom and when,
    and a log row with the GPS point and its distance from the door plate.

    Only reviewing roles verify (``registry.services.house_verify``). ``expected_version`` None
    verifies whatever is current (a field check confirms the record as it stands).
    """
    record: House | Unit
    if record_type == "house":
        record = jurisdiction.get_in_scope(
            House.objects.select_related("address__parent"), actor, pk=record_id
        )
    elif record_type == "unit":
        record = jurisdiction.get_in_scope(
            Unit.objects.select_related("address__parent"), actor, pk=record_id
        )
    else:
        raise InvalidInput(fields={"record": [_("Select a valid choice.")]})
    version = record.version if expected_version is None else expected_version
    reason = note.strip() or str(_("Verified in the field"))
    if isinstance(record, House):
        house_verify(actor=actor, house=record, expected_version=version, ok=ok, reason=reason)
    else:
        unit_verify(actor=actor, unit=record, expected_version=version, ok=ok, reason=reason)
    return VerificationLog.objects.create(
        record_type=record_type,
        record_id=record.pk,
        ok=ok,
        officer=actor,
        verified_at=verified_at or timezone.now(),
        lat=lat,
        lng=lng,
        accuracy_m=accuracy_m,
        distance_m=door_distance_m(record.address, lng, lat),
        note=note[:500],
        submission=submission,
        division_id=record.division_id,
        police_unit_id=record.police_unit_id,
    )


def district_of(user: User) -> PoliceUnit | None:
    """The police district a collector or officer works in (their unit when it is a district)."""
    unit = user.police_unit
    if unit is not None and unit.kind == PoliceUnitKind.DISTRICT:
        return unit
    return None


#: Largest photo accepted from a phone (the app sends JPEGs of at most 1280 px, ~300 KB).
MAX_PHOTO_BYTES = 8 * 1024 * 1024
_PHOTO_MAGIC = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG": ("image/png", "png"),
    b"RIFF": ("image/webp", "webp"),
}


def photo_store(*, actor: User, client_id: uuid.UUID, content: bytes) -> Photo:
    """Keep a photo sent from a phone under the data folder, once per client id (a repeated upload
    answers the stored photo). JPEG, PNG or WebP up to ``MAX_PHOTO_BYTES``; stamped with the
    sender's police district and village until a submission claims it."""
    if actor.role not in (Role.COLLECTOR, Role.OFFICER, Role.CHIEF, Role.ADMIN):
        raise Forbidden()
    existing = Photo.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.uploaded_by_id != actor.pk:
            raise InvalidInput(code="photo.client_id_reused", fields={"client_id": [_("This id is taken.")]})
        return existing
    if not content:
        raise InvalidInput(fields={"file": [_("The file is empty.")]})
    if len(content) > MAX_PHOTO_BYTES:
        raise InvalidInput(fields={"file": [_("The photo is too large (at most 8 MB).")]})
    kind = next((v for magic, v in _PHOTO_MAGIC.items() if content.startswith(magic)), None)
    if kind is None:
        raise InvalidInput(fields={"file": [_("Send a JPEG, PNG or WebP photo.")]})
    unit = actor.police_unit
    division = actor.division or (unit.divisions.order_by("code").first() if unit is not None else None)
    if unit is None or division is None:
        raise Forbidden()
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{digest[:2]}/{digest}.{kind[1]}"
    path = Path(settings.YBSS_PHOTOS_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(path)
    try:
        with transaction.atomic():
            return Photo.objects.create(
                client_id=client_id,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
                path=relative,
                content_type=kind[0],
                size=len(content),
                sha256=digest,
                division_id=division.pk,
                police_unit_id=unit.pk,
            )
    except IntegrityError:
        return Photo.objects.get(client_id=client_id)


def photo_file(photo: Photo) -> Path:
    return Path(settings.YBSS_PHOTOS_DIR) / photo.path
