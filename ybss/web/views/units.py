"""Unit (实有单位) pages: list, detail, export, create, edit, employees and the field check (核实)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.addresses.selectors import address_get
from ybss.registry.drilldown import unit_drilldown_audit
from ybss.registry.models import Unit
from ybss.registry.selectors import unit_employments, unit_get, unit_list
from ybss.registry.services import employment_create, unit_create, unit_update

from ..forms.actions import EmploymentForm
from ..forms.filters import UnitFilterForm
from ..forms.records import UnitEditForm, UnitForm, initial_from
from .common import actor_of, require_business_access, scoped
from .details import carried_purpose, detail_page, purpose_query
from .lists import ListSpec, list_views
from .verify import verify_page
from .writes import form_page, person_id_by_number, posted, require_edit, require_review, saved

SPEC = ListSpec(
    name="units",
    title=_("Actual units"),
    form_class=UnitFilterForm,
    template="web/units/list.html",
    fetch=lambda request, form: unit_list(actor=actor_of(request), filters=form.to_filters()),
)

unit_list_view, unit_export = list_views(SPEC)


def _detail_url(pk: int) -> str:
    return reverse("web:unit_detail", args=[pk])


@login_required
@scoped
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = actor_of(request)
    unit = unit_get(actor=user, pk=pk)
    employments = list(unit_employments(actor=user, unit=unit))
    purpose = carried_purpose(request)
    unit_drilldown_audit(actor=user, unit=unit, employees=len(employments), purpose=purpose, request=request)
    return detail_page(
        request,
        unit,
        kind="unit",
        template="web/units/detail.html",
        title=unit.name,
        employments=employments,
        purpose_qs=purpose_query(purpose),
        verify_url=reverse("web:unit_verify", args=[unit.pk]),
        extra_links=[
            {"url": reverse("web:employment_new", args=[unit.pk]), "label": _("Add an employee")},
        ],
    )


@login_required
@scoped
def unit_create_view(request: HttpRequest, address_pk: int) -> HttpResponse:
    """Record a unit at a standard address."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    address = address_get(actor=user, pk=address_pk)
    form = UnitForm(posted(request), user=user, initial={"biz_status": "open"})

    def done(result: tuple[Unit, Any]) -> HttpResponse:
        unit, warnings = result
        return saved(
            request, _("%(name)s was recorded.") % {"name": unit.name}, _detail_url(unit.pk), warnings
        )

    return form_page(
        request,
        form,
        save=lambda: unit_create(
            actor=user,
            address_id=address.pk,
            data=form.unit_data(),
            reason=form.cleaned_data["change_reason"],
        ),
        done=done,
        title=_("Add a unit"),
        intro=address.full_name,
        back_url=reverse("web:address_detail", args=[address.pk]),
    )


@login_required
@scoped
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    unit = unit_get(actor=user, pk=pk)
    form = UnitEditForm(posted(request), user=user, initial=initial_from(unit, UnitEditForm))
    return form_page(
        request,
        form,
        save=lambda: unit_update(
            actor=user,
            unit=unit,
            expected_version=form.cleaned_data["version"],
            data=form.unit_data(),
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda result: saved(request, _("The changes were saved."), _detail_url(unit.pk), result[1]),
        title=_("Edit unit"),
        intro=unit.name,
        back_url=_detail_url(unit.pk),
    )


@login_required
@scoped
def employment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """新增从业人员: record that a person, found by ID number in scope, works here."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    unit = unit_get(actor=user, pk=pk)
    form = EmploymentForm(posted(request), user=user)
    return form_page(
        request,
        form,
        save=lambda: employment_create(
            actor=user,
            unit=unit,
            person_id=person_id_by_number(
                request,
                form.cleaned_data["id_number"],
                field="id_number",
                purpose=_("Employee look-up while recording an employment"),
            ),
            post=form.cleaned_data["post"],
            since=form.cleaned_data["since"],
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda employment: saved(
            request,
            _("%(name)s was added as an employee.") % {"name": employment.person.name},
            _detail_url(unit.pk),
        ),
        title=_("Add an employee"),
        intro=unit.name,
        back_url=_detail_url(unit.pk),
    )


@login_required
@scoped
def unit_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """核实: a reviewing officer records the outcome of checking the unit in the field."""
    require_business_access(request)
    require_review(request)
    unit = unit_get(actor=actor_of(request), pk=pk)
    return verify_page(
        request,
        unit,
        record_type="unit",
        title=_("Verify the unit"),
        intro=unit.name,
        back_url=_detail_url(unit.pk),
    )
