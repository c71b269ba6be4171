"""The gazetteer: every place name the parser knows, in one Aho-Corasick automaton.

Sources
-------
* The administrative divisions: provinces, cities and counties of the whole country (GB/T 2260,
  ``ybss/core/data/regions.json``) and the installation county's townships and communities/villages
  (``AdminDivision``; the shipped ``heyang.json`` when no database is at hand).
* The county's own gazetteer elements (``AddressElement``: streets 街路巷, compounds 小区, unit yards
  单位院, natural villages, named villager groups) with their aliases, and the addresses' own
  aliases (``AddressAlias``: 门牌俗称, old names), so the parser learns the county's names as its
  addresses grow.

Surface forms
-------------
Each name is entered under its full form and its short forms: 陕西省 → 陕西, 渭南市 → 渭南,
合阳县 → 合阳, 甘井镇 → 甘井 (stems of at least two characters), old township forms (a 街道 was
usually a 镇 before: 城关镇 → 城关街道; a 镇 a 乡), the other village suffix (X村 ↔ X社区), and every
alias of an element. The parser (``rules``) decides from context which of the entries under one
surface is meant; short forms are marked so it can be stricter with them.

Freshness
---------
:func:`current` builds the gazetteer once and rebuilds it when the tables change: saves through
the ORM mark it stale at once (signals connected in ``AddressesConfig``-independent
:func:`connect_signals`), and a cheap version stamp (row counts and largest ids) is re-read at most
once per :data:`CHECK_SECONDS`, which catches bulk writes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from .text import keep_of, shipped_keep

#: GA/T 2000.32 element kind → the police level it fills.
ELEMENT_LEVEL = {"34": "group", "41": "road", "42": "compound", "43": "compound", "44": "village"}
DIVISION_LEVEL = {1: "province", 2: "city", 3: "county", 4: "town"}
CHECK_SECONDS = 1.0

_PROVINCE_SHORT = re.compile(r"^(.{2,}?)(?:壮族|回族|维吾尔)?(?:自治区|特别行政区|省|市)$")
_CITY_SHORT = re.compile(r"^(.{2,}?)(?:(?:[^族]{1,4}族)+自治州|市|地区|盟)$")
_COUNTY_SHORT = re.compile(r"^(.{2,}?)(?:(?:[^族]{1,5}族)*自治[县旗]|县|区|市|旗|特区|林区)$")
_TOWN_SHORT = re.compile(r"^(.{2,}?)(?:街道办事处|街道|镇|乡)$")
_NUMBERED_GROUP = re.compile(r"^(?:\d+|[零〇一二两三四五六七八九十百]+)组$")  # read by the rules
_NUMERAL_UNIT = re.compile("[零〇○一二两三四五六七八九十百千](?:号|组|栋|幢|座|单元|层|楼|室|户|队)")
_VILLAGE_SUFFIX = re.compile(r"^(.{2,}?)(?:村民委员会|居民委员会|村委会|居委会|社区|村)$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One meaning of a surface form.

    ``rank`` 1–5 for divisions (province … community/village), 6 for elements and aliases;
    ``code`` is the division's own 12-digit code, or the division an element or alias lies in;
    ``home`` marks the installation county's chain (its province, city, county and below).
    """

    name: str
    level: str
    code: str
    rank: int
    short: bool
    home: bool
    element_id: int | None = None
    address_id: int | None = None


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    rank: int
    parent: str | None


class Gazetteer:
    """The automaton (surface → tuple of :class:`Entry`) and the division tree behind it."""

    def __init__(self, divisions: dict[str, Division], entries: dict[str, list[Entry]], home: str) -> None:
        self.divisions = divisions
        self.home = home  # the installation county's 12-digit code
        self.stamp: tuple[Any, ...] = ()
        #: caches owned by the parser, valid as long as this gazetteer (see ``rules``, ``shapes``)
        self.memo: dict[Any, Any] = {}
        self.shapes: dict[str, Any] = {}
        self.seen: set[str] = set()
        self.digit_names = any(any(c.isdigit() for c in surface) for surface in entries)
        #: a name with a Chinese numeral before a unit word (三号院): numerals then key the shapes
        self.numeral_names = any(_NUMERAL_UNIT.search(surface) for surface in entries)
        #: characters of the names that t2s would change (never converted: 乾落社区)
        self.keep = shipped_keep() | keep_of(entries)
        self.automaton = ahocorasick.Automaton()
        for surface, found in entries.items():
            found.sort(key=lambda e: (not e.home, e.short, e.rank))
            self.automaton.add_word(surface, (surface, tuple(found)))
        if len(self.automaton):
            self.automaton.make_automaton()
        self.size = len(entries)

    def lookup(self, surface: str) -> tuple[Entry, ...]:
        """The entries under an exact surface form (empty when unknown)."""
        found = self.automaton.get(surface, None) if len(self.automaton) else None
        return found[1] if found else ()

    def matches(self, text: str) -> Iterable[tuple[int, str, tuple[Entry, ...]]]:
        """Leftmost-longest, non-overlapping matches: ``(end_index, surface, entries)``."""
        if not self.size:
            return ()
        return ((end, surface, found) for end, (surface, found) in self.automaton.iter_long(text))

    def chain(self, code: str) -> list[Division]:
        """The division ``code`` and its ancestors, top down."""
        out: list[Division] = []
        node = self.divisions.get(code)
        while node is not None:
            out.append(node)
            node = self.divisions.get(node.parent) if node.parent else None
        return out[::-1]

    def is_home(self, code: str) -> bool:
        """True when ``code`` is the home county, one of its ancestors, or inside it."""
        return _is_home(self.divisions, self.home, code)


