"""Standard-address pages: list, detail, CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import StandardAddress
from ybss.addresses.selectors import address_get, address_list, address_rooms
from ybss.addresses.services import address_rename, door_plate_create
from ybss.org import jurisdiction
from ybss.registry import selectors as registry_selectors

from ..display import timeline
from ..exports import ADDRESS_COLUMNS
from ..forms.filters import AddressFilterForm
from ..forms.records import AddressEditForm, DoorPlateForm, initial_from, transition_options
from .common import actor_of, require_business_access, scoped
from .lists import ListSpec, export_csv, list_page
from .writes import call_service, render_form, require_edit

#: Rooms, houses and units shown on one address page; a larger building says how many are hidden.
RELATED_LIMIT = 200

SPEC = ListSpec(
    name="addresses",
    object_type="addresses.standardaddress",
    title=_("Standard addresses"),
    form_class=AddressFilterForm,
    template="web/addresses/list.html",
    columns=ADDRESS_COLUMNS,
    fetch=lambda request, form: address_list(actor=actor_of(request), filters=form.to_filters()),
)


@login_required
@scoped
def address_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def address_export(request: HttpRequest) -> HttpResponseBase:
    return export_csv(request, SPEC)


def _limited(qs: QuerySet[Any], limit: int = RELATED_LIMIT) -> tuple[list[Any], bool]:
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def _address_links(address: StandardAddress, *, has_rooms: bool) -> list[dict[str, Any]]:
    """Record a house here (not on a door plate with rooms: houses go on its rooms) or a unit."""
    links = []
    if not has_rooms:
        links.append({"url": reverse("web:house_new", args=[address.pk]), "label": _("Add a house")})
    links.append({"url": reverse("web:unit_new", args=[address.pk]), "label": _("Add a unit")})
    return links


@login_required
@scoped
def address_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=pk)
    rooms, rooms_more = _limited(address_rooms(actor=user, address=address))
    houses, houses_more = _limited(registry_selectors.address_houses(actor=user, address=address))
    units, units_more = _limited(registry_selectors.address_units(actor=user, address=address))
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
            "history": timeline(user, address),
            "can_edit": jurisdiction.can_edit(user),
            "edit_url": reverse("web:address_edit", args=[address.pk]),
            "status_url": reverse("web:address_status", args=[address.pk]),
            "transitions": transition_options(user, address),
            "extra_links": _address_links(address, has_rooms=bool(rooms)),
        },
    )


@login_required
@scoped
def door_plate_create_view(request: HttpRequest) -> HttpResponse:
    """Create a door plate (门楼牌) in a village and police district the user may write in."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    form = DoorPlateForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            address, status = call_service(
                form,
                lambda: door_plate_create(
                    actor=user,
                    data=form.door_plate_data(),
                    reason=form.cleaned_data["change_reason"],
                ),
            )
            if address is not None:
                messages.success(request, _("%(name)s was recorded.") % {"name": address.full_name})
                return redirect("web:address_detail", pk=address.pk)
    return render_form(
        request,
        form,
        title=_("New door plate"),
        back_url=reverse("web:addresses"),
        submit=_("Save"),
        status=status,
    )


@login_required
@scoped
def address_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what may be changed by hand on an address: its common name (门牌俗称)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=pk)
    form = AddressEditForm(request.POST or None, user=user, initial=initial_from(address, AddressEditForm))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = call_service(
                form,
                lambda: address_rename(
                    actor=user,
                    address=address,
                    expected_version=form.cleaned_data["version"],
                    common_name=form.cleaned_data["common_name"],
                    reason=form.cleaned_data["change_reason"],
                ),
            )
            if result is not None:
                messages.success(request, _("The changes were saved."))
                return redirect("web:address_detail", pk=address.pk)
    return render_form(
        request,
        form,
        title=_("Edit address"),
        intro=address.full_name,
        back_url=reverse("web:address_detail", args=[address.pk]),
        submit=_("Save"),
        status=status,
    )
