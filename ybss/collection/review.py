"""Review of collectors' submissions (审核) and acceptance by the station and the county (验收).

The community officer decides each household submission: **pass** (apply it to the registry),
**pass and overwrite** (apply it over records changed since the collector's version — the answer
to a conflict), **return** with a reason (back to the collector's list) or **void** as a duplicate.
Applying goes through the registry and address services, so every rule of the web forms holds and
every record gets its history row (created, then accepted, naming the submission and collector).
Nothing is half applied: a failing rule rolls the whole submission back and the reviewer sees
the field errors. Station chiefs and then the county accept passed submissions, or send one back.
"""

from __future__ import annotations

import uuid
from dataclasses import fields as dc_fields
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import CoordSystem, StandardAddress
from ybss.addresses.services import DoorPlateData, address_mark, door_plate_create, room_create
from ybss.audit.models import HistoryAction
from ybss.audit.records import record_update
from ybss.core.errors import Conflict, Forbidden, InvalidInput
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import Role, User
from ybss.registry.models import House, Person, Residence, Unit
from ybss.registry.services import (
    HouseData,
    PersonData,
    UnitData,
    house_create,
    house_update,
    person_register,
    person_update,
    unit_create,
    unit_update,
)

from . import payload as pl
from .models import (
    OPEN_STATES,
    ClientEntity,
    Submission,
    SubmissionEffect,
    SubmissionEvent,
    SubmissionKind,
    SubmissionState,
    TaskItem,
    VisitOutcome,
)
from .services import visit_record
from .sync import _conflicts, current_versions, record_key

STATION_ROLES = frozenset({Role.CHIEF, Role.ADMIN})
COUNTY_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def _event(sub: Submission, action: str, actor: User | None, reason: str = "", **detail: Any) -> None:
    SubmissionEvent.objects.create(
        submission=sub, action=action, actor=actor, at=timezone.now(), reason=reason[:500], detail=detail
    )


def _locked(actor: User, submission_id: int) -> Submission:
    return jurisdiction.get_in_scope(
        Submission.objects.select_for_update().select_related("collector"), actor, pk=submission_id
    )


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(code="record.reason_required", fields={"reason": [_("Please give a reason.")]})
    return reason[:500]


def _open(sub: Submission) -> None:
    if sub.state not in OPEN_STATES:
        raise InvalidInput(
            code="submission.decided",
            message=_("This submission has already been decided (%(state)s).")
            % {"state": SubmissionState(sub.state).label},
        )


def _values(record: Any, data_cls: type) -> dict[str, Any]:
    """The registry record's current values as the fields of its data class."""
    out: dict[str, Any] = {}
    for f in dc_fields(data_cls):
        name = f.name
        if name.endswith("_id") and hasattr(record, name):
            out[name] = getattr(record, name)
        elif hasattr(record, name):
            out[name] = getattr(record, name)
    return out


