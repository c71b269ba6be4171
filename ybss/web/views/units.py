"""Unit (实有单位) pages: list, detail, CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.addresses.selectors import address_get
from ybss.org import jurisdiction
from ybss.registry.selectors import unit_employments, unit_get, unit_list
from ybss.registry.services import unit_create, unit_update

from ..display import timeline
from ..exports import UNIT_COLUMNS
from ..forms.filters import UnitFilterForm
from ..forms.records import UnitEditForm, UnitForm, initial_from, transition_options
from .common import actor_of, require_business_access, scoped
from .lists import ListSpec, export_csv, list_page
from .writes import call_service, render_form, report_warnings, require_edit

SPEC = ListSpec(
    name="units",
    object_type="registry.unit",
    title=_("Actual units"),
    form_class=UnitFilterForm,
    template="web/units/list.html",
    columns=UNIT_COLUMNS,
    fetch=lambda request, form: unit_list(actor=actor_of(request), filters=form.to_filters()),
)


@login_required
@scoped
def unit_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def unit_export(request: HttpRequest) -> HttpResponseBase:
    return export_csv(request, SPEC)


@login_required
@scoped
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = actor_of(request)
    unit = unit_get(actor=user, pk=pk)
    return render(
        request,
        "web/units/detail.html",
        {
            "unit": unit,
            "title": unit.name,
            "employments": list(unit_employments(actor=user, unit=unit)),
            "history": timeline(user, unit),
            "can_edit": jurisdiction.can_edit(user),
            "edit_url": reverse("web:unit_edit", args=[unit.pk]),
            "status_url": reverse("web:unit_status", args=[unit.pk]),
            "transitions": transition_options(user, unit),
        },
    )


@login_required
@scoped
def unit_create_view(request: HttpRequest, address_pk: int) -> HttpResponse:
    """Record a unit at a standard address."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=address_pk)
    form = UnitForm(request.POST or None, user=user, initial={"biz_status": "open"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = call_service(
                form,
                lambda: unit_create(
                    actor=user,
                    address_id=address.pk,
                    data=form.unit_data(),
                    reason=form.cleaned_data["change_reason"],
                ),
            )
            if result is not None:
                unit, warnings = result
                messages.success(request, _("%(name)s was recorded.") % {"name": unit.name})
                report_warnings(request, warnings)
                return redirect("web:unit_detail", pk=unit.pk)
    return render_form(
        request,
        form,
        title=_("Add a unit"),
        intro=address.full_name,
        back_url=reverse("web:address_detail", args=[address.pk]),
        submit=_("Save"),
        status=status,
    )


@login_required
@scoped
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    unit = unit_get(actor=user, pk=pk)
    form = UnitEditForm(request.POST or None, user=user, initial=initial_from(unit, UnitEditForm))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = call_service(
                form,
                lambda: unit_update(
                    actor=user,
                    unit=unit,
                    expected_version=form.cleaned_data["version"],
                    data=form.unit_data(),
                    reason=form.cleaned_data["change_reason"],
                ),
            )
            if result is not None:
                messages.success(request, _("The changes were saved."))
                report_warnings(request, result[1])
                return redirect("web:unit_detail", pk=unit.pk)
    return render_form(
        request,
        form,
        title=_("Edit unit"),
        intro=unit.name,
        back_url=reverse("web:unit_detail", args=[unit.pk]),
        submit=_("Save"),
        status=status,
    )
