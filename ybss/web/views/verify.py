"""The field check of a house (核查) and of a unit (核实): one form for both, on the record's page
for reviewing roles (``jurisdiction.can_review``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ..forms.actions import VerifyForm
from .common import actor_of
from .writes import form_page, posted, saved


def verify_page(
    request: HttpRequest,
    record: Any,
    *,
    verify: Callable[..., Any],
    title: Any,
    intro: Any,
    back_url: str,
) -> HttpResponse:
    """The check of ``record`` (already fetched in scope). ``verify`` is the service with the record
    bound, e.g. ``partial(house_verify, house=house)``; it gets actor, version, outcome and note."""
    form = VerifyForm(posted(request), initial={"version": record.version})

    def done(_result: Any) -> HttpResponse:
        if form.cleaned_data["ok"]:
            return saved(request, _("Recorded: verified, no problems."), back_url)
        return saved(request, _("Recorded: the check found problems."), back_url)

    return form_page(
        request,
        form,
        save=lambda: verify(
            actor=actor_of(request),
            expected_version=form.cleaned_data["version"],
            ok=form.cleaned_data["ok"],
            reason=form.cleaned_data["reason"],
        ),
        done=done,
        title=title,
        intro=intro,
        back_url=back_url,
    )
