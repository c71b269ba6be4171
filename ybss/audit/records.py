"""Generic writes every business record shares: optimistic-versioned updates and lifecycle moves,
each with its history row in the same transaction."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.core.errors import Conflict, InvalidInput
from ybss.core.models import RecordStatus

from .models import HistoryAction
from .services import history_record

R = TypeVar("R", bound=Model)

#: Allowed lifecycle moves. Voiding (注销) is allowed from every state but voided.
TRANSITIONS: dict[str, frozenset[str]] = {
    RecordStatus.DRAFT: frozenset({RecordStatus.PENDING, RecordStatus.VOIDED}),
    RecordStatus.PENDING: frozenset({RecordStatus.ACCEPTED, RecordStatus.RETURNED, RecordStatus.VOIDED}),
    RecordStatus.RETURNED: frozenset({RecordStatus.PENDING, RecordStatus.DRAFT, RecordStatus.VOIDED}),
    RecordStatus.ACCEPTED: frozenset({RecordStatus.PENDING, RecordStatus.VOIDED}),
    RecordStatus.VOIDED: frozenset(),
}

#: Moves that must say why.
REASON_REQUIRED = frozenset({RecordStatus.RETURNED, RecordStatus.VOIDED})


def record_update(
    *,
    actor: Any,
    record: R,
    expected_version: int,
    changes: dict[str, Any],
    reason: str = "",
    action: HistoryAction | str = HistoryAction.UPDATE,
) -> R:
    """Apply ``changes`` if the record is still at ``expected_version``; else raise Conflict.

    Writes only fields whose value differs, bumps ``version``, stamps ``updated_*`` and appends a
    history row with old → new values, all in one transaction. A voided record cannot be edited.
    """
    if getattr(record, "status", None) == RecordStatus.VOIDED:
        raise InvalidInput(_("A voided record cannot be changed."), code="record.voided")
    diff: dict[str, tuple[Any, Any]] = {}
    for field, new in changes.items():
        old = getattr(record, field)
        if old != new:
            diff[field] = (old, new)
    model = type(record)
    with transaction.atomic():
        now = timezone.now()
        updated = model._default_manager.filter(pk=record.pk, version=expected_version).update(
            **{k: v for k, (_o, v) in diff.items()},
            version=F("version") + 1,
            updated_at=now,
            updated_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if updated != 1:
            raise Conflict()
        record.refresh_from_db()
        history_record(actor=actor, record=record, action=action, changes=diff, reason=reason)
        _notify(record)
    return record


def _notify(record: Model) -> None:
    """Tell the record's followers (``core.events``) once the transaction commits."""
    from functools import partial

    from ybss.core import events

    transaction.on_commit(partial(events.record_changed, record._meta.label_lower, int(record.pk)))


def record_transition(
    *, actor: Any, record: R, to: RecordStatus | str, expected_version: int, reason: str = ""
) -> R:
    """Move ``record`` along its lifecycle (draft → pending → accepted / returned; → voided)."""
    current = record.status  # type: ignore[attr-defined]
    if to not in TRANSITIONS.get(current, frozenset()):
        raise InvalidInput(
            _("This record cannot move from “%(from)s” to “%(to)s”.")
            % {"from": RecordStatus(current).label, "to": RecordStatus(to).label},
            code="record.bad_transition",
        )
    reason = (reason or "").strip()
    if to in REASON_REQUIRED and not reason:
        raise InvalidInput(code="record.reason_required", fields={"reason": [_("Please give a reason.")]})
    action = HistoryAction.VOID if to == RecordStatus.VOIDED else HistoryAction.STATUS
    return record_update(
        actor=actor,
        record=record,
        expected_version=expected_version,
        changes={"status": str(to), "status_reason": reason},
        reason=reason,
        action=action,
    )


def record_move(
    *, actor: Any, record: R, to: RecordStatus | str, expected_version: int, reason: str = ""
) -> R:
    """``record_transition`` with the permission checks: the record must be in the actor's scope;
    anyone who may edit may submit for review (→ pending) or withdraw to draft; accepting,
    returning and voiding need a reviewing role."""
    from ybss.core.errors import Forbidden
    from ybss.org import jurisdiction

    jurisdiction.get_in_scope(type(record)._default_manager.all(), actor, pk=record.pk)
    jurisdiction.check_can_write(
        actor,
        division_id=record.division_id,  # type: ignore[attr-defined]
        police_unit_id=record.police_unit_id,  # type: ignore[attr-defined]
    )
    if to in (
        RecordStatus.ACCEPTED,
        RecordStatus.RETURNED,
        RecordStatus.VOIDED,
    ) and not jurisdiction.can_review(actor):
        raise Forbidden()
    return record_transition(
        actor=actor, record=record, to=to, expected_version=expected_version, reason=reason
    )


def record_create(
    *,
    actor: Any,
    model: type[R],
    fields: dict[str, Any],
    division_id: str,
    police_unit_id: str,
    reason: str = "",
    history: dict[str, Any] | None = None,
) -> R:
    """Insert a new business record in draft, stamped with both hierarchies and its creator, and
    its ``create`` history row (``history`` or, by default, every non-empty field). Call inside the
    service's transaction, after validation."""
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    record = model(
        **fields,
        division_id=division_id,
        police_unit_id=police_unit_id,
        status=RecordStatus.DRAFT,
        created_at=now,
        updated_at=now,
        created_by=user,
        updated_by=user,
    )
    record.save(force_insert=True)
    shown = (
        history
        if history is not None
        else {k: v for k, v in fields.items() if v not in ("", None, False, [])}
    )
    history_record(
        actor=actor,
        record=record,
        action=HistoryAction.CREATE,
        changes={k: [None, v] for k, v in shown.items()},
        reason=reason,
    )
    _notify(record)
    return record
