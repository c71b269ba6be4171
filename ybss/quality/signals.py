"""Signs of fabrication over the whole base (DOMAIN.md §7, the ``fake_*`` categories): patterned
ID numbers, one phone on unrelated people, placeholder names, households born on one day,
impossible speed, night-time bursts, submissions far from the door plate, reused text and
reused photos.

``run(ctx)`` reads each table once (the big ones raw from the cursor, with the cyclic garbage
collector paused) and hands plain rows to the pure detectors of ``quality.fabrication``. The
county is read whole even when ``ctx.police_prefix`` limits the scan (a phone or a text is shared
across stations); only findings on records in the subtree are returned. A re-check of single
records (``ctx.records``) returns nothing: these signals need the whole base. Voided records and
submissions voided as duplicates are left out.

The responsible collector of a record is the collector of the submission it came from (a
``collection.SubmissionEffect`` that created it) and otherwise its ``created_by``; reused text is
also looked for under whoever edited the record later (its ``updated_by`` and the collectors of
submissions that changed it). For speed and night, a record a submission created is timed by the
submission (when the form was saved on the phone), not by its ``created_at`` (the review), and
records written by an import are left out (their time is the import's).
"""

from __future__ import annotations

import bisect
import gc
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from ybss.collection.models import (
    ClientEntity,
    Photo,
    Submission,
    SubmissionEffect,
    SubmissionKind,
    SubmissionState,
)
from ybss.core.identifiers import normalize_phone
from ybss.core.models import RecordStatus
from ybss.registry.models import Employment, House, Person, Residence, Unit
from ybss.transfer.models import ImportRun

from . import fabrication as fab
from .fabrication import HOUSE, PERSON, SUBMISSION, UNIT, Hit
from .findings import Finding
from .spec import RuleSpec, ScanContext

