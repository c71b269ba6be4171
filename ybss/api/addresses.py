"""Standard addresses: reads through ``addresses.selectors``, writes through ``addresses.services``
(and ``audit.records.record_move`` for the lifecycle)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from ybss.addresses import selectors, services, suggest
from ybss.addresses.parsing import parse
from ybss.addresses.services import DoorPlateData
from ybss.audit.records import record_move

from .auth import caller
from .inputs import AddressUpdateIn, BuildingIn, DoorPlateIn, MarkIn, RoomIn, TransitionIn
from .paging import paginate, with_detail
from .params import AddressQuery, PageParams, RecordId
from .schemas import AddressDetail, AddressPage, BuildingOut
from .scoping import scoped, unscoped

router = Router(tags=["addresses"])


def _detail(actor: Any, pk: int) -> Any:
    return with_detail(selectors.address_get(actor=actor, pk=pk))


@router.get("", response=AddressPage, summary="List standard addresses in your jurisdiction")
@scoped
def address_list(request: HttpRequest, filters: Query[AddressQuery], page: Query[PageParams]) -> Any:
    qs = selectors.address_list(actor=caller(request), filters=filters.to_filters())
    return paginate(qs, page)


class SuggestionOut(Schema):
    id: int
    code: str
    full_name: str
    score: float = Field(
        description="the matcher's score in [0, 1]; for a completion, the share of the name typed"
    )
    reason: str = Field(description="why it is offered, in the user's language")
    kind: str = Field(
        "match",
        description="match (the matcher's candidate for the whole text) | prefix (a place typed in "
        "full, then the start of the rest) | partial (a place name being typed) | pinyin | code "
        "(the start of the address code) | contains (the name contains the text)",
    )
    level: str = Field("door", description="door (门楼牌) | room (层户)")
    highlight: list[list[int]] = Field(
        default_factory=list, description="[start, end) spans of full_name that matched, in characters"
    )


class PlaceOut(Schema):
    kind: str = Field(description="town | village | road | compound | group")
    label: str = Field(description="the kind in the user's language")
    name: str
    text: str = Field(description="what to put in the search box to complete the text with this place")
    town: str = Field(description="the township it lies in")
    count: int = Field(description="its standard addresses in your jurisdiction")
    reason: str
    highlight: list[list[int]] = Field(default_factory=list, description="[start, end) spans of text")


class SpanOut(Schema):
    label: str
    text: str
    start: int
    end: int


class SuggestOut(Schema):
    state: str = Field(description="the matcher's verdict on the whole text: matched | ambiguous | unmatched")
    candidates: list[SuggestionOut] = Field(
        description="standard addresses, best first: the matcher's candidates first when the text names "
        "an address, prefix completions first otherwise"
    )
    parent_id: int | None = Field(None, description="the door plate a new room address would go under")
    values: dict[str, str] = Field(description="the parsed police-level values, e.g. town, road, door_number")
    places: list[PlaceOut] = Field(
        default_factory=list, description="places (township, community, street, compound …) to complete with"
    )


class ParseOut(Schema):
    text: str
    normalised: str
    components: list[SpanOut]
    labels: list[SpanOut]
    values: dict[str, str]


def _typed_text(value: str) -> str:
    """A search-box text: no control characters, not only spaces."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise PydanticCustomError("string_pattern_mismatch", "control characters are not allowed")
    if not value.strip():
        raise PydanticCustomError("string_too_short", "required", {"min_length": 1})
    return value


def _spans(spans: tuple[tuple[int, int], ...]) -> list[list[int]]:
    return [[start, end] for start, end in spans]


