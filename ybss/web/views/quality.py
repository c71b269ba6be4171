"""The problem ledger (问题台账): list with filters and summaries, one problem with its evidence and
history and the decisions on it, the Excel export, the rules (county admin), the per-collector
risk ranking, and starting a scan as a background job."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.core.errors import AppError, Forbidden, NotFound
from ybss.jobs.services import quality_scan_submit
from ybss.quality import selectors, services
from ybss.quality.findings import CATEGORIES, OTHER_CATEGORIES, category_label
from ybss.quality.models import ProblemState

from .common import actor_of, paginate, require_business_access, scoped

STATES = ("active", "open", "overdue", "escalated", "fixed", "confirmed", "all")


def _filters(request: HttpRequest) -> selectors.ProblemFilters:
    g = request.GET
    state = g.get("state", "active")
    category = g.get("category", "")
    unit = g.get("police_unit", "")
    collector = g.get("collector", "")
    return selectors.ProblemFilters(
        category=category if category in CATEGORIES or category in OTHER_CATEGORIES else "",
        state=state if state in STATES else "active",
        police_unit=unit if unit.isdigit() and len(unit) <= 12 else "",
        collector=int(collector) if collector.isdigit() else None,
    )


@login_required
@scoped
def ledger(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    f = _filters(request)
    by = request.GET.get("by", "category")
    if by not in ("category", "station", "collector"):
        by = "category"
    paged = paginate(request, selectors.problem_list(actor=actor, filters=f))
    return render(
        request,
        "web/quality/ledger.html",
        {
            "title": _("Problem ledger"),
            "paged": paged,
            "page": paged.page,
            "f": f,
            "by": by,
            "summary": selectors.problem_summary(actor=actor, by=by),
            "categories": [(k, v[0]) for k, v in (CATEGORIES | OTHER_CATEGORIES).items()],
            "states": [
                ("active", _("Needs action")),
                *[(s.value, s.label) for s in ProblemState],
                ("all", _("All")),
            ],
            "can_scan": actor.role in ("supervisor", "admin"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@scoped
def problem(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    status = 200
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        note = request.POST.get("note", "")
        try:
            if action == "not_duplicate":
                services.not_duplicate_mark(actor=actor, problem_id=pk, reason=note)
            elif action in ("merge_keep_this", "merge_keep_other"):
                services.problem_merge(
                    actor=actor, problem_id=pk, keep_this=action == "merge_keep_this", reason=note
                )
            else:
                services.problem_decide(actor=actor, problem_id=pk, action=action, note=note)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(request.path)
        except (NotFound, Forbidden):
            raise
        except AppError as err:
            error, status = err, err.status
    p = selectors.problem_get(actor=actor, pk=pk, request=request)
    return render(
        request,
        "web/quality/problem.html",
        {
            "title": _("Problem %(id)s") % {"id": p.pk},
            "p": p,
            "category": category_label(p.category),
            "events": p.events.select_related("actor").all(),
            "record_url": _record_url(p.record_type, p.record_id),
            "related": [(t, i, _record_url(t, i)) for t, i in p.related],
            "can_decide": actor.role in services.DECIDE_ROLES,
            "active": p.state in ("open", "overdue", "escalated"),
            "is_pair": p.category in ("duplicate_person", "duplicate_unit") and bool(p.related),
            "error": error,
            "error_fields": {k: [str(m) for m in v] for k, v in (error.fields if error else {}).items()},
        },
        status=status,
    )


def _record_url(record_type: str, record_id: int) -> str:
    names = {
        "registry.person": "web:person_detail",
        "registry.house": "web:house_detail",
        "registry.unit": "web:unit_detail",
        "addresses.standardaddress": "web:address_detail",
        "collection.submission": "web:review:detail",
    }
    name = names.get(record_type)
    return reverse(name, args=[record_id]) if name else ""


@login_required
@scoped
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    from ybss.org import jurisdiction

    actor = actor_of(request)
    if not jurisdiction.can_export(actor):
        raise Forbidden()
    data = selectors.problems_xlsx(actor=actor, filters=_filters(request), request=request)
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E9%97%AE%E9%A2%98%E5%8F%B0%E8%B4%A6.xlsx"
    return resp


@login_required
@scoped
@require_POST
def scan(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    job = quality_scan_submit(actor=actor_of(request), language=request.LANGUAGE_CODE)
    return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))


@login_required
@scoped
def rules(request: HttpRequest) -> HttpResponse:
    """The rules with their switches and thresholds; the county admin changes them."""
    require_business_access(request)
    actor = actor_of(request)
    status = 200
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        params = {k[6:]: v for k, v in request.POST.items() if k.startswith("param_")}
        try:
            services.rule_configure(
                actor=actor, code=code, enabled=request.POST.get("enabled") == "1", params=params
            )
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(request.path)
        except Forbidden:
            raise
        except AppError as err:
            error, status = err, err.status
    return render(
        request,
        "web/quality/rules.html",
        {
            "title": _("Quality rules"),
            "rules": selectors.rules_with_settings(),
            "can_edit": actor.role == "admin",
            "error": error,
        },
        status=status,
    )


@login_required
@scoped
def risk(request: HttpRequest) -> HttpResponse:
    """Collectors ranked by the weighted risk of their problems: who to spot-check first."""
    require_business_access(request)
    return render(
        request,
        "web/quality/risk.html",
        {"title": _("Collector risk"), "rows": selectors.collector_risk(actor=actor_of(request))},
    )
