"""The station ranking (派出所排名) by a weighted score, computed from the same facts the dashboard
shows, so a bulletin and the dashboard agree for the same day.

Components, each a share between 0 and 1:

* **completeness** — the mean of the four rates (cleaning, marking, house verification, unit
  verification) over the station;
* **quality** — 1 − open problems ÷ records counted (addresses, houses, units and people), the
  open problems being those found and not fixed or confirmed by that day;
* **spot check** — the spot-check pass rate of the station's records checked by that day;
* **timeliness** — the share of the station's targets (its own and its police districts') due by
  that day that were met by their deadline.

score = 100 × Σ wᵢ·cᵢ ÷ Σ wᵢ over the components that have a value (a station with no spot checks
or no target due yet is scored on the rest, so it is neither helped nor hurt by a missing figure).
The weights are the county's ``RankingScheme`` in force (default 40/30/20/10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.core.errors import Forbidden, InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, PoliceUnitKind, User

from . import rates as rates_mod
from .definitions import MAIN_RATES
from .models import RankingScheme, RateFact, Target

DEFAULT_WEIGHTS = {
    "completeness": Decimal("40"),
    "quality": Decimal("30"),
    "spot_check": Decimal("20"),
    "timeliness": Decimal("10"),
}
COMPONENTS = tuple(DEFAULT_WEIGHTS)
_RECORD_RATES = ("address_cleaned", "house_verified", "unit_verified", "phone_collected")


@dataclass(frozen=True)
class StationScore:
    node: rates_mod.Node
    completeness: float | None
    quality: float | None
    spot_check: float | None
    timeliness: float | None
    score: float
    rank: int
    details: dict[str, object] = field(default_factory=dict)

    def component(self, name: str) -> float | None:
        return getattr(self, name)  # type: ignore[no-any-return]


def scheme_current(*, county_code: str) -> RankingScheme:
    """The county's scheme in force; the default weights (unsaved) when none was ever set."""
    scheme = RankingScheme.objects.filter(county_id=county_code).order_by("-created_at", "-pk").first()
    if scheme is not None:
        return scheme
    return RankingScheme(county_id=county_code, created_at=timezone.now(), **DEFAULT_WEIGHTS)


def scheme_weights(scheme: RankingScheme) -> dict[str, float]:
    return {name: float(getattr(scheme, name)) for name in COMPONENTS}


def _county_of(actor: User) -> PoliceUnit | None:
    unit = actor.police_unit
    if unit is None or unit.kind not in (PoliceUnitKind.COUNTY_BUREAU, PoliceUnitKind.CITY_BUREAU):
        return None
    return unit


def weighted_score(components: dict[str, float | None], weights: dict[str, float]) -> float:
    """100 × Σ wᵢ·cᵢ ÷ Σ wᵢ over the components that have a value (0 when none has)."""
    total = sum(weights[k] for k, v in components.items() if v is not None and weights.get(k, 0) > 0)
    if not total:
        return 0.0
    return (
        100.0
        * sum(weights[k] * v for k, v in components.items() if v is not None and weights.get(k, 0) > 0)
        / total
    )


