"""Staggered-time scheduling (错时采集): when each household is likely at home, and a collector's
day plan — which households, in which windows, in what walking order.

Pure: no ORM and no Django settings; plain data in, frozen dataclasses out (``planning.py`` builds
the inputs from the database). Times are local wall-clock times in Asia/Shanghai: aware datetimes
in any zone are converted, naive ones are taken as Shanghai local time; everything returned is
aware (Asia/Shanghai).

The model
---------
* **Availability kinds** (``collection.models.Availability`` values) and their windows on a day
  (``windows_for``):

  ========  =================================  =================================
  kind      Monday–Friday                      Saturday, Sunday
  ========  =================================  =================================
  office    18:00–21:00                        09:00–21:00
  shop      09:00–11:00, 14:00–17:00 (off-peak, every day)
  elderly   09:00–11:30, 14:30–18:00 (daytime, after the midday rest, every day)
  farm      06:30–08:30, 11:30–14:00, 18:30–21:00; in the slack season (December–February)
            08:00–21:00
  unknown   12:00–13:30, 18:00–21:00           09:00–21:00 (a prior: most households
                                               have someone home then)
  ========  =================================  =================================

  ``infer_availability`` picks a kind from plain facts about the residents (ages, occupations,
  residence reasons), a shop at the address and rural/urban.
* **Learned windows** (``learned_windows``): failed visits (nobody home) of the same day type
  (weekday / weekend) cut ``AVOID_MINUTES`` either side of each failure out of the windows. An
  unknown household is first moved to the complementary part of the day: failures by day →
  evenings, failures in the evening → daytime. When nothing is left, the complement of the
  failures' part of the day is used (away from the failures; failing that, any daytime or evening
  hours away from them; failing that, the complement as it is). Windows shorter than
  ``MIN_WINDOW_MINUTES`` are dropped.
* **Collector**: works in shifts (``DEFAULT_SHIFTS`` 09:00–12:00 and 15:00–21:00, staggered to
  meet office workers; ``DAYTIME_SHIFTS`` 09:00–12:00 and 14:00–17:00 for the naive plan). A visit
  takes ``visit_minutes`` (15 by default) and lies wholly inside one shift; walking between door
  plates at ``speed_kmh`` (4 km/h) happens inside shifts too (after a break the collector goes on
  from the last door plate; walking to the first stop of a later shift starts at that shift).
* **Distances**: straight lines between door plates on an equirectangular projection around the
  households' mean latitude, in metres (error < 0.1 % across a county). Households at one door
  plate (a building, a courtyard) are 0 m apart; a household without coordinates counts as
  ``UNLOCATED_M`` from every other door plate. ``start`` (lng, lat) is where the day begins;
  without it the route starts at the first stop.
* **In window**: the whole visit (start to start + ``visit_minutes``) lies inside one of the
  household's windows on that day: its appointment window when it has an appointment that day,
  else its learned windows. ``DayPlan.in_window_share`` is the share of planned visits in window.
* **Appointments**: an appointment on the planned day is a hard window and is planned first
  (anchors, in order of their latest start; the other stops are fitted around them). One that
  cannot be met inside the shifts is listed in ``DayPlan.missed_appointments``. A household with an
  appointment on a later day is not visited before it; past appointments are ignored.
* **plan_day** (staggered): nearest feasible next stop — from the current door plate and time,
  every household's earliest in-window start is computed at once (numpy); the stop with the least
  (time until the visit starts + ``WALK_WEIGHT`` × walking minutes − ``PRIORITY_MINUTES`` ×
  priority + ``UNCERTAIN_MINUTES`` for an unknown household) is taken —
  then 2-opt and or-opt passes that shorten the route while every stop stays in its window and
  inside the shifts, then the freed time at the end is filled the same greedy way. Only in-window
  visits are planned; time with nothing in window nearby is idle.
* **naive_plan** (the baseline): the households in the order given (address order), back to back
  within ``DAYTIME_SHIFTS``, with the same visit time and walking speed, windows ignored (and
  counted afterwards).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

TZ = ZoneInfo("Asia/Shanghai")

OFFICE, SHOP, ELDERLY, FARM, UNKNOWN = "office", "shop", "elderly", "farm", "unknown"
#: The availability kinds, the values of ``collection.models.Availability``.
KINDS = (OFFICE, SHOP, ELDERLY, FARM, UNKNOWN)
_KNOWN = frozenset({OFFICE, SHOP, ELDERLY, FARM})

Window = tuple[time, time]
Shifts = Sequence[tuple[time, time]]

#: Staggered working hours (错时): a morning, and an afternoon running into the evening.
DEFAULT_SHIFTS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(15), time(21)))
#: Office hours, for the naive plan.
DAYTIME_SHIFTS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14), time(17)))

VISIT_MINUTES = 15
SPEED_KMH = 4.0
#: Distance assumed between a door plate without coordinates and any other door plate.
UNLOCATED_M = 300.0
#: Minutes either side of a failed visit that a household's windows avoid on that day type.
AVOID_MINUTES = 60
#: Learned windows shorter than this are dropped.
MIN_WINDOW_MINUTES = 30
#: Proposed appointment windows last at most / at least this long, and start this long after ``after``.
SLOT_MINUTES = 120
MIN_SLOT_MINUTES = 60
LEAD_MINUTES = 60
#: How far ahead ``propose_windows`` looks.
PROPOSE_DAYS = 14
#: Extra weight of walking minutes over waiting minutes in the greedy choice: a minute's walk
#: counts as 1 + WALK_WEIGHT minutes. Staying near pays: on the demo county a weight of 8–12 gave
#: the most visits a day and half the walking of weight 1 (waiting a few minutes for a neighbour's
#: window beats walking to a far one that is open now).
WALK_WEIGHT = 10.0
#: A priority level is worth this many minutes in the greedy choice (about a minute's walk): it
#: orders neighbouring households without dragging the collector across the district (at 30
#: minutes the demo county lost 3 % of its visits and walked 20 % more).
PRIORITY_MINUTES = 10.0
#: What a guessed window (an ``unknown`` household) costs in the greedy choice: such visits find
#: someone home less often, so among neighbours the ones whose pattern is known go first (on the
#: demo county's simulation: +4 % households found home a day, for 15 % more walking).
UNCERTAIN_MINUTES = 20.0
#: Months of the farming slack season (农闲), when farm households are home by day.
SLACK_MONTHS = frozenset({12, 1, 2})

EARTH_RADIUS_M = 6_371_008.8
_DAY_END = 24 * 60
_EVENING = 18 * 60


def _w(a: str, b: str) -> Window:
    return time.fromisoformat(a), time.fromisoformat(b)


#: Windows per kind: (weekday, weekend).
_WINDOWS: dict[str, tuple[tuple[Window, ...], tuple[Window, ...]]] = {
    OFFICE: ((_w("18:00", "21:00"),), (_w("09:00", "21:00"),)),
    SHOP: ((_w("09:00", "11:00"), _w("14:00", "17:00")),) * 2,
    ELDERLY: ((_w("09:00", "11:30"), _w("14:30", "18:00")),) * 2,
    FARM: ((_w("06:30", "08:30"), _w("11:30", "14:00"), _w("18:30", "21:00")),) * 2,
    UNKNOWN: ((_w("12:00", "13:30"), _w("18:00", "21:00")), (_w("09:00", "21:00"),)),
}
_FARM_SLACK = (_w("08:00", "21:00"),)
#: The parts of the day a household is moved to after failures in the other part.
_DAYTIME = (_w("09:00", "11:30"), _w("14:30", "18:00"))
_EVENINGS = (_w("18:00", "21:00"),)


# --- small helpers ---------------------------------------------------------------------------


def local(dt: datetime) -> datetime:
    """``dt`` in Asia/Shanghai (a naive ``dt`` is taken as Shanghai local time)."""
    return dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def _min(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(m: int) -> time:
    m = max(0, min(m, _DAY_END - 1))
    return time(m // 60, m % 60)


def _at(day: date, minutes: float) -> datetime:
    """The aware datetime ``minutes`` after local midnight of ``day``."""
    return datetime.combine(day, time(0), TZ) + timedelta(minutes=minutes)


Span = tuple[int, int]


def _spans(windows: Iterable[Window]) -> list[Span]:
    return _merge((_min(a), _min(b) if b != time(0) else _DAY_END) for a, b in windows)


def _merge(spans: Iterable[Span]) -> list[Span]:
    out: list[list[int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _subtract(spans: Sequence[Span], cuts: Iterable[Span]) -> list[Span]:
    out = list(spans)
    for ca, cb in cuts:
        nxt: list[Span] = []
        for a, b in out:
            if cb <= a or ca >= b:
                nxt.append((a, b))
                continue
            if a < ca:
                nxt.append((a, ca))
            if cb < b:
                nxt.append((cb, b))
        out = nxt
    return out


def _long(spans: Iterable[Span], minutes: int) -> list[Span]:
    return [(a, b) for a, b in spans if b - a >= minutes]


def _windows(spans: Iterable[Span]) -> list[Window]:
    return [(_time(a), _time(b) if b < _DAY_END else time(23, 59)) for a, b in spans]


def _shift_spans(shifts: Shifts) -> list[Span]:
    spans = _spans(shifts)
    for a, b in spans:
        if not 0 <= a < b <= _DAY_END:
            raise ValueError("a shift must start before it ends, within one day")
    return spans


# --- windows -----------------------------------------------------------------------------------


def windows_for(kind: str, day: date) -> list[Window]:
    """The usual at-home windows of a household of ``kind`` on ``day`` (an unknown kind string
    counts as ``unknown``)."""
    if kind == FARM and day.month in SLACK_MONTHS:
        return list(_FARM_SLACK)
    weekday, weekend = _WINDOWS.get(kind, _WINDOWS[UNKNOWN])
    return list(weekend if is_weekend(day) else weekday)


def _learned_spans(kind: str, failed: Sequence[datetime], day: date) -> list[Span]:
    base = _spans(windows_for(kind, day))
    weekend = is_weekend(day)
    same = sorted(_min(f.time()) for f in (local(x) for x in failed) if is_weekend(f.date()) == weekend)
    if not same:
        return base
    by_day = any(m < _EVENING for m in same)
    in_evening = any(m >= _EVENING for m in same)
    if kind not in _WINDOWS or kind == UNKNOWN:
        if by_day and not in_evening:
            base = _spans(_EVENINGS)
        elif in_evening and not by_day:
            base = _spans(_DAYTIME)
        else:
            base = _spans(_DAYTIME + _EVENINGS)
    cuts = [(m - AVOID_MINUTES, m + AVOID_MINUTES) for m in same]
    out = _long(_subtract(base, cuts), MIN_WINDOW_MINUTES)
    if out:
        return out
    # Nothing left: the complementary part of the day to where the failures mostly were.
    evening_failures = sum(m >= _EVENING for m in same)
    complement = _spans(_DAYTIME if evening_failures * 2 > len(same) else _EVENINGS)
    return (
        _long(_subtract(complement, cuts), MIN_WINDOW_MINUTES)
        or _long(_subtract(_spans(_DAYTIME + _EVENINGS), cuts), MIN_WINDOW_MINUTES)
        or complement
    )


def learned_windows(kind: str, failed: Sequence[datetime], day: date) -> list[Window]:
    """The windows of ``kind`` on ``day`` adjusted by the failed (nobody home) visits ``failed``:
    the hours around failures on the same day type (weekday / weekend) are avoided, and an unknown
    household is tried in the complementary part of the day (see the module docstring). Without
    failures of that day type this is ``windows_for(kind, day)``."""
    return _windows(_learned_spans(kind, failed, day))


def propose_windows(
    kind: str,
    after: datetime,
    failed: Sequence[datetime] = (),
    count: int = 3,
    shifts: Shifts = DEFAULT_SHIFTS,
    *,
    weekend: bool = True,
) -> list[tuple[datetime, datetime]]:
    """The next ``count`` visit windows for a household (for the appointment slip), at most one a
    day, within ``PROPOSE_DAYS`` days: the household's learned windows inside the collector's
    ``shifts`` (``weekend=False``: no Saturdays and Sundays), starting at least ``LEAD_MINUTES``
    after ``after`` on a half hour, lasting ``MIN_SLOT_MINUTES``–``SLOT_MINUTES``. Aware
    datetimes in Asia/Shanghai; fewer than ``count`` when the fortnight has no more."""
    start = local(after)
    shift_spans = _shift_spans(shifts)
    earliest = start + timedelta(minutes=LEAD_MINUTES)
    out: list[tuple[datetime, datetime]] = []
    for offset in range(PROPOSE_DAYS + 1):
        if len(out) >= count:
            break
        day = start.date() + timedelta(days=offset)
        if not weekend and is_weekend(day):
            continue
        spans = _intersect(_learned_spans(kind, failed, day), shift_spans)
        for a, b in spans:
            lo = a
            if day == earliest.date():
                m = (
                    earliest.hour * 60
                    + earliest.minute
                    + (1 if earliest.second or earliest.microsecond else 0)
                )
                lo = max(a, -(-m // 30) * 30)
            elif day < earliest.date():
                continue
            if b - lo >= MIN_SLOT_MINUTES:
                out.append((_at(day, lo), _at(day, min(b, lo + SLOT_MINUTES))))
                break
    return out


def _intersect(spans: Sequence[Span], others: Sequence[Span]) -> list[Span]:
    out = []
    for a, b in spans:
        for c, d in others:
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                out.append((lo, hi))
    return sorted(out)


# --- inferring the kind ------------------------------------------------------------------------

#: Occupations (free text, as the registry holds them) that keep someone at home by day.
HOME_JOBS = frozenset({"离退休人员", "退休", "离休", "无业", "家务", "待业", "无"})
#: Occupations of shopkeepers and traders.
SHOP_JOBS = frozenset({"个体经营", "个体", "经商", "个体工商户", "商贩", "店主"})
#: Occupations of farming households.
FARM_JOBS = frozenset({"农民", "务农", "农业", "果农", "菜农"})
STUDENT_JOBS = frozenset({"学生", "在校学生"})


def infer_availability(
    *,
    ages: Sequence[int] = (),
    occupations: Sequence[str] = (),
    reasons: Sequence[str] = (),
    shop: bool = False,
    rural: bool = False,
) -> str:
    """The availability kind of a household from plain facts, first match wins:

    1. someone aged 65 or over, or an adult retired / without work → ``elderly`` (someone is home
       by day);
    2. a shop (a unit) at the address, a shopkeeper or trader, or residence reason ``business`` →
       ``shop``;
    3. a farmer, or a rural household of working age whose occupations are not known → ``farm``;
    4. a working-age adult (18–64), or residence reason ``work`` / ``study`` → ``office``;
    5. nothing known → ``unknown``.

    ``ages`` are the residents' ages in years; ``occupations`` their occupations as written in the
    registry (parallel to ``ages`` when both are given; blanks allowed); ``reasons`` the
    residence-reason codes (``work``, ``business``, ``study``, ``family``, ``other``).
    """
    jobs = {o.strip() for o in occupations}
    ages = list(ages)
    if ages and max(ages) >= 65:
        return ELDERLY
    if ages and occupations:
        adult_jobs = {o.strip() for a, o in zip(ages, occupations, strict=False) if a >= 18}
    else:
        adult_jobs = jobs
    if adult_jobs & HOME_JOBS:
        return ELDERLY
    if shop or jobs & SHOP_JOBS or "business" in reasons:
        return SHOP
    working = any(18 <= a < 65 for a in ages)
    known_jobs = jobs - STUDENT_JOBS - {""}
    if jobs & FARM_JOBS or (rural and working and not known_jobs):
        return FARM
    if working or known_jobs or jobs & STUDENT_JOBS or "work" in reasons or "study" in reasons:
        return OFFICE
    return UNKNOWN


# --- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Household:
    """One household to visit. ``key`` identifies it (an address id), ``door_key`` its door plate
    (households with the same door plate are 0 m apart). ``failed``: datetimes of visits that found
    nobody home. ``appointment``: (start, end) agreed with the household, or None. ``priority``:
    0 normal, higher comes sooner (worth ``PRIORITY_MINUTES`` a level)."""

    key: Hashable
    door_key: Hashable
    lng: float | None
    lat: float | None
    kind: str = UNKNOWN
    failed: tuple[datetime, ...] = ()
    appointment: tuple[datetime, datetime] | None = None
    priority: int = 0


@dataclass(frozen=True, slots=True)
class Stop:
    """One planned visit. ``window`` is the household's window the visit lies in (its appointment
    when ``appointment``), or None when it lies in none (``in_window`` False); ``walk_m`` the
    walk from the previous stop (or from ``start``)."""

    key: Hashable
    door_key: Hashable
    kind: str
    start: datetime
    end: datetime
    window: tuple[datetime, datetime] | None
    in_window: bool
    walk_m: float
    appointment: bool = False


@dataclass(frozen=True)
class DayPlan:
    """A collector's plan for ``day``. ``route_m``: metres walked; ``walk_minutes`` at the plan's
    speed; ``idle_minutes``: shift time neither visiting nor walking; ``candidates``: households
    considered; ``missed_appointments``: keys of appointments that day the plan could not meet."""

    day: date
    shifts: tuple[tuple[time, time], ...]
    stops: tuple[Stop, ...]
    route_m: float
    in_window_share: float
    walk_minutes: float
    idle_minutes: float
    visit_minutes: int
    candidates: int
    missed_appointments: tuple[Hashable, ...] = ()
    naive: bool = False

    @property
    def count(self) -> int:
        return len(self.stops)

    @property
    def in_window_count(self) -> int:
        return sum(1 for s in self.stops if s.in_window)


class _Day:
    """Everything about one day's households in arrays: windows (minutes), feasible intervals
    (windows ∩ shifts, with their shift), projected coordinates and door plates."""

    def __init__(
        self,
        households: Sequence[Household],
        day: date,
        shifts: Shifts,
        start: tuple[float, float] | None,
        visit: int,
        speed_kmh: float,
        *,
        honour_appointments: bool,
    ) -> None:
        self.day = day
        self.visit = visit
        self.speed = speed_kmh * 1000.0 / 60.0  # metres a minute
        if self.speed <= 0 or visit <= 0:
            raise ValueError("speed and visit time must be positive")
        self.shifts = _shift_spans(shifts)
        self.shift_start = np.array([a for a, _ in self.shifts] or [0], dtype=float)
        cache: dict[tuple[str, tuple[datetime, ...]], list[Span]] = {}
        self.households: list[Household] = []
        self.windows: list[list[Span]] = []  # the household's windows that day
        self.hard: list[bool] = []
        self.skipped = 0
        for h in households:
            windows, hard = self._windows(h, cache)
            if windows is None:
                if honour_appointments:
                    self.skipped += 1
                    continue
                windows, hard = _cache_get(cache, h, day), False
            self.households.append(h)
            self.windows.append(windows)
            self.hard.append(hard)
        n = len(self.households)
        # Feasible intervals: (lo, hi, shift index), sorted; a visit starts in [lo, hi - visit].
        # Households share window lists (one per kind and failures), so each is worked out once.
        by_windows: dict[int, list[tuple[int, int, int]]] = {}
        groups: dict[int, list[int]] = {}
        self.intervals: list[list[tuple[int, int, int]]] = []
        for i, windows in enumerate(self.windows):
            iv = by_windows.get(id(windows))
            if iv is None:
                iv = by_windows[id(windows)] = sorted(
                    (max(a, c), min(b, d), k)
                    for k, (a, b) in enumerate(self.shifts)
                    for c, d in windows
                    if min(b, d) - max(a, c) >= visit
                )
            groups.setdefault(id(windows), []).append(i)
            self.intervals.append(iv)
        width = max((len(iv) for iv in by_windows.values()), default=0) or 1
        self.lo = np.full((n, width), np.inf)
        self.hi = np.full((n, width), -np.inf)
        self.sh = np.zeros((n, width), dtype=np.int64)
        for wid, rows in groups.items():
            iv = by_windows[wid]
            if iv:
                idx = np.asarray(rows)[:, None]
                cols = np.arange(len(iv))[None, :]
                self.lo[idx, cols] = [lo for lo, _, _ in iv]
                self.hi[idx, cols] = [hi for _, hi, _ in iv]
                self.sh[idx, cols] = [k for _, _, k in iv]
        # Minutes off the greedy cost: priority, less a guessed window (not for appointments).
        self.bonus = np.array(
            [
                PRIORITY_MINUTES * h.priority
                - (UNCERTAIN_MINUTES if h.kind not in _KNOWN and not hard else 0.0)
                for h, hard in zip(self.households, self.hard, strict=True)
            ],
            dtype=float,
        )
        # Coordinates in metres (equirectangular around the mean latitude).
        lng = np.array(
            [h.lng if h.lng is not None and h.lat is not None else np.nan for h in self.households]
        )
        lat = np.array(
            [h.lat if h.lng is not None and h.lat is not None else np.nan for h in self.households]
        )
        self.located = ~np.isnan(lng)
        known = lat[self.located]
        lat0 = float(known.mean()) if known.size else (start[1] if start else 0.0)
        lng0 = float(lng[self.located].mean()) if known.size else (start[0] if start else 0.0)
        kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        ky = math.radians(1.0) * EARTH_RADIUS_M
        self.x = np.where(self.located, (lng - lng0) * kx, 0.0)
        self.y = np.where(self.located, (lat - lat0) * ky, 0.0)
        doors: dict[Hashable, int] = {}
        self.door = np.array(
            [doors.setdefault(h.door_key, len(doors)) for h in self.households], dtype=np.int64
        )
        self.start_xy = None if start is None else ((start[0] - lng0) * kx, (start[1] - lat0) * ky)

    def _windows(
        self, h: Household, cache: dict[tuple[str, tuple[datetime, ...]], list[Span]]
    ) -> tuple[list[Span] | None, bool]:
        if h.appointment is not None:
            a, b = local(h.appointment[0]), local(h.appointment[1])
            if a.date() == self.day:
                end = _DAY_END if b.date() > self.day else b.hour * 60 + b.minute
                return [(a.hour * 60 + a.minute, end)], True
            if a.date() > self.day:
                return None, False
        return _cache_get(cache, h, self.day), False

    # distances, in metres
    def dist_from(self, i: int | None) -> np.ndarray:
        """Metres from household ``i`` (None: from ``start``, zeros without one) to every household."""
        n = len(self.households)
        if i is None:
            if self.start_xy is None:
                return np.zeros(n)
            d = np.hypot(self.x - self.start_xy[0], self.y - self.start_xy[1])
            return np.where(self.located, d, UNLOCATED_M)
        d = np.hypot(self.x - self.x[i], self.y - self.y[i])
        d = np.where(self.located & self.located[i], d, UNLOCATED_M)
        d[self.door == self.door[i]] = 0.0
        return d

    def matrix(self, nodes: Sequence[int]) -> tuple[list[list[float]], list[float]]:
        """Pairwise metres between ``nodes``, and from ``start`` to each."""
        idx = np.asarray(nodes, dtype=np.int64)
        x, y, ok, door = self.x[idx], self.y[idx], self.located[idx], self.door[idx]
        d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        d = np.where(ok[:, None] & ok[None, :], d, UNLOCATED_M)
        d[door[:, None] == door[None, :]] = 0.0
        return d.tolist(), self.dist_from(None)[idx].tolist()

    def earliest(self, walk: np.ndarray, t: float, cur: int) -> tuple[np.ndarray, np.ndarray]:
        """Every household's earliest in-window start from time ``t`` in shift ``cur`` with
        ``walk`` minutes to go (inf when none is left today), and that start's shift."""
        w = walk[:, None]
        arrive = np.where(self.sh == cur, t + w, self.shift_start[self.sh] + w)
        arrive = np.where(self.sh < cur, np.inf, arrive)
        s = np.maximum(arrive, self.lo)
        s = np.where(s + self.visit <= self.hi, s, np.inf)
        j = s.argmin(axis=1)
        rows = np.arange(len(s))
        return s[rows, j], self.sh[rows, j]


