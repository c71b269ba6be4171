"""Duplicate checks (DOMAIN.md §7): the same person, unit or standard address under two records.

* **Persons** (``person.duplicate``): blocking, then a scored comparison of each candidate pair
  (``quality.dedup_score``). Candidates share a birth date and a spoken name (toneless pinyin of
  the simplified name: 张伟/张玮/張偉/Zhang Wei), or an ID number in its 18-digit form, or a
  spoken name and the ID number without its birth date (a slip there moves the birth date that
  forms read off the number), or a spoken name and the region and birth part of the ID number
  (the birth date field empty). Each pair gets a match probability
  from Fellegi–Sunter match weights: ID numbers one keystroke apart, the kind of name variant,
  and what else the two share (domicile, phone, house, door plate), weighted by how common the
  shared value is in the county. Twins (same birth date and house, other names) and namesakes
  born on the same day with nothing else in common stay below the threshold.
* **Units** (``unit.duplicate``): the same unified social credit code anywhere, or two units at
  one door plate whose names are one name in other spellings (traditional characters, a place
  prefix or legal form added, a homophone or a one-character typo).
* **Standard addresses** (``address.duplicate``): the groups of
  ``addresses.matching.find_duplicates`` (same parts, or names one character apart), which
  already skips the pairs an officer marked as not duplicates.

One finding per duplicate record and partner: the record to merge away (a draft before an
accepted one, the typo'd or 15-digit ID number, the pinyin spelling, the newer record) names the
one to keep in ``related``; ``score`` is the match probability; the evidence holds the compared
values (ID numbers and phones masked), the level and weight of each field, and why, in words.
Pairs recorded as not duplicates (``quality.models.NotDuplicatePair`` for persons and units) are
never reported.

Why our own blocking and scoring and not Splink in production: the scan must run inside the
app, offline, on SQLite and PostgreSQL alike, in seconds at county scale, and every finding must
say in the reviewer's words why two records are one person. Splink (on DuckDB) brings a second
database engine and pyarrow into the server, learns its m/u values by sampling and EM on each run
(unstable on a county with few duplicates, and the weights change from run to run), and its
evidence is a vector of comparison levels. Here the levels are chosen for Chinese names and ID
numbers (homophones, OpenCC t2s, pinyin spellings, MOD 11-2 keystroke errors), their m/u values
are written down in ``dedup_score`` with the reasons, and only the term frequencies come from
the data. ``bench/quality_dedup_bench.py`` runs both on the same records and prints time and
precision/recall/F1 side by side: on the scale-1 county with 200 injected duplicates and 200
hard negatives, ours scored F1 0.997 in 9 s (reading the people included), Splink F1 0.905 in
113 s (82 s of it sampling u values; it missed a third of the traditional-character names).
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ybss.core.identifiers import mask_id_number, mask_phone, normalize_phone
from ybss.core.models import RecordStatus

from . import dedup_score as ds
from .findings import Finding
from .spec import RuleSpec, ScanContext

PERSON = "registry.person"
UNIT = "registry.unit"
ADDRESS = "addresses.standardaddress"

RULE_PERSON = RuleSpec(
    code="person.duplicate",
    category="duplicate_person",
    severity="warning",
    entity=PERSON,
    fields=("id_number", "name", "birth_date", "sex", "phone", "hukou_division_code", "hukou_address_text"),
    message=_("This person may be registered twice"),
    params={"threshold": 0.9, "max_block": 60},
    description=_(
        "Two person records that share a birth date and a spoken name, or nearly the same ID number, "
        "and whose ID numbers, names, domicile, phones and houses together say they are one person."
    ),
)
RULE_UNIT = RuleSpec(
    code="unit.duplicate",
    category="duplicate_unit",
    severity="warning",
    entity=UNIT,
    fields=("credit_code", "name", "address", "legal_rep_id_number"),
    message=_("This unit may be registered twice"),
    params={"threshold": 0.9, "max_block": 300},
    description=_(
        "Two units with the same unified social credit code, or at one door plate under one name "
        "spelled differently."
    ),
)
RULE_ADDRESS = RuleSpec(
    code="address.duplicate",
    category="duplicate_address",
    severity="warning",
    entity=ADDRESS,
    fields=("full_name", "division", "door_number", "building", "unit_no", "room_no"),
    message=_("This address may be the same place as another"),
    params={},
    description=_("Standard addresses with the same parts, or names one character apart, in one division."),
)
RULES: list[RuleSpec] = [RULE_PERSON, RULE_UNIT, RULE_ADDRESS]


def run(ctx: ScanContext) -> Iterator[Finding]:
    """Every duplicate finding of the switched-on rules, for records in ``ctx.police_prefix``
    (compared against the whole county: a duplicate across stations is still a duplicate).
    Nothing on the re-check of single records (``ctx.records``): duplicates need the whole base
    and wait for the next scan."""
    if ctx.records is not None:
        return
    if ctx.on(RULE_PERSON):
        yield from person_findings(ctx)
    if ctx.on(RULE_UNIT):
        yield from unit_findings(ctx)
    if ctx.on(RULE_ADDRESS):
        yield from address_findings(ctx)


# --------------------------------------------------------------------------------------------
# Shared


def not_duplicate_pairs(record_type: str) -> set[tuple[int, int]]:
    """The (smaller id, larger id) pairs an officer decided are not duplicates."""
    try:
        from ybss.quality.models import NotDuplicatePair  # type: ignore[attr-defined]
    except (ImportError, LookupError, RuntimeError):  # TODO(lead): the model lands with the ledger
        return set()
    pairs = NotDuplicatePair.objects.filter(record_type=record_type).values_list("record_a", "record_b")
    return {(min(a, b), max(a, b)) for a, b in pairs.iterator(chunk_size=20_000)}


def _collectors(record_type: str, created_by: dict[int, int | None]) -> dict[int, int | None]:
    """Responsible collector per record id: the collector of the submission that created (else
    last changed) the record, else its creator."""
    from ybss.collection.models import SubmissionEffect

    out = dict(created_by)
    ids = list(created_by)
    for i in range(0, len(ids), 500):
        rows = (
            SubmissionEffect.objects.filter(record_type=record_type, record_id__in=ids[i : i + 500])
            .order_by("id")
            .values_list("record_id", "submission__collector_id", "action")
        )
        created: set[int] = set()
        for record_id, collector_id, action in rows:
            if record_id in created or collector_id is None:
                continue
            out[record_id] = collector_id
            if action == "create":
                created.add(record_id)
    return out


def _in_scope(police_unit_id: str | None, prefix: str) -> bool:
    return not prefix or (police_unit_id or "").startswith(prefix)


def _pairs_from_blocks(blocks: dict[Any, list[int]], max_block: int) -> tuple[set[tuple[int, int]], int]:
    """Every pair of indices inside a block (smaller first); blocks larger than ``max_block``
    (placeholder values) are skipped and counted."""
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for members in blocks.values():
        n = len(members)
        if n < 2:
            continue
        if n > max_block:
            skipped += 1
            continue
        for x in range(n):
            for y in range(x + 1, n):
                a, b = members[x], members[y]
                if a != b:
                    pairs.add((a, b) if a < b else (b, a))
    return pairs, skipped


@contextmanager
def no_gc() -> Iterator[None]:
    """Without the cyclic garbage collector: loading and blocking make millions of small objects
    and no cycles, and the collector would only rescan them again and again."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _join(parts: Iterable[str]) -> str:
    return _g(", ").join(parts)