class _Applier:
    """Applies one household submission as ``actor`` (the reviewer), recording its effects."""

    def __init__(self, actor: User, sub: Submission, overwrite: bool) -> None:
        self.actor = actor
        self.sub = sub
        self.overwrite = overwrite
        self.effects: list[SubmissionEffect] = []
        self.changed: dict[str, int] = {}
        self.reason = gettext(
            "Collected on a phone (submission %(id)s by %(collector)s), passed in review by %(officer)s"
        ) % {
            "id": sub.short_id,
            "collector": sub.collector.display_name,
            "officer": actor.display_name,
        }

    def _effect(self, record: Any, action: str) -> None:
        label = record._meta.label_lower
        self.effects.append(
            SubmissionEffect(submission=self.sub, record_type=label, record_id=record.pk, action=action)
        )
        self.changed[record_key(label, record.pk)] = record.version

    def _accept(self, record: Any) -> Any:
        """A record the submission created goes straight to accepted: the review is its check."""
        record = record_update(
            actor=self.actor,
            record=record,
            expected_version=record.version,
            changes={"status": RecordStatus.ACCEPTED, "status_reason": ""},
            reason=gettext("Passed in review"),
            action=HistoryAction.STATUS,
        )
        self._effect(record, "create")
        return record

    def _bind(self, cid: uuid.UUID | None, record: Any) -> None:
        if cid is not None:
            ClientEntity.objects.filter(cid=cid, submission=self.sub).update(record_id=record.pk)

    def _resolve(self, cid: uuid.UUID | None, path: str) -> int:
        found = ClientEntity.objects.filter(cid=cid).select_related("submission").first()  # type: ignore[misc]
        if found is None or found.record_id is None:
            other = found.submission.short_id if found is not None else "?"
            raise InvalidInput(
                code="submission.depends",
                fields={path: [_("Review submission %(id)s first: this one builds on it.") % {"id": other}]},
            )
        return found.record_id

    def _base(self, model: str, record: Any, ref: pl.Ref) -> int:
        if self.overwrite:
            return record.version
        return ref.version if ref.version is not None else record.version

    def door(self, part: pl.DoorPart) -> StandardAddress:
        if not part.ref.is_new:
            return StandardAddress.objects.get(pk=part.ref.id)  # type: ignore[misc]
        if part.new is None:
            return StandardAddress.objects.get(pk=self._resolve(part.ref.cid, "door.cid"))
        new = part.new
        door = door_plate_create(
            actor=self.actor,
            data=DoorPlateData(
                division_code=str(new.get("division_code") or ""),
                police_unit_code=self.sub.police_unit_id,
                road_id=int(new.get("road_id") or 0),
                door_number=str(new.get("door_number") or ""),
                door_prefix=new.get("door_prefix") or "",
                door_suffix=new.get("door_suffix") or "",
                sub_number=new.get("sub_number") or "",
                compound_id=new.get("compound_id"),
                building=new.get("building") or "",
                common_name=new.get("common_name") or "",
            ),
            reason=self.reason,
        )
        lng, lat = new.get("lng") or self.sub.lng, new.get("lat") or self.sub.lat
        if lng is not None and lat is not None:
            try:
                with transaction.atomic():
                    door = address_mark(
                        actor=self.actor,
                        address=door,
                        expected_version=door.version,
                        lng=lng,
                        lat=lat,
                        system=CoordSystem.WGS84,
                        source="collection",
                    )
            except InvalidInput:
                pass  # a GPS point outside the boundary leaves the door plate to be marked on the map
        door = self._accept(door)
        self._bind(part.ref.cid, door)
        return door

    def room(self, part: pl.RoomPart, door: StandardAddress) -> StandardAddress:
        if not part.ref.is_new:
            return StandardAddress.objects.get(pk=part.ref.id)  # type: ignore[misc]
        if part.new is None:
            return StandardAddress.objects.get(pk=self._resolve(part.ref.cid, "room.cid"))
        new = part.new
        room = room_create(
            actor=self.actor,
            door_id=door.pk,
            unit_no=str(new.get("unit_no") or ""),
            floor=new.get("floor"),
            room_no=str(new.get("room_no") or ""),
            reason=self.reason,
        )
        room = self._accept(room)
        self._bind(part.ref.cid, room)
        return room

    def house(self, part: pl.HousePart, address: StandardAddress) -> House:
        if not part.ref.is_new:
            house = House.objects.get(pk=part.ref.id)  # type: ignore[misc]
            if part.fields:
                merged = {**_values(house, HouseData), **part.fields}
                house = house_update(
                    actor=self.actor,
                    house=house,
                    expected_version=self._base("registry.house", house, part.ref),
                    data=HouseData(**merged),
                    reason=self.reason,
                )
                self._effect(house, "update")
            return house
        if not part.fields:
            return House.objects.get(pk=self._resolve(part.ref.cid, "house.cid"))
        house = house_create(
            actor=self.actor,
            address_id=address.pk,
            data=HouseData(**{"house_type": "", "use": "", **part.fields}),
            reason=self.reason,
        )
        house = self._accept(house)
        self._bind(part.ref.cid, house)
        return house

    def person(self, i: int, part: pl.PersonPart, house: House) -> Person:
        if not part.ref.is_new:
            person = Person.objects.get(pk=part.ref.id)  # type: ignore[misc]
            if part.fields:
                merged = {**_values(person, PersonData), **part.fields}
                person, _w = person_update(
                    actor=self.actor,
                    person=person,
                    expected_version=self._base("registry.person", person, part.ref),
                    data=PersonData(**merged),
                    reason=self.reason,
                )
                self._effect(person, "update")
            if (
                part.residence is not None
                and not Residence.objects.filter(person=person, house=house, active=True).exists()
            ):
                person, _w = person_register(
                    actor=self.actor,
                    person=PersonData(**_values(person, PersonData)),
                    house_id=house.pk,
                    residence=part.residence,
                    reason=self.reason,
                )
                self._accept_residence(person, house)
            return person
        data = PersonData(**{"id_number": "", "name": "", **part.fields})
        assert part.residence is not None
        existed = Person.objects.filter(
            id_type=data.id_type, id_number=data.id_number.strip().upper()
        ).first()
        person, _w = person_register(
            actor=self.actor, person=data, house_id=house.pk, residence=part.residence, reason=self.reason
        )
        if existed is None:
            person = self._accept(person)
        elif self.overwrite:
            merged = {**_values(person, PersonData), **part.fields}
            person, _w = person_update(
                actor=self.actor,
                person=person,
                expected_version=person.version,
                data=PersonData(**merged),
                reason=self.reason,
            )
            self._effect(person, "update")
        self._accept_residence(person, house)
        self._bind(part.ref.cid, person)
        return person

    def _accept_residence(self, person: Person, house: House) -> None:
        residence = Residence.objects.get(person=person, house=house, active=True)
        self._accept(residence)

    def unit(self, part: pl.UnitPart, door: StandardAddress, house: House | None) -> Unit:
        if not part.ref.is_new:
            unit = Unit.objects.get(pk=part.ref.id)  # type: ignore[misc]
            if part.fields:
                merged = {**_values(unit, UnitData), **part.fields}
                unit, _w = unit_update(
                    actor=self.actor,
                    unit=unit,
                    expected_version=self._base("registry.unit", unit, part.ref),
                    data=UnitData(**merged),
                    reason=self.reason,
                )
                self._effect(unit, "update")
            return unit
        unit, _w = unit_create(
            actor=self.actor,
            address_id=door.pk,
            data=UnitData(**{"name": "", "category": "", **part.fields}),
            reason=self.reason,
        )
        unit = self._accept(unit)
        self._bind(part.ref.cid, unit)
        return unit

    def apply(self, hh: pl.Household) -> None:
        door = self.door(hh.door)
        household = self.room(hh.room, door) if hh.room is not None else door
        house = self.house(hh.house, household) if hh.house is not None else None
        for i, part in enumerate(hh.persons):
            assert house is not None
            self.person(i, part, house)
        for part_u in hh.units:
            self.unit(part_u, door, house)
        if not self.sub.visits.exists() and hh.outcome:
            visit_record(
                actor=self.actor,
                collector=self.sub.collector,
                address_id=household.pk,
                outcome=hh.outcome,
                visited_at=hh.visited_at or self.sub.finished_at or self.sub.received_at,
                lat=self.sub.lat,
                lng=self.sub.lng,
                accuracy_m=self.sub.accuracy_m,
                device=self.sub.device,
                note=hh.visit_note,
                task_item=self.sub.task_item,
                submission=self.sub,
            )
        if self.sub.door_id is None:
            self.sub.door = door
        SubmissionEffect.objects.bulk_create(self.effects)


