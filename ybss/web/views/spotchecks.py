"""Spot checks (抽查): the rounds with progress and pass rate, drawing a round, one round with its
items and pass rates by station and collector, the checker's own list, the check form (with the
browser's GPS, as the field verification form), giving an item to another checker, closing a round.

Who sees what is the selectors' business (``supervision.selectors``: users of
``SPOT_CHECKER_ROLES`` in jurisdiction); drawing, assigning and closing need ``SPOT_CHECK_ROLES``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.core.errors import AppError, Forbidden, NotFound
from ybss.org import jurisdiction
from ybss.supervision import selectors, services
from ybss.supervision.models import SpotCheckItem, SpotCheckResult, SpotCheckState

from ..forms.spotchecks import BY_CHOICES, RECORD_TYPE_CHOICES, AssignForm, CheckForm, DrawForm
from .common import actor_of, paginate, require_business_access, scoped
from .writes import call_service, posted, render_form

RESULTS = ("pending", "checked", *[r.value for r in SpotCheckResult if r != SpotCheckResult.PENDING])
TYPE_LABELS = dict(RECORD_TYPE_CHOICES)
BY_LABELS = dict(BY_CHOICES)
#: The page of each kind of record.
RECORD_PAGES = {
    "address": "web:address_detail",
    "house": "web:house_detail",
    "person": "web:person_detail",
    "unit": "web:unit_detail",
}


def _result_filter(request: HttpRequest, default: str = "") -> str:
    value = request.GET.get("result", default)
    return value if value in RESULTS else default


def record_url(item: SpotCheckItem) -> str:
    name = RECORD_PAGES.get(item.record_type)
    return reverse(name, args=[item.record_id]) if name else ""


def _rows(request: HttpRequest, items: list[SpotCheckItem]) -> list[dict[str, Any]]:
    """What the item tables show: the item, its record's page and where the record is."""
    places = selectors.spot_check_places(actor=actor_of(request), items=items)
    return [
        {
            "item": it,
            "type_label": TYPE_LABELS.get(it.record_type, it.record_type),
            "url": record_url(it),
            "place": places.get((it.record_type, it.record_id), ""),
        }
        for it in items
    ]


def _pass_rates(request: HttpRequest, group: str, **kwargs: Any) -> list[dict[str, Any]]:
    rows = selectors.spot_check_pass_rates(actor=actor_of(request), group=group, **kwargs)
    names = selectors.spot_check_pass_names(rows, group=group)
    return [{"key": r.key, "name": names.get(r.key, r.key or "—"), "row": r} for r in rows]


@login_required
@scoped
def rounds(request: HttpRequest) -> HttpResponse:
    """The rounds the user sees, newest first, with progress and pass rate, and the pass rates by
    station of everything checked."""
    require_business_access(request)
    actor = actor_of(request)
    paged = paginate(request, selectors.spot_check_rounds(actor=actor))
    return render(
        request,
        "web/supervision/spotchecks_list.html",
        {
            "title": _("Spot checks"),
            "paged": paged,
            "page": paged.page,
            "page_notice": paged.notice,
            "stations": _pass_rates(request, "station"),
            "can_draw": jurisdiction.can_spot_check(actor),
            "sees": jurisdiction.sees_spot_checks(actor),
        },
    )


@login_required
@scoped
def round_new(request: HttpRequest) -> HttpResponse:
    """Draw a round: the unit, the sample size, the strata, the weight for risk, a seed."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_spot_check(actor):
        raise Forbidden()
    form = DrawForm(posted(request), actor=actor)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            rnd, status = call_service(
                form,
                lambda: services.spot_check_draw(
                    actor=actor,
                    name=data["name"],
                    police_unit_code=data["police_unit_code"],
                    sample_size=data["sample_size"],
                    by=data.get("by") or (),
                    record_types=data["record_types"],
                    risk_weight=data["risk_weight"],
                    seed=data.get("seed"),
                    deadline=data.get("deadline"),
                ),
            )
            if rnd is not None:
                messages.success(
                    request, _("Spot-check round drawn: %(n)s records.") % {"n": rnd.sample_size}
                )
                return HttpResponseRedirect(reverse("web:spotchecks:round", args=[rnd.pk]))
    return render_form(
        request,
        form,
        title=_("New spot-check round"),
        back_url=reverse("web:spotchecks:rounds"),
        submit=_("Draw the sample"),
        status=status,
        intro=_(
            "Finished records are drawn at random in every stratum; records with open quality "
            "problems are more likely to be drawn. Each record goes to a checker who did not collect it."
        ),
    )


@login_required
@scoped
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One round: how it was drawn, its items (the ones the user sees) and pass rates by station
    and by collector."""
    require_business_access(request)
    actor = actor_of(request)
    rnd = selectors.spot_check_round_get(actor=actor, pk=pk, request=request)
    result = _result_filter(request)
    paged = paginate(request, selectors.spot_check_items(actor=actor, round=rnd, result=result or None))
    return render(
        request,
        "web/supervision/spotchecks_round.html",
        {
            "title": rnd.name,
            "round": rnd,
            "paged": paged,
            "page": paged.page,
            "page_notice": paged.notice,
            "rows": _rows(request, list(paged.page.object_list)),
            "result": result,
            "results": [("", _("All")), ("pending", _("Not checked yet")), ("checked", _("Checked"))],
            "stations": _pass_rates(request, "station", round=rnd),
            "collectors": _pass_rates(request, "collector", round=rnd),
            "strata": (rnd.strata or {}).get("strata", [])[:200],
            "by": [BY_LABELS.get(b, b) for b in (rnd.strata or {}).get("by", [])],
            "can_manage": jurisdiction.can_spot_check(actor),
            "can_close": jurisdiction.can_spot_check(actor)
            and rnd.state == SpotCheckState.OPEN
            and jurisdiction.in_scope(rnd, actor),
        },
    )


