"""Standing lists (常态化清单) and the household card (户卡).

* ``/lists/``: every list with its count in the user's jurisdiction.
* ``/lists/<code>/``: one list with the hierarchy filters and its own parameters, paged; a bad
  parameter re-renders the page with a field error and status 400 (no rows). Audited as a search.
* ``/lists/<code>/export/`` (POST, export roles): the list under the same filters as Excel, with
  a required purpose; identifiers masked by role; audited as an export.
* ``/houses/<pk>/card/``: the printable household card; audited as a read of each person on it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.core.errors import AppError, Forbidden, NotFound
from ybss.org import jurisdiction
from ybss.registry import standing
from ybss.registry.household import household_card
from ybss.registry.models import Unit

from .common import actor_of, paginate, require_business_access, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Where a row of each record type links to.
_DETAIL = {
    "registry.person": "web:person_detail",
    "registry.house": "web:house_detail",
    "registry.unit": "web:unit_detail",
}


@login_required
@scoped
def index(request: HttpRequest) -> HttpResponse:
    """Every standing list with its count in the user's jurisdiction."""
    require_business_access(request)
    counts = standing.standing_counts(actor=actor_of(request))
    return render(request, "web/standing/index.html", {"title": _("Standing lists"), "counts": counts})


def _raw(request: HttpRequest, spec: standing.StandingList) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {p.name: source.get(p.name, request.GET.get(p.name, "")) for p in spec.params}


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _list_context(request: HttpRequest, spec: standing.StandingList) -> dict[str, Any]:
    g = request.GET
    return {
        "title": spec.label,
        "spec": spec,
        "values": {"police_unit": g.get("police_unit", "")[:20], "division": g.get("division", "")[:20]},
        "can_export": jurisdiction.can_export(actor_of(request)),
        "export_query": _query_without_page(request),
        "error_fields": {},
        "purpose": "",
    }


def _render_list(
    request: HttpRequest,
    spec: standing.StandingList,
    *,
    error: AppError | None = None,
    rows: list[standing.Row] | None = None,
    page: Any = None,
    notice: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = _list_context(request, spec)
    if error is not None:
        context["error"] = error
        context["error_fields"] = {k: [str(m) for m in v] for k, v in error.fields.items()}
    context["params"] = [
        {
            "p": p,
            "value": request.GET.get(p.name, "")[:20] or p.default,
            "errors": context["error_fields"].get(p.name, []),
        }
        for p in spec.params
    ]
    context.update(
        rows=[
            {
                "cells": [(c.label, r.cells.get(c.key, "")) for c in spec.columns],
                "url": reverse(_DETAIL[r.record_type], args=[r.record_id]),
                "children": r.children,
            }
            for r in rows or []
        ],
        page=page,
        page_notice=notice,
        with_children=spec.model is Unit,
        **extra,
    )
    return render(request, "web/standing/list.html", context, status=status)


@login_required
@scoped
def standing_list(request: HttpRequest, code: str) -> HttpResponse:
    """One standing list, filtered and paged."""
    require_business_access(request)
    actor = actor_of(request)
    spec = standing.standing_list_get(code)
    try:
        filters = standing.standing_filters(request.GET)
        spec, _values, qs = standing.standing_rows(
            actor=actor,
            code=code,
            filters=filters,
            params=_raw(request, spec),
            purpose=request.GET.get("purpose", ""),
            request=request,
        )
    except (NotFound, Forbidden):
        raise
    except AppError as err:
        return _render_list(request, spec, error=err, status=err.status)
    paged = paginate(request, qs)
    rows = standing.to_rows(spec, paged.page.object_list, actor)
    return _render_list(request, spec, rows=rows, page=paged.page, notice=paged.notice)


@login_required
@scoped
@require_POST
def standing_export(request: HttpRequest, code: str) -> HttpResponse:
    """The list as Excel under the filters of the query string, with the posted purpose."""
    require_business_access(request)
    actor = actor_of(request)
    spec = standing.standing_list_get(code)
    if not jurisdiction.can_export(actor):
        raise Forbidden()
    purpose = request.POST.get("purpose", "")[:200]
    try:
        data = standing.standing_xlsx(
            actor=actor,
            code=code,
            filters=standing.standing_filters(request.GET),
            params=_raw(request, spec),
            purpose=purpose,
            request=request,
        )
    except (NotFound, Forbidden):
        raise
    except AppError as err:
        return _render_list(request, spec, error=err, status=err.status, purpose=purpose)
    resp = HttpResponse(data, content_type=XLSX)
    name = quote(f"{spec.label}.xlsx")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return resp


@login_required
@scoped
def house_card(request: HttpRequest, pk: int) -> HttpResponse:
    """户卡: the printable card of one house; every person on it counts as read (audited)."""
    require_business_access(request)
    card = household_card(
        actor=actor_of(request), pk=pk, purpose=request.GET.get("purpose", ""), request=request
    )
    return render(
        request,
        "web/standing/card.html",
        {"title": _("Household card"), "card": card, "house": card.house},
    )


@login_required
@scoped
def house_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The household card as an A4 PDF (WeasyPrint, nothing fetched); audited like the page."""
    require_business_access(request)
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML  # loads Pango through cffi: only when a card is printed
    from weasyprint.urls import URLFetcher

    card = household_card(
        actor=actor_of(request), pk=pk, purpose=request.GET.get("purpose", ""), request=request
    )
    html = render_to_string(
        "web/standing/card_pdf.html",
        {"card": card, "house": card.house, "language": translation.get_language() or "zh-hans"},
        request=request,
    )
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=household-card-{card.house.pk}.pdf"
    return resp
