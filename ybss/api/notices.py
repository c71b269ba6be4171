"""Notices to the caller's police unit (e.g. a person it holds was registered elsewhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ybss.org.selectors import notice_list
from ybss.org.services import notice_mark_read

from .auth import caller
from .params import RecordId
from .scoping import scoped

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    police_unit: str
    police_unit_name: str
    from_unit: str | None
    from_unit_name: str | None
    record_type: str
    record_id: int
    created_at: datetime
    read_at: datetime | None


def _out(n: Any) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": str(n.get_kind_display()),
        "police_unit": n.police_unit_id,
        "police_unit_name": n.police_unit.name,
        "from_unit": n.from_unit_id,
        "from_unit_name": n.from_unit.name if n.from_unit else None,
        "record_type": n.record_type,
        "record_id": n.record_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("", response=list[NoticeOut], summary="Notices to your police unit, newest first (at most 200)")
@scoped
def notices(request: HttpRequest, unread: bool = False) -> Any:
    return [_out(n) for n in notice_list(actor=caller(request), unread_only=unread)[:200]]


@router.post("/{pk}/read", response={204: None}, summary="Mark a notice read")
@scoped
def notice_read(request: HttpRequest, pk: RecordId) -> Any:
    notice_mark_read(actor=caller(request), notice_id=pk)
    return Status(204, None)
