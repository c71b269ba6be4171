"""The marking map page (标注) and the county admin's boundary page, under ``map/`` (namespace
``web:mapping``).

Scoping: ``map_page`` is ``@scoped`` (its data comes through the scoped ``/api/map/`` operations);
``boundary_page`` is ``@not_scoped`` (geography, county admins only).

The map page itself holds no records: it renders the page frame, the filter choices and the
标注率, and its script loads door plates through the JSON API (``/api/map/...``, scoped).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.addresses.models import CoordSystem, MarkState
from ybss.addresses.rates import address_rates
from ybss.core.errors import AppError, Forbidden, NotFound
from ybss.mapping import selectors, services
from ybss.org import jurisdiction

from ..forms.mapping import BoundaryDeleteForm, BoundaryUploadForm
from ..forms.records import apply_error
from .common import actor_of, not_scoped, require_business_access, scoped


def _api(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


@login_required
@scoped
def map_page(request: HttpRequest) -> HttpResponse:
    """标注: the map of the user's door plates and the list of those still to mark."""
    require_business_access(request)
    user = actor_of(request)
    options = selectors.map_options(actor=user)
    rate = address_rates(actor=user)["address_marked"]
    tile_system = (
        settings.YBSS_MAP_TILE_SYSTEM if settings.YBSS_MAP_TILE_SYSTEM in CoordSystem.values else "WGS84"
    )
    config = {
        "tileUrl": settings.YBSS_MAP_TILE_URL,
        "tileSystem": tile_system,
        "center": list(settings.YBSS_MAP_CENTER),
        "canEdit": jurisdiction.can_edit(user),
        "api": {
            "doors": _api("map_doors"),
            "grid": _api("map_grid"),
            "todo": _api("map_todo"),
            "rates": _api("map_rates"),
            "boundaries": _api("map_boundaries"),
            "mark": _api("map_mark", pk=0).replace("/0/", "/{id}/"),
        },
        "text": {
            "unmarked": str(MarkState.UNMARKED.label),
            "marked": str(MarkState.MARKED.label),
            "confirmed": str(MarkState.CONFIRMED.label),
            "pick": str(_("Choose a door plate from the list, then tap the map where it is.")),
            "place": str(_("Tap the map (or drag the pin) where the door plate is, then confirm.")),
            "saved": str(_("Saved.")),
            "confirmedOk": str(_("Confirmed: the marking rate is updated.")),
            "conflict": str(
                _(
                    "Someone else changed this door plate after you opened it. "
                    "It was reloaded: check and try again."
                )
            ),
            "failed": str(_("The request failed. Check the connection and try again.")),
            "zoomIn": str(_("Too many door plates here: zoom in to see each one.")),
            "none": str(_("Nothing to show.")),
            "more": str(_("More")),
            "noPoint": str(_("No point yet")),
            "count": str(_("%(n)s door plates")),
        },
    }
    return render(
        request,
        "web/mapping/map.html",
        {
            "title": _("Map marking"),
            "options": options,
            "rate": rate,
            "systems": CoordSystem.choices,
            "tile_system": tile_system,
            "config": config,
            "can_edit": jurisdiction.can_edit(user),
            "can_edit_boundaries": services.can_edit_boundaries(user),
        },
    )


def _boundary_context(form: BoundaryUploadForm) -> dict[str, Any]:
    return {"title": _("Boundaries"), "form": form, "boundaries": list(selectors.boundary_table())}


@login_required
@not_scoped("boundaries are geography (outlines of divisions and police units); county admins only")
def boundary_page(request: HttpRequest) -> HttpResponse:
    """边界: list, upload (create or replace) and remove the drawn boundaries. County admin only."""
    user = actor_of(request)
    if not services.can_edit_boundaries(user):
        raise Forbidden()
    divisions, units = selectors.boundary_targets()
    upload = request.method == "POST" and "delete" not in request.POST
    form = BoundaryUploadForm(
        request.POST if upload else None,
        request.FILES if upload else None,
        divisions=divisions,
        units=units,
    )
    status = 200
    if request.method == "POST" and not upload:
        delete = BoundaryDeleteForm(request.POST)
        if not delete.is_valid():
            raise NotFound()
        services.boundary_delete(actor=user, boundary_id=delete.cleaned_data["delete"])
        messages.success(request, _("The boundary was removed."))
        return HttpResponseRedirect(reverse("web:mapping:boundaries"))
    if upload:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                b = services.boundary_save(
                    actor=user,
                    text=data["file"],
                    division_code=data["division_code"],
                    police_unit_code=data["police_unit_code"],
                    system=data["system"],
                    source=getattr(request.FILES.get("file"), "name", "")[:200],
                    reason=data["reason"],
                )
            except (NotFound, Forbidden):
                raise
            except AppError as err:
                apply_error(form, err)
                status = err.status
            else:
                messages.success(request, _("The boundary of %(name)s was saved.") % {"name": b.owner.name})
                return HttpResponseRedirect(reverse("web:mapping:boundaries"))
    return render(request, "web/mapping/boundaries.html", _boundary_context(form), status=status)
