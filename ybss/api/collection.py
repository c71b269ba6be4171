"""Field collection: the phone's sync API (exactly-once submissions, photos, the offline working
set), tasks and progress, and review.

Schemas live here: they are this router's alone. The submission payloads are documented in
``ybss.collection.payload`` and ``docs/collection.md``; they are read as JSON objects (not
pydantic models) so that a bad submission is answered ``invalid`` with field errors by path while
the rest of its batch goes in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ybss.collection import review, selectors, services, sync
from ybss.collection.models import Availability, SubmissionState, VisitOutcome
from ybss.core import codes
from ybss.core.errors import InvalidInput
from ybss.org.models import User
from ybss.registry.models import ResidenceType

from .auth import caller
from .inputs import Reason
from .params import RecordId
from .scoping import scoped, unscoped

router = Router(tags=["collection"])

_CODE_LISTS = (
    "house_type",
    "house_use",
    "house_structure",
    "ownership",
    "rental_mode",
    "management_level",
    "sex",
    "ethnicity",
    "relation",
    "residence_reason",
    "id_type",
    "education",
    "marital",
    "unit_category",
    "special_trade",
)


class UserOut(Schema):
    id: int
    name: str
    role: str
    police_unit: str | None
    police_unit_name: str


class BootstrapOut(Schema):
    user: UserOut
    codes: dict[str, list[tuple[str, str]]]
    residence_types: list[tuple[str, str]]
    outcomes: list[tuple[str, str]]
    availability: list[tuple[str, str]]
    server_time: datetime


@router.get(
    "/bootstrap", response=BootstrapOut, summary="Who you are and the code lists the phone's forms use"
)
@unscoped("the caller's own profile and the official code lists; no business records")
def bootstrap(request: HttpRequest) -> Any:
    user = caller(request)
    return {
        "user": {
            "id": user.pk,
            "name": user.display_name,
            "role": user.role,
            "police_unit": user.police_unit_id,
            "police_unit_name": user.police_unit.name if user.police_unit else "",
        },
        "codes": {
            slug: [(c, str(label)) for c, label in codes.choices(slug, blank=False)] for slug in _CODE_LISTS
        },
        "residence_types": [(v, str(label)) for v, label in ResidenceType.choices],
        "outcomes": [(v, str(label)) for v, label in VisitOutcome.choices],
        "availability": [(v, str(label)) for v, label in Availability.choices],
        "server_time": timezone.now(),
    }


@router.get("/work", response=dict[str, Any], summary="Your open tasks and what you need to work offline")
@scoped
def work(request: HttpRequest) -> Any:
    return selectors.work_set(actor=caller(request), request=request)


class SyncIn(Schema):
    device: Annotated[str, Field(max_length=500)] = ""
    app_version: Annotated[str, Field(max_length=40)] = ""
    submissions: list[dict[str, Any]] = Field(
        ...,
        max_length=sync.MAX_BATCH,
        description="Each: {client_id (uuid), kind: household|visit|verify, created_at, started_at, "
        "finished_at, lat, lng, accuracy_m, task_item_id?, replaces?, payload}",
    )


class SyncResult(Schema):
    client_id: str
    status: str = Field(description="accepted | duplicate | conflict | invalid | rejected")
    submission_id: int | None
    state: str
    code: str
    message: str
    errors: dict[str, list[str]]
    appointment: dict[str, Any] | None = None


class SyncOut(Schema):
    results: list[SyncResult]
    server_time: datetime


@router.post("/sync", response=SyncOut, summary="Send submissions; each is applied exactly once")
@scoped
def sync_submissions(request: HttpRequest, payload: SyncIn) -> Any:
    results = sync.sync_receive(
        actor=caller(request),
        submissions=payload.submissions,
        device=payload.device,
        app_version=payload.app_version,
    )
    for r in results:
        if r.get("appointment"):
            r["appointment"]["slip_url"] = reverse("web:appointment_slip", args=[r["appointment"]["id"]])
    return {"results": results, "server_time": timezone.now()}


class MySubmissionOut(Schema):
    id: int
    client_id: uuid.UUID
    kind: str
    state: str
    state_label: str
    summary: str
    received_at: datetime
    reviewed_at: datetime | None
    review_reason: str
    conflict: list[dict[str, Any]]


def _mine(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "client_id": s.client_id,
        "kind": s.kind,
        "state": s.state,
        "state_label": str(SubmissionState(s.state).label),
        "summary": s.summary,
        "received_at": s.received_at,
        "reviewed_at": s.reviewed_at,
        "review_reason": s.review_reason,
        "conflict": s.conflict or [],
    }


@router.get(
    "/submissions", response=list[MySubmissionOut], summary="Your own submissions, newest first (500)"
)
@scoped
def my_submissions(request: HttpRequest, since: datetime | None = None) -> Any:
    return [_mine(s) for s in selectors.my_submissions(actor=caller(request), since=since)[:500]]


class PhotoOut(Schema):
    client_id: uuid.UUID
    id: int
    sha256: str


@router.post("/photos", response=PhotoOut, summary="Upload a photo for a later submission (idempotent)")
@scoped
def photo_upload(request: HttpRequest, client_id: Form[uuid.UUID], file: File[UploadedFile]) -> Any:
    if file.size and file.size > services.MAX_PHOTO_BYTES:
        raise InvalidInput(fields={"file": [_("The photo is too large (at most 8 MB).")]})
    photo = services.photo_store(actor=caller(request), client_id=client_id, content=file.read())
    return {"client_id": photo.client_id, "id": photo.pk, "sha256": photo.sha256}


# --- tasks and progress ----------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    name: str
    assignee: int
    assignee_name: str
    police_unit: str
    target: int
    households: int
    done: int
    deadline: date
    state: str


class TaskIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    assignee: int
    deadline: date
    door_ids: list[int] = Field(default_factory=list, max_length=5000)
    address_ids: list[int] | None = Field(default=None, max_length=20000)
    target: int | None = Field(default=None, ge=1)
    note: Annotated[str, Field(max_length=500)] = ""


def _task(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "assignee": t.assignee_id,
        "assignee_name": t.assignee.display_name,
        "police_unit": t.police_unit_id,
        "target": t.target,
        "households": getattr(t, "households", 0),
        "done": getattr(t, "done", 0),
        "deadline": t.deadline,
        "state": t.state,
    }


@router.get("/tasks", response=list[TaskOut], summary="Collection tasks in your jurisdiction")
@scoped
def tasks(request: HttpRequest, state: str = "open") -> Any:
    return [_task(t) for t in selectors.task_list(actor=caller(request), state=state)[:500]]


@router.post("/tasks", response={201: TaskOut}, summary="Assign a collector the households of door plates")
@scoped
def task_create(request: HttpRequest, payload: TaskIn) -> Any:
    actor = caller(request)
    from ybss.org import jurisdiction

    assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
    if assignee is None or not jurisdiction.can_see_business_data(assignee):
        raise InvalidInput(fields={"assignee": [_("Choose a collector.")]})
    task = services.task_create(
        actor=actor,
        assignee=assignee,
        name=payload.name,
        deadline=payload.deadline,
        door_ids=payload.door_ids,
        address_ids=payload.address_ids,
        target=payload.target,
        note=payload.note,
    )
    return Status(201, _task(selectors.task_get(actor=actor, pk=task.pk)))


class ProgressOut(Schema):
    key: str
    name: str
    households: int
    target: int
    done: int
    visited: int
    nobody_home: int
    pending_review: int
    percent: int


@router.get(
    "/progress",
    response=list[ProgressOut],
    summary="Progress of open tasks by collector, district or station",
)
@scoped
def progress(
    request: HttpRequest, by: Annotated[str, Field(pattern="^(collector|district|station)$")] = "collector"
) -> Any:
    return [{**p.__dict__, "percent": p.percent} for p in selectors.progress(actor=caller(request), by=by)]


# --- review ----------------------------------------------------------------------------------


class QueueItem(Schema):
    id: int
    client_id: uuid.UUID
    state: str
    state_label: str
    summary: str
    collector: int
    collector_name: str
    received_at: datetime
    conflict: list[dict[str, Any]]


class QueueQuery(Schema):
    state: Annotated[str, Field(pattern="^(open|pending|conflict|passed|returned|voided|all)$")] = "open"
    collector: int | None = None


@router.get("/review", response=list[QueueItem], summary="Collectors' submissions waiting for your review")
@scoped
def review_queue(request: HttpRequest, query: Query[QueueQuery]) -> Any:
    qs = selectors.review_queue(
        actor=caller(request), filters=selectors.QueueFilters(state=query.state, collector=query.collector)
    )
    return [
        {
            "id": s.pk,
            "client_id": s.client_id,
            "state": s.state,
            "state_label": str(SubmissionState(s.state).label),
            "summary": s.summary,
            "collector": s.collector_id,
            "collector_name": s.collector.display_name,
            "received_at": s.received_at,
            "conflict": s.conflict or [],
        }
        for s in qs[:500]
    ]


class RowOut(Schema):
    name: str
    label: str
    current: str
    submitted: str
    differs: bool


class BlockOut(Schema):
    kind: str
    title: str
    is_new: bool
    note: str
    rows: list[RowOut]


class SubmissionOut(QueueItem):
    kind: str
    device: str
    lat: float | None
    lng: float | None
    accuracy_m: int | None
    started_at: datetime | None
    finished_at: datetime | None
    review_reason: str
    comparison: list[BlockOut]
    events: list[dict[str, Any]]


@router.get("/review/{pk}", response=SubmissionOut, summary="A submission side by side with the registry")
@scoped
def review_detail(request: HttpRequest, pk: RecordId) -> Any:
    actor = caller(request)
    s = selectors.submission_get(actor=actor, pk=pk, request=request, channel="api")
    blocks = selectors.submission_comparison(actor=actor, sub=s)
    return {
        "id": s.pk,
        "client_id": s.client_id,
        "state": s.state,
        "state_label": str(SubmissionState(s.state).label),
        "summary": s.summary,
        "collector": s.collector_id,
        "collector_name": s.collector.display_name,
        "received_at": s.received_at,
        "conflict": s.conflict or [],
        "kind": s.kind,
        "device": s.device,
        "lat": float(s.lat) if s.lat is not None else None,
        "lng": float(s.lng) if s.lng is not None else None,
        "accuracy_m": s.accuracy_m,
        "started_at": s.started_at,
        "finished_at": s.finished_at,
        "review_reason": s.review_reason,
        "comparison": [
            {
                "kind": b.kind,
                "title": b.title,
                "is_new": b.is_new,
                "note": b.note,
                "rows": [{**r.__dict__, "differs": r.differs} for r in b.rows],
            }
            for b in blocks
        ],
        "events": [
            {"action": e.action, "at": e.at, "actor": e.actor_id, "reason": e.reason} for e in s.events.all()
        ],
    }


class DecisionIn(Schema):
    action: Annotated[str, Field(pattern="^(pass|overwrite|return|void)$")]
    reason: Reason = ""


class DecisionOut(Schema):
    id: int
    state: str
    state_label: str


@router.post("/review/{pk}/decide", response=DecisionOut, summary="Pass, pass and overwrite, return or void")
@scoped
def review_decide(request: HttpRequest, pk: RecordId, payload: DecisionIn) -> Any:
    s = review.submission_decide(
        actor=caller(request), submission_id=pk, action=payload.action, reason=payload.reason
    )
    return {"id": s.pk, "state": s.state, "state_label": str(SubmissionState(s.state).label)}


class AcceptIn(Schema):
    level: Annotated[str, Field(pattern="^(station|county)$")]
    submission_ids: list[int] = Field(..., min_length=1, max_length=5000)


class AcceptOut(Schema):
    accepted: int


@router.post("/acceptance", response=AcceptOut, summary="Accept passed submissions for the station or county")
@scoped
def acceptance(request: HttpRequest, payload: AcceptIn) -> Any:
    n = review.acceptance_accept(
        actor=caller(request), submission_ids=payload.submission_ids, level=payload.level
    )
    return {"accepted": n}


class RateOut(Schema):
    key: str
    name: str
    numerator: int
    denominator: int
    percent: float


@router.get(
    "/rates", response=list[RateOut], summary="House and unit verification rates in your jurisdiction"
)
@scoped
def rates(request: HttpRequest) -> Any:
    return [{**r.__dict__, "percent": r.percent} for r in selectors.verification_rates(actor=caller(request))]


# The staggered-time day plan (GET /plan) lives in its own module; it shares this prefix.
from .collection_plan import router as _plan_router  # noqa: E402

router.add_router("", _plan_router)
