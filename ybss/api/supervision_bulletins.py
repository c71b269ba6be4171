"""Bulletins (通报 第N期) over JSON: the list, one bulletin with its content, a new draft, the
wording of a draft, issuing, revising, and the issued files. Drafting, editing, issuing and
revising are for the county supervisor and admin; reads for chiefs, officers, supervisors and
admins inside the county bureau's subtree (``org.jurisdiction.scope``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from ybss.supervision import bulletins
from ybss.supervision.models import Bulletin

from .auth import caller
from .params import MAX_OFFSET, RecordId
from .scoping import scoped

router = Router(tags=["supervision"])

Text = Annotated[str, Field(max_length=bulletins.TEXT_MAX)]


class BulletinOut(Schema):
    id: int
    year: int
    number: int
    version: int
    title: str
    state: str
    state_label: str
    as_of: dt.date
    period_start: dt.date | None
    supersedes: int | None
    created_at: dt.datetime
    created_by: str
    issued_at: dt.datetime | None
    issued_by: str | None
    digest: str


class BulletinDetailOut(BulletinOut):
    praise: str
    criticism: str
    remarks: str
    files: list[str]
    content: dict[str, Any]


def _out(b: Bulletin) -> dict[str, Any]:
    return {
        "id": b.pk,
        "year": b.year,
        "number": b.number,
        "version": b.version,
        "title": b.title,
        "state": b.state,
        "state_label": str(b.get_state_display()),
        "as_of": b.as_of,
        "period_start": b.period_start,
        "supersedes": b.supersedes_id,
        "created_at": b.created_at,
        "created_by": b.created_by.display_name,
        "issued_at": b.issued_at,
        "issued_by": b.issued_by.display_name if b.issued_by else None,
        "digest": b.digest,
    }


def _detail(b: Bulletin) -> dict[str, Any]:
    return {
        **_out(b),
        "praise": b.praise,
        "criticism": b.criticism,
        "remarks": b.remarks,
        "files": list(bulletins.FILE_KINDS) if b.state != "draft" else [],
        "content": b.content,
    }


def _get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(bulletins.bulletin_get(actor=caller(request), pk=pk))


class ListQuery(Schema):
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0


@router.get("", response=list[BulletinOut], summary="Bulletins of your county, newest first")
@scoped
def bulletin_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    qs = bulletins.bulletin_list(actor=caller(request))
    return [_out(b) for b in qs[query.offset : query.offset + query.limit]]


@router.get("/{pk}", response=BulletinDetailOut, summary="One bulletin with its content")
@scoped
def bulletin_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _get(request, pk)


class DraftIn(Schema):
    as_of: dt.date
    title: Annotated[str, Field(max_length=bulletins.TITLE_MAX)] | None = None
    praise: Text = ""
    criticism: Text = ""
    remarks: Text = ""


@router.post("", response={201: BulletinDetailOut}, summary="Draft a new numbered bulletin")
@scoped
def bulletin_draft(request: HttpRequest, payload: DraftIn) -> Any:
    b = bulletins.bulletin_draft(
        actor=caller(request),
        as_of=payload.as_of,
        title=payload.title,
        praise=payload.praise,
        criticism=payload.criticism,
        remarks=payload.remarks,
    )
    return Status(201, _get(request, b.pk))


class WordingIn(Schema):
    title: Annotated[str, Field(max_length=bulletins.TITLE_MAX)] | None = None
    praise: Text | None = None
    criticism: Text | None = None
    remarks: Text | None = None
    refresh: bool = False


@router.patch("/{pk}", response=BulletinDetailOut, summary="Change the wording of a draft")
@scoped
def bulletin_update(request: HttpRequest, pk: RecordId, payload: WordingIn) -> Any:
    bulletins.bulletin_update_draft(actor=caller(request), bulletin=pk, **payload.dict())
    return _get(request, pk)


@router.post("/{pk}/issue", response=BulletinDetailOut, summary="Issue a draft (renders its files)")
@scoped
def bulletin_issue(request: HttpRequest, pk: RecordId) -> Any:
    b = bulletins.bulletin_issue(actor=caller(request), bulletin=pk, request=request)
    return _get(request, b.pk)


@router.post(
    "/{pk}/revise", response={201: BulletinDetailOut}, summary="Open a new version of an issued bulletin"
)
@scoped
def bulletin_revise(request: HttpRequest, pk: RecordId, payload: WordingIn) -> Any:
    b = bulletins.bulletin_revise(actor=caller(request), bulletin=pk, **payload.dict())
    return Status(201, _get(request, b.pk))


@router.get("/{pk}/files/{kind}", summary="A file of an issued bulletin (pdf, docx, xlsx)")
@scoped
def bulletin_file(
    request: HttpRequest, pk: RecordId, kind: Annotated[str, Field(pattern="^(pdf|docx|xlsx)$")]
) -> Any:
    f = bulletins.bulletin_file(actor=caller(request), pk=pk, kind=kind, request=request)
    resp = HttpResponse(f.data, content_type=f.content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.name)}"
    return resp
