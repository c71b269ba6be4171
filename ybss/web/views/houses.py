"""House (实有房屋) pages: list, detail, CSV export."""

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
from ybss.registry.selectors import house_get, house_list, house_residents
from ybss.registry.services import house_create, house_update

from ..display import timeline
from ..exports import HOUSE_COLUMNS
from ..forms.filters import HouseFilterForm
from ..forms.records import HouseEditForm, HouseForm, initial_from, transition_options
from .common import actor_of, require_business_access, scoped
from .lists import ListSpec, export_csv, list_page
from .writes import call_service, find_person_by_id_number, render_form, require_edit

SPEC = ListSpec(
    name="houses",
    object_type="registry.house",
    title=_("Actual houses"),
    form_class=HouseFilterForm,
    template="web/houses/list.html",
    columns=HOUSE_COLUMNS,
    fetch=lambda request, form: house_list(actor=actor_of(request), filters=form.to_filters()),
)


@login_required
@scoped
def house_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def house_export(request: HttpRequest) -> HttpResponseBase:
    return export_csv(request, SPEC)


@login_required
@scoped
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = actor_of(request)
    house = house_get(actor=user, pk=pk)
    return render(
        request,
        "web/houses/detail.html",
        {
            "house": house,
            "title": house.address.full_name,
            "residents": list(house_residents(actor=user, house=house)),
            "history": timeline(user, house),
            "can_edit": jurisdiction.can_edit(user),
            "edit_url": reverse("web:house_edit", args=[house.pk]),
            "status_url": reverse("web:house_status", args=[house.pk]),
            "transitions": transition_options(user, house),
            "extra_links": [
                {"url": reverse("web:person_new", args=[house.pk]), "label": _("Register a resident")},
            ],
        },
    )


@login_required
@scoped
def house_create_view(request: HttpRequest, address_pk: int) -> HttpResponse:
    """Record a house at a standard address."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=address_pk)
    form = HouseForm(request.POST or None, user=user, initial={"management_level": "C"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ok, landlord_id = find_person_by_id_number(request, form, "landlord")
            if ok:
                house, status = call_service(
                    form,
                    lambda: house_create(
                        actor=user,
                        address_id=address.pk,
                        data=form.house_data(landlord_id),
                        reason=form.cleaned_data["change_reason"],
                    ),
                )
                if house is not None:
                    messages.success(request, _("The house was recorded."))
                    return redirect("web:house_detail", pk=house.pk)
    return render_form(
        request,
        form,
        title=_("Add a house"),
        intro=address.full_name,
        back_url=reverse("web:address_detail", args=[address.pk]),
        submit=_("Save"),
        status=status,
    )


@login_required
@scoped
def house_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    house = house_get(actor=user, pk=pk)
    form = HouseEditForm(request.POST or None, user=user, initial=initial_from(house, HouseEditForm))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ok, landlord_id = find_person_by_id_number(request, form, "landlord")
            if ok:
                result, status = call_service(
                    form,
                    lambda: house_update(
                        actor=user,
                        house=house,
                        expected_version=form.cleaned_data["version"],
                        data=form.house_data(landlord_id if landlord_id is not None else house.landlord_id),
                        reason=form.cleaned_data["change_reason"],
                    ),
                )
                if result is not None:
                    messages.success(request, _("The changes were saved."))
                    return redirect("web:house_detail", pk=house.pk)
    return render_form(
        request,
        form,
        title=_("Edit house"),
        intro=house.address.full_name,
        back_url=reverse("web:house_detail", args=[house.pk]),
        submit=_("Save"),
        status=status,
    )
