"""Signs of fabrication (DOMAIN.md §7), as pure detectors over plain rows: no ORM, no settings.

``quality.signals`` loads the rows in bulk and calls these; the tests call them directly. Each
detector takes its thresholds as keyword arguments and returns ``(record, score, evidence,
related)`` hits (``Hit``); ``signals`` turns hits into ``Finding``s. Evidence never holds a full
ID number or phone (``core.identifiers.mask_*``).

What "unrelated" means, throughout: two people are related when they live in the same house
(an active residence), or share a surname and a registered-domicile village. Families share
phones, twins share birth dates, neighbours share a village-group hukou address; a fabricator
spreads one value over people who have none of these ties.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from ybss.core.identifiers import id_check_char, mask_id_number, mask_phone

PERSON = "registry.person"
HOUSE = "registry.house"
UNIT = "registry.unit"
SUBMISSION = "collection.submission"

#: At most this many related records are named on one finding (the evidence says how many).
MAX_RELATED = 30


@dataclass(frozen=True, slots=True)
class Hit:
    """One record a detector flags: its type and id, the responsible collector, a score in
    [0, 1], the evidence (JSON-safe) and the other records involved."""

    record_type: str
    record_id: int
    collector_id: int | None
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)
    related: tuple[tuple[str, int], ...] = ()
    key: str = ""


def _related(record_type: str, ids: Iterable[int], own: int) -> tuple[tuple[str, int], ...]:
    return tuple((record_type, i) for i in sorted(set(ids) - {own})[:MAX_RELATED])


def _clip(x: float) -> float:
    return round(max(0.0, min(1.0, x)), 3)


class _Union:
    """Union–find over hashable items (people grouped into families)."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, x: Hashable) -> Hashable:
        parent = self.parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


# --- ID numbers ------------------------------------------------------------------------------


class IdRow(NamedTuple):
    """A person's ID number with the name (to tell a reused base from a typo) and collector."""

    id: int
    id_number: str
    name: str = ""
    collector_id: int | None = None


def _id18(value: str) -> str | None:
    """The 18-character ID number (upper-case X), or None when it is not one."""
    if value and len(value) == 18 and value.isascii() and value.isdigit():
        return value  # the common case
    text = (value or "").strip().upper()
    if len(text) == 18 and text.isascii() and text[:17].isdigit() and (text[17] == "X" or text[17].isdigit()):
        return text
    return None


def _runs(
    values: list[tuple[int, int, str]], max_step: int, min_run: int
) -> Iterator[list[tuple[int, int, str]]]:
    """Maximal runs of ``(value, id, number)`` (sorted by value) whose values step up by at most
    ``max_step``, with at least ``min_run`` distinct values."""
    values.sort()
    run = [values[0]]
    for m in [*values[1:], None]:
        if m is not None and m[0] - run[-1][0] <= max_step:
            run.append(m)
            continue
        if len({x[0] for x in run}) >= min_run:
            yield run
        if m is not None:
            run = [m]


def _birth_ordinal(number: str) -> int | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14])).toordinal()
    except ValueError:
        return None


