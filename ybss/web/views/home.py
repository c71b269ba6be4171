"""The home page: the user's jurisdiction, its four totals and what this role does here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.org import jurisdiction
from ybss.org.models import Role
from ybss.registry.selectors import jurisdiction_counts

from .common import actor_of, scoped

#: What each role comes here for (DOMAIN.md §2), shown under the totals.
ROLE_HINTS: dict[str, Any] = {
    Role.COLLECTOR: _(
        "Collect door to door in your area: confirm the standard address first, then the house, "
        "then the people and units living or working there."
    ),
    Role.OFFICER: _(
        "Review what the collectors in your police district submitted: open the records pending "
        "review, accept them or return them with a reason, and verify houses and units in the field."
    ),
    Role.CHIEF: _(
        "Your whole station: review and accept records, and follow each police district's progress."
    ),
    Role.SUPERVISOR: _(
        "County-wide progress: the totals below cover every station. Spot checks, rates and bulletins "
        "build on these records."
    ),
    Role.INVESTIGATOR: _(
        "Search the population for a case. Every search must state its purpose, and every search and "
        "every record you open is written to the audit log."
    ),
    Role.ADMIN: _("Users, roles, code lists and jurisdictions are maintained by the county admin."),
    Role.AUDITOR: _(
        "Read the audit trail: who read, searched or exported which records, when and why; and check "
        "that the trail has not been tampered with."
    ),
}


@login_required
@scoped
def home(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    context: dict[str, object] = {
        "title": _("Home"),
        "hint": ROLE_HINTS.get(user.role, ""),
        "can_read_audit": jurisdiction.can_read_audit(user),
        "tiles": [],
    }
    if jurisdiction.can_see_business_data(user):
        counts = jurisdiction_counts(actor=user)
        context["tiles"] = [
            {
                "label": label,
                "count": count,
                "url": reverse(f"web:{name}"),
                "pending_url": reverse(f"web:{name}") + "?status=pending",
            }
            for name, label, count in (
                ("addresses", _("Standard addresses"), counts.addresses),
                ("houses", _("Actual houses"), counts.houses),
                ("persons", _("Actual population"), counts.persons),
                ("units", _("Actual units"), counts.units),
            )
        ]
        context["can_review"] = jurisdiction.can_review(user)
    return render(request, "web/home.html", context)
