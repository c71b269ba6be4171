"""Writes of casework: watch-list upload, approval and comparison; lead review; cases and results.

Every upload, approval and run is audited with the list's purpose (``audit_record(purpose=...)``);
ID numbers never reach a log or an audit detail. A comparison only proposes leads for review in the
person's police district — it never changes a person record. Scope: lists, leads, cases and results
are fetched through ``org.jurisdiction.get_in_scope`` (missing and out of scope are one 404).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import Conflict, FieldErrors, Forbidden, InvalidInput
from ybss.core.models import RecordStatus
from ybss.org.jurisdiction import (
    REVIEW_ROLES,
    WATCHLIST_APPROVER_ROLES,
    WATCHLIST_ROLES,
    get_in_scope,
    require_role,
)
from ybss.org.models import User

from . import matching
from .models import (
    Case,
    CaseState,
    Lead,
    LeadSource,
    LeadState,
    Result,
    ResultCategory,
    RunTrigger,
    WatchEntry,
    WatchList,
    WatchListKind,
    WatchListState,
    WatchRun,
)

log = logging.getLogger(__name__)

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024

#: Column headers understood in an uploaded list (Chinese or English), by field.
HEADERS = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number"),
    "name": ("姓名", "name"),
    "birth_date": ("出生日期", "birth_date"),
    "region_code": ("地区", "地区代码", "籍贯代码", "户籍地代码", "region_code"),
    "note": ("备注", "note"),
}


# --------------------------------------------------------------------------------------------
# Upload


def _read_rows(file_name: str, content: bytes) -> list[list[Any]]:
    name = (file_name or "").lower()
    if name.endswith(".xlsx"):
        try:
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            wb.close()
            return rows
        except Exception as exc:  # any broken workbook is a field error, not a 500
            raise InvalidInput(fields={"file": [_("The file is not a readable xlsx workbook.")]}) from exc
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(fields={"file": [_("The file is not UTF-8 or GB18030 text.")]})
        try:
            return [list(r) for r in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise InvalidInput(fields={"file": [_("The file is not a readable CSV table.")]}) from exc
    raise InvalidInput(fields={"file": [_("Upload an .xlsx or .csv file.")]})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(text: str) -> dt.date | None:
    text = text.replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return dt.date.fromisoformat(text[:10])


def parse_entries(file_name: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded list as entry fields, or InvalidInput naming every bad row and
    field (``row 3: birth date``). Nothing is saved here."""
    from ybss.quality.dedup_score import id_valid, norm_id

    if len(content) > MAX_BYTES:
        raise InvalidInput(fields={"file": [_("The file is too large.")]})
    rows = [r for r in _read_rows(file_name, content) if any(_cell(v) for v in r)]
    if not rows:
        raise InvalidInput(fields={"file": [_("The file has no rows.")]})
    header = [_cell(v) for v in rows[0]]
    cols: dict[str, int] = {}
    for fld, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names or h.lower() in names:
                cols[fld] = i
                break
    if "id_number" not in cols and "name" not in cols:
        raise InvalidInput(fields={"file": [_("The first row must name the columns: 身份证号 and/or 姓名.")]})
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(fields={"file": [_("A list holds at most %(n)s rows.") % {"n": MAX_ROWS}]})
    errors = FieldErrors()
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows[1:], start=2):
        vals = {f: (_cell(row[i]) if i < len(row) else "") for f, i in cols.items()}
        number = vals.get("id_number", "")
        name = vals.get("name", "")
        rec: dict[str, Any] = {"row": n, "id_number": "", "name": name[:60], "birth_date": None}
        if number:
            id18 = norm_id("111", number)
            if not id_valid(id18):
                errors.add("file", _g("Row %(row)s: the ID number is not valid.") % {"row": n})
            rec["id_number"] = id18
        if not number and not name:
            errors.add("file", _g("Row %(row)s: an ID number or a name is required.") % {"row": n})
        if len(name) > 60:
            errors.add("file", _g("Row %(row)s: the name is too long.") % {"row": n})
        birth = vals.get("birth_date", "")
        if birth:
            try:
                rec["birth_date"] = _parse_date(birth)
            except ValueError:
                errors.add("file", _g("Row %(row)s: the birth date is not a date.") % {"row": n})
        region = vals.get("region_code", "")
        if region and not (region.isdigit() and len(region) in (6, 9, 12)):
            errors.add("file", _g("Row %(row)s: the region code must be 6, 9 or 12 digits.") % {"row": n})
        rec["region_code"] = region[:12]
        rec["note"] = vals.get("note", "")[:200]
        out.append(rec)
    errors.raise_if_any()
    if not out:
        raise InvalidInput(fields={"file": [_("The file has no rows.")]})
    return out