def sequential_ids(rows: Iterable[IdRow], *, min_run: int = 3, max_step: int = 2) -> list[Hit]:
    """One collector's ID numbers that count up: the same region and birth date with sequence
    parts (digits 15–17) running 001, 002, 003 …, or the same region and sequence part with
    birth dates running day after day. ``max_step`` 2 lets same-sex runs (001, 003, 005) and
    every-other-day dates count; a run needs ``min_run`` distinct values, so twins (two) do not.
    """
    by_birth: dict[tuple[int | None, str], list[tuple[int, int, str]]] = defaultdict(list)
    by_seq: dict[tuple[int | None, str, str], list[tuple[int, str]]] = defaultdict(list)
    for pk, value, _name, collector in rows:
        number = _id18(value)
        if not number:
            continue
        by_birth[(collector, number[:14])].append((int(number[14:17]), pk, number))
        by_seq[(collector, number[:6], number[14:17])].append((pk, number))
    by_day: dict[tuple[int | None, str, str], list[tuple[int, int, str]]] = {}
    for key, pairs in by_seq.items():
        if len(pairs) >= min_run:
            by_day[key] = [(d, pk, n) for pk, n in pairs if (d := _birth_ordinal(n)) is not None]
    hits: list[Hit] = []
    groups = [("sequence", k[0], v) for k, v in by_birth.items()] + [
        ("birth_date", k[0], v) for k, v in by_day.items()
    ]
    for counting, collector, members in groups:
        if collector is None or len(members) < min_run:
            continue  # unattributed records (old imports) are nobody's run
        for run in _runs(members, max_step, min_run):
            ids = [x[1] for x in run]
            distinct = len({x[0] for x in run})
            evidence = {
                "counting": counting,
                "region": run[0][2][:6],
                "run_length": distinct,
                "id_numbers": [mask_id_number(x[2]) for x in run][:MAX_RELATED],
            }
            if counting == "sequence":
                evidence["sequences"] = sorted({f"{x[0]:03d}" for x in run})
            score = _clip(0.6 + 0.1 * (distinct - min_run))
            for x in run:
                hits.append(
                    Hit(PERSON, x[1], collector, score, evidence, _related(PERSON, ids, x[1]), counting)
                )
    return hits


def _longest_repeat(text: str) -> tuple[int, str]:
    best, digit = 0, ""
    for ch, group in itertools.groupby(text):
        n = sum(1 for _ in group)
        if n > best:
            best, digit = n, ch
    return best, digit


def _longest_straight(text: str) -> int:
    """Longest run of consecutive digits going up (123456) or down (654321) by one."""
    best = 1
    for direction in (1, -1):
        cur = 1
        for a, b in itertools.pairwise(text):
            cur = cur + 1 if a.isdigit() and b.isdigit() and int(b) - int(a) == direction else 1
            best = max(best, cur)
    return best