@login_required
@scoped
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    try:
        services.spot_check_close(actor=actor_of(request), round=pk)
        messages.success(request, _("The round is closed."))
    except (NotFound, Forbidden):
        raise
    except AppError as err:
        messages.error(request, str(err.message))
    return HttpResponseRedirect(reverse("web:spotchecks:round", args=[pk]))


@login_required
@scoped
def my_checks(request: HttpRequest) -> HttpResponse:
    """The items given to the user to check (not yet checked first)."""
    require_business_access(request)
    actor = actor_of(request)
    result = _result_filter(request, "pending")
    qs = selectors.spot_check_items(actor=actor, checker=actor, result=result or None)
    paged = paginate(request, qs)
    return render(
        request,
        "web/supervision/spotchecks_mine.html",
        {
            "title": _("My spot checks"),
            "paged": paged,
            "page": paged.page,
            "page_notice": paged.notice,
            "rows": _rows(request, list(paged.page.object_list)),
            "result": result,
            "results": [("pending", _("Not checked yet")), ("checked", _("Checked")), ("", _("All"))],
        },
    )


@login_required
@scoped
def item_check(request: HttpRequest, pk: int) -> HttpResponse:
    """One item: the record to check and, while it is pending, the check form (result, wrong
    fields, note, where the checker stands)."""
    require_business_access(request)
    actor = actor_of(request)
    item = selectors.spot_check_item_get(actor=actor, pk=pk, request=request)
    fields = selectors.spot_check_record_fields(item.record_type)
    form = CheckForm(posted(request), fields=fields, initial={"via": "field"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            done, status = call_service(
                form,
                lambda: services.spot_check_record(
                    actor=actor,
                    item=item.pk,
                    result=data["result"],
                    wrong_fields=data.get("wrong_fields") or (),
                    note=data.get("note") or "",
                    via=data["via"],
                    lng=data.get("lng"),
                    lat=data.get("lat"),
                ),
            )
            if done is not None:
                messages.success(request, _("Check recorded."))
                return HttpResponseRedirect(reverse("web:spotchecks:mine"))
    may_record = (
        item.result == SpotCheckResult.PENDING
        and item.round.state == SpotCheckState.OPEN
        and (item.checker_id == actor.pk or actor.role in services.SPOT_OVERRIDE_ROLES)
        and item.collector_id != actor.pk
    )
    [row] = _rows(request, [item])
    labels = dict(fields)
    return render(
        request,
        "web/supervision/spotchecks_check.html",
        {
            "title": _("Spot check %(id)s") % {"id": item.pk},
            "item": item,
            "row": row,
            "form": form,
            "may_record": may_record,
            "can_assign": jurisdiction.can_spot_check(actor) and item.result == SpotCheckResult.PENDING,
            "wrong_labels": [labels.get(f, f) for f in item.wrong_fields],
            "error_summary": _("Some fields need correcting; see the messages below each field."),
        },
        status=status,
    )


@login_required
@scoped
def item_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a pending item to another checker (never the record's collector)."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_spot_check(actor):
        raise Forbidden()
    item = selectors.spot_check_item_get(actor=actor, pk=pk, request=request)
    form = AssignForm(
        posted(request),
        checkers=selectors.spot_check_checker_choices(actor=actor, item=item),
        initial={"checker": item.checker_id},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done, status = call_service(
                form,
                lambda: services.spot_check_assign(
                    actor=actor, item=item.pk, checker=form.cleaned_data["checker"]
                ),
            )
            if done is not None:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("web:spotchecks:round", args=[item.round_id]))
    return render_form(
        request,
        form,
        title=_("Give spot check %(id)s to another checker") % {"id": item.pk},
        back_url=reverse("web:spotchecks:item", args=[item.pk]),
        status=status,
    )