def _cache_get(
    cache: dict[tuple[str, tuple[datetime, ...]], list[Span]], h: Household, day: date
) -> list[Span]:
    key = (h.kind, h.failed)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _learned_spans(h.kind, h.failed, day)
    return found


def _simulate(
    ctx: _Day, seq: Sequence[int], dm: dict[int, dict[int, float]] | None = None
) -> tuple[list[float], int] | None:
    """Start minutes of the visits of ``seq`` in order, each at its earliest in-window time, and
    the shift of the last one; None when one of them no longer fits."""
    t = float(ctx.shifts[0][0]) if ctx.shifts else 0.0
    cur = 0
    prev: int | None = None
    starts = []
    for i in seq:
        metres = _d(ctx, prev, i, dm)
        w = metres / ctx.speed
        best = None
        for lo, hi, k in ctx.intervals[i]:
            if k < cur:
                continue
            a = t + w if k == cur else ctx.shifts[k][0] + w
            s = a if a > lo else lo
            if s + ctx.visit <= hi:
                best, cur = s, k
                break
        if best is None:
            return None
        starts.append(best)
        t = best + ctx.visit
        prev = i
    return starts, cur


def _d(ctx: _Day, a: int | None, b: int, dm: dict[int, dict[int, float]] | None) -> float:
    if dm is not None:
        return dm[-1 if a is None else a][b]
    if a is None:
        return float(ctx.dist_from(None)[b]) if ctx.start_xy is not None else 0.0
    if ctx.door[a] == ctx.door[b]:
        return 0.0
    if not (ctx.located[a] and ctx.located[b]):
        return UNLOCATED_M
    return float(math.hypot(ctx.x[a] - ctx.x[b], ctx.y[a] - ctx.y[b]))


