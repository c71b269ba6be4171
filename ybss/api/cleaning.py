"""The cleaning workflow (清理): the queue, one item with its candidates, the decisions, duplicate
groups, merge and "not a duplicate". Reads through ``cleaning.selectors``, writes through
``cleaning.services``; every operation is ``@scoped`` (another station's ids answer 404).

Schemas live here rather than in ``schemas.py``/``inputs.py``: they are this router's alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ybss.addresses.rates import address_rates
from ybss.audit.services import history_for
from ybss.cleaning import selectors, services
from ybss.cleaning.services import NewAddressData
from ybss.core.errors import NotFound
from ybss.jobs.services import duplicate_scan_submit
from ybss.transfer.models import CleaningDecision, CleaningState

from .auth import caller
from .inputs import Id, Reason, Version
from .params import Blank, CodePrefix, PageParams, RecordId, SearchText
from .schemas import AddressItem, HistoryOut, choice_label
from .scoping import scoped

router = Router(tags=["cleaning"])


# --- schemas -------------------------------------------------------------------------------------


class RateOut(Schema):
    code: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    percent: str
    definition: str


class ItemOut(Schema):
    id: int
    raw_text: str
    normalised_text: str
    kind: str
    hits: int
    row_number: int | None
    source_ref: str
    division: str | None
    police_unit: str | None
    state: str
    state_label: str
    decision: str
    decision_label: str
    decision_reason: str
    resolved_address_id: int | None
    resolved_at: datetime | None
    created_at: datetime
    version: int

    resolve_state_label = choice_label(CleaningState, "state")
    resolve_decision_label = choice_label(CleaningDecision, "decision")

    @staticmethod
    def resolve_division(obj: Any) -> str | None:
        return obj.division_id

    @staticmethod
    def resolve_police_unit(obj: Any) -> str | None:
        return obj.police_unit_id


class QueueOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ItemOut]
    counts: dict[str, int]
    rate: RateOut


class SpanOut(Schema):
    label: str
    text: str
    start: int
    end: int


class ParsedOut(Schema):
    normalised: str
    components: list[SpanOut]
    values: dict[str, str]


class RowOut(Schema):
    key: str
    label: str
    parsed: str
    candidate: str
    differs: bool


class CandidateOut(Schema):
    address: AddressItem
    score: float
    reason: str
    rows: list[RowOut]


class ItemDetail(ItemOut):
    match_state: str
    parsed: ParsedOut | None
    candidates: list[CandidateOut]
    parent_id: int | None
    history: list[HistoryOut]


class DecisionOut(Schema):
    item: ItemOut
    address: AddressItem | None
    created: list[AddressItem]
    linked_persons: int


class GroupAddressOut(AddressItem):
    n_houses: int
    n_units: int
    n_rooms: int
    n_persons: int
    values: dict[str, str]


class GroupOut(Schema):
    addresses: list[GroupAddressOut]
    differing: list[str]


class ScanOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime
    started_by: str = Field(description="who started the check; empty for the command line")
    division_prefix: str


class GroupPage(Schema):
    count: int
    limit: int
    offset: int
    scan: ScanOut | None = Field(
        description="the stored duplicate check the groups come from; null before the first check"
    )
    items: list[GroupOut]


class CheckOut(Schema):
    job_id: int
    state: str


class MergeOut(Schema):
    survivor: AddressItem
    merged: list[AddressItem]
    moved: dict[str, int]


class NotDuplicateOut(Schema):
    recorded: int


class ItemQuery(Schema):
    state: Annotated[str | None, Blank, Field(pattern=r"^(pending|resolved|rejected|all)$")] = None
    q: SearchText = None
    kind: Annotated[str | None, Blank, Field(max_length=16)] = None
    decision: Annotated[CleaningDecision | None, Blank] = None

    def to_filters(self) -> selectors.ItemFilters:
        state = self.state or CleaningState.PENDING
        return selectors.ItemFilters(
            state="" if state == "all" else state,
            q=self.q or "",
            kind=self.kind or "",
            decision=str(self.decision.value) if self.decision else "",
        )


class AcceptIn(Schema):
    version: Version
    address_id: Id
    reason: Reason = ""


class CreateIn(Schema):
    version: Version
    reason: Reason = ""
    division_code: str = Field("", max_length=12)
    police_unit_code: str = Field("", max_length=12)
    road_id: Id | None = None
    door_number: str = Field("", max_length=10)
    door_prefix: str = Field("", max_length=10)
    door_suffix: str = Field("", max_length=10)
    sub_number: str = Field("", max_length=10)
    compound_id: Id | None = None
    building: str = Field("", max_length=20)
    common_name: str = Field("", max_length=60)
    door_id: Id | None = None
    unit_no: str = Field("", max_length=10)
    floor: int | None = Field(None, ge=-32768, le=32767)
    room_no: str = Field("", max_length=10)

    def to_data(self) -> NewAddressData:
        fields = self.model_dump(exclude={"version", "reason"})
        return NewAddressData(**fields)


class RejectIn(Schema):
    version: Version
    decision: Annotated[str, Field(pattern=r"^(not_address|rejected)$")]
    reason: Reason


class MergeIn(Schema):
    duplicate_ids: Annotated[list[Id], Field(min_length=1, max_length=20)]
    reason: Reason
    versions: dict[Id, Version] | None = Field(
        None, description="The versions you read, by address id (optimistic lock); default: current"
    )


class NotDuplicateIn(Schema):
    others: Annotated[list[Id], Field(min_length=1, max_length=20)]
    reason: Reason = ""


class DuplicateQuery(Schema):
    division: CodePrefix = None


# --- operations ----------------------------------------------------------------------------------


def _rate(actor: Any) -> dict[str, Any]:
    rate = address_rates(actor=actor)["address_cleaned"]
    return {
        "code": rate.code,
        "label": rate.label,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": rate.value,
        "percent": rate.percent,
        "definition": rate.definition,
    }


@router.get(
    "/items", response=QueueOut, summary="The cleaning queue in your jurisdiction, with the cleaning rate"
)
@scoped
def item_list(request: HttpRequest, filters: Query[ItemQuery], page: Query[PageParams]) -> Any:
    actor = caller(request)
    qs = selectors.item_list(actor=actor, filters=filters.to_filters())
    count = qs.count()
    items = list(qs[page.offset : page.offset + page.limit]) if page.offset < count else []
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": items,
        "counts": selectors.queue_counts(actor=actor),
        "rate": _rate(actor),
    }


def _detail(actor: Any, pk: int) -> Any:
    """The item (fetched in scope) with what ``ItemDetail`` adds attached as attributes."""
    item = selectors.item_get(actor=actor, pk=pk)
    extra: dict[str, Any] = {
        "match_state": "",
        "parsed": None,
        "candidates": [],
        "parent_id": None,
        "history": history_for(item),
    }
    if item.state == CleaningState.PENDING:
        review = selectors.item_review(actor=actor, item=item)
        parsed = review.parsed
        extra.update(
            match_state=review.state,
            parsed={
                "normalised": getattr(parsed, "normalised", ""),
                "components": list(getattr(parsed, "components", []) or []),
                "values": review.values,
            },
            candidates=[
                {
                    "address": c.address,
                    "score": float(c.candidate.score),
                    "reason": str(c.candidate.reason),
                    "rows": [
                        {
                            "key": r.key,
                            "label": r.label,
                            "parsed": r.parsed,
                            "candidate": r.candidate,
                            "differs": r.differs,
                        }
                        for r in c.rows
                    ],
                }
                for c in review.candidates
            ],
            parent_id=review.parent.pk if review.parent is not None else None,
        )
    for name, value in extra.items():
        setattr(item, name, value)
    return item


@router.get("/items/{pk}", response=ItemDetail, summary="One queue item: its parse and the candidates")
@scoped
def item_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _detail(caller(request), pk)


def _decision(result: services.Decision) -> dict[str, Any]:
    return {
        "item": result.item,
        "address": result.address,
        "created": result.created,
        "linked_persons": result.linked_persons,
    }


@router.post("/items/{pk}/accept", response=DecisionOut, summary="Link the item to an existing address")
@scoped
def item_accept(request: HttpRequest, pk: RecordId, payload: AcceptIn) -> Any:
    result = services.item_accept(
        actor=caller(request),
        item_id=pk,
        expected_version=payload.version,
        address_id=payload.address_id,
        reason=payload.reason,
    )
    return _decision(result)


@router.post(
    "/items/{pk}/create", response={201: DecisionOut}, summary="Create a new standard address for the item"
)
@scoped
def item_create(request: HttpRequest, pk: RecordId, payload: CreateIn) -> Any:
    result = services.item_create(
        actor=caller(request),
        item_id=pk,
        expected_version=payload.version,
        data=payload.to_data(),
        reason=payload.reason,
    )
    return Status(201, _decision(result))


@router.post(
    "/items/{pk}/reject", response=DecisionOut, summary="Set the item aside: not an address, or rejected"
)
@scoped
def item_reject(request: HttpRequest, pk: RecordId, payload: RejectIn) -> Any:
    result = services.item_set_aside(
        actor=caller(request),
        item_id=pk,
        expected_version=payload.version,
        decision=payload.decision,
        reason=payload.reason,
    )
    return _decision(result)


@router.get(
    "/duplicates",
    response=GroupPage,
    summary="Groups of duplicate standard addresses in your jurisdiction, from the latest stored check",
)
@scoped
def duplicate_list(request: HttpRequest, filters: Query[DuplicateQuery], page: Query[PageParams]) -> Any:
    actor = caller(request)
    prefix = filters.division or ""
    scan = selectors.duplicate_scan_latest(actor=actor, division=prefix)
    groups = selectors.duplicate_scan_groups(actor=actor, scan=scan, division=prefix) if scan else []
    shown = selectors.duplicate_groups(actor=actor, groups=groups[page.offset : page.offset + page.limit])
    return {
        "count": len(groups),
        "limit": page.limit,
        "offset": page.offset,
        "scan": None
        if scan is None
        else {
            "id": scan.pk,
            "started_at": scan.started_at,
            "finished_at": scan.finished_at,
            "started_by": scan.actor.display_name if scan.actor else "",
            "division_prefix": scan.division_prefix,
        },
        "items": [{"addresses": g.addresses, "differing": sorted(g.differing)} for g in shown],
    }


@router.post(
    "/duplicates/check",
    response={202: CheckOut},
    summary="Start a duplicate check (查重) in the background; the list shows its groups when it ends",
)
@scoped
def duplicate_check(request: HttpRequest) -> Any:
    job = duplicate_scan_submit(actor=caller(request), language=getattr(request, "LANGUAGE_CODE", ""))
    return Status(202, {"job_id": job.pk, "state": job.state})


@router.post(
    "/addresses/{pk}/merge",
    response=MergeOut,
    summary="Merge duplicates into address {pk}: every reference moves to it",
)
@scoped
def address_merge(request: HttpRequest, pk: RecordId, payload: MergeIn) -> Any:
    result = services.address_merge_by_ids(
        actor=caller(request),
        survivor_id=pk,
        duplicate_ids=payload.duplicate_ids,
        reason=payload.reason,
        expected_versions=payload.versions,
    )
    return {"survivor": result.survivor, "merged": result.merged, "moved": result.moved}


@router.post(
    "/addresses/{pk}/not-duplicate",
    response=NotDuplicateOut,
    summary="Record that address {pk} and the others are different places",
)
@scoped
def not_duplicate(request: HttpRequest, pk: RecordId, payload: NotDuplicateIn) -> Any:
    actor = caller(request)
    ids = [pk, *payload.others]
    found = selectors.addresses_in_scope(actor=actor, ids=ids)
    if len(found) != len(set(ids)):
        raise NotFound()
    made = services.not_duplicate_mark(actor=actor, addresses=found, reason=payload.reason)
    return {"recorded": len(made)}
