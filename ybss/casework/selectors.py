"""Reads of casework, each from ``org.jurisdiction.scope``; reading a lead is audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import HttpRequest

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.org.jurisdiction import (
    BUSINESS_ROLES,
    WATCHLIST_ROLES,
    get_in_scope,
    require_role,
    scope,
    subtree_q,
)
from ybss.org.models import PoliceUnit, User

from .models import Case, Lead, LeadSource, LeadState, Result, ResultCategory, WatchList

#: A station's prefix is the first 9 digits of any unit code under it.
STATION_PREFIX = 9


def watchlist_list(*, actor: User) -> QuerySet[WatchList]:
    """The lists of the actor's jurisdiction (watch-list roles only)."""
    require_role(actor, WATCHLIST_ROLES)
    return scope(WatchList.objects.select_related("uploaded_by", "approved_by"), actor)


def lead_list(*, actor: User, state: str = "") -> QuerySet[Lead]:
    """Leads in the actor's jurisdiction, newest first (an empty set for roles without business data)."""
    qs = scope(Lead.objects.select_related("person", "watch_entry__watch_list", "police_unit"), actor)
    if state:
        qs = qs.filter(state=state)
    return qs


def person_leads(*, actor: User, person_id: int) -> QuerySet[Lead]:
    """Leads about one person in the actor's jurisdiction, newest first (shown on the person's
    page, whose read is audited there); none for roles without business data."""
    if getattr(actor, "role", None) not in BUSINESS_ROLES:
        return Lead.objects.none()
    return scope(Lead.objects.filter(person_id=person_id), actor).select_related("watch_entry__watch_list")


def lead_get(*, actor: User, pk: int, request: HttpRequest | None = None) -> Lead:
    """One lead in scope (NotFound otherwise); the read is audited with its list's purpose."""
    require_role(actor, BUSINESS_ROLES)
    lead = get_in_scope(
        Lead.objects.select_related(
            "person", "watch_entry__watch_list", "police_unit", "reviewer", "house", "address", "reported_by"
        ),
        actor,
        pk=pk,
    )
    wl = lead.watch_entry.watch_list if lead.watch_entry is not None else None
    audit_record(
        actor=actor, action=AuditAction.READ, object_type="casework.lead", object_id=lead.pk,
        purpose=wl.purpose if wl else "", request=request,
    )  # fmt: skip
    return lead


def results_summary(
    *, actor: User, start: dt.date, end: dt.date, by: str = "station"
) -> list[dict[str, Any]]:
    """Result counts per category in ``[start, end]`` inside the actor's jurisdiction, one row per
    station (``by="station"``: ``{"key": station code, "label": name, "<category>": n}``) or per
    month (``by="month"``: key ``YYYY-MM``)."""
    qs = scope(Result.objects.all(), actor).filter(occurred_on__gte=start, occurred_on__lte=end)
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {c: 0 for c in ResultCategory.values})
    if by == "month":
        for day, cat, n in qs.values_list("occurred_on", "category").annotate(n=Sum("count")).order_by():
            rows[f"{day:%Y-%m}"][cat] += n
        labels = {k: k for k in rows}
    else:
        for unit, cat, n in qs.values_list("police_unit_id", "category").annotate(n=Sum("count")).order_by():
            rows[unit[:STATION_PREFIX]][cat] += n
        labels = dict(PoliceUnit.objects.filter(prefix__in=list(rows)).values_list("prefix", "name"))
    return [{"key": k, "label": labels.get(k, k), **rows[k]} for k in sorted(rows)]


def watchlist_get(*, actor: User, pk: int) -> WatchList:
    """One list in scope (watch-list roles only); NotFound otherwise."""
    require_role(actor, WATCHLIST_ROLES)
    return get_in_scope(
        WatchList.objects.select_related("uploaded_by", "approved_by", "police_unit"), actor, pk=pk
    )


def result_list(*, actor: User, start: dt.date, end: dt.date) -> QuerySet[Result]:
    """Results in scope recorded for days in ``[start, end]``, newest first."""
    return scope(Result.objects.select_related("police_unit", "recorded_by"), actor).filter(
        occurred_on__gte=start, occurred_on__lte=end
    )


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    )


