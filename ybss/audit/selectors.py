"""Reads of the audit trail, for the roles allowed to read it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ybss.org import jurisdiction
from ybss.org.models import User

from .models import AuditEvent


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(
    *,
    actor: User,
    username: str = "",
    action: str = "",
    object_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, for roles allowed to read the trail (Forbidden otherwise).

    Dates are local calendar days, both ends included.
    """
    jurisdiction.require_role(actor, jurisdiction.AUDIT_ROLES)
    qs = AuditEvent.objects.all()
    if username:
        qs = qs.filter(actor_name=username)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if date_from:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return qs.order_by("-id")
