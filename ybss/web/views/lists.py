"""The shared shape of the four list pages and their CSV exports.

parse the filter form → one selector call → render. An invalid form (bad status, separated=maybe,
a missing purpose) re-renders the page with field errors, status 400 and no rows: the search is
not run with half its filters. A bad ``page`` only earns a notice (``common.paginate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import Forbidden
from ybss.org import jurisdiction

from ..exports import EXPORT_CAP, Column, csv_lines
from ..forms.filters import FilterForm
from .common import actor_of, paginate, require_business_access, scoped


@dataclass(frozen=True)
class ListSpec:
    """What differs between the list pages."""

    name: str  #: URL name stem and file-name stem: "persons" → web:persons, web:persons_export
    object_type: str  #: audit object type, e.g. "registry.person"
    title: Any
    form_class: type[FilterForm]
    template: str
    columns: tuple[Column, ...]
    #: Calls the selector: (request, valid form) → the scoped, filtered queryset.
    fetch: Callable[[HttpRequest, Any], QuerySet[Any]]


def _form(request: HttpRequest, spec: ListSpec) -> Any:
    return spec.form_class(request.GET, user=actor_of(request))


def _render(request: HttpRequest, spec: ListSpec, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "spec": spec,
        "title": spec.title,
        "form": form,
        "can_export": jurisdiction.can_export(actor_of(request)),
        "can_edit": jurisdiction.can_edit(actor_of(request)),
        "export_url": reverse(f"web:{spec.name}_export"),
        "list_url": reverse(f"web:{spec.name}"),
        **extra,
    }
    return render(request, spec.template, context, status=status)


def list_page(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    require_business_access(request)
    form = _form(request, spec)
    if not form.is_valid():
        return _render(request, spec, form, status=400)
    paged = paginate(request, spec.fetch(request, form))
    return _render(request, spec, form, page=paged.page, page_notice=paged.notice)


def export_csv(request: HttpRequest, spec: ListSpec) -> HttpResponseBase:
    """The list with the current filters as CSV (roles with ``can_export``), audited with its size."""
    require_business_access(request)
    if not jurisdiction.can_export(actor_of(request)):
        raise Forbidden()
    form = _form(request, spec)
    if not form.is_valid():
        return _render(request, spec, form, status=400)
    qs = spec.fetch(request, form)
    total = qs.count()
    if total > EXPORT_CAP:
        messages.error(
            request,
            _(
                "%(count)s records match: more than the %(cap)s a CSV export may hold. "
                "Narrow the filters and export again."
            )
            % {"count": f"{total:,}", "cap": f"{EXPORT_CAP:,}"},
        )
        query = request.GET.urlencode()
        return HttpResponseRedirect(reverse(f"web:{spec.name}") + (f"?{query}" if query else ""))
    audit_record(
        actor=actor_of(request),
        action=AuditAction.EXPORT,
        object_type=spec.object_type,
        detail={"format": "csv", "filters": form.active_filters()},
        purpose=form.stated_purpose() if hasattr(form, "stated_purpose") else "",
        result_count=total,
        request=request,
    )
    rows = qs.iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        csv_lines(actor_of(request), spec.columns, rows),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{spec.name}-{stamp}.csv"'
    return response


def list_views(
    spec: ListSpec,
) -> tuple[Callable[[HttpRequest], HttpResponse], Callable[[HttpRequest], HttpResponseBase]]:
    """The list page and the CSV export of ``spec``, as the two views its URLs name."""

    @login_required
    @scoped
    def list_view(request: HttpRequest) -> HttpResponse:
        return list_page(request, spec)

    @login_required
    @scoped
    def export_view(request: HttpRequest) -> HttpResponseBase:
        return export_csv(request, spec)

    list_view.__name__ = f"{spec.name}_list"
    export_view.__name__ = f"{spec.name}_export"
    return list_view, export_view
