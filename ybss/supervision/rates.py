"""Rates for any node of either hierarchy on any day, read from ``RateFact``.

How the counts are kept
-----------------------
``rates_refresh(day)`` counts every rate of ``definitions.RATES`` once per leaf — a (police unit,
division) pair as stamped on the records — and replaces that day's ``RateFact`` rows. A county has
a few hundred leaves, so a day is a few thousand rows, and any node of either tree is a sum over
the leaves under it: the county dashboard reads one small table instead of half a million records.

* Today is counted from the records' current state (``trigger`` live, command or job). A running
  server (``ybss serve``) recounts every ``YBSS_RATES_REFRESH_MINUTES`` (default 10), so the last
  count of a day stays as that day's record; the page shows when the figures were counted.
* A past day that was never counted is *reconstructed* from the records' timestamps (created,
  cleaned, marked, verified, finished, closed) — exact for work that only moves forward, an
  approximation where a record was later cancelled. ``RateFact.reconstructed`` says which.
* ``rates_backfill(start, end)`` reconstructs a range in one pass per rate (counts by day of the
  timestamp, then running sums), which is how the demo county gets its history.

Reads are scoped: facts carry ``division`` and ``police_unit`` and go through
``org.jurisdiction.scope`` like any record; a node outside the caller's jurisdiction is NotFound.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from ybss.addresses.rates import Rate
from ybss.core.errors import NotFound
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, PoliceUnit, PoliceUnitKind, User

from .definitions import MAIN_RATES, RATES, RateDef
from .models import RateFact, RateRefresh

log = logging.getLogger(__name__)

POLICE = "police"
DIVISION = "division"
TREES = (POLICE, DIVISION)


@dataclass(frozen=True)
class Node:
    """A node of the police tree (county bureau, station, police district) or of the division tree
    (county, township, village)."""

    tree: str
    code: str
    name: str
    kind: str
    prefix: str
    parent: str | None

    @property
    def field(self) -> str:
        """The stamp column this node's subtree filters on."""
        return "police_unit" if self.tree == POLICE else "division"

    @property
    def is_leaf(self) -> bool:
        return (self.tree == POLICE and self.kind == PoliceUnitKind.DISTRICT) or (
            self.tree == DIVISION and self.kind == "5"
        )


def _police_node(u: PoliceUnit) -> Node:
    return Node(POLICE, u.code, u.name, u.kind, u.prefix, u.parent_id)


def _division_node(d: AdminDivision) -> Node:
    return Node(DIVISION, d.code, d.name, str(d.level), d.prefix, d.parent_id)


# --- nodes -----------------------------------------------------------------------------------


def _roots(actor: User) -> list[Node]:
    roots = []
    if actor.police_unit is not None:
        roots.append(_police_node(actor.police_unit))
    if actor.division is not None:
        roots.append(_division_node(actor.division))
    return roots


def _visible(actor: User, node: Node) -> bool:
    """A node is visible when it lies inside one of the caller's roots, or when the caller's police
    root is a whole county (or more) and the node is a division of that county."""
    if not jurisdiction.can_see_business_data(actor):
        return False
    for root in _roots(actor):
        if node.prefix.startswith(root.prefix) and (root.tree == node.tree or root.kind in _WIDE):
            return True
    return False


_WIDE = frozenset({PoliceUnitKind.COUNTY_BUREAU, PoliceUnitKind.CITY_BUREAU})


def node_root(*, actor: User, tree: str = POLICE) -> Node:
    """The caller's own node: their police unit (or, for ``tree="division"`` and for users assigned
    to a division only, their division). NotFound for users who see no business data."""
    if not jurisdiction.can_see_business_data(actor):
        raise NotFound()
    if tree == DIVISION and actor.division is not None:
        return _division_node(actor.division)
    if tree == DIVISION and actor.police_unit is not None and actor.police_unit.kind in _WIDE:
        county = AdminDivision.objects.filter(pk=actor.police_unit.prefix.ljust(12, "0")).first()
        if county is not None:
            return _division_node(county)
    if actor.police_unit is not None:
        return _police_node(actor.police_unit)
    if actor.division is not None:
        return _division_node(actor.division)
    raise NotFound()


def node_get(*, actor: User, tree: str, code: str) -> Node:
    """The node ``code`` of ``tree`` if the caller may see it; NotFound otherwise (also for a
    missing node or an unknown tree)."""
    node: Node | None = None
    if tree == POLICE:
        unit = PoliceUnit.objects.filter(pk=code).first()
        node = _police_node(unit) if unit else None
    elif tree == DIVISION:
        div = AdminDivision.objects.filter(pk=code).first()
        node = _division_node(div) if div else None
    if node is None or not _visible(actor, node):
        raise NotFound()
    return node


def node_children(*, actor: User, node: Node) -> list[Node]:
    """The children of ``node`` the caller may see (county → stations → districts; county →
    townships → villages), in code order."""
    if node.tree == POLICE:
        kids = [_police_node(u) for u in PoliceUnit.objects.filter(parent_id=node.code).order_by("code")]
    else:
        kids = [_division_node(d) for d in AdminDivision.objects.filter(parent_id=node.code).order_by("code")]
    return [k for k in kids if _visible(actor, k)]


