"""Person (实有人口) pages: search, detail, CSV export. Every read and search is audited by the
selectors; an investigator's search must state its purpose (``PersonFilterForm``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ybss.registry.selectors import person_employments, person_get, person_list, person_residences

from ..display import timeline
from ..exports import PERSON_COLUMNS
from ..forms.filters import PersonFilterForm
from .common import require_business_access, scoped
from .lists import ListSpec, export_csv, list_page


def _fetch(request: HttpRequest, form: PersonFilterForm):  # type: ignore[no-untyped-def]
    return person_list(
        actor=request.user,  # type: ignore[arg-type]
        filters=form.to_filters(),
        purpose=form.purpose,
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
def person_export(request: HttpRequest) -> HttpResponse:
    return export_csv(request, SPEC)


@login_required
@scoped
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person; the read is audited with the purpose carried over from the search, if any."""
    require_business_access(request)
    user = request.user
    purpose = request.GET.get("purpose", "").strip()[:200]
    person = person_get(actor=user, pk=pk, purpose=purpose, request=request)  # type: ignore[arg-type]
    return render(
        request,
        "web/persons/detail.html",
        {
            "person": person,
            "title": person.name,
            "residences": list(person_residences(actor=user, person=person)),  # type: ignore[arg-type]
            "employments": list(person_employments(actor=user, person=person)),  # type: ignore[arg-type]
            "history": timeline(user, person),  # type: ignore[arg-type]
        },
    )
