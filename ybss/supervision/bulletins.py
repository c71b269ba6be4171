"""Bulletins (通报 第N期): draft, edit, issue, revise, and the reads.

Life of a bulletin
------------------
* ``bulletin_draft`` numbers a new bulletin of the caller's county bureau — the next number of the
  year of its date (``as_of``), after every bulletin of that year, draft or issued — and takes the
  snapshot of its figures (``bulletin_snapshot``). Praise, criticism and next steps start from
  suggested lines the user edits (``bulletin_update_draft``, which may also retake the snapshot).
* ``bulletin_issue`` freezes a draft: the content gets the final wording, the PDF, Word and Excel
  files are rendered from the content alone (``bulletin_render``), stored with their SHA-256, and
  the row is ISSUED. The digest is also written into the hash-chained audit log. An issued row is
  never written again except its state, to SUPERSEDED, when a revision of it is issued.
* ``bulletin_revise`` opens a new version of an issued bulletin (same year and number) as a draft
  whose ``supersedes`` points at it, with the content copied (or retaken with ``refresh``).

Who: drafts, issues and revisions by ``jurisdiction.can_issue_bulletins`` users (supervisor, admin
at the county bureau), Forbidden for anyone else; reads by ``BULLETIN_READ_ROLES`` inside the
bureau's subtree through ``jurisdiction.scope`` (an empty list and NotFound for everyone else).
Every write appends a ``RecordHistory`` row; every file download is audited as an export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import AuditAction, HistoryAction
from ybss.audit.services import audit_record, history_record
from ybss.core.errors import Conflict, FieldErrors, Forbidden, NotFound
from ybss.org import jurisdiction
from ybss.org.models import PoliceUnit, User

from .bulletin_snapshot import bulletin_snapshot, county_division
from .models import Bulletin, BulletinState

#: The default title (zh: 一标三实工作通报); the number 第N期 is printed under it.
DEFAULT_TITLE = _("One Standard, Three Actuals work bulletin")
TITLE_MAX = 120
TEXT_MAX = 5000
EARLIEST = dt.date(2000, 1, 1)

#: The rendered files: (field, extension, content type).
FILE_KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

#: Content keys written at issue (absent from a draft's snapshot).
_ISSUE_KEYS = ("issued_at", "issued_by", "praise", "criticism", "remarks", "title", "supersedes")


def _issuer(actor: User) -> PoliceUnit:
    """The county bureau ``actor`` issues bulletins for; Forbidden for anyone else."""
    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    assert actor.police_unit is not None
    return actor.police_unit


def _clean_text(errors: FieldErrors, name: str, value: Any, limit: int = TEXT_MAX) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        errors.add(name, _("This text contains characters that cannot be stored."))
        return ""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        errors.add(name, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def _clean_title(errors: FieldErrors, title: Any) -> str:
    """One line: runs of white space (line breaks too) become one space; empty → the default."""
    text = " ".join(_clean_text(errors, "title", title, TITLE_MAX).split())
    return text or str(DEFAULT_TITLE)


def _clean_as_of(errors: FieldErrors, as_of: Any) -> dt.date:
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        errors.add("as_of", _("Enter a valid date."))
        return timezone.localdate()
    if as_of > timezone.localdate():
        errors.add("as_of", _("The figures cannot be of a day still to come."))
    elif as_of < EARLIEST:
        errors.add("as_of", _("Enter a date after %(day)s.") % {"day": EARLIEST.isoformat()})
    return as_of


def _previous_issued(county: PoliceUnit, year: int, number: int) -> Bulletin | None:
    """The last issued bulletin of ``county`` before number ``number`` of ``year``."""
    return (
        Bulletin.objects.filter(police_unit=county, state=BulletinState.ISSUED)
        .filter(Q(year__lt=year) | Q(year=year, number__lt=number))
        .order_by("-year", "-number", "-version")
        .first()
    )


def _snapshot(actor: User, county: PoliceUnit, as_of: dt.date, year: int, number: int) -> dict[str, Any]:
    previous = _previous_issued(county, year, number)
    period_start = previous.as_of + dt.timedelta(days=1) if previous and previous.as_of < as_of else None
    return bulletin_snapshot(
        actor=actor,
        county=county,
        as_of=as_of,
        previous=previous.content if previous else None,
        period_start=period_start,
    )


def _locked(actor: User, bulletin: Bulletin | int) -> Bulletin:
    pk = bulletin.pk if isinstance(bulletin, Bulletin) else bulletin
    return jurisdiction.get_in_scope(Bulletin.objects.select_for_update(), actor, pk=pk)


def _lines(lines: list[str]) -> str:
    return "\n".join(lines)


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def bulletin_draft(
    *,
    actor: User,
    as_of: dt.date,
    title: str | None = None,
    praise: str = "",
    criticism: str = "",
    remarks: str = "",
) -> Bulletin:
    """A new numbered draft of the caller's county bureau with the snapshot of ``as_of``.

    Praise, criticism and next steps left empty are filled with the suggested lines. Numbering is
    serialised by a lock on the bureau's row. Forbidden unless ``can_issue_bulletins``;
    InvalidInput (field errors) for a bad date or over-long text; nothing is saved then.
    """
    county = _issuer(actor)
    errors = FieldErrors()
    as_of = _clean_as_of(errors, as_of)
    clean_title = _clean_title(errors, title)
    texts = {
        n: _clean_text(errors, n, v)
        for n, v in (("praise", praise), ("criticism", criticism), ("remarks", remarks))
    }
    division = county_division(county)
    if division is None:
        errors.add("__all__", _("The county of this bureau is missing from the division list."))
    errors.raise_if_any()
    assert division is not None
    PoliceUnit.objects.select_for_update().filter(pk=county.pk).exists()
    year = as_of.year
    number = (Bulletin.objects.filter(police_unit=county, year=year).aggregate(n=Max("number"))["n"] or 0) + 1
    content = _snapshot(actor, county, as_of, year, number)
    content.update({"year": year, "number": number, "version": 1})
    suggested = content["suggested"]
    b = Bulletin.objects.create(
        police_unit=county,
        division=division,
        year=year,
        number=number,
        version=1,
        title=clean_title,
        as_of=as_of,
        period_start=dt.date.fromisoformat(content["period_start"]) if content["period_start"] else None,
        state=BulletinState.DRAFT,
        praise=texts["praise"] or _lines(suggested["praise"]),
        criticism=texts["criticism"] or _lines(suggested["criticism"]),
        remarks=texts["remarks"] or _lines(suggested["remarks"]),
        content=content,
        created_at=timezone.now(),
        created_by=actor,
    )
    history_record(
        actor=actor, record=b, action=HistoryAction.CREATE, changes={"number": [None, f"{year}-{number}"]}
    )
    return b


@transaction.atomic
def bulletin_update_draft(
    *,
    actor: User,
    bulletin: Bulletin | int,
    title: str | None = None,
    praise: str | None = None,
    criticism: str | None = None,
    remarks: str | None = None,
    refresh: bool = False,
) -> Bulletin:
    """Change the wording of a draft (arguments left None stay) and, with ``refresh``, retake the
    snapshot of its date. Conflict ``bulletin.not_draft`` once issued."""
    _issuer(actor)
    b = _locked(actor, bulletin)
    if b.state != BulletinState.DRAFT:
        raise Conflict(
            _("This bulletin has been issued and can no longer be changed."), code="bulletin.not_draft"
        )
    errors = FieldErrors()
    new: dict[str, Any] = {}
    if title is not None:
        new["title"] = _clean_title(errors, title)
    for name, value in (("praise", praise), ("criticism", criticism), ("remarks", remarks)):
        if value is not None:
            new[name] = _clean_text(errors, name, value)
    errors.raise_if_any()
    changes = {k: [getattr(b, k), v] for k, v in new.items() if getattr(b, k) != v}
    for k, v in new.items():
        setattr(b, k, v)
    fields = list(new)
    if refresh:
        content = _snapshot(actor, b.police_unit, b.as_of, b.year, b.number)
        content.update({"year": b.year, "number": b.number, "version": b.version})
        b.content = content
        b.period_start = dt.date.fromisoformat(content["period_start"]) if content["period_start"] else None
        fields += ["content", "period_start"]
        changes["content"] = ["", "refreshed"]
    if fields:
        b.save(update_fields=fields)
    if changes:
        history_record(actor=actor, record=b, action=HistoryAction.UPDATE, changes=changes)
    return b


def files_digest(pdf: bytes, docx: bytes, xlsx: bytes) -> str:
    """The bulletin's digest: SHA-256 over the lines ``pdf:<sha256>``, ``docx:…``, ``xlsx:…``."""
    h = hashlib.sha256()
    for name, data in (("pdf", pdf), ("docx", docx), ("xlsx", xlsx)):
        h.update(f"{name}:{hashlib.sha256(data).hexdigest()}\n".encode())
    return h.hexdigest()


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of the content as canonical JSON (sorted keys)."""
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def bulletin_issue(*, actor: User, bulletin: Bulletin | int, request: HttpRequest | None = None) -> Bulletin:
    """Issue a draft: final wording into the content, files rendered from the content only,
    digest, ISSUED; the version it revises (if any) becomes SUPERSEDED, files untouched.

    Conflict ``bulletin.not_draft`` for a bulletin already issued, ``bulletin.superseded`` when the
    version it revises is no longer the issued one.
    """
    from . import bulletin_render

    _issuer(actor)
    b = _locked(actor, bulletin)
    if b.state != BulletinState.DRAFT:
        raise Conflict(_("This bulletin has already been issued."), code="bulletin.not_draft")
    old = None
    if b.supersedes_id is not None:
        old = Bulletin.objects.select_for_update().get(pk=b.supersedes_id)
        if old.state != BulletinState.ISSUED:
            raise Conflict(
                _("The version this one corrects is no longer the issued one."), code="bulletin.superseded"
            )
    now = timezone.now()
    content = dict(b.content)
    content.update(
        {
            "title": b.title,
            "praise": b.praise,
            "criticism": b.criticism,
            "remarks": b.remarks,
            "version": b.version,
            "issued_at": timezone.localtime(now).isoformat(),
            "issued_by": actor.display_name,
            "supersedes": {"version": old.version, "issued_at": old.content.get("issued_at")}
            if old
            else None,
        }
    )
    files = bulletin_render.render_all(content)
    b.content = content
    b.pdf, b.docx, b.xlsx = files.pdf, files.docx, files.xlsx
    b.digest = files_digest(files.pdf, files.docx, files.xlsx)
    b.state = BulletinState.ISSUED
    b.issued_at = now
    b.issued_by = actor
    b.save(update_fields=["content", "pdf", "docx", "xlsx", "digest", "state", "issued_at", "issued_by"])
    if old is not None:
        old.state = BulletinState.SUPERSEDED
        old.save(update_fields=["state"])
        history_record(
            actor=actor,
            record=old,
            action=HistoryAction.STATUS,
            changes={"state": [BulletinState.ISSUED, BulletinState.SUPERSEDED]},
            reason=f"v{b.version}",
        )
    history_record(
        actor=actor,
        record=b,
        action=HistoryAction.STATUS,
        changes={"state": [BulletinState.DRAFT, BulletinState.ISSUED], "digest": ["", b.digest]},
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="supervision.bulletin",
        object_id=b.pk,
        detail={
            "event": "issue",
            "bulletin": f"{b.year}-{b.number}v{b.version}",
            "digest": b.digest,
            "content_sha256": content_digest(content),
        },
        request=request,
    )
    return b


@transaction.atomic
def bulletin_revise(
    *,
    actor: User,
    bulletin: Bulletin | int,
    title: str | None = None,
    praise: str | None = None,
    criticism: str | None = None,
    remarks: str | None = None,
    refresh: bool = False,
) -> Bulletin:
    """A new draft version of an issued bulletin (same year and number, ``version`` + 1) whose
    ``supersedes`` points at it; the content is copied, or retaken for the same date with
    ``refresh``. Conflict ``bulletin.not_issued`` unless the bulletin is the issued version,
    ``bulletin.revision_open`` while another revision of it is still a draft."""
    _issuer(actor)
    old = _locked(actor, bulletin)
    if old.state != BulletinState.ISSUED:
        raise Conflict(_("Only the issued version of a bulletin can be revised."), code="bulletin.not_issued")
    if Bulletin.objects.filter(supersedes=old, state=BulletinState.DRAFT).exists():
        raise Conflict(
            _("A revision of this bulletin is already being drafted."), code="bulletin.revision_open"
        )
    errors = FieldErrors()
    new_title = _clean_title(errors, title) if title is not None else old.title
    texts = {
        n: _clean_text(errors, n, v) if v is not None else getattr(old, n)
        for n, v in (("praise", praise), ("criticism", criticism), ("remarks", remarks))
    }
    errors.raise_if_any()
    version = (
        Bulletin.objects.filter(police_unit=old.police_unit, year=old.year, number=old.number).aggregate(
            v=Max("version")
        )["v"]
        or 0
    ) + 1
    if refresh:
        content = _snapshot(actor, old.police_unit, old.as_of, old.year, old.number)
    else:
        content = {k: v for k, v in old.content.items() if k not in _ISSUE_KEYS}
    content.update({"year": old.year, "number": old.number, "version": version})
    b = Bulletin.objects.create(
        police_unit=old.police_unit,
        division=old.division,
        year=old.year,
        number=old.number,
        version=version,
        title=new_title,
        as_of=old.as_of,
        period_start=old.period_start,
        state=BulletinState.DRAFT,
        supersedes=old,
        content=content,
        created_at=timezone.now(),
        created_by=actor,
        **texts,
    )
    history_record(
        actor=actor,
        record=b,
        action=HistoryAction.CREATE,
        changes={"supersedes": [None, f"{old.year}-{old.number}v{old.version}"]},
    )
    return b


# --- reads -----------------------------------------------------------------------------------


def bulletin_list(*, actor: User) -> QuerySet[Bulletin]:
    """The bulletins the caller may read, newest number first, every version (the files are
    deferred). Empty for roles that read no bulletins (``jurisdiction.scope``)."""
    return (
        jurisdiction.scope(Bulletin.objects.all(), actor)
        .defer("pdf", "docx", "xlsx", "content")
        .select_related("police_unit", "created_by", "issued_by")
        .order_by("-year", "-number", "-version")
    )


def bulletin_get(*, actor: User, pk: Any) -> Bulletin:
    """One bulletin the caller may read (files deferred); NotFound otherwise (also for roles
    that read no bulletins: out of scope and missing look the same)."""
    qs = Bulletin.objects.defer("pdf", "docx", "xlsx").select_related(
        "police_unit", "created_by", "issued_by", "supersedes"
    )
    return jurisdiction.get_in_scope(qs, actor, pk=pk)


def bulletin_versions(*, actor: User, bulletin: Bulletin) -> list[Bulletin]:
    """Every version of ``bulletin``'s number the caller may read, oldest first."""
    return list(
        bulletin_list(actor=actor)
        .filter(police_unit_id=bulletin.police_unit_id, year=bulletin.year, number=bulletin.number)
        .order_by("version")
    )


@dataclass(frozen=True)
class BulletinFile:
    name: str
    content_type: str
    data: bytes


def bulletin_file(*, actor: User, pk: Any, kind: str, request: HttpRequest | None = None) -> BulletinFile:
    """A stored file (``pdf``, ``docx``, ``xlsx``) of an issued or superseded bulletin, exactly as
    issued; audited as an export. NotFound for a draft, an unknown kind or out of scope."""
    if kind not in FILE_KINDS:
        raise NotFound()
    b = jurisdiction.get_in_scope(Bulletin.objects.all(), actor, pk=pk)
    data = getattr(b, kind)
    if b.state == BulletinState.DRAFT or data is None:
        raise NotFound()
    ext, content_type = FILE_KINDS[kind]
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="supervision.bulletin",
        object_id=b.pk,
        detail={"format": kind, "bulletin": f"{b.year}-{b.number}v{b.version}", "digest": b.digest},
        result_count=1,
        request=request,
    )
    return BulletinFile(f"bulletin-{b.year}-{b.number:03d}-v{b.version}.{ext}", content_type, bytes(data))
