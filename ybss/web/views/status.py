"""The status-transition form on every detail page: submit for review, accept, return, void."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.addresses.selectors import address_get
from ybss.audit.records import record_move
from ybss.core.models import RecordStatus
from ybss.registry.selectors import house_get, person_get, unit_get

from ..forms.records import TransitionForm, transition_options
from .common import actor_of, require_business_access, scoped
from .writes import call_service, require_edit

#: entity → (scoped getter, detail URL name)
ENTITIES: dict[str, tuple[Callable[..., Any], str]] = {
    "address": (lambda request, pk: address_get(actor=actor_of(request), pk=pk), "web:address_detail"),
    "house": (lambda request, pk: house_get(actor=actor_of(request), pk=pk), "web:house_detail"),
    "person": (
        lambda request, pk: person_get(actor=actor_of(request), pk=pk, request=request),
        "web:person_detail",
    ),
    "unit": (lambda request, pk: unit_get(actor=actor_of(request), pk=pk), "web:unit_detail"),
}


def status_view(entity: str) -> Callable[[HttpRequest, int], HttpResponse]:
    getter, detail = ENTITIES[entity]

    @login_required
    @scoped
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        require_business_access(request)
        require_edit(request)
        record = getter(request, pk)
        form = TransitionForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            result, status = call_service(
                form,
                lambda: record_move(
                    actor=actor_of(request),
                    record=record,
                    to=data["to"],
                    expected_version=data["version"],
                    reason=data["reason"],
                ),
            )
            if result is not None:
                messages.success(
                    request,
                    _("Status changed to “%(status)s”.") % {"status": RecordStatus(result.status).label},
                )
                return HttpResponseRedirect(reverse(detail, args=[pk]))
        return render(
            request,
            "web/status_form.html",
            {
                "title": _("Change status"),
                "record": record,
                "heading": str(record),
                "form": form,
                "options": transition_options(actor_of(request), record),
                "back_url": reverse(detail, args=[pk]),
                "action_url": request.path,
            },
            status=status,
        )

    view.__name__ = f"{entity}_status"
    return view


address_status = status_view("address")
house_status = status_view("house")
person_status = status_view("person")
unit_status = status_view("unit")
