"""The staggered-time day plan (错时采集) from the database: a selector module.

The households of a collector's day are the unfinished items (``done_at`` empty) of their OPEN
tasks, one per address, in address-code order (the naive plan's "address order"). For each:

* where: the door plate's coordinates (the room address's own when the door plate has none);
* when: a ``HouseholdAvailability`` row when someone recorded one, else
  ``scheduling.infer_availability`` from the registry — the current residents' ages and
  occupations (``Residence`` → ``Person``) and residence reasons, an operating unit or a house
  used for business at the address, and rural (a village, NBS code 200–399) or urban;
* failures: the visits that found nobody home there (``Visit`` outcome ``nobody_home``);
* appointments: the earliest confirmed (or resident-moved) appointment not yet over is a hard
  window; a proposed one on the planned day raises the priority instead;
* priority (0–3): +1 after a failed visit, +1 for a proposed appointment that day, +1 when a
  resident is a key person, an inflow resident or separated from their domicile (人户分离), or
  the house is rented out (DOMAIN.md §1 priorities).

A ``CollectorHours`` row overrides ``scheduling.DEFAULT_SHIFTS`` (and without ``weekend`` the
collector has no shifts on Saturdays and Sundays). The inputs for any number of collectors are
loaded in a fixed number of queries (items, availability, residents, houses, units, visits,
appointments, hours), so ``plan_all`` stays fast for a county.

``collector_day_plan`` is scoped: the actor sees their own plan, and officers, chiefs,
supervisors and admins the plan of a collector in their jurisdiction (else ``NotFound``); only
tasks inside the actor's jurisdiction are planned. The registry facts are read only to derive
the kind and never leave this module. ``plan_all`` is the unscoped bulk path of the command line
and the benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Case, CharField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from ybss.addresses.models import StandardAddress
from ybss.core.errors import NotFound
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import Role, User
from ybss.registry.models import House, Residence, ResidenceType, Unit

from . import scheduling as sch
from .models import (
    Appointment,
    AppointmentState,
    CollectionTask,
    CollectorHours,
    HouseholdAvailability,
    TaskItem,
    TaskState,
    Visit,
    VisitOutcome,
)

#: Roles that may look at another collector's plan (inside their jurisdiction).
PLAN_VIEW_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})
#: Appointment states whose window the resident agreed to: hard windows.
AGREED_STATES = (AppointmentState.CONFIRMED, AppointmentState.MOVED)
MAX_PRIORITY = 3


@dataclass(frozen=True)
class PlanInput:
    """What ``scheduling.plan_day`` needs for one collector: their shifts that day and households."""

    collector_id: int
    shifts: tuple[tuple[dt.time, dt.time], ...]
    households: tuple[sch.Household, ...]


# --- shifts ------------------------------------------------------------------------------------


def parse_shifts(value: Any) -> tuple[tuple[dt.time, dt.time], ...] | None:
    """``[["09:00", "12:00"], ...]`` as times, or None when it is not a valid list of shifts
    (each start before its end, no overlaps)."""
    if not isinstance(value, list | tuple) or not value:
        return None
    out = []
    try:
        for pair in value:
            a, b = (dt.time.fromisoformat(str(x)) for x in pair)
            if not a < b:
                return None
            out.append((a, b))
    except (TypeError, ValueError):
        return None
    out.sort()
    if any(out[i][1] > out[i + 1][0] for i in range(len(out) - 1)):
        return None
    return tuple(out)


def shifts_for(hours: CollectorHours | None, day: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
    """The collector's shifts on ``day``: their ``CollectorHours`` (none at weekends without
    ``weekend``), else ``DEFAULT_SHIFTS``."""
    if hours is None:
        return sch.DEFAULT_SHIFTS
    if not hours.weekend and sch.is_weekend(day):
        return ()
    return parse_shifts(hours.shifts) or sch.DEFAULT_SHIFTS


# --- loading -----------------------------------------------------------------------------------


def _age(born: Any, day: dt.date, month_day: str) -> int:
    """Age in whole years on ``day`` of someone born on ``born`` (a date, or ISO text as SQLite
    returns it; ``month_day`` is ``day`` as ``MM-DD``); 40 when unknown."""
    if not born:
        return 40
    if isinstance(born, str):
        return day.year - int(born[:4]) - (month_day < born[5:10])
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _rural(division_code: str) -> bool:
    """Village committees (村委会) have NBS codes 200–399 in their last three digits."""
    tail = division_code[9:12]
    return tail.isdigit() and int(tail) >= 200


def _raw(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query straight from the cursor, without Django's per-row
    converters (a third of the load time over a county): numbers and booleans come as the
    driver gives them, dates as ``date`` or ISO text (SQLite)."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


#: A resident who makes the household a priority (DOMAIN.md §1): an inflow resident, one living
#: away from their domicile (人户分离) or a key person.
_PRIORITY_RESIDENT = Case(
    When(
        Q(residence_type=ResidenceType.FLOATING) | Q(separated=True) | Q(person__is_key_person=True),
        then=Value(1),
    ),
    default=Value(0),
    output_field=IntegerField(),
)


def load_inputs(items: QuerySet[TaskItem], day: dt.date) -> dict[int, list[sch.Household]]:
    """The households of ``items`` (unfinished task items) per assignee, in address-code order.

    Seven queries whatever the number of items (see the module docstring for what is read). The
    facts are fetched by the police districts of the items (the stamps' index) and kept for the
    items' addresses: an ``IN (subquery)`` over a county's items was three times slower."""
    rows = _raw(
        items.order_by().values_list(
            "task__assignee_id",
            "address_id",
            "door_id",
            "address__code",
            "address__division_id",
            "police_unit_id",
            "door__lng",
            "door__lat",
            "address__lng",
            "address__lat",
        )
    )
    if not rows:
        return {}
    wanted = {r[1] for r in rows}
    units = sorted({r[5] for r in rows})

    def facts(model: Any, *fields: Any, raw: bool = False, **filters: Any) -> list[tuple[Any, ...]]:
        qs = model.objects.filter(police_unit_id__in=units, **filters)
        if hasattr(model, "status"):
            qs = qs.exclude(status=RecordStatus.VOIDED)
        qs = qs.order_by().values_list(*fields)
        return [r for r in (_raw(qs) if raw else qs) if r[0] in wanted]

    kinds = dict(facts(HouseholdAvailability, "address_id", "kind"))
    residents: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in facts(
        Residence,
        "house__address_id",
        Cast("person__birth_date", CharField()),  # ISO text: no per-row date conversion
        "person__occupation",
        "reason",
        _PRIORITY_RESIDENT,
        raw=True,
        active=True,
    ):
        residents[row[0]].append(row)
    uses: dict[int, set[str]] = defaultdict(set)
    for address_id, use in facts(House, "address_id", "use", raw=True):
        uses[address_id].add(use)
    shops = {r[0] for r in facts(Unit, "address_id", biz_status="open")}
    failed: dict[int, list[dt.datetime]] = defaultdict(list)
    for address_id, at in facts(Visit, "address_id", "visited_at", outcome=VisitOutcome.NOBODY_HOME):
        failed[address_id].append(at)
    day_start = dt.datetime.combine(day, dt.time(0), sch.TZ)
    agreed: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    proposed_today: set[int] = set()
    appointments = facts(
        Appointment,
        "address_id",
        "window_start",
        "window_end",
        "state",
        state__in=[*AGREED_STATES, AppointmentState.PROPOSED],
        window_end__gt=day_start,
    )
    for address_id, start, end, state in sorted(appointments, key=lambda r: r[1]):
        if state in AGREED_STATES:
            agreed.setdefault(address_id, (start, end))
        elif sch.local(start).date() == day:
            proposed_today.add(address_id)

    month_day = f"{day:%m-%d}"
    no_uses: set[str] = set()
    out: dict[int, list[tuple[str, sch.Household]]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for assignee, address_id, door_id, code, division, _unit, dlng, dlat, alng, alat in rows:
        if (assignee, address_id) in seen:
            continue
        seen.add((assignee, address_id))
        people = residents.get(address_id, ())
        house_uses = uses.get(address_id, no_uses)
        shop = address_id in shops or "business" in house_uses
        kind = kinds.get(address_id)
        if kind is None:
            if not people and not shop:
                kind = sch.UNKNOWN
            else:
                kind = sch.infer_availability(
                    ages=[_age(p[1], day, month_day) for p in people],
                    occupations=[p[2] or "" for p in people],
                    reasons=[p[3] for p in people if p[3]],
                    shop=shop,
                    rural=_rural(division or ""),
                )
        fails = failed.get(address_id)
        priority = (
            (fails is not None)
            + (address_id in proposed_today)
            + ("rented" in house_uses or any(p[4] for p in people))
        )
        lng, lat = (dlng, dlat) if dlng is not None and dlat is not None else (alng, alat)
        out[assignee].append(
            (
                code,
                sch.Household(
                    key=address_id,
                    door_key=door_id,
                    lng=None if lng is None else float(lng),
                    lat=None if lat is None else float(lat),
                    kind=kind,
                    failed=tuple(sorted(fails)) if fails else (),
                    appointment=agreed.get(address_id),
                    priority=min(int(priority), MAX_PRIORITY),
                ),
            )
        )
    return {k: [h for _, h in sorted(v, key=lambda pair: pair[0])] for k, v in out.items()}


def _hours(user_ids: Iterable[int]) -> dict[int, CollectorHours]:
    return {h.user_id: h for h in CollectorHours.objects.filter(user_id__in=list(user_ids))}


def _open_items() -> QuerySet[TaskItem]:
    return TaskItem.objects.filter(task__state=TaskState.OPEN, done_at__isnull=True)


def plan_inputs(day: dt.date, collectors: Sequence[User | int] | None = None) -> dict[int, PlanInput]:
    """The plan inputs of every collector with open work (or of ``collectors``, empty when they
    have none), unscoped: the bulk path for the command line and the benchmark. Eight queries."""
    items = _open_items()
    ids: list[int] | None = None
    if collectors is not None:
        ids = [c.pk if isinstance(c, User) else int(c) for c in collectors]
        items = items.filter(task__assignee_id__in=ids)
    households = load_inputs(items, day)
    order = ids if ids is not None else sorted(households)
    hours = _hours(order)
    return {
        uid: PlanInput(uid, shifts_for(hours.get(uid), day), tuple(households.get(uid, ()))) for uid in order
    }


def plan_all(
    day: dt.date,
    collectors: Sequence[User | int] | None = None,
    *,
    naive: bool = False,
    progress: Callable[[list[PlanInput]], Iterable[PlanInput]] | None = None,
) -> dict[int, sch.DayPlan]:
    """The day plan of every collector with open work (or of ``collectors``), by user id; the
    naive plan with ``naive``. ``progress`` wraps the per-collector loop (a tqdm bar, say).
    Unscoped (command line, benchmark); loads everything in ``plan_inputs``'s eight queries."""
    inputs = list(plan_inputs(day, collectors).values())
    loop = progress(inputs) if progress is not None else inputs
    return {p.collector_id: plan_for(p, day, naive=naive) for p in loop}


def plan_for(inp: PlanInput, day: dt.date, *, naive: bool = False) -> sch.DayPlan:
    """The staggered (or naive) plan of one collector's inputs."""
    if naive:
        return sch.naive_plan(inp.households, day)
    return sch.plan_day(inp.households, day, inp.shifts)


# --- scoped ------------------------------------------------------------------------------------


def _collector(actor: User, collector: User | int) -> User:
    """The collector whose plan ``actor`` asks for: themselves, or for PLAN_VIEW_ROLES an active
    user in their jurisdiction; NotFound otherwise (missing and out of scope look the same)."""
    pk = collector.pk if isinstance(collector, User) else collector
    if pk == actor.pk:
        return actor
    if actor.role not in PLAN_VIEW_ROLES:
        raise NotFound()
    users = User.objects.filter(is_active=True, role__in=[Role.COLLECTOR, Role.OFFICER])
    return jurisdiction.get_in_scope(users, actor, pk=pk)


def collector_day_plan(
    *, actor: User, collector: User | int, day: dt.date, naive: bool = False
) -> sch.DayPlan:
    """The staggered-time plan (or the naive one) of ``collector`` for ``day``, as ``actor`` may
    see it: only the collector's open tasks inside ``actor``'s jurisdiction. NotFound for a
    collector the actor may not look at. About a dozen queries whatever the number of households."""
    user = _collector(actor, collector)
    tasks = jurisdiction.scope(
        CollectionTask.objects.filter(assignee_id=user.pk, state=TaskState.OPEN), actor
    )
    items = _open_items().filter(task__in=tasks.values("pk"))
    households = load_inputs(items, day).get(user.pk, [])
    inp = PlanInput(user.pk, shifts_for(_hours([user.pk]).get(user.pk), day), tuple(households))
    return plan_for(inp, day, naive=naive)


def plan_labels(*, actor: User, plan: sch.DayPlan) -> dict[int, str]:
    """The full names of the addresses of ``plan``'s stops that ``actor`` may see, by id."""
    keys: list[Any] = [s.key for s in plan.stops]
    if not keys:
        return {}
    qs = jurisdiction.scope(StandardAddress.objects.filter(pk__in=keys), actor)
    return dict(qs.values_list("pk", "full_name"))


def local_today() -> dt.date:
    """Today in the county's time zone."""
    return timezone.localdate()
