"""The shared frame of the record pages (address, house, person, unit): the record, its history,
and the edit, status and action links the user's role allows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ybss.org import jurisdiction
from ybss.registry.drilldown import PURPOSE_MAX

from ..display import timeline
from ..forms.records import transition_options
from .common import actor_of


def detail_page(
    request: HttpRequest, record: Any, *, kind: str, template: str, title: Any, **context: Any
) -> HttpResponse:
    """Render ``template`` for ``record`` (already fetched in scope) under the name ``kind``.

    ``kind`` also names the record's URLs: ``web:<kind>_edit`` and ``web:<kind>_status``.
    ``context`` adds what only this page shows (related rows, ``extra_links``, ``verify_url``).
    """
    user = actor_of(request)
    return render(
        request,
        template,
        {
            kind: record,
            "title": title,
            "history": timeline(user, record),
            "can_edit": jurisdiction.can_edit(user),
            "can_review": jurisdiction.can_review(user),
            "edit_url": reverse(f"web:{kind}_edit", args=[record.pk]),
            "status_url": reverse(f"web:{kind}_status", args=[record.pk]),
            "transitions": transition_options(user, record),
            **context,
        },
    )


def carried_purpose(request: HttpRequest) -> str:
    """The purpose carried over in ``?purpose=`` (from a search or another drill-down page),
    trimmed; '' when none. The drill-down selectors fall back to the page's routine purpose."""
    return request.GET.get("purpose", "").strip()[:PURPOSE_MAX]


def purpose_query(purpose: str) -> str:
    """``?purpose=…`` to carry a stated purpose on to the next drill-down link ('' when none)."""
    return "?" + urlencode({"purpose": purpose}) if purpose else ""
