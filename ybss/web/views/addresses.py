"""Standard-address pages: list, detail, CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ybss.addresses.selectors import address_get, address_list, address_rooms

from .. import reads
from ..display import timeline
from ..exports import ADDRESS_COLUMNS
from ..forms.filters import AddressFilterForm
from .common import require_business_access, scoped
from .lists import ListSpec, export_csv, list_page

#: Rooms, houses and units shown on one address page; a larger building says how many are hidden.
RELATED_LIMIT = 200

SPEC = ListSpec(
    name="addresses",
    object_type="addresses.standardaddress",
    title=_("Standard addresses"),
    form_class=AddressFilterForm,
    template="web/addresses/list.html",
    columns=ADDRESS_COLUMNS,
    fetch=lambda request, form: address_list(actor=request.user, filters=form.to_filters()),
)


@login_required
@scoped
def address_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def address_export(request: HttpRequest) -> HttpResponse:
    return export_csv(request, SPEC)


def _limited(qs, limit: int = RELATED_LIMIT) -> tuple[list, bool]:  # type: ignore[no-untyped-def]
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


@login_required
@scoped
def address_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = request.user
    address = address_get(actor=user, pk=pk)  # type: ignore[arg-type]
    rooms, rooms_more = _limited(address_rooms(actor=user, address=address))  # type: ignore[arg-type]
    houses, houses_more = _limited(reads.address_houses(actor=user, address=address))  # type: ignore[arg-type]
    units, units_more = _limited(reads.address_units(actor=user, address=address))  # type: ignore[arg-type]
    return render(
        request,
        "web/addresses/detail.html",
        {
            "address": address,
            "title": address.full_name,
            "rooms": rooms,
            "rooms_more": rooms_more,
            "houses": houses,
            "houses_more": houses_more,
            "units": units,
            "units_more": units_more,
            "limit": RELATED_LIMIT,
            "history": timeline(user, address),  # type: ignore[arg-type]
        },
    )