def _greedy(
    ctx: _Day,
    route: list[int],
    served: np.ndarray,
    anchors: list[int],
    missed: list[int],
    max_stops: int | None,
    t: float,
    cur: int,
) -> None:
    """Extend ``route`` with the nearest feasible next stop until nothing fits (see the module
    docstring); ``anchors`` (hard appointments, by latest start) are met in order or missed."""
    n = len(ctx.households)
    is_anchor = np.zeros(n, dtype=bool)
    is_anchor[anchors] = True
    deadline = {}
    for a in anchors:
        _, hi, shift = max(ctx.intervals[a], key=lambda iv: iv[1])
        deadline[a] = (hi - ctx.visit, shift)
    pending = list(anchors)
    pos = route[-1] if route else None
    while max_stops is None or len(route) < max_stops:
        walk = ctx.dist_from(pos) / ctx.speed
        e_all, k = ctx.earliest(walk, t, cur)
        e = e_all.copy()
        e[served | is_anchor] = np.inf
        if pending:
            a = pending[0]
            if not np.isfinite(e_all[a]):
                missed.append(a)
                served[a] = True
                pending.pop(0)
                continue
            # Only stops after which the next appointment can still be reached in time.
            latest, kl = deadline[a]
            to_a = ctx.dist_from(a) / ctx.speed
            after = e + ctx.visit
            after = np.where(k < kl, np.maximum(after, ctx.shift_start[kl]), after)
            e = np.where(after + to_a <= latest, e, np.inf)
            if max_stops is not None and len(route) + len(pending) >= max_stops:
                e[:] = np.inf  # the stops left are the appointments'
            e[a] = e_all[a]
        if not np.isfinite(e).any():
            break
        cost = (e - t) + WALK_WEIGHT * walk - ctx.bonus
        cost[~np.isfinite(e)] = np.inf
        i = int(cost.argmin())
        route.append(i)
        served[i] = True
        t, cur, pos = float(e[i]) + ctx.visit, int(k[i]), i
        if pending and i == pending[0]:
            pending.pop(0)
    missed.extend(a for a in pending if not served[a])


