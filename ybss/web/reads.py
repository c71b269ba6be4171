"""Reads the pages need that no selector offers yet.

Each starts from ``jurisdiction.scope`` (or a role check) exactly as a selector would. They belong
in the domain apps' ``selectors.py`` (``registry.selectors.address_houses`` / ``address_units``,
``audit.selectors.audit_event_list``); they live here only until those exist, and the views call
nothing else directly.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditEvent
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.registry.models import House, Unit


def address_houses(*, actor: User, address: StandardAddress) -> QuerySet[House]:
    """Houses in scope at ``address`` itself (not at its room addresses)."""
    return (
        jurisdiction.scope(House.objects.filter(address=address), actor)
        .select_related("address")
        .order_by("id")
    )


def address_units(*, actor: User, address: StandardAddress) -> QuerySet[Unit]:
    """Units in scope at ``address``."""
    return jurisdiction.scope(Unit.objects.filter(address=address), actor).order_by("name")


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
