"""Reading what a phone sends: submission payloads into typed parts, with field errors.

A household submission names each entity either as an existing record (``{"id", "version"}``)
or as a new one with the phone's own id for it (``{"cid", ...}``), so a later submission can refer
to something an earlier one created before it was reviewed. Field errors are keyed by the path
into the payload (``persons.1.fields.id_number``, ``house.fields.use``), which the phone maps back
onto its form fields. Nothing here touches the database except the code-list checks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from ybss.core.errors import AppError, FieldErrors, InvalidInput
from ybss.registry.models import ResidenceType
from ybss.registry.services import HouseData, PersonData, ResidenceData, UnitData
from ybss.registry.validation import check_code

from .models import Availability, SubmissionKind, VisitOutcome

NOT_A_DICT = _("Expected an object.")
UNKNOWN_FIELD = _("Unknown field.")
BAD_DATE = _("Enter a valid date.")
BAD_DATETIME = _("Enter a valid date and time.")
BAD_NUMBER = _("Enter a number.")
BAD_CHOICE = _("Select a valid choice.")
REQUIRED = _("This field is required.")

#: How far ahead of the server clock a phone's timestamp may be (clock drift) before it is refused.
CLOCK_SKEW = dt.timedelta(hours=12)


@dataclass
class Ref:
    """An existing record (``id`` + the ``version`` the phone saw) or a new one (``cid``)."""

    id: int | None = None
    version: int | None = None
    cid: uuid.UUID | None = None

    @property
    def is_new(self) -> bool:
        return self.id is None


@dataclass
class DoorPart:
    ref: Ref
    new: dict[str, Any] | None = None  # division_code, road_id, door_number, ... lat, lng


@dataclass
class RoomPart:
    ref: Ref
    new: dict[str, Any] | None = None  # unit_no, floor, room_no


@dataclass
class HousePart:
    ref: Ref
    fields: dict[str, Any] = field(default_factory=dict)  # as sent; only these change on update


@dataclass
class PersonPart:
    ref: Ref
    fields: dict[str, Any] = field(default_factory=dict)
    residence: ResidenceData | None = None


@dataclass
class UnitPart:
    ref: Ref
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Household:
    door: DoorPart
    room: RoomPart | None
    house: HousePart | None
    persons: list[PersonPart]
    units: list[UnitPart]
    outcome: str
    visited_at: dt.datetime | None
    visit_note: str
    photos: list[uuid.UUID]
    note: str


_PERSON_FIELDS = {f.name for f in fields(PersonData)}
_HOUSE_FIELDS = {f.name for f in fields(HouseData)}
_UNIT_FIELDS = {f.name for f in fields(UnitData)}
_RESIDENCE_FIELDS = {f.name for f in fields(ResidenceData)}
_DOOR_NEW = {
    "division_code",
    "road_id",
    "door_number",
    "door_prefix",
    "door_suffix",
    "sub_number",
    "compound_id",
    "building",
    "common_name",
    "lng",
    "lat",
}
_ROOM_NEW = {"unit_no", "floor", "room_no"}
_DATE_FIELDS = {
    "birth_date",
    "visa_expiry",
    "entry_date",
    "expected_departure",
    "rental_start",
    "since",
    "opened_on",
    "closed_on",
}
_INT_FIELDS = {"floors", "rooms", "landlord_id", "house_id", "road_id", "compound_id", "floor"}
_DECIMAL_FIELDS = {"area", "rent", "lng", "lat"}
_BOOL_FIELDS = {
    "is_key_person",
    "security_pledge",
    "is_urban_village",
    "is_urban_fringe",
    "is_complex_area",
    "is_tenant",
    "is_owner",
    "is_key_unit",
    "has_cctv",
}


class Reader:
    """Collects field errors keyed by payload path while reading one submission."""

    def __init__(self) -> None:
        self.errors = FieldErrors()

    def add(self, path: str, message: Any) -> None:
        self.errors.add(path, message)

    def dict_at(self, value: Any, path: str, *, required: bool = True) -> dict[str, Any] | None:
        if value is None:
            if required:
                self.add(path, REQUIRED)
            return None
        if not isinstance(value, dict):
            self.add(path, NOT_A_DICT)
            return None
        return value

    def uuid_at(self, value: Any, path: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(value))
        except (TypeError, ValueError, AttributeError):
            self.add(path, _("Enter a valid identifier."))
            return None

    def int_at(self, value: Any, path: str) -> int | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            self.add(path, BAD_NUMBER)
            return None
        try:
            return int(str(value).strip())
        except (TypeError, ValueError):
            self.add(path, BAD_NUMBER)
            return None

    def datetime_at(self, value: Any, path: str, *, required: bool = False) -> dt.datetime | None:
        if value in (None, ""):
            if required:
                self.add(path, REQUIRED)
            return None
        try:
            parsed = parse_datetime(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            self.add(path, BAD_DATETIME)
            return None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        if parsed > timezone.now() + CLOCK_SKEW:
            self.add(path, _("This time is in the future."))
            return None
        return parsed

    def datetime_at_any(self, value: Any, path: str) -> dt.datetime | None:
        """A date and time that may lie in the future (appointment windows)."""
        if value in (None, ""):
            return None
        try:
            parsed = parse_datetime(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            self.add(path, BAD_DATETIME)
            return None
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed

    def ref(self, value: dict[str, Any], path: str) -> Ref:
        """``{"id", "version"}`` or ``{"cid"}``: an existing record or a new one."""
        if value.get("id") not in (None, ""):
            rid = self.int_at(value.get("id"), f"{path}.id")
            version = self.int_at(value.get("version"), f"{path}.version")
            return Ref(id=rid, version=version)
        if value.get("cid") in (None, ""):
            self.add(f"{path}.cid", REQUIRED)
            return Ref()
        return Ref(cid=self.uuid_at(value.get("cid"), f"{path}.cid"))

    def values(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        """Typed field values (dates, numbers, booleans) of an entity's ``fields`` object."""
        raw = self.dict_at(value, path, required=False) or {}
        out: dict[str, Any] = {}
        for key, v in raw.items():
            where = f"{path}.{key}"
            if key not in allowed:
                self.add(where, UNKNOWN_FIELD)
                continue
            if key in _DATE_FIELDS:
                if v in (None, ""):
                    out[key] = None
                    continue
                try:
                    out[key] = parse_date(str(v))
                except ValueError:
                    out[key] = None
                if out[key] is None:
                    self.add(where, BAD_DATE)
            elif key in _INT_FIELDS:
                out[key] = self.int_at(v, where)
            elif key in _DECIMAL_FIELDS:
                if v in (None, ""):
                    out[key] = None
                    continue
                try:
                    number = Decimal(str(v))
                except (InvalidOperation, ValueError):
                    number = None
                if number is None or not number.is_finite() or abs(number) > 10**9:
                    self.add(where, BAD_NUMBER)
                else:
                    out[key] = number
            elif key in _BOOL_FIELDS:
                out[key] = bool(v) and v not in ("0", "false", "False")
            elif key == "hazards":
                out[key] = [str(h) for h in v] if isinstance(v, list) else []
            else:
                out[key] = "" if v is None else str(v).strip()
        return out