def submission_pass(
    *, actor: User, submission_id: int, overwrite: bool = False, reason: str = ""
) -> Submission:
    """Apply a household submission to the registry (审核通过), or over newer changes when
    ``overwrite`` (通过并覆盖). Needs a reviewing role with the submission in scope.

    Without ``overwrite`` a submission whose base versions are outdated becomes (or stays) a
    conflict and Conflict (``submission.conflict``) is raised; nothing is applied. Rule failures
    raise InvalidInput with the registry's field errors and apply nothing.
    """
    if not jurisdiction.can_review(actor):
        raise Forbidden()
    with transaction.atomic():
        sub = _locked(actor, submission_id)
        _open(sub)
        if sub.kind != SubmissionKind.HOUSEHOLD:
            raise InvalidInput(code="submission.kind")
        conflicts = _conflicts(sub, sub.base_versions)
        conflicts = [c for c in conflicts if c["why"] == "outdated"]
        if conflicts and not overwrite:
            if sub.state != SubmissionState.CONFLICT:
                sub.state = SubmissionState.CONFLICT
                sub.conflict = conflicts
                sub.save(update_fields=["state", "conflict"])
                _event(sub, SubmissionEvent.Action.CONFLICT, actor, detail=conflicts)
            conflict_found = True
        else:
            conflict_found = False
    if conflict_found:
        raise Conflict(
            _(
                "The records changed after the collector's version: "
                "compare them, then pass and overwrite, or return it."
            ),
            code="submission.conflict",
        )
    with transaction.atomic():
        sub = _locked(actor, submission_id)
        _open(sub)
        applier = _Applier(actor, sub, overwrite)
        applier.apply(pl.read_household(sub.payload))
        sub.state = SubmissionState.PASSED
        sub.reviewed_by = actor
        sub.reviewed_at = timezone.now()
        sub.review_reason = (reason or "").strip()[:500]
        sub.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_reason", "door"])
        action = SubmissionEvent.Action.OVERWRITTEN if overwrite else SubmissionEvent.Action.PASSED
        _event(sub, action, actor, sub.review_reason, records=len(applier.effects))
        _recheck_others(sub, applier.changed)
    return sub


