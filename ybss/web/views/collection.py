"""Collection tasks and progress (采集任务): the station's and officer's planning pages.

The list shows open tasks with progress, progress by collector / police district / station, and
the verification rates; the form assigns a collector the households of a village's (or one
street's) door plates; a task page lists its households with their last outcome.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.addresses.models import AddressLevel, StandardAddress
from ybss.collection import selectors, services
from ybss.collection.models import TaskState
from ybss.core.errors import Forbidden
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import User

from ..forms.collection import TaskForm
from .common import actor_of, paginate, require_business_access, scoped
from .writes import call_service, posted, render_form


def _can_plan(user: User) -> bool:
    return user.role in services.PLANNING_ROLES


@login_required
@scoped
def tasks(request: HttpRequest) -> HttpResponse:
    """Open tasks with progress, and progress by collector, district and station."""
    require_business_access(request)
    actor = actor_of(request)
    state = request.GET.get("state", TaskState.OPEN)
    if state not in TaskState.values:
        state = TaskState.OPEN
    by = request.GET.get("by", "collector")
    if by not in ("collector", "district", "station"):
        by = "collector"
    paged = paginate(request, selectors.task_list(actor=actor, state=state))
    return render(
        request,
        "web/collection/tasks.html",
        {
            "title": _("Collection tasks"),
            "paged": paged,
            "page": paged.page,
            "state": state,
            "states": TaskState.choices,
            "by": by,
            "progress": selectors.progress(actor=actor, by=by),
            "rates": selectors.verification_rates(actor=actor),
            "can_plan": _can_plan(actor),
        },
    )


@login_required
@scoped
def task_new(request: HttpRequest) -> HttpResponse:
    """Assign a collector the households under a village's (or one street's) door plates."""
    require_business_access(request)
    actor = actor_of(request)
    if not _can_plan(actor):
        raise Forbidden()
    form = TaskForm(posted(request), actor=actor)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            doors = (
                jurisdiction.scope(StandardAddress.objects.all(), actor)
                .filter(level=AddressLevel.DOOR, division_id=data["village"])
                .exclude(status=RecordStatus.VOIDED)
            )
            if data.get("road"):
                doors = doors.filter(road_id=data["road"])
            assignee = User.objects.filter(pk=data["assignee"]).first()
            task, status = call_service(
                form,
                lambda: services.task_create(
                    actor=actor,
                    assignee=assignee,
                    name=data["name"],
                    deadline=data["deadline"],
                    door_ids=list(doors.values_list("pk", flat=True)),
                    target=data.get("target"),
                    note=data.get("note") or "",
                ),
            )
            if task is not None:
                messages.success(request, _("Task created."))
                return HttpResponseRedirect(reverse("web:collection:task", args=[task.pk]))
    return render_form(
        request,
        form,
        title=_("New collection task"),
        back_url=reverse("web:collection:tasks"),
        submit=_("Create task"),
        status=status,
        intro=_(
            "The collector is given every household under the chosen door plates that no open task holds."
        ),
    )


@login_required
@scoped
def task(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: its households, their last outcome and visits."""
    require_business_access(request)
    actor = actor_of(request)
    t = selectors.task_get(actor=actor, pk=pk)
    items = t.items.select_related("address").order_by("seq", "pk")
    paged = paginate(request, items, per_page=100)
    done = t.items.filter(done_at__isnull=False).count()
    return render(
        request,
        "web/collection/task.html",
        {
            "title": t.name,
            "task": t,
            "paged": paged,
            "page": paged.page,
            "done": done,
            "percent": min(100, round(100 * done / t.target)) if t.target else 0,
            "can_plan": _can_plan(actor) and t.state == TaskState.OPEN,
        },
    )


@login_required
@scoped
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    t = selectors.task_get(actor=actor, pk=pk)
    state = request.POST.get("state", TaskState.CLOSED)
    services.task_close(actor=actor, task=t, state=state, reason=request.POST.get("reason", ""))
    messages.success(request, _("Task closed."))
    return HttpResponseRedirect(reverse("web:collection:task", args=[pk]))
