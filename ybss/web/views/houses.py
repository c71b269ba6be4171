"""House (实有房屋) pages: list, detail, CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ybss.registry.selectors import house_get, house_list, house_residents

from ..display import timeline
from ..exports import HOUSE_COLUMNS
from ..forms.filters import HouseFilterForm
from .common import require_business_access, scoped
from .lists import ListSpec, export_csv, list_page

SPEC = ListSpec(
    name="houses",
    object_type="registry.house",
    title=_("Actual houses"),
    form_class=HouseFilterForm,
    template="web/houses/list.html",
    columns=HOUSE_COLUMNS,
    fetch=lambda request, form: house_list(actor=request.user, filters=form.to_filters()),
)


@login_required
@scoped
def house_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def house_export(request: HttpRequest) -> HttpResponse:
    return export_csv(request, SPEC)


@login_required
@scoped
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = request.user
    house = house_get(actor=user, pk=pk)  # type: ignore[arg-type]
    return render(
        request,
        "web/houses/detail.html",
        {
            "house": house,
            "title": house.address.full_name,
            "residents": list(house_residents(actor=user, house=house)),  # type: ignore[arg-type]
            "history": timeline(user, house),  # type: ignore[arg-type]
        },
    )