def watchlist_upload(
    *,
    actor: User,
    name: str,
    kind: str,
    purpose: str,
    expires_on: dt.date | None,
    file_name: str,
    content: bytes,
    request: HttpRequest | None = None,
) -> WatchList:
    """Upload a list in draft: all rows or none; stamped with the uploader's units; audited."""
    require_role(actor, WATCHLIST_ROLES)
    if actor.police_unit_id is None:
        raise Forbidden()
    errors = FieldErrors()
    name = (name or "").strip()
    purpose = (purpose or "").strip()
    if not name or len(name) > 100:
        errors.add("name", _("Enter a name of at most 100 characters."))
    if kind not in WatchListKind.values:
        errors.add("kind", _("Choose a kind of list."))
    if not purpose or len(purpose) > 200:
        errors.add("purpose", _("State the purpose (at most 200 characters)."))
    today = timezone.localdate()
    if expires_on is None or expires_on <= today or expires_on > today + dt.timedelta(days=366):
        errors.add("expires_on", _("The list must expire after today and within a year."))
    errors.raise_if_any()
    assert expires_on is not None
    rows = parse_entries(file_name, content)
    with transaction.atomic():
        wl = WatchList.objects.create(
            name=name, kind=kind, purpose=purpose, expires_on=expires_on, uploaded_by=actor,
            uploaded_at=timezone.now(), police_unit_id=actor.police_unit_id, division_id=actor.division_id,
        )  # fmt: skip
        WatchEntry.objects.bulk_create([WatchEntry(watch_list=wl, **r) for r in rows], batch_size=2000)
        audit_record(
            actor=actor, action=AuditAction.IMPORT, object_type="casework.watchlist", object_id=wl.pk,
            detail={"kind": kind, "rows": len(rows)}, purpose=purpose, result_count=len(rows),
            request=request,
        )  # fmt: skip
    return wl


def _get_list(actor: User, pk: int) -> WatchList:
    require_role(actor, WATCHLIST_ROLES)
    return get_in_scope(WatchList.objects.all(), actor, pk=pk)


def watchlist_approve(*, actor: User, pk: int, request: HttpRequest | None = None) -> WatchList:
    """Approve a draft list: an approver role, in scope, not the uploader; audited."""
    require_role(actor, WATCHLIST_APPROVER_ROLES)
    with transaction.atomic():
        wl = get_in_scope(WatchList.objects.select_for_update(), actor, pk=pk)
        if wl.uploaded_by_id == actor.pk:
            raise Forbidden(_("The uploader cannot approve their own list."), code="own_list")
        if wl.state != WatchListState.DRAFT:
            raise Conflict(_("Only a list awaiting approval can be approved."), code="not_draft")
        wl.state = WatchListState.APPROVED
        wl.approved_by = actor
        wl.approved_at = timezone.now()
        wl.save(update_fields=["state", "approved_by", "approved_at"])
        audit_record(
            actor=actor, action=AuditAction.APPROVE, object_type="casework.watchlist", object_id=wl.pk,
            purpose=wl.purpose, request=request,
        )  # fmt: skip
    return wl


