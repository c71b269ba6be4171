"""The problem ledger (问题台账) over JSON: problems with filters, one problem, decisions,
summaries by category / station / person, the rules and their settings, and starting a scan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ybss.jobs.services import quality_scan_submit
from ybss.quality import selectors, services
from ybss.quality.findings import CATEGORIES, OTHER_CATEGORIES, category_label
from ybss.quality.models import ProblemState

from .auth import caller
from .params import RecordId
from .scoping import scoped

router = Router(tags=["quality"])


class ProblemOut(Schema):
    id: int
    rule: str
    category: str
    category_label: str
    severity: str
    record_type: str
    record_id: int
    source_ref: str
    related: list[list[Any]]
    score: float
    evidence: dict[str, Any]
    collector: int | None
    officer: int | None
    police_unit: str
    state: str
    state_label: str
    deadline: date | None
    first_seen: datetime
    last_seen: datetime


def _out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "rule": p.rule,
        "category": p.category,
        "category_label": str(category_label(p.category)),
        "severity": p.severity,
        "record_type": p.record_type,
        "record_id": p.record_id,
        "source_ref": p.source_ref,
        "related": p.related,
        "score": p.score,
        "evidence": p.evidence,
        "collector": p.collector_id,
        "officer": p.officer_id,
        "police_unit": p.police_unit_id,
        "state": p.state,
        "state_label": str(ProblemState(p.state).label),
        "deadline": p.deadline,
        "first_seen": p.first_seen,
        "last_seen": p.last_seen,
    }


class ProblemQuery(Schema):
    category: Annotated[str, Field(max_length=30)] = ""
    state: Annotated[str, Field(pattern="^(active|open|overdue|escalated|fixed|confirmed|all)$")] = "active"
    police_unit: Annotated[str, Field(pattern=r"^\d{0,12}$")] = ""
    collector: int | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0)] = 0


@router.get("/problems", response=list[ProblemOut], summary="Problems in your jurisdiction")
@scoped
def problems(request: HttpRequest, query: Query[ProblemQuery]) -> Any:
    f = selectors.ProblemFilters(
        category=query.category if query.category in CATEGORIES or query.category in OTHER_CATEGORIES else "",
        state=query.state,
        police_unit=query.police_unit,
        collector=query.collector,
    )
    qs = selectors.problem_list(actor=caller(request), filters=f)
    return [_out(p) for p in qs[query.offset : query.offset + query.limit]]


@router.get("/problems/{pk}", response=ProblemOut, summary="One problem with its evidence")
@scoped
def problem(request: HttpRequest, pk: RecordId) -> Any:
    return _out(selectors.problem_get(actor=caller(request), pk=pk, request=request))


class DecisionIn(Schema):
    action: Annotated[str, Field(pattern="^(confirm|fixed|escalate|reopen|not_duplicate)$")]
    note: Annotated[str, Field(max_length=500)] = ""


@router.post("/problems/{pk}/decide", response=ProblemOut, summary="Confirm, mark fixed, escalate, reopen")
@scoped
def decide(request: HttpRequest, pk: RecordId, payload: DecisionIn) -> Any:
    actor = caller(request)
    if payload.action == "not_duplicate":
        p = services.not_duplicate_mark(actor=actor, problem_id=pk, reason=payload.note)
    else:
        p = services.problem_decide(actor=actor, problem_id=pk, action=payload.action, note=payload.note)
    return _out(p)


class SummaryOut(Schema):
    key: str
    name: str
    total: int
    active: int
    overdue: int
    closed: int
    closure_rate: float


@router.get("/summary", response=list[SummaryOut], summary="Problems by category, station or person")
@scoped
def summary(
    request: HttpRequest, by: Annotated[str, Field(pattern="^(category|station|collector)$")] = "category"
) -> Any:
    return [
        {**r.__dict__, "closure_rate": r.closure_rate}
        for r in selectors.problem_summary(actor=caller(request), by=by)
    ]


class RuleOut(Schema):
    code: str
    category: str
    category_label: str
    severity: str
    entity: str
    fields: list[str]
    message: str
    version: int
    enabled: bool
    params: dict[str, Any]
    defaults: dict[str, Any]


@router.get("/rules", response=list[RuleOut], summary="The quality rules and their settings")
@scoped
def rules(request: HttpRequest) -> Any:
    caller(request)
    return selectors.rules_with_settings()


class RuleIn(Schema):
    enabled: bool
    params: dict[str, Any] = Field(default_factory=dict)


@router.put("/rules/{code}", response=RuleOut, summary="Switch a rule and set its thresholds (county admin)")
@scoped
def rule_set(request: HttpRequest, code: Annotated[str, Field(max_length=60)], payload: RuleIn) -> Any:
    services.rule_configure(actor=caller(request), code=code, enabled=payload.enabled, params=payload.params)
    return next(r for r in selectors.rules_with_settings() if r["code"] == code)


class JobOut(Schema):
    job_id: int
    state: str


@router.post("/scan", response={202: JobOut}, summary="Start the quality scan as a background job")
@scoped
def scan(request: HttpRequest) -> Any:
    job = quality_scan_submit(actor=caller(request), language=getattr(request, "LANGUAGE_CODE", ""))
    return Status(202, {"job_id": job.pk, "state": job.state})