def _recheck_others(sub: Submission, changed: dict[str, int]) -> None:
    """Open submissions built on a version of a record this one just changed become conflicts."""
    if not changed or sub.door_id is None:
        return
    now = current_versions(list(changed))
    for other in Submission.objects.select_for_update().filter(
        door_id=sub.door_id, state=SubmissionState.PENDING
    ):
        found = [
            {"record": key, "base": base, "current": now[key], "why": "outdated", "other_id": sub.short_id}
            for key, base in other.base_versions.items()
            if key in now and now[key] != base
        ]
        if found:
            other.state = SubmissionState.CONFLICT
            other.conflict = found
            other.save(update_fields=["state", "conflict"])
            _event(other, SubmissionEvent.Action.CONFLICT, None, detail=found)


def _reopen_item(sub: Submission) -> None:
    """A returned or voided collection leaves its household to be collected again."""
    item_ids = set(sub.visits.exclude(task_item=None).values_list("task_item_id", flat=True))
    if sub.task_item_id:
        item_ids.add(sub.task_item_id)
    TaskItem.objects.filter(pk__in=item_ids, outcome=VisitOutcome.COLLECTED).update(done_at=None, outcome="")


@transaction.atomic
def submission_return(*, actor: User, submission_id: int, reason: str) -> Submission:
    """Send a submission back to its collector with a reason (退回); nothing is applied."""
    if not jurisdiction.can_review(actor):
        raise Forbidden()
    reason = _need_reason(reason)
    sub = _locked(actor, submission_id)
    _open(sub)
    sub.state = SubmissionState.RETURNED
    sub.reviewed_by, sub.reviewed_at, sub.review_reason = actor, timezone.now(), reason
    sub.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_reason"])
    _event(sub, SubmissionEvent.Action.RETURNED, actor, reason)
    _reopen_item(sub)
    return sub


@transaction.atomic
def submission_void(*, actor: User, submission_id: int, reason: str) -> Submission:
    """Void a submission as a duplicate of something already held (作废); nothing is applied."""
    if not jurisdiction.can_review(actor):
        raise Forbidden()
    reason = _need_reason(reason)
    sub = _locked(actor, submission_id)
    _open(sub)
    sub.state = SubmissionState.VOIDED
    sub.reviewed_by, sub.reviewed_at, sub.review_reason = actor, timezone.now(), reason
    sub.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_reason"])
    _event(sub, SubmissionEvent.Action.VOIDED, actor, reason)
    return sub


