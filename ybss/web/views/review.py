"""Review of collectors' submissions (审核) and station / county acceptance (验收).

The queue lists household submissions waiting in the reviewer's jurisdiction; one submission
shows each entity beside its registry record with the differences highlighted, its GPS, device
and timings, and its history; the decision form passes, passes and overwrites, returns with a
reason or voids as a duplicate. Acceptance lists passed submissions for the chief (station) or
the supervisor (county).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.collection import review, selectors
from ybss.collection.models import OPEN_STATES, SubmissionState
from ybss.core.errors import AppError, Conflict, Forbidden, NotFound

from .common import actor_of, paginate, require_business_access, scoped
from .writes import require_review


def _tabs() -> list[tuple[str, str]]:
    return [
        ("open", _("Waiting for review")),
        ("conflict", _("Conflicts")),
        ("passed", _("Passed")),
        ("returned", _("Returned")),
        ("voided", _("Voided")),
        ("all", _("All")),
    ]


@login_required
@scoped
def queue(request: HttpRequest) -> HttpResponse:
    """The reviewer's queue of household submissions, oldest waiting first."""
    require_business_access(request)
    actor = actor_of(request)
    state = request.GET.get("state", "open")
    if state not in {k for k, _label in _tabs()}:
        state = "open"
    qs = selectors.review_queue(actor=actor, filters=selectors.QueueFilters(state=state))
    paged = paginate(request, qs)
    return render(
        request,
        "web/review/queue.html",
        {
            "title": _("Review submissions"),
            "paged": paged,
            "page": paged.page,
            "state": state,
            "tabs": _tabs(),
            "can_review": actor.role in ("officer", "chief", "admin"),
        },
    )


@login_required
@scoped
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One submission side by side with the registry, and the decision form."""
    require_business_access(request)
    return _detail(request, pk)


def _detail(
    request: HttpRequest, pk: int, *, error: AppError | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    sub = selectors.submission_get(actor=actor, pk=pk, request=request)
    blocks = selectors.submission_comparison(actor=actor, sub=sub)
    return render(
        request,
        "web/review/detail.html",
        {
            "title": _("Submission %(id)s") % {"id": sub.short_id},
            "sub": sub,
            "conflicts": selectors.conflict_lines(sub),
            "blocks": blocks,
            "events": sub.events.select_related("actor").all(),
            "photos": sub.photos.all(),
            "effects": sub.effects.all(),
            "open": sub.state in OPEN_STATES,
            "conflict": sub.state == SubmissionState.CONFLICT,
            "can_review": actor.role in ("officer", "chief", "admin"),
            "can_accept": actor.role in ("chief", "supervisor", "admin")
            and sub.state == SubmissionState.PASSED,
            "error": error,
            "error_fields": {k: [str(m) for m in v] for k, v in (error.fields if error else {}).items()},
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
        },
        status=status,
    )


@login_required
@scoped
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass, pass and overwrite, return (with reason) or void (with reason)."""
    require_business_access(request)
    require_review(request)
    action = request.POST.get("action", "")
    try:
        sub = review.submission_decide(
            actor=actor_of(request), submission_id=pk, action=action, reason=request.POST.get("reason", "")
        )
    except (NotFound, Forbidden):
        raise
    except Conflict as err:
        return _detail(request, pk, error=err, status=409)
    except AppError as err:
        return _detail(request, pk, error=err, status=err.status)
    messages.success(
        request,
        _("Submission %(id)s: %(state)s.") % {"id": sub.short_id, "state": SubmissionState(sub.state).label},
    )
    nxt = selectors.review_queue(actor=actor_of(request)).exclude(pk=sub.pk).first()
    return HttpResponseRedirect(
        reverse("web:review:detail", args=[nxt.pk]) if nxt else reverse("web:review:queue")
    )


@login_required
@scoped
def acceptance(request: HttpRequest) -> HttpResponse:
    """验收: passed submissions awaiting the station's (chief) or the county's (supervisor) acceptance."""
    require_business_access(request)
    actor = actor_of(request)
    level = "county" if actor.role == "supervisor" else "station"
    if actor.role not in ("chief", "supervisor", "admin"):
        raise Forbidden()
    if actor.role == "admin" and request.GET.get("level") == "county":
        level = "county"
    todo = "county_todo" if level == "county" else "station_todo"
    qs = selectors.review_queue(actor=actor, filters=selectors.QueueFilters(state="passed", accepted=todo))
    status = 200
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        if request.POST.get("action") == "send_back":
            try:
                sub_id = ids[0] if ids else 0
                review.acceptance_send_back(
                    actor=actor, submission_id=sub_id, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Sent back to the collector."))
                return HttpResponseRedirect(request.get_full_path())
            except (NotFound, Forbidden):
                raise
            except AppError as err:
                messages.error(
                    request, " ".join([str(err.message), *[str(m) for v in err.fields.values() for m in v]])
                )
                status = err.status
        else:
            n = review.acceptance_accept(actor=actor, submission_ids=ids, level=level)
            messages.success(request, _("%(n)d submissions accepted.") % {"n": n})
            return HttpResponseRedirect(request.get_full_path())
    paged = paginate(request, qs)
    return render(
        request,
        "web/review/acceptance.html",
        {
            "title": _("County acceptance") if level == "county" else _("Station acceptance"),
            "paged": paged,
            "page": paged.page,
            "level": level,
        },
        status=status,
    )


@login_required
@scoped
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo sent with a submission (in scope; the door plate, usually)."""
    from django.http import FileResponse

    from ybss.collection.models import Photo
    from ybss.collection.services import photo_file
    from ybss.org import jurisdiction

    require_business_access(request)
    p = jurisdiction.get_in_scope(Photo.objects.all(), actor_of(request), pk=pk)
    path = photo_file(p)
    if not path.exists():
        raise NotFound()
    return FileResponse(path.open("rb"), content_type=p.content_type)
