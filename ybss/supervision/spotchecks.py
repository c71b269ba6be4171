"""Spot checks (抽查, DOMAIN.md §8): who to check and who checks. Pure: plain data in, plain data out.

Sampling
--------
``draw`` takes the finished records of a police-unit subtree (``Candidate``: record type and id,
police district, village, collector, quality risk) and returns a stratified random sample:

* **Strata** are the combinations of the chosen dimensions (``BY``): station, police district,
  collector (the record's ``created_by``) and record type. The stratum key is stored on every item
  (``"610524501|collector:12|house"``) so a draw can be explained.
* **Allocation** is proportional to the stratum sizes (largest remainder), with at least one
  record from every non-empty stratum when the sample is at least as large as the number of
  strata. When it is smaller, which strata get their one record is itself drawn at random with
  probability proportional to size.
* **Inside a stratum** records are drawn without replacement with weight
  ``1 + risk_weight × risk`` (Efraimidis–Spirakis keys ``log(u) / w``), so a record with open
  problems, or by a collector with a bad quality record, is more likely to be drawn. A collector's
  risk is the same for all records of a stratum that has ``collector`` among its dimensions: it
  then changes nothing there and only a record's own problems do; drop ``collector`` from ``BY``
  to let risky collectors draw more of the sample.
* **Reproducible**: every stratum draws from its own ``random.Random`` seeded with the round's seed
  and the stratum key (string seeds are hashed with SHA-512, stable across Python versions and
  platforms), and the candidates are sorted first; the same seed over the same records gives the
  same sample, whatever order the database returned them in.

Risk
----
``record_risk`` turns a record's open problems (category, score) into a value in [0, 1) with the
category weights of ``quality.risk`` (a sign of fabrication counts most); ``collector_risks``
normalises ``quality.risk.collector_risk`` scores to [0, 1]; ``combine_risk`` joins the two as
independent chances (1 − (1 − a)(1 − b)).

Checkers
--------
``assign_checkers`` gives every drawn record a checker who is **never its collector** and who can
see the record (their police unit's or division's subtree holds it). Officers and chiefs of the
record's own station are preferred; among them (or, when there are none, among the other eligible
users, e.g. county supervisors) the one with the fewest open checks gets it, then the closest
(same police district), then the lowest id. ``NoEligibleChecker`` names the first record nobody may
check.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from ybss.quality.risk import weight_of

#: Record types a round may sample, in display order.
RECORD_TYPES: tuple[str, ...] = ("address", "house", "person", "unit")

#: Record type → model label (``app_label.model``, as the quality ledger names records).
RECORD_LABELS: dict[str, str] = {
    "address": "addresses.standardaddress",
    "house": "registry.house",
    "person": "registry.person",
    "unit": "registry.unit",
}

#: Stratification dimensions.
BY: tuple[str, ...] = ("station", "district", "collector", "type")
DEFAULT_BY: tuple[str, ...] = ("station", "collector", "type")

#: Leading digits of a police-unit code that name its station (610524501 → 金水派出所).
STATION_PREFIX = 9

#: The fields a checker may find wrong, per record type (model field names): what the collector
#: wrote down, not the bookkeeping (status, version, stamps, verification).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "address": (
        "road",
        "compound",
        "door_prefix",
        "door_number",
        "door_suffix",
        "sub_number",
        "building",
        "common_name",
        "unit_no",
        "floor",
        "room_no",
        "lng",
        "lat",
    ),
    "house": (
        "address",
        "house_type",
        "structure",
        "floors",
        "rooms",
        "area",
        "use",
        "ownership",
        "owner_name",
        "owner_id_number",
        "owner_phone",
        "custodian_name",
        "custodian_phone",
        "landlord",
        "rental_mode",
        "rental_start",
        "rent",
        "rental_filing_no",
        "security_pledge",
        "management_level",
    ),
    "person": (
        "id_type",
        "id_number",
        "name",
        "former_names",
        "sex",
        "ethnicity",
        "birth_date",
        "phone",
        "phone2",
        "hukou_division_code",
        "hukou_address_text",
        "education",
        "marital",
        "occupation",
        "employer",
        "nationality",
        "visa_type",
        "visa_expiry",
    ),
    "unit": (
        "name",
        "credit_code",
        "category",
        "industry",
        "special_trade",
        "hazards",
        "legal_rep_name",
        "legal_rep_id_number",
        "legal_rep_phone",
        "security_lead_name",
        "security_lead_phone",
        "phone",
        "address",
        "biz_status",
        "opened_on",
        "is_key_unit",
        "has_cctv",
    ),
}


# --- sampling --------------------------------------------------------------------------------


class Candidate(NamedTuple):
    """A finished record that may be drawn (a named tuple: a county holds half a million)."""

    record_type: str
    record_id: int
    police_unit: str  # the record's police-unit stamp (12 digits)
    division: str  # the record's division stamp (12 digits)
    collector_id: int | None
    risk: float = 0.0


@dataclass(frozen=True)
class Drawn:
    candidate: Candidate
    stratum: str
    weight: float


@dataclass(frozen=True)
class StratumInfo:
    key: str
    size: int
    sample: int
    risky: int  # records with risk > 0


@dataclass(frozen=True)
class DrawResult:
    items: list[Drawn]
    strata: list[StratumInfo]
    population: int

    def describe(self, **extra: Any) -> dict[str, Any]:
        """The draw as stored on the round (``SpotCheckRound.strata``)."""
        return {
            **extra,
            "population": self.population,
            "drawn": len(self.items),
            "strata": [
                {"key": s.key, "size": s.size, "sample": s.sample, "risky": s.risky} for s in self.strata
            ],
        }


def stratum_key(c: Candidate, by: Sequence[str]) -> str:
    """The stratum of ``c`` under the dimensions ``by`` (in ``BY`` order); ``*`` when ``by`` is empty."""
    parts = []
    for dim in BY:
        if dim not in by:
            continue
        if dim == "station":
            parts.append(c.police_unit[:STATION_PREFIX])
        elif dim == "district":
            parts.append(c.police_unit)
        elif dim == "collector":
            parts.append(f"collector:{c.collector_id if c.collector_id is not None else '-'}")
        else:
            parts.append(c.record_type)
    return "|".join(parts) or "*"


def weight(risk: float, risk_weight: float) -> float:
    """The sampling weight of a record: 1 + risk_weight × risk (never below 1)."""
    return 1.0 + max(0.0, risk_weight) * max(0.0, risk)


def weighted_sample(weights: Sequence[float], k: int, rng: random.Random) -> list[int]:
    """Indexes of ``k`` of ``weights`` drawn without replacement, each with chance growing with its
    weight (Efraimidis & Spirakis 2006: the k largest ``log(u) / w``), in increasing order. When
    all weights are equal this is a simple random sample (``rng.sample``, much faster)."""
    n = len(weights)
    if k <= 0:
        return []
    if k >= n:
        return list(range(n))
    if min(weights) == max(weights):
        return sorted(rng.sample(range(n), k))
    scored = ((math.log(1.0 - rng.random()) / w, i) for i, w in enumerate(weights))
    return sorted(i for _score, i in heapq.nlargest(k, scored))


def allocate(sizes: Mapping[str, int], n: int, rng: random.Random) -> dict[str, int]:
    """How many records each stratum gives to a sample of ``n`` (capped at the population).

    Proportional to size by largest remainder, at least one per non-empty stratum when ``n`` is
    at least the number of non-empty strata, never more than a stratum holds. Ties go to the
    larger stratum, then the smaller key, so the result depends only on the sizes and ``n``
    (and on ``rng`` only when ``n`` is below the number of strata).
    """
    live = {k: s for k, s in sizes.items() if s > 0}
    total = sum(live.values())
    n = max(0, min(n, total))
    out = dict.fromkeys(sizes, 0)
    if n == 0:
        return out
    keys = sorted(live)
    if n < len(keys):
        # Too few for one each: n strata, drawn with probability proportional to size.
        for i in weighted_sample([float(live[k]) for k in keys], n, rng):
            out[keys[i]] = 1
        return out
    quota = {k: n * live[k] / total for k in keys}
    alloc = {k: min(live[k], max(1, math.floor(quota[k]))) for k in keys}
    diff = n - sum(alloc.values())
    while diff > 0:
        # Room left: the stratum furthest below its quota (by remainder) takes one more.
        room = [k for k in keys if alloc[k] < live[k]]
        best = min(room, key=lambda k: (-(quota[k] - alloc[k]), -live[k], k))
        alloc[best] += 1
        diff -= 1
    while diff < 0:
        # The minimum of one pushed the total over n: take back from the furthest above quota.
        spare = [k for k in keys if alloc[k] > 1]
        best = min(spare, key=lambda k: (-(alloc[k] - quota[k]), live[k], k))
        alloc[best] -= 1
        diff += 1
    out.update(alloc)
    return out


def draw(
    candidates: Iterable[Candidate],
    *,
    sample_size: int,
    by: Sequence[str] = DEFAULT_BY,
    risk_weight: float = 1.0,
    seed: int,
) -> DrawResult:
    """A stratified, risk-weighted random sample of ``candidates`` (see the module docstring)."""
    unknown = set(by) - set(BY)
    if unknown:
        raise ValueError(f"unknown stratification dimensions: {sorted(unknown)}")
    # Group by (police unit, collector, type) first, in C; the few thousand groups then merge
    # into their strata (a county's half-million candidates take a second instead of three).
    groups: dict[tuple[str, int | None, str], list[Candidate]] = defaultdict(list)
    group_of = itemgetter(2, 4, 0)
    for c in candidates:
        groups[group_of(c)].append(c)
    strata: dict[str, list[Candidate]] = defaultdict(list)
    for members in groups.values():
        strata[stratum_key(members[0], by)].extend(members)
    order = itemgetter(0, 1)  # record type, id: the draw must not depend on the database's order
    for members in strata.values():
        members.sort(key=order)
    sizes = {k: len(v) for k, v in strata.items()}
    alloc = allocate(sizes, sample_size, random.Random(f"{seed}:allocate"))
    items: list[Drawn] = []
    infos: list[StratumInfo] = []
    extra = max(0.0, risk_weight)
    for key in sorted(strata):
        members = strata[key]
        weights = [1.0 + extra * c.risk if c.risk > 0 else 1.0 for c in members]
        picked = weighted_sample(weights, alloc[key], random.Random(f"{seed}:{key}"))
        items.extend(Drawn(members[i], key, round(weights[i], 6)) for i in picked)
        infos.append(StratumInfo(key, len(members), alloc[key], sum(1 for c in members if c.risk > 0)))
    return DrawResult(items=items, strata=infos, population=sum(sizes.values()))


# --- risk ------------------------------------------------------------------------------------


def record_risk(problems: Iterable[tuple[str, float]]) -> float:
    """A record's risk in [0, 1) from its open problems (category, score): 1 − exp(−Σ wᵢ·sᵢ) with
    the category weights of ``quality.risk`` (one confident sign of fabrication ≈ 0.95, one
    record-rule finding ≈ 0.26)."""
    mass = sum(weight_of(cat) * max(0.0, min(1.0, float(score))) for cat, score in problems)
    return 1.0 - math.exp(-mass)


def collector_risks(scores: Mapping[int, float]) -> dict[int, float]:
    """``quality.risk.collector_risk`` scores scaled to [0, 1] by the highest one."""
    top = max((s for s in scores.values() if s > 0), default=0.0)
    if top <= 0:
        return {}
    return {c: round(max(0.0, s) / top, 6) for c, s in scores.items()}


def combine_risk(record: float, collector: float) -> float:
    """A record's own risk and its collector's, as independent chances."""
    a = max(0.0, min(1.0, record))
    b = max(0.0, min(1.0, collector))
    return round(1.0 - (1.0 - a) * (1.0 - b), 6)


# --- checkers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checker:
    """Someone who may be given records to check: their jurisdiction (police-unit and division
    prefixes, empty when none), role, and how many open checks they already have."""

    user_id: int
    role: str
    unit_prefix: str = ""
    division_prefix: str = ""
    load: int = 0


@dataclass(frozen=True)
class ToCheck:
    """A drawn record as checker assignment sees it."""

    collector_id: int | None
    police_unit: str
    division: str


#: Roles who may be given records to check: the officers and chiefs who know the ground, and the
#: county supervisors when nobody else may (the admin sees spot checks but does not check).
ASSIGNABLE_ROLES = frozenset({"officer", "chief", "supervisor"})

#: Roles preferred as checkers when they work in the record's own station.
PREFERRED_ROLES = frozenset({"officer", "chief"})


class NoEligibleChecker(Exception):
    """Nobody but the record's collector (or nobody at all) may check record ``index``."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def may_check(checker: Checker, item: ToCheck) -> bool:
    """``checker`` is not the collector and their jurisdiction holds the record."""
    if item.collector_id is not None and checker.user_id == item.collector_id:
        return False
    by_unit = bool(checker.unit_prefix) and item.police_unit.startswith(checker.unit_prefix)
    by_division = bool(checker.division_prefix) and item.division.startswith(checker.division_prefix)
    return by_unit or by_division


