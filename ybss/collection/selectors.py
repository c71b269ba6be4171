"""Reads of field collection: the phone's working set, the review queue and the side-by-side
comparison, a collector's own submissions, progress by collector / district / station, and the
verification rates. Every read starts from ``org.jurisdiction.scope``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import AddressElement, AddressLevel, StandardAddress
from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core import codes
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, PoliceUnit, User
from ybss.registry.models import House, Person, Residence, ResidenceType, Unit, VerifyState

from . import payload as pl
from .models import (
    OPEN_STATES,
    ClientEntity,
    CollectionTask,
    Submission,
    SubmissionState,
    TaskItem,
    TaskState,
    VerificationLog,
)

ID_FIELDS = frozenset(
    {"id_number", "owner_id_number", "custodian_id_number", "legal_rep_id_number", "security_lead_id_number"}
)
PHONE_FIELDS = frozenset(
    {"phone", "phone2", "owner_phone", "custodian_phone", "legal_rep_phone", "security_lead_phone"}
)

#: Code lists behind the coded fields the phone and the comparison show.
FIELD_CODES = {
    "house_type": "house_type",
    "use": "house_use",
    "structure": "house_structure",
    "ownership": "ownership",
    "rental_mode": "rental_mode",
    "management_level": "management_level",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "education": "education",
    "marital": "marital",
    "id_type": "id_type",
    "relation": "relation",
    "reason": "residence_reason",
    "category": "unit_category",
    "special_trade": "special_trade",
    "industry": "industry",
    "biz_status": "unit_status",
    "nationality": "nationality",
    "visa_type": "visa_type",
}


def shown_value(user: User, name: str, value: Any) -> str:
    """A field value as text for ``user``: identifiers masked by role, codes as labels."""
    if value in (None, ""):
        return ""
    if name in ID_FIELDS:
        return jurisdiction.show_id_number(user, str(value))
    if name in PHONE_FIELDS:
        return jurisdiction.show_phone(user, str(value))
    if name in FIELD_CODES:
        return codes.label(FIELD_CODES[name], str(value)) or str(value)
    if name == "residence_type":
        try:
            return str(ResidenceType(value).label)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


# --- the phone's working set -----------------------------------------------------------------


def work_set(*, actor: User, request: Any = None) -> dict[str, Any]:
    """What a collector needs offline: their open tasks with households, the door plates and
    rooms, the houses and current residents there, and the roads and villages for new plates.

    ID numbers and phones come masked for roles that see them masked (collectors). The download is
    audited (it lists the people living at the task's households).
    """
    tasks = list(
        jurisdiction.scope(CollectionTask.objects.all(), actor)
        .filter(assignee=actor, state=TaskState.OPEN)
        .order_by("deadline", "pk")
    )
    items = list(
        TaskItem.objects.filter(task__in=tasks).select_related("address").order_by("task_id", "seq", "pk")
    )
    door_ids = {i.door_id for i in items}
    doors = list(jurisdiction.scope(StandardAddress.objects.all(), actor).filter(pk__in=door_ids))
    rooms = list(
        StandardAddress.objects.filter(parent_id__in=door_ids, level=AddressLevel.ROOM)
        .exclude(status=RecordStatus.VOIDED)
        .order_by("code")
    )
    address_ids = door_ids | {r.pk for r in rooms}
    houses = list(House.objects.filter(address_id__in=address_ids).exclude(status=RecordStatus.VOIDED))
    residences = list(
        Residence.objects.filter(house__in=houses, active=True)
        .select_related("person")
        .order_by("house_id", "pk")
    )
    by_door: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rooms:
        by_door[r.parent_id].append(  # type: ignore[index]
            {
                "id": r.pk,
                "version": r.version,
                "full_name": r.full_name,
                "unit_no": r.unit_no,
                "floor": r.floor,
                "room_no": r.room_no,
            }
        )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="collection.workset",
        detail={"tasks": len(tasks), "households": len(items)},
        result_count=len(residences),
        request=request,
        channel="api",
    )
    divisions = _village_choices(actor)
    roads = list(
        AddressElement.objects.filter(
            Q(division_id__in=[d.code for d in divisions])
            | Q(division_id__in={d.code[:9].ljust(12, "0") for d in divisions})
        ).order_by("division_id", "kind", "name")[:2000]
    )
    done_by_task: dict[int, int] = defaultdict(int)
    for i in items:
        if i.done_at is not None:
            done_by_task[i.task_id] += 1
    return {
        "tasks": [
            {
                "id": t.pk,
                "name": t.name,
                "deadline": t.deadline,
                "target": t.target,
                "done": done_by_task[t.pk],
                "items": [
                    {
                        "id": i.pk,
                        "address_id": i.address_id,
                        "door_id": i.door_id,
                        "label": i.address.full_name,
                        "outcome": i.outcome,
                        "visits": i.visits,
                        "done": i.done_at is not None,
                    }
                    for i in items
                    if i.task_id == t.pk
                ],
            }
            for t in tasks
        ],
        "doors": [
            {
                "id": d.pk,
                "version": d.version,
                "full_name": d.full_name,
                "lat": float(d.lat) if d.lat is not None else None,
                "lng": float(d.lng) if d.lng is not None else None,
                "division_code": d.division_id,
                "police_unit_code": d.police_unit_id,
                "road_id": d.road_id,
                "rooms": by_door.get(d.pk, []),
            }
            for d in doors
        ],
        "houses": [
            {
                "id": h.pk,
                "version": h.version,
                "address_id": h.address_id,
                "house_type": h.house_type,
                "use": h.use,
                "structure": h.structure,
                "floors": h.floors,
                "rooms": h.rooms,
                "area": float(h.area) if h.area is not None else None,
                "ownership": h.ownership,
                "owner_name": h.owner_name,
                "rental_mode": h.rental_mode,
                "rental_start": h.rental_start,
                "rent": float(h.rent) if h.rent is not None else None,
                "landlord_id": h.landlord_id,
                "management_level": h.management_level,
            }
            for h in houses
        ],
        "persons": [
            {
                "id": r.person.pk,
                "version": r.person.version,
                "house_id": r.house_id,
                "name": r.person.name,
                "id_number": jurisdiction.show_id_number(actor, r.person.id_number),
                "sex": r.person.sex,
                "birth_date": r.person.birth_date,
                "phone": jurisdiction.show_phone(actor, r.person.phone),
                "residence_type": r.residence_type,
                "relation": r.relation,
            }
            for r in residences
        ],
        "roads": [
            {"id": e.pk, "name": e.name, "kind": e.kind, "division_code": e.division_id} for e in roads
        ],
        "divisions": [{"code": d.code, "name": d.name} for d in divisions],
    }


def _village_choices(user: User) -> list[AdminDivision]:
    """Villages where ``user`` may add door plates: their village, else their district's."""
    if user.division is not None and user.division.level == 5:
        return [user.division]
    if user.police_unit is not None and user.police_unit.kind == "district":
        return list(user.police_unit.divisions.filter(level=5).order_by("code"))
    return []


# --- the collector's own submissions ---------------------------------------------------------


def my_submissions(*, actor: User, since: dt.datetime | None = None) -> QuerySet[Submission]:
    """The caller's own submissions (newest first), e.g. to show returns and conflicts on the phone."""
    qs = Submission.objects.filter(collector=actor).order_by("-received_at")
    if since is not None:
        qs = qs.filter(Q(received_at__gte=since) | Q(reviewed_at__gte=since))
    return qs


# --- review ----------------------------------------------------------------------------------


@dataclass
class QueueFilters:
    state: str = "open"  # open | pending | conflict | passed | returned | voided | all
    collector: int | None = None
    accepted: str = ""  # "" | station_todo | county_todo


def review_queue(*, actor: User, filters: QueueFilters | None = None) -> QuerySet[Submission]:
    """Household submissions in the reviewer's jurisdiction, oldest open first."""
    f = filters or QueueFilters()
    qs = jurisdiction.scope(Submission.objects.all(), actor).filter(kind="household")
    if actor.role == "collector":
        qs = qs.filter(collector=actor)  # a collector follows their own work only
    if f.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.state and f.state != "all":
        qs = qs.filter(state=f.state)
    if f.collector:
        qs = qs.filter(collector_id=f.collector)
    if f.accepted == "station_todo":
        qs = qs.filter(state=SubmissionState.PASSED, station_accepted_at__isnull=True)
    elif f.accepted == "county_todo":
        qs = qs.filter(
            state=SubmissionState.PASSED, station_accepted_at__isnull=False, county_accepted_at__isnull=True
        )
    order = "received_at" if f.state in ("open", "pending", "conflict") else "-received_at"
    return qs.select_related("collector", "reviewed_by").order_by(order, "pk")


def submission_get(*, actor: User, pk: Any, request: Any = None, channel: str = "web") -> Submission:
    """One submission in scope (NotFound otherwise). Collectors see their own only. The read is
    audited: a submission carries people's details (and is shown beside their records)."""
    qs = jurisdiction.scope(Submission.objects.select_related("collector", "reviewed_by", "door"), actor)
    if actor.role == "collector":
        qs = qs.filter(collector=actor)
    sub = jurisdiction.get_in_scope(qs, actor, pk=pk)
    persons = []
    body = sub.payload if isinstance(sub.payload, dict) else {}
    for part in body.get("persons") or []:
        if isinstance(part, dict) and part.get("id"):
            persons.append(part["id"])
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="collection.submission",
        object_id=sub.pk,
        detail={"persons": persons, "new_persons": len(body.get("persons") or []) - len(persons)},
        request=request,
        channel=channel,
    )
    return sub