def _rows(qs: Any, chunk: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset straight from the cursor, without Django's per-row
    converters (a date column comes back as text on SQLite: see ``_date``)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk):
            yield from batch


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _phone(value: str | None) -> str:
    """A phone as compared: digits as they are in the common case, else ``normalize_phone``."""
    if not value:
        return ""
    return value if value.isdigit() and value.isascii() else normalize_phone(value)


# --------------------------------------------------------------------------------------------
# Persons


def load_persons() -> tuple[list[ds.PersonRec], dict[int, tuple[str, int | None]]]:
    """Every live person as a prepared ``PersonRec``, and per id its police unit and creator."""
    with no_gc():
        return _load_persons()


def _load_persons() -> tuple[list[ds.PersonRec], dict[int, tuple[str, int | None]]]:
    from ybss.registry.models import Person, Residence

    houses: dict[int, list[int]] = defaultdict(list)
    doors: dict[int, list[int]] = defaultdict(list)
    res = (
        Residence.objects.filter(active=True)
        .exclude(status=RecordStatus.VOIDED)
        .values_list("person_id", "house_id", "house__address_id", "house__address__parent_id")
    )
    for person_id, house_id, address_id, parent_id in _rows(res):
        houses[person_id].append(house_id)
        doors[person_id].append(parent_id or address_id)
    qs = (
        Person.objects.exclude(status=RecordStatus.VOIDED)
        .order_by("id")
        .values_list(
            "id", "id_type", "id_number", "name", "birth_date", "sex", "pinyin", "former_names", "phone",
            "phone2", "hukou_division_code", "hukou_address_text", "hukou_address_id", "foreign_surname",
            "foreign_given_name", "status", "police_unit_id", "created_by_id",
        )
    )  # fmt: skip
    people: list[ds.PersonRec] = []
    meta: dict[int, tuple[str, int | None]] = {}
    for (
        pk, id_type, number, name, birth, sex, pinyin, former, phone, phone2, hukou_code, hukou_text,
        hukou_addr, f_sur, f_given, status, unit, creator,
    ) in _rows(qs):  # fmt: skip
        phones = tuple(p for p in {_phone(phone), _phone(phone2)} if p)
        people.append(
            ds.PersonRec(
                id=pk, id_type=id_type, id_number=number, name=name, birth_date=_date(birth), sex=sex or "",
                pinyin=pinyin or "", former_names=former or "", phones=phones,
                hukou_code=hukou_code or "", hukou_text=hukou_text or "", hukou_address_id=hukou_addr,
                foreign_name=f"{f_sur or ''} {f_given or ''}".strip(), houses=tuple(houses.get(pk, ())),
                doors=tuple(sorted(set(doors.get(pk, ())))), status=status,
            ).prepare()
        )  # fmt: skip
        meta[pk] = (unit, creator)
    return people, meta