def watchlist_withdraw(*, actor: User, pk: int, request: HttpRequest | None = None) -> WatchList:
    """Withdraw a list (uploader or approver role, in scope); it is never compared again."""
    wl = _get_list(actor, pk)
    if wl.uploaded_by_id != actor.pk and actor.role not in WATCHLIST_APPROVER_ROLES:
        raise Forbidden()
    with transaction.atomic():
        WatchList.objects.filter(pk=wl.pk).update(state=WatchListState.WITHDRAWN)
        wl.state = WatchListState.WITHDRAWN
        audit_record(
            actor=actor, action=AuditAction.WITHDRAW, object_type="casework.watchlist", object_id=wl.pk,
            purpose=wl.purpose, request=request,
        )  # fmt: skip
    return wl


def expire_lists(today: dt.date | None = None) -> int:
    """Mark approved or draft lists past their date as expired; returns how many."""
    today = today or timezone.localdate()
    return WatchList.objects.filter(
        state__in=[WatchListState.DRAFT, WatchListState.APPROVED], expires_on__lt=today
    ).update(state=WatchListState.EXPIRED)


def active_lists() -> QuerySet[WatchList]:
    """Approved lists not past their date: the only ones ever compared."""
    return WatchList.objects.filter(state=WatchListState.APPROVED, expires_on__gte=timezone.localdate())


# --------------------------------------------------------------------------------------------
# Comparison


def _entries(list_ids: list[int]) -> list[matching.Entry]:
    rows = WatchEntry.objects.filter(watch_list_id__in=list_ids).values_list(
        "id", "id_number", "name", "birth_date", "region_code"
    )
    return [matching.Entry(id=a, id_number=b, name=c, birth_date=d, region_code=e) for a, b, c, d, e in rows]


def _candidates(qs: Any) -> Any:
    from ybss.quality.dedup import _date, _rows

    values = qs.values_list(
        "id", "id_type", "id_number", "name", "birth_date", "hukou_division_code", "pinyin"
    )
    for pk, id_type, number, name, birth, hukou, pinyin in _rows(values):
        yield matching.Candidate(
            pk, id_type, number or "", name or "", _date(birth), hukou or "", pinyin or ""
        )


def _save_leads(hits: list[matching.Hit], run_of: dict[int, WatchRun]) -> dict[int, int]:
    """Leads for ``hits`` (one per entry and person, never recreated); new leads per run id."""
    from ybss.registry.models import Person

    if not hits:
        return {}
    entry_list = dict(
        WatchEntry.objects.filter(id__in={h.entry_id for h in hits}).values_list("id", "watch_list_id")
    )
    stamps: dict[int, tuple[str, str]] = {}
    pids = list({h.person_id for h in hits})
    for i in range(0, len(pids), 500):
        for pk, div, unit in Person.objects.filter(pk__in=pids[i : i + 500]).values_list(
            "id", "division_id", "police_unit_id"
        ):
            stamps[pk] = (div, unit)
    existing: set[tuple[int, int]] = set()
    eids = list({h.entry_id for h in hits})
    for i in range(0, len(eids), 500):
        existing |= set(
            Lead.objects.filter(watch_entry_id__in=eids[i : i + 500]).values_list(
                "watch_entry_id", "person_id"
            )
        )
    now = timezone.now()
    new: list[Lead] = []
    counts: dict[int, int] = {}
    for h in hits:
        if (h.entry_id, h.person_id) in existing or h.person_id not in stamps:
            continue
        existing.add((h.entry_id, h.person_id))
        run = run_of[entry_list[h.entry_id]]
        div, unit = stamps[h.person_id]
        new.append(
            Lead(
                source=LeadSource.WATCH_LIST, watch_entry_id=h.entry_id, person_id=h.person_id, run=run,
                score=h.score, reasons=list(h.reasons), created_at=now, division_id=div, police_unit_id=unit,
            )
        )  # fmt: skip
        counts[run.pk] = counts.get(run.pk, 0) + 1
    Lead.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return counts


#: Persons compared between two progress reports of a run.
PROGRESS_EVERY = 5000