@router.get(
    "/suggest",
    response=SuggestOut,
    summary="Standard addresses and places a typed text may name or begin, best first (as-you-type)",
    description="The matcher's candidates when the text names an address; completions of a prefix "
    "(凤凰 → 凤凰路, 凤凰路1 → 凤凰路1号, 凤凰路10号 …, pinyin initials, the start of an address "
    "code) otherwise or to fill up to `limit`. Only addresses and places in your jurisdiction.",
)
@scoped
def address_suggest(
    request: HttpRequest,
    q: Annotated[str, AfterValidator(_typed_text)] = Query(
        ..., min_length=1, max_length=200, description="what has been typed so far"
    ),
    limit: int = Query(5, ge=1, le=20, description="at most this many addresses"),
) -> Any:
    found = suggest.suggest(q, actor=caller(request), limit=limit)
    return {
        "state": found.state,
        "candidates": [
            {
                "id": c.address_id,
                "code": c.code,
                "full_name": c.full_name,
                "score": c.score,
                "reason": c.reason,
                "kind": c.kind,
                "level": c.level,
                "highlight": _spans(c.highlight),
            }
            for c in found.candidates
        ],
        "parent_id": found.parent_id,
        "values": found.values,
        "places": [
            {
                "kind": p.kind,
                "label": p.label,
                "name": p.name,
                "text": p.text,
                "town": p.town,
                "count": p.count,
                "reason": p.reason,
                "highlight": _spans(p.highlight),
            }
            for p in found.places
        ],
    }


#: Mounted at ``/api/address-parser``: parsing reads no records, so it lives outside the scoped
#: business prefix ``/api/addresses``.
parser_router = Router(tags=["addresses"])


@parser_router.get("", response=ParseOut, summary="Parse a free-text Chinese address into its parts")
@unscoped("parses the given text against the gazetteer (divisions, streets, compounds); reads no records")
def address_parse(request: HttpRequest, q: str = Query(..., min_length=1, max_length=200)) -> Any:
    caller(request)
    return parse(q)


@router.get("/{pk}", response=AddressDetail, summary="One standard address with its history")
@scoped
def address_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _detail(caller(request), pk)


@router.post("", response={201: AddressDetail}, summary="Create a door plate (门楼牌)")
@scoped
def door_plate_create(request: HttpRequest, payload: DoorPlateIn) -> Any:
    actor = caller(request)
    address = services.door_plate_create(
        actor=actor, data=payload.to_data(DoorPlateData), reason=payload.reason
    )
    return Status(201, _detail(actor, address.pk))


@router.put("/{pk}", response=AddressDetail, summary="Change an address's common name (needs its version)")
@scoped
def address_update(request: HttpRequest, pk: RecordId, payload: AddressUpdateIn) -> Any:
    actor = caller(request)
    address = selectors.address_get(actor=actor, pk=pk)
    services.address_rename(
        actor=actor,
        address=address,
        expected_version=payload.version,
        common_name=payload.common_name,
        reason=payload.reason,
    )
    return _detail(actor, pk)


@router.post(
    "/{pk}/rooms", response={201: AddressDetail}, summary="Create a room address (层户) under a door plate"
)
@scoped
def room_create(request: HttpRequest, pk: RecordId, payload: RoomIn) -> Any:
    actor = caller(request)
    room = services.room_create(
        actor=actor,
        door_id=pk,
        unit_no=payload.unit_no,
        floor=payload.floor,
        room_no=payload.room_no,
        reason=payload.reason,
    )
    return Status(201, _detail(actor, room.pk))


@router.post("/{pk}/building", response={201: BuildingOut}, summary="Generate a building's room addresses")
@scoped
def building_generate(request: HttpRequest, pk: RecordId, payload: BuildingIn) -> Any:
    rooms = services.building_generate(
        actor=caller(request),
        door_id=pk,
        units=payload.units,
        floors=payload.floors,
        rooms_per_floor=payload.rooms_per_floor,
        underground=payload.underground,
        reason=payload.reason,
    )
    return Status(201, {"created": len(rooms), "items": rooms})


@router.post("/{pk}/mark", response=AddressDetail, summary="标注: set coordinates (needs its version)")
@scoped
def address_mark(request: HttpRequest, pk: RecordId, payload: MarkIn) -> Any:
    actor = caller(request)
    address = selectors.address_get(actor=actor, pk=pk)
    services.address_mark(
        actor=actor,
        address=address,
        expected_version=payload.version,
        lng=payload.lng,
        lat=payload.lat,
        system=str(payload.system),
        source=payload.source,
        confirm=payload.confirm,
    )
    return _detail(actor, pk)


@router.post("/{pk}/transition", response=AddressDetail, summary="Move an address along its lifecycle")
@scoped
def address_transition(request: HttpRequest, pk: RecordId, payload: TransitionIn) -> Any:
    actor = caller(request)
    address = selectors.address_get(actor=actor, pk=pk)
    record_move(
        actor=actor, record=address, to=payload.to, expected_version=payload.version, reason=payload.reason
    )
    return _detail(actor, pk)