def _improve(ctx: _Day, route: list[int], passes: int = 8) -> list[int]:
    """2-opt and or-opt moves that shorten the walk and keep every stop feasible."""
    if len(route) < 3:
        return route
    nodes = list(route)
    mat, from_start = ctx.matrix(nodes)
    dm: dict[int, dict[int, float]] = {
        a: dict(zip(nodes, row, strict=True)) for a, row in zip(nodes, mat, strict=True)
    }
    dm[-1] = dict(zip(nodes, from_start if ctx.start_xy is not None else [0.0] * len(nodes), strict=True))

    def d(a: int | None, b: int | None) -> float:
        if b is None:
            return 0.0  # the route is open at its end
        return dm[-1 if a is None else a][b]

    seq = list(route)
    for _ in range(passes):
        improved = False
        n = len(seq)
        # 2-opt: reverse seq[i..j]
        for i in range(n - 1):
            p = seq[i - 1] if i > 0 else None
            for j in range(i + 1, n):
                q = seq[j + 1] if j + 1 < n else None
                delta = d(p, seq[j]) + d(seq[i], q) - d(p, seq[i]) - d(seq[j], q)
                if delta < -1.0:
                    cand = seq[:i] + seq[i : j + 1][::-1] + seq[j + 1 :]
                    if _simulate(ctx, cand, dm) is not None:
                        seq, improved = cand, True
                        break
            if improved:
                break
        if improved:
            continue
        # or-opt: move a run of 1-3 stops elsewhere
        for length in (1, 2, 3):
            for i in range(n - length + 1):
                seg = seq[i : i + length]
                p = seq[i - 1] if i > 0 else None
                q = seq[i + length] if i + length < n else None
                removed = d(p, seg[0]) + d(seg[-1], q) - d(p, q)
                rest = seq[:i] + seq[i + length :]
                for j in range(len(rest) + 1):
                    if j == i:
                        continue
                    a = rest[j - 1] if j > 0 else None
                    b = rest[j] if j < len(rest) else None
                    added = d(a, seg[0]) + d(seg[-1], b) - d(a, b)
                    if added - removed < -1.0:
                        cand = rest[:j] + seg + rest[j:]
                        if _simulate(ctx, cand, dm) is not None:
                            seq, improved = cand, True
                            break
                if improved:
                    break
            if improved:
                break
        if not improved:
            break
    return seq


