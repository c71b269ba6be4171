"""Casework pages (线索/战果, issue 8): the leads queue and one lead with its review, the watch lists
(upload, approve, compare, withdraw) and the results ledger with statistics by station or month.

Who sees what is the selectors' business (``casework.selectors``, all from ``scope``); a lead page
is audited with its list's purpose. A comparison runs in the request (10,000 entries against a
county take seconds, see bench/watchlist_bench.py) and only proposes leads for review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ybss.casework import selectors, services
from ybss.casework.models import LeadState, ResultCategory, WatchListState
from ybss.core.errors import AppError, Forbidden, NotFound
from ybss.org import jurisdiction

from ..forms.casework import LeadReviewForm, ResultForm, ResultsFilterForm, WatchListUploadForm
from .common import actor_of, paginate, require_business_access, scoped
from .writes import call_service, posted, render_form

REASONS = {
    "id_same": gettext_lazy("same ID number"),
    "id_near": gettext_lazy("ID number one keystroke apart"),
    "name_same": gettext_lazy("same name"),
    "name_traditional": gettext_lazy("the name in traditional characters"),
    "name_pinyin": gettext_lazy("the name spelled in pinyin"),
    "name_former": gettext_lazy("a former name"),
    "name_homophone": gettext_lazy("a name that sounds the same"),
    "name_similar": gettext_lazy("a similar name"),
    "birth_date": gettext_lazy("same birth date"),
    "region": gettext_lazy("same region"),
}
STATES = ("", *LeadState.values)


def _require_watchlists(request: HttpRequest) -> None:
    require_business_access(request)
    jurisdiction.require_role(actor_of(request), jurisdiction.WATCHLIST_ROLES)


@login_required
@scoped
def leads(request: HttpRequest) -> HttpResponse:
    """The leads of the user's jurisdiction, newest first, filtered by state."""
    require_business_access(request)
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    paged = paginate(request, selectors.lead_list(actor=actor_of(request), state=state))
    return render(
        request,
        "web/casework/leads.html",
        {
            "title": _("Leads"),
            "paged": paged,
            "page": paged.page,
            "page_notice": paged.notice,
            "state": state,
            "states": [("", _("All")), *LeadState.choices],
            "can_watchlists": actor_of(request).role in jurisdiction.WATCHLIST_ROLES,
        },
    )


@login_required
@scoped
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One lead (audited): the matched person (ID number masked by role), the list entry, score and
    reasons; the review form for reviewing roles."""
    require_business_access(request)
    actor = actor_of(request)
    lead = selectors.lead_get(actor=actor, pk=pk, request=request)
    form = LeadReviewForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            done, status = call_service(
                form,
                lambda: services.lead_review(
                    actor=actor, pk=lead.pk, decision=data["decision"], note=data.get("note") or "",
                    outcome=data.get("outcome") or "", request=request,
                ),
            )  # fmt: skip
            if done is not None:
                messages.success(request, _("Lead reviewed."))
                return HttpResponseRedirect(reverse("web:casework:lead", args=[lead.pk]))
    entry = lead.watch_entry
    person = lead.person
    return render(
        request,
        "web/casework/lead.html",
        {
            "title": _("Lead %(id)s") % {"id": lead.pk},
            "lead": lead,
            "entry": entry,
            "entry_id_number": jurisdiction.show_id_number(actor, entry.id_number if entry else ""),
            "person": person,
            "person_id_number": jurisdiction.show_id_number(actor, person.id_number if person else ""),
            "reasons": [REASONS.get(r, r) for r in lead.reasons or []],
            "form": form,
            "can_review": actor.role in (jurisdiction.REVIEW_ROLES | {"investigator"})
            and lead.state not in (LeadState.DISMISSED, LeadState.CLOSED),
        },
        status=status,
    )


@login_required
@scoped
def watchlists(request: HttpRequest) -> HttpResponse:
    """The watch lists of the user's jurisdiction (watch-list roles)."""
    _require_watchlists(request)
    paged = paginate(request, selectors.watchlist_list(actor=actor_of(request)))
    return render(
        request,
        "web/casework/lists.html",
        {"title": _("Watch lists"), "paged": paged, "page": paged.page, "page_notice": paged.notice},
    )


