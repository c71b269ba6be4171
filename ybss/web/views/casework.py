"""Casework pages (线索/案件/战果, issue 8): the leads queue and one lead with its review, the watch
lists (upload, approve, compare, withdraw), the cases ledger (open, solve, close) and the results
ledger with statistics by station or month.

Who sees what is the selectors' business (``casework.selectors``, all from ``scope``); a lead page
is audited with its list's purpose. A comparison runs as a background job with progress (10,000
entries against a county take seconds to a minute, see bench/watchlist_bench.py) and only proposes
leads for review.
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

from ybss.casework import lead_reports, selectors, services
from ybss.casework.models import CaseState, LeadState, ResultCategory, WatchListState
from ybss.core.errors import AppError, Forbidden, NotFound
from ybss.jobs.services import watchlist_run_submit
from ybss.org import jurisdiction

from ..forms.casework import (
    CaseForm,
    CasesFilterForm,
    CaseStateForm,
    LeadReportForm,
    LeadReviewForm,
    LeadTipForm,
    ResultForm,
    ResultsFilterForm,
    WatchListUploadForm,
)
from .common import actor_of, paginate, require_business_access, scoped
from .writes import call_service, form_page, posted, saved

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
            "can_open_case": actor.role in (jurisdiction.REVIEW_ROLES | {"investigator"}),
            "cases": list(selectors.case_list(actor=actor).filter(lead_id=lead.pk)[:50]),
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


def _list_action_view(service: Any, done: Any, doc: str) -> Any:
    """A POST-only page action on one list: call ``service(actor=, pk=, request=)``, then back to
    the list with ``done`` or the error (approve and withdraw share it)."""

    @login_required
    @scoped
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        actor = actor_of(request)
        return _list_action(request, pk, lambda: service(actor=actor, pk=pk, request=request), str(done))

    view.__doc__ = doc
    return view


watchlist_approve = _list_action_view(
    services.watchlist_approve, gettext_lazy("List approved."), "Approve a draft list (not one's own)."
)
watchlist_withdraw = _list_action_view(
    services.watchlist_withdraw, gettext_lazy("List withdrawn."), "Withdraw a list: never compared again."
)


@login_required
@scoped
@require_POST
def watchlist_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the comparison as a background job and show its progress page (the job writes the
    run's audit entry with the list's purpose); a list that cannot run goes back with the reason."""
    _require_watchlists(request)
    actor = actor_of(request)
    try:
        job = watchlist_run_submit(
            actor=actor,
            watch_list_id=pk,
            ip=request.META.get("REMOTE_ADDR") or None,
            language=request.LANGUAGE_CODE,
        )
    except (NotFound, Forbidden):
        raise
    except AppError as err:
        messages.error(request, str(err.message))
        return HttpResponseRedirect(reverse("web:casework:list", args=[pk]))
    return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))


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
    """Record a result (战果), optionally on a lead or a case in scope (``?case=<pk>`` fills the
    case in and leads back to it)."""
    require_business_access(request)
    actor = actor_of(request)
    case_id = _record_id(request, "case")
    form = ResultForm(posted(request), initial={"case_id": case_id})
    back = reverse("web:casework:case", args=[case_id]) if case_id else reverse("web:casework:results")

    def save() -> Any:
        data = form.cleaned_data
        return services.result_record(
            actor=actor, category=data["category"], count=data["count"], occurred_on=data["occurred_on"],
            note=data.get("note") or "", lead_id=data.get("lead_id"), case_id=data.get("case_id"),
        )  # fmt: skip

    def done(result: Any) -> HttpResponse:
        url = (
            reverse("web:casework:case", args=[result.case_id])
            if result.case_id
            else reverse("web:casework:results")
        )
        return saved(request, _("Result recorded."), url)

    return form_page(
        request,
        form,
        save=save,
        done=done,
        title=_("Record a result"),
        back_url=back,
        submit=_("Record"),
    )


@login_required
@scoped
def lead_new(request: HttpRequest) -> HttpResponse:
    """Enter a tip (群众举报) as a lead: the person by ID number in scope or described, an optional
    house or address; it lands in the responsible police district."""
    require_business_access(request)
    actor = actor_of(request)
    form = LeadTipForm(posted(request))

    def save() -> Any:
        data = form.cleaned_data
        return lead_reports.lead_tip_create(
            actor=actor, summary=data["summary"], details=data.get("details") or "",
            person_id_number=data.get("person_id_number") or "",
            person_description=data.get("person_description") or "", house_id=data.get("house_id"),
            address_code=data.get("address_code") or "", request=request,
        )  # fmt: skip

    return form_page(
        request,
        form,
        save=save,
        done=lambda lead: saved(request, _("Lead recorded."), reverse("web:casework:lead", args=[lead.pk])),
        title=_("Record a tip"),
        back_url=reverse("web:casework:leads"),
        submit=_("Record"),
    )