def _finish(
    ctx: _Day, seq: Sequence[int], starts: Sequence[float], *, naive: bool, missed: Sequence[int] = ()
) -> DayPlan:
    stops = []
    route_m = 0.0
    prev: int | None = None
    for i, s in zip(seq, starts, strict=True):
        h = ctx.households[i]
        metres = _d(ctx, prev, i, None)
        route_m += metres
        m = math.floor(s + 0.5)
        window = next(((a, b) for a, b in ctx.windows[i] if a <= m and m + ctx.visit <= b), None)
        stops.append(
            Stop(
                key=h.key,
                door_key=h.door_key,
                kind=h.kind,
                start=_at(ctx.day, m),
                end=_at(ctx.day, m + ctx.visit),
                window=None if window is None else (_at(ctx.day, window[0]), _at(ctx.day, window[1])),
                in_window=window is not None,
                walk_m=round(metres, 1),
                appointment=ctx.hard[i],
            )
        )
        prev = i
    shift_total = sum(b - a for a, b in ctx.shifts)
    walk_minutes = route_m / ctx.speed
    in_window = sum(1 for s in stops if s.in_window)
    return DayPlan(
        day=ctx.day,
        shifts=tuple((_time(a), _time(b)) for a, b in ctx.shifts),
        stops=tuple(stops),
        route_m=round(route_m, 1),
        in_window_share=in_window / len(stops) if stops else 0.0,
        walk_minutes=round(walk_minutes, 1),
        idle_minutes=round(max(0.0, shift_total - len(stops) * ctx.visit - walk_minutes), 1),
        visit_minutes=ctx.visit,
        candidates=len(ctx.households) + ctx.skipped,
        missed_appointments=tuple(ctx.households[i].key for i in missed),
        naive=naive,
    )


