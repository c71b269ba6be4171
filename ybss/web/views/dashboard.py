"""Supervision dashboards (督查看板) under ``/supervision/`` (namespace ``web:supervision``).

* ``/supervision/`` — the dashboard of the user's own node: the county for supervisors and admins,
  the station for a chief, the police district for an officer; a collector sees the progress of
  their own collection tasks beside the rates of their district.
* ``/supervision/node/<tree>/<code>/`` — any node of either tree inside the user's jurisdiction
  (``rates.node_get``: 404 outside, the same as missing).

Every figure comes from the day's rate facts (``ybss.supervision.rates``), never from the records:
the four main rates as tiles (percent, numerator / denominator, definition, change against the
last counted day at least 7 days before), the other rates, a table of the children with every
rate (each row opens the child's dashboard, each number the records behind it that are not yet
counted — ``RateDef.drill`` narrowed to the node), charts (history over 60 days, rates by child,
problems by category, the station ranking for a county), and the map of door plates by progress
(its script reads the scoped ``/api/map/`` with the node's code prefix). ``?day=YYYY-MM-DD``
shows the dashboard as of a past day (a bad or future date is a field error and status 400).

Scoping: both views are ``@scoped``; the rates, the ranking, the problem summary, the collection
progress and the map API all start from ``org.jurisdiction.scope``.

The number of queries does not grow with the number of children (one read of the day's facts for
the node, one for its children, one for the history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ybss.addresses.models import CoordSystem
from ybss.addresses.rates import Rate
from ybss.collection import selectors as collection_selectors
from ybss.core.errors import NotFound
from ybss.jobs.services import rates_refresh_submit
from ybss.mapping.selectors import PROGRESS_STATES
from ybss.org.models import Role, User
from ybss.quality import selectors as quality_selectors
from ybss.supervision import ranking, rates
from ybss.supervision.definitions import MAIN_RATES, OTHER_RATES, RATES, RateDef

from ..forms.filters import BaseForm
from .common import actor_of, require_business_access, scoped

#: Days of history in the progress chart.
HISTORY_DAYS = 60
#: The change shown on a tile is against the last counted day at least this many days before.
CHANGE_DAYS = 7
#: Earliest day the picker accepts.
FIRST_DAY = dt.date(2000, 1, 1)
#: List pages whose police-unit filter takes a code prefix rather than a unit's code.
PREFIX_LISTS = frozenset({"web:quality:ledger"})


class DayForm(BaseForm):
    """``?day=YYYY-MM-DD``: the day the dashboard shows (empty: today)."""

    day = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_day(self) -> dt.date | None:
        day = self.cleaned_data.get("day")
        if day is not None and not (FIRST_DAY <= day <= timezone.localdate()):
            raise forms.ValidationError(gettext_lazy("Choose a day from 2000 up to today."), code="day_range")
        return day


@dataclass(frozen=True)
class Figure:
    """One rate on the page with its links."""

    rate: Rate
    drill_url: str  # the records not yet counted, narrowed to the node ('' when there is no list)
    change: float | None = None  # percentage points against ``since`` (None: nothing to compare)
    since: dt.date | None = None
    neutral: bool = False

    @property
    def code(self) -> str:
        return self.rate.code

    @property
    def pending(self) -> int:
        return self.rate.denominator - self.rate.numerator

    @property
    def change_text(self) -> str:
        if self.change is None:
            return "—"
        return f"{self.change:+.2f}"


def node_url(node: rates.Node, day: dt.date | None = None) -> str:
    """The dashboard of ``node`` (as of ``day`` when given)."""
    url = reverse("web:supervision:node", args=[node.tree, node.code])
    return f"{url}?{urlencode({'day': day.isoformat()})}" if day else url


def drill_url(d: RateDef, node: rates.Node) -> str:
    """The list of the records ``d`` does not count yet, narrowed to ``node``; '' without one."""
    if d.drill is None:
        return ""
    name, query = d.drill
    if not name.startswith("web:"):
        name = f"web:{name}"
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    params = dict(query)
    param = d.drill_filters[0 if node.tree == rates.POLICE else 1]
    if param:
        params[param] = node.prefix if name in PREFIX_LISTS else node.code
    return f"{url}?{urlencode(params)}" if params else url


def _before(history: list[tuple[dt.date, Rate]], day: dt.date) -> tuple[dt.date, Rate] | None:
    """The last counted day at least CHANGE_DAYS before ``day``."""
    limit = day - dt.timedelta(days=CHANGE_DAYS)
    found = None
    for d, r in history:
        if d <= limit:
            found = (d, r)
    return found


def _figure(rate: Rate, node: rates.Node, history: list[tuple[dt.date, Rate]] | None, day: dt.date) -> Figure:
    d = RATES[rate.code]
    change = since = None
    if history:
        before = _before(history, day)
        if before is not None and before[1].value is not None and rate.value is not None:
            since = before[0]
            change = round((rate.value - before[1].value) * 100, 2)
    return Figure(rate, drill_url(d, node), change, since, d.neutral)


def _pct(rate: Rate) -> float | None:
    return None if rate.value is None else round(rate.value * 100, 2)


def _map_config(node: rates.Node) -> dict[str, Any]:
    system = settings.YBSS_MAP_TILE_SYSTEM if settings.YBSS_MAP_TILE_SYSTEM in CoordSystem.values else "WGS84"
    labels = {
        "none": _("Not marked yet"),
        "marked": _("Marked (point confirmed)"),
        "verified": _("Houses verified"),
        "collected": _("Residents collected"),
    }
    return {
        "tileUrl": settings.YBSS_MAP_TILE_URL,
        "tileSystem": system,
        "center": list(settings.YBSS_MAP_CENTER),
        "filter": {node.field: node.prefix},
        "api": {"doors": reverse("api:map_doors"), "grid": reverse("api:map_grid")},
        "states": list(PROGRESS_STATES),
        "legend": [[state, labels[state]] for state in PROGRESS_STATES],
        "text": {
            **labels,
            "verifiedShare": _("%(p)s%% of %(n)s door plates have their houses verified"),
            "doorCount": _("%(n)s door plates"),
            "zoomIn": _("Too many door plates here: zoom in to see each one."),
            "failed": _("The request failed. Check the connection and try again."),
        },
    }


def _charts(
    node: rates.Node,
    history: dict[str, list[tuple[dt.date, Rate]]],
    children: list[tuple[rates.Node, dict[str, Rate]]],
    problems: list[Any],
    station_ranks: list[Any],
    past: dt.date | None,
) -> dict[str, Any]:
    """The data of the page's charts (``web/supervision/dashboard.js`` draws them with ECharts)."""
    days = sorted({d for series in history.values() for d, _r in series})
    by_day = {code: {d: r for d, r in series} for code, series in history.items()}
    labels = {code: str(RATES[code].short) for code in RATES}
    return {
        "history": {
            "days": [d.isoformat() for d in days],
            "series": [
                {
                    "code": code,
                    "name": labels[code],
                    "data": [_pct(by_day[code][d]) if d in by_day[code] else None for d in days],
                }
                for code in MAIN_RATES
                if code in by_day
            ],
        },
        "children": {
            "names": [c.name for c, _r in children],
            "urls": [node_url(c, past) for c, _r in children],
            "series": [
                {"code": code, "name": labels[code], "data": [_pct(r[code]) for _c, r in children]}
                for code in MAIN_RATES
            ],
        },
        "problems": {
            "names": [p.name for p in problems],
            "active": [p.active for p in problems],
            "closed": [p.closed for p in problems],
        },
        "ranking": {
            "names": [s.node.name for s in station_ranks],
            "scores": [s.score for s in station_ranks],
            "urls": [node_url(s.node, past) for s in station_ranks],
        },
        "text": {
            "percent": _("Percent"),
            "active": _("Needs action"),
            "closed": _("Closed"),
            "score": _("Score"),
            "empty": _("No data yet."),
        },
    }


