"""As-you-type completion of standard addresses from what has been typed so far.

An officer on a phone types two to six characters and expects the right door plate among the first
suggestions. :func:`suggest` answers the address list's search box (``GET
/api/addresses/suggest``): the matcher's candidates (``matching.match``) when the text already
names an address, and prefix completions (:func:`complete`) otherwise or to fill up the list.

The completion index
--------------------
:class:`SuggestIndex` is derived from the matcher's :class:`~ybss.addresses.matching.MatchIndex`
(the live standard addresses: not voided, not merged) and cached beside it, so it is rebuilt
exactly when that index is (ORM saves mark it stale, a version stamp catches bulk writes: see
``matching``). Each address's name is taken below the county (its *key*:
城关街道凤凰路18号金水小区3号楼2单元501室) and hung under the named places in it — township,
community or village, street, villager group, compound or yard — with the offset where the name
goes on after the place (its *tail*: 18号金水小区…). Under every place the addresses are kept in
rank order, so the first hits found are the best ones.

A query, cleaned as the parser cleans text (full-width, traditional characters, spaces and
punctuation; the county's own province, city and county names dropped), is read as
``<place name><rest>``:

* a place whose whole name the query starts with gives the addresses under it whose tail starts
  with the rest (凤凰路 + "1" → 凤凰路1号, 凤凰路10号 …; 城关街道 + "凤凰路1" the same ones);
* a place whose name starts with the query is offered itself (凤凰 → 凤凰路, 凤凰家园), with the
  addresses under it; a township or village so offered brings its streets, compounds,
  communities or groups along (城关 → 城关街道, 城关街道凤凰路 …);
* leading letters are read as the pinyin or pinyin initials of place names (fhl, fenghuang → 凤凰路);
* digits alone (4 or more) as the start of an address code;
* last, names that merely contain the query fill up what is left.

Ranking: a place typed in full, then a place name still being typed, pinyin, an address code, a
name that only contains the text; within each, door plates before room addresses and shorter
names first. Every completion carries a reason in the user's language and the span of its full
name that matched.

Scope
-----
``actor=None`` means the whole county (batch jobs, benchmarks). With an actor, the search runs in
a :class:`ScopedView` built from the ids ``org.jurisdiction.scope`` lets that actor see (read once
per actor and index version by ``matching``): it holds only those addresses, and places only when
one of its addresses lies under them, so another station's addresses and street names are never
reached. The addresses returned are re-read through the scoped queryset as well, so an index that
lags a write by up to a second never hands out a voided, merged or out-of-scope address.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User

from . import matching
from .models import AddressLevel, CleanState, StandardAddress
from .parsing import ParsedAddress, parse
from .parsing.text import clean

#: Place kinds, in the order they are offered.
TOWN, VILLAGE, ROAD, COMPOUND, GROUP = "town", "village", "road", "compound", "group"
KIND_ORDER = {TOWN: 0, VILLAGE: 1, ROAD: 2, COMPOUND: 3, GROUP: 4}
#: How a completion was found, best first (``Suggestion.kind``; the matcher's are "match").
PREFIX, PARTIAL, PINYIN, CODE, CONTAINS = "prefix", "partial", "pinyin", "code", "contains"
_CLASS = {PREFIX: 0, PARTIAL: 1, PINYIN: 2, CODE: 3, CONTAINS: 4}
#: At most this many places are offered with the addresses.
MAX_PLACES = 5
#: At most this many places whose name is still being typed are searched for addresses.
MAX_PARTIAL_PLACES = 12
#: Scoped views kept (one per distinct jurisdiction in use).
MAX_VIEWS = 16
#: Longest query read (the API refuses longer ones).
MAX_QUERY = 200
#: A query of at least this many leading letters is read as pinyin.
MIN_PINYIN = 2
MIN_CODE = 4
MIN_CONTAINS = 2

_ASCII_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}
_LOWER = re.compile("[a-z]")
_LETTERS = re.compile(r"[A-Z]+")
_CODE = re.compile(r"[0-9][0-9A-Z-]*")
#: Parsed values that make a text name one address rather than a place.
_ADDRESS_PARTS = ("door_number", "sub_number", "group", "building", "unit", "floor", "room")


@dataclass(frozen=True, slots=True)
class Place:
    """A named place addresses hang under. ``parent``: the township (of a village, street or
    compound) or the village (of a group), as a place id."""

    id: int
    kind: str
    name: str
    town: str
    parent: int | None


@dataclass(frozen=True)
class Suggestion:
    """One standard address offered. ``kind``: "match" (the matcher's candidate) or how the
    completion was found (:data:`PREFIX` …). ``highlight``: ``[start, end)`` spans of
    ``full_name`` that matched the text. ``score``: the matcher's score; for a completion, the
    share of the address's name (below the county) the text covers."""

    address_id: int
    code: str
    full_name: str
    level: str
    score: float
    reason: str
    kind: str
    highlight: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class PlaceSuggestion:
    """A place to complete the text with: ``text`` is what to type (``城关街道凤凰路``),
    ``highlight`` the spans of ``text`` that matched, ``count`` its addresses in scope."""

    kind: str
    label: str
    name: str
    text: str
    town: str
    count: int
    reason: str
    highlight: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Completions:
    places: list[PlaceSuggestion]
    addresses: list[Suggestion]


@dataclass(frozen=True)
class Suggestions:
    """What :func:`suggest` answers: the matcher's verdict on the whole text (``state``,
    ``parent_id``, ``values``: see ``matching.MatchResult``), the addresses best first and the
    places to complete the text with."""

    state: str
    candidates: list[Suggestion]
    places: list[PlaceSuggestion]
    parent_id: int | None
    values: dict[str, str]


#: An address's places: (place id, name as written in its full name) of its township, village,
#: street, group and compound, or None.
_Slot = tuple[int, str] | None
_Plan = tuple[_Slot, _Slot, _Slot, _Slot, _Slot]


def _label(kind: str) -> str:
    return str(matching.PART_NAMES["group" if kind == GROUP else kind])


class SuggestIndex:
    """The county's live addresses under their places (see the module docstring); pure: built
    from a :class:`~ybss.addresses.matching.MatchIndex`, no database."""

    def __init__(self, index: matching.MatchIndex) -> None:
        self.source = index
        rows = list(index.rows.values())
        keys: list[str] = []
        bases: list[int] = []
        chain = index.chain_names
        lower = _LOWER.search
        for r in rows:
            name = r.full_name
            base = 0
            for prefix in chain:
                if name.startswith(prefix, base):
                    base += len(prefix)
            key = name[base:]
            keys.append(key.translate(_ASCII_UPPER) if lower(key) else key)
            bases.append(base)
        door = AddressLevel.DOOR
        order = sorted(range(len(rows)), key=lambda k: (rows[k].level != door, len(keys[k]), keys[k]))
        #: rows in rank order; ``keys[j]`` is row ``j``'s name below the county, ``bases[j]`` where
        #: it starts in the full name
        self.rows = [rows[k] for k in order]
        self.keys = [keys[k] for k in order]
        self.bases = [bases[k] for k in order]
        self.places: list[Place] = []
        #: place id → (rows in rank order, where each row's name goes on after the place)
        self.buckets: list[tuple[list[int], list[int]]] = []
        self.children: dict[int, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}  # places other than groups, by name
        self._ids: dict[tuple[str, str, str], int] = {}
        self._pinyin: tuple[list[tuple[str, int]], list[tuple[str, int]]] | None = None
        plans: dict[tuple[str, str, str, str], _Plan] = {}
        self.plans: list[_Plan] = []  # row → its places
        for r in self.rows:
            sig = (r.division, r.road, r.group, r.compound)
            plan = plans.get(sig)
            if plan is None:
                plan = plans[sig] = self._plan(r)
            self.plans.append(plan)
        self.fill(self.buckets, range(len(self.rows)))
        self.names = sorted(self.by_name)
        del self._ids

    def fill(self, buckets: list[tuple[list[int], list[int]]], rows: Iterable[int]) -> None:
        """Hang ``rows`` (in rank order) under their places in ``buckets``, with the offset where
        each row's name goes on after the place (the place's name is looked for in the name; a
        village or township not written in it hangs the row at its parent's offset)."""
        keys, plans = self.keys, self.plans
        for j in rows:
            key = keys[j]
            town, village, road, group, compound = plans[j]
            after_town = 0
            if town is not None:
                pos = key.find(town[1])
                after_town = pos + len(town[1]) if pos >= 0 else 0
                bucket = buckets[town[0]]
                bucket[0].append(j)
                bucket[1].append(after_town)
            after_village = after_town
            if village is not None:
                pos = key.find(village[1], after_town)
                after_village = pos + len(village[1]) if pos >= 0 else after_town
                bucket = buckets[village[0]]
                bucket[0].append(j)
                bucket[1].append(after_village)
            for place, since in ((road, after_town), (group, after_village), (compound, after_town)):
                if place is not None:
                    pos = key.find(place[1], since)
                    if pos >= 0:
                        bucket = buckets[place[0]]
                        bucket[0].append(j)
                        bucket[1].append(pos + len(place[1]))

    def _plan(self, r: matching.Row) -> _Plan:
        """The places an address of ``r``'s division, street or group and compound hangs under."""
        divisions = self.source.gz.divisions
        town_code = r.division[:9].ljust(12, "0")
        division = divisions.get(town_code)
        town_name = division.name if division is not None else ""
        town = village = road = group = compound = None
        town_id = None
        if town_name:
            town_id = self._place(TOWN, town_code, town_name, town_name, None)
            town = (town_id, town_name)
        division = divisions.get(r.division) if r.division[9:] not in ("", "000") else None
        if division is not None:
            village = (self._place(VILLAGE, r.division, division.name, town_name, town_id), division.name)
        if r.road:
            road = (self._place(ROAD, town_code, r.road, town_name, town_id), r.road)
        elif r.group and village is not None:
            name = f"{r.group}组" if r.group.isdigit() else r.group
            group = (self._place(GROUP, r.division, name, town_name, village[0]), name)
        if r.compound:
            compound = (self._place(COMPOUND, town_code, r.compound, town_name, town_id), r.compound)
        return town, village, road, group, compound

    def _place(self, kind: str, scope: str, name: str, town: str, parent: int | None) -> int:
        key = (kind, scope, name)
        pid = self._ids.get(key)
        if pid is None:
            pid = self._ids[key] = len(self.places)
            self.places.append(Place(pid, kind, name, town, parent))
            self.buckets.append(([], []))
            if parent is not None:
                self.children.setdefault(parent, []).append(pid)
            if kind != GROUP:
                self.by_name.setdefault(name, []).append(pid)
        return pid

    def pinyin(self) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """(initials, place id) and (full pinyin, place id), sorted (built on first use)."""
        if self._pinyin is None:
            from pypinyin import lazy_pinyin

            initials: list[tuple[str, int]] = []
            spelled: list[tuple[str, int]] = []
            for name, ids in self.by_name.items():
                syllables = [s.lower() for s in lazy_pinyin(name) if s]
                first = "".join(s[0] for s in syllables)
                whole = "".join(syllables)
                for pid in ids:
                    initials.append((first, pid))
                    spelled.append((whole, pid))
            self._pinyin = (sorted(initials), sorted(spelled))
        return self._pinyin


class ScopedView:
    """The part of a :class:`SuggestIndex` one jurisdiction sees (``allowed`` ids; None: all)."""

    def __init__(self, index: SuggestIndex, allowed: Collection[int] | None) -> None:
        self.index = index
        if allowed is None:
            self.rows = list(range(len(index.rows)))
            self.buckets = index.buckets
        else:
            rows = index.rows
            self.rows = [j for j in range(len(rows)) if rows[j].id in allowed]
            if len(self.rows) == len(rows):
                self.buckets = index.buckets
            else:
                self.buckets = [([], []) for _p in index.places]
                index.fill(self.buckets, self.rows)
        self._codes: tuple[list[str], list[int]] | None = None
        self._text: tuple[str, list[int]] | None = None

    def visible(self, place: int) -> bool:
        return bool(self.buckets[place][0])

    def codes(self) -> tuple[list[str], list[int]]:
        """The address codes in scope, sorted, with their rows (built on first use)."""
        if self._codes is None:
            pairs = sorted((self.index.rows[j].code.upper(), j) for j in self.rows)
            self._codes = ([c for c, _j in pairs], [j for _c, j in pairs])
        return self._codes

    def text(self) -> tuple[str, list[int]]:
        """Every key in scope, in rank order, joined by newlines, and where each starts."""
        if self._text is None:
            starts: list[int] = []
            at = 0
            keys = self.index.keys
            for j in self.rows:
                starts.append(at)
                at += len(keys[j]) + 1
            self._text = ("\n".join(keys[j] for j in self.rows), starts)
        return self._text


# --------------------------------------------------------------------------------------------
# Searching


@dataclass(order=True)
class _Hit:
    rank: tuple[int, int, int, str]
    j: int = field(compare=False)
    span: tuple[int, int] = field(compare=False)  # in the key
    kind: str = field(compare=False)
    reason: str = field(compare=False)
    typed: int = field(compare=False)


def normalise(text: str, index: SuggestIndex) -> str:
    """The query as keys are written: cleaned like the parser's input, ASCII upper-cased, the
    county's own leading province, city and county names dropped."""
    q = clean(text[:MAX_QUERY])[0]
    for prefix in index.source.chain_names:
        if q.startswith(prefix):
            q = q[len(prefix) :]
    return q


class _Search:
    def __init__(self, view: ScopedView, q: str, limit: int) -> None:
        self.view = view
        self.index = view.index
        self.q = q
        self.limit = limit
        self.hits: dict[int, _Hit] = {}

    def add(self, j: int, kind: str, start: int, end: int, reason: str) -> None:
        idx = self.index
        r, key = idx.rows[j], idx.keys[j]
        rank = (_CLASS[kind], r.level != AddressLevel.DOOR, len(key), key)
        old = self.hits.get(j)
        if old is None or rank < old.rank:
            self.hits[j] = _Hit(rank, j, (start, end), kind, reason, end - start)

    def under(self, place: int, rest: str, kind: str, reason: str, *, typed: int | None = None) -> None:
        """The first addresses under ``place`` whose tail starts with ``rest``. ``typed``: how
        many characters of the place's name were typed (all when None)."""
        rows, tails = self.view.buckets[place]
        keys = self.index.keys
        name = self.index.places[place].name
        found = 0
        for j, t in zip(rows, tails, strict=True):
            key = keys[j]
            if rest and not key.startswith(rest, t):
                continue
            start = t - len(name) if key.startswith(name, t - len(name)) else t
            end = start + typed if typed is not None and start < t else t + len(rest)
            self.add(j, kind, start, end, reason)
            found += 1
            if found >= self.limit:
                return

    def ranked(self) -> list[_Hit]:
        return sorted(self.hits.values())[: self.limit]


def _reason_prefix(place: Place, text: str) -> str:
    return _("%(part)s prefix: %(text)s") % {"part": _label(place.kind), "text": text}


def _whole_places(view: ScopedView, q: str) -> list[tuple[int, str]]:
    """(place, rest) for every visible place whose whole name ``q`` starts with, longest first."""
    idx = view.index
    out = []
    for k in range(len(q), 0, -1):
        for pid in idx.by_name.get(q[:k], ()):
            if view.visible(pid):
                out.append((pid, q[k:]))
    return out


def _partial_places(view: ScopedView, q: str) -> list[int]:
    """Visible places whose name starts with ``q`` and is longer, best first."""
    idx = view.index
    lo = bisect_left(idx.names, q)
    hi = bisect_left(idx.names, q + "\U0010ffff", lo)
    found = [pid for name in idx.names[lo:hi] if name != q for pid in idx.by_name[name] if view.visible(pid)]
    return sorted(found, key=lambda p: _place_rank(idx.places[p]))


def _place_rank(p: Place) -> tuple[int, int, str, str]:
    return (KIND_ORDER[p.kind], len(p.name), p.name, p.town)


def _pinyin_places(view: ScopedView, letters: str, whole: bool) -> list[tuple[int, str]]:
    """(place, "initials" | "spelled") whose pinyin initials or spelling start with ``letters``
    (equal it, when ``whole``), best first."""
    initials, spelled = view.index.pinyin()
    out: dict[int, str] = {}
    for table, how in ((initials, "initials"), (spelled, "spelled")):
        lo = bisect_left(table, (letters, -1))
        hi = bisect_right(table, (letters + "\x7f", -1), lo)
        for value, pid in table[lo:hi]:
            if (not whole or value == letters) and pid not in out and view.visible(pid):
                out[pid] = how
    places = view.index.places
    return sorted(out.items(), key=lambda kv: _place_rank(places[kv[0]]))[:MAX_PARTIAL_PLACES]


def _search(view: ScopedView, q: str, limit: int) -> tuple[list[_Hit], list[PlaceSuggestion]]:
    idx = view.index
    s = _Search(view, q, limit)
    offered: list[PlaceSuggestion] = []
    seen_places: set[int] = set()

    def offer(pid: int, text: str, reason: str, highlight: tuple[tuple[int, int], ...]) -> None:
        if pid in seen_places or len(offered) >= MAX_PLACES:
            return
        seen_places.add(pid)
        p = idx.places[pid]
        count = len(view.buckets[pid][0])
        offered.append(
            PlaceSuggestion(p.kind, _label(p.kind), p.name, text, p.town, count, reason, highlight)
        )

    def place_text(pid: int) -> str:
        """What to type for a place: its name, with its township when another township has a
        visible place of that name."""
        p = idx.places[pid]
        same = [o for o in idx.by_name.get(p.name, ()) if view.visible(o)]
        return p.town + p.name if len(same) > 1 and p.kind != TOWN else p.name

    def offer_children(pid: int, rest: str, prefix: str) -> None:
        p = idx.places[pid]
        kids = [
            c for c in idx.children.get(pid, ()) if view.visible(c) and idx.places[c].name.startswith(rest)
        ]
        for c in sorted(kids, key=lambda c: _place_rank(idx.places[c])):
            child = idx.places[c]
            text = prefix + child.name
            if text == q:
                continue
            reason = _("%(part)s of %(parent)s") % {"part": _label(child.kind), "parent": p.name}
            typed = len(q) if text.startswith(q) else 0
            offer(c, text, reason, ((0, typed),) if typed else ())

    # a place typed in full, then the rest of its addresses' names
    whole = _whole_places(view, q)
    for pid, rest in whole:
        place = idx.places[pid]
        s.under(pid, rest, PREFIX, _reason_prefix(place, place.name + rest))
        if place.kind in (TOWN, VILLAGE):
            offer_children(pid, rest, q[: len(q) - len(rest)])
    # a place name still being typed
    partial = _partial_places(view, q) if q else []
    for pid in partial[:MAX_PARTIAL_PLACES]:
        place = idx.places[pid]
        s.under(pid, "", PARTIAL, _reason_prefix(place, place.name), typed=len(q))
    for pid in partial:
        text = place_text(pid)
        typed = len(q) if text.startswith(q) else 0
        offer(pid, text, _reason_prefix(idx.places[pid], q), ((0, typed),) if typed else ())
    lone = [pid for pid in partial if idx.places[pid].kind in (TOWN, VILLAGE)]
    if len(lone) == 1:
        offer_children(lone[0], "", idx.places[lone[0]].name)
    # pinyin of place names
    letters = _LETTERS.match(q)
    if letters and len(letters.group()) >= MIN_PINYIN:
        spelled, rest = letters.group().lower(), q[letters.end() :]
        for pid, how in _pinyin_places(view, spelled, whole=bool(rest)):
            place = idx.places[pid]
            if how == "initials":
                reason = _("Pinyin initials: %(text)s (%(name)s)") % {
                    "text": spelled + rest,
                    "name": place.name,
                }
            else:
                reason = _("Pinyin: %(text)s (%(name)s)") % {"text": spelled + rest, "name": place.name}
            s.under(pid, rest, PINYIN, reason)
            offer(pid, place_text(pid) + rest, reason, ())
    # the start of an address code
    if len(q) >= MIN_CODE and _CODE.fullmatch(q):
        codes, rows = view.codes()
        lo = bisect_left(codes, q)
        for k in range(lo, min(lo + limit, len(codes))):
            if not codes[k].startswith(q):
                break
            reason = _("%(part)s prefix: %(text)s") % {"part": matching.PART_NAMES["code"], "text": q}
            s.add(rows[k], CODE, 0, 0, reason)
    # names that contain the text
    if len(s.hits) < limit and len(q) >= MIN_CONTAINS:
        text, starts = view.text()
        pos = text.find(q)
        reason = _("Name contains: %(text)s") % {"text": q}
        found = 0
        while pos >= 0 and found < limit:
            k = bisect_right(starts, pos) - 1
            j = view.rows[k]
            if j not in s.hits:
                s.add(j, CONTAINS, pos - starts[k], pos - starts[k] + len(q), reason)
                found += 1
            nxt = starts[k + 1] if k + 1 < len(starts) else len(text)
            pos = text.find(q, nxt)
    return s.ranked(), offered


# --------------------------------------------------------------------------------------------
# The cache and the public functions


class _Cache:
    def __init__(self) -> None:
        self.index: SuggestIndex | None = None
        self.views: OrderedDict[Any, ScopedView] = OrderedDict()
        self.lock = threading.Lock()


_cache = _Cache()


def current_index() -> SuggestIndex:
    """The completion index of the matcher's current index (built on first use after a change)."""
    source = matching.current_index()
    c = _cache
    index = c.index
    if index is not None and index.source is source:
        return index
    with c.lock:
        if c.index is None or c.index.source is not source:
            c.views.clear()
            c.index = SuggestIndex(source)
        return c.index


def view_for(actor: User | None, index: SuggestIndex | None = None) -> ScopedView:
    """The part of the index ``actor`` may see (None: the whole county), cached per distinct
    jurisdiction."""
    index = index if index is not None else current_index()
    allowed = None if actor is None else matching._allowed_for(actor, index.source)
    c = _cache
    with c.lock:
        view = c.views.get(allowed) if c.index is index else None
        if view is not None:
            c.views.move_to_end(allowed)
            return view
    view = ScopedView(index, allowed)
    with c.lock:
        if c.index is index:
            c.views[allowed] = view
            while len(c.views) > MAX_VIEWS:
                c.views.popitem(last=False)
    return view


def complete(text: str, *, actor: User | None = None, limit: int = 5) -> Completions:
    """Places and addresses that complete ``text``, best first (see the module docstring).

    ``actor`` None = the whole county; otherwise only addresses, and places holding addresses,
    in the actor's jurisdiction (re-read in scope). Never raises on odd text: an empty or
    unreadable text completes to nothing.
    """
    return _complete(current_index(), text, actor=actor, limit=limit)


def _complete(index: SuggestIndex, text: str, *, actor: User | None, limit: int) -> Completions:
    q = normalise(text or "", index)
    if not q:
        return Completions([], [])
    hits, places = _search(view_for(actor, index), q, limit)
    return Completions(places, _addresses(index, hits, actor))


def _addresses(index: SuggestIndex, hits: list[_Hit], actor: User | None) -> list[Suggestion]:
    if actor is not None and hits:
        live = set(_live_in_scope([index.rows[h.j].id for h in hits], actor))
        hits = [h for h in hits if index.rows[h.j].id in live]
    out = []
    for h in hits:
        r, base = index.rows[h.j], index.bases[h.j]
        start, end = h.span
        span = ((base + start, base + end),) if end > start else ()
        covered = round(min(1.0, h.typed / max(1, len(index.keys[h.j]))), 3)
        out.append(Suggestion(r.id, r.code, r.full_name, r.level, covered, h.reason, h.kind, span))
    return out


def _live_in_scope(ids: Iterable[int], actor: User) -> list[int]:
    qs = jurisdiction.scope(StandardAddress.objects.filter(pk__in=list(ids)), actor)
    qs = qs.exclude(status=RecordStatus.VOIDED).exclude(clean_state=CleanState.MERGED)
    return list(qs.values_list("id", flat=True))


def names_address(parsed: ParsedAddress, result: matching.MatchResult) -> bool:
    """True when the text names one address (a door number, group, building or room, or an exact
    code or full name) rather than a place still being typed: then the matcher's candidates lead."""
    if result.state == matching.MATCHED:
        return True
    return bool(result.candidates) and any(parsed.values.get(k) for k in _ADDRESS_PARTS)


def _match_highlight(full_name: str, parsed: ParsedAddress) -> tuple[tuple[int, int], ...]:
    """The spans of ``full_name`` that the text's parts (below the county) were read as."""
    spans: list[tuple[int, int]] = []
    at = 0
    for span in parsed.components:
        if span.label in ("province", "city", "county"):
            continue
        part = clean(span.text)[0]
        pos = full_name.find(part, at) if part else -1
        if pos < 0:
            continue
        if spans and spans[-1][1] == pos:
            spans[-1] = (spans[-1][0], pos + len(part))
        else:
            spans.append((pos, pos + len(part)))
        at = pos + len(part)
    return tuple(spans)


def suggest(text: str, *, actor: User | None = None, limit: int = 5) -> Suggestions:
    """The as-you-type answer for ``text``: up to ``limit`` addresses and :data:`MAX_PLACES`
    places, all in ``actor``'s jurisdiction (None: the whole county).

    When the text already names an address (:func:`names_address`), the matcher's leading
    candidates (within ``matching.MARGIN`` of its best) come first, then completions, then its
    weaker candidates (凤凰路1 → 凤凰路1号, then 凤凰路10号, 凤凰路12号 …, then 凤凰路1号's
    buildings); otherwise completions come first and the matcher's candidates fill up to
    ``limit``. Never raises on odd text.
    """
    index = current_index()
    parsed = parse(text or "", gazetteer=index.source.gz, use_model=False)
    result = matching.match_in(index.source, text or "", actor=actor, limit=limit, parsed=parsed)
    rows_by_id = index.source.rows
    matched = [
        Suggestion(
            c.address_id,
            c.code,
            c.full_name,
            rows_by_id[c.address_id].level if c.address_id in rows_by_id else AddressLevel.DOOR,
            c.score,
            c.reason,
            "match",
            _match_highlight(c.full_name, parsed),
        )
        for c in result.candidates
    ]
    done = _complete(index, text, actor=actor, limit=limit)
    if names_address(parsed, result):
        # the matcher's leading group (within MARGIN of its best) first, its weaker ones last
        best = matched[0].score
        lead = [m for m in matched if m.score >= best - matching.MARGIN]
        order = [*lead, *done.addresses, *matched[len(lead) :]]
    else:
        order = [*done.addresses, *matched]
    candidates: list[Suggestion] = []
    seen: set[int] = set()
    for s in order:
        if s.address_id not in seen and len(candidates) < limit:
            seen.add(s.address_id)
            candidates.append(s)
    return Suggestions(result.state, candidates, done.places, result.parent_id, dict(parsed.values))
