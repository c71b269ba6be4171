"""Unit (实有单位) pages: list, detail, CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ybss.registry.selectors import unit_employments, unit_get, unit_list

from ..display import timeline
from ..exports import UNIT_COLUMNS
from ..forms.filters import UnitFilterForm
from .common import require_business_access, scoped
from .lists import ListSpec, export_csv, list_page

SPEC = ListSpec(
    name="units",
    object_type="registry.unit",
    title=_("Actual units"),
    form_class=UnitFilterForm,
    template="web/units/list.html",
    columns=UNIT_COLUMNS,
    fetch=lambda request, form: unit_list(actor=request.user, filters=form.to_filters()),
)


@login_required
@scoped
def unit_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def unit_export(request: HttpRequest) -> HttpResponse:
    return export_csv(request, SPEC)


@login_required
@scoped
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = request.user
    unit = unit_get(actor=user, pk=pk)  # type: ignore[arg-type]
    return render(
        request,
        "web/units/detail.html",
        {
            "unit": unit,
            "title": unit.name,
            "employments": list(unit_employments(actor=user, unit=unit)),  # type: ignore[arg-type]
            "history": timeline(user, unit),  # type: ignore[arg-type]
        },
    )
