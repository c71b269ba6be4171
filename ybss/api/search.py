"""One-box search over JSON: ``GET /api/search?q=…&purpose=…[&kinds=person,unit,address]`` —
persons by ID number (whole, partial, masked), name (near spellings, traditional, pinyin,
initials) and phone; units by credit code (whole, start or end) and name; standard addresses by a
fragment of their name — in your jurisdiction, grouped by entity and ranked with the reasons each
matched. Purpose required; audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ybss.search.selectors import search

from .auth import caller
from .scoping import scoped

router = Router(tags=["search"])

CHANNEL = "api"


class SearchQuery(Schema):
    q: Annotated[
        str,
        Field(
            max_length=200, description="ID number, name, pinyin, phone, unit name, credit code or address"
        ),
    ] = ""
    purpose: Annotated[str, Field(max_length=20, description="A SearchPurpose value, e.g. case")] = ""
    purpose_note: Annotated[str, Field(max_length=200, description="Why (required for other)")] = ""
    kinds: Annotated[
        str, Field(max_length=60, description="Comma-separated groups: person, unit, address (default all)")
    ] = ""
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class HitOut(Schema):
    id: int
    kind: str = Field(description="person, unit or address")
    title: str = Field(description="Name of the person or unit, full name of the address")
    id_number: str = Field(description="Persons: masked unless your role sees it in full")
    phone: str
    birth_date: date | None
    credit_code: str = Field(description="Units: unified social credit code")
    address: str = Field(description="Units: full name of the unit's address")
    status: str = Field(description="Units and addresses: record status")
    level: str = Field(description="Addresses: door plate or room")
    police_unit: str
    score: int
    reasons: list[str]
    reason_labels: list[str]


class GroupOut(Schema):
    kind: str
    label: str
    truncated: bool
    hits: list[HitOut]


class SearchOut(Schema):
    total: int
    terms: list[dict[str, str]]
    groups: list[GroupOut]


@router.get(
    "",
    response=SearchOut,
    summary="Search persons, units and addresses in your jurisdiction (purpose required, audited)",
)
@scoped
def search_api(request: HttpRequest, params: Query[SearchQuery]) -> Any:
    res = search(
        actor=caller(request),
        text=params.q,
        purpose=params.purpose,
        purpose_note=params.purpose_note,
        kinds=[k.strip() for k in params.kinds.split(",") if k.strip()] or None,
        limit=params.limit,
        request=request,
        channel=CHANNEL,
    )
    return {
        "total": res.total,
        "terms": res.terms,
        "groups": [
            {
                "kind": g.kind,
                "label": g.label,
                "truncated": g.truncated,
                "hits": [
                    {
                        "id": h.pk,
                        "kind": h.kind,
                        "title": h.title,
                        "id_number": h.id_number,
                        "phone": h.phone,
                        "birth_date": h.birth_date,
                        "credit_code": h.credit_code,
                        "address": h.address,
                        "status": h.status,
                        "level": h.level,
                        "police_unit": h.police_unit,
                        "score": h.score,
                        "reasons": list(h.reasons),
                        "reason_labels": list(h.reason_labels),
                    }
                    for h in g.hits
                ],
            }
            for g in res.groups
        ],
    }
