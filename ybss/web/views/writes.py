"""Create, edit and status-change pages: parse the form → one service call → redirect, or re-render
the form with the service's field errors (400; 409 when someone else saved first).

``NotFound`` and ``Forbidden`` from a service are not form errors: they reach ``AppErrorMiddleware``
and render the 404/403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ybss.core.errors import AppError, Conflict, Forbidden, NotFound
from ybss.core.findings import Finding
from ybss.org import jurisdiction
from ybss.registry.selectors import PersonFilters, person_list

from ..forms.records import apply_error
from .common import actor_of

FORM_TEMPLATE = "web/form.html"


def require_edit(request: HttpRequest) -> None:
    if not jurisdiction.can_edit(actor_of(request)):
        raise Forbidden()


def call_service(form: forms.Form, call: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``call``; on an expected failure put its messages on ``form`` and return the status."""
    try:
        return call(), 200
    except (NotFound, Forbidden):
        raise
    except Conflict as err:
        apply_error(form, err)
        return None, 409
    except AppError as err:
        apply_error(form, err)
        return None, err.status


def render_form(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: Any,
    back_url: str,
    submit: Any,
    status: int = 200,
    intro: Any = "",
) -> HttpResponse:
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": title, "back_url": back_url, "submit": submit, "intro": intro},
        status=status,
    )


def report_warnings(request: HttpRequest, warnings: list[Finding]) -> None:
    """Warnings (kept for review) are shown once on the next page."""
    for finding in warnings:
        messages.warning(request, str(finding.message))


def find_person_by_id_number(request: HttpRequest, form: forms.Form, field: str) -> tuple[bool, int | None]:
    """Resolve an ID number typed into ``field`` to a person in scope. Returns (ok, person id).

    The look-up is a person search, so the selector audits it (purpose: the form's task).
    """
    value = (form.cleaned_data.get(field) or "").strip().upper()
    if not value:
        return True, None
    found = person_list(
        actor=actor_of(request),
        filters=PersonFilters(q=value),
        purpose=_("Landlord look-up while editing a record"),
        request=request,
    ).filter(id_number=value)
    person = found.first()
    if person is None:
        form.add_error(field, _("No person with this ID number is recorded in your jurisdiction."))
        return False, None
    return True, person.pk