def watchlist_check_runnable(*, actor: User, pk: int) -> WatchList:
    """The list ``pk`` if ``actor`` (a watch-list role, in scope) may compare it now: approved and
    not expired (Conflict ``list_inactive`` otherwise). Expires lists past their date first."""
    wl = _get_list(actor, pk)
    expire_lists()
    wl.refresh_from_db()
    if wl.state != WatchListState.APPROVED:
        raise Conflict(_("Only an approved list that has not expired is compared."), code="list_inactive")
    return wl


def watchlist_run(
    *,
    actor: User,
    pk: int,
    threshold: float = matching.THRESHOLD,
    request: HttpRequest | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> WatchRun:
    """Compare an active list with every live person of the county; each hit at or above
    ``threshold`` becomes a lead (once) in the person's district. Audited with the list's purpose.
    An expired or withdrawn list is refused (``list_inactive``). ``progress(done, total)`` is
    called with the persons compared every ``PROGRESS_EVERY`` persons and at the end."""
    from ybss.registry.models import Person

    wl = watchlist_check_runnable(actor=actor, pk=pk)
    run = WatchRun.objects.create(
        watch_list=wl, trigger=RunTrigger.MANUAL, started_at=timezone.now(), started_by=actor
    )
    index = matching.Index.of(_entries([wl.pk]))
    people = Person.objects.exclude(status=RecordStatus.VOIDED).order_by()
    total = people.count() if progress is not None else None
    if progress is not None:
        progress(0, total)
    compared = 0

    def counted() -> Any:
        nonlocal compared
        for c in _candidates(people):
            compared += 1
            if progress is not None and compared % PROGRESS_EVERY == 0:
                progress(compared, total)
            yield c

    hits = matching.match(index, counted(), threshold=threshold)
    if progress is not None:
        progress(compared, total)
    with transaction.atomic():
        new = _save_leads(hits, {wl.pk: run})
        run.compared = compared
        run.hits = len(hits)
        run.new_leads = new.get(run.pk, 0)
        run.finished_at = timezone.now()
        run.save(update_fields=["compared", "hits", "new_leads", "finished_at"])
        audit_record(
            actor=actor, action=AuditAction.SEARCH, object_type="casework.watchrun", object_id=run.pk,
            detail={"watch_list": wl.pk, "trigger": run.trigger, "hits": run.hits, "new": run.new_leads},
            purpose=wl.purpose, result_count=run.hits, request=request,
        )  # fmt: skip
    log.info("watch list %s run %s: %s compared, %s hits", wl.pk, run.pk, compared, run.hits)
    return run


_INDEX_CACHE: dict[tuple[int, ...], matching.Index] = {}


def _active_index(list_ids: tuple[int, ...]) -> matching.Index:
    """The index of the active lists' entries, kept while the set of lists stays the same (a list's
    entries never change after upload), so that a save does not re-read 10,000 entries."""
    got = _INDEX_CACHE.get(list_ids)
    if got is None:
        _INDEX_CACHE.clear()
        got = _INDEX_CACHE[list_ids] = matching.Index.of(_entries(list(list_ids)))
    return got


def compare_person(record_type: str, record_id: int) -> None:
    """``core.events`` listener: a new or changed person compared with every active list."""
    if record_type != "registry.person":
        return
    from ybss.registry.models import Person

    lists = list(active_lists().values_list("id", "purpose"))
    if not lists:
        return
    people = Person.objects.filter(pk=record_id).exclude(status=RecordStatus.VOIDED)
    index = _active_index(tuple(sorted(pk for pk, _p in lists)))
    hits = matching.match(index, _candidates(people))
    if not hits:
        return
    entry_list = dict(
        WatchEntry.objects.filter(id__in={h.entry_id for h in hits}).values_list("id", "watch_list_id")
    )
    purposes = dict(lists)
    now = timezone.now()
    with transaction.atomic():
        runs: dict[int, WatchRun] = {}
        for list_id in sorted(set(entry_list.values())):
            n = sum(1 for h in hits if entry_list[h.entry_id] == list_id)
            runs[list_id] = WatchRun.objects.create(
                watch_list_id=list_id, trigger=RunTrigger.NEW_RECORD, started_at=now, finished_at=now,
                compared=1, hits=n,
            )  # fmt: skip
        new = _save_leads(hits, runs)
        for list_id, run in runs.items():
            run.new_leads = new.get(run.pk, 0)
            run.save(update_fields=["new_leads"])
            audit_record(
                actor=None, action=AuditAction.SEARCH, object_type="casework.watchrun", object_id=run.pk,
                detail={"watch_list": list_id, "trigger": run.trigger, "hits": run.hits},
                purpose=purposes[list_id], result_count=run.hits, channel="system",
            )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Leads, cases, results


def lead_review(
    *,
    actor: User,
    pk: int,
    decision: str,
    note: str,
    outcome: str = "",
    request: HttpRequest | None = None,
) -> Lead:
    """Confirm, dismiss, take up or close a lead in the reviewer's jurisdiction (a reviewing role);
    a note is required to confirm or dismiss."""
    require_role(actor, REVIEW_ROLES | {"investigator"})
    errors = FieldErrors()
    allowed = {LeadState.REVIEWING, LeadState.CONFIRMED, LeadState.DISMISSED, LeadState.CLOSED}
    if decision not in allowed:
        errors.add("decision", _("Choose a decision."))
    note = (note or "").strip()
    if decision in (LeadState.CONFIRMED, LeadState.DISMISSED) and not note:
        errors.add("note", _("Write a note on the decision."))
    if len(note) > 500:
        errors.add("note", _("At most 500 characters."))
    if len(outcome or "") > 200:
        errors.add("outcome", _("At most 200 characters."))
    errors.raise_if_any()
    with transaction.atomic():
        lead = get_in_scope(Lead.objects.select_for_update(), actor, pk=pk)
        if lead.state in (LeadState.DISMISSED, LeadState.CLOSED):
            raise Conflict(_("This lead is already closed."), code="lead_closed")
        lead.state = decision
        lead.review_note = note
        lead.outcome = (outcome or "").strip()
        lead.reviewer = actor
        lead.reviewed_at = timezone.now()
        lead.save(update_fields=["state", "review_note", "outcome", "reviewer", "reviewed_at"])
        audit_record(
            actor=actor, action=AuditAction.REVIEW, object_type="casework.lead", object_id=lead.pk,
            detail={"decision": decision}, request=request,
        )  # fmt: skip
    return lead


def _stamp_for(actor: User, lead: Lead | None, case: Case | None) -> tuple[str, str | None]:
    if lead is not None:
        return lead.police_unit_id, lead.division_id
    if case is not None:
        return case.police_unit_id, case.division_id
    if actor.police_unit_id is None:
        raise Forbidden()
    return actor.police_unit_id, actor.division_id


def case_create(*, actor: User, title: str, opened_on: dt.date | None, lead_id: int | None = None) -> Case:
    """Open a case, from a lead in scope (stamped as the lead) or on the actor's unit."""
    require_role(actor, REVIEW_ROLES | {"investigator"})
    errors = FieldErrors()
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors.add("title", _("Enter a title of at most 200 characters."))
    if opened_on is None:
        errors.add("opened_on", _("Enter a date."))
    elif opened_on > timezone.localdate():
        errors.add("opened_on", _("Enter a date that is not in the future."))
    errors.raise_if_any()
    assert opened_on is not None
    lead = get_in_scope(Lead.objects.all(), actor, pk=lead_id) if lead_id else None
    unit, div = _stamp_for(actor, lead, None)
    return Case.objects.create(
        title=title, opened_on=opened_on, lead=lead, recorded_by=actor, created_at=timezone.now(),
        police_unit_id=unit, division_id=div,
    )  # fmt: skip


def result_record(
    *,
    actor: User,
    category: str,
    count: int,
    occurred_on: dt.date | None,
    note: str = "",
    lead_id: int | None = None,
    case_id: int | None = None,
) -> Result:
    """Record a result (战果) in Heyang's categories, stamped as its lead or case, else the actor's unit."""
    require_role(actor, REVIEW_ROLES | {"investigator"})
    errors = FieldErrors()
    if category not in ResultCategory.values:
        errors.add("category", _("Choose a category."))
    if not isinstance(count, int) or count < 1 or count > 100_000:
        errors.add("count", _("Enter a whole number from 1 to 100000."))
    if occurred_on is None or occurred_on > timezone.localdate():
        errors.add("occurred_on", _("Enter a date that is not in the future."))
    if len(note or "") > 500:
        errors.add("note", _("At most 500 characters."))
    errors.raise_if_any()
    assert occurred_on is not None
    lead = get_in_scope(Lead.objects.all(), actor, pk=lead_id) if lead_id else None
    case = get_in_scope(Case.objects.all(), actor, pk=case_id) if case_id else None
    unit, div = _stamp_for(actor, lead, case)
    return Result.objects.create(
        category=category, count=count, occurred_on=occurred_on, note=(note or "").strip(), lead=lead,
        case=case, recorded_by=actor, created_at=timezone.now(), police_unit_id=unit, division_id=div,
    )  # fmt: skip


#: The purpose recorded with a case's audit events (a case title is not personal data).
CASE_PURPOSE = "Case ledger"

#: The states a case may move to from each state; a closed case is final.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseState.OPEN: frozenset({CaseState.SOLVED, CaseState.CLOSED}),
    CaseState.SOLVED: frozenset({CaseState.CLOSED}),
    CaseState.CLOSED: frozenset(),
}


