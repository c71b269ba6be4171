"""Sign-in, sign-out and failed sign-in go to the audit log (DOMAIN.md §10).

Connected in ``WebConfig.ready``. A failed sign-in records the user name that was tried (never the
password: Django has already replaced it in ``credentials``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="ybss.web.audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, request=request)


@receiver(user_logged_out, dispatch_uid="ybss.web.audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # the session had already ended
        return
    audit_record(actor=user, action=AuditAction.LOGOUT, request=request)


@receiver(user_login_failed, dispatch_uid="ybss.web.audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    tried = SimpleNamespace(username=username, is_authenticated=False)
    audit_record(actor=tried, action=AuditAction.LOGIN_FAILED, detail={"username": username}, request=request)