def _is_home(divisions: dict[str, Division], home: str, code: str) -> bool:
    if not home or not code:
        return False
    if code.startswith(home[:6]):
        return True
    node = divisions.get(home)
    while node is not None:
        if node.code == code:
            return True
        node = divisions.get(node.parent) if node.parent else None
    return False


# --------------------------------------------------------------------------------------------
# Building (pure)


def _add(entries: dict[str, list[Entry]], surface: str, entry: Entry) -> None:
    if len(surface) < 2:
        return
    found = entries.setdefault(surface, [])
    if entry not in found:
        found.append(entry)


def national_divisions() -> dict[str, Division]:
    """Provinces, cities and counties of the whole country from the shipped GB/T 2260 table."""
    from ybss.core.data import regions

    codes = regions()
    out: dict[str, Division] = {}
    for code6, name in codes.items():
        if code6.endswith("0000"):
            out[code6.ljust(12, "0")] = Division(code6.ljust(12, "0"), name, 1, None)
    for code6, name in codes.items():
        if code6.endswith("0000"):
            continue
        province = code6[:2] + "0000"
        if code6.endswith("00"):
            out[code6.ljust(12, "0")] = Division(code6.ljust(12, "0"), name, 2, province.ljust(12, "0"))
    for code6, name in codes.items():
        if code6.endswith("00"):
            continue
        city = code6[:4] + "00"
        parent = city if city in codes else code6[:2] + "0000"
        out[code6.ljust(12, "0")] = Division(code6.ljust(12, "0"), name, 3, parent.ljust(12, "0"))
    return out


def shipped_local_divisions(county_code: str = "610524") -> list[Division]:
    """The shipped county tree (``heyang.json``) as divisions: county chain, townships, villages."""
    from ybss.core.data import heyang

    tree = heyang()
    if tree["county"]["code"][:6] != county_code[:6]:
        return []
    p, c, k = tree["province"], tree["city"], tree["county"]
    out = [
        Division(p["code"], p["name"], 1, None),
        Division(c["code"], c["name"], 2, p["code"]),
        Division(k["code"], k["name"], 3, c["code"]),
    ]
    for town in tree["towns"]:
        tcode = town["code"].ljust(12, "0")
        out.append(Division(tcode, town["name"], 4, k["code"]))
        out.extend(Division(v["code"], v["name"], 5, tcode) for v in town["villages"])
    return out


def village_level(name: str) -> str:
    return "community" if name.endswith(("社区", "居委会")) else "village"


def build(
    *,
    home: str,
    divisions: Iterable[Division],
    elements: Iterable[tuple[int, str, str, str, list[str]]] = (),
    address_aliases: Iterable[tuple[int, str, str]] = (),
) -> Gazetteer:
    """A gazetteer from plain rows (no ORM).

    ``home``: the installation county's code (6 or 12 digits). ``divisions``: the local tree;
    the national provinces, cities and counties are added from the shipped table (local rows win).
    ``elements``: ``(id, kind, name, division_code, aliases)``. ``address_aliases``:
    ``(address_id, alias, division_code)``.
    """
    home12 = home[:6].ljust(12, "0")
    tree = national_divisions()
    for d in divisions:
        tree[d.code] = d
    gz_entries: dict[str, list[Entry]] = {}

    def is_home(code: str) -> bool:
        return _is_home(tree, home12, code)

    for d in tree.values():
        home_entry = is_home(d.code)
        level = DIVISION_LEVEL.get(d.rank) or village_level(d.name)
        full = Entry(d.name, level, d.code, d.rank, False, home_entry)
        short = Entry(d.name, level, d.code, d.rank, True, home_entry)
        _add(gz_entries, d.name, full)
        pattern = {1: _PROVINCE_SHORT, 2: _CITY_SHORT, 3: _COUNTY_SHORT, 4: _TOWN_SHORT}.get(d.rank)
        if pattern is not None:
            m = pattern.match(d.name)
            if m:
                _add(gz_entries, m.group(1), short)
        if d.rank == 4:
            if d.name.endswith("街道"):
                _add(gz_entries, d.name[:-2] + "镇", short)  # a 街道 was usually a 镇 before
                _add(gz_entries, d.name + "办事处", short)
            elif d.name.endswith("镇"):
                _add(gz_entries, d.name[:-1] + "乡", short)
        elif d.rank == 5:
            m = _VILLAGE_SUFFIX.match(d.name)
            if m:  # 麻阳社区 is also written 麻阳村, 麻阳村委会, 麻阳居委会
                for suffix in ("村", "社区", "村委会", "居委会"):
                    _add(gz_entries, m.group(1) + suffix, short)
    for eid, kind, name, division_code, aliases in elements:
        level = ELEMENT_LEVEL.get(kind) or ""
        if not level or (level == "group" and _NUMBERED_GROUP.match(name)):
            continue
        home_entry = is_home(division_code)
        _add(gz_entries, name, Entry(name, level, division_code, 6, False, home_entry, element_id=eid))
        for alias in aliases or ():
            if isinstance(alias, str) and alias.strip():
                entry = Entry(name, level, division_code, 6, True, home_entry, element_id=eid)
                _add(gz_entries, alias.strip(), entry)
    for address_id, alias, division_code in address_aliases:
        entry = Entry(alias, "poi", division_code, 6, True, is_home(division_code), address_id=address_id)
        _add(gz_entries, alias, entry)
    return Gazetteer(tree, gz_entries, home12)


