"""House (实有房屋) pages: list, detail, export, create, edit and the field check (核查)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.addresses.selectors import address_get
from ybss.registry.drilldown import house_drilldown
from ybss.registry.selectors import house_get, house_list
from ybss.registry.services import house_create, house_update

from ..forms.filters import HouseFilterForm
from ..forms.records import HouseEditForm, HouseForm, initial_from
from .common import actor_of, require_business_access, scoped
from .details import carried_purpose, detail_page, purpose_query
from .lists import ListSpec, list_views
from .verify import verify_page
from .writes import form_page, landlord_id, posted, require_edit, require_review, saved

SPEC = ListSpec(
    name="houses",
    title=_("Actual houses"),
    form_class=HouseFilterForm,
    template="web/houses/list.html",
    fetch=lambda request, form: house_list(actor=actor_of(request), filters=form.to_filters()),
)

house_list_view, house_export = list_views(SPEC)


def _detail_url(pk: int) -> str:
    return reverse("web:house_detail", args=[pk])


@login_required
@scoped
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A house with its current and past residents; audited as a read of the house with the
    carried-over purpose (or the routine one)."""
    require_business_access(request)
    user = actor_of(request)
    house = house_get(actor=user, pk=pk)
    purpose = carried_purpose(request)
    dd = house_drilldown(actor=user, house=house, purpose=purpose, request=request)
    return detail_page(
        request,
        house,
        kind="house",
        template="web/houses/detail.html",
        title=house.address.full_name,
        residents=dd.current.rows,
        residents_more=dd.current.more,
        past=dd.past.rows,
        past_more=dd.past.more,
        limit=dd.limit,
        purpose_qs=purpose_query(purpose),
        verify_url=reverse("web:house_verify", args=[house.pk]),
        extra_links=[
            {"url": reverse("web:person_new", args=[house.pk]), "label": _("Register a resident")},
            {"url": reverse("web:lead_report") + f"?house={house.pk}", "label": _("Report a lead")},
        ],
    )


@login_required
@scoped
def house_create_view(request: HttpRequest, address_pk: int) -> HttpResponse:
    """Record a house at a standard address."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=address_pk)
    form = HouseForm(posted(request), user=user, initial={"management_level": "C"})
    return form_page(
        request,
        form,
        save=lambda: house_create(
            actor=user,
            address_id=address.pk,
            data=form.house_data(landlord_id(request, form)),
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda house: saved(request, _("The house was recorded."), _detail_url(house.pk)),
        title=_("Add a house"),
        intro=address.full_name,
        back_url=reverse("web:address_detail", args=[address.pk]),
    )


@login_required
@scoped
def house_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    house = house_get(actor=user, pk=pk)
    form = HouseEditForm(posted(request), user=user, initial=initial_from(house, HouseEditForm))

    def save() -> object:
        landlord = landlord_id(request, form)
        return house_update(
            actor=user,
            house=house,
            expected_version=form.cleaned_data["version"],
            data=form.house_data(landlord if landlord is not None else house.landlord_id),
            reason=form.cleaned_data["change_reason"],
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda _result: saved(request, _("The changes were saved."), _detail_url(house.pk)),
        title=_("Edit house"),
        intro=house.address.full_name,
        back_url=_detail_url(house.pk),
    )


@login_required
@scoped
def house_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """核查: a reviewing officer records the outcome of checking the house in the field."""
    require_business_access(request)
    require_review(request)
    house = house_get(actor=actor_of(request), pk=pk)
    return verify_page(
        request,
        house,
        record_type="house",
        title=_("Check the house"),
        intro=house.address.full_name,
        back_url=_detail_url(house.pk),
    )
