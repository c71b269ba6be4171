"""The content of a bulletin (通报): a JSON snapshot of every figure it prints, taken once.

``bulletin_snapshot`` reads, for the county bureau and a day, what the dashboard shows for that day
(``rates.rates_at`` / ``rates.rates_by_child`` over the day's facts, ``ranking.station_ranking``,
``targets.target_scoreboard``) plus the problem ledger and the spot checks counted up to the end of
that day, and returns plain JSON (strings, numbers, lists, dicts). The rendered files are made from
this dict alone (``bulletin_render``), so an issued bulletin never changes when the records do.

Content schema (``schema`` 1)::

    county {code, name, division, division_name}   as_of, period_start, facts_as_of
    previous {year, number, version, as_of} | None
    rates [{code, label, short, definition, main, neutral, numerator, denominator, value, percent,
            previous_percent, change}]         change: percentage points since ``previous``
    stations [{code, name, rates {code: {numerator, denominator, value, percent, change}},
               change}]                         MAIN_RATES only; change: mean of the four
    history {days [iso], series {code: [value|None]}}   the county's MAIN_RATES over the period
    ranking {scheme {id, created_at, weights {component: weight}}, rows [{rank, code, name, score,
             score_text, completeness, quality, spot_check, timeliness, details}]}
    problems {total {…}, by_category [{key, name, total, active, overdue, closed, closure_rate}],
              by_station [{key, name, …}]}
    spot_checks {rounds, total {checked, passed, wrong_fields, fabricated, percent},
                 by_station [{code, name, checked, passed, wrong_fields, fabricated, percent}]}
    targets [{unit, unit_name, code, label, target_percent, deadline, due, current_percent,
              at_deadline_percent, status, status_label}]
    casework {start, end, categories [{code, label}], total {category: n},
              by_station [{code, name, results {category: n}, leads, cases_opened, cases_solved}],
              leads {total, by_source [{code, label, count}], by_state [{code, label, count}]},
              cases {opened, solved}}   服务实战战果 of the period (absent in bulletins made before it)
    suggested {praise [line], criticism [line], remarks [line]}

Every figure is read through the caller's jurisdiction (the caller is a county-level user, see
``org.jurisdiction.can_issue_bulletins``); labels are stored translated in the active language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from ybss.addresses.rates import Rate
from ybss.casework.models import LeadSource, LeadState, ResultCategory
from ybss.casework.selectors import casework_statistics
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, PoliceUnit, PoliceUnitKind, User
from ybss.quality.findings import category_label
from ybss.quality.models import Problem, ProblemState

from . import ranking, targets
from . import rates as rates_mod
from .definitions import MAIN_RATES, RATES
from .models import SpotCheckItem, SpotCheckResult, SpotCheckRound

SCHEMA = 1

#: How far back the history chart and the targets reach when there is no previous bulletin.
DEFAULT_PERIOD_DAYS = 30
#: Targets due up to this many days after the bulletin's date are listed as coming due.
TARGETS_AHEAD_DAYS = 30
#: At most this many target rows are printed.
TARGETS_MAX = 60
#: Stations named in the suggested praise / criticism at each end of the ranking.
SUGGEST_TOP = 3


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the county's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _pp(value: float | None, before: float | None) -> float | None:
    """The change from ``before`` to ``value`` in percentage points, or None."""
    if value is None or before is None:
        return None
    return round((value - before) * 100, 2)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _rate_json(rate: Rate, before: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": rate.value,
        "percent": rate.percent,
        "previous_percent": before.get("percent") if before else None,
        "change": _pp(rate.value, before.get("value") if before else None),
    }


def county_division(county: PoliceUnit) -> AdminDivision | None:
    """The administrative county a county bureau serves (same 6-digit prefix)."""
    return AdminDivision.objects.filter(pk=county.prefix[:6].ljust(12, "0")).first()


def _station_names(county: PoliceUnit) -> dict[str, str]:
    """Station prefix (9 digits) → name, for the stations of ``county``."""
    return {
        p: n
        for p, n in PoliceUnit.objects.filter(
            kind=PoliceUnitKind.STATION, code__startswith=county.prefix
        ).values_list("prefix", "name")
    }


# --- sections --------------------------------------------------------------------------------


def _rates_section(
    actor: User, node: rates_mod.Node, as_of: dt.date, prev: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    codes = [*MAIN_RATES, *[c for c in RATES if c not in MAIN_RATES]]
    county = rates_mod.rates_at(actor=actor, node=node, day=as_of, codes=codes)
    before = {r["code"]: r for r in prev.get("rates", [])}
    rates_out = []
    for code in codes:
        d = RATES[code]
        rates_out.append(
            {
                "code": code,
                "label": str(d.label),
                "short": str(d.short),
                "definition": str(d.definition),
                "main": d.main,
                "neutral": d.neutral,
                **_rate_json(county[code], before.get(code)),
            }
        )
    prev_stations = {s["code"]: s["rates"] for s in prev.get("stations", [])}
    stations = []
    for child, r in rates_mod.rates_by_child(actor=actor, node=node, day=as_of, codes=MAIN_RATES):
        if child.kind != PoliceUnitKind.STATION:
            continue
        was = prev_stations.get(child.code, {})
        rows = {code: _rate_json(r[code], was.get(code)) for code in MAIN_RATES}
        changes = [v["change"] for v in rows.values() if v["change"] is not None]
        stations.append(
            {
                "code": child.code,
                "name": child.name,
                "rates": rows,
                "change": round(sum(changes) / len(changes), 2) if changes else None,
            }
        )
    return rates_out, stations


def _history(actor: User, node: rates_mod.Node, start: dt.date, as_of: dt.date) -> dict[str, Any]:
    series = rates_mod.rate_history(actor=actor, node=node, codes=MAIN_RATES, start=start, end=as_of)
    days = sorted({day for points in series.values() for day, _r in points})
    by_day = {code: {day: r.value for day, r in points} for code, points in series.items()}
    return {
        "days": [d.isoformat() for d in days],
        "series": {code: [by_day.get(code, {}).get(d) for d in days] for code in MAIN_RATES},
    }


def _ranking_section(actor: User, county: PoliceUnit, as_of: dt.date) -> dict[str, Any]:
    scheme = ranking.scheme_current(county_code=county.code)
    rows = []
    for s in ranking.station_ranking(actor=actor, day=as_of):
        rows.append(
            {
                "rank": s.rank,
                "code": s.node.code,
                "name": s.node.name,
                "score": s.score,
                "score_text": f"{s.score:.2f}",
                "completeness": s.completeness,
                "quality": s.quality,
                "spot_check": s.spot_check,
                "timeliness": s.timeliness,
                "details": s.details,
            }
        )
    return {
        "scheme": {
            "id": scheme.pk,
            "created_at": scheme.created_at.isoformat() if scheme.created_at else None,
            "weights": ranking.scheme_weights(scheme),
        },
        "rows": rows,
    }


def _problem_rows(qs: QuerySet[Problem], key: str, end: dt.datetime, as_of: dt.date) -> list[dict[str, Any]]:
    closed = Q(state__in=[ProblemState.FIXED, ProblemState.CONFIRMED], closed_on__lt=end)
    rows = qs.values(key).annotate(
        total=Count("pk"),
        closed=Count("pk", filter=closed),
        overdue=Count("pk", filter=~closed & Q(deadline__lt=as_of)),
    )
    out = []
    for r in rows:
        total, shut = r["total"], r["closed"]
        out.append(
            {
                "key": str(r[key] or ""),
                "total": total,
                "active": total - shut,
                "overdue": r["overdue"],
                "closed": shut,
                "closure_rate": round(100 * shut / total, 2) if total else None,
            }
        )
    return out


def _problems_section(actor: User, county: PoliceUnit, as_of: dt.date) -> dict[str, Any]:
    """Problems found by the end of ``as_of``, and how many of them were closed (fixed or confirmed
    true) by then — the same counting as the 问题整改率 rate (``definitions.RATES``)."""
    end = end_of(as_of)
    qs = (
        jurisdiction.scope(Problem.objects.all(), actor)
        .filter(jurisdiction.subtree_q("police_unit", county.prefix), first_seen__lt=end)
        .annotate(closed_on=Coalesce("closed_at", "last_seen"))
        .order_by()
    )
    by_category = _problem_rows(qs, "category", end, as_of)
    for r in by_category:
        r["name"] = str(category_label(r["key"]))
    names = _station_names(county)
    by_station = _problem_rows(qs.annotate(station=Substr("police_unit_id", 1, 9)), "station", end, as_of)
    for r in by_station:
        r["name"] = names.get(r["key"], r["key"])
    total = {k: sum(r[k] for r in by_category) for k in ("total", "active", "overdue", "closed")}
    total["closure_rate"] = round(100 * total["closed"] / total["total"], 2) if total["total"] else None
    order = lambda r: (-r["active"], -r["total"], r["key"])  # noqa: E731
    return {
        "total": total,
        "by_category": sorted(by_category, key=order),
        "by_station": sorted(by_station, key=order),
    }


def _spot_checks_section(actor: User, county: PoliceUnit, as_of: dt.date) -> dict[str, Any]:
    """Spot-checked records by station, checked by the end of ``as_of`` — the same counting as the
    抽查合格率 rate."""
    end = end_of(as_of)
    scope = jurisdiction.subtree_q("police_unit", county.prefix)
    items = (
        jurisdiction.scope(SpotCheckItem.objects.all(), actor)
        .filter(scope, checked_at__isnull=False, checked_at__lt=end)
        .exclude(result=SpotCheckResult.PENDING)
        .annotate(station=Substr("police_unit_id", 1, 9))
        .values("station")
        .annotate(
            checked=Count("pk"),
            passed=Count("pk", filter=Q(result=SpotCheckResult.AGREES)),
            wrong_fields=Count("pk", filter=Q(result=SpotCheckResult.WRONG_FIELDS)),
            fabricated=Count("pk", filter=Q(result=SpotCheckResult.FABRICATED)),
        )
        .order_by()
    )
    names = _station_names(county)
    rows = []
    for r in items:
        rows.append(
            {
                "code": r["station"],
                "name": names.get(r["station"], r["station"]),
                "checked": r["checked"],
                "passed": r["passed"],
                "wrong_fields": r["wrong_fields"],
                "fabricated": r["fabricated"],
                "percent": _pct(r["passed"] / r["checked"] if r["checked"] else None),
            }
        )
    rows.sort(key=lambda r: r["code"])
    total = {k: sum(r[k] for r in rows) for k in ("checked", "passed", "wrong_fields", "fabricated")}
    total["percent"] = _pct(total["passed"] / total["checked"] if total["checked"] else None)
    rounds = jurisdiction.scope(SpotCheckRound.objects.all(), actor).filter(scope, created_at__lt=end).count()
    return {"rounds": rounds, "total": total, "by_station": rows}


def _targets_section(actor: User, county: PoliceUnit, start: dt.date, as_of: dt.date) -> list[dict[str, Any]]:
    """Targets whose deadline falls in the bulletin's period or the month after it."""
    until = as_of + dt.timedelta(days=TARGETS_AHEAD_DAYS)
    out = []
    for row in targets.target_scoreboard(actor=actor, day=as_of):
        t = row.target
        if not (start <= t.deadline <= until) or not t.police_unit_id.startswith(county.prefix):
            continue
        out.append(
            {
                "unit": t.police_unit_id,
                "unit_name": row.unit_name,
                "code": t.code,
                "label": row.rate_label,
                "target_percent": _pct(float(t.value)),
                "deadline": t.deadline.isoformat(),
                "due": t.deadline <= as_of,
                "current_percent": row.current.percent,
                "at_deadline_percent": row.at_deadline.percent if row.at_deadline else None,
                "status": row.status,
                "status_label": row.status_label,
            }
        )
        if len(out) >= TARGETS_MAX:
            break
    return out


