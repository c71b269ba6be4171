"""Receiving submissions from phones: each applied exactly once, however often or out of order
it arrives, and never a silent overwrite.

Exactly once
    A submission is keyed by the client's id (``Submission.client_id``, unique in the database).
    A second arrival with the same content answers ``duplicate`` with the first one's state and
    does nothing; the same id with other content is ``rejected`` (``submission.client_id_reused``).
    Two requests racing with one id meet at the unique index: the loser re-reads and answers
    ``duplicate``. A batch is one transaction with a savepoint per submission, so a bad one is
    answered ``invalid`` (with field errors keyed by payload path) and saves nothing of itself
    while the rest go in; if the transaction fails as a whole the phone retries and the ids hold.

Versions and conflicts
    An edit of an existing house or person carries the version the collector saw
    (``base_versions``). If the registry has moved on since, or another open submission edits the
    same record from the same version, the submission is stored as a ``conflict``: the reviewer
    sees both and decides (``collection.review``). Passing a submission re-checks the others.

Household submissions wait for review; visit outcomes and field verifications are applied on
arrival (they record what happened, they change no one's details).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressElement, AddressLevel, StandardAddress
from ybss.core.errors import AppError, FieldErrors, Forbidden, InvalidInput, NotFound
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, Role, User
from ybss.registry.models import House, Person

from . import payload as pl
from .models import (
    OPEN_STATES,
    ClientEntity,
    Photo,
    Submission,
    SubmissionEvent,
    SubmissionKind,
    SubmissionState,
    TaskItem,
    TaskState,
    VisitOutcome,
)
from .services import open_item_for, verification_record, visit_record

#: A door number as ``addresses.services.door_plate_create`` takes it.
_DOOR_NO = re.compile(r"[0-9]{1,5}")

#: Submissions per request.
MAX_BATCH = 200

#: Roles that may send submissions.
SUBMIT_ROLES = frozenset({Role.COLLECTOR, Role.OFFICER, Role.CHIEF, Role.ADMIN})


def content_hash(kind: str, body: Any, task_item_id: Any = None, replaces: Any = None) -> str:
    """A digest of what a submission says (not when or how it was sent)."""
    text = json.dumps(
        {"kind": kind, "payload": body, "task_item": task_item_id, "replaces": replaces},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def record_key(model: str, pk: int) -> str:
    return f"{model}:{pk}"


@dataclass
class _Batch:
    """One request's submissions and what they share: the rows looked up once for all of them
    (door plates in scope, villages, roads, client references already taken) and the events to
    write together at the end."""

    actor: User
    device: str
    app_version: str
    existing: dict[uuid.UUID, Submission] = field(default_factory=dict)
    doors: dict[int, StandardAddress] = field(default_factory=dict)
    villages: dict[str, AdminDivision | None] = field(default_factory=dict)
    roads: dict[Any, AddressElement | None] = field(default_factory=dict)
    taken: set[uuid.UUID] = field(default_factory=set)
    events: list[SubmissionEvent] = field(default_factory=list)

    def event(self, sub: Submission, action: str, actor: User | None, **detail: Any) -> None:
        self.events.append(
            SubmissionEvent(submission=sub, action=action, actor=actor, at=sub.received_at, detail=detail)
        )

    def prefetch(self, submissions: list[Any]) -> None:
        door_ids: set[int] = set()
        cids: set[uuid.UUID] = set()
        for raw in submissions:
            body = raw.get("payload") if isinstance(raw, dict) else None
            if not isinstance(body, dict):
                continue
            door = body.get("door")
            if isinstance(door, dict) and isinstance(door.get("id"), int):
                door_ids.add(door["id"])
            many = [p for key in ("persons", "units") if isinstance(body.get(key), list) for p in body[key]]
            for part in [body.get("door"), body.get("room"), body.get("house"), *many]:
                if isinstance(part, dict) and part.get("cid"):
                    try:
                        cids.add(uuid.UUID(str(part["cid"])))
                    except ValueError:
                        pass
        if door_ids:
            self.doors = {
                d.pk: d
                for d in jurisdiction.scope(StandardAddress.objects.filter(pk__in=door_ids), self.actor)
            }
        if cids:
            self.taken = set(ClientEntity.objects.filter(cid__in=cids).values_list("cid", flat=True))


def _result(sub: Submission, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": str(sub.client_id),
        "status": status,
        "submission_id": sub.pk,
        "state": sub.state,
        "code": "",
        "message": "",
        "errors": {},
        **extra,
    }


def _failed(client_id: Any, status: str, exc: AppError) -> dict[str, Any]:
    body = exc.as_dict()
    return {
        "client_id": str(client_id) if client_id else "",
        "status": status,
        "submission_id": None,
        "state": "",
        "code": body["code"],
        "message": body["message"],
        "errors": body["fields"],
    }


def _seen(sub: Submission, digest: str, actor: User) -> dict[str, Any]:
    if sub.collector_id != actor.pk or sub.payload_hash != digest:
        return _failed(
            sub.client_id,
            "rejected",
            AppError(
                _("This client id was already used for a different submission."),
                code="submission.client_id_reused",
            ),
        )
    return _result(sub, "duplicate", **_appointment_of(sub))


def _appointment_of(sub: Submission) -> dict[str, Any]:
    if sub.kind != SubmissionKind.VISIT:
        return {}
    visit = sub.visits.first()
    appt = visit.appointments.first() if visit is not None else None
    if appt is None:
        return {}
    return {"appointment": {"id": appt.pk, "number": appt.number, "token": appt.token}}


def sync_receive(
    *, actor: User, submissions: list[Any], device: str = "", app_version: str = ""
) -> list[dict[str, Any]]:
    """Receive a batch of submissions (at most ``MAX_BATCH``) and answer each in order.

    Each answer has ``status``: accepted, duplicate, conflict, invalid or rejected (see the module
    docstring). The caller must be a collecting role; every record a submission touches must be in
    the caller's jurisdiction (else it is rejected as not found).
    """
    if actor.role not in SUBMIT_ROLES or not jurisdiction.can_see_business_data(actor):
        raise Forbidden()
    if not isinstance(submissions, list):
        raise InvalidInput(fields={"submissions": [_("Expected a list.")]})
    if len(submissions) > MAX_BATCH:
        raise InvalidInput(
            code="sync.too_many",
            fields={"submissions": [_("Send at most %(n)d submissions at a time.") % {"n": MAX_BATCH}]},
        )
    batch = _Batch(actor=actor, device=(device or "")[:200], app_version=(app_version or "")[:20])
    ids = []
    for raw in submissions:
        try:
            ids.append(uuid.UUID(str(raw.get("client_id"))))
        except (AttributeError, TypeError, ValueError):
            continue
    batch.existing = {s.client_id: s for s in Submission.objects.filter(client_id__in=ids)}
    batch.prefetch([raw for raw in submissions if isinstance(raw, dict) and raw.get("kind") == "household"])
    with transaction.atomic():
        _serialise_per_sender(actor)
        results = [_receive_one(batch, raw) for raw in submissions]
        SubmissionEvent.objects.bulk_create(batch.events)
    return results


#: Namespace of the PostgreSQL advisory locks taken by ``_serialise_per_sender``.
_LOCK_NAMESPACE = 5240


def _serialise_per_sender(actor: User) -> None:
    """One batch at a time per sender. A phone that retries while its first request is still
    running sends the same ids again; without this the two transactions could take the
    unique-index locks in different orders and deadlock. SQLite already runs one writer at a time.
    Submissions stay in request order, so one may build on a record an earlier one defines."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, actor.pk])