def plan_day(
    households: Sequence[Household],
    day: date,
    shifts: Shifts = DEFAULT_SHIFTS,
    start: tuple[float, float] | None = None,
    visit_minutes: int = VISIT_MINUTES,
    speed_kmh: float = SPEED_KMH,
    max_stops: int | None = None,
) -> DayPlan:
    """The staggered-time plan of one collector for ``day`` (see the module docstring).

    Invariants: every stop lies inside one shift and inside one of its household's windows (its
    appointment when it has one that day); stops do not overlap and leave time to walk between
    them; a household is planned at most once; appointments that day come first and those that
    cannot be met are listed in ``missed_appointments``."""
    ctx = _Day(households, day, shifts, start, visit_minutes, speed_kmh, honour_appointments=True)
    n = len(ctx.households)
    if n == 0 or not ctx.shifts:
        return _finish(ctx, [], [], naive=False, missed=[i for i in range(n) if ctx.hard[i]])
    served = np.zeros(n, dtype=bool)
    no_window = np.array([not iv for iv in ctx.intervals], dtype=bool)
    anchors = [i for i in range(n) if ctx.hard[i]]
    missed = [i for i in anchors if no_window[i]]
    served[missed] = True
    anchors = [i for i in anchors if not no_window[i]]
    anchors.sort(key=lambda i: (max(hi for _, hi, _ in ctx.intervals[i]), i))
    route: list[int] = []
    _greedy(ctx, route, served, anchors, missed, max_stops, float(ctx.shifts[0][0]), 0)
    improved = _improve(ctx, route)
    done = _simulate(ctx, improved)
    if done is None:  # cannot happen (every accepted move was simulated); keep the greedy route
        improved, done = route, _simulate(ctx, route)
    starts, cur = done or ([], 0)
    if improved != route and (max_stops is None or len(improved) < max_stops):
        # The shorter walk freed time at the end of the day: fill it the same way.
        extra = list(improved)
        _greedy(ctx, extra, served, [], [], max_stops, starts[-1] + ctx.visit, cur)
        more = _simulate(ctx, extra) if len(extra) > len(improved) else None
        if more is not None:
            improved, starts = extra, more[0]
    return _finish(ctx, improved, starts, naive=False, missed=missed)