def _casework_section(actor: User, county: PoliceUnit, start: dt.date, as_of: dt.date) -> dict[str, Any]:
    """Leads, cases and results (服务实战战果) of the bulletin's period ``start``..``as_of`` by
    station (``casework.selectors.casework_statistics``), stations with nothing left out."""
    stats = casework_statistics(actor=actor, start=start, end=as_of, police_prefix=county.prefix)
    names = _station_names(county)
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "results": row["results"],
            "leads": row["leads"],
            "cases_opened": row["cases_opened"],
            "cases_solved": row["cases_solved"],
        }
        for code, row in sorted(stats["stations"].items())
    ]
    return {
        "start": start.isoformat(),
        "end": as_of.isoformat(),
        "categories": [{"code": c.value, "label": str(c.label)} for c in ResultCategory],
        "total": stats["results"],
        "by_station": rows,
        "leads": {
            "total": stats["leads"],
            "by_source": [
                {"code": c.value, "label": str(c.label), "count": stats["leads_by_source"].get(c.value, 0)}
                for c in LeadSource
            ],
            "by_state": [
                {"code": c.value, "label": str(c.label), "count": stats["leads_by_state"].get(c.value, 0)}
                for c in LeadState
            ],
        },
        "cases": {"opened": stats["cases_opened"], "solved": stats["cases_solved"]},
    }


