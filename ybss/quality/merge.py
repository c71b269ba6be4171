"""Merging a duplicate person (or unit) into the record that stays: every reference moved with
its history, the duplicate voided with the reason, its duplicate problems closed.

Persons are referenced by residences (the person and the landlord), employments and houses (the
landlord); units by employments. A residence or employment that would then exist twice (both
records lived in the same house) is ended on the duplicate's side instead of moved. Every moved
row gets a history entry through ``audit.records.record_update`` (version checked), and the whole
merge is one transaction: it happens completely or not at all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import HistoryAction
from ybss.audit.records import record_update
from ybss.core.errors import Forbidden, InvalidInput
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.registry.models import Employment, House, Person, Residence, Unit

from .models import Problem, ProblemEvent, ProblemState

MERGE_ROLES = frozenset({"officer", "chief", "admin"})


def _move(actor: User, record: Any, changes: dict[str, Any], reason: str) -> None:
    record_update(
        actor=actor,
        record=record,
        expected_version=record.version,
        changes=changes,
        reason=reason,
        action=HistoryAction.MERGE,
    )


def _void(actor: User, record: Any, reason: str) -> None:
    record_update(
        actor=actor,
        record=record,
        expected_version=record.version,
        changes={"status": RecordStatus.VOIDED, "status_reason": reason},
        reason=reason,
        action=HistoryAction.VOID,
    )


def _close_problems(actor: User, record_type: str, ids: list[int], note: str) -> None:
    now = timezone.now()
    problems = list(
        Problem.objects.filter(
            record_type=record_type,
            record_id__in=ids,
            category__in=("duplicate_person", "duplicate_unit"),
            state__in=(ProblemState.OPEN, ProblemState.OVERDUE, ProblemState.ESCALATED),
        )
    )
    for p in problems:
        p.state, p.closed_at, p.closed_by, p.note = ProblemState.FIXED, now, actor, note[:500]
    Problem.objects.bulk_update(problems, ["state", "closed_at", "closed_by", "note"])
    ProblemEvent.objects.bulk_create(
        [ProblemEvent(problem=p, action="merged", actor=actor, at=now, note=note[:500]) for p in problems]
    )


def _check(actor: User, model: Any, survivor_id: int, duplicate_id: int, reason: str) -> tuple[Any, Any, str]:
    if actor.role not in MERGE_ROLES:
        raise Forbidden()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(code="record.reason_required", fields={"reason": [_("Please give a reason.")]})
    if survivor_id == duplicate_id:
        raise InvalidInput(
            code="merge.itself", fields={"duplicate": [_("A record cannot be merged into itself.")]}
        )
    qs = model.objects.select_for_update()
    keep = jurisdiction.get_in_scope(qs, actor, pk=survivor_id)
    dup = jurisdiction.get_in_scope(qs, actor, pk=duplicate_id)
    for r in (keep, dup):
        jurisdiction.check_can_write(actor, division_id=r.division_id, police_unit_id=r.police_unit_id)
    if RecordStatus.VOIDED in (keep.status, dup.status):
        raise InvalidInput(
            code="merge.voided", fields={"duplicate": [_("A voided record cannot be merged.")]}
        )
    return keep, dup, reason


@transaction.atomic
def person_merge(*, actor: User, survivor_id: int, duplicate_id: int, reason: str) -> Person:
    """Merge person ``duplicate_id`` into ``survivor_id`` (both in scope and writable)."""
    keep, dup, reason = _check(actor, Person, survivor_id, duplicate_id, reason)
    note = gettext("Merged into person #%(id)s: %(reason)s") % {"id": keep.pk, "reason": reason}
    kept_houses = set(Residence.objects.filter(person=keep, active=True).values_list("house_id", flat=True))
    for r in Residence.objects.select_for_update().filter(person=dup).exclude(status=RecordStatus.VOIDED):
        if r.active and r.house_id in kept_houses:
            _void(actor, r, note)  # the survivor already lives there
        elif (
            r.active
            and r.residence_type == "permanent"
            and Residence.objects.filter(person=keep, active=True, residence_type="permanent").exists()
        ):
            _move(actor, r, {"person_id": keep.pk, "residence_type": "lodging"}, note)
        else:
            _move(actor, r, {"person_id": keep.pk}, note)
    for r in Residence.objects.select_for_update().filter(landlord=dup):
        _move(actor, r, {"landlord_id": keep.pk}, note)
    for h in House.objects.select_for_update().filter(landlord=dup):
        _move(actor, h, {"landlord_id": keep.pk}, note)
    kept_units = set(Employment.objects.filter(person=keep, active=True).values_list("unit_id", flat=True))
    for e in Employment.objects.select_for_update().filter(person=dup).exclude(status=RecordStatus.VOIDED):
        if e.active and e.unit_id in kept_units:
            _void(actor, e, note)
        else:
            _move(actor, e, {"person_id": keep.pk}, note)
    fill = {
        f: getattr(dup, f)
        for f in ("phone", "phone2", "former_names", "education", "marital", "occupation", "employer")
        if not getattr(keep, f) and getattr(dup, f)
    }
    if dup.name != keep.name:
        names = [n for n in (keep.former_names, dup.name) if n]
        fill["former_names"] = "、".join(dict.fromkeys("、".join(names).split("、")))[:120]
    keep.refresh_from_db()
    if fill:
        _move(actor, keep, fill, note)
    dup.refresh_from_db()
    _void(actor, dup, note)
    _close_problems(actor, "registry.person", [keep.pk, dup.pk], note)
    keep.refresh_from_db()
    return keep


@transaction.atomic
def unit_merge(*, actor: User, survivor_id: int, duplicate_id: int, reason: str) -> Unit:
    """Merge unit ``duplicate_id`` into ``survivor_id``: employments move, the duplicate is voided."""
    keep, dup, reason = _check(actor, Unit, survivor_id, duplicate_id, reason)
    note = gettext("Merged into unit #%(id)s: %(reason)s") % {"id": keep.pk, "reason": reason}
    kept = set(Employment.objects.filter(unit=keep, active=True).values_list("person_id", flat=True))
    for e in Employment.objects.select_for_update().filter(unit=dup).exclude(status=RecordStatus.VOIDED):
        if e.active and e.person_id in kept:
            _void(actor, e, note)
        else:
            _move(actor, e, {"unit_id": keep.pk}, note)
    fill = {
        f: getattr(dup, f)
        for f in (
            "credit_code",
            "legal_rep_name",
            "legal_rep_id_number",
            "legal_rep_phone",
            "phone",
            "industry",
        )
        if not getattr(keep, f) and getattr(dup, f)
    }
    keep.refresh_from_db()
    if fill:
        _move(actor, keep, fill, note)
    dup.refresh_from_db()
    _void(actor, dup, note)
    _close_problems(actor, "registry.unit", [keep.pk, dup.pk], note)
    keep.refresh_from_db()
    return keep