def preferred(checker: Checker, item: ToCheck) -> bool:
    """An officer or chief whose unit lies in the record's station."""
    station = item.police_unit[:STATION_PREFIX]
    return checker.role in PREFERRED_ROLES and checker.unit_prefix.startswith(station)


@dataclass
class _Load:
    counts: dict[int, int] = field(default_factory=dict)

    def of(self, c: Checker) -> int:
        return self.counts.get(c.user_id, c.load)

    def add(self, c: Checker) -> None:
        self.counts[c.user_id] = self.of(c) + 1


def assign_checkers(items: Sequence[ToCheck], checkers: Sequence[Checker]) -> list[int]:
    """A checker's user id for each of ``items`` (same order), balancing load greedily.

    Raises ``NoEligibleChecker`` for the first item nobody may check.
    """
    load = _Load()
    out: list[int] = []
    ordered = sorted(checkers, key=lambda c: c.user_id)
    for i, item in enumerate(items):
        eligible = [c for c in ordered if may_check(c, item)]
        if not eligible:
            raise NoEligibleChecker(i)
        pool = [c for c in eligible if preferred(c, item)] or eligible
        best = min(pool, key=lambda c: (load.of(c), c.unit_prefix != item.police_unit, c.user_id))
        load.add(best)
        out.append(best.user_id)
    return out


__all__ = [
    "ASSIGNABLE_ROLES",
    "BY",
    "DEFAULT_BY",
    "RECORD_FIELDS",
    "RECORD_LABELS",
    "RECORD_TYPES",
    "Candidate",
    "Checker",
    "DrawResult",
    "Drawn",
    "NoEligibleChecker",
    "StratumInfo",
    "ToCheck",
    "allocate",
    "assign_checkers",
    "collector_risks",
    "combine_risk",
    "draw",
    "may_check",
    "record_risk",
    "stratum_key",
    "weight",
    "weighted_sample",
]