def person_pairs(
    people: list[ds.PersonRec],
    *,
    threshold: float = 0.9,
    max_block: int = 60,
    skip: set[tuple[int, int]] | None = None,
    freq: ds.Frequencies | None = None,
) -> list[tuple[ds.PersonRec, ds.PersonRec, ds.PairScore]]:
    """The pairs of ``people`` at or above ``threshold``, as (keep, duplicate, score), pure:
    blocking (``dedup_score.blocking_keys``), then ``score_persons`` on each candidate pair."""
    with no_gc():
        return _person_pairs(people, threshold=threshold, max_block=max_block, skip=skip, freq=freq)


def _person_pairs(
    people: list[ds.PersonRec],
    *,
    threshold: float,
    max_block: int,
    skip: set[tuple[int, int]] | None,
    freq: ds.Frequencies | None,
) -> list[tuple[ds.PersonRec, ds.PersonRec, ds.PairScore]]:
    freq = freq if freq is not None else ds.Frequencies.of(people)
    blocks: dict[str, Any] = {}  # key → first index, then a list of indices
    by_id: dict[tuple[bool, str], int] = {}
    same_id: set[tuple[int, int]] = set()
    for i, p in enumerate(people):
        for key in ds.blocking_keys(p):
            got = blocks.get(key)
            if got is None:
                blocks[key] = i
            elif type(got) is int:
                blocks[key] = [got, i]
            else:
                got.append(i)
        if p.id18:
            first = by_id.setdefault((p.id_type == "111", p.id18), i)
            if first != i:  # one number twice: a 15- and an 18-digit form, or two document types
                same_id.add((first, i))
    candidates, _skipped = _pairs_from_blocks({k: v for k, v in blocks.items() if type(v) is list}, max_block)
    candidates |= same_id
    skip = skip or set()
    out = []
    for x, y in sorted(candidates):
        a, b = people[x], people[y]
        if (min(a.id, b.id), max(a.id, b.id)) in skip:
            continue
        score = ds.score_persons(a, b, freq)
        if score.probability >= threshold:
            keep, dup = (a, b) if ds.person_rank(a) <= ds.person_rank(b) else (b, a)
            out.append((keep, dup, score))
    return out


