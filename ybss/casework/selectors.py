"""Reads of casework, each from ``org.jurisdiction.scope``; reading a lead is audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import HttpRequest

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.org.jurisdiction import BUSINESS_ROLES, WATCHLIST_ROLES, get_in_scope, require_role, scope
from ybss.org.models import PoliceUnit, User

from .models import Lead, Result, ResultCategory, WatchList

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


def lead_get(*, actor: User, pk: int, request: HttpRequest | None = None) -> Lead:
    """One lead in scope (NotFound otherwise); the read is audited with its list's purpose."""
    require_role(actor, BUSINESS_ROLES)
    lead = get_in_scope(
        Lead.objects.select_related("person", "watch_entry__watch_list", "police_unit", "reviewer"),
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