def _problem_summary(actor: User, node: rates.Node) -> list[Any]:
    prefix = {"police_unit": node.prefix} if node.tree == rates.POLICE else {"division": node.prefix}
    return quality_selectors.problem_summary(actor=actor, by="category", **prefix)


def _dashboard(request: HttpRequest, actor: User, node: rates.Node) -> HttpResponse:
    form = DayForm(request.GET)
    path = rates.node_path(actor=actor, node=node)
    base: dict[str, Any] = {
        "title": _("Supervision dashboard"),
        "node": node,
        "form": form,
        "path": [(n, node_url(n)) for n in path],
        "trees": _tree_links(actor, node),
    }
    if not form.is_valid():
        return render(request, "web/supervision/dashboard.html", {**base, "invalid": True}, status=400)
    today = timezone.localdate()
    day = form.cleaned_data["day"] or today
    past = day if day != today else None  # links to other nodes keep a past day
    base["path"] = [(n, node_url(n, past)) for n in path]
    current = rates.rates_at(actor=actor, node=node, day=day)
    history = rates.rate_history(
        actor=actor, node=node, codes=MAIN_RATES, start=day - dt.timedelta(days=HISTORY_DAYS), end=day
    )
    collector = actor.role == Role.COLLECTOR
    children = [] if collector else rates.rates_by_child(actor=actor, node=node, day=day)
    county_view = node.tree == rates.POLICE and node.kind in ("county_bureau", "city_bureau")
    station_ranks = ranking.station_ranking(actor=actor, day=day) if county_view and not collector else []
    problems = [] if collector else _problem_summary(actor, node)
    context = {
        **base,
        "day": day,
        "is_today": day == today,
        "as_of": rates.facts_as_of(day=day),
        "reconstructed": day < today and rates.facts_reconstructed(day=day),
        "main": [_figure(current[c], node, history.get(c), day) for c in MAIN_RATES],
        "others": [_figure(current[c], node, None, day) for c in OTHER_RATES if c in current],
        "children": [
            (
                child,
                node_url(child, past),
                [_figure(r[c], child, None, day) for c in MAIN_RATES + OTHER_RATES],
            )
            for child, r in children
        ],
        "child_heads": [RATES[c] for c in MAIN_RATES + OTHER_RATES],
        "problems": problems,
        "station_ranks": [(s, node_url(s.node, past)) for s in station_ranks],
        "county_view": county_view,
        "progress": collection_selectors.progress(actor=actor, by="collector") if collector else None,
        "charts": _charts(node, history, children, problems, station_ranks, past),
        "map": _map_config(node),
        "history_days": HISTORY_DAYS,
    }
    return render(request, "web/supervision/dashboard.html", context)


