"""Person (实有人口) pages: search, detail, export, register, edit, end a residence. Every read
and search is audited by the selectors; an investigator's search must state its purpose
(``PersonFilterForm``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ybss.casework.selectors import person_leads
from ybss.core.errors import NotFound
from ybss.quality.selectors import ProblemFilters, problem_list
from ybss.registry.drilldown import person_drilldown
from ybss.registry.models import Person
from ybss.registry.selectors import house_get, person_get, person_list, person_residences
from ybss.registry.services import person_register, person_update, residence_end

from ..forms.actions import ResidenceEndForm
from ..forms.filters import PersonFilterForm
from ..forms.records import PersonEditForm, PersonRegisterForm, initial_from
from .common import actor_of, require_business_access, scoped
from .details import carried_purpose, detail_page, purpose_query
from .lists import ListSpec, list_views
from .writes import form_page, landlord_id, posted, require_edit, saved

#: The quality ledger's name for a person record (``Problem.record_type``).
PERSON_RECORD = "registry.person"

#: Problems and leads shown on a person's page, newest first; the ledgers hold the rest.
PROBLEMS_SHOWN = 50


def _fetch(request: HttpRequest, form: PersonFilterForm) -> QuerySet[Person]:
    return person_list(
        actor=actor_of(request),
        filters=form.to_filters(),
        purpose=form.stated_purpose(),
        request=request,
    )


SPEC = ListSpec(
    name="persons",
    title=_("Actual population"),
    form_class=PersonFilterForm,
    template="web/persons/list.html",
    fetch=_fetch,
)

person_list_view, person_export = list_views(SPEC)


def _detail_url(pk: int) -> str:
    return reverse("web:person_detail", args=[pk])


@login_required
@scoped
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The person drill-down: residences over time, household, employers, and the problems and
    leads about them. The read is audited with the purpose carried over from the search or the
    page that linked here, else the routine purpose of the person page (never empty)."""
    require_business_access(request)
    user = actor_of(request)
    purpose = carried_purpose(request)
    person = person_get(actor=user, pk=pk, purpose=purpose, request=request)  # defaults the purpose
    dd = person_drilldown(actor=user, person=person, purpose=purpose, request=request)
    problems = problem_list(
        actor=user, filters=ProblemFilters(state="all", record_type=PERSON_RECORD, record_id=person.pk)
    )
    return detail_page(
        request,
        person,
        kind="person",
        template="web/persons/detail.html",
        title=person.name,
        dd=dd,
        residences=dd.residences.rows,
        employments=dd.employments.rows,
        problems=list(problems[:PROBLEMS_SHOWN]),
        leads=list(person_leads(actor=user, person_id=person.pk)[:PROBLEMS_SHOWN]),
        limit=dd.limit,
        purpose_qs=purpose_query(purpose),
        extra_links=[
            {"url": reverse("web:lead_report") + f"?person={person.pk}", "label": _("Report a lead")},
        ],
    )


@login_required
@scoped
def person_register_view(request: HttpRequest, house_pk: int) -> HttpResponse:
    """实有人口采集: record a person living in this house (a new person, or one found by document)."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    house = house_get(actor=user, pk=house_pk)
    form = PersonRegisterForm(posted(request), user=user, initial={"id_type": "111", "ethnicity": "01"})

    def done(result: tuple[Person, Any]) -> HttpResponse:
        person, warnings = result
        return saved(
            request, _("%(name)s was recorded.") % {"name": person.name}, _detail_url(person.pk), warnings
        )

    return form_page(
        request,
        form,
        save=lambda: person_register(
            actor=user,
            person=form.person_data(),
            house_id=house.pk,
            residence=form.residence_data(landlord_id(request, form)),
            reason=form.cleaned_data["change_reason"],
        ),
        done=done,
        title=_("Register a resident"),
        intro=house.address.full_name,
        back_url=reverse("web:house_detail", args=[house.pk]),
    )


@login_required
@scoped
def person_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    person = person_get(actor=user, pk=pk, request=request)
    form = PersonEditForm(posted(request), user=user, initial=initial_from(person, PersonEditForm))
    return form_page(
        request,
        form,
        save=lambda: person_update(
            actor=user,
            person=person,
            expected_version=form.cleaned_data["version"],
            data=form.person_data(),
            reason=form.cleaned_data["change_reason"],
        ),
        done=lambda result: saved(request, _("The changes were saved."), _detail_url(person.pk), result[1]),
        title=_("Edit person"),
        intro=person.name,
        back_url=_detail_url(person.pk),
    )


@login_required
@scoped
def residence_end_view(request: HttpRequest, pk: int, residence_pk: int) -> HttpResponse:
    """迁出 / 结束居住: end one of the person's current residences (→ ``residence_end``).

    Only a current residence in the user's scope can be ended; any other id is a 404.
    """
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    person = person_get(actor=user, pk=pk, request=request)
    residence = person_residences(actor=user, person=person).filter(pk=residence_pk, active=True).first()
    if residence is None:
        raise NotFound()
    form = ResidenceEndForm(
        posted(request), initial={"until": timezone.localdate(), "version": residence.version}
    )
    return form_page(
        request,
        form,
        save=lambda: residence_end(
            actor=user,
            residence=residence,
            until=form.cleaned_data["until"],
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        done=lambda _result: saved(request, _("The residence was ended."), _detail_url(person.pk)),
        title=_("End residence"),
        intro=_("%(name)s at %(address)s")
        % {"name": person.name, "address": residence.house.address.full_name},
        back_url=_detail_url(person.pk),
    )
