"""Standing lists (常态化清单) over JSON: the lists with their counts in your jurisdiction, and one
list's rows, paged, under the hierarchy filters and the list's own parameters (identifiers masked
by role; each read of a list's rows is audited as a search)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ybss.registry import standing

from .auth import caller
from .params import CodePrefix, PageParams
from .scoping import scoped

router = Router(tags=["standing lists"])


class ParamOut(Schema):
    name: str
    label: str
    default: int
    minimum: int
    maximum: int


class ListOut(Schema):
    code: str
    label: str
    description: str
    params: list[ParamOut]
    columns: list[list[str]]
    count: int


class RowOut(Schema):
    record_type: str
    record_id: int
    cells: dict[str, str]
    children: list[dict[str, str]]


class RowsOut(Schema):
    code: str
    params: dict[str, int]
    count: int
    limit: int
    offset: int
    items: list[RowOut]


class ListQuery(Schema):
    police_unit: CodePrefix = None
    division: CodePrefix = None
    purpose: Annotated[str, Field(max_length=200)] = ""
    #: The lists' own parameters (checked by the selector: a field error when out of range).
    days: Annotated[str, Field(max_length=20)] = ""
    max_residents: Annotated[str, Field(max_length=20)] = ""
    per_room: Annotated[str, Field(max_length=20)] = ""
    min_area: Annotated[str, Field(max_length=20)] = ""


def _spec_out(spec: standing.StandingList, count: int) -> dict[str, Any]:
    return {
        "code": spec.code,
        "label": str(spec.label),
        "description": str(spec.description),
        "params": [
            {
                "name": p.name,
                "label": str(p.label),
                "default": p.default,
                "minimum": p.minimum,
                "maximum": p.maximum,
            }
            for p in spec.params
        ],
        "columns": [[c.key, str(c.label)] for c in spec.columns],
        "count": count,
    }


@router.get("", response=list[ListOut], summary="The standing lists with their counts in your jurisdiction")
@scoped
def lists(request: HttpRequest) -> Any:
    return [_spec_out(c.spec, c.count) for c in standing.standing_counts(actor=caller(request))]


@router.get("/{code}", response=RowsOut, summary="One standing list's rows, paged")
@scoped
def rows(request: HttpRequest, code: str, query: Query[ListQuery], page: Query[PageParams]) -> Any:
    actor = caller(request)
    spec, values, qs = standing.standing_rows(
        actor=actor,
        code=code,
        filters=standing.StandingFilters(police_unit=query.police_unit or "", division=query.division or ""),
        params={p.name: getattr(query, p.name, "") for p in spec_params(code)},
        purpose=query.purpose,
        request=request,
        channel="api",
    )
    count = qs.count()
    records = list(qs[page.offset : page.offset + page.limit]) if page.offset < count else []
    return {
        "code": spec.code,
        "params": values,
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [r.__dict__ for r in standing.to_rows(spec, records, actor)],
    }


def spec_params(code: str) -> tuple[standing.Param, ...]:
    return standing.standing_list_get(code).params
