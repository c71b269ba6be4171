"""Sign-in with a lockout: after too many failed sign-ins for one user name, refuse for a while.

The failures are counted from the audit log (``login_failed`` events), so the lockout needs no
table of its own and is visible to the auditor. While locked, even the right password fails, and
the sign-in page shows the same generic message (no hint whether the account exists).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

MAX_FAILURES = getattr(settings, "YBSS_LOGIN_MAX_FAILURES", 5)
WINDOW = timedelta(minutes=getattr(settings, "YBSS_LOGIN_LOCK_MINUTES", 15))


def is_locked(username: str) -> bool:
    """True when ``username`` had MAX_FAILURES failed sign-ins in the last WINDOW."""
    from ybss.audit.models import AuditAction, AuditEvent

    if not username:
        return False
    since = timezone.now() - WINDOW
    return (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name=username[:150], at__gte=since)
        .order_by()
        .count()
        >= MAX_FAILURES
    )


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        if username and is_locked(username):
            return None
        return super().authenticate(request, username=username, password=password, **kw)
