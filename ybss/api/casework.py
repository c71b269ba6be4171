"""Casework over JSON (issue 8): leads (list, one lead — audited — its review, tips and leads
found while collecting), watch lists (list, upload as multipart with the page's checks, approve,
compare), cases (list, one case with its results, open, solve or close) and the results ledger
(record, statistics). Everything here goes through
``casework.services`` / ``lead_reports`` / ``selectors``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ybss.casework import lead_reports, selectors, services
from ybss.casework.models import Case, Lead, WatchList, WatchRun
from ybss.org.jurisdiction import show_id_number

from .auth import caller
from .paging import paginate
from .params import CodePrefix, PageParams, RecordId
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


# Before /leads/{pk}: its pattern would take the path /leads/report.


class TipIn(Schema):
    summary: Annotated[str, Field(max_length=200)]
    details: Annotated[str, Field(max_length=2000)] = ""
    person_id_number: Annotated[str, Field(max_length=32)] = ""
    person_description: Annotated[str, Field(max_length=200)] = ""
    house: RecordId | None = None
    address_code: Annotated[str, Field(max_length=48)] = ""


@router.post("/leads", response={201: LeadOut}, summary="Record a tip (群众举报) as a lead")
@scoped
def lead_tip(request: HttpRequest, payload: TipIn) -> Any:
    actor = caller(request)
    lead = lead_reports.lead_tip_create(
        actor=actor, summary=payload.summary, details=payload.details,
        person_id_number=payload.person_id_number, person_description=payload.person_description,
        house_id=payload.house, address_code=payload.address_code, request=request,
    )  # fmt: skip
    return Status(201, _lead(actor, selectors.lead_list(actor=actor).get(pk=lead.pk)))


class CollectIn(Schema):
    summary: Annotated[str, Field(max_length=200)]
    details: Annotated[str, Field(max_length=2000)] = ""
    person: RecordId | None = None
    house: RecordId | None = None


@router.post(
    "/leads/report", response={201: LeadOut}, summary="Report a lead found while collecting (发现线索)"
)
@scoped
def lead_report(request: HttpRequest, payload: CollectIn) -> Any:
    actor = caller(request)
    lead = lead_reports.lead_collect(
        actor=actor, summary=payload.summary, details=payload.details, person_id=payload.person,
        house_id=payload.house, request=request,
    )  # fmt: skip
    return Status(201, _lead(actor, selectors.lead_list(actor=actor).get(pk=lead.pk)))


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


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


@router.post(
    "/watch-lists", response={201: WatchListOut}, summary="Upload a watch list (multipart; all rows or none)"
)
@scoped
def watchlist_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Form[str] = "",
    kind: Form[str] = "",
    purpose: Form[str] = "",
    expires_on: Form[str] = "",
) -> Any:
    wl = services.watchlist_upload(
        actor=caller(request), name=name[:1000], kind=kind[:32], purpose=purpose[:1000],
        expires_on=_date_or_none(expires_on[:32]), file_name=file.name or "",
        content=file.read(services.MAX_BYTES + 1), request=request,
    )  # fmt: skip
    return Status(201, _wl(wl))


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


class CaseOut(Schema):
    id: int
    title: str
    state: str
    lead: int | None
    opened_on: date
    solved_on: date | None
    police_unit: str
    recorded_by: int
    notes: str


def _case(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "title": case.title,
        "state": case.state,
        "lead": case.lead_id,
        "opened_on": case.opened_on,
        "solved_on": case.solved_on,
        "police_unit": case.police_unit_id,
        "recorded_by": case.recorded_by_id,
        "notes": case.notes,
    }


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class CaseQuery(Schema):
    state: Literal["", "open", "solved", "closed"] = ""
    station: CodePrefix = None
    start: date | None = None
    end: date | None = None


@router.get("/cases", response=CasePage, summary="Cases in your jurisdiction (opened or solved in a period)")
@scoped
def case_list(request: HttpRequest, filters: Query[CaseQuery], page: Query[PageParams]) -> Any:
    qs = selectors.case_list(
        actor=caller(request), state=filters.state, station=filters.station or "", start=filters.start,
        end=filters.end,
    )  # fmt: skip
    out = paginate(qs, page)
    out["items"] = [_case(c) for c in out["items"]]
    return out


class CaseIn(Schema):
    title: Annotated[str, Field(max_length=200)]
    opened_on: date
    lead: RecordId | None = None


@router.post("/cases", response={201: CaseOut}, summary="Open a case (from a lead in scope, or on its own)")
@scoped
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    case = services.case_create(
        actor=caller(request), title=payload.title, opened_on=payload.opened_on, lead_id=payload.lead
    )
    return Status(201, _case(case))


class CaseDetailOut(CaseOut):
    results: list[ResultOut]


@router.get("/cases/{pk}", response=CaseDetailOut, summary="One case with the results recorded against it")
@scoped
def case_detail(request: HttpRequest, pk: RecordId) -> Any:
    actor = caller(request)
    case = selectors.case_get(actor=actor, pk=pk)
    results = [
        {"id": r.pk, "category": r.category, "count": r.count, "occurred_on": r.occurred_on,
         "police_unit": r.police_unit_id}
        for r in selectors.case_results(actor=actor, case_id=case.pk)[:500]
    ]  # fmt: skip
    return {**_case(case), "results": results}


class CaseStateIn(Schema):
    state: Literal["solved", "closed"]
    solved_on: date | None = None
    note: Annotated[str, Field(max_length=500)] = ""


@router.post("/cases/{pk}/state", response=CaseOut, summary="Mark a case solved (with the day) or closed")
@scoped
def case_state(request: HttpRequest, pk: RecordId, payload: CaseStateIn) -> Any:
    case = services.case_update_state(
        actor=caller(request), pk=pk, state=payload.state, solved_on=payload.solved_on, note=payload.note,
        request=request,
    )  # fmt: skip
    return _case(case)