R_ID_SEQUENCE = RuleSpec(
    "person.id_sequential",
    "fake_id_pattern",
    "warning",
    PERSON,
    ("id_number",),
    _("One collector's ID numbers count up: sequence numbers or birth dates in a row."),
    params={"min_run": 3, "max_step": 2},
    description=_(
        "The same region and birth date with sequence parts 001, 002, 003 …, or the same region "
        "and sequence part with birth dates day after day; twins are two, not a run."
    ),
)
R_ID_DIGITS = RuleSpec(
    "person.id_repeated_digits",
    "fake_id_pattern",
    "warning",
    PERSON,
    ("id_number",),
    _("The ID number is made of repeated or consecutive digits."),
    params={"min_repeat": 6, "min_straight": 7, "max_distinct": 3},
)
R_ID_BASE = RuleSpec(
    "person.id_base_reused",
    "fake_id_pattern",
    "warning",
    PERSON,
    ("id_number",),
    _("Another person's ID number is used with only the check digit changed."),
    params={"min_group": 3},
)
R_PHONE = RuleSpec(
    "person.shared_phone",
    "fake_shared_phone",
    "warning",
    PERSON,
    ("phone", "phone2"),
    _("The phone number is also on people of other, unrelated families."),
    params={"min_families": 3},
    description=_(
        "People are one family when they live in one house, or share a surname and a registered "
        "village; a phone shared within a family is normal."
    ),
)
R_NAME_PERSON = RuleSpec(
    "person.placeholder_name",
    "fake_placeholder_name",
    "warning",
    PERSON,
    ("name",),
    _("The name is a placeholder (测试, 张三, 某某, 无 …)."),
)
R_NAME_HOUSE = RuleSpec(
    "house.placeholder_owner",
    "fake_placeholder_name",
    "warning",
    HOUSE,
    ("owner_name",),
    _("The owner's name is a placeholder."),
)
R_NAME_UNIT = RuleSpec(
    "unit.placeholder_name",
    "fake_placeholder_name",
    "warning",
    UNIT,
    ("legal_rep_name", "security_lead_name"),
    _("The legal representative's or security lead's name is a placeholder."),
)
R_BIRTHDATES = RuleSpec(
    "person.household_same_birthdate",
    "fake_same_birthdates",
    "warning",
    PERSON,
    ("birth_date",),
    _("Several people of one household are born on the same day."),
    params={"min_same": 3, "min_whole": 2},
    description=_(
        "Three or more of one household born on one day, or the whole household of two or more; "
        "twins in a family are normal."
    ),
)
R_SPEED = RuleSpec(
    "collector.speed_burst",
    "fake_speed",
    "warning",
    PERSON,
    ("created_at", "created_by"),
    _("The collector entered records faster than anyone can collect them."),
    params={
        "window_s": 60,
        "min_records": 6,
        "long_window_s": 600,
        "long_min_records": 20,
        "batch_gap_s": 1.0,
    },
    description=_(
        "People, houses and units one collector entered directly: many within a minute, or a "
        "sustained pace over ten minutes. Imports and records created by a reviewed submission "
        "are timed elsewhere."
    ),
)
R_PACE = RuleSpec(
    "submission.household_pace",
    "fake_speed",
    "warning",
    SUBMISSION,
    ("started_at", "finished_at"),
    _("Households were collected one after another faster than anyone walks and talks."),
    params={"max_gap_s": 120, "min_households": 4},
)
R_FAST_FORM = RuleSpec(
    "submission.fast_form",
    "fake_speed",
    "warning",
    SUBMISSION,
    ("started_at", "finished_at"),
    _("The household form was saved too soon after it was opened."),
    params={"min_form_seconds": 60, "min_seconds_per_record": 20},
)
R_NIGHT = RuleSpec(
    "collector.night_burst",
    "fake_night",
    "warning",
    PERSON,
    ("created_at", "finished_at"),
    _("The collector entered or submitted several records in the middle of the night."),
    params={"start_hour": 0, "end_hour": 5, "min_records": 3, "batch_gap_s": 1.0},
)
R_GPS = RuleSpec(
    "submission.gps_far",
    "fake_gps_far",
    "warning",
    SUBMISSION,
    ("lat", "lng", "accuracy_m"),
    _("The submission was sent far from its door plate."),
    params={"max_distance_m": 500, "max_accuracy_m": 2000},
    description=_("The distance less the phone's reported accuracy; fixes worse than the limit are ignored."),
)
TEXT_PARAMS = {"min_households": 5, "min_share": 0.8, "max_prevalence": 0.2, "min_length": 2, "long_text": 12}
R_TEXT = RuleSpec(
    "person.text_reuse",
    "fake_text_reuse",
    "warning",
    PERSON,
    ("occupation", "employer", "hukou_address_text"),
    _("The same text is on many unrelated people of one collector."),
    params=dict(TEXT_PARAMS),
)
R_NOTE = RuleSpec(
    "submission.note_reuse",
    "fake_text_reuse",
    "warning",
    SUBMISSION,
    ("note",),
    _("The same remark was pasted into many households' submissions."),
    params={**TEXT_PARAMS, "min_households": 4},
)
R_PHOTO = RuleSpec(
    "submission.photo_reuse",
    "fake_photo_reuse",
    "warning",
    SUBMISSION,
    ("photos",),
    _("The same photo was sent for different door plates."),
    params={"min_doors": 2},
)

RULES: list[RuleSpec] = [
    R_ID_SEQUENCE,
    R_ID_DIGITS,
    R_ID_BASE,
    R_PHONE,
    R_NAME_PERSON,
    R_NAME_HOUSE,
    R_NAME_UNIT,
    R_BIRTHDATES,
    R_SPEED,
    R_PACE,
    R_FAST_FORM,
    R_NIGHT,
    R_GPS,
    R_TEXT,
    R_NOTE,
    R_PHOTO,
]
#: The rules that read the people table.
PERSON_RULES = (
    R_ID_SEQUENCE,
    R_ID_DIGITS,
    R_ID_BASE,
    R_PHONE,
    R_NAME_PERSON,
    R_BIRTHDATES,
    R_TEXT,
    R_SPEED,
    R_NIGHT,
)
#: The rules that read the submissions.
SUBMISSION_RULES = (R_SPEED, R_PACE, R_FAST_FORM, R_NIGHT, R_GPS, R_NOTE, R_PHOTO)
Scope = dict[tuple[str, int], str]


