"""Writes to the audit log and the record history. Nothing here updates or deletes a row."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditAction, AuditEvent, HistoryAction, RecordHistory

GENESIS = "0" * 64
_LOCK_KEY = 0x79627373  # "ybss"


def _event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _hash_fields(ev: AuditEvent) -> dict[str, Any]:
    return {
        "at": ev.at.isoformat(),
        "actor": ev.actor_id,
        "actor_name": ev.actor_name,
        "role": ev.role,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "detail": ev.detail,
        "purpose": ev.purpose,
        "channel": ev.channel,
        "ip": ev.ip,
        "result_count": ev.result_count,
    }


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    purpose: str = "",
    result_count: int | None = None,
    request: HttpRequest | None = None,
    channel: str = "web",
) -> AuditEvent:
    """Append one audit event, chained to the previous one.

    Takes a database-wide lock for the chain (an advisory lock on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers) so two events never share a predecessor.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        ev = AuditEvent(
            at=timezone.now(),
            actor=user,
            actor_name=getattr(user, "username", "") if user else str(getattr(actor, "username", "") or ""),
            role=getattr(user, "role", "") if user else "",
            action=str(action),
            object_type=object_type,
            object_id=str(object_id),
            detail=detail or {},
            purpose=purpose[:200],
            channel=channel,
            ip=_client_ip(request),
            result_count=result_count,
            prev_hash=last or GENESIS,
        )
        ev.hash = _event_hash(ev.prev_hash, _hash_fields(ev))
        ev.save(force_insert=True)
    return ev


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first event whose hash or link does not hold."""
    prev = GENESIS
    n = 0
    for ev in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        n += 1
        if ev.prev_hash != prev or _event_hash(prev, _hash_fields(ev)) != ev.hash:
            return ChainReport(checked=n, broken_at=ev.pk)
        prev = ev.hash
    return ChainReport(checked=n, broken_at=None)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return str(value)


def history_record(
    *,
    actor: Any,
    record: Any,
    action: HistoryAction | str,
    changes: Mapping[str, Sequence[Any]] | None = None,
    reason: str = "",
) -> RecordHistory:
    """Append one history row for ``record`` at its current version. Call inside the write's
    transaction."""
    return RecordHistory.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        record_type=record._meta.label_lower,
        record_id=record.pk,
        version=record.version,
        action=str(action),
        changes={k: [_jsonable(v) for v in pair] for k, pair in (changes or {}).items()},
        reason=reason[:500],
    )


def history_bulk(rows: Iterable[RecordHistory], *, batch_size: int = 5000) -> int:
    """Insert many history rows at once (imports, demo). Returns how many were written."""
    n = 0
    batch: list[RecordHistory] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            RecordHistory.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        RecordHistory.objects.bulk_create(batch)
        n += len(batch)
    return n


def history_for(record: Any) -> list[RecordHistory]:
    """The history of one record, oldest first. The caller has already checked scope."""
    return list(
        RecordHistory.objects.filter(record_type=record._meta.label_lower, record_id=record.pk)
        .select_related("actor")
        .order_by("id")
    )
