"""Pure watch-list matching: list entries against persons, no ORM.

Name forms, ID normalisation and the name comparison come from ``quality.dedup_score`` (NFKC,
OpenCC t2s, pinyin keys, rapidfuzz), so a watch-list hit and a duplicate pair agree on what "the
same name" means.

* **Exact ID**: the entry's number in its 18-digit form equals the person's (score 1.0).
* **Fuzzy**: blocking on (birth date, spoken name) — a person is looked at only when an entry
  shares their birth date, and then only entries that also share a pinyin key of the name — or,
  for entries without a birth date, on (spoken name, region). Each candidate is scored from the
  name level (same > traditional > pinyin/former > homophone 张伟/张玮 > similar), the birth date,
  the region (first 6 digits of the ID number or domicile code) and an ID number one keystroke
  away. A score at or above ``THRESHOLD`` is a hit; every hit lists its reasons (codes, translated
  by the page).

A hit is only a lead for a human to review: nothing here acts on a person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ybss.quality import dedup_score as ds

THRESHOLD = 0.7

NAME_SCORE = {
    "same": 0.6,
    "traditional": 0.55,
    "pinyin": 0.5,
    "former": 0.5,
    "homophone": 0.45,
    "similar": 0.3,
}
BIRTH_SCORE = 0.3
REGION_SCORE = 0.1
NEAR_ID_SCORE = 0.2


@dataclass(slots=True)
class Entry:
    id: int
    id_number: str = ""
    name: str = ""
    birth_date: dt.date | None = None
    region_code: str = ""
    # derived (``prepare``)
    rec: ds.PersonRec | None = None
    region: str = ""

    def prepare(self) -> Entry:
        self.rec = ds.PersonRec(
            id=self.id, id_type="111", id_number=self.id_number or "", name=self.name or "",
            birth_date=self.birth_date,
        ).prepare()  # fmt: skip
        self.region = (self.region_code or "")[:6] or (self.rec.id18[:6] if len(self.rec.id18) == 18 else "")
        return self


@dataclass(slots=True)
class Candidate:
    """One person as compared: ``region`` is the first 6 digits of the domicile code or ID."""

    id: int
    id_type: str
    id_number: str
    name: str
    birth_date: dt.date | None
    hukou_code: str = ""
    pinyin: str = ""


@dataclass(frozen=True)
class Hit:
    entry_id: int
    person_id: int
    score: float
    reasons: tuple[str, ...]
    exact: bool = False


@dataclass
class Index:
    """The entries of the compared lists, indexed for blocking."""

    by_id: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    by_birth: dict[dt.date, dict[str, list[Entry]]] = field(default_factory=dict)
    by_name_region: dict[tuple[str, str], list[Entry]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Index:
        idx = cls()
        for e in entries:
            e.prepare()
            assert e.rec is not None
            if e.rec.id18:
                idx.by_id[e.rec.id18].append(e)
            keys = ds.name_keys(e.name) if e.name else frozenset()
            if e.rec.dob is not None:
                block = idx.by_birth.setdefault(e.rec.dob, defaultdict(list))
                for k in keys:
                    block[k].append(e)
            elif e.region:
                for k in keys:
                    idx.by_name_region[(k, e.region)].append(e)
        return idx


def _region(c: Candidate, id18: str) -> str:
    return (c.hukou_code or "")[:6] or (id18[:6] if len(id18) == 18 else "")


def score(entry: Entry, person: ds.PersonRec, region: str) -> tuple[float, tuple[str, ...]]:
    """Score of a fuzzy candidate pair and its reason codes."""
    assert entry.rec is not None
    reasons: list[str] = []
    total = 0.0
    level = ds.compare_names(entry.rec, person)
    if level in NAME_SCORE:
        total += NAME_SCORE[level]
        reasons.append(f"name_{level}")
    if entry.rec.dob is not None and entry.rec.dob == person.dob:
        total += BIRTH_SCORE
        reasons.append("birth_date")
    if entry.region and entry.region == region:
        total += REGION_SCORE
        reasons.append("region")
    id_level = ds.compare_ids("111", entry.rec.id18, person.id_type, person.id18)
    if id_level in ds.NEAR_IDS:
        total += NEAR_ID_SCORE
        reasons.append("id_near")
    return min(round(total, 3), 0.99), tuple(reasons)


def match(index: Index, people: Iterable[Candidate], *, threshold: float = THRESHOLD) -> list[Hit]:
    """Every hit of ``people`` against the indexed entries (exact IDs first, then fuzzy)."""
    hits: list[Hit] = []
    by_id, by_birth, by_nr = index.by_id, index.by_birth, index.by_name_region
    for c in people:
        id18 = ds.norm_id(c.id_type, c.id_number) if c.id_number else ""
        exact_entries = by_id.get(id18) if id18 else None
        done: set[int] = set()
        if exact_entries:
            for e in exact_entries:
                hits.append(Hit(e.id, c.id, 1.0, ("id_same",), True))
                done.add(e.id)
        dob = c.birth_date
        block = by_birth.get(dob) if dob is not None else None
        cands: list[Entry] = []
        if block is not None or by_nr:
            keys = ds.name_keys(c.name) if c.name else frozenset()
            if block is not None:
                for k in keys:
                    cands.extend(block.get(k, ()))
            if by_nr:
                region = _region(c, id18)
                for k in keys:
                    cands.extend(by_nr.get((k, region), ()))
        if not cands:
            continue
        rec = ds.PersonRec(
            id=c.id, id_type=c.id_type, id_number=c.id_number or "", name=c.name, birth_date=dob,
            hukou_code=c.hukou_code or "", pinyin=c.pinyin or "",
        ).prepare()  # fmt: skip
        region = _region(c, rec.id18)
        for e in cands:
            if e.id in done:
                continue
            done.add(e.id)
            s, reasons = score(e, rec, region)
            if s >= threshold:
                hits.append(Hit(e.id, c.id, s, reasons))
    return hits
