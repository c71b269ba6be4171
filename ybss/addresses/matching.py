"""Matching free-text addresses to standard addresses, and finding duplicate standard addresses.

* :func:`match` parses a text (``addresses.parsing``) and looks its parts up in an in-memory index
  of the county's standard addresses: by address code, by full name, then by structure — township,
  street (or village and group), door number and sub-number, compound, building, unit, room — and
  last by fuzzy similarity (rapidfuzz) of the door-plate names within the township. Every
  candidate gets a score in [0, 1] and a reason in Chinese. ``parent_id`` is the door plate a new
  room address would be created under when the text names a room that does not exist yet.
* :func:`find_duplicates` groups standard addresses that are the same place: the same parts
  under the same division, or names one character apart (a typo) within a block of addresses
  that share their division and numbers. Pairs an officer marked "not duplicates"
  (``ybss.cleaning.models.NotDuplicate``) are never grouped.

Scope: ``actor=None`` means the whole county (batch jobs); with an actor, only addresses inside
their jurisdiction are candidates, decided by ``org.jurisdiction.scope`` (the set of ids in scope
is read once per actor and index version, and the returned candidates are re-read in scope).

The index (:class:`MatchIndex`) is built once per process and rebuilt when the addresses change:
ORM saves mark it stale at once; a version stamp (row count, largest id, latest update) catches
bulk writes — read on every call while the county is small, at most once a second when large.
Voided addresses and addresses merged into another are not candidates. The prefix completion
of ``addresses.suggest`` is derived from this index and rebuilt with it.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User

from .models import (
    AddressAlias,
    AddressElement,
    AddressLevel,
    CleanState,
    ElementKind,
    MarkState,
    StandardAddress,
)
from .naming import full_name
from .parsing import ParsedAddress, parse
from .parsing.gazetteer import Gazetteer
from .parsing.gazetteer import current as current_gazetteer
from .parsing.numerals import cn_to_int
from .parsing.rules import canon_building, canon_number
from .parsing.text import clean

MATCHED = "matched"
AMBIGUOUS = "ambiguous"
UNMATCHED = "unmatched"
#: A best candidate at or above this score, clear of the next by :data:`MARGIN`, is "matched".
MATCH_SCORE = 0.85
MARGIN = 0.1
#: Below this a candidate is not worth showing.
MIN_SCORE = 0.5
#: Fuzzy candidates score at most this (never "matched" on their own).
FUZZY_CAP = 0.8
FUZZY_CUTOFF = 80
#: Index sizes up to this re-read the version stamp on every call.
SMALL_INDEX = 20_000
CHECK_SECONDS = 1.0

#: Police levels as named in reasons.
PART_NAMES = {
    "code": pgettext_lazy("address part", "address code"),
    "full_name": pgettext_lazy("address part", "full name"),
    "town": pgettext_lazy("address part", "township"),
    "village": pgettext_lazy("address part", "community or village"),
    "road": pgettext_lazy("address part", "street"),
    "group": pgettext_lazy("address part", "villager group"),
    "door_number": pgettext_lazy("address part", "door number"),
    "sub_number": pgettext_lazy("address part", "sub-number"),
    "compound": pgettext_lazy("address part", "compound"),
    "building": pgettext_lazy("address part", "building"),
    "unit": pgettext_lazy("address part", "unit"),
    "floor": pgettext_lazy("address part", "floor"),
    "room": pgettext_lazy("address part", "room"),
}


@dataclass(frozen=True)
class Candidate:
    address_id: int
    code: str
    full_name: str
    score: float
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """The outcome of :func:`match`. ``state``: "matched" (``best`` is the address), "ambiguous"
    (several or weak candidates: a person decides) or "unmatched". ``parent_id``: the door plate a
    new room address would go under (the text's door plate exists, its room does not).
    ``division_code``: the deepest division the text named (where a new door plate would go)."""

    best: Candidate | None
    candidates: list[Candidate]
    parent_id: int | None
    parsed: ParsedAddress
    state: str
    division_code: str = ""


@dataclass(slots=True)
class Row:
    """One standard address as the index keeps it (parts canonical: see ``parsing.rules``)."""

    id: int
    code: str
    level: str
    parent_id: int | None
    division: str
    road_id: int | None
    road: str
    group: str
    door: str
    sub: str
    compound: str
    building: str
    unit: str
    floor: str
    room: str
    full_name: str
    status: str
    marked: bool


_GROUP_NAME = re.compile(r"^(\d+|[零〇一二两三四五六七八九十百]+)组$")
Scored = tuple[float, list[str], list[str]]  # score, parts that agree, notes
_NO_ELEMENT = ("", "", "")


def _group_number(name: str) -> str:
    """A villager group as the parser gives it: "3组", "03组", "三组" → "3"; a named group as is."""
    m = _GROUP_NAME.match(name)
    if m is None:
        return _upper(name)
    number = m.group(1)
    if number.isdigit():
        return str(int(number))
    value = cn_to_int(number)
    return str(value) if value is not None else _upper(name)


def _upper(name: str) -> str:
    return clean(name)[0] if name else ""


class MatchIndex:
    """The county's standard addresses, keyed for :meth:`match` (see the module docstring)."""

    def __init__(
        self, rows: Iterable[Row], aliases: Iterable[tuple[int, str]] = (), gz: Gazetteer | None = None
    ):
        self.gz = gz if gz is not None else current_gazetteer()
        self.rows: dict[int, Row] = {}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.street: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
        self.road_towns: dict[str, set[str]] = defaultdict(set)
        self.groups: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
        self.village_groups: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.compounds: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.compound_towns: dict[str, set[str]] = defaultdict(set)
        self.rooms: dict[tuple[int, str, str], list[int]] = defaultdict(list)
        self.rooms_any_unit: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.children: dict[int, int] = defaultdict(int)
        self.town_doors: dict[str, list[int]] = defaultdict(list)
        self.tails: dict[int, str] = {}
        self.digit_tables: dict[str, dict[tuple[str, ...], list[int]]] = {}
        self.stamp: tuple[Any, ...] = ()
        self.chain_names = tuple(d.name for d in self.gz.chain(self.gz.home))
        doors: list[Row] = []
        rooms: list[Row] = []
        for r in rows:
            self.rows[r.id] = r
            self.by_code[r.code.upper()] = r.id
            self.by_name[self.name_key(r.full_name)].append(r.id)
            (doors if r.level == AddressLevel.DOOR else rooms).append(r)
        for r in doors:
            town = r.division[:9]
            if r.group or not r.road:
                self.groups[(r.division, r.group, r.door, r.sub)].append(r.id)
                self.village_groups[(town, r.group)].add(r.division)
            else:
                self.street[(town, r.road, r.door, r.sub)].append(r.id)
                self.road_towns[r.road].add(town)
            if r.compound:
                self.compounds[(town, r.compound)].append(r.id)
                self.compound_towns[r.compound].add(town)
            self.town_doors[town].append(r.id)
        for r in rooms:
            parent = self.rows.get(r.parent_id) if r.parent_id is not None else None
            if parent is None:
                continue
            self.children[parent.id] += 1
            room_key = r.room or (f"F{r.floor}" if r.floor else "")
            self.rooms[(parent.id, r.unit, room_key)].append(r.id)
            self.rooms_any_unit[(parent.id, room_key)].append(r.id)
        for address_id, name in aliases:
            if address_id in self.rows:
                ids = self.by_name[self.name_key(name)]
                if address_id not in ids:
                    ids.append(address_id)

    def name_key(self, name: str) -> str:
        """A full name as compared: cleaned (``parsing.text.clean``), without the leading names of
        the county's own province, city and county."""
        t = clean(name)[0]
        for prefix in self.chain_names:
            if t.startswith(prefix):
                t = t[len(prefix) :]
        return t

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def load(cls, gz: Gazetteer | None = None) -> MatchIndex:
        """Read every standard address that can be matched (not voided, not merged)."""
        stamp = _stamp()
        elements: dict[int, tuple[str, str, str]] = {}  # id → (kind, canonical name, group number)
        for pk, kind, name in AddressElement.objects.values_list("id", "kind", "name").iterator(20_000):
            group = _group_number(name) if kind == ElementKind.GROUP else ""
            elements[pk] = (kind, _upper(name), group)
        qs = (
            StandardAddress.objects.exclude(status=RecordStatus.VOIDED)
            .exclude(clean_state=CleanState.MERGED)
            .order_by("id")
            .values_list(
                "id", "code", "level", "parent_id", "division_id", "road_id", "compound_id", "door_number",
                "sub_number", "building", "unit_no", "floor", "room_no", "full_name", "status", "mark_state",
            )
        )  # fmt: skip
        rows: list[Row] = []
        for (
            pk, code, level, parent, div, road_id, compound_id, door, sub, building, unit, floor, room, name,
            status, mark,
        ) in qs.iterator(chunk_size=20_000):  # fmt: skip
            road_kind, road, group = elements.get(road_id, _NO_ELEMENT) if road_id else _NO_ELEMENT
            if road_kind == ElementKind.GROUP:
                road = ""
            compound = elements[compound_id][1] if compound_id in elements else ""
            rows.append(
                Row(
                    pk, code, level, parent, div, road_id, road, group, canon_number(door or ""),
                    canon_number(sub or ""), compound, canon_building(building or ""),
                    canon_number(unit or ""), "" if floor is None else str(floor), canon_number(room or ""),
                    name, status, mark == MarkState.CONFIRMED,
                )
            )  # fmt: skip
        aliases = AddressAlias.objects.values_list("address_id", "name")
        index = cls(rows, aliases=[(a, n) for a, n in aliases.iterator(20_000)], gz=gz)
        # rooms created under a door plate carry no door parts of their own: take the parent's
        for r in index.rows.values():
            if r.level != AddressLevel.DOOR and r.parent_id in index.rows and not r.door:
                p = index.rows[r.parent_id]
                r.road, r.group, r.door, r.sub = p.road, p.group, p.door, p.sub
                r.compound, r.building = r.compound or p.compound, r.building or p.building
        index.stamp = stamp
        return index

    # -- matching -----------------------------------------------------------------------------

    def match(
        self,
        text: str,
        *,
        limit: int = 5,
        allowed: Collection[int] | None = None,
        parsed: ParsedAddress | None = None,
    ) -> MatchResult:
        """Match ``text`` against the index; only ids in ``allowed`` when given (pure: no
        database)."""
        p = parsed if parsed is not None else parse(text, gazetteer=self.gz, use_model=False)
        ok = (lambda _i: True) if allowed is None else allowed.__contains__
        scored: dict[int, tuple[float, list[str], list[str]]] = {}
        parent: int | None = None

        def offer(i: int, score: float, agree: list[str], notes: list[str]) -> None:
            if not ok(i) or score < MIN_SCORE:
                return
            if i not in scored or scored[i][0] < score:
                scored[i] = (score, agree, notes)

        key = text.strip().upper().replace(" ", "")
        if key in self.by_code:
            offer(self.by_code[key], 1.0, ["code"], [])
        for i in self.by_name.get(self.name_key(text), ()) or self.by_name.get(
            self.name_key(p.normalised), ()
        ):
            offer(i, 1.0, ["full_name"], [])
        if not scored:
            doors, parents = self._doors(p)
            if not doors:
                doors = self._fuzzy(p, ok)
            parent = self._expand(p, doors, parents, offer, ok)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        candidates = [self._candidate(i, s, agree, notes) for i, (s, agree, notes) in ranked]
        return self._result(p, candidates, parent)

    def _result(self, p: ParsedAddress, candidates: list[Candidate], parent: int | None) -> MatchResult:
        state = UNMATCHED
        best = None
        if candidates:
            top = candidates[0]
            clear = len(candidates) == 1 or top.score - candidates[1].score >= MARGIN
            if top.score >= MATCH_SCORE and clear:
                state, best = MATCHED, top
            else:
                state = AMBIGUOUS
        division = p.codes.get("community") or p.codes.get("village") or p.codes.get("town", "")
        return MatchResult(best, candidates, parent if state != MATCHED else None, p, state, division)

    def _candidate(self, i: int, score: float, agree: list[str], notes: list[str]) -> Candidate:
        r = self.rows[i]
        names = "、".join(str(PART_NAMES[a]) for a in agree if a in PART_NAMES)
        reason = _("Same %(parts)s") % {"parts": names} if names else ""
        if notes:
            reason = "；".join([reason, *notes]) if reason else "；".join(notes)
        return Candidate(r.id, r.code, r.full_name, round(min(score, 1.0), 3), reason)

    def _towns(self, p: ParsedAddress) -> set[str] | None:
        """The townships the text confines the search to (None: anywhere in the county)."""
        codes = p.codes
        for level in ("community", "village", "town"):
            code = codes.get(level)
            if code and len(code) == 12 and code[9:] != "000":
                return {code[:9]}
            if code and level == "town":
                return {code[:9]}
        county = codes.get("county")
        if county and not county.startswith(self.gz.home[:6]):
            return set()  # another county: nothing here
        return None

    def _doors(self, p: ParsedAddress) -> tuple[dict[int, Scored], list[int]]:
        """Door plates the text's township, street or village and group, door number and
        compound point at, with their score so far; and door plates that are only parents (the
        text names a sub-number they do not have)."""
        v = p.values
        towns = self._towns(p)
        doors: dict[int, Scored] = {}
        parents: list[int] = []
        if towns is not None and not towns:
            return doors, parents
        town_given = any(c.label == "town" for c in p.components) and "town" in p.codes
        village_code = p.codes.get("community") or p.codes.get("village") or ""
        door, sub = v.get("door_number", ""), v.get("sub_number", "")
        road = _upper(v.get("road", ""))
        group = v.get("group", "")
        compound = _upper(v.get("compound", ""))

        def add(ids: Iterable[int], score: float, agree: list[str]) -> None:
            for i in ids:
                if i not in doors or doors[i][0] < score:
                    doors[i] = (score, agree, [])

        base = 1.0 if town_given else 0.98
        town_agree = ["town"] if town_given else []
        sub_agree = ["sub_number"] if sub else []
        if road and door:
            for town in towns if towns is not None else self.road_towns.get(road, ()):
                found = self.street.get((town, road, door, sub), ())
                add(found, base, [*town_agree, "road", "door_number", *sub_agree])
                if not found and sub:
                    parents.extend(self.street.get((town, road, door, ""), ()))
        if door and (group or village_code) and not road:
            villages = [village_code] if len(village_code) == 12 else []
            if not villages and group and towns:
                villages = sorted({vc for t in towns for vc in self.village_groups.get((t, group), ())})
            agree = (["village"] if village_code else []) + (["group"] if group else []) + ["door_number"]
            for vc in villages:
                found = self.groups.get((vc, group, door, sub), ())
                add(found, base if village_code else base * 0.9, [*town_agree, *agree, *sub_agree])
                if not found and sub:
                    parents.extend(self.groups.get((vc, group, door, ""), ()))
        if compound and not doors:
            for town in towns if towns is not None else self.compound_towns.get(compound, ()):
                ids = self.compounds.get((town, compound), ())
                if door:
                    ids = [i for i in ids if self.rows[i].door == door]
                add(ids, base * (0.97 if not door else 1.0), [*town_agree, "compound"])
        return doors, parents

    def _expand(
        self,
        p: ParsedAddress,
        doors: dict[int, Scored],
        parents: list[int],
        offer: Callable[..., None],
        ok: Callable[[int], bool],
    ) -> int | None:
        """Offer the door plates (or their rooms, when the text names a room) with their final
        score; returns the one door plate in scope a new address would go under, if any."""
        v = p.values
        village_code = p.codes.get("community") or p.codes.get("village") or ""
        compound = _upper(v.get("compound", ""))
        building = v.get("building", "")
        wants_room = any(k in v for k in ("unit", "room", "floor"))
        road = _upper(v.get("road", ""))
        village_name = "" if village_code else (v.get("community") or v.get("village") or "")
        for i, (score, agree, notes) in doors.items():
            r = self.rows[i]
            agree, notes = list(agree), list(notes)
            if road and r.road and r.road != road and "road" not in agree:
                score *= _name_factor(road, r.road)
                notes.append(_("street name differs"))
            if village_name and "village" not in agree:
                division = self.gz.divisions.get(r.division)
                if division is not None and division.name != village_name:
                    score *= _name_factor(village_name, division.name)
                    notes.append(_("village name differs"))
            if compound:
                if r.compound == compound:
                    if "compound" not in agree:
                        agree.append("compound")
                else:
                    score *= 0.85 if not r.compound else 0.7
            if building:
                if r.building != building:
                    if not r.building:
                        parents.append(i)
                    continue
                agree.append("building")
            elif r.building:
                siblings = sum(1 for j in doors if self.rows[j].building)
                score *= 0.9 if siblings == 1 else 0.6
                notes.append(_("building not given"))
            if village_code and r.division != village_code and "village" not in agree:
                score *= 0.85  # a street crosses communities, but the text named another one
            if not wants_room:
                offer(i, score, agree, notes)
                continue
            unit, room, floor = v.get("unit", ""), v.get("room", ""), v.get("floor", "")
            room_key = room or (f"F{floor}" if floor else "")
            found = self.rooms.get((i, unit, room_key), []) if unit else []
            room_agree = [*agree, "unit", "room"] if unit else [*agree, "room"]
            if not found and not unit:
                found = self.rooms_any_unit.get((i, room_key), [])
                if len(found) > 1:
                    score *= 0.7
                    notes = [*notes, _("unit not given")]
                elif found:
                    score *= 0.95
            if not found:
                parents.append(i)
                continue
            for j in found:
                rr = self.rows[j]
                offer(
                    j, score * (0.5 if floor and rr.floor and rr.floor != floor else 1.0), room_agree, notes
                )
        in_scope = [i for i in dict.fromkeys(parents) if ok(i)]
        return in_scope[0] if len(in_scope) == 1 else None

    def _fuzzy(self, p: ParsedAddress, ok: Callable[[int], bool]) -> dict[int, Scored]:
        """Door plates of the township whose names are close to the text's (a typo in a street,
        village or compound name): the same numbers, rapidfuzz ratio at least FUZZY_CUTOFF."""
        from rapidfuzz import fuzz, process

        towns = self._towns(p)
        if towns is not None and not towns:
            return {}
        query = _door_tail(p)
        if len(query) < 3:
            return {}
        digits = tuple(_DIGITS.findall(query))
        pool: list[int] = []
        for town in towns if towns is not None else list(self.town_doors):
            pool.extend(i for i in self._by_digits(town).get(digits, ()) if ok(i))
        if not pool:
            return {}
        choices = [self._tail_of(i) for i in pool]
        found: dict[int, Scored] = {}
        for _choice, score, k in process.extract(
            query, choices, scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_CUTOFF
        ):
            note = _("similar name (%(score)d%%)") % {"score": round(score)}
            found[pool[k]] = (FUZZY_CAP * score / 100, [], [note])
        return found

    def _by_digits(self, town: str) -> dict[tuple[str, ...], list[int]]:
        """The township's door plates by the numbers in their names (built on first use)."""
        table = self.digit_tables.get(town)
        if table is None:
            table = defaultdict(list)
            for i in self.town_doors.get(town, ()):
                table[tuple(_DIGITS.findall(self._tail_of(i)))].append(i)
            self.digit_tables[town] = table
        return table

    def _tail_of(self, i: int) -> str:
        """A door plate's full name below its township (for fuzzy comparison)."""
        tail = self.tails.get(i)
        if tail is None:
            r = self.rows[i]
            name = r.full_name
            town = self.gz.divisions.get(r.division[:9].ljust(12, "0"))
            if town is not None and town.name in name:
                name = name.split(town.name, 1)[1]
            tail = self.tails[i] = name
        return tail


def _name_factor(a: str, b: str) -> float:
    """How much a differing name lowers a score: a typo (one character apart) a little, another
    name a lot."""
    from rapidfuzz.distance import Levenshtein

    return 0.9 if Levenshtein.distance(a, b) == 1 and min(len(a), len(b)) >= 2 else 0.6


def _door_tail(p: ParsedAddress) -> str:
    """The door-plate part of the parsed text below the township, written as full names are."""
    v = p.values
    group = v.get("group", "")
    village = v.get("community") or v.get("village") or ""
    try:
        return full_name(
            division_path=[village] if village and (group or not v.get("road")) else [],
            street=v.get("road", "") if not group else "",
            group=f"{group}组" if group else "",
            door_number=v.get("door_number", ""),
            sub_number=v.get("sub_number", ""),
            compound=v.get("compound", ""),
            building=v.get("building", ""),
        )
    except ValueError:
        return ""


def _stamp() -> tuple[Any, ...]:
    agg = StandardAddress.objects.aggregate(n=Count("pk"), m=Max("pk"), u=Max("updated_at"))
    return (agg["n"], agg["m"], agg["u"], AddressElement.objects.aggregate(n=Count("pk"), m=Max("pk"))["m"])


# --------------------------------------------------------------------------------------------
# The cached index and the public functions


class _Cache:
    def __init__(self) -> None:
        self.index: MatchIndex | None = None
        self.checked = 0.0
        self.dirty = True
        self.allowed: dict[tuple[Any, ...], frozenset[int]] = {}
        self.lock = threading.Lock()


_cache = _Cache()


def invalidate(**_kwargs: Any) -> None:
    """Rebuild the index on next use (connected to ORM saves of addresses, elements, aliases)."""
    _cache.dirty = True


_connected = False


def _connect_signals() -> None:
    global _connected
    if _connected:
        return
    from django.db.models.signals import post_delete, post_save

    for model in (StandardAddress, AddressElement, AddressAlias):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"matching-{model.__name__}-save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"matching-{model.__name__}-delete")
    _connected = True


def current_index() -> MatchIndex:
    """The cached index of the county's addresses, rebuilt when they change."""
    c = _cache
    _connect_signals()
    now = time.monotonic()
    index = c.index
    if index is not None and not c.dirty:
        if len(index.rows) > SMALL_INDEX and now - c.checked < CHECK_SECONDS:
            return index
    with c.lock:
        gz = current_gazetteer()
        if c.index is not None and not c.dirty and c.index.gz is gz:
            c.checked = now
            if _stamp() == c.index.stamp:
                return c.index
        c.dirty = False
        c.index = MatchIndex.load(gz)
        c.allowed.clear()
        c.checked = time.monotonic()
        return c.index


def _allowed_for(actor: User, index: MatchIndex) -> frozenset[int]:
    key = (actor.pk, actor.role, actor.police_unit_id, actor.division_id, actor.is_active, id(index))
    found = _cache.allowed.get(key)
    if found is None:
        ids = jurisdiction.scope(StandardAddress.objects.all(), actor).values_list("id", flat=True)
        found = frozenset(ids.iterator(chunk_size=50_000))
        if len(_cache.allowed) > 64:
            _cache.allowed.clear()
        _cache.allowed[key] = found
    return found


def match(
    text: str, *, actor: User | None = None, limit: int = 5, parsed: ParsedAddress | None = None
) -> MatchResult:
    """The standard addresses ``text`` may name, best first (see the module docstring).

    ``actor`` None = the whole county (batch jobs); otherwise only addresses in the actor's
    jurisdiction. ``parsed``: the text already parsed against the current gazetteer (saves a
    second parse). Never raises on odd text: an empty or unreadable text is "unmatched".
    """
    return match_in(current_index(), text, actor=actor, limit=limit, parsed=parsed)


def match_in(
    index: MatchIndex, text: str, *, actor: User | None, limit: int = 5, parsed: ParsedAddress | None = None
) -> MatchResult:
    """:func:`match` against a given (current) index: for callers that already hold it."""
    if actor is None:
        return index.match(text or "", limit=limit, parsed=parsed)
    result = index.match(text or "", limit=limit, allowed=_allowed_for(actor, index), parsed=parsed)
    return _recheck(result, actor, index)


def _recheck(result: MatchResult, actor: User, index: MatchIndex) -> MatchResult:
    """Re-read the candidates in scope, so a stale index never hands out a voided, merged or
    deleted address (the index may lag a bulk write by up to a second)."""
    ids = [c.address_id for c in result.candidates] + ([result.parent_id] if result.parent_id else [])
    if not ids:
        return result
    live = dict(
        jurisdiction.scope(StandardAddress.objects.filter(pk__in=ids), actor)
        .exclude(status=RecordStatus.VOIDED)
        .exclude(clean_state=CleanState.MERGED)
        .values_list("id", "full_name")
    )
    if len(live) == len(ids):
        return result
    candidates = [c for c in result.candidates if c.address_id in live]
    parent = result.parent_id if result.parent_id in live else None
    return index._result(result.parsed, candidates, parent)


# --------------------------------------------------------------------------------------------
# Duplicates

_STATUS_ORDER: dict[str, int] = {
    RecordStatus.ACCEPTED: 0,
    RecordStatus.PENDING: 1,
    RecordStatus.RETURNED: 2,
    RecordStatus.DRAFT: 3,
}
_DIGITS = re.compile(r"\d+")
#: Characters that tell two places apart when a name differs in just one of them (东大街/西大街).
DISTINGUISHING = set("东西南北中上下前后左右新老旧大小内外正副甲乙丙丁一二三四五六七八九十")
MAX_BLOCK = 200


def _not_duplicate_pairs() -> set[frozenset[int]]:
    try:
        from ybss.cleaning.models import NotDuplicate  # engineer C's app; optional
    except (ImportError, LookupError, RuntimeError):
        return set()
    try:
        pairs = NotDuplicate.objects.values_list("address_a_id", "address_b_id")
        return {frozenset(p) for p in pairs.iterator(chunk_size=20_000)}
    except Exception:  # the table does not exist yet (app not migrated)
        return set()


def _survivor_order(index: MatchIndex) -> Callable[[int], tuple[int, int, int, int]]:
    def order(i: int) -> tuple[int, int, int, int]:
        r = index.rows[i]
        return (_STATUS_ORDER.get(r.status, 4), 0 if r.marked else 1, -index.children.get(i, 0), i)

    return order


def _one_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one substituted, inserted or dropped character that
    does not tell places apart (a typo: 凤凰路/凤凰璐, not 东大街/西大街)."""
    from rapidfuzz.distance import Levenshtein

    if a == b or abs(len(a) - len(b)) > 1 or Levenshtein.distance(a, b) != 1:
        return False
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        changed = set(a[op.src_start : op.src_end]) | set(b[op.dest_start : op.dest_end])
        if changed & DISTINGUISHING or any(c.isdigit() for c in changed):
            return False
    return True


def duplicate_groups(
    index: MatchIndex,
    *,
    allowed: Collection[int] | None = None,
    division_prefix: str = "",
    not_duplicates: set[frozenset[int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[int]]:
    """Groups of index rows that are the same place (pure; see :func:`find_duplicates`)."""
    rows = [
        r
        for r in index.rows.values()
        if (allowed is None or r.id in allowed) and r.division.startswith(division_prefix)
    ]
    parent_key: dict[int, tuple[Any, ...]] = {}
    exact: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    names: dict[tuple[str, str], list[int]] = defaultdict(list)
    blocks: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for r in rows:
        if r.level == AddressLevel.DOOR:
            key: tuple[Any, ...] = (r.division, r.road, r.group, r.door, r.sub, r.compound, r.building)
            parent_key[r.id] = key
    total = len(rows)
    for n, r in enumerate(rows, 1):
        if r.level == AddressLevel.DOOR:
            key = ("door", *parent_key[r.id])
        else:
            door = parent_key.get(r.parent_id or 0, ("parent", r.parent_id))
            key = ("room", *door, r.unit, r.floor, r.room)
        exact[key].append(r.id)
        name = clean(r.full_name)[0]
        names[(r.division, name)].append(r.id)
        blocks[(r.division, r.level, tuple(_DIGITS.findall(name)))].append(r.id)
        if progress is not None and n % 20_000 == 0:
            progress(n, total)
    root: dict[int, int] = {}  # union-find over ids

    def find(x: int) -> int:
        root.setdefault(x, x)
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            root[max(ra, rb)] = min(ra, rb)

    skip = not_duplicates or set()
    for ids in (*exact.values(), *names.values()):
        for other in ids[1:]:
            if frozenset((ids[0], other)) not in skip:
                union(ids[0], other)
    for ids in blocks.values():
        if len(ids) < 2 or len(ids) > MAX_BLOCK:
            continue
        texts = [clean(index.rows[i].full_name)[0] for i in ids]
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                if texts[x] != texts[y] and _one_apart(texts[x], texts[y]):
                    if frozenset((ids[x], ids[y])) not in skip:
                        union(ids[x], ids[y])
    if progress is not None:
        progress(total, total)
    members: dict[int, list[int]] = defaultdict(list)
    for i in root:
        members[find(i)].append(i)
    order = _survivor_order(index)
    groups: list[list[int]] = []
    for ids in members.values():
        if len(ids) < 2:
            continue
        ids.sort(key=order)
        # split a group where an officer said two members are not the same place
        clusters: list[list[int]] = []
        for i in ids:
            for cluster in clusters:
                if all(frozenset((i, j)) not in skip for j in cluster):
                    cluster.append(i)
                    break
            else:
                clusters.append([i])
        groups.extend(c for c in clusters if len(c) > 1)
    groups.sort(key=lambda g: g[0])
    return groups


def find_duplicates(
    *,
    actor: User | None = None,
    division_prefix: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> list[list[int]]:
    """Groups of StandardAddress ids that are the same place; the first id of each group is the
    suggested survivor (accepted before draft, marked before unmarked, the one with rooms, the
    oldest). Skips pairs recorded as not duplicates. ``actor`` None = the whole county."""
    index = current_index()
    allowed = _allowed_for(actor, index) if actor is not None else None
    return duplicate_groups(
        index,
        allowed=allowed,
        division_prefix=division_prefix,
        not_duplicates=_not_duplicate_pairs(),
        progress=progress,
    )
