"""Standard-address pages: list, detail, export; door plates, rooms and map marking (标注)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ybss.addresses.models import AddressLevel, CoordSystem, MarkState, StandardAddress
from ybss.addresses.selectors import address_get, address_list
from ybss.addresses.services import (
    address_mark,
    address_rename,
    building_generate,
    door_plate_create,
    room_create,
)
from ybss.registry.drilldown import address_drilldown

from ..forms.actions import BuildingForm, MarkForm, RoomForm
from ..forms.filters import AddressFilterForm
from ..forms.records import AddressEditForm, DoorPlateForm, initial_from
from .common import actor_of, require_business_access, scoped
from .details import carried_purpose, detail_page, purpose_query
from .lists import ListSpec, list_views
from .writes import form_page, posted, require_edit, saved

#: Where a web-form marking came from (``marked_source``): typed in on this page.
MARK_SOURCE = "web"

SPEC = ListSpec(
    name="addresses",
    title=_("Standard addresses"),
    form_class=AddressFilterForm,
    template="web/addresses/list.html",
    fetch=lambda request, form: address_list(actor=actor_of(request), filters=form.to_filters()),
)

address_list_view, address_export = list_views(SPEC)


def _address_links(address: StandardAddress, *, has_rooms: bool) -> list[dict[str, Any]]:
    """Mark on the map; on a door plate, add rooms; record a house here (not on a door plate with
    rooms: houses go on its rooms) or a unit."""
    links: list[dict[str, Any]] = []
    if address.level == AddressLevel.DOOR:  # rooms share their door plate's point
        links.append({"url": reverse("web:address_mark", args=[address.pk]), "label": _("Mark the location")})
        links.append(
            {"url": reverse("web:building_generate", args=[address.pk]), "label": _("Generate rooms")}
        )
        links.append({"url": reverse("web:room_new", args=[address.pk]), "label": _("Add a room")})
    if not has_rooms:
        links.append({"url": reverse("web:house_new", args=[address.pk]), "label": _("Add a house")})
    links.append({"url": reverse("web:unit_new", args=[address.pk]), "label": _("Add a unit")})
    return links


@login_required
@scoped
def address_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The address drill-down: its building and rooms, houses, current and past residents, units
    and their employees; audited as a read of the address with the carried-over purpose."""
    require_business_access(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=pk)
    purpose = carried_purpose(request)
    dd = address_drilldown(actor=user, address=address, purpose=purpose, request=request)
    return detail_page(
        request,
        address,
        kind="address",
        template="web/addresses/detail.html",
        title=address.full_name,
        dd=dd,
        rooms=dd.rooms.rows,
        rooms_more=dd.rooms.more,
        houses=dd.houses.rows,
        houses_more=dd.houses.more,
        units=dd.units.rows,
        units_more=dd.units.more,
        limit=dd.limit,
        purpose_qs=purpose_query(purpose),
        extra_links=_address_links(address, has_rooms=bool(dd.rooms) and address.level == AddressLevel.DOOR),
    )


def _detail_url(address: StandardAddress) -> str:
    return reverse("web:address_detail", args=[address.pk])


@login_required
@scoped
def door_plate_create_view(request: HttpRequest) -> HttpResponse:
    """Create a door plate (门楼牌) in a village and police district the user may write in."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    form = DoorPlateForm(posted(request), user=user)
    return form_page(
        request,
        form,
        save=lambda: door_plate_create(
            actor=user, data=form.door_plate_data(), reason=form.cleaned_data["change_reason"]
        ),
        done=lambda address: saved(
            request, _("%(name)s was recorded.") % {"name": address.full_name}, _detail_url(address)
        ),
        title=_("New door plate"),
        back_url=reverse("web:addresses"),
    )


@login_required
@scoped
def address_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what may be changed by hand on an address: its common name (门牌俗称)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=pk)
    form = AddressEditForm(posted(request), user=user, initial=initial_from(address, AddressEditForm))
    return form_page(
        request,
        form,
        save=lambda: address_rename(
            actor=user,
            address=address,
            expected_version=form.cleaned_data["version"],
            common_name=form.cleaned_data["common_name"],
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda _result: saved(request, _("The changes were saved."), _detail_url(address)),
        title=_("Edit address"),
        intro=address.full_name,
        back_url=_detail_url(address),
    )


def _mark_initial(address: StandardAddress) -> dict[str, Any]:
    """The stored point (WGS-84), so a correction starts from it."""
    initial: dict[str, Any] = {"version": address.version, "system": CoordSystem.WGS84}
    if address.lng is not None and address.lat is not None:
        initial.update(lng=address.lng, lat=address.lat, confirm=address.mark_state == MarkState.CONFIRMED)
    return initial


@login_required
@scoped
def address_mark_view(request: HttpRequest, pk: int) -> HttpResponse:
    """标注: set the address's point from coordinates read off a map or a GPS (→ ``address_mark``)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=pk)
    form = MarkForm(posted(request), initial=_mark_initial(address))
    return form_page(
        request,
        form,
        save=lambda: address_mark(
            actor=user,
            address=address,
            expected_version=form.cleaned_data["version"],
            lng=form.cleaned_data["lng"],
            lat=form.cleaned_data["lat"],
            system=form.cleaned_data["system"],
            source=MARK_SOURCE,
            confirm=form.cleaned_data["confirm"],
        ),
        done=lambda _result: saved(request, _("The location was saved."), _detail_url(address)),
        title=_("Mark the location"),
        intro=address.full_name,
        back_url=_detail_url(address),
    )


def _rooms_created(request: HttpRequest, door: StandardAddress, rooms: list[StandardAddress]) -> HttpResponse:
    if rooms:
        messages.success(
            request,
            ngettext(
                "%(count)d room address was created.", "%(count)d room addresses were created.", len(rooms)
            )
            % {"count": len(rooms)},
        )
    else:
        messages.info(request, _("All these rooms already exist; none was created."))
    return HttpResponseRedirect(_detail_url(door))


@login_required
@scoped
def building_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """生成楼栋层户: a door plate's room addresses in one step (→ ``building_generate``)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    door = address_get(actor=user, pk=pk)
    form = BuildingForm(posted(request), user=user)
    return form_page(
        request,
        form,
        save=lambda: building_generate(
            actor=user,
            door_id=door.pk,
            units=form.cleaned_data["units"],
            floors=form.cleaned_data["floors"],
            rooms_per_floor=form.cleaned_data["rooms_per_floor"],
            underground=form.cleaned_data["underground"] or 0,
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda rooms: _rooms_created(request, door, rooms),
        title=_("Generate rooms"),
        intro=door.full_name,
        back_url=_detail_url(door),
        submit=_("Generate"),
    )


@login_required
@scoped
def room_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """新增层户: one room address under a door plate (→ ``room_create``)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    door = address_get(actor=user, pk=pk)
    form = RoomForm(posted(request), user=user)
    return form_page(
        request,
        form,
        save=lambda: room_create(
            actor=user,
            door_id=door.pk,
            unit_no=form.cleaned_data["unit_no"],
            floor=form.cleaned_data["floor"],
            room_no=form.cleaned_data["room_no"],
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda room: saved(
            request, _("%(name)s was recorded.") % {"name": room.full_name}, _detail_url(door)
        ),
        title=_("Add a room"),
        intro=door.full_name,
        back_url=_detail_url(door),
    )