@dataclass
class Row:
    """One field of the comparison: its label, what the registry holds, what was submitted."""

    name: str
    label: str
    current: str
    submitted: str
    base_changed: bool = False

    @property
    def differs(self) -> bool:
        return self.submitted != "" and self.current != self.submitted


@dataclass
class Block:
    """One entity of a submission beside its registry record (or a note that it is new)."""

    kind: str  # door | room | house | person | unit
    title: str
    is_new: bool
    record_url: str = ""
    note: str = ""
    rows: list[Row] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(1 for r in self.rows if r.differs)


def _label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name.removesuffix("_id")).verbose_name)
    except Exception:
        return name


def _rows(user: User, model: Any, record: Any, sent: dict[str, Any], names: list[str]) -> list[Row]:
    out = []
    for name in names:
        cur = getattr(record, name, None) if record is not None else None
        sub = sent.get(name, None)
        out.append(
            Row(
                name=name,
                label=_label(model, name),
                current=shown_value(user, name, cur),
                submitted=shown_value(user, name, sub) if name in sent else "",
            )
        )
    return out


_PERSON_SHOWN = [
    "name",
    "id_number",
    "sex",
    "ethnicity",
    "birth_date",
    "phone",
    "hukou_division_code",
    "hukou_address_text",
    "education",
    "marital",
    "occupation",
    "employer",
]
_HOUSE_SHOWN = [
    "house_type",
    "use",
    "structure",
    "floors",
    "rooms",
    "area",
    "ownership",
    "owner_name",
    "owner_id_number",
    "owner_phone",
    "rental_mode",
    "rental_start",
    "rent",
    "rental_filing_no",
]
_UNIT_SHOWN = [
    "name",
    "credit_code",
    "category",
    "industry",
    "special_trade",
    "legal_rep_name",
    "legal_rep_id_number",
    "legal_rep_phone",
    "phone",
    "biz_status",
]


