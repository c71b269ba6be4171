"""The template context every page gets (``settings.TEMPLATES`` → ``ybss.web.context.nav``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.org import jurisdiction


def jurisdiction_name(user: Any) -> str:
    """The user's police unit and/or assigned division, as one label ('' when none)."""
    parts = [str(x) for x in (user.police_unit, user.division) if x is not None]
    return " / ".join(parts)


def nav(request: HttpRequest) -> dict[str, Any]:
    """``nav``: the signed-in user's name, role, jurisdiction and the menu entries they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": None}
    current = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    items: list[tuple[str, Any, tuple[str, ...]]] = [("home", _("Home"), ("home",))]
    if jurisdiction.can_see_business_data(user):
        items += [
            ("search", _("Search"), ("search",)),
            ("addresses", _("Addresses"), ("addresses", "address_detail")),
            ("mapping:map", _("Map marking"), ("map", "boundaries")),
            (
                "cleaning:queue",
                _("Address cleaning"),
                ("queue", "item", "item_accept", "duplicates", "merge", "not_duplicate"),
            ),
            ("houses", _("Houses"), ("houses", "house_detail")),
            ("persons", _("Population"), ("persons", "person_detail")),
            ("units", _("Units"), ("units", "unit_detail")),
            ("collection:tasks", _("Collection tasks"), ("tasks", "task", "task_new")),
            ("appointments", _("Appointments"), ("appointments", "appointment_detail")),
            (
                "standing:lists_index",
                _("Standing lists"),
                ("lists_index", "standing_list", "standing_export"),
            ),
        ]
        if jurisdiction.can_review(user):
            items.append(("review:queue", _("Review"), ("queue", "detail", "decide")))
        if user.role in ("chief", "supervisor", "admin"):
            items.append(("review:acceptance", _("Acceptance"), ("acceptance",)))
        items.append(("quality:ledger", _("Quality"), ("ledger", "problem", "rules", "risk")))
        items.append(("supervision:dashboard", _("Supervision"), ("dashboard", "node")))
        if jurisdiction.can_edit(user):
            items.append(("import", _("Import / export"), ("import", "jobs", "job_detail")))
        elif jurisdiction.can_export(user):
            items.append(("jobs", _("Export files"), ("jobs", "job_detail")))
    if jurisdiction.can_read_audit(user):
        items.append(("audit", _("Audit log"), ("audit", "audit_verify")))
    return {
        "nav": {
            "user_name": user.display_name,
            "role": user.get_role_display() or _("No role"),
            "jurisdiction": jurisdiction_name(user) or _("No jurisdiction assigned"),
            "can_collect": jurisdiction.can_edit(user) and jurisdiction.can_see_business_data(user),
            "items": [
                {"url": reverse(f"web:{name}"), "label": label, "active": current in names}
                for name, label, names in items
            ],
        }
    }