def naive_plan(
    households: Sequence[Household],
    day: date,
    shifts: Shifts = DAYTIME_SHIFTS,
    start: tuple[float, float] | None = None,
    visit_minutes: int = VISIT_MINUTES,
    speed_kmh: float = SPEED_KMH,
    max_stops: int | None = None,
) -> DayPlan:
    """The baseline: the households in the order given (address order), back to back within
    ``shifts`` (office hours), windows and appointments ignored; ``in_window`` is counted with the
    same windows as ``plan_day``."""
    ctx = _Day(households, day, shifts, start, visit_minutes, speed_kmh, honour_appointments=False)
    seq: list[int] = []
    starts: list[float] = []
    if ctx.shifts:
        cur = 0
        t = float(ctx.shifts[0][0])
        prev: int | None = None
        for i in range(len(ctx.households)):
            if max_stops is not None and len(seq) >= max_stops:
                break
            w = _d(ctx, prev, i, None) / ctx.speed
            while cur < len(ctx.shifts) and t + w + visit_minutes > ctx.shifts[cur][1]:
                cur += 1
                if cur < len(ctx.shifts):
                    t = float(ctx.shifts[cur][0])
            if cur >= len(ctx.shifts):
                break
            seq.append(i)
            starts.append(t + w)
            t = t + w + visit_minutes
            prev = i
    return _finish(ctx, seq, starts, naive=True)
