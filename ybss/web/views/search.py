"""一键搜索: one box for ID numbers (whole, partial, masked), names (near spellings, traditional,
pinyin, initials), phones, unit names and credit codes, and address fragments, with a stated
purpose; results grouped by entity (persons, units, addresses; ``kinds`` narrows them) and ranked,
each with the reasons it matched. The search is scoped and audited by ``ybss.search.selectors.search``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ybss.core.errors import InvalidInput
from ybss.search.models import SearchPurpose
from ybss.search.selectors import GROUP_LABELS, KINDS, search

from .common import actor_of, require_business_access, scoped


@login_required
@scoped
def search_view(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    q = request.GET.get("q", "")[:200]
    purpose = request.GET.get("purpose", "")[:20]
    note = request.GET.get("purpose_note", "")[:300]
    kinds = [k[:20] for k in request.GET.getlist("kinds")[:10] if k.strip()]
    result, errors, status = None, {}, 200
    if q.strip() or "purpose" in request.GET:
        try:
            result = search(
                actor=actor_of(request),
                text=q,
                purpose=purpose,
                purpose_note=note,
                kinds=kinds or None,
                request=request,
            )
        except InvalidInput as err:
            errors = {k: [str(m) for m in v] for k, v in err.fields.items()}
            status = err.status
    stated = ""
    if result is not None:
        stated = str(SearchPurpose(purpose).label) + (f": {note.strip()}" if note.strip() else "")
    return render(
        request,
        "web/search/search.html",
        {
            "title": _("Search"),
            "q": q,
            "purpose": purpose,
            "purpose_note": note,
            "purposes": SearchPurpose.choices,
            "kind_choices": [(k, GROUP_LABELS[k]) for k in KINDS],
            "kinds": kinds,
            "result": result,
            "errors": errors,
            "stated_purpose": stated,
        },
        status=status,
    )