def _entity(cid: Any) -> int | None:
    found = ClientEntity.objects.filter(cid=cid).first() if cid else None
    return found.record_id if found is not None else None


def submission_comparison(*, actor: User, sub: Submission) -> list[Block]:
    """The submission side by side with the registry: one block per entity, fields that differ
    marked. A new person whose document number the registry already holds is shown beside that
    person (the reviewer passes, overwrites or voids as a duplicate)."""
    try:
        hh = pl.read_household(sub.payload)
    except Exception:
        return []
    blocks: list[Block] = []
    if hh.door.ref.is_new and hh.door.new:
        new = hh.door.new
        road = AddressElement.objects.filter(pk=new.get("road_id")).first()  # type: ignore[misc]
        division = AdminDivision.objects.filter(code=new.get("division_code")).first()
        rows = [
            Row("division_code", str(_("community / village")), "", division.name if division else ""),
            Row("road_id", str(_("street or group")), "", road.name if road else ""),
            Row("door_number", str(_("door number")), "", str(new.get("door_number") or "")),
        ]
        for key in ("door_prefix", "door_suffix", "sub_number", "building", "common_name", "lng", "lat"):
            if new.get(key) not in (None, ""):
                rows.append(
                    Row(
                        key,
                        _label(StandardAddress, key),
                        "",
                        str(new[key]),
                    )
                )
        blocks.append(Block("door", str(_("Door plate")), True, rows=rows))
    else:
        door_id = hh.door.ref.id or _entity(hh.door.ref.cid)
        door = StandardAddress.objects.filter(pk=door_id).first()  # type: ignore[misc]
        blocks.append(
            Block(
                "door",
                str(_("Door plate")),
                False,
                record_url=f"/addresses/{door.pk}/" if door else "",
                note=door.full_name if door else str(_("Collected in another submission")),
            )
        )
    if hh.room is not None:
        if hh.room.ref.is_new and hh.room.new:
            rows = [
                Row(k, _label(StandardAddress, k), "", shown_value(actor, k, hh.room.new.get(k)))
                for k in ("unit_no", "floor", "room_no")
            ]
            blocks.append(Block("room", str(_("Room")), True, rows=rows))
        else:
            room = StandardAddress.objects.filter(pk=hh.room.ref.id or _entity(hh.room.ref.cid)).first()  # type: ignore[misc]
            blocks.append(Block("room", str(_("Room")), False, note=room.full_name if room else ""))
    bases = sub.base_versions or {}
    if hh.house is not None:
        house = None
        if not hh.house.ref.is_new:
            house = House.objects.filter(pk=hh.house.ref.id).first()  # type: ignore[misc]
        elif not hh.house.fields:
            house = House.objects.filter(pk=_entity(hh.house.ref.cid)).first()  # type: ignore[misc]
        block = Block(
            "house",
            str(_("House")),
            house is None and hh.house.ref.is_new,
            record_url=f"/houses/{house.pk}/" if house else "",
        )
        block.rows = _rows(actor, House, house, hh.house.fields, _HOUSE_SHOWN)
        if house is not None:
            base = bases.get(f"registry.house:{house.pk}")
            if base is not None and base != house.version:
                block.note = str(_("Changed since the collector's version (v%(base)s → v%(now)s)")) % {
                    "base": base,
                    "now": house.version,
                }
        block.rows = [r for r in block.rows if r.current or r.submitted]
        blocks.append(block)
    for i, part in enumerate(hh.persons):
        person = None
        note = ""
        if not part.ref.is_new:
            person = Person.objects.filter(pk=part.ref.id).first()  # type: ignore[misc]
            base = bases.get(f"registry.person:{part.ref.id}")
            if person is not None and base is not None and base != person.version:
                note = str(_("Changed since the collector's version (v%(base)s → v%(now)s)")) % {
                    "base": base,
                    "now": person.version,
                }
        else:
            number = str(part.fields.get("id_number") or "").strip().upper()
            id_type = str(part.fields.get("id_type") or "111")
            person = Person.objects.filter(id_type=id_type, id_number=number).first() if number else None
            if person is not None:
                note = str(_("The registry already holds a person with this document number."))
        block = Block(
            "person",
            str(_("Person %(n)d")) % {"n": i + 1},
            person is None,
            record_url=f"/persons/{person.pk}/" if person else "",
            note=note,
        )
        block.rows = [
            r for r in _rows(actor, Person, person, part.fields, _PERSON_SHOWN) if r.current or r.submitted
        ]
        if part.residence is not None:
            for name in ("residence_type", "relation", "reason", "since"):
                value = getattr(part.residence, name)
                if value not in (None, ""):
                    block.rows.append(Row(name, _label(Residence, name), "", shown_value(actor, name, value)))
        blocks.append(block)
    for i, part_u in enumerate(hh.units):
        unit = Unit.objects.filter(pk=part_u.ref.id).first() if not part_u.ref.is_new else None  # type: ignore[misc]
        block = Block(
            "unit",
            str(_("Unit %(n)d")) % {"n": i + 1},
            unit is None,
            record_url=f"/units/{unit.pk}/" if unit else "",
        )
        block.rows = [
            r for r in _rows(actor, Unit, unit, part_u.fields, _UNIT_SHOWN) if r.current or r.submitted
        ]
        blocks.append(block)
    return blocks