def submission_decide(*, actor: User, submission_id: int, action: str, reason: str = "") -> Submission:
    """One entry for the review form and API: pass, overwrite, return or void."""
    if action == "pass":
        return submission_pass(actor=actor, submission_id=submission_id, reason=reason)
    if action == "overwrite":
        return submission_pass(actor=actor, submission_id=submission_id, overwrite=True, reason=reason)
    if action == "return":
        return submission_return(actor=actor, submission_id=submission_id, reason=reason)
    if action == "void":
        return submission_void(actor=actor, submission_id=submission_id, reason=reason)
    raise InvalidInput(fields={"action": [_("Select a valid choice.")]})


@transaction.atomic
def acceptance_accept(*, actor: User, submission_ids: list[int], level: str) -> int:
    """Accept passed submissions at the station (所验收, chief) or county (县验收, supervisor) level.

    Only submissions in scope that are passed (and, for the county, accepted by the station) and
    not yet accepted at that level are touched; returns how many were accepted.
    """
    roles = STATION_ROLES if level == "station" else COUNTY_ROLES if level == "county" else None
    if roles is None:
        raise InvalidInput(fields={"level": [_("Select a valid choice.")]})
    if actor.role not in roles:
        raise Forbidden()
    qs = jurisdiction.scope(Submission.objects.all(), actor).filter(
        pk__in=list(submission_ids), state=SubmissionState.PASSED
    )
    now = timezone.now()
    if level == "station":
        qs = qs.filter(station_accepted_at__isnull=True)
        action = SubmissionEvent.Action.STATION_ACCEPTED
    else:
        qs = qs.filter(station_accepted_at__isnull=False, county_accepted_at__isnull=True)
        action = SubmissionEvent.Action.COUNTY_ACCEPTED
    subs = list(qs.select_for_update())
    for sub in subs:
        if level == "station":
            sub.station_accepted_by, sub.station_accepted_at = actor, now
        else:
            sub.county_accepted_by, sub.county_accepted_at = actor, now
    Submission.objects.bulk_update(
        subs,
        ["station_accepted_by", "station_accepted_at"]
        if level == "station"
        else ["county_accepted_by", "county_accepted_at"],
    )
    SubmissionEvent.objects.bulk_create(
        [SubmissionEvent(submission=s, action=action, actor=actor, at=now) for s in subs]
    )
    return len(subs)


@transaction.atomic
def acceptance_send_back(*, actor: User, submission_id: int, reason: str) -> Submission:
    """Refuse acceptance of a passed submission (不予验收): it goes back to the collector as
    returned, and the records it created or changed are marked returned with the reason, so the
    registry shows they need correcting."""
    if actor.role not in STATION_ROLES | COUNTY_ROLES:
        raise Forbidden()
    reason = _need_reason(reason)
    sub = _locked(actor, submission_id)
    if sub.state != SubmissionState.PASSED or sub.county_accepted_at is not None:
        raise InvalidInput(
            code="submission.decided",
            message=_("Only a passed submission not yet accepted by the county can be sent back."),
        )
    models: dict[str, Any] = {
        "registry.house": House,
        "registry.person": Person,
        "registry.unit": Unit,
        "registry.residence": Residence,
        "addresses.standardaddress": StandardAddress,
    }
    for effect in sub.effects.all():
        cls = models.get(effect.record_type)
        record = cls.objects.filter(pk=effect.record_id).first() if cls else None
        if record is not None and record.status == RecordStatus.ACCEPTED:
            record_update(
                actor=actor,
                record=record,
                expected_version=record.version,
                changes={"status": RecordStatus.RETURNED, "status_reason": reason},
                reason=reason,
                action=HistoryAction.STATUS,
            )
    sub.state = SubmissionState.RETURNED
    sub.review_reason = reason
    sub.station_accepted_by, sub.station_accepted_at = None, None
    sub.save(update_fields=["state", "review_reason", "station_accepted_by", "station_accepted_at"])
    _event(sub, SubmissionEvent.Action.SENT_BACK, actor, reason)
    return sub