def _live(qs: Any) -> Any:
    return qs.exclude(status=RecordStatus.VOIDED)


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class _Person(NamedTuple):
    pk: int
    id_number: str
    name: str
    phone: str
    phone2: str
    birth_date: Any  # a date (text on SQLite: read raw)
    hukou_division_code: str
    hukou_address_text: str
    occupation: str
    employer: str
    created_at: Any  # see ``_ts``
    created_by_id: int | None
    updated_by_id: int | None
    police_unit_id: str


def _raw(qs: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset straight from the cursor, without Django's per-row
    converters: for the big tables, where those cost seconds. Dates and times come as the
    backend gives them (text on SQLite); ``_ts`` and the detectors cope."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10000):
            yield from rows


def _ts(value: Any) -> float:
    """A stored timestamp as POSIX seconds (SQLite gives naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


class _Sub(NamedTuple):
    pk: int
    kind: str
    collector: int
    at: datetime | None  # saved on the phone, else opened, else received
    started: datetime | None
    finished: datetime | None
    resubmission: bool
    lat: Any
    lng: Any
    accuracy: int | None
    door: int | None  # the submission's door plate, else its task household's
    door_lat: Any
    door_lng: Any
    household: tuple[str, Any]  # the house (room, address) the submission is about
    note: str
    visit_note: str
    police_unit: str


class _Base:
    """What several detectors read, loaded once per scan: provenance (submission effects), the
    import runs, the people with their current house, the houses, units and submissions — each
    only when a switched-on rule needs it."""

    def __init__(self, ctx: ScanContext) -> None:
        on = ctx.on
        ctx.step("signals: provenance")
        # (record type, id) → the collector of the submission that created the record (it is
        # timed by that submission, not by its created_at, the review), and the collectors whose
        # submissions changed it since.
        self.via: dict[tuple[str, int], int] = {}
        self.editors: dict[tuple[str, int], set[int]] = {}
        effects = SubmissionEffect.objects.order_by("submission__received_at", "pk").values_list(
            "record_type", "record_id", "submission__collector_id", "action"
        )
        for rtype, rid, collector, action in effects.iterator(chunk_size=5000):
            if action == "create":
                self.via[(rtype, rid)] = collector
            else:
                self.editors.setdefault((rtype, rid), set()).add(collector)
        self.created_by_submission = set(self.via)
        runs = ImportRun.objects.values_list("started_at", "finished_at")
        self.imports = sorted((s.timestamp(), (f or s).timestamp()) for s, f in runs)
        self._import_starts = [s for s, _f in self.imports]

        self.persons: list[Any] = []
        self.home: dict[int, tuple[int, str]] = {}  # person → (house, its address's full name)
        if any(on(r) for r in PERSON_RULES):
            ctx.step("signals: people")
            people = _live(Person.objects.all()).values_list(*_Person._fields)
            self.persons = [_Person._make(row) for row in _raw(people)]
            living = _live(Residence.objects.filter(active=True)).values_list(
                "person_id", "house_id", "house__address__full_name"
            )
            for pid, house, address in _raw(living):
                self.home.setdefault(pid, (house, address or ""))
        self.who = {p.pk: self.collector(PERSON, p.pk, p.created_by_id) for p in self.persons}
        self.houses: list[tuple[Any, ...]] = []
        if on(R_NAME_HOUSE) or on(R_SPEED) or on(R_NIGHT):
            houses = _live(House.objects.all()).values_list(
                "pk", "owner_name", "created_at", "created_by_id", "police_unit_id"
            )
            self.houses = list(_raw(houses))
        self.units = list(
            _live(Unit.objects.all()).values_list(
                "pk", "legal_rep_name", "security_lead_name", "created_at", "created_by_id", "police_unit_id"
            )
        )
        self.subs = _submissions() if any(on(r) for r in SUBMISSION_RULES) else []
        # (record type, id) → police unit, to keep findings under ctx.police_prefix
        self.scope: Scope = {(PERSON, p.pk): p.police_unit_id or "" for p in self.persons}
        self.scope.update(((HOUSE, h[0]), h[4] or "") for h in self.houses)
        self.scope.update(((UNIT, u[0]), u[5] or "") for u in self.units)
        self.scope.update(((SUBMISSION, s.pk), s.police_unit or "") for s in self.subs)

    def collector(self, record_type: str, pk: int, created_by: int | None) -> int | None:
        """The responsible collector: of the submission the record came from, else its creator."""
        return self.via.get((record_type, pk), created_by)

    def imported(self, at: float) -> bool:
        """Whether ``at`` falls inside an import run (the records it wrote carry its time)."""
        if not self.imports:
            return False
        i = bisect.bisect_right(self._import_starts, at)
        return i > 0 and self.imports[i - 1][1] >= at


def _findings(rule: RuleSpec, hits: Iterable[Hit], ctx: ScanContext, scope: Scope) -> Iterator[Finding]:
    """Hits as findings of ``rule``, only those on records under ``ctx.police_prefix``."""
    prefix = ctx.police_prefix
    for h in hits:
        if prefix and not scope.get((h.record_type, h.record_id), "").startswith(prefix):
            continue
        yield Finding(
            rule=rule.code,
            category=rule.category,
            record_type=h.record_type,
            record_id=h.record_id,
            severity=rule.severity,
            score=h.score,
            evidence=h.evidence,
            related=h.related,
            collector_id=h.collector_id,
            key=h.key,
        )


def run(ctx: ScanContext) -> Iterator[Finding]:
    """Every fabrication signal over the county (findings limited to ``ctx.police_prefix``)."""
    if ctx.records is not None or not any(ctx.on(r) for r in RULES):
        return
    with _no_cyclic_gc():
        base = _Base(ctx)
        parts = (_ids, _phones, _names, _households, _timing, _forms, _place, _texts, _photos)
        found = [f for part in parts for f in part(ctx, base)]
    yield from found


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the scan builds its rows: millions of small
    tuples and no cycles (reference counting frees them), which the collector would otherwise
    rescan again and again — it doubled the time of the ID checks."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _p(ctx: ScanContext, rule: RuleSpec) -> dict[str, Any]:
    """The rule's thresholds as keyword arguments."""
    return {name: ctx.param(rule, name) for name in rule.params}


def _ids(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if not any(ctx.on(r) for r in (R_ID_SEQUENCE, R_ID_DIGITS, R_ID_BASE)):
        return
    ctx.step("signals: ID numbers")
    ids = [
        fab.IdRow(p.pk, p.id_number, p.name, base.who[p.pk]) for p in base.persons if len(p.id_number) == 18
    ]
    if ctx.on(R_ID_SEQUENCE):
        yield from _findings(
            R_ID_SEQUENCE, fab.sequential_ids(ids, **_p(ctx, R_ID_SEQUENCE)), ctx, base.scope
        )
    if ctx.on(R_ID_DIGITS):
        yield from _findings(R_ID_DIGITS, fab.patterned_ids(ids, **_p(ctx, R_ID_DIGITS)), ctx, base.scope)
    if ctx.on(R_ID_BASE):
        yield from _findings(R_ID_BASE, fab.reused_id_bases(ids, **_p(ctx, R_ID_BASE)), ctx, base.scope)


def _phones(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if not ctx.on(R_PHONE):
        return
    ctx.step("signals: phones")
    rows = []
    for p in base.persons:
        house = base.home.get(p.pk, (None, ""))[0]
        surname, village = (p.name or "")[:1], p.hukou_division_code or ""
        for fld, value in (("phone", p.phone), ("phone2", p.phone2)):
            if value:
                phone = normalize_phone(value)
                rows.append(fab.PhoneRow(p.pk, phone, house, surname, village, base.who[p.pk], fld))
    yield from _findings(R_PHONE, fab.shared_phones(rows, **_p(ctx, R_PHONE)), ctx, base.scope)


def _names(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if ctx.on(R_NAME_PERSON):
        ctx.step("signals: names")
        rows = (fab.NameRow(PERSON, p.pk, "name", p.name, base.who[p.pk]) for p in base.persons if p.name)
        yield from _findings(R_NAME_PERSON, fab.placeholder_names(rows), ctx, base.scope)
    if ctx.on(R_NAME_HOUSE):
        rows = (
            fab.NameRow(HOUSE, pk, "owner_name", owner, base.collector(HOUSE, pk, by))
            for pk, owner, _at, by, _unit in base.houses
            if owner
        )
        yield from _findings(R_NAME_HOUSE, fab.placeholder_names(rows), ctx, base.scope)
    if ctx.on(R_NAME_UNIT):
        rows = (
            fab.NameRow(UNIT, pk, fld, value, base.collector(UNIT, pk, by))
            for pk, rep, lead, _at, by, _unit in base.units
            for fld, value in (("legal_rep_name", rep), ("security_lead_name", lead))
            if value
        )
        yield from _findings(R_NAME_UNIT, fab.placeholder_names(rows), ctx, base.scope)


def _households(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if not ctx.on(R_BIRTHDATES):
        return
    ctx.step("signals: households")
    members = [
        fab.MemberRow(base.home[p.pk][0], p.pk, p.birth_date, base.who[p.pk])
        for p in base.persons
        if p.pk in base.home
    ]
    yield from _findings(R_BIRTHDATES, fab.same_birthdates(members, **_p(ctx, R_BIRTHDATES)), ctx, base.scope)


def _timing(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    """Speed and night over one timeline per collector: the people, houses and units they
    entered directly (not those a submission created, not imported ones), and for the night
    also the forms they saved on a phone."""
    if not (ctx.on(R_SPEED) or ctx.on(R_NIGHT)):
        return
    ctx.step("signals: timing")
    events: list[fab.Event] = []
    timed = (
        (PERSON, ((p.pk, p.created_at, p.created_by_id) for p in base.persons)),
        (HOUSE, ((h[0], h[2], h[3]) for h in base.houses)),
        (UNIT, ((u[0], u[3], u[4]) for u in base.units)),
    )
    for rtype, rows in timed:
        for pk, at, by in rows:
            if by is None or at is None or (rtype, pk) in base.created_by_submission:
                continue
            ts = _ts(at)
            if not base.imported(ts):
                events.append(fab.Event(by, ts, rtype, pk))
    if ctx.on(R_SPEED):
        hits = fab.speed_bursts(events, tz=_tz(), **_p(ctx, R_SPEED))
        yield from _findings(R_SPEED, hits, ctx, base.scope)
    if ctx.on(R_NIGHT):
        forms = [fab.Event.when(s.collector, s.at, SUBMISSION, s.pk) for s in base.subs if s.at is not None]
        hits = fab.night_bursts(events + forms, tz=_tz(), **_p(ctx, R_NIGHT))
        yield from _findings(R_NIGHT, hits, ctx, base.scope)


def _forms(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    """Household forms: each one's own duration, and the pace from one household to the next."""
    households = [s for s in base.subs if s.kind == SubmissionKind.HOUSEHOLD]
    if not households:
        return
    if ctx.on(R_PACE):
        rows = [fab.FormRow(s.pk, s.collector, s.started, s.finished, 0, s.resubmission) for s in households]
        hits = fab.household_pace(rows, tz=_tz(), **_p(ctx, R_PACE))
        yield from _findings(R_PACE, hits, ctx, base.scope)
    if ctx.on(R_FAST_FORM):
        yield from _findings(R_FAST_FORM, _fast_forms(ctx, households), ctx, base.scope)


def _place(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if not ctx.on(R_GPS) or not base.subs:
        return
    ctx.step("signals: GPS")
    rows = [
        fab.GpsRow(
            s.pk,
            s.collector,
            float(s.lng),
            float(s.lat),
            s.accuracy,
            s.door,
            float(s.door_lng),
            float(s.door_lat),
        )
        for s in base.subs
        if s.door is not None and None not in (s.lat, s.lng, s.door_lat, s.door_lng)
    ]
    yield from _findings(R_GPS, fab.gps_far(rows, **_p(ctx, R_GPS)), ctx, base.scope)


def _texts(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if ctx.on(R_TEXT) and base.persons:
        ctx.step("signals: text")
        yield from _findings(R_TEXT, fab.text_reuse(_person_texts(base), **_p(ctx, R_TEXT)), ctx, base.scope)
    if ctx.on(R_NOTE) and base.subs:
        rows = [
            fab.TextRow(SUBMISSION, s.pk, "note", text, s.household, s.collector)
            for s in base.subs
            for text in (s.note, s.visit_note)
            if text
        ]
        yield from _findings(R_NOTE, fab.text_reuse(rows, **_p(ctx, R_NOTE)), ctx, base.scope)


def _photos(ctx: ScanContext, base: _Base) -> Iterator[Finding]:
    if not ctx.on(R_PHOTO) or not base.subs:
        return
    ctx.step("signals: photos")
    by_pk = {s.pk: s for s in base.subs}
    photos = Photo.objects.filter(submission__isnull=False).values_list("pk", "sha256", "submission_id")
    rows = [
        fab.PhotoRow(pk, sha, sid, by_pk[sid].collector, by_pk[sid].door)
        for pk, sha, sid in photos.iterator(chunk_size=10000)
        if sid in by_pk
    ]
    yield from _findings(R_PHOTO, fab.photo_reuse(rows, **_p(ctx, R_PHOTO)), ctx, base.scope)


def _submissions() -> list[_Sub]:
    """Every submission not voided as a duplicate, with its door plate (its own, else its task
    household's), the household it is about and its notes (read from the payload in SQL)."""
    rows = (
        Submission.objects.exclude(state=SubmissionState.VOIDED)
        .annotate(
            note_text=KT("payload__note"),
            visit_note_text=KT("payload__visit__note"),
            house_ref=KT("payload__house__id"),
            room_ref=KT("payload__room__id"),
            address_ref=KT("payload__address_id"),
        )
        .values_list(
            "pk",
            "kind",
            "collector_id",
            "received_at",
            "started_at",
            "finished_at",
            "replaces_id",
            "lat",
            "lng",
            "accuracy_m",
            "door_id",
            "door__lat",
            "door__lng",
            "task_item__door_id",
            "task_item__door__lat",
            "task_item__door__lng",
            "house_ref",
            "room_ref",
            "address_ref",
            "task_item__address_id",
            "note_text",
            "visit_note_text",
            "police_unit_id",
        )
    )
    out = []
    for r in rows.iterator(chunk_size=5000):
        door = r[10:13] if r[10] is not None or r[13] is None else r[13:16]
        household: tuple[str, Any] = ("submission", r[0])
        for label, ref in (("house", r[16]), ("room", r[17]), ("address", r[18]), ("address", r[19])):
            if ref not in (None, ""):
                household = (label, str(ref))
                break
        else:
            if door[0] is not None:
                household = ("door", str(door[0]))
        note, visit_note = (
            (r[20] if isinstance(r[20], str) else ""),
            (r[21] if isinstance(r[21], str) else ""),
        )
        at = r[5] or r[4] or r[3]
        out.append(
            _Sub(
                r[0],
                r[1],
                r[2],
                at,
                r[4],
                r[5],
                r[6] is not None,
                r[7],
                r[8],
                r[9],
                *door,
                household,
                note,
                visit_note,
                r[22],
            )
        )
    return out


def _new_records(payload: Any) -> int:
    """New people, house and units a household payload brings (entries without an ``id``)."""
    if not isinstance(payload, dict):
        return 0
    parts: list[Any] = []
    for key in ("persons", "units"):
        if isinstance(payload.get(key), list):
            parts.extend(payload[key])
    parts.append(payload.get("house"))
    return sum(1 for p in parts if isinstance(p, dict) and "id" not in p and ("fields" in p or "cid" in p))


def _fast_forms(ctx: ScanContext, subs: list[_Sub]) -> list[Hit]:
    """Household forms saved too soon after they were opened. Only forms quick enough to fail
    for some number of new records are looked into (their payloads and client entities)."""
    floor = float(ctx.param(R_FAST_FORM, "min_form_seconds"))
    per = float(ctx.param(R_FAST_FORM, "min_seconds_per_record"))
    candidates = {
        s.pk: s
        for s in subs
        if s.started is not None
        and s.finished is not None
        and not s.resubmission
        and (s.finished - s.started).total_seconds() < max(floor, per * 15)  # 15 new records at most
    }
    if not candidates:
        return []
    ids = sorted(candidates)
    entities: Counter[int] = Counter()
    payloads: dict[int, int] = {}
    for i in range(0, len(ids), 2000):
        chunk = ids[i : i + 2000]
        entities.update(
            dict(
                ClientEntity.objects.filter(submission_id__in=chunk, entity__in=["person", "house", "unit"])
                .values_list("submission_id")
                .annotate(n=Count("pk"))
                .values_list("submission_id", "n")
            )
        )
        for pk, payload in Submission.objects.filter(pk__in=chunk).values_list("pk", "payload"):
            payloads[pk] = _new_records(payload)
    rows = [
        fab.FormRow(pk, s.collector, s.started, s.finished, max(entities.get(pk, 0), payloads.get(pk, 0)))
        for pk, s in candidates.items()
    ]
    return fab.fast_forms(rows, min_form_seconds=floor, min_seconds_per_record=per)


def _person_texts(base: _Base) -> list[Any]:
    """Occupation, employer and hukou address text of every person, with what backs them: an
    employment at a unit of that name (employer) or with that post (occupation); for the hukou
    address, living at (or under) the address the text names."""
    employers: dict[int, set[str]] = {}
    posts: dict[int, set[str]] = {}
    jobs = _live(Employment.objects.filter(active=True)).values_list("person_id", "unit__name", "post")
    for pid, unit_name, post in jobs.iterator(chunk_size=10000):
        employers.setdefault(pid, set()).add(fab.norm_text(unit_name))
        posts.setdefault(pid, set()).add(fab.norm_text(post))
    rows: list[Any] = []  # fab.TextRow order, as plain tuples
    norm = fab.norm_text
    for p in base.persons:
        pk = p.pk
        occupation, employer, hukou = p.occupation, p.employer, p.hukou_address_text
        if not (occupation or employer or hukou):
            continue
        home = base.home.get(pk)
        household: Any = home[0] if home else ("person", pk)
        # Who may have written the text: the responsible collector, whoever changed the record
        # last and the collectors whose submissions changed it (a text pasted in a later edit).
        authors = {base.who[pk], p.updated_by_id, *base.editors.get((PERSON, pk), ())} - {None}
        texts = []
        if occupation:
            texts.append(("occupation", occupation, norm(occupation) in posts.get(pk, ())))
        if employer:
            texts.append(("employer", employer, norm(employer) in employers.get(pk, ())))
        if hukou:
            address = home[1] if home else ""
            backed = bool(address) and (address.startswith(hukou) or norm(address).startswith(norm(hukou)))
            texts.append(("hukou_address_text", hukou, backed))
        for author in authors:
            for fld, text, backed in texts:
                rows.append((PERSON, pk, fld, text, household, author, backed))
    return rows


def records_by_collector(police_prefix: str = "") -> dict[int, int]:
    """People, houses and units each collector is responsible for (``created_by``, or the
    collector of the submission that created the record): the denominator of
    ``quality.risk.collector_risk``. Voided records are left out."""
    counts: Counter[int] = Counter()
    moved: Counter[int] = Counter()
    created = SubmissionEffect.objects.filter(action="create").values_list(
        "record_type", "record_id", "submission__collector_id"
    )
    via = {(t, i): c for t, i, c in created.iterator(chunk_size=5000)}
    for label, model in ((PERSON, Person), (HOUSE, House), (UNIT, Unit)):
        qs = _live(model.objects.all())
        if police_prefix:
            qs = qs.filter(police_unit_id__startswith=police_prefix)
        for by, n in (
            qs.values_list("created_by_id").annotate(n=Count("pk")).values_list("created_by_id", "n")
        ):
            if by is not None:
                counts[by] += n
        mine = [i for (t, i) in via if t == label]
        for i in range(0, len(mine), 5000):
            chunk = mine[i : i + 5000]
            for pk, by in qs.filter(pk__in=chunk).values_list("pk", "created_by_id"):
                collector = via[(label, pk)]
                if by == collector:
                    continue
                if by is not None:
                    moved[by] += 1
                counts[collector] += 1
    counts.subtract(moved)
    return {k: v for k, v in counts.items() if v > 0}


__all__ = ["RULES", "records_by_collector", "run"]