def shipped(county_code: str = "610524") -> Gazetteer:
    """The gazetteer of the shipped county data alone (no database): for pure use and tests."""
    return build(home=county_code, divisions=shipped_local_divisions(county_code))


# --------------------------------------------------------------------------------------------
# The database-backed, cached gazetteer


def _stamp() -> tuple[Any, ...]:
    from django.db.models import Count, Max

    from ybss.addresses.models import AddressAlias, AddressElement
    from ybss.org.models import AdminDivision

    return (
        tuple(AdminDivision.objects.aggregate(n=Count("pk")).values()),
        tuple(AddressElement.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(AddressAlias.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
    )


def load() -> Gazetteer:
    """Read the gazetteer from the database (divisions, elements, address aliases)."""
    from django.conf import settings

    from ybss.addresses.models import AddressAlias, AddressElement
    from ybss.org.models import AdminDivision

    county = settings.YBSS_COUNTY_CODE
    stamp = _stamp()
    rows = list(AdminDivision.objects.values_list("code", "name", "level", "parent_id"))
    if rows:
        divisions = [Division(c, n, lvl, p) for c, n, lvl, p in rows]
    else:
        divisions = shipped_local_divisions(county)
    elements = [
        (eid, kind, name, div, aliases if isinstance(aliases, list) else [])
        for eid, kind, name, div, aliases in AddressElement.objects.values_list(
            "id", "kind", "name", "division_id", "aliases"
        )
    ]
    aliases = list(AddressAlias.objects.values_list("address_id", "name", "address__division_id"))
    gz = build(home=county, divisions=divisions, elements=elements, address_aliases=aliases)
    gz.stamp = stamp
    return gz


class _Cache:
    def __init__(self) -> None:
        self.value: Gazetteer | None = None
        self.checked = 0.0
        self.dirty = True
        self.lock = threading.Lock()


_cache = _Cache()


def invalidate(**_kwargs: Any) -> None:
    """Force a rebuild on the next :func:`current` (connected to saves of the source tables)."""
    _cache.dirty = True


_UNAVAILABLE = ("unavailable",)


def current() -> Gazetteer:
    """The database gazetteer, built once and rebuilt when its tables change (see the module
    docstring). Falls back to :func:`shipped` while the database cannot be read."""
    c = _cache
    now = time.monotonic()
    if c.value is not None and not c.dirty and now - c.checked < CHECK_SECONDS:
        return c.value
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    connect_signals()
    with c.lock:
        c.checked = now
        try:
            if c.value is not None and not c.dirty and _stamp() == c.value.stamp:
                return c.value
            c.dirty = False
            c.value = load()
        except (DatabaseError, ImproperlyConfigured):  # no database yet: the shipped names still parse
            from django.conf import settings

            c.dirty = False
            if c.value is None or c.value.stamp != _UNAVAILABLE:
                c.value = shipped(getattr(settings, "YBSS_COUNTY_CODE", "610524"))
                c.value.stamp = _UNAVAILABLE
        return c.value


_connected = False


def connect_signals() -> None:
    """Mark the cached gazetteer stale whenever a division, element or alias is saved or deleted
    through the ORM (idempotent). Bulk writes are caught by the version stamp instead."""
    global _connected
    if _connected:
        return
    from django.db.models.signals import post_delete, post_save

    from ybss.addresses.models import AddressAlias, AddressElement
    from ybss.org.models import AdminDivision

    for model in (AdminDivision, AddressElement, AddressAlias):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"gazetteer-{model.__name__}-save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"gazetteer-{model.__name__}-delete")
    _connected = True