def _timeliness(stations: list[rates_mod.Node], day: dt.date, actor: User) -> dict[str, tuple[int, int]]:
    """Per station: (targets met by their deadline, targets due by ``day``). One facts query per
    distinct deadline."""
    out: dict[str, list[int]] = {s.code: [0, 0] for s in stations}
    due = (
        jurisdiction.scope(Target.objects.all(), actor)
        .filter(active=True, deadline__lte=day, officer__isnull=True)
        .select_related("police_unit")
    )
    by_deadline: dict[dt.date, list[Target]] = {}
    for t in due:
        by_deadline.setdefault(t.deadline, []).append(t)
    for deadline, group in sorted(by_deadline.items()):
        rates_mod.ensure_day(deadline)
        facts = list(
            jurisdiction.scope(RateFact.objects.all(), actor)
            .filter(day=deadline, code__in={t.code for t in group})
            .values_list("police_unit_id", "code", "numerator", "denominator")
        )
        for t in group:
            station = next((s for s in stations if t.police_unit_id.startswith(s.prefix)), None)
            if station is None:
                continue
            num = sum(f[2] for f in facts if f[1] == t.code and f[0].startswith(t.police_unit.prefix))
            den = sum(f[3] for f in facts if f[1] == t.code and f[0].startswith(t.police_unit.prefix))
            out[station.code][1] += 1
            if den and num / den >= float(t.value):
                out[station.code][0] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def station_ranking(*, actor: User, day: dt.date | None = None) -> list[StationScore]:
    """The stations of the caller's county ranked by weighted score on ``day`` (default today).

    Only callers whose own unit is a county (or city) bureau get a ranking; for anyone else the
    list is empty (a station sees its own figures, not the others'). Reads the day's facts once.
    """
    county = _county_of(actor)
    if county is None:
        return []
    day = day or timezone.localdate()
    root = rates_mod.node_get(actor=actor, tree=rates_mod.POLICE, code=county.code)
    codes = [*MAIN_RATES, "problem_closed", "spot_check_passed", "phone_collected"]
    children = [
        (n, r)
        for n, r in rates_mod.rates_by_child(actor=actor, node=root, day=day, codes=codes)
        if n.kind == PoliceUnitKind.STATION
    ]
    weights = scheme_weights(scheme_current(county_code=county.code))
    timely = _timeliness([n for n, _ in children], day, actor)
    scored = []
    for node, r in children:
        main = [v for c in MAIN_RATES if (v := r[c].value) is not None]
        records = sum(r[c].denominator for c in _RECORD_RATES)
        problems = r["problem_closed"]
        open_problems = problems.denominator - problems.numerator
        comps: dict[str, float | None] = {
            "completeness": sum(main) / len(main) if main else None,
            "quality": max(0.0, 1.0 - open_problems / records) if records else None,
            "spot_check": r["spot_check_passed"].value,
            "timeliness": (timely[node.code][0] / timely[node.code][1]) if timely[node.code][1] else None,
        }
        details: dict[str, object] = {
            "rates": {c: [r[c].numerator, r[c].denominator] for c in MAIN_RATES},
            "open_problems": open_problems,
            "records": records,
            "spot_checks": [r["spot_check_passed"].numerator, r["spot_check_passed"].denominator],
            "targets": list(timely[node.code]),
        }
        scored.append((node, comps, round(weighted_score(comps, weights), 2), details))
    scored.sort(key=lambda t: (-t[2], t[0].code))
    return [
        StationScore(node, c["completeness"], c["quality"], c["spot_check"], c["timeliness"], s, i + 1, d)
        for i, (node, c, s, d) in enumerate(scored)
    ]


def scheme_set(*, actor: User, weights: dict[str, Decimal]) -> RankingScheme:
    """Put new ranking weights in force for the caller's county (supervisor or admin). Weights are
    0–100 and must not all be 0. Schemes are never edited: each change is a new row naming who set
    it and when, and every bulletin names the scheme it used."""
    jurisdiction.require_role(actor, jurisdiction.RANKING_ROLES)
    county = _county_of(actor)
    if county is None:
        raise Forbidden(_("Only a county bureau sets the ranking weights."))
    errors: dict[str, list[object]] = {}
    for name in COMPONENTS:
        w = weights.get(name)
        if w is None or not (Decimal(0) <= w <= Decimal(100)):
            errors[name] = [_("Enter a weight from 0 to 100.")]
    if not errors and not any(weights[n] for n in COMPONENTS):
        errors["completeness"] = [_("At least one weight must be above 0.")]
    if errors:
        raise InvalidInput(fields=errors)
    return RankingScheme.objects.create(
        county=county, created_at=timezone.now(), created_by=actor, **{n: weights[n] for n in COMPONENTS}
    )