def casework_statistics(
    *, actor: User, start: dt.date, end: dt.date, police_prefix: str = ""
) -> dict[str, Any]:
    """Leads, cases and results (战果) of days ``start``..``end`` inside the actor's jurisdiction
    (and under ``police_prefix`` when given), per police station (9-digit prefix) — what the
    bulletins print as 服务实战战果. Plain data::

        {"stations": {prefix: {"results": {category: n}, "leads": n, "cases_opened": n,
                                "cases_solved": n}},
         "results": {category: n}, "leads_by_source": {source: n}, "leads_by_state": {state: n},
         "leads": n, "cases_opened": n, "cases_solved": n}

    Results count by ``occurred_on``, leads by creation, cases by ``opened_on`` / ``solved_on``.
    A handful of grouped queries, whatever the size of the ledger."""
    narrow = subtree_q("police_unit", police_prefix) if police_prefix else None

    def base(qs: QuerySet[Any]) -> QuerySet[Any]:
        qs = scope(qs, actor)
        return (qs.filter(narrow) if narrow is not None else qs).order_by()

    stations: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"results": {c: 0 for c in ResultCategory.values}, "leads": 0, "cases_opened": 0,
                 "cases_solved": 0}
    )  # fmt: skip
    results = {c: 0 for c in ResultCategory.values}
    rows = (
        base(Result.objects.filter(occurred_on__gte=start, occurred_on__lte=end))
        .annotate(station=Substr("police_unit_id", 1, STATION_PREFIX))
        .values_list("station", "category")
        .annotate(n=Sum("count"))
    )
    for station, cat, n in rows:
        stations[station]["results"][cat] += n
        results[cat] += n
    lo, hi = _day_bounds(start, end)
    by_source = {c: 0 for c in LeadSource.values}
    by_state = {c: 0 for c in LeadState.values}
    rows = (
        base(Lead.objects.filter(created_at__gte=lo, created_at__lt=hi))
        .annotate(station=Substr("police_unit_id", 1, STATION_PREFIX))
        .values_list("station", "source", "state")
        .annotate(n=Count("pk"))
    )
    for station, source, state, n in rows:
        stations[station]["leads"] += n
        by_source[source] = by_source.get(source, 0) + n
        by_state[state] = by_state.get(state, 0) + n
    opened = solved = 0
    for field, key in (("opened_on", "cases_opened"), ("solved_on", "cases_solved")):
        rows = (
            base(Case.objects.filter(**{f"{field}__gte": start, f"{field}__lte": end}))
            .annotate(station=Substr("police_unit_id", 1, STATION_PREFIX))
            .values_list("station")
            .annotate(n=Count("pk"))
        )
        for station, n in rows:
            stations[station][key] += n
            if key == "cases_opened":
                opened += n
            else:
                solved += n
    return {
        "stations": dict(stations),
        "results": results,
        "leads_by_source": by_source,
        "leads_by_state": by_state,
        "leads": sum(by_source.values()),
        "cases_opened": opened,
        "cases_solved": solved,
    }


def case_list(
    *,
    actor: User,
    state: str = "",
    station: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Case]:
    """Cases in the actor's jurisdiction, newest first (none for roles without business data),
    narrowed to a ``state``, to the police units under ``station`` (a code prefix) and to cases
    opened or solved on a day in ``[start, end]`` (either bound may be left open)."""
    qs = scope(Case.objects.select_related("police_unit", "lead"), actor)
    if state:
        qs = qs.filter(state=state)
    if station:
        qs = qs.filter(subtree_q("police_unit", station))
    if start is not None or end is not None:
        opened, solved = Q(), Q()
        if start is not None:
            opened &= Q(opened_on__gte=start)
            solved &= Q(solved_on__gte=start)
        if end is not None:
            opened &= Q(opened_on__lte=end)
            solved &= Q(solved_on__lte=end)
        qs = qs.filter(opened | solved)
    return qs


def case_get(*, actor: User, pk: int) -> Case:
    """One case in scope with its lead, unit and recorder (NotFound otherwise; business roles)."""
    require_role(actor, BUSINESS_ROLES)
    return get_in_scope(Case.objects.select_related("lead", "police_unit", "recorded_by"), actor, pk=pk)


def case_results(*, actor: User, case_id: int) -> QuerySet[Result]:
    """The results (战果) recorded against one case, in scope, newest first."""
    return scope(Result.objects.filter(case_id=case_id).select_related("recorded_by"), actor)