def _prefixed(exc: AppError, prefix: str, reader: Reader) -> None:
    for name, messages in exc.fields.items():
        for m in messages:
            reader.add(f"{prefix}.{name}", m)
    if not exc.fields:
        reader.add(prefix, exc.message)


def read_household(payload: Any) -> Household:
    """The parts of a household payload, each checked as the registry services check them.

    Raises InvalidInput whose fields are payload paths. The checks that need other records (is
    the door plate in scope, does a person already live there) happen on arrival and in review.
    """
    from ybss.addresses.models import StandardAddress
    from ybss.registry.services import house_check, person_check, unit_check

    r = Reader()
    body = r.dict_at(payload, "payload") or {}
    door_raw = r.dict_at(body.get("door"), "door") or {}
    door = DoorPart(ref=r.ref(door_raw, "door"))
    if door.ref.is_new and door_raw.get("new") is not None:
        new = r.values(door_raw.get("new"), "door.new", _DOOR_NEW)
        for req in ("division_code", "road_id", "door_number"):
            if new.get(req) in (None, ""):
                r.add(f"door.new.{req}", REQUIRED)
        door.new = new
    room = None
    if body.get("room") is not None:
        room_raw = r.dict_at(body.get("room"), "room") or {}
        room = RoomPart(ref=r.ref(room_raw, "room"))
        if room.ref.is_new and room_raw.get("new") is not None:
            room.new = r.values(room_raw.get("new"), "room.new", _ROOM_NEW)
            if not room.new.get("room_no"):
                r.add("room.new.room_no", REQUIRED)
    house = None
    if body.get("house") is not None:
        house_raw = r.dict_at(body.get("house"), "house") or {}
        house = HousePart(
            ref=r.ref(house_raw, "house"),
            fields=r.values(house_raw.get("fields"), "house.fields", _HOUSE_FIELDS),
        )
        if house.fields:  # new ({cid, fields}) or an edit ({id, version, fields}); {cid} alone refers
            data = HouseData(**{"house_type": "", "use": "", **house.fields})
            try:
                house_check(data)
            except InvalidInput as exc:
                _prefixed(exc, "house.fields", r)
    persons: list[PersonPart] = []
    raw_persons = body.get("persons") or []
    if not isinstance(raw_persons, list):
        r.add("persons", _("Expected a list."))
        raw_persons = []
    for i, raw in enumerate(raw_persons):
        where = f"persons.{i}"
        raw = r.dict_at(raw, where) or {}
        part = PersonPart(
            ref=r.ref(raw, where), fields=r.values(raw.get("fields"), f"{where}.fields", _PERSON_FIELDS)
        )
        if raw.get("residence") is not None:
            res = r.values(raw.get("residence"), f"{where}.residence", _RESIDENCE_FIELDS)
            if not res.get("residence_type"):
                r.add(f"{where}.residence.residence_type", REQUIRED)
            elif res["residence_type"] not in ResidenceType.values:
                r.add(f"{where}.residence.residence_type", BAD_CHOICE)
            codes_ok = FieldErrors()
            check_code(codes_ok, "relation", "relation", res.get("relation"))
            check_code(codes_ok, "reason", "residence_reason", res.get("reason"))
            for name, messages in codes_ok.fields.items():
                for m in messages:
                    r.add(f"{where}.residence.{name}", m)
            part.residence = ResidenceData(**{"residence_type": "", **res})
        elif part.ref.is_new:
            r.add(f"{where}.residence.residence_type", REQUIRED)
        if part.ref.is_new or part.fields:
            try:
                person_check(PersonData(**{"id_number": "", "name": "", **part.fields}))
            except InvalidInput as exc:
                # An edit sends only what changed: a masked or omitted identifier is checked in review.
                if part.ref.is_new:
                    _prefixed(exc, f"{where}.fields", r)
                else:
                    sent = {k: v for k, v in exc.fields.items() if k in part.fields}
                    if sent:
                        _prefixed(InvalidInput(fields=sent), f"{where}.fields", r)
        persons.append(part)
    units: list[UnitPart] = []
    raw_units = body.get("units") or []
    if not isinstance(raw_units, list):
        r.add("units", _("Expected a list."))
        raw_units = []
    for i, raw in enumerate(raw_units):
        where = f"units.{i}"
        raw = r.dict_at(raw, where) or {}
        part_u = UnitPart(
            ref=r.ref(raw, where), fields=r.values(raw.get("fields"), f"{where}.fields", _UNIT_FIELDS)
        )
        if part_u.ref.is_new:
            try:
                unit_check(
                    UnitData(**{"name": "", "category": "", **part_u.fields}),
                    address=StandardAddress(status="accepted"),  # its real address is checked in review
                )
            except InvalidInput as exc:
                _prefixed(exc, f"{where}.fields", r)
        units.append(part_u)
    visit = r.dict_at(body.get("visit"), "visit", required=False) or {}
    outcome = str(visit.get("outcome") or VisitOutcome.COLLECTED)
    if outcome not in VisitOutcome.values:
        r.add("visit.outcome", BAD_CHOICE)
    visited_at = r.datetime_at(visit.get("visited_at"), "visit.visited_at")
    photos = []
    for i, p in enumerate(body.get("photos") or []):
        pid = r.uuid_at(p, f"photos.{i}")
        if pid is not None:
            photos.append(pid)
    note = str(body.get("note") or "")[:500]
    if house is None and persons:
        r.add("house", _("People are collected into a house: add the house first."))
    r.errors.raise_if_any()
    return Household(
        door=door,
        room=room,
        house=house,
        persons=persons,
        units=units,
        outcome=outcome,
        visited_at=visited_at,
        visit_note=str(visit.get("note") or "")[:500],
        photos=photos,
        note=note,
    )