def _tree_links(actor: User, node: rates.Node) -> list[tuple[str, str, bool]]:
    """Tabs between the police tree and the division tree, from the user's own roots."""
    out = []
    for tree, label in ((rates.POLICE, _("By police unit")), (rates.DIVISION, _("By township and village"))):
        try:
            root = rates.node_root(actor=actor, tree=tree)
        except NotFound:  # a user without that tree gets no tab
            continue
        if root.tree == tree:
            out.append((str(label), node_url(root), node.tree == tree))
    return out if len(out) > 1 else []


@login_required
@scoped
def dashboard(request: HttpRequest) -> HttpResponse:
    """督查看板 of the user's own node."""
    require_business_access(request)
    actor = actor_of(request)
    return _dashboard(request, actor, rates.node_root(actor=actor))


@login_required
@scoped
def node_dashboard(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    """督查看板 of one node in the user's jurisdiction (404 outside it)."""
    require_business_access(request)
    actor = actor_of(request)
    return _dashboard(request, actor, rates.node_get(actor=actor, tree=tree, code=code))


@login_required
@scoped
@require_POST
def recount(request: HttpRequest) -> HttpResponse:
    """Count today's rates now, as a background job with progress (the page links back)."""
    require_business_access(request)
    job = rates_refresh_submit(actor=actor_of(request), language=request.LANGUAGE_CODE)
    return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))
