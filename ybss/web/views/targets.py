"""Targets and assessment (目标考核): the scoreboard of every target in the user's jurisdiction,
setting and withdrawing targets, and the station ranking with its weights (county only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.core.errors import AppError, InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, PoliceUnitKind, User
from ybss.supervision import ranking, targets
from ybss.supervision.definitions import RATES

from .common import actor_of, require_business_access, scoped


def _day(request: HttpRequest) -> tuple[dt.date, str]:
    """The ``day`` parameter (default today) and an error message for a bad one."""
    raw = request.GET.get("day", "").strip()
    if not raw:
        return timezone.localdate(), ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate(), _("Enter a valid date (YYYY-MM-DD).")
    if day > timezone.localdate() or day.year < 2000:
        return timezone.localdate(), _("Choose a date from 2000 up to today.")
    return day, ""


def _units(actor: User) -> list[PoliceUnit]:
    """The stations and police districts a target may be set for by ``actor``."""
    if actor.police_unit is None:
        return []
    return list(
        PoliceUnit.objects.filter(
            code__startswith=actor.police_unit.prefix,
            kind__in=(PoliceUnitKind.STATION, PoliceUnitKind.DISTRICT),
        ).order_by("code")
    )


def _rate_choices() -> list[tuple[str, str]]:
    return [(c, str(d.label)) for c, d in RATES.items() if not d.neutral]


@login_required
@scoped
def scoreboard(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    day, day_error = _day(request)
    rows = targets.target_scoreboard(actor=actor, day=day)
    return render(
        request,
        "web/supervision/targets.html",
        {
            "title": _("Targets and assessment"),
            "rows": rows,
            "day": day,
            "day_error": day_error,
            "can_set": actor.role in jurisdiction.TARGET_ROLES,
            "status": {k: v for k, v in targets.STATUS_LABELS.items()},
        },
        status=400 if day_error else 200,
    )


@login_required
@scoped
def target_new(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    jurisdiction.require_role(actor, jurisdiction.TARGET_ROLES)
    error: AppError | None = None
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        deadline = None
        field_errors: dict[str, list[object]] = {}
        try:
            deadline = dt.date.fromisoformat(data.get("deadline", "").strip())
        except ValueError:
            field_errors["deadline"] = [_("Enter a valid date (YYYY-MM-DD).")]
        officer = data.get("officer", "").strip()
        try:
            if field_errors:
                raise InvalidInput(fields=field_errors)
            targets.target_set(
                actor=actor,
                police_unit_code=data.get("police_unit", "").strip()[:12],
                code=data.get("code", ""),
                value=data.get("value", "").strip()[:12] or "0",
                deadline=deadline,
                officer_id=int(officer) if officer.isdigit() else None,
                note=data.get("note", ""),
            )
        except AppError as exc:
            error = exc
        else:
            messages.success(request, _("Target set."))
            return HttpResponseRedirect(reverse("web:targets:targets"))
    return render(
        request,
        "web/supervision/target_form.html",
        {
            "title": _("Set a target"),
            "error": error,
            "data": data,
            "units": _units(actor),
            "rates": _rate_choices(),
        },
        status=error.status if error else 200,
    )


@login_required
@scoped
@require_POST
def target_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    targets.target_deactivate(actor=actor_of(request), pk=pk)
    messages.success(request, _("Target withdrawn."))
    return HttpResponseRedirect(reverse("web:targets:targets"))


@login_required
@scoped
def ranking_view(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    day, day_error = _day(request)
    error: AppError | None = None
    can_edit = actor.role in jurisdiction.RANKING_ROLES and ranking._county_of(actor) is not None
    if request.method == "POST":
        weights: dict[str, Decimal] = {}
        for name in ranking.COMPONENTS:
            try:
                weights[name] = Decimal(request.POST.get(name, "").strip()[:8])
            except InvalidOperation:
                weights[name] = Decimal(-1)
        try:
            ranking.scheme_set(actor=actor, weights=weights)
        except AppError as exc:
            error = exc
        else:
            messages.success(request, _("Ranking weights saved."))
            return HttpResponseRedirect(reverse("web:targets:ranking"))
    county = ranking._county_of(actor)
    scheme = ranking.scheme_current(county_code=county.code) if county else None
    return render(
        request,
        "web/supervision/ranking.html",
        {
            "title": _("Station ranking"),
            "rows": ranking.station_ranking(actor=actor, day=day),
            "scheme": scheme,
            "components": [
                ("completeness", _("Completeness")),
                ("quality", _("Data quality")),
                ("spot_check", _("Spot-check pass rate")),
                ("timeliness", _("Timeliness")),
            ],
            "weights": [
                (k, label, request.POST.get(k, "") if error else (getattr(scheme, k) if scheme else ""))
                for k, label in (
                    ("completeness", _("Completeness")),
                    ("quality", _("Data quality")),
                    ("spot_check", _("Spot-check pass rate")),
                    ("timeliness", _("Timeliness")),
                )
            ],
            "can_edit": can_edit,
            "error": error,
            "day": day,
            "day_error": day_error,
        },
        status=error.status if error else (400 if day_error else 200),
    )