def node_path(*, actor: User, node: Node) -> list[Node]:
    """The nodes from the highest one the caller may see down to ``node`` (a breadcrumb)."""
    path = [node]
    parent = node.parent
    while parent:
        try:
            up = node_get(actor=actor, tree=node.tree, code=parent)
        except NotFound:
            break
        path.append(up)
        parent = up.parent
    return list(reversed(path))


# --- reads -----------------------------------------------------------------------------------


def _day(day: dt.date | None) -> dt.date:
    return day or timezone.localdate()


def _facts(
    actor: User, node: Node, day: dt.date, codes: Iterable[str]
) -> list[tuple[str, str, str, int, int]]:
    ensure_day(day)
    qs = jurisdiction.scope(RateFact.objects.all(), actor).filter(
        jurisdiction.subtree_q(node.field, node.prefix), day=day, code__in=list(codes)
    )
    return list(qs.values_list("police_unit_id", "division_id", "code", "numerator", "denominator"))


def _rate(code: str, num: int, den: int) -> Rate:
    d = RATES[code]
    return Rate(code, str(d.label), num, den, str(d.definition))


def _codes(codes: Iterable[str] | None) -> list[str]:
    return [c for c in (codes or RATES) if c in RATES]


def rates_at(
    *, actor: User, node: Node, day: dt.date | None = None, codes: Iterable[str] | None = None
) -> dict[str, Rate]:
    """Each rate of ``codes`` (default: all, in definition order) over ``node`` on ``day`` (default
    today), within the caller's jurisdiction. One query over the day's facts."""
    wanted = _codes(codes)
    sums: dict[str, list[int]] = {c: [0, 0] for c in wanted}
    for _pu, _div, code, num, den in _facts(actor, node, _day(day), wanted):
        sums[code][0] += num
        sums[code][1] += den
    return {c: _rate(c, *sums[c]) for c in wanted}


def rates_by_child(
    *, actor: User, node: Node, day: dt.date | None = None, codes: Iterable[str] | None = None
) -> list[tuple[Node, dict[str, Rate]]]:
    """The rates of each visible child of ``node``; one query over the day's facts."""
    wanted = _codes(codes)
    children = node_children(actor=actor, node=node)
    by_prefix = {c.prefix: c for c in children}
    lengths = sorted({len(p) for p in by_prefix}, reverse=True)
    sums: dict[str, dict[str, list[int]]] = {c.code: {k: [0, 0] for k in wanted} for c in children}
    index = 0 if node.tree == POLICE else 1
    for row in _facts(actor, node, _day(day), wanted):
        key = str(row[index])
        for n in lengths:
            child = by_prefix.get(key[:n])
            if child is not None:
                acc = sums[child.code][row[2]]
                acc[0] += row[3]
                acc[1] += row[4]
                break
    return [(c, {k: _rate(k, *sums[c.code][k]) for k in wanted}) for c in children]


def rate_history(
    *, actor: User, node: Node, codes: Iterable[str] | None = None, start: dt.date, end: dt.date
) -> dict[str, list[tuple[dt.date, Rate]]]:
    """Each rate of ``codes`` over ``node`` for every day from ``start`` to ``end`` that has facts
    (days never counted are left out, not reconstructed here). One grouped query."""
    wanted = _codes(codes or MAIN_RATES)
    rows = (
        jurisdiction.scope(RateFact.objects.all(), actor)
        .filter(jurisdiction.subtree_q(node.field, node.prefix), day__range=(start, end), code__in=wanted)
        .values("day", "code")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by("day")
    )
    out: dict[str, list[tuple[dt.date, Rate]]] = {c: [] for c in wanted}
    for r in rows:
        out[r["code"]].append((r["day"], _rate(r["code"], r["num"] or 0, r["den"] or 0)))
    return out


def facts_as_of(*, day: dt.date | None = None) -> dt.datetime | None:
    """When the facts of ``day`` (default today) were last counted, or None."""
    last = (
        RateRefresh.objects.filter(day=_day(day), finished_at__isnull=False).order_by("-finished_at").first()
    )
    return last.finished_at if last else None


def facts_reconstructed(*, day: dt.date) -> bool:
    """True when the facts of ``day`` were rebuilt from timestamps rather than counted that day."""
    return RateFact.objects.filter(day=day, reconstructed=True).exists()


def ensure_day(day: dt.date) -> None:
    """Count ``day`` now if it has never been counted (first dashboard of the day, or a past day
    asked for the first time). Past days are reconstructed."""
    if RateRefresh.objects.filter(day=day, finished_at__isnull=False).exists():
        return
    today = timezone.localdate()
    if day > today:
        return
    rates_refresh(day=day, trigger="live" if day == today else "backfill")


# --- counting --------------------------------------------------------------------------------


def _model(d: RateDef) -> Any:
    return apps.get_model(d.model)


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _count_now(d: RateDef) -> dict[tuple[str, str], list[int]]:
    rows = (
        _model(d)
        .objects.filter(d.base)
        .values("police_unit_id", "division_id")
        .annotate(den=Count("pk"), num=Count("pk", filter=d.done))
        .order_by()
    )
    return {(r["police_unit_id"], r["division_id"]): [r["num"], r["den"]] for r in rows}


