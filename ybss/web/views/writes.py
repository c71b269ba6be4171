"""Create, edit, action and status-change pages: parse the form → one service call → redirect, or
re-render the form with the service's field errors (400; 409 when someone else saved first).

``NotFound`` and ``Forbidden`` from a service are not form errors: they reach ``AppErrorMiddleware``
and render the 404/403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from ybss.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from ybss.core.findings import Finding
from ybss.org import jurisdiction
from ybss.registry.selectors import PersonFilters, person_list

from ..forms.records import apply_error
from .common import actor_of

FORM_TEMPLATE = "web/form.html"


def require_edit(request: HttpRequest) -> None:
    if not jurisdiction.can_edit(actor_of(request)):
        raise Forbidden()


def require_review(request: HttpRequest) -> None:
    """Forbidden unless the user may review and verify (community officer, chief, admin)."""
    if not jurisdiction.can_review(actor_of(request)):
        raise Forbidden()


def posted(request: HttpRequest) -> QueryDict | None:
    """A form's data: the POST body (even an empty one, so it earns "required" errors), else None."""
    return request.POST if request.method == "POST" else None


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
    submit: Any = None,
    status: int = 200,
    intro: Any = "",
) -> HttpResponse:
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "submit": submit or _("Save"),
            "intro": intro,
        },
        status=status,
    )


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], Any],
    done: Callable[[Any], HttpResponse],
    title: Any,
    back_url: str,
    intro: Any = "",
    submit: Any = None,
) -> HttpResponse:
    """The one shape of every form page. GET shows ``form``; POST checks its shape, then runs
    ``save`` (the one service call, reading ``form.cleaned_data``) and answers ``done(result)``,
    or shows the form again with the errors and status 400 (409 when someone else saved first)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = call_service(form, save)
            if result is not None:
                return done(result)
    return render_form(
        request, form, title=title, back_url=back_url, submit=submit, status=status, intro=intro
    )


def saved(request: HttpRequest, message: Any, url: str, warnings: Sequence[Finding] = ()) -> HttpResponse:
    """After a successful save: ``message`` (and any warnings) shown once on ``url``."""
    messages.success(request, message)
    report_warnings(request, warnings)
    return HttpResponseRedirect(url)


def report_warnings(request: HttpRequest, warnings: Sequence[Finding]) -> None:
    """Warnings (kept for review) are shown once on the next page."""
    for finding in warnings:
        messages.warning(request, str(finding.message))


def person_id_by_number(request: HttpRequest, number: str, *, field: str, purpose: Any) -> int:
    """The person in the user's scope with ID number ``number`` (as typed: case and spaces aside).

    The look-up is a person search, so the selector audits it with ``purpose``. A number that
    matches nobody in scope raises ``InvalidInput`` on ``field``: call it inside ``form_page``'s
    ``save`` so the message lands next to the input.
    """
    value = number.strip().upper()
    person = None
    if value:
        person = (
            person_list(
                actor=actor_of(request), filters=PersonFilters(q=value), purpose=str(purpose), request=request
            )
            .filter(id_number=value)
            .first()
        )
    if person is None:
        raise InvalidInput(
            code="person.not_found",
            fields={field: [_("No person with this ID number is recorded in your jurisdiction.")]},
        )
    return person.pk


def landlord_id(request: HttpRequest, form: forms.Form) -> int | None:
    """The landlord typed (by ID number) into the house and resident forms; None when left empty."""
    number = form.cleaned_data.get("landlord") or ""
    if not number.strip():
        return None
    return person_id_by_number(
        request, number, field="landlord", purpose=_("Landlord look-up while editing a record")
    )