def _receive_one(batch: _Batch, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return _failed(None, "invalid", InvalidInput(fields={"submission": [pl.NOT_A_DICT]}))
    try:
        client_id = uuid.UUID(str(raw.get("client_id")))
    except (TypeError, ValueError):
        return _failed(None, "invalid", InvalidInput(fields={"client_id": [_("Enter a valid identifier.")]}))
    kind = str(raw.get("kind") or "")
    if kind not in pl.KINDS:
        return _failed(client_id, "invalid", InvalidInput(fields={"kind": [pl.BAD_CHOICE]}))
    body = raw.get("payload")
    digest = content_hash(kind, body, raw.get("task_item_id"), raw.get("replaces"))
    seen = batch.existing.get(client_id)
    if seen is not None:
        return _seen(seen, digest, batch.actor)
    try:
        with transaction.atomic():
            sub = _store(batch, client_id, kind, raw, body, digest)
    except InvalidInput as exc:
        return _failed(client_id, "invalid", exc)
    except (NotFound, Forbidden) as exc:
        return _failed(client_id, "rejected", exc)
    except AppError as exc:
        return _failed(client_id, "invalid", exc)
    except IntegrityError:
        # Another request stored this id between our read and our insert.
        other = Submission.objects.filter(client_id=client_id).first()
        if other is None:
            raise
        return _seen(other, digest, batch.actor)
    batch.existing[client_id] = sub
    status = "conflict" if sub.state == SubmissionState.CONFLICT else "accepted"
    return _result(sub, status, **_appointment_of(sub))


def _timings(r: pl.Reader, raw: dict[str, Any]) -> dict[str, Any]:
    lat = raw.get("lat")
    lng = raw.get("lng")
    values = r.values(
        {k: raw.get(k) for k in ("lat", "lng") if raw.get(k) not in (None, "")}, "gps", {"lat", "lng"}
    )
    lat, lng = values.get("lat"), values.get("lng")
    if lat is not None and not -90 <= lat <= 90:
        r.add("lat", _("Enter a valid latitude."))
        lat = None
    if lng is not None and not -180 <= lng <= 180:
        r.add("lng", _("Enter a valid longitude."))
        lng = None
    accuracy = r.int_at(raw.get("accuracy_m"), "accuracy_m")
    if accuracy is not None and accuracy < 0:
        r.add("accuracy_m", _("Enter a positive number."))
    return {
        "lat": round(lat, 7) if lat is not None else None,
        "lng": round(lng, 7) if lng is not None else None,
        "accuracy_m": min(accuracy, 2_000_000_000) if accuracy is not None else None,
        "started_at": r.datetime_at(raw.get("started_at"), "started_at"),
        "finished_at": r.datetime_at(raw.get("finished_at"), "finished_at"),
    }


def _store(
    batch: _Batch, client_id: uuid.UUID, kind: str, raw: dict[str, Any], body: Any, digest: str
) -> Submission:
    actor = batch.actor
    r = pl.Reader()
    meta = _timings(r, raw)
    replaces = None
    if raw.get("replaces") not in (None, ""):
        rid = r.uuid_at(raw.get("replaces"), "replaces")
        replaces = Submission.objects.filter(client_id=rid, collector=actor).first() if rid else None
        if rid and replaces is None:
            r.add("replaces", _("The submission it replaces does not exist."))
    task_item = None
    if raw.get("task_item_id") not in (None, ""):
        tid = r.int_at(raw.get("task_item_id"), "task_item_id")
        task_item = (
            TaskItem.objects.filter(pk=tid, task__assignee=actor, task__state=TaskState.OPEN).first()
            if tid
            else None
        )
        if tid and task_item is None:
            r.add("task_item_id", _("This household is not in one of your open tasks."))
    r.errors.raise_if_any()
    now = timezone.now()
    sub = Submission(
        client_id=client_id,
        kind=kind,
        collector=actor,
        payload=body,
        payload_hash=digest,
        device=batch.device,
        app_version=batch.app_version,
        received_at=now,
        replaces=replaces,
        task_item=task_item,
        **meta,
    )
    if kind == SubmissionKind.HOUSEHOLD:
        _store_household(batch, sub, pl.read_household(body))
    elif kind == SubmissionKind.VISIT:
        _store_visit(actor, sub, pl.read_visit(body))
    else:
        _store_verify(actor, sub, pl.read_verify(body))
    return sub


def _event(sub: Submission, action: str, actor: User | None, reason: str = "", **detail: Any) -> None:
    SubmissionEvent.objects.create(
        submission=sub, action=action, actor=actor, at=timezone.now(), reason=reason[:500], detail=detail
    )


def _scoped_address(actor: User, pk: int | None, path: str, batch: _Batch | None = None) -> StandardAddress:
    if batch is not None and pk in batch.doors:
        return batch.doors[pk]  # type: ignore[index]
    try:
        return jurisdiction.get_in_scope(StandardAddress.objects.all(), actor, pk=pk)
    except NotFound as exc:
        raise InvalidInput(
            code="submission.not_found",
            fields={path: [_("The record does not exist or is outside your jurisdiction.")]},
        ) from exc


def _defined_elsewhere(cid: uuid.UUID | None, path: str, entity: str) -> ClientEntity:
    found = ClientEntity.objects.filter(cid=cid, entity=entity).select_related("submission").first()  # type: ignore[misc]
    if found is None:
        raise InvalidInput(
            code="submission.unknown_reference",
            fields={path: [_("This refers to a record the server has not received yet.")]},
        )
    return found


def _new_door_stamps(batch: _Batch, new: dict[str, Any], errors: FieldErrors) -> tuple[str, str]:
    actor = batch.actor
    code = str(new.get("division_code") or "")
    if code not in batch.villages:
        batch.villages[code] = AdminDivision.objects.filter(code=code, level=5).first()
    division = batch.villages[code]
    unit = actor.police_unit
    if division is None:
        errors.add("door.new.division_code", _("Choose a community or village."))
    if unit is None or unit.kind != "district":
        # Door plates are stamped with the police district of the collector who found them.
        errors.add(
            "door.new.division_code",
            _("Only a collector or officer of a police district can add door plates."),
        )
    road_id = new.get("road_id")
    if road_id not in batch.roads:
        batch.roads[road_id] = AddressElement.objects.filter(pk=road_id).first() if road_id else None
    road = batch.roads[road_id]
    if road is None or (division is not None and not division.code.startswith(road.division_id[:9])):
        errors.add("door.new.road_id", _("Choose a street or villager group of this place."))
    number = str(new.get("door_number") or "")
    if not _DOOR_NO.fullmatch(number):
        errors.add("door.new.door_number", _("Enter the door number as digits, e.g. 18."))
    if division is not None and unit is not None:
        try:
            jurisdiction.check_can_write(actor, division_id=division.code, police_unit_id=unit.code)
        except NotFound:
            errors.add("door.new.division_code", _("This place is outside your jurisdiction."))
    errors.raise_if_any()
    assert division is not None and unit is not None
    return division.code, unit.code


def _store_household(batch: _Batch, sub: Submission, hh: pl.Household) -> None:
    actor = batch.actor
    errors = FieldErrors()
    depends: list[str] = []
    defines: list[tuple[uuid.UUID, str]] = []
    door: StandardAddress | None = None
    if not hh.door.ref.is_new:
        door = _scoped_address(actor, hh.door.ref.id, "door.id", batch)
        if door.level != AddressLevel.DOOR:
            errors.add("door.id", _("Choose a door plate."))
        if door.status == RecordStatus.VOIDED:
            errors.add("door.id", _("This address has been voided."))
        sub.division_id, sub.police_unit_id = door.division_id, door.police_unit_id
        sub.door = door
    elif hh.door.new is not None:
        sub.division_id, sub.police_unit_id = _new_door_stamps(batch, hh.door.new, errors)
        defines.append((hh.door.ref.cid, "door"))  # type: ignore[arg-type]
    else:
        earlier = _defined_elsewhere(hh.door.ref.cid, "door.cid", "door")
        if earlier.record_id is not None:
            door = _scoped_address(actor, earlier.record_id, "door.cid")
            sub.door = door
        else:
            depends.append(str(hh.door.ref.cid))
        sub.division_id, sub.police_unit_id = (
            earlier.submission.division_id,
            earlier.submission.police_unit_id,
        )
    household: StandardAddress | None = door
    if hh.room is not None:
        if not hh.room.ref.is_new:
            household = _scoped_address(actor, hh.room.ref.id, "room.id")
            if door is None or household.parent_id != door.pk:
                errors.add("room.id", _("The room is not under this door plate."))
        elif hh.room.new is not None:
            defines.append((hh.room.ref.cid, "room"))  # type: ignore[arg-type]
            household = None
        else:
            earlier = _defined_elsewhere(hh.room.ref.cid, "room.cid", "room")
            household = None
            if earlier.record_id is None:
                depends.append(str(hh.room.ref.cid))
    bases: dict[str, int] = {}
    if hh.house is not None:
        if not hh.house.ref.is_new:
            try:
                house = jurisdiction.get_in_scope(House.objects.all(), actor, pk=hh.house.ref.id)
            except NotFound:
                errors.add("house.id", _("The record does not exist or is outside your jurisdiction."))
            else:
                if household is not None and house.address_id != household.pk:
                    errors.add("house.id", _("The house is not at this address."))
                if hh.house.fields:
                    bases[record_key("registry.house", house.pk)] = hh.house.ref.version or house.version
        elif hh.house.fields:
            defines.append((hh.house.ref.cid, "house"))  # type: ignore[arg-type]
        else:
            earlier_house = _defined_elsewhere(hh.house.ref.cid, "house.cid", "house")
            if earlier_house.record_id is None:
                depends.append(str(hh.house.ref.cid))
    for i, part in enumerate(hh.persons):
        if part.ref.is_new:
            defines.append((part.ref.cid, "person"))  # type: ignore[arg-type]
            continue
        try:
            person = jurisdiction.get_in_scope(Person.objects.all(), actor, pk=part.ref.id)
        except NotFound:
            errors.add(f"persons.{i}.id", _("The record does not exist or is outside your jurisdiction."))
            continue
        if part.fields:
            bases[record_key("registry.person", person.pk)] = part.ref.version or person.version
    for _i, part_u in enumerate(hh.units):
        if part_u.ref.is_new:
            defines.append((part_u.ref.cid, "unit"))  # type: ignore[arg-type]
    if len({c for c, _e in defines}) != len(defines):
        errors.add("payload", _("Two new records carry the same client reference."))
    if any(c in batch.taken for c, _e in defines):
        errors.add("payload", _("A new record reuses a client reference already received."))
    errors.raise_if_any()
    sub.base_versions = bases
    sub.depends_on = depends
    sub.summary = _summary(door, hh)
    sub.conflict = _conflicts(sub, bases)
    sub.state = SubmissionState.CONFLICT if sub.conflict else SubmissionState.PENDING
    sub.save(force_insert=True)
    ClientEntity.objects.bulk_create([ClientEntity(cid=c, submission=sub, entity=e) for c, e in defines])
    batch.taken.update(c for c, _e in defines)
    if hh.photos:
        # A corrected resubmission takes over the photos of the one it replaces.
        free = (
            Q(submission__isnull=True) | Q(submission=sub.replaces)
            if sub.replaces
            else Q(submission__isnull=True)
        )
        Photo.objects.filter(free, client_id__in=hh.photos, uploaded_by=actor).update(submission=sub)
    batch.event(sub, SubmissionEvent.Action.RECEIVED, actor)
    if sub.conflict:
        batch.event(sub, SubmissionEvent.Action.CONFLICT, None, conflicts=sub.conflict)
    target = household if hh.room is None or not hh.room.ref.is_new else None
    if target is not None and target.pk and hh.outcome:
        # The call itself happened whatever the review decides: progress moves now.
        visit_record(
            actor=actor,
            address_id=target.pk,
            outcome=hh.outcome,
            visited_at=hh.visited_at or sub.finished_at or sub.received_at,
            lat=sub.lat,
            lng=sub.lng,
            accuracy_m=sub.accuracy_m,
            device=sub.device,
            note=hh.visit_note,
            task_item=sub.task_item,
            submission=sub,
        )


def _summary(door: StandardAddress | None, hh: pl.Household) -> str:
    if door is not None:
        place = door.full_name
    elif hh.door.new:
        place = str(_("New door plate No. %(n)s")) % {"n": hh.door.new.get("door_number", "")}
    else:
        place = str(_("Door plate collected offline"))
    if hh.room is not None and hh.room.new:
        place += f" {hh.room.new.get('unit_no') or ''}-{hh.room.new.get('room_no') or ''}"
    counts = str(_("%(p)d people")) % {"p": len(hh.persons)}
    return f"{place} · {counts}"[:200]


def _conflicts(sub: Submission, bases: dict[str, int]) -> list[dict[str, Any]]:
    """Why ``sub`` cannot simply be passed: records edited since its base version, or edited from
    the same version by another submission still open."""
    if not bases:
        return []
    out: list[dict[str, Any]] = []
    current = current_versions(list(bases))
    for key, base in bases.items():
        now = current.get(key)
        if now is not None and now != base:
            out.append({"record": key, "base": base, "current": now, "why": "outdated"})
    if sub.door_id is not None:
        others = Submission.objects.filter(door_id=sub.door_id, state__in=OPEN_STATES).exclude(
            client_id=sub.client_id
        )
        for other in others.only("pk", "client_id", "base_versions"):
            for key, base in bases.items():
                if other.base_versions.get(key) == base:
                    out.append(
                        {
                            "record": key,
                            "base": base,
                            "other": other.pk,
                            "other_id": other.short_id,
                            "why": "concurrent",
                        }
                    )
    return out


def current_versions(keys: list[str]) -> dict[str, int]:
    """``{"registry.person:12": 4, ...}`` for the records named by ``keys``."""
    by_model: dict[str, list[int]] = {}
    for key in keys:
        model, _sep, pk = key.partition(":")
        by_model.setdefault(model, []).append(int(pk))
    out: dict[str, int] = {}
    for model, pks in by_model.items():
        cls: Any = {"registry.house": House, "registry.person": Person}.get(model)
        if cls is None:
            continue
        for pk, version in cls.objects.filter(pk__in=pks).values_list("pk", "version"):
            out[record_key(model, pk)] = version
    return out


def _store_visit(actor: User, sub: Submission, part: pl.VisitPart) -> None:
    address = _scoped_address(actor, part.address_id, "address_id")
    sub.division_id, sub.police_unit_id = address.division_id, address.police_unit_id
    sub.door_id = address.parent_id or address.pk
    sub.state = SubmissionState.APPLIED
    sub.summary = f"{address.full_name} · {VisitOutcome(part.outcome).label}"[:200]
    sub.save(force_insert=True)
    visit_record(
        actor=actor,
        address_id=address.pk,
        outcome=part.outcome,
        visited_at=part.visited_at,
        lat=sub.lat,
        lng=sub.lng,
        accuracy_m=sub.accuracy_m,
        device=sub.device,
        note=part.note,
        task_item=sub.task_item or open_item_for(address.pk, actor),
        submission=sub,
        availability=part.availability or None,
        appointment=part.appointment,
    )
    _event(sub, SubmissionEvent.Action.APPLIED, actor)


def _store_verify(actor: User, sub: Submission, part: pl.VerifyPart) -> None:
    if not jurisdiction.can_review(actor):
        raise Forbidden()
    from ybss.registry.models import Unit

    record: House | Unit
    try:
        if part.record == "house":
            record = jurisdiction.get_in_scope(House.objects.select_related("address"), actor, pk=part.id)
        else:
            record = jurisdiction.get_in_scope(Unit.objects.select_related("address"), actor, pk=part.id)
    except NotFound as exc:
        raise InvalidInput(
            code="submission.not_found",
            fields={"id": [_("The record does not exist or is outside your jurisdiction.")]},
        ) from exc
    sub.division_id, sub.police_unit_id = record.division_id, record.police_unit_id
    sub.door_id = record.address.parent_id or record.address_id
    sub.state = SubmissionState.APPLIED
    sub.summary = record.address.full_name[:200]
    sub.save(force_insert=True)
    verification_record(
        actor=actor,
        record_type=part.record,
        record_id=record.pk,
        ok=part.ok,
        note=part.note,
        lat=sub.lat,
        lng=sub.lng,
        accuracy_m=sub.accuracy_m,
        verified_at=sub.finished_at,
        submission=sub,
    )
    _event(sub, SubmissionEvent.Action.APPLIED, actor)