_ID_WHY = {
    "same": lambda: _g("the same ID number in its 15- and 18-digit forms"),
    "typo": lambda: _g("ID numbers one digit apart"),
    "swap": lambda: _g("ID numbers with two neighbouring digits swapped"),
    "recheck": lambda: _g("ID numbers one digit apart, both valid"),
    "swap_recheck": lambda: _g("ID numbers with two neighbouring digits swapped, both valid"),
}
_NAME_WHY = {
    "same": lambda: _g("same name"),
    "traditional": lambda: _g("the same name in traditional and simplified characters"),
    "pinyin": lambda: _g("the name spelled in pinyin"),
    "former": lambda: _g("a former name of the other"),
    "homophone": lambda: _g("names that sound the same"),
}
_OTHER_WHY = {
    ("birth_date", "same"): lambda: _g("same birth date"),
    ("birth_date", "from_id"): lambda: _g("birth dates as read off the two numbers"),
    ("hukou", "address"): lambda: _g("same registered domicile address"),
    ("hukou", "division"): lambda: _g("same registered domicile division"),
    ("phone", "same"): lambda: _g("same phone"),
    ("house", "same"): lambda: _g("same house"),
    ("house", "door"): lambda: _g("same door plate"),
}


def person_why(levels: dict[str, str], id_type: str = "111") -> str:
    """The reasons of a pair in words: "ID numbers one digit apart, same name, same birth date"."""
    parts = []
    if levels.get("id") == "same" and id_type != "111":
        parts.append(_g("the same document number"))
    elif levels.get("id") in _ID_WHY:
        parts.append(_ID_WHY[levels["id"]]())
    if levels.get("name") in _NAME_WHY:
        parts.append(_NAME_WHY[levels["name"]]())
    for key, text in _OTHER_WHY.items():
        if levels.get(key[0]) == key[1]:
            parts.append(text())
    return _join(parts)


def _person_view(p: ds.PersonRec) -> dict[str, Any]:
    return {
        "id": p.id,
        "id_number": mask_id_number(p.id_number),
        "name": p.name,
        "birth_date": p.birth_date.isoformat() if p.birth_date else "",
        "sex": p.sex,
        "phones": [mask_phone(x) for x in p.phones],
        "hukou_division_code": p.hukou_code,
        "hukou_address": p.hukou_text,
        "houses": list(p.houses),
    }


def person_findings(ctx: ScanContext) -> Iterator[Finding]:
    ctx.step("dedup: loading persons")
    t0 = time.perf_counter()
    people, meta = load_persons()
    ctx.step(f"dedup: comparing {len(people)} persons")
    pairs = person_pairs(
        people,
        threshold=float(ctx.param(RULE_PERSON, "threshold")),
        max_block=int(ctx.param(RULE_PERSON, "max_block")),
        skip=not_duplicate_pairs(PERSON),
    )
    ds.clear_caches()
    pairs = [(k, d, s) for k, d, s in pairs if _in_scope(meta[d.id][0], ctx.police_prefix)]
    collectors = _collectors(PERSON, {d.id: meta[d.id][1] for _k, d, _s in pairs})
    for keep, dup, score in pairs:
        yield Finding(
            rule=RULE_PERSON.code,
            category=RULE_PERSON.category,
            record_type=PERSON,
            record_id=dup.id,
            severity=RULE_PERSON.severity,
            score=round(score.probability, 4),
            evidence={
                "why": person_why(score.levels, dup.id_type),
                "record": _person_view(dup),
                "partner": _person_view(keep),
                "levels": score.levels,
                "weights": score.weights,
                "match_weight": score.weight,
            },
            related=((PERSON, keep.id),),
            collector_id=collectors.get(dup.id),
            key=f"{PERSON}:{keep.id}",
        )
    ctx.step(f"dedup: persons done in {time.perf_counter() - t0:.1f}s, {len(pairs)} pairs")