@login_required
@scoped
def watchlist_new(request: HttpRequest) -> HttpResponse:
    """Upload a list with its purpose; all rows or none (each bad row named)."""
    _require_watchlists(request)
    actor = actor_of(request)
    form = WatchListUploadForm(posted(request), request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            wl, status = call_service(
                form,
                lambda: services.watchlist_upload(
                    actor=actor, name=data["name"], kind=data["kind"], purpose=data["purpose"],
                    expires_on=data["expires_on"], file_name=upload.name or "",
                    content=upload.read(services.MAX_BYTES + 1), request=request,
                ),
            )  # fmt: skip
            if wl is not None:
                messages.success(request, _("List uploaded; it is compared once another user approves it."))
                return HttpResponseRedirect(reverse("web:casework:list", args=[wl.pk]))
    return render(
        request,
        "web/casework/list_form.html",
        {"title": _("Upload a watch list"), "form": form, "back_url": reverse("web:casework:lists")},
        status=status,
    )


@login_required
@scoped
def watchlist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One list: its state, entries count, runs and the actions the user may take."""
    _require_watchlists(request)
    actor = actor_of(request)
    wl = selectors.watchlist_get(actor=actor, pk=pk)
    active = wl.state == WatchListState.APPROVED and wl.expires_on >= timezone.localdate()
    return render(
        request,
        "web/casework/list.html",
        {
            "title": wl.name,
            "wl": wl,
            "entries": wl.entries.count(),
            "runs": list(wl.runs.all()[:20]),
            "can_approve": wl.state == WatchListState.DRAFT
            and actor.role in jurisdiction.WATCHLIST_APPROVER_ROLES
            and wl.uploaded_by_id != actor.pk,
            "can_run": active,
            "can_withdraw": wl.state in (WatchListState.DRAFT, WatchListState.APPROVED),
        },
    )


def _list_action(request: HttpRequest, pk: int, call: Any, done: str) -> HttpResponse:
    _require_watchlists(request)
    try:
        call()
        messages.success(request, done)
    except (NotFound, Forbidden):
        raise
    except AppError as err:
        messages.error(request, str(err.message))
    return HttpResponseRedirect(reverse("web:casework:list", args=[pk]))


@login_required
@scoped
@require_POST
def watchlist_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    return _list_action(
        request,
        pk,
        lambda: services.watchlist_approve(actor=actor, pk=pk, request=request),
        _("List approved."),
    )


@login_required
@scoped
@require_POST
def watchlist_run(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    return _list_action(
        request,
        pk,
        lambda: services.watchlist_run(actor=actor, pk=pk, request=request),
        _("Comparison done."),
    )


@login_required
@scoped
@require_POST
def watchlist_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    return _list_action(
        request,
        pk,
        lambda: services.watchlist_withdraw(actor=actor, pk=pk, request=request),
        _("List withdrawn."),
    )


def _period(form: ResultsFilterForm) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    end = data.get("end") or today
    start = data.get("start") or end.replace(day=1)
    return start, end, data.get("by") or "station"


@login_required
@scoped
def results(request: HttpRequest) -> HttpResponse:
    """The results ledger: statistics by station or month for a period, and the recorded results."""
    require_business_access(request)
    actor = actor_of(request)
    form = ResultsFilterForm(request.GET or None)
    start, end, by = _period(form)
    paged = paginate(request, selectors.result_list(actor=actor, start=start, end=end))
    return render(
        request,
        "web/casework/results.html",
        {
            "title": _("Results ledger"),
            "form": form,
            "start": start,
            "end": end,
            "summary": [
                {"label": row["label"], "cells": [row[c] for c in ResultCategory.values]}
                for row in selectors.results_summary(actor=actor, start=start, end=end, by=by)
            ],
            "categories": ResultCategory.choices,
            "paged": paged,
            "page": paged.page,
            "page_notice": paged.notice,
            "can_record": actor.role in (jurisdiction.REVIEW_ROLES | {"investigator"}),
        },
    )


@login_required
@scoped
def result_new(request: HttpRequest) -> HttpResponse:
    """Record a result (战果), optionally on a lead in scope."""
    require_business_access(request)
    actor = actor_of(request)
    form = ResultForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            res, status = call_service(
                form,
                lambda: services.result_record(
                    actor=actor, category=data["category"], count=data["count"],
                    occurred_on=data["occurred_on"], note=data.get("note") or "", lead_id=data.get("lead_id"),
                ),
            )  # fmt: skip
            if res is not None:
                messages.success(request, _("Result recorded."))
                return HttpResponseRedirect(reverse("web:casework:results"))
    return render_form(
        request,
        form,
        title=_("Record a result"),
        back_url=reverse("web:casework:results"),
        submit=_("Record"),
        status=status,
    )
