"""The audit-log page (auditor role only): events with filters, and the hash-chain check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ybss.audit import selectors as audit_selectors
from ybss.audit.services import ChainReport, verify_chain
from ybss.org import jurisdiction

from ..forms.filters import AuditFilterForm
from .common import actor_of, not_scoped, paginate

AUDIT_SCOPE = "audit trail: auditor role only (jurisdiction.AUDIT_ROLES), no business data"


def _render(request: HttpRequest, chain: ChainReport | None = None) -> HttpResponse:
    jurisdiction.require_role(actor_of(request), jurisdiction.AUDIT_ROLES)
    form = AuditFilterForm(request.GET)
    context: dict[str, object] = {"title": _("Audit log"), "form": form, "chain": chain}
    if not form.is_valid():
        return render(request, "web/audit/list.html", context, status=400)
    data = form.cleaned_data
    events = audit_selectors.audit_event_list(
        actor=actor_of(request),
        username=data["user"],
        action=data["action"],
        object_type=data["object_type"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    paged = paginate(request, events)
    context.update(page=paged.page, page_notice=paged.notice)
    return render(request, "web/audit/list.html", context)


@login_required
@not_scoped(AUDIT_SCOPE)
def audit_log(request: HttpRequest) -> HttpResponse:
    return _render(request)


@login_required
@not_scoped(AUDIT_SCOPE)
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Recompute the whole hash chain and show the result above the log."""
    jurisdiction.require_role(actor_of(request), jurisdiction.AUDIT_ROLES)
    return _render(request, chain=verify_chain())
