"""Limit/offset pages: ``{"count", "limit", "offset", "items"}`` in two queries, whatever the size."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from ybss.audit.services import history_for

from .params import PageParams


def paginate(qs: QuerySet[Any], page: PageParams) -> dict[str, Any]:
    """One page of ``qs`` (already scoped, filtered and ordered by its selector)."""
    count = qs.count()
    items = list(qs[page.offset : page.offset + page.limit]) if page.offset < count else []
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}


def with_detail(record: Model, **related: Any) -> Model:
    """``record`` with its history and the given related lists attached for the detail schema
    (as ``api_history``, ``api_<name>``). The caller has fetched ``record`` through a scoped
    selector."""
    record.api_history = history_for(record)  # type: ignore[attr-defined]
    for name, value in related.items():
        setattr(record, f"api_{name}", list(value))
    return record