def case_update_state(
    *,
    actor: User,
    pk: int,
    state: str,
    solved_on: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Mark a case in the actor's jurisdiction solved (on ``solved_on``: not before it was opened,
    not in the future) or closed (from open or solved); a closed case is final. Roles as
    ``case_create``. Field errors (``state``, ``solved_on``, ``note``) for a bad move or date;
    nothing is saved then. The case row is locked for the change, audited in the same transaction
    (REVIEW, with ``CASE_PURPOSE``). A ``note`` is added to the case's notes as a dated line; the
    audit records its presence, not its words (free text may name people)."""
    require_role(actor, REVIEW_ROLES | {"investigator"})
    errors = FieldErrors()
    if state not in (CaseState.SOLVED, CaseState.CLOSED):
        errors.add("state", _("Choose a decision."))
    if state == CaseState.SOLVED:
        if solved_on is None:
            errors.add("solved_on", _("Enter a date."))
        elif solved_on > timezone.localdate():
            errors.add("solved_on", _("Enter a date that is not in the future."))
    note = (note or "").strip()
    if len(note) > 500:
        errors.add("note", _("At most 500 characters."))
    errors.raise_if_any()
    with transaction.atomic():
        case = get_in_scope(Case.objects.select_for_update(), actor, pk=pk)
        if state not in CASE_TRANSITIONS.get(case.state, frozenset()):
            if case.state == CaseState.CLOSED:
                msg = _("This case is closed; a closed case cannot change.")
            else:
                msg = _("A case in this state cannot move to the chosen state.")
            raise InvalidInput(fields={"state": [msg]})
        if state == CaseState.SOLVED:
            assert solved_on is not None
            if solved_on < case.opened_on:
                raise InvalidInput(
                    fields={"solved_on": [_("The case cannot be solved before the day it was opened.")]}
                )
            case.solved_on = solved_on
        previous = case.state
        case.state = state
        if note:
            line = f"{timezone.localdate():%Y-%m-%d} {CaseState(state).label}: {note}"
            case.notes = f"{case.notes}\n{line}" if case.notes else line
        case.save(update_fields=["state", "solved_on", "notes"])
        detail: dict[str, Any] = {"from": previous, "to": state}
        if case.solved_on is not None:
            detail["solved_on"] = case.solved_on.isoformat()
        if note:  # free text may name people: its presence is recorded, never its words
            detail["note"] = True
        audit_record(
            actor=actor, action=AuditAction.REVIEW, object_type="casework.case", object_id=case.pk,
            detail=detail, purpose=CASE_PURPOSE, request=request,
        )  # fmt: skip
    return case