@dataclass
class VisitPart:
    address_id: int
    outcome: str
    visited_at: dt.datetime
    note: str
    availability: str
    appointment: dict[str, Any] | None


def read_visit(payload: Any) -> VisitPart:
    """A visit outcome: which household, what happened, when; optional availability and
    appointment window (``{}`` asks the scheduler for one)."""
    r = Reader()
    body = r.dict_at(payload, "payload") or {}
    address_id = r.int_at(body.get("address_id"), "address_id")
    if address_id is None and "address_id" not in r.errors.fields:
        r.add("address_id", REQUIRED)
    outcome = str(body.get("outcome") or "")
    if outcome not in VisitOutcome.values:
        r.add("outcome", BAD_CHOICE if outcome else REQUIRED)
    visited_at = r.datetime_at(body.get("visited_at"), "visited_at", required=True)
    availability = str(body.get("availability") or "")
    if availability and availability not in Availability.values:
        r.add("availability", BAD_CHOICE)
    appointment = None
    if body.get("appointment") is not None:
        raw = r.dict_at(body.get("appointment"), "appointment") or {}
        start = r.datetime_at_any(raw.get("window_start"), "appointment.window_start")
        end = r.datetime_at_any(raw.get("window_end"), "appointment.window_end")
        if (start is None) != (end is None):
            r.add("appointment.window_end", _("Give both ends of the window, or neither."))
        elif start is not None and end is not None and end <= start:
            r.add("appointment.window_end", _("The window must end after it starts."))
        appointment = {"window_start": start, "window_end": end} if start else {}
        if appointment and outcome != VisitOutcome.NOBODY_HOME:
            r.add("appointment", _("An appointment slip is left only when nobody is home."))
    r.errors.raise_if_any()
    assert address_id is not None and visited_at is not None
    return VisitPart(
        address_id=address_id,
        outcome=outcome,
        visited_at=visited_at,
        note=str(body.get("note") or "")[:500],
        availability=availability,
        appointment=appointment,
    )


@dataclass
class VerifyPart:
    record: str
    id: int
    version: int | None
    ok: bool
    note: str


def read_verify(payload: Any) -> VerifyPart:
    r = Reader()
    body = r.dict_at(payload, "payload") or {}
    record = str(body.get("record") or "")
    if record not in ("house", "unit"):
        r.add("record", BAD_CHOICE if record else REQUIRED)
    rid = r.int_at(body.get("id"), "id")
    if rid is None and "id" not in r.errors.fields:
        r.add("id", REQUIRED)
    version = r.int_at(body.get("version"), "version")
    if not isinstance(body.get("ok", True), bool):
        r.add("ok", BAD_CHOICE)
    r.errors.raise_if_any()
    assert rid is not None
    return VerifyPart(
        record=record,
        id=rid,
        version=version,
        ok=bool(body.get("ok", True)),
        note=str(body.get("note") or "")[:500],
    )


KINDS = frozenset(SubmissionKind.values)
