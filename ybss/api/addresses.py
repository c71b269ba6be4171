"""Standard addresses: list and detail, through ``addresses.selectors``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from ybss.addresses import selectors

from .paging import paginate, with_detail
from .params import AddressQuery, PageParams, RecordId
from .schemas import AddressDetail, AddressPage
from .scoping import scoped

router = Router(tags=["addresses"])


@router.get("", response=AddressPage, summary="List standard addresses in your jurisdiction")
@scoped
def address_list(request: HttpRequest, filters: Query[AddressQuery], page: Query[PageParams]) -> Any:
    qs = selectors.address_list(actor=request.auth, filters=filters.to_filters())  # type: ignore[attr-defined]
    return paginate(qs, page)


@router.get("/{pk}", response=AddressDetail, summary="One standard address with its history")
@scoped
def address_detail(request: HttpRequest, pk: RecordId) -> Any:
    return with_detail(selectors.address_get(actor=request.auth, pk=pk))  # type: ignore[attr-defined]