def conflict_lines(sub: Submission) -> list[str]:
    """The submission's conflicts in words: which record (by name), the version the collector
    saw, the version now, and which other submission edits it too."""
    out = []
    for c in sub.conflict or []:
        model, _sep, pk = str(c.get("record", "")).partition(":")
        if model == "registry.person":
            p = Person.objects.filter(pk=pk).only("name").first()
            what = str(_("Person %(name)s")) % {"name": p.name if p else pk}
        elif model == "registry.house":
            h = House.objects.filter(pk=pk).select_related("address").first()
            what = str(_("House at %(address)s")) % {"address": h.address.full_name if h else pk}
        else:
            what = str(c.get("record", ""))
        if c.get("why") == "concurrent":
            line = str(_("%(what)s: submission %(other)s edits it from the same version (v%(base)s)")) % {
                "what": what,
                "other": c.get("other_id", ""),
                "base": c.get("base"),
            }
        else:
            line = str(_("%(what)s: the collector saw v%(base)s, the registry now holds v%(now)s")) % {
                "what": what,
                "base": c.get("base"),
                "now": c.get("current"),
            }
        out.append(line)
    return out


# --- progress and rates ----------------------------------------------------------------------


@dataclass
class Progress:
    key: str
    name: str
    households: int = 0
    target: int = 0
    done: int = 0
    visited: int = 0
    nobody_home: int = 0
    pending_review: int = 0

    @property
    def rate(self) -> float:
        return self.done / self.target if self.target else 0.0

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.rate))


