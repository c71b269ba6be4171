"""Import page, the import templates, and the pages of background jobs (web imports and exports).

A job is its starter's alone (``jobs.selectors.job_get``: 404 for anyone else); its rows were
scoped when it ran (the importer and exporter scope by the starter's jurisdiction), so these views
read no business data through other paths. The job page works without JavaScript (it reloads
itself through a ``<noscript>`` refresh); ``static/web/job.js`` polls ``job_status`` instead and
moves the progress bar.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ybss.core.errors import NotFound
from ybss.jobs import runner
from ybss.jobs.models import Job, JobKind, JobState
from ybss.jobs.selectors import Progress, files_expired, job_file, job_get, job_list, job_progress
from ybss.jobs.services import import_submit
from ybss.org import jurisdiction
from ybss.transfer.columns import KINDS, TEMPLATES
from ybss.transfer.templates_xlsx import write_template

from ..forms.transfer import KIND_LABELS, ImportForm
from ..templatetags.ybss_web import thousands
from .common import actor_of, not_scoped, require_business_access
from .writes import call_service, require_edit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STAGES = {
    "": gettext_lazy("Waiting to start"),
    "validate": gettext_lazy("Checking"),
    "write": gettext_lazy("Writing"),
    "index": gettext_lazy("Rebuilding indexes"),
    "export": gettext_lazy("Exporting"),
    "duplicates": gettext_lazy("Checking for duplicate addresses"),
    "compare": gettext_lazy("Comparing the list with the population"),
}
OTHER_STAGE = gettext_lazy("Working")
OUTCOMES = {
    "written": gettext_lazy("All rows written."),
    "partial": gettext_lazy("The correct rows were written; the wrong rows are in the file to correct."),
    "rejected": gettext_lazy("The file was rejected: nothing was written. Correct the rows listed below."),
    "dry_run": gettext_lazy("Dry run: nothing was written."),
}
FORMATS = {"xlsx": "Excel", "csv": "CSV"}


def job_title(job: Job) -> str:
    if job.kind in (JobKind.DUPLICATES, JobKind.WATCHLIST):
        return str(JobKind(job.kind).label)
    kind = KIND_LABELS.get(job.params.get("kind", ""), "")
    if job.kind == JobKind.IMPORT:
        return _("Import of %(kind)s: %(file)s") % {"kind": kind, "file": job.params.get("file_name", "")}
    fmt = FORMATS.get(job.params.get("format", ""), "")
    return _("Export of %(kind)s (%(format)s)") % {"kind": kind, "format": fmt}


def _count_label(p: Progress) -> str:
    if p.stage == "compare":
        return _("%(done)s of %(total)s persons") % {
            "done": thousands(p.done),
            "total": thousands(p.total or 0),
        }
    if p.stage == "duplicates":
        return _("%(done)s of %(total)s addresses") % {
            "done": thousands(p.done),
            "total": thousands(p.total or 0),
        }
    if p.total is None:
        return _("%(done)s rows") % {"done": thousands(p.done)}
    return _("%(done)s of %(total)s rows") % {"done": thousands(p.done), "total": thousands(p.total)}


def status_payload(job: Job) -> dict[str, Any]:
    """What the status endpoint answers and the job page shows of the progress."""
    p = job_progress(job)
    return {
        "id": job.pk,
        "state": p.state,
        "state_label": str(JobState(p.state).label),
        "stage": p.stage,
        "stage_label": str(STAGES.get(p.stage, OTHER_STAGE)),
        "done": p.done,
        "total": p.total,
        "percent": p.percent,
        "count_label": _count_label(p),
        "finished": p.finished,
    }


def _recent(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
    return [
        {"job": j, "title": job_title(j), "url": reverse("web:job_detail", args=[j.pk])}
        for j in job_list(actor=actor_of(request), limit=limit)
    ]


def _template_links() -> list[dict[str, Any]]:
    return [
        {"label": KIND_LABELS[k], "url": reverse("web:import_template", args=[k]), "kind": k} for k in KINDS
    ]


@login_required
@not_scoped("the upload form and the user's own jobs; the importer scopes every row to the user")
def import_view(request: HttpRequest) -> HttpResponse:
    """GET: the upload form; POST: start an import job and go to its page (400 with field errors
    for a bad upload)."""
    require_business_access(request)
    require_edit(request)
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            data = form.cleaned_data

            def save() -> Job:
                return import_submit(
                    actor=actor_of(request),
                    kind=data["kind"],
                    upload=data["file"],
                    file_name=data["file"].name,
                    dry_run=data["dry_run"],
                    good_rows=data["good_rows"],
                    language=getattr(request, "LANGUAGE_CODE", ""),
                )

            job, status = call_service(form, save)
            if job is not None:
                return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))
    else:
        form = ImportForm(initial={"kind": request.GET.get("kind", "persons")})
    context = {
        "title": _("Import records from a file"),
        "form": form,
        "templates": _template_links(),
        "jobs": _recent(request, limit=10),
    }
    return render(request, "web/jobs/import.html", context, status=status)


@login_required
@require_GET
@not_scoped("an empty template: headers, notes and code lists, no records")
def import_template(request: HttpRequest, kind: str) -> FileResponse:
    """The Excel import template of ``kind`` (the same layout exports are written in)."""
    if kind not in KINDS:
        raise NotFound()
    buffer = io.BytesIO()
    write_template(kind, buffer)
    buffer.seek(0)
    label = _("import template")
    name = f"{TEMPLATES[kind].title}{label}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_GET
@not_scoped("the user's own jobs (jobs.selectors.job_list)")
def jobs_view(request: HttpRequest) -> HttpResponse:
    runner.ensure_swept()
    context = {
        "days": settings.YBSS_JOB_FILES_DAYS,
        "title": _("Imports and exports"),
        "jobs": _recent(request),
        "can_import": jurisdiction.can_edit(actor_of(request))
        and jurisdiction.can_see_business_data(actor_of(request)),
    }
    return render(request, "web/jobs/list.html", context)


@login_required
@require_GET
@never_cache
@not_scoped("a job is its starter's alone (jobs.selectors.job_get: 404 for anyone else)")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress while it runs; then its summary, the first problems and the files."""
    runner.ensure_swept()
    job = job_get(actor=actor_of(request), pk=pk)
    result = job.result or {}
    context = {
        "title": job_title(job),
        "job": job,
        "status": status_payload(job),
        "result": result,
        "outcome": OUTCOMES.get(result.get("outcome", ""), ""),
        "issues_more": max(0, result.get("issues_total", 0) - len(result.get("issues", []))),
        "files": {name: reverse("web:job_file", args=[job.pk, name]) for name in (job.files or {})},
        "files_expired": files_expired(job),
        "status_url": reverse("web:job_status", args=[job.pk]),
        "kind_url": reverse(f"web:{job.params.get('kind')}") if job.params.get("kind") in KINDS else "",
        "duplicates_url": reverse("web:cleaning:duplicates"),
    }
    return render(request, "web/jobs/detail.html", context)


@login_required
@require_GET
@never_cache
@not_scoped("a job is its starter's alone (jobs.selectors.job_get: 404 for anyone else)")
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's state and progress as JSON, for ``static/web/job.js``."""
    job = job_get(actor=actor_of(request), pk=pk)
    return JsonResponse(status_payload(job))


@login_required
@require_GET
@never_cache
@not_scoped("a job's own file, its starter's alone; exports were scoped and masked when written")
def job_file_view(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """Download one file of a job: "report" (every problem, Excel), "fixable" (the wrong rows to
    correct) or "export"."""
    path, download = job_file(actor=actor_of(request), pk=pk, name=name)
    content_type = XLSX if path.suffix == ".xlsx" else "text/csv; charset=utf-8"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=download, content_type=content_type)