# --- suggestions (pure) ----------------------------------------------------------------------


def suggest_lines(content: dict[str, Any]) -> dict[str, list[str]]:
    """Suggested praise, criticism and next-step lines from the figures of ``content``: the top and
    bottom of the ranking, the stations whose four main rates rose or fell most since the previous
    bulletin, the two weakest county rates and the targets coming due. The user edits them."""
    rows = content.get("ranking", {}).get("rows", [])
    n = min(SUGGEST_TOP, len(rows) // 2)
    praise = [
        _("%(station)s ranks No. %(rank)s with a score of %(score)s.")
        % {"station": r["name"], "rank": r["rank"], "score": r["score_text"]}
        for r in rows[:n]
    ]
    criticism = [
        _("%(station)s ranks No. %(rank)s of %(count)s with a score of %(score)s and must catch up.")
        % {"station": r["name"], "rank": r["rank"], "count": len(rows), "score": r["score_text"]}
        for r in (rows[-n:] if n else [])
    ]
    moved = [s for s in content.get("stations", []) if s.get("change") is not None]
    rose = sorted((s for s in moved if s["change"] > 0), key=lambda s: (-s["change"], s["code"]))
    fell = sorted((s for s in moved if s["change"] < 0), key=lambda s: (s["change"], s["code"]))
    praise += [
        _(
            "%(station)s raised its four main rates by %(change)s percentage points on average "
            "since the last bulletin."
        )
        % {"station": s["name"], "change": f"{s['change']:.2f}"}
        for s in rose[:SUGGEST_TOP]
    ]
    criticism += [
        _(
            "%(station)s’s four main rates fell by %(change)s percentage points on average "
            "since the last bulletin."
        )
        % {"station": s["name"], "change": f"{-s['change']:.2f}"}
        for s in fell[:SUGGEST_TOP]
    ]
    main = [r for r in content.get("rates", []) if r["main"] and r["value"] is not None]
    remarks = [
        _("Raise the %(rate)s: %(percent)s now, %(left)s records still to do.")
        % {"rate": r["label"], "percent": r["percent"], "left": f"{r['denominator'] - r['numerator']:,}"}
        for r in sorted(main, key=lambda r: (r["value"], r["code"]))[:2]
        if r["numerator"] < r["denominator"]
    ]
    remarks += [
        _("%(unit)s: %(rate)s to reach %(target)s by %(deadline)s (now %(current)s).")
        % {
            "unit": t["unit_name"],
            "rate": t["label"],
            "target": t["target_percent"],
            "deadline": t["deadline"],
            "current": t["current_percent"],
        }
        for t in content.get("targets", [])
        if not t["due"] and t["status"] != "met"
    ][:5]
    return {"praise": praise, "criticism": criticism, "remarks": remarks}


# --- the snapshot ----------------------------------------------------------------------------


def bulletin_snapshot(
    *,
    actor: User,
    county: PoliceUnit,
    as_of: dt.date,
    previous: dict[str, Any] | None = None,
    period_start: dt.date | None = None,
) -> dict[str, Any]:
    """Every figure of the bulletin of ``county`` for ``as_of``, as JSON.

    ``previous`` is the content of the last issued bulletin (for the changes), ``period_start`` the
    first day the bulletin covers (the day after the previous one's date; default 30 days back).
    Precondition: ``actor`` may issue bulletins for ``county`` (checked by the services).
    """
    node = rates_mod.node_get(actor=actor, tree=rates_mod.POLICE, code=county.code)
    prev = previous or {}
    start = period_start or as_of - dt.timedelta(days=DEFAULT_PERIOD_DAYS)
    rates_out, stations = _rates_section(actor, node, as_of, prev)
    division = county_division(county)
    counted = rates_mod.facts_as_of(day=as_of)
    content: dict[str, Any] = {
        "schema": SCHEMA,
        "county": {
            "code": county.code,
            "name": county.name,
            "division": division.code if division else "",
            "division_name": division.name if division else "",
        },
        "as_of": as_of.isoformat(),
        "period_start": period_start.isoformat() if period_start else None,
        "facts_as_of": counted.isoformat() if counted else None,
        "previous": (
            {k: prev.get(k) for k in ("year", "number", "version", "as_of")} if prev.get("number") else None
        ),
        "rates": rates_out,
        "stations": stations,
        "history": _history(actor, node, start, as_of),
        "ranking": _ranking_section(actor, county, as_of),
        "problems": _problems_section(actor, county, as_of),
        "spot_checks": _spot_checks_section(actor, county, as_of),
        "targets": _targets_section(actor, county, start, as_of),
        "casework": _casework_section(actor, county, start, as_of),
    }
    content["suggested"] = suggest_lines(content)
    return content
