"""The shared shape of the four list pages and their exports.

parse the filter form → one selector call → render. An invalid form (bad status, separated=maybe,
a missing purpose) re-renders the page with field errors, status 400 and no rows: the search is
not run with half its filters. A bad ``page`` only earns a notice (``common.paginate``).

Export (roles with ``can_export``): the list page posts to ``<list>/export/`` with its query
string, i.e. the filters of the rows it shows; the view checks them with the same form and starts
an export job (``jobs.services.export_submit`` → ``transfer.exporting.export_to_file``, which calls
the same selector with the same filter dataclass, masks by role and writes the one audit event)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ybss.core.errors import Forbidden
from ybss.jobs.services import export_submit
from ybss.org import jurisdiction

from ..forms.filters import FilterForm
from .common import actor_of, paginate, require_business_access, scoped


@dataclass(frozen=True)
class ListSpec:
    """What differs between the list pages."""

    name: str  #: URL name stem and export kind: "persons" → web:persons, web:persons_export
    title: Any
    form_class: type[FilterForm]
    template: str
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
        "export_query": _query_without_page(request),
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


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def export_job(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    """Start an export job of the list under the filters in the query string (the rows the list
    page shows), as the posted ``format`` (xlsx or csv); then go to the job's page."""
    require_business_access(request)
    if not jurisdiction.can_export(actor_of(request)):
        raise Forbidden()
    form = _form(request, spec)
    if not form.is_valid():
        return _render(request, spec, form, status=400)
    job = export_submit(
        actor=actor_of(request),
        kind=spec.name,
        filters=form.to_filters(),
        fmt=request.POST.get("format", "xlsx"),
        purpose=form.stated_purpose() if hasattr(form, "stated_purpose") else "",
        ip=request.META.get("REMOTE_ADDR") or None,
        language=getattr(request, "LANGUAGE_CODE", ""),
    )
    return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))


View = Callable[[HttpRequest], HttpResponse]


def list_views(spec: ListSpec) -> tuple[View, View]:
    """The list page and the export of ``spec``, as the two views its URLs name."""

    @login_required
    @scoped
    def list_view(request: HttpRequest) -> HttpResponse:
        return list_page(request, spec)

    @login_required
    @require_POST
    @scoped
    def export_view(request: HttpRequest) -> HttpResponse:
        return export_job(request, spec)

    list_view.__name__ = f"{spec.name}_list"
    export_view.__name__ = f"{spec.name}_export"
    return list_view, export_view
