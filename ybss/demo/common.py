"""Small deterministic helpers shared by the demo generators: random streams, weighted picks,
apportioning, the demo clock and the columns every business record shares.

Nothing here reads the wall clock or iterates a set or a hash-ordered mapping, so the same seed
gives the same rows in any process (``PYTHONHASHSEED`` does not matter).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

#: The demo's "today" (Beijing): collection ran from 1 September; reviews went on into November.
REFERENCE_DATE = date(2026, 11, 15)
#: Day 0 of the demo clock.
EPOCH = date(2026, 9, 1)
#: Last day (inclusive) any demo timestamp may fall on.
LAST_DAY = (REFERENCE_DATE - EPOCH).days - 1

#: The columns of ``core.BusinessRecord``, in the order every demo row starts with (after ``id``).
BASE_COLUMNS = (
    "id",
    "status",
    "status_reason",
    "version",
    "source_ref",
    "created_at",
    "created_by_id",
    "updated_at",
    "updated_by_id",
    "division_id",
    "police_unit_id",
)


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream per subject, so a change in one generator does not reshuffle
    another's output. String seeds hash with SHA-512: stable across processes."""
    return random.Random(f"ybss-demo:{seed}:{name}")


class Picker(Generic[T]):
    """Weighted choice by bisection over cumulative weights (faster than ``Random.choices``)."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if len(items) != len(weights) or not items:
            raise ValueError("items and weights must be non-empty and of equal length")
        self._items = list(items)
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self._items[bisect_right(self._cum, rng.random() * self._total)]

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> Picker[T]:
        return cls([p[0] for p in pairs], [p[1] for p in pairs])


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder; ties go to
    the earlier item). The parts always sum to ``total``."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    s = sum(weights)
    exact = [total * w / s for w in weights]
    parts = [int(x) for x in exact]
    short = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:short]:
        parts[i] += 1
    return parts


def weighted_order(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> list[T]:
    """``items`` in a random order where heavier items tend to come first (Efraimidis–Spirakis
    keys); taking the first n is weighted sampling without replacement."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[i] for _k, i in keyed]


# --------------------------------------------------------------------------------------------
# The demo clock: timestamps as the naive-UTC text Django stores ("2026-09-03 01:23:45").

_DAYS = [(EPOCH + timedelta(days=d)).isoformat() for d in range(LAST_DAY + 40)]
_HMS: list[str] = []


def _hms() -> list[str]:
    if not _HMS:
        _HMS.extend(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))
    return _HMS


def day_text(day: int) -> str:
    """The ISO date of demo day ``day`` (0 = 1 September 2026)."""
    return _DAYS[day]


def timestamp(day: int, second: int) -> str:
    """UTC text for ``second`` (0–86399, UTC) of demo day ``day``."""
    return f"{_DAYS[day]} {_hms()[second]}"


def work_second(rng: random.Random) -> int:
    """A second of the working day, in UTC: 08:00–21:00 Beijing is 00:00–13:00 UTC, so the date
    never changes. Evenings (错时采集) are rarer than office hours."""
    if rng.random() < 0.82:
        return rng.randrange(30 * 60, 10 * 3600)  # 08:30–18:00
    return rng.randrange(10 * 3600, 13 * 3600)  # 18:00–21:00


class Window:
    """A span of demo days for one kind of record (addresses were drawn first, then the rest)."""

    __slots__ = ("first", "last")

    def __init__(self, first: date, last: date) -> None:
        self.first = (first - EPOCH).days
        self.last = min((last - EPOCH).days, LAST_DAY)

    def day(self, rng: random.Random) -> int:
        return rng.randint(self.first, self.last)


class Stamper:
    """The shared columns of a business record: lifecycle status (mostly accepted, some pending,
    draft or returned with a reason), created/updated times and the collector who wrote it.

    ``stamp`` returns ``(status, status_reason, version, source_ref, created_at, created_by_id,
    updated_at, updated_by_id)`` and remembers the creation day in ``last_day`` for callers
    that time later events (verification, marking) after it.
    """

    __slots__ = ("_collectors", "_reasons", "_rng", "_window", "last_day", "last_second")

    def __init__(
        self,
        rng: random.Random,
        window: Window,
        collectors: Mapping[str, Sequence[int]],
        return_reasons: Sequence[str],
    ) -> None:
        self._rng = rng
        self._window = window
        self._collectors = collectors
        self._reasons = list(return_reasons)
        self.last_day = 0
        self.last_second = 0

    def stamp(self, district: str) -> tuple[str, str, int, str, str, int, str, int]:
        rng = self._rng
        day = self._window.day(rng)
        sec = work_second(rng)
        created = timestamp(day, sec)
        staff = self._collectors[district]
        who = staff[rng.randrange(len(staff))]
        r = rng.random()
        reason = ""
        if r < 0.905:
            status = "accepted"
        elif r < 0.955:
            status = "pending"
        elif r < 0.98:
            status = "draft"
        else:
            status = "returned"
            reason = self._reasons[rng.randrange(len(self._reasons))]
        if status == "draft":
            updated = created
        else:
            uday = min(day + rng.randrange(0, 6), LAST_DAY)
            usec = work_second(rng)
            if uday == day and usec < sec:
                usec = sec
            updated = timestamp(uday, usec)
        self.last_day = day
        self.last_second = sec
        return (status, reason, 1, "", created, who, updated, who)

    def later(self, max_days: int = 20) -> tuple[int, str]:
        """A day after the last stamped creation (for verification, marking, cleaning) and its
        timestamp text."""
        rng = self._rng
        day = min(self.last_day + rng.randrange(0, max_days + 1), LAST_DAY)
        sec = work_second(rng)
        if day == self.last_day and sec < self.last_second:
            sec = self.last_second
        return day, timestamp(day, sec)
