"""The caller: who they are, their role and jurisdiction, and the totals they can see."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router

from ybss.org import jurisdiction
from ybss.org.models import Role
from ybss.registry.selectors import jurisdiction_counts

from .auth import caller
from .schemas import MeOut
from .scoping import unscoped

router = Router(tags=["me"])


def _node(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


@router.get("", response=MeOut, summary="The signed-in user, role, jurisdiction and totals")
@unscoped("the caller's own profile; the totals come from jurisdiction_counts, which is scoped")
def me(request: HttpRequest) -> Any:
    user = caller(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": str(Role(user.role).label) if user.role in Role.values else user.role,
        "police_unit": _node(user.police_unit),
        "division": _node(user.division),
        "sees_full_identifiers": jurisdiction.sees_full_identifiers(user),
        "can_edit": jurisdiction.can_edit(user),
        "can_review": jurisdiction.can_review(user),
        "can_export": jurisdiction.can_export(user),
        "counts": asdict(jurisdiction_counts(actor=user)),
    }
