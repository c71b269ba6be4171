"""The field check of a house (核查) and of a unit (核实): one form for both, on the record's page
for reviewing roles (``jurisdiction.can_review``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ybss.collection.services import verification_record

from ..forms.actions import VerifyForm
from .common import actor_of
from .writes import form_page, posted, saved


def verify_page(
    request: HttpRequest,
    record: Any,
    *,
    record_type: str,
    title: Any,
    intro: Any,
    back_url: str,
) -> HttpResponse:
    """The check of ``record`` (already fetched in scope, a ``house`` or ``unit`` by
    ``record_type``): ``collection.services.verification_record`` with the outcome, the note and
    where the officer stood (the browser's GPS, when allowed)."""
    form = VerifyForm(posted(request), initial={"version": record.version})

    def done(_result: Any) -> HttpResponse:
        if form.cleaned_data["ok"]:
            return saved(request, _("Recorded: verified, no problems."), back_url)
        return saved(request, _("Recorded: the check found problems."), back_url)

    return form_page(
        request,
        form,
        save=lambda: verification_record(
            actor=actor_of(request),
            record_type=record_type,
            record_id=record.pk,
            expected_version=form.cleaned_data["version"],
            ok=form.cleaned_data["ok"],
            note=form.cleaned_data["reason"],
            lat=form.cleaned_data.get("lat"),
            lng=form.cleaned_data.get("lng"),
            accuracy_m=form.cleaned_data.get("accuracy_m"),
        ),
        done=done,
        title=title,
        intro=intro,
        back_url=back_url,
    )
