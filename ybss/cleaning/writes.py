"""The one low-level write the cleaning services share (``write``): a version-checked update of a
single record with its history row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F
from django.utils import timezone

from ybss.audit.models import HistoryAction
from ybss.audit.services import history_record
from ybss.core.errors import Conflict
from ybss.core.models import BusinessRecord
from ybss.org.models import User


def actor_user(actor: Any) -> User | None:
    """``actor`` when it is a signed-in user (history and ``updated_by`` take None otherwise)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def write(
    *,
    actor: Any,
    record: Any,
    changes: Mapping[str, Any],
    reason: str,
    action: HistoryAction | str = HistoryAction.UPDATE,
) -> Any:
    """Apply ``changes`` to ``record`` if it is still at the version it was read at (else
    Conflict), bump the version, stamp ``updated_*`` on business records, and append a history
    row with old → new values. Call inside the service's transaction.

    Like ``audit.records.record_update``, but it also serves records that one refuses: voided
    addresses re-pointed by a merge, and queue items (which carry no ``updated_*`` stamps).
    """
    diff = {k: (getattr(record, k), v) for k, v in changes.items() if getattr(record, k) != v}
    model = type(record)
    values: dict[str, Any] = {k: v for k, (_o, v) in diff.items()}
    values["version"] = F("version") + 1
    if issubclass(model, BusinessRecord):
        values.update(updated_at=timezone.now(), updated_by=actor_user(actor))
    if model._default_manager.filter(pk=record.pk, version=record.version).update(**values) != 1:
        raise Conflict()
    record.refresh_from_db()
    history_record(actor=actor, record=record, action=action, changes=diff, reason=reason)
    return record