def _count_until(d: RateDef, end: dt.datetime) -> dict[tuple[str, str], list[int]]:
    qs = _model(d).objects.filter(d.base).annotate(_s=d.since(), _d=Greatest(d.since(), d.done_since()))
    rows = (
        qs.filter(_s__lt=end)
        .values("police_unit_id", "division_id")
        .annotate(den=Count("pk"), num=Count("pk", filter=d.done & Q(_d__lt=end)))
        .order_by()
    )
    return {(r["police_unit_id"], r["division_id"]): [r["num"], r["den"]] for r in rows}


def _write(day: dt.date, counts: dict[str, dict[tuple[str, str], list[int]]], *, reconstructed: bool) -> int:
    rows = [
        RateFact(
            day=day,
            code=code,
            police_unit_id=pu,
            division_id=div,
            numerator=num,
            denominator=den,
            reconstructed=reconstructed,
        )
        for code, leaves in counts.items()
        for (pu, div), (num, den) in leaves.items()
        if den or num
    ]
    RateFact.objects.filter(day=day).delete()
    RateFact.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rates_refresh(
    *, day: dt.date | None = None, trigger: str = "live", progress: Callable[[str], None] | None = None
) -> int:
    """Count every rate for every leaf on ``day`` (default today) and replace that day's facts.

    Today is counted from the records' current state; a past day is reconstructed from their
    timestamps. Returns the number of fact rows. One transaction; safe to run while pages read
    (they see the old facts until it commits).
    """
    day = _day(day)
    today = timezone.localdate()
    started = timezone.now()
    counts: dict[str, dict[tuple[str, str], list[int]]] = {}
    for code, d in RATES.items():
        counts[code] = _count_now(d) if day >= today else _count_until(d, _end_of(day))
        if progress:
            progress(code)
    with transaction.atomic():
        n = _write(day, counts, reconstructed=day < today)
        RateRefresh.objects.create(
            day=day, started_at=started, finished_at=timezone.now(), rows=n, trigger=trigger
        )
    log.info("rates counted for %s: %s facts (%s)", day, n, trigger)
    return n


def rates_backfill(
    *, start: dt.date, end: dt.date, progress: Callable[[str], None] | None = None, trigger: str = "backfill"
) -> int:
    """Reconstruct the facts of every day from ``start`` to ``end`` (inclusive, before today) in
    one pass per rate: counts by (leaf, day of timestamp), then running sums. Days already counted
    live are kept. Returns the number of fact rows written."""
    today = timezone.localdate()
    end = min(end, today - dt.timedelta(days=1))
    if end < start:
        return 0
    kept = set(
        RateRefresh.objects.filter(day__range=(start, end))
        .exclude(trigger__in=("backfill",))
        .values_list("day", flat=True)
    )
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if d not in kept]
    tz = timezone.get_current_timezone()
    per_day: dict[dt.date, dict[str, dict[tuple[str, str], list[int]]]] = {d: {} for d in days}
    for code, d in RATES.items():
        qs = _model(d).objects.filter(d.base)
        den = (
            qs.annotate(_day=TruncDate(d.since(), tzinfo=tz))
            .values("police_unit_id", "division_id", "_day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        num = (
            qs.filter(d.done)
            .annotate(_day=TruncDate(Greatest(d.since(), d.done_since()), tzinfo=tz))
            .values("police_unit_id", "division_id", "_day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        events: dict[tuple[str, str], list[tuple[dt.date, int, int]]] = defaultdict(list)
        for r in den:
            events[(r["police_unit_id"], r["division_id"])].append((r["_day"], 0, r["n"]))
        for r in num:
            events[(r["police_unit_id"], r["division_id"])].append((r["_day"], r["n"], 0))
        for leaf, evs in events.items():
            evs.sort(key=lambda e: (e[0] is None, e[0]))
            acc_num = acc_den = 0
            i = 0
            for day in days:
                while i < len(evs) and evs[i][0] is not None and evs[i][0] <= day:
                    acc_num += evs[i][1]
                    acc_den += evs[i][2]
                    i += 1
                if acc_den or acc_num:
                    per_day[day].setdefault(code, {})[leaf] = [acc_num, acc_den]
        if progress:
            progress(code)
    total = 0
    started = timezone.now()
    with transaction.atomic():
        for day in days:
            n = _write(day, per_day[day], reconstructed=True)
            total += n
            RateRefresh.objects.filter(day=day, trigger="backfill").delete()
            RateRefresh.objects.create(
                day=day, started_at=started, finished_at=timezone.now(), rows=n, trigger="backfill"
            )
    return total


def refresh_minutes() -> int | None:
    """Minutes between live counts in a running server (None: off)."""
    value = str(getattr(settings, "YBSS_RATES_REFRESH_MINUTES", "10")).strip().lower()
    if value in ("", "off", "none", "no", "0"):
        return None
    return max(1, int(value))
