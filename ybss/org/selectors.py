"""Reads of organisation data that leaves the org app: notices for a user's police unit."""

from __future__ import annotations

from django.db.models import QuerySet

from . import jurisdiction
from .models import Notice, User


def notice_list(*, actor: User, unread_only: bool = False) -> QuerySet[Notice]:
    """Notices addressed to the actor's police unit (or below), newest first."""
    qs = jurisdiction.scope(Notice.objects.all(), actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("police_unit", "from_unit").order_by("-created_at", "-id")
