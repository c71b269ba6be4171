"""One-box search over JSON: ``GET /api/search?q=…&purpose=…`` — persons by ID number (whole,
partial, masked), name (near spellings, traditional, pinyin, initials) and phone, in your
jurisdiction, grouped and ranked with the reasons each matched. Purpose required; audited."""

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
    q: Annotated[str, Field(max_length=200, description="ID number, name, pinyin or phone")] = ""
    purpose: Annotated[str, Field(max_length=20, description="A SearchPurpose value, e.g. case")] = ""
    purpose_note: Annotated[str, Field(max_length=200, description="Why (required for other)")] = ""
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class HitOut(Schema):
    id: int
    title: str
    id_number: str
    phone: str
    birth_date: date | None
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


@router.get("", response=SearchOut, summary="Search persons in your jurisdiction (purpose required, audited)")
@scoped
def search_api(request: HttpRequest, params: Query[SearchQuery]) -> Any:
    res = search(
        actor=caller(request),
        text=params.q,
        purpose=params.purpose,
        purpose_note=params.purpose_note,
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
                        "title": h.title,
                        "id_number": h.id_number,
                        "phone": h.phone,
                        "birth_date": h.birth_date,
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