# --------------------------------------------------------------------------------------------
# Units


def _place_prefixes() -> list[str]:
    from ybss.org.models import AdminDivision, DivisionLevel

    names = AdminDivision.objects.filter(level__lte=DivisionLevel.TOWN).values_list("name", flat=True)
    out: set[str] = set()
    for n in names:
        out.add(n)
        short = n.rstrip("省市县区镇")
        for suffix in ("街道", "街道办事处", "自治县"):
            if n.endswith(suffix):
                short = n[: -len(suffix)]
        if len(short) >= 2:
            out.add(short)
    return sorted(out, key=len, reverse=True)


def load_units() -> tuple[list[ds.UnitRec], dict[int, tuple[str, int | None]]]:
    from ybss.registry.models import Unit

    qs = (
        Unit.objects.exclude(status=RecordStatus.VOIDED)
        .order_by("id")
        .values_list(
            "id", "name", "credit_code", "address_id", "address__parent_id", "legal_rep_name",
            "legal_rep_id_number", "legal_rep_phone", "status", "police_unit_id", "created_by_id",
        )
    )  # fmt: skip
    units: list[ds.UnitRec] = []
    meta: dict[int, tuple[str, int | None]] = {}
    for pk, name, credit, addr, parent, rep, rep_id, rep_phone, status, unit, creator in qs.iterator(20_000):
        units.append(
            ds.UnitRec(
                id=pk, name=name, credit_code=credit or "", address_id=addr, door_id=parent or addr,
                legal_rep_name=rep or "", legal_rep_id=rep_id or "", legal_rep_phone=_phone(rep_phone),
                status=status,
            )
        )  # fmt: skip
        meta[pk] = (unit, creator)
    return units, meta


def unit_pairs(
    units: list[ds.UnitRec],
    *,
    threshold: float = 0.9,
    max_block: int = 300,
    prefixes: Iterable[str] = (),
    skip: set[tuple[int, int]] | None = None,
) -> list[tuple[ds.UnitRec, ds.UnitRec, ds.PairScore]]:
    """The pairs of ``units`` at or above ``threshold``, as (keep, duplicate, score), pure. A
    credit code held by more than 10 units is a placeholder, not a key."""
    prefixes = list(prefixes)
    credit_blocks: dict[str, list[int]] = defaultdict(list)
    door_blocks: dict[int, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        code = ds.norm_credit(u.credit_code)
        if len(code) >= 15 and len(set(code)) > 2:
            credit_blocks[code].append(i)
        if u.door_id:
            door_blocks[u.door_id].append(i)
    candidates, _ = _pairs_from_blocks(credit_blocks, 10)
    more, _ = _pairs_from_blocks(door_blocks, max_block)
    skip = skip or set()
    out = []
    for x, y in sorted(candidates | more):
        a, b = units[x], units[y]
        if (min(a.id, b.id), max(a.id, b.id)) in skip:
            continue
        score = ds.score_units(a, b, prefixes)
        if score.probability >= threshold:
            keep, dup = (a, b) if ds.unit_rank(a) <= ds.unit_rank(b) else (b, a)
            out.append((keep, dup, score))
    return out


_UNIT_WHY = {
    ("credit_code", "same"): lambda: _g("same unified social credit code"),
    ("credit_code", "typo"): lambda: _g("credit codes one character apart"),
    ("name", "same"): lambda: _g("same name"),
    ("name", "traditional"): lambda: _g("the same name in traditional and simplified characters"),
    ("name", "core"): lambda: _g("the same name without place name or legal form"),
    ("name", "homophone"): lambda: _g("names that sound the same"),
    ("name", "typo"): lambda: _g("names one character apart"),
    ("name", "similar"): lambda: _g("similar names"),
    ("address", "same"): lambda: _g("same address"),
    ("address", "door"): lambda: _g("same door plate"),
    ("legal_rep", "id"): lambda: _g("same legal representative"),
    ("legal_rep", "phone"): lambda: _g("same legal representative phone"),
    ("legal_rep", "name"): lambda: _g("legal representatives with the same name"),
}


def unit_why(levels: dict[str, str]) -> str:
    return _join(text() for (f, lvl), text in _UNIT_WHY.items() if levels.get(f) == lvl)


def _unit_view(u: ds.UnitRec) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.name,
        "credit_code": u.credit_code,
        "address_id": u.address_id,
        "door_id": u.door_id,
        "legal_rep": u.legal_rep_name,
        "legal_rep_id_number": mask_id_number(u.legal_rep_id),
        "legal_rep_phone": mask_phone(u.legal_rep_phone),
    }


