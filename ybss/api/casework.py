"""Casework over JSON (issue 8): leads (list, one lead — audited — and its review), watch lists
(list, approve, compare) and the results ledger (record, statistics). Uploading a list is a page
(a file with a purpose); everything here goes through ``casework.services`` / ``selectors``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ybss.casework import selectors, services
from ybss.casework.models import Lead, WatchList, WatchRun
from ybss.org.jurisdiction import show_id_number

from .auth import caller
from .paging import paginate
from .params import PageParams, RecordId
from .scoping import scoped

router = Router(tags=["casework"])


class LeadOut(Schema):
    id: int
    source: str
    state: str
    score: float
    reasons: list[str]
    police_unit: str
    person_id: int | None
    person_name: str
    person_id_number: str
    watch_list: int | None
    created_at: Any
    review_note: str
    outcome: str


def _lead(actor: Any, lead: Lead) -> dict[str, Any]:
    p = lead.person
    return {
        "id": lead.pk,
        "source": lead.source,
        "state": lead.state,
        "score": lead.score,
        "reasons": list(lead.reasons or []),
        "police_unit": lead.police_unit_id,
        "person_id": lead.person_id,
        "person_name": p.name if p else "",
        "person_id_number": show_id_number(actor, p.id_number if p else ""),
        "watch_list": lead.watch_entry.watch_list_id if lead.watch_entry else None,
        "created_at": lead.created_at,
        "review_note": lead.review_note,
        "outcome": lead.outcome,
    }


class LeadPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[LeadOut]


class LeadQuery(Schema):
    state: Literal["", "new", "reviewing", "confirmed", "dismissed", "closed"] = ""


@router.get("/leads", response=LeadPage, summary="Leads in your jurisdiction")
@scoped
def lead_list(request: HttpRequest, filters: Query[LeadQuery], page: Query[PageParams]) -> Any:
    actor = caller(request)
    out = paginate(selectors.lead_list(actor=actor, state=filters.state), page)
    out["items"] = [_lead(actor, lead) for lead in out["items"]]
    return out


@router.get("/leads/{pk}", response=LeadOut, summary="One lead (the read is audited)")
@scoped
def lead_detail(request: HttpRequest, pk: RecordId) -> Any:
    actor = caller(request)
    return _lead(actor, selectors.lead_get(actor=actor, pk=pk, request=request))


class ReviewIn(Schema):
    decision: Literal["reviewing", "confirmed", "dismissed", "closed"]
    note: Annotated[str, Field(max_length=500)] = ""
    outcome: Annotated[str, Field(max_length=200)] = ""


@router.post("/leads/{pk}/review", response=LeadOut, summary="Review a lead (confirm, dismiss, close)")
@scoped
def lead_review(request: HttpRequest, pk: RecordId, payload: ReviewIn) -> Any:
    actor = caller(request)
    services.lead_review(
        actor=actor,
        pk=pk,
        decision=payload.decision,
        note=payload.note,
        outcome=payload.outcome,
        request=request,
    )
    return _lead(actor, selectors.lead_list(actor=actor).get(pk=pk))


class WatchListOut(Schema):
    id: int
    name: str
    kind: str
    purpose: str
    state: str
    expires_on: date
    police_unit: str
    uploaded_by: int
    approved_by: int | None


def _wl(wl: WatchList) -> dict[str, Any]:
    return {
        "id": wl.pk,
        "name": wl.name,
        "kind": wl.kind,
        "purpose": wl.purpose,
        "state": wl.state,
        "expires_on": wl.expires_on,
        "police_unit": wl.police_unit_id,
        "uploaded_by": wl.uploaded_by_id,
        "approved_by": wl.approved_by_id,
    }


class WatchListPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WatchListOut]


@router.get("/watch-lists", response=WatchListPage, summary="Watch lists in your jurisdiction")
@scoped
def watchlist_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    out = paginate(selectors.watchlist_list(actor=caller(request)), page)
    out["items"] = [_wl(wl) for wl in out["items"]]
    return out


@router.post("/watch-lists/{pk}/approve", response=WatchListOut, summary="Approve a list (not your own)")
@scoped
def watchlist_approve(request: HttpRequest, pk: RecordId) -> Any:
    return _wl(services.watchlist_approve(actor=caller(request), pk=pk, request=request))


class RunOut(Schema):
    id: int
    watch_list: int
    compared: int
    hits: int
    new_leads: int


@router.post("/watch-lists/{pk}/run", response=RunOut, summary="Compare a list with the population")
@scoped
def watchlist_run(request: HttpRequest, pk: RecordId) -> Any:
    run: WatchRun = services.watchlist_run(actor=caller(request), pk=pk, request=request)
    return {
        "id": run.pk,
        "watch_list": run.watch_list_id,
        "compared": run.compared,
        "hits": run.hits,
        "new_leads": run.new_leads,
    }


class ResultIn(Schema):
    category: Literal[
        "lead", "case_solved", "prosecution", "fugitive", "drug_user", "weapons", "ammunition", "helped"
    ]
    count: Annotated[int, Field(ge=1, le=100_000)] = 1
    occurred_on: date
    note: Annotated[str, Field(max_length=500)] = ""
    lead: RecordId | None = None
    case: RecordId | None = None


class ResultOut(Schema):
    id: int
    category: str
    count: int
    occurred_on: date
    police_unit: str


@router.post("/results", response={201: ResultOut}, summary="Record a result (战果)")
@scoped
def result_create(request: HttpRequest, payload: ResultIn) -> Any:
    r = services.result_record(
        actor=caller(request), category=payload.category, count=payload.count,
        occurred_on=payload.occurred_on, note=payload.note, lead_id=payload.lead, case_id=payload.case,
    )  # fmt: skip
    out = {"id": r.pk, "category": r.category, "count": r.count, "occurred_on": r.occurred_on}
    return Status(201, {**out, "police_unit": r.police_unit_id})


class SummaryQuery(Schema):
    start: date
    end: date
    by: Literal["station", "month"] = "station"


@router.get(
    "/results/summary", response=list[dict[str, Any]], summary="Result statistics by station or month"
)
@scoped
def result_summary(request: HttpRequest, query: Query[SummaryQuery]) -> Any:
    return selectors.results_summary(actor=caller(request), start=query.start, end=query.end, by=query.by)