def _record_id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound()
    return int(raw)


@login_required
@scoped
def lead_report(request: HttpRequest) -> HttpResponse:
    """发现线索: report a lead about the person (``?person=<pk>``) or the house (``?house=<pk>``)
    of the page the officer came from; out of scope is 404 (``lead_reports.lead_collect``)."""
    require_business_access(request)
    actor = actor_of(request)
    person_id, house_id = _record_id(request, "person"), _record_id(request, "house")
    if person_id is None and house_id is None:
        raise NotFound()
    form = LeadReportForm(posted(request))
    if person_id is not None:
        back = reverse("web:person_detail", args=[person_id])
    else:
        back = reverse("web:house_detail", args=[house_id])
    if request.method != "POST":  # show nothing of a record outside the user's scope, not even a form
        lead_reports.lead_reportable(actor=actor, person_id=person_id, house_id=house_id)

    def save() -> Any:
        data = form.cleaned_data
        return lead_reports.lead_collect(
            actor=actor, summary=data["summary"], details=data.get("details") or "", person_id=person_id,
            house_id=house_id, request=request,
        )  # fmt: skip

    return form_page(
        request,
        form,
        save=save,
        done=lambda lead: saved(request, _("Lead reported for review."), back),
        title=_("Report a lead"),
        back_url=back,
        submit=_("Report"),
    )


CASE_ROLES = jurisdiction.REVIEW_ROLES | {"investigator"}


@login_required
@scoped
def cases(request: HttpRequest) -> HttpResponse:
    """The cases of the user's jurisdiction, newest first, filtered by state, station and period
    (cases opened or solved in it)."""
    require_business_access(request)
    actor = actor_of(request)
    form = CasesFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    paged = paginate(
        request,
        selectors.case_list(
            actor=actor, state=data.get("state") or "", station=data.get("station") or "",
            start=data.get("start"), end=data.get("end"),
        ),
    )  # fmt: skip
    return render(
        request,
        "web/casework/cases.html",
        {
            "title": _("Cases"),
            "form": form,
            "paged": paged,
            "page": paged.page,
            "page_notice": paged.notice,
            "can_open": actor.role in CASE_ROLES,
        },
    )


@login_required
@scoped
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case (立案), on its own or from a lead in scope (``?lead=<pk>`` fills it in); a case
    from a lead is recorded in the lead's police district."""
    require_business_access(request)
    actor = actor_of(request)
    lead_id = _record_id(request, "lead")
    form = CaseForm(posted(request), initial={"lead_id": lead_id, "opened_on": timezone.localdate()})
    back = reverse("web:casework:lead", args=[lead_id]) if lead_id else reverse("web:casework:cases")

    def save() -> Any:
        data = form.cleaned_data
        return services.case_create(
            actor=actor, title=data["title"], opened_on=data["opened_on"], lead_id=data.get("lead_id")
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda case: saved(request, _("Case opened."), reverse("web:casework:case", args=[case.pk])),
        title=_("Open a case"),
        back_url=back,
        submit=_("Open the case"),
    )


@login_required
@scoped
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: its lead, the results recorded against it and, for the case roles, the form to
    mark it solved (with the day) or closed."""
    require_business_access(request)
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, pk=pk)
    form = CaseStateForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            done, status = call_service(
                form,
                lambda: services.case_update_state(
                    actor=actor, pk=case.pk, state=data["state"], solved_on=data.get("solved_on"),
                    note=data.get("note") or "", request=request,
                ),
            )  # fmt: skip
            if done is not None:
                messages.success(request, _("Case updated."))
                return HttpResponseRedirect(reverse("web:casework:case", args=[case.pk]))
    can_record = actor.role in CASE_ROLES
    return render(
        request,
        "web/casework/case.html",
        {
            "title": _("Case %(id)s") % {"id": case.pk},
            "case": case,
            "results": list(selectors.case_results(actor=actor, case_id=case.pk)[:200]),
            "form": form,
            "can_update": can_record and case.state != CaseState.CLOSED,
            "can_record": can_record,
        },
        status=status,
    )