def task_list(*, actor: User, state: str = TaskState.OPEN) -> QuerySet[CollectionTask]:
    """Tasks in scope (a collector sees their own), with household and done counts."""
    qs = jurisdiction.scope(CollectionTask.objects.all(), actor)
    if actor.role == "collector":
        qs = qs.filter(assignee=actor)
    if state:
        qs = qs.filter(state=state)
    return (
        qs.select_related("assignee", "police_unit")
        .annotate(households=Count("items"), done=Count("items", filter=Q(items__done_at__isnull=False)))
        .order_by("deadline", "pk")
    )


def task_get(*, actor: User, pk: Any) -> CollectionTask:
    qs = jurisdiction.scope(CollectionTask.objects.select_related("assignee", "police_unit"), actor)
    if actor.role == "collector":
        qs = qs.filter(assignee=actor)
    return jurisdiction.get_in_scope(qs, actor, pk=pk)


def progress(*, actor: User, by: str = "collector") -> list[Progress]:
    """Progress of the open tasks in scope, per collector, police district or station: households,
    target, finished, visited, nobody home, and household submissions waiting for review."""
    tasks = jurisdiction.scope(CollectionTask.objects.filter(state=TaskState.OPEN), actor)
    if actor.role == "collector":
        tasks = tasks.filter(assignee=actor)
    rows = (
        TaskItem.objects.filter(task__in=tasks)
        .values("task__assignee_id", "task__police_unit_id")
        .annotate(
            households=Count("pk"),
            done=Count("pk", filter=Q(done_at__isnull=False)),
            visited=Count("pk", filter=Q(visits__gt=0)),
            nobody=Count("pk", filter=Q(outcome="nobody_home", done_at__isnull=True)),
        )
    )
    targets = tasks.values("assignee_id", "police_unit_id", "target")
    pending = (
        jurisdiction.scope(Submission.objects.filter(kind="household", state__in=OPEN_STATES), actor)
        .values("collector_id", "police_unit_id")
        .annotate(n=Count("pk"))
    )

    def key_of(user_id: int, unit: str) -> str:
        if by == "collector":
            return str(user_id)
        if by == "district":
            return unit
        return unit[:9] + "000"

    out: dict[str, Progress] = {}
    for r in rows:
        k = key_of(r["task__assignee_id"], r["task__police_unit_id"])
        p = out.setdefault(k, Progress(k, ""))
        p.households += r["households"]
        p.done += r["done"]
        p.visited += r["visited"]
        p.nobody_home += r["nobody"]
    for t in targets:
        k = key_of(t["assignee_id"], t["police_unit_id"])
        out.setdefault(k, Progress(k, "")).target += t["target"]
    for pr in pending:
        k = key_of(pr["collector_id"], pr["police_unit_id"])
        if k in out:
            out[k].pending_review += pr["n"]
    if by == "collector":
        users = {str(u.pk): u.display_name for u in User.objects.filter(pk__in=[int(k) for k in out])}
        for k, p in out.items():
            p.name = users.get(k, k)
    else:
        units = dict(PoliceUnit.objects.filter(code__in=list(out)).values_list("code", "name"))
        for k, p in out.items():
            p.name = units.get(k, k)
    return sorted(out.values(), key=lambda p: p.key)


@dataclass
class Rate:
    key: str
    name: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> float:
        return round(100 * self.numerator / self.denominator, 2) if self.denominator else 0.0


def verification_rates(*, actor: User) -> list[Rate]:
    """实有房屋核查率 and 实有单位核实率 in the caller's jurisdiction (voided records left out)."""
    houses = jurisdiction.scope(House.objects.exclude(status=RecordStatus.VOIDED), actor)
    units = jurisdiction.scope(Unit.objects.exclude(status=RecordStatus.VOIDED), actor)
    h = houses.aggregate(n=Count("pk"), v=Count("pk", filter=Q(verify_state=VerifyState.VERIFIED)))
    u = units.aggregate(n=Count("pk"), v=Count("pk", filter=Q(verify_state=VerifyState.VERIFIED)))
    return [
        Rate("house_verification", str(_("House verification rate")), h["v"], h["n"]),
        Rate("unit_verification", str(_("Unit verification rate")), u["v"], u["n"]),
    ]


def verifications_of(*, actor: User, record_type: str, record_id: int) -> QuerySet[VerificationLog]:
    return (
        jurisdiction.scope(VerificationLog.objects.all(), actor)
        .filter(record_type=record_type, record_id=record_id)
        .select_related("officer")
    )


def today_range() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)