@functools.cache
def _digit_patterns(min_repeat: int, min_straight: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes for a digit repeated ``min_repeat`` times and a straight of ``min_straight``."""
    repeat = re.compile(rf"([0-9])\1{{{max(min_repeat - 1, 1)}}}")
    runs = [
        seq[i : i + min_straight]
        for seq in ("0123456789", "9876543210")
        for i in range(len(seq) - min_straight + 1)
    ]
    straight = re.compile("|".join(runs) if runs else "(?!)")
    return repeat, straight


def id_digit_pattern(
    value: str, *, min_repeat: int = 6, min_straight: int = 7, max_distinct: int = 3
) -> dict[str, Any]:
    """What is patterned about one ID number, or ``{}``: a digit repeated ``min_repeat`` times
    in a row (111111), a straight of ``min_straight`` (1234567 or 7654321), or a body of at most
    ``max_distinct`` different digits (a real region code alone has more)."""
    number = _id18(value)
    if not number:
        return {}
    repeat, straight = _digit_patterns(min_repeat, min_straight)
    out: dict[str, Any] = {}
    if repeat.search(number):
        n, digit = _longest_repeat(number)
        out["repeated_digit"] = digit
        out["repeat_length"] = n
    if straight.search(number):
        out["straight_length"] = _longest_straight(number)
    distinct = len(set(number[:17]))
    if distinct <= max_distinct:
        out["distinct_digits"] = distinct
    return out


def patterned_ids(
    rows: Iterable[IdRow], *, min_repeat: int = 6, min_straight: int = 7, max_distinct: int = 3
) -> list[Hit]:
    """ID numbers with repeated or straight digits (see ``id_digit_pattern``)."""
    hits = []
    for pk, value, _name, collector in rows:
        found = id_digit_pattern(
            value, min_repeat=min_repeat, min_straight=min_straight, max_distinct=max_distinct
        )
        if not found:
            continue
        length = max(found.get("repeat_length", 0), found.get("straight_length", 0))
        floor = min(min_repeat, min_straight)
        score = 0.95 if "distinct_digits" in found else _clip(0.6 + 0.1 * (length - floor))
        evidence = {"id_number": mask_id_number(value), **found}
        hits.append(Hit(PERSON, pk, collector, score, evidence))
    return hits


def _similar_names(a: str, b: str) -> bool:
    """Equal, or one edit apart (张伟/张玮): a typo, not another person."""
    a, b = norm_text(a), norm_text(b)
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def reused_id_bases(rows: Iterable[IdRow], *, min_group: int = 3) -> list[Hit]:
    """One 17-digit ID base under several people with only the check character changed. The
    records whose check character is wrong are flagged (the right one may be the real person)
    when the base is on ``min_group`` records, or on two whose names are not a typo apart (a
    duplicate with a mistyped check digit is a duplicate, not a fabrication)."""
    first: dict[str, tuple[int, str, str, int | None]] = {}
    groups: dict[str, list[tuple[int, str, str, int | None]]] = {}
    for pk, value, name, collector in rows:
        number = _id18(value)
        if not number:
            continue
        base, row = number[:17], (pk, number, name, collector)
        if base in first:
            groups.setdefault(base, [first[base]]).append(row)
        else:
            first[base] = row
    hits = []
    for base, members in groups.items():
        if len({m[1] for m in members}) < 2:
            continue
        if len(members) < min_group and all(
            _similar_names(a[2], b[2]) for a, b in itertools.combinations(members, 2)
        ):
            continue
        right = id_check_char(base)
        ids = [m[0] for m in members]
        evidence = {
            "id_numbers": [mask_id_number(m[1]) for m in members][:MAX_RELATED],
            "records": len(members),
        }
        score = _clip(0.75 + 0.05 * (len(members) - 2))
        for pk, number, _name, collector in members:
            if number[17] != right:
                hits.append(Hit(PERSON, pk, collector, score, evidence, _related(PERSON, ids, pk)))
    return hits


# --- phones ----------------------------------------------------------------------------------


class PhoneRow(NamedTuple):
    """A person's phone (normalised) with what tells family from strangers."""

    id: int
    phone: str
    house_id: int | None
    surname: str
    hukou_village: str
    collector_id: int | None = None
    field: str = "phone"


def family_count(people: Sequence[tuple[int, int | None, str, str]]) -> int:
    """How many families ``(id, house, surname, hukou village)`` make: people are one family
    when they share a house, or a surname and a registered-domicile village."""
    u = _Union()
    for pk, house, surname, village in people:
        u.find(("p", pk))
        if house is not None:
            u.union(("p", pk), ("h", house))
        if surname and village:
            u.union(("p", pk), ("s", surname, village))
    return len({u.find(("p", p[0])) for p in people})


def shared_phones(rows: Iterable[PhoneRow], *, min_families: int = 3) -> list[Hit]:
    """A phone on people of ``min_families`` or more unrelated families flags each of them (a
    family sharing a phone is one family)."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:  # PhoneRow, or a plain tuple in its order
        if r[1]:
            groups[r[1]].append(r)
    hits = []
    for phone, group in groups.items():
        if len(group) < min_families:
            continue
        members = [PhoneRow._make(m) for m in group]
        people = {m.id: m for m in members}
        if len(people) < min_families:
            continue
        families = family_count([(m.id, m.house_id, m.surname, m.hukou_village) for m in people.values()])
        if families < min_families:
            continue
        evidence = {"phone": mask_phone(phone), "people": len(people), "families": families}
        score = _clip(1 - 0.5 ** (families - 1))
        for m in members:
            related = _related(PERSON, people, m.id)
            hits.append(Hit(PERSON, m.id, m.collector_id, score, evidence, related, key=m.field))
    return hits


# --- names -----------------------------------------------------------------------------------

_PUNCT_RE = re.compile(r"[\s\u3000·•.,，。、'\"“”‘’()（）\[\]【】<>《》_\-—/\\|:：;；!！?？*#]+")


@functools.lru_cache(maxsize=1 << 17)
def norm_text(text: str | None) -> str:
    """NFKC, lower-case, whitespace and punctuation removed: how names and texts compare."""
    if not text:
        return ""
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


#: Names that stand for "someone" or "nobody", compared after ``norm_text``.
PLACEHOLDER_NAMES = frozenset(
    {
        "测试", "测试人员", "测试用户", "测试数据", "测试一", "测试二", "试试", "张三", "李四", "王五",
        "赵六", "钱七", "孙八", "某某", "某人", "某", "无", "无名", "无名氏", "无姓名", "不详", "未详",
        "未知", "不知道", "不清楚", "不明", "暂无", "待定", "待填", "待补", "待查", "空", "姓名",
        "名字", "本人", "户主", "家属", "租户", "住户", "房东", "临时", "路人", "路人甲", "甲", "乙",
        "丙", "丁", "x", "xx", "xxx", "xxxx", "abc", "test", "testing", "demo", "null", "none", "na",
        "nil", "unknown", "name", "aaa", "asd", "asdf", "qwe", "qwer",
    }
)  # fmt: skip
_CJK_NAME_RE = re.compile(r"[\u4e00-\u9fff]{1,8}")
_PLACEHOLDER_PARTS = re.compile("测试|test|某某|xxx|不详|未知|无名")


def placeholder_kind(name: str | None) -> tuple[str, float] | None:
    """Why ``name`` looks like a placeholder, with a score, or None.

    Kinds: ``listed`` (张三, 测试, 无 …), ``contains`` (测试 or 某某 inside), ``surname_mou``
    (王某), ``digits`` (only digits, or digits in a Chinese name), ``repeated`` (one character
    three times or more: 啊啊啊), ``latin_filler`` (only one Latin letter repeated: aaaa).
    Empty names are a missing field, not a placeholder.
    """
    if not name:
        return None
    chinese = _CJK_NAME_RE.fullmatch(name) is not None  # the common case: nothing to normalise
    text = name if chinese else norm_text(name)
    if not text:
        return None
    if text in PLACEHOLDER_NAMES:
        return "listed", 0.95
    if _PLACEHOLDER_PARTS.search(text):
        return "contains", 0.9
    if len(text) in (2, 3) and text[1:] in ("某", "某某") and "\u4e00" <= text[0] <= "\u9fff":
        return "surname_mou", 0.9
    if not chinese:
        if text.isdigit():
            return "digits", 0.95
        if any(ch.isdigit() for ch in text) and any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "digits", 0.75
    if len(text) >= 3 and len(set(text)) == 1:
        return ("latin_filler" if text.isascii() else "repeated"), 0.8
    return None


class NameRow(NamedTuple):
    record_type: str
    id: int
    field: str
    name: str
    collector_id: int | None = None


def placeholder_names(rows: Iterable[NameRow]) -> list[Hit]:
    """Each name that ``placeholder_kind`` calls a placeholder (rows may be plain tuples in
    ``NameRow`` order)."""
    hits = []
    for record_type, pk, fld, name, collector in rows:
        kind = placeholder_kind(name)
        if kind:
            evidence = {"field": fld, "name": name[:60], "kind": kind[0]}
            hits.append(Hit(record_type, pk, collector, kind[1], evidence, key=fld))
    return hits


# --- households ------------------------------------------------------------------------------


class MemberRow(NamedTuple):
    """A person living in a house (active residence), with the birth date."""

    house_id: int
    person_id: int
    birth_date: date | None
    collector_id: int | None = None


def same_birthdates(rows: Iterable[MemberRow], *, min_same: int = 3, min_whole: int = 2) -> list[Hit]:
    """People of one household born on the same day: ``min_same`` or more of them (twins in a
    family are two), or the whole household when it has ``min_whole`` or more members (a
    household of two made up on one day; rare enough for a couple to be worth a look). Scored
    higher for a whole household of three or more."""
    houses: dict[int, list[Any]] = defaultdict(list)
    for r in rows:  # MemberRow, or a plain tuple in its order
        houses[r[0]].append(r)
    hits = []
    least = min(min_same, min_whole)
    for house, group in houses.items():
        if len(group) < least:
            continue
        members = [MemberRow._make(m) for m in group]
        by_day: dict[Any, list[MemberRow]] = defaultdict(list)
        for m in members:
            if m.birth_date is not None:
                by_day[m.birth_date].append(m)
        for day, same in by_day.items():
            whole = len(same) == len(members)
            if len(same) < min_same and not (whole and len(same) >= min_whole):
                continue
            ids = [m.person_id for m in same]
            evidence = {
                "house": house,
                "birth_date": str(day),
                "same": len(same),
                "household": len(members),
            }
            if len(same) < 3:
                score = 0.5
            else:
                score = _clip((0.9 if whole else 0.7) + 0.03 * (len(same) - 3))
            for m in same:
                related = ((HOUSE, house), *_related(PERSON, ids, m.person_id))
                hits.append(Hit(PERSON, m.person_id, m.collector_id, score, evidence, related))
    return hits


# --- time: speed and night -------------------------------------------------------------------


class Event(NamedTuple):
    """A record written (or a form saved on a phone) by a collector at ``ts`` (POSIX seconds)."""

    collector_id: int
    ts: float
    record_type: str
    record_id: int

    @classmethod
    def when(cls, collector_id: int, at: datetime, record_type: str, record_id: int) -> Event:
        """An event at the aware datetime ``at``."""
        return cls(collector_id, at.timestamp(), record_type, record_id)


def _batches(events: Sequence[Event], batch_gap_s: float) -> list[list[Event]]:
    """Events of one collector in time order, grouped into machine batches: records written
    less than ``batch_gap_s`` apart (an import, a bulk load, one form writing a person and their
    residence) count as one act of collection."""
    out: list[list[Event]] = []
    last = -math.inf
    for e in events:
        if e.ts - last < batch_gap_s:
            out[-1].append(e)
        else:
            out.append([e])
        last = e.ts
    return out


def _by_collector(events: Iterable[Event]) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = defaultdict(list)
    for e in events:
        out[e.collector_id].append(e)
    for evs in out.values():
        evs.sort(key=_event_order)
    return out


def _event_order(e: Event) -> tuple[float, str, int]:
    return e.ts, e.record_type, e.record_id


def _local(ts: float, tz: tzinfo | None) -> str:
    return datetime.fromtimestamp(ts, tz or UTC).strftime("%Y-%m-%d %H:%M:%S")


def speed_bursts(
    events: Iterable[Event],
    *,
    window_s: float = 60,
    min_records: int = 6,
    long_window_s: float = 600,
    long_min_records: int = 20,
    batch_gap_s: float = 1.0,
    tz: tzinfo | None = None,
) -> list[Hit]:
    """Records one collector wrote faster than anyone collects: ``min_records`` within
    ``window_s`` seconds, or ``long_min_records`` within ``long_window_s`` (a sustained pace).
    Each record inside such a window is flagged, with the burst it belongs to."""
    hits = []
    for collector, evs in _by_collector(events).items():
        batches = _batches(evs, batch_gap_s)
        times = [b[0].ts for b in batches]
        marked = [False] * len(batches)
        for win, need in ((window_s, min_records), (long_window_s, long_min_records)):
            if need <= 1 or len(batches) < need:
                continue
            j = 0
            for i, t in enumerate(times):
                while times[j] < t - win:
                    j += 1
                if i - j + 1 >= need:
                    for k in range(j, i + 1):
                        marked[k] = True
        i = 0
        while i < len(batches):
            if not marked[i]:
                i += 1
                continue
            k = i
            while k + 1 < len(batches) and marked[k + 1]:
                k += 1
            burst = [e for b in batches[i : k + 1] for e in b]
            n = k - i + 1
            seconds = times[k] - times[i]
            evidence = {
                "records": n,
                "seconds": round(seconds),
                "from": _local(times[i], tz),
                "to": _local(times[k], tz),
                "per_minute": round(n / max(seconds / 60, 1 / 60), 1) if n > 1 else float(n),
            }
            pace = seconds / max(n - 1, 1)  # seconds per record
            nominal = window_s / max(min_records - 1, 1)  # the slowest pace that is a burst
            score = _clip(0.5 + 0.5 * (1 - min(pace / nominal, 1.0)))
            named = [(x.record_type, x.record_id) for x in burst[: MAX_RELATED + 1]]
            for e in burst:
                own = (e.record_type, e.record_id)
                related = tuple(r for r in named if r != own)[:MAX_RELATED]
                hits.append(Hit(e.record_type, e.record_id, collector, score, evidence, related))
            i = k + 1
    return hits


class _LocalClock:
    """Local date and hour of POSIX times in ``tz``, with the UTC offset looked up once per hour
    (offsets change on the hour, where they change at all)."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[int, float] = {}

    def local(self, ts: float) -> tuple[int, int]:
        """(local day as days since 1970-01-01, local hour)."""
        hour = int(ts // 3600)
        offset = self._offsets.get(hour)
        if offset is None:
            delta = datetime.fromtimestamp(hour * 3600, UTC).astimezone(self.tz).utcoffset()
            offset = self._offsets[hour] = delta.total_seconds() if delta else 0.0
        t = ts + offset
        return int(t // 86400), int(t % 86400 // 3600)


def night_bursts(
    events: Iterable[Event],
    *,
    tz: tzinfo,
    start_hour: int = 0,
    end_hour: int = 5,
    min_records: int = 3,
    batch_gap_s: float = 1.0,
) -> list[Hit]:
    """``min_records`` or more acts of collection by one collector between ``start_hour`` and
    ``end_hour`` local time in one night flag each record written then."""
    clock = _LocalClock(tz)
    nights: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for e in events:
        day, hour = clock.local(e.ts)
        if start_hour <= hour < end_hour:
            nights[(e.collector_id, day)].append(e)
    hits = []
    for (collector, day), night in nights.items():
        night.sort(key=_event_order)
        n = len(_batches(night, batch_gap_s))
        if n < min_records:
            continue
        evidence = {
            "night": (date(1970, 1, 1) + timedelta(days=day)).isoformat(),
            "records": n,
            "from": _local(night[0].ts, tz),
            "to": _local(night[-1].ts, tz),
        }
        score = _clip(0.6 + 0.05 * (n - min_records))
        named = [(x.record_type, x.record_id) for x in night[: MAX_RELATED + 1]]
        for e in night:
            own = (e.record_type, e.record_id)
            related = tuple(r for r in named if r != own)[:MAX_RELATED]
            hits.append(Hit(e.record_type, e.record_id, collector, score, evidence, related))
    return hits


class FormRow(NamedTuple):
    """A household submission: when the form was opened and saved, how many new records
    (people, house, units) it brought, and whether it re-sends a returned one (a correction,
    quick by nature)."""

    id: int
    collector_id: int
    started_at: datetime | None
    finished_at: datetime | None
    new_records: int = 0
    resubmission: bool = False


def fast_forms(
    rows: Iterable[FormRow], *, min_form_seconds: float = 60, min_seconds_per_record: float = 20
) -> list[Hit]:
    """Household forms saved sooner after they were opened than anyone visits a household
    (``min_form_seconds``), or than ``min_seconds_per_record`` per new record they bring.
    Corrections of a returned form are left alone."""
    hits = []
    for r in rows:
        if r.started_at is None or r.finished_at is None or r.resubmission:
            continue
        seconds = (r.finished_at - r.started_at).total_seconds()
        need = max(min_form_seconds, min_seconds_per_record * r.new_records)
        if seconds < 0 or seconds >= need:
            continue
        evidence = {"seconds": round(seconds, 1), "new_records": r.new_records, "minimum_seconds": need}
        hits.append(Hit(SUBMISSION, r.id, r.collector_id, _clip(1 - seconds / need * 0.5), evidence))
    return hits


def household_pace(
    rows: Iterable[FormRow], *, max_gap_s: float = 120, min_households: int = 4, tz: tzinfo | None = None
) -> list[Hit]:
    """One collector's household forms one after another, each opened within ``max_gap_s`` of
    the one before: ``min_households`` or more households in a row at that pace (nobody walks
    to a door, talks and collects a household in two minutes, again and again). Corrections of
    returned forms are left out."""
    forms: dict[int, list[tuple[datetime, FormRow]]] = defaultdict(list)
    for r in rows:
        at = r.started_at or r.finished_at
        if at is not None and not r.resubmission:
            forms[r.collector_id].append((at, r))
    hits = []
    for collector, timeline in forms.items():
        timeline.sort(key=lambda x: (x[0], x[1].id))
        chain = [timeline[0]]
        for item in [*timeline[1:], None]:
            if item is not None and (item[0] - chain[-1][0]).total_seconds() <= max_gap_s:
                chain.append(item)
                continue
            if len(chain) >= min_households:
                last = chain[-1][1]
                end = last.finished_at or chain[-1][0]
                span = (end - chain[0][0]).total_seconds()
                per = span / len(chain)
                evidence = {
                    "households": len(chain),
                    "seconds": round(span),
                    "seconds_per_household": round(per),
                    "from": _local(chain[0][0].timestamp(), tz),
                    "to": _local(end.timestamp(), tz),
                }
                ids = [x[1].id for x in chain]
                score = _clip(
                    0.5 + 0.5 * (1 - min(per / max_gap_s, 1.0)) + 0.02 * (len(chain) - min_households)
                )
                for _at, f in chain:
                    hits.append(
                        Hit(SUBMISSION, f.id, collector, score, evidence, _related(SUBMISSION, ids, f.id))
                    )
            if item is not None:
                chain = [item]
    return hits


# --- place ----------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class GpsRow(NamedTuple):
    """Where a submission was sent from (with the phone's accuracy) and where its door plate is."""

    id: int
    collector_id: int
    lng: float
    lat: float
    accuracy_m: float | None
    door_id: int
    door_lng: float
    door_lat: float


def gps_far(
    rows: Iterable[GpsRow], *, max_distance_m: float = 500, max_accuracy_m: float = 2000
) -> list[Hit]:
    """Submissions sent from farther than ``max_distance_m`` from their door plate, after
    giving the phone the benefit of its reported accuracy (distance − accuracy). A fix less
    accurate than ``max_accuracy_m`` proves nothing and is left alone."""
    hits = []
    for r in rows:
        accuracy = float(r.accuracy_m or 0)
        if accuracy > max_accuracy_m:
            continue
        distance = haversine_m(r.lng, r.lat, r.door_lng, r.door_lat)
        excess = distance - accuracy
        if excess <= max_distance_m:
            continue
        evidence = {"distance_m": round(distance), "accuracy_m": round(accuracy), "door": r.door_id}
        score = _clip(0.5 + (excess - max_distance_m) / (4 * max_distance_m))
        hits.append(Hit(SUBMISSION, r.id, r.collector_id, max(score, 0.5), evidence))
    return hits


# --- reuse: text and photos ------------------------------------------------------------------


class TextRow(NamedTuple):
    """A free-text value of a record, with its household and collector. ``backed`` means the
    value is explained by other data (an employer the person has an employment at; the hukou
    address of the house the person lives in) and so cannot be a copy."""

    record_type: str
    id: int
    field: str
    text: str
    household: Hashable
    collector_id: int | None
    backed: bool = False


#: Texts that say "none" or "unknown": reused everywhere, meaning nothing.
TRIVIAL_TEXTS = frozenset(
    {"无", "没有", "暂无", "不详", "未知", "不知道", "其他", "其它", "无业", "待业", "在家", "同上",
     "同户主", "本地", "本县", "本村", "x", "xx", "xxx", "na", "none", "null", "0"}
)  # fmt: skip


def text_reuse(
    rows: Iterable[TextRow],
    *,
    min_households: int = 5,
    min_share: float = 0.8,
    max_prevalence: float = 0.2,
    min_length: int = 2,
    long_text: int = 12,
) -> list[Hit]:
    """One collector's identical text (after ``norm_text``) on records of ``min_households`` or
    more households, where that collector holds at least ``min_share`` of the county's
    households with the text; a short text (under ``long_text`` characters) must also be on at
    most ``max_prevalence`` of the collector's households with that field filled in.

    The share keeps out words the whole county writes (务工, 农民, 务农, 信息无变化); the
    prevalence keeps out one collector's own short vocabulary (writing 务农 for every farmer). A
    sentence is nobody's vocabulary. Backed values (see ``TextRow``) are not flagged and do not
    count. A record is flagged once per field, however many authors' groups it is in (rows may
    name one record under several authors: its creator and later editors).
    """
    households_of: dict[tuple[str, int | None], set[Hashable]] = defaultdict(set)
    county: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    mine: dict[tuple[str, str, int | None], list[Any]] = defaultdict(list)
    for r in rows:  # TextRow, or a plain tuple in its order
        _rtype, _pk, fld, raw, household, collector, backed = r
        text = norm_text(raw)
        if not text:
            continue
        households_of[(fld, collector)].add(household)
        if backed or len(text) < min_length or text in TRIVIAL_TEXTS:
            continue
        county[(fld, text)].add(household)
        mine[(fld, text, collector)].append(r)
    best: dict[tuple[str, int, str], Hit] = {}  # a record found under two authors: once
    for (fld, text, collector), group in mine.items():
        if collector is None or len(group) < min_households:
            continue
        members = [TextRow._make(m) for m in group]
        households = {m.household for m in members}
        n = len(households)
        if n < min_households:
            continue
        total = len(county[(fld, text)])
        share = n / total
        prevalence = n / max(len(households_of[(fld, collector)]), 1)
        if share < min_share or (len(text) < long_text and prevalence > max_prevalence):
            continue
        evidence = {
            "field": fld,
            "text": members[0].text[:100],
            "households": n,
            "county_households": total,
            "share": round(share, 2),
        }
        above = (share - min_share) / max(1 - min_share, 0.01)
        score = _clip(0.5 + 0.05 * (n - min_households) + 0.3 * above)
        ids = [m.id for m in members]
        rtype = members[0].record_type
        for m in members:
            have = best.get((m.record_type, m.id, fld))
            if have is None or have.score < score:
                related = _related(rtype, ids, m.id)
                best[(m.record_type, m.id, fld)] = Hit(
                    m.record_type, m.id, collector, score, evidence, related, fld
                )
    return list(best.values())


class PhotoRow(NamedTuple):
    """A photo's hash on a submission, with the submission's collector and door plate."""

    photo_id: int
    sha256: str
    submission_id: int
    collector_id: int
    door_id: int | None


def photo_reuse(rows: Iterable[PhotoRow], *, min_doors: int = 2) -> list[Hit]:
    """One photo (same SHA-256) on submissions for ``min_doors`` or more different door plates
    flags each of those submissions. Rooms of one door plate share its photo legitimately."""
    groups: dict[str, list[PhotoRow]] = defaultdict(list)
    for r in rows:
        if r.sha256:
            groups[r.sha256].append(r)
    hits = []
    for sha, members in groups.items():
        doors = {m.door_id if m.door_id is not None else ("submission", m.submission_id) for m in members}
        if len(doors) < min_doors:
            continue
        subs = {m.submission_id: m for m in members}
        evidence = {"sha256": sha[:16], "submissions": len(subs), "doors": len(doors)}
        score = _clip(0.7 + 0.1 * (len(doors) - min_doors))
        for sid, m in subs.items():
            related = _related(SUBMISSION, subs, sid)
            hits.append(Hit(SUBMISSION, sid, m.collector_id, score, evidence, related, key=sha[:16]))
    return hits
