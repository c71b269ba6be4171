"""Person (实有人口) pages: search, detail, CSV export. Every read and search is audited by the
selectors; an investigator's search must state its purpose (``PersonFilterForm``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ybss.org import jurisdiction
from ybss.registry.models import Person
from ybss.registry.selectors import house_get, person_employments, person_get, person_list, person_residences
from ybss.registry.services import person_register, person_update

from ..display import timeline
from ..exports import PERSON_COLUMNS
from ..forms.filters import PersonFilterForm
from ..forms.records import PersonEditForm, PersonRegisterForm, initial_from, transition_options
from .common import actor_of, require_business_access, scoped
from .lists import ListSpec, export_csv, list_page
from .writes import call_service, find_person_by_id_number, render_form, report_warnings, require_edit


def _fetch(request: HttpRequest, form: PersonFilterForm) -> QuerySet[Person]:
    return person_list(
        actor=actor_of(request),
        filters=form.to_filters(),
        purpose=form.stated_purpose(),
        request=request,
    )


SPEC = ListSpec(
    name="persons",
    object_type="registry.person",
    title=_("Actual population"),
    form_class=PersonFilterForm,
    template="web/persons/list.html",
    columns=PERSON_COLUMNS,
    fetch=_fetch,
)


@login_required
@scoped
def person_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request, SPEC)


@login_required
@scoped
def person_export(request: HttpRequest) -> HttpResponseBase:
    return export_csv(request, SPEC)


@login_required
@scoped
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person; the read is audited with the purpose carried over from the search, if any."""
    require_business_access(request)
    user = actor_of(request)
    purpose = request.GET.get("purpose", "").strip()[:200]
    person = person_get(actor=user, pk=pk, purpose=purpose, request=request)
    return render(
        request,
        "web/persons/detail.html",
        {
            "person": person,
            "title": person.name,
            "residences": list(person_residences(actor=user, person=person)),
            "employments": list(person_employments(actor=user, person=person)),
            "history": timeline(user, person),
            "can_edit": jurisdiction.can_edit(user),
            "edit_url": reverse("web:person_edit", args=[person.pk]),
            "status_url": reverse("web:person_status", args=[person.pk]),
            "transitions": transition_options(user, person),
        },
    )


@login_required
@scoped
def person_register_view(request: HttpRequest, house_pk: int) -> HttpResponse:
    """实有人口采集: record a person living in this house (a new person, or one found by document)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    house = house_get(actor=user, pk=house_pk)
    form = PersonRegisterForm(request.POST or None, user=user, initial={"id_type": "111", "ethnicity": "01"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ok, landlord_id = find_person_by_id_number(request, form, "landlord")
            if ok:
                result, status = call_service(
                    form,
                    lambda: person_register(
                        actor=user,
                        person=form.person_data(),
                        house_id=house.pk,
                        residence=form.residence_data(landlord_id),
                        reason=form.cleaned_data["change_reason"],
                    ),
                )
                if result is not None:
                    person, warnings = result
                    messages.success(request, _("%(name)s was recorded.") % {"name": person.name})
                    report_warnings(request, warnings)
                    return redirect("web:person_detail", pk=person.pk)
    return render_form(
        request,
        form,
        title=_("Register a resident"),
        intro=house.address.full_name,
        back_url=reverse("web:house_detail", args=[house.pk]),
        submit=_("Save"),
        status=status,
    )


@login_required
@scoped
def person_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    person = person_get(actor=user, pk=pk, request=request)
    form = PersonEditForm(request.POST or None, user=user, initial=initial_from(person, PersonEditForm))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = call_service(
                form,
                lambda: person_update(
                    actor=user,
                    person=person,
                    expected_version=form.cleaned_data["version"],
                    data=form.person_data(),
                    reason=form.cleaned_data["change_reason"],
                ),
            )
            if result is not None:
                messages.success(request, _("The changes were saved."))
                report_warnings(request, result[1])
                return redirect("web:person_detail", pk=person.pk)
    return render_form(
        request,
        form,
        title=_("Edit person"),
        intro=person.name,
        back_url=reverse("web:person_detail", args=[person.pk]),
        submit=_("Save"),
        status=status,
    )