def unit_findings(ctx: ScanContext) -> Iterator[Finding]:
    ctx.step("dedup: comparing units")
    units, meta = load_units()
    pairs = unit_pairs(
        units,
        threshold=float(ctx.param(RULE_UNIT, "threshold")),
        max_block=int(ctx.param(RULE_UNIT, "max_block")),
        prefixes=_place_prefixes(),
        skip=not_duplicate_pairs(UNIT),
    )
    pairs = [(k, d, s) for k, d, s in pairs if _in_scope(meta[d.id][0], ctx.police_prefix)]
    collectors = _collectors(UNIT, {d.id: meta[d.id][1] for _k, d, _s in pairs})
    for keep, dup, score in pairs:
        yield Finding(
            rule=RULE_UNIT.code,
            category=RULE_UNIT.category,
            record_type=UNIT,
            record_id=dup.id,
            severity=RULE_UNIT.severity,
            score=round(score.probability, 4),
            evidence={
                "why": unit_why(score.levels),
                "record": _unit_view(dup),
                "partner": _unit_view(keep),
                "levels": score.levels,
                "weights": score.weights,
                "match_weight": score.weight,
            },
            related=((UNIT, keep.id),),
            collector_id=collectors.get(dup.id),
            key=f"{UNIT}:{keep.id}",
        )


# --------------------------------------------------------------------------------------------
# Standard addresses


def address_findings(ctx: ScanContext) -> Iterator[Finding]:
    """One finding per non-first member of each ``find_duplicates`` group, naming the group's
    first (the suggested survivor)."""
    from ybss.addresses import matching
    from ybss.addresses.models import StandardAddress
    from ybss.addresses.parsing.text import clean

    ctx.step("dedup: addresses")
    with no_gc():
        groups = matching.find_duplicates()
    if not groups:
        return
    index = matching.current_index()
    ids = [i for g in groups for i in g]
    meta: dict[int, tuple[str, int | None, str]] = {}
    for i in range(0, len(ids), 500):
        q = Q(id__in=ids[i : i + 500])
        for pk, unit, creator, code in StandardAddress.objects.filter(q).values_list(
            "id", "police_unit_id", "created_by_id", "code"
        ):
            meta[pk] = (unit, creator, code)
    todo = [
        (g[0], i) for g in groups for i in g[1:] if i in meta and _in_scope(meta[i][0], ctx.police_prefix)
    ]
    collectors = _collectors(ADDRESS, {i: meta[i][1] for _k, i in todo})
    for keep, dup in todo:
        a, b = index.rows.get(dup), index.rows.get(keep)
        name_a = clean(a.full_name)[0] if a else ""
        name_b = clean(b.full_name)[0] if b else ""
        if name_a and name_a == name_b:
            why, score = _g("same name in the same division"), 0.97
        elif name_a and name_b and ds.one_apart(name_a, name_b):
            why, score = _g("names one character apart in the same division"), 0.9
        else:
            why, score = _g("same door plate, building, unit and room parts in the same division"), 0.95
        yield Finding(
            rule=RULE_ADDRESS.code,
            category=RULE_ADDRESS.category,
            record_type=ADDRESS,
            record_id=dup,
            severity=RULE_ADDRESS.severity,
            score=score,
            evidence={
                "why": why,
                "record": {"id": dup, "code": meta[dup][2], "name": a.full_name if a else ""},
                "partner": {
                    "id": keep,
                    "code": meta.get(keep, ("", None, ""))[2],
                    "name": b.full_name if b else "",
                },
            },
            related=((ADDRESS, keep),),
            collector_id=collectors.get(dup),
            key=f"{ADDRESS}:{keep}",
        )
