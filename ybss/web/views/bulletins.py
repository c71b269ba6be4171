"""Bulletins (通报 第N期): the list, a new draft, one bulletin (a draft with its wording to edit and
the issue button; an issued one with its files and the revise button; every version), the draft's
PDF preview and the downloads. Drafting, issuing and revising are for the county supervisor and
admin (``jurisdiction.can_issue_bulletins``); chiefs and officers of the county read."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ybss.core.errors import Conflict, Forbidden, NotFound
from ybss.jobs.services import bulletin_issue_submit
from ybss.org import jurisdiction
from ybss.supervision import bulletin_render, bulletins
from ybss.supervision.models import Bulletin, BulletinState

from ..forms.bulletins import BulletinIssueForm, BulletinNewForm, BulletinReviseForm, BulletinTextForm
from .common import actor_of, paginate, require_business_access, scoped
from .writes import call_service, posted, render_form


def _url(b: Bulletin) -> str:
    return reverse("web:bulletins:detail", args=[b.pk])


def _page_content(b: Bulletin) -> dict[str, Any]:
    """What the page shows: an issued bulletin's stored content; a draft's content with its
    current wording."""
    if b.state != BulletinState.DRAFT:
        return b.content
    return {
        **b.content,
        "title": b.title,
        "praise": b.praise,
        "criticism": b.criticism,
        "remarks": b.remarks,
        "version": b.version,
    }


@login_required
@scoped
def bulletin_list(request: HttpRequest) -> HttpResponse:
    require_business_access(request)
    actor = actor_of(request)
    paged = paginate(request, bulletins.bulletin_list(actor=actor))
    return render(
        request,
        "web/supervision/bulletin_list.html",
        {
            "title": _("Bulletins"),
            "paged": paged,
            "page": paged.page,
            "can_issue": jurisdiction.can_issue_bulletins(actor),
        },
    )


@login_required
@scoped
def bulletin_new(request: HttpRequest) -> HttpResponse:
    """A new draft: the date of the figures and, optionally, a title."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    form = BulletinNewForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            b, status = call_service(
                form,
                lambda: bulletins.bulletin_draft(
                    actor=actor, as_of=data["as_of"], title=data.get("title") or None
                ),
            )
            if b is not None:
                messages.success(
                    request, _("Draft created: check the figures and the wording, then issue it.")
                )
                return HttpResponseRedirect(_url(b))
    return render_form(
        request,
        form,
        title=_("New bulletin"),
        back_url=reverse("web:bulletins:list"),
        submit=_("Create the draft"),
        status=status,
        intro=_(
            "The draft takes the county’s figures of the chosen day (rates, station ranking, problems, "
            "spot checks, targets) and suggests the praise and criticism; nothing is published until "
            "it is issued."
        ),
    )


def _detail(
    request: HttpRequest,
    b: Bulletin,
    *,
    text_form: BulletinTextForm | None = None,
    issue_form: BulletinIssueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    can_issue = jurisdiction.can_issue_bulletins(actor)
    draft = b.state == BulletinState.DRAFT
    if text_form is None and draft:
        text_form = BulletinTextForm(
            initial={"title": b.title, "praise": b.praise, "criticism": b.criticism, "remarks": b.remarks}
        )
    return render(
        request,
        "web/supervision/bulletin_detail.html",
        {
            "title": b.title,
            "b": b,
            "doc": bulletin_render.document(_page_content(b)),
            "content": b.content,
            "draft": draft,
            "can_issue": can_issue,
            "text_form": text_form if can_issue and draft else None,
            "show_wording": not (can_issue and draft),
            "issue_form": (issue_form or BulletinIssueForm()) if can_issue and draft else None,
            "revise_form": BulletinReviseForm() if can_issue and b.state == BulletinState.ISSUED else None,
            "versions": bulletins.bulletin_versions(actor=actor, bulletin=b),
            "files": [
                (k, k.upper() if k == "pdf" else {"docx": "Word", "xlsx": "Excel"}[k])
                for k in bulletins.FILE_KINDS
            ],
        },
        status=status,
    )


@login_required
@scoped
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    return _detail(request, bulletins.bulletin_get(actor=actor_of(request), pk=pk))


@login_required
@scoped
@require_POST
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the wording of a draft (and retake its figures when asked)."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    b = bulletins.bulletin_get(actor=actor, pk=pk)
    form = BulletinTextForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved, status = call_service(
            form,
            lambda: bulletins.bulletin_update_draft(
                actor=actor,
                bulletin=b,
                title=data.get("title") or "",
                praise=data.get("praise") or "",
                criticism=data.get("criticism") or "",
                remarks=data.get("remarks") or "",
                refresh=bool(data.get("refresh")),
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(_url(saved))
    else:
        status = 400
    return _detail(request, bulletins.bulletin_get(actor=actor, pk=pk), text_form=form, status=status)


@login_required
@scoped
@require_POST
def bulletin_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """签发: freeze the draft and render its files (needs the confirmation box)."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    b = bulletins.bulletin_get(actor=actor, pk=pk)
    form = BulletinIssueForm(request.POST)
    status = 400
    if form.is_valid():
        # Rendering the three files takes seconds: a background job with progress does it.
        job, status = call_service(
            form,
            lambda: bulletin_issue_submit(actor=actor, bulletin_id=b.pk, language=request.LANGUAGE_CODE),
        )
        if job is not None:
            return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))
    return _detail(request, bulletins.bulletin_get(actor=actor, pk=pk), issue_form=form, status=status)


@login_required
@scoped
@require_POST
def bulletin_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """修订: a new draft version of an issued bulletin."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    form = BulletinReviseForm(request.POST)
    refresh = bool(form.is_valid() and form.cleaned_data.get("refresh"))
    try:
        b = bulletins.bulletin_revise(actor=actor, bulletin=pk, refresh=refresh)
    except Conflict as err:
        messages.error(request, str(err.message))
        return HttpResponseRedirect(reverse("web:bulletins:detail", args=[pk]))
    messages.success(request, _("A new version is open as a draft."))
    return HttpResponseRedirect(_url(b))


@login_required
@scoped
def bulletin_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of a draft as it would be issued (not stored), for the issuers."""
    require_business_access(request)
    actor = actor_of(request)
    if not jurisdiction.can_issue_bulletins(actor):
        raise Forbidden()
    b = bulletins.bulletin_get(actor=actor, pk=pk)
    if b.state != BulletinState.DRAFT:
        raise NotFound()
    resp = HttpResponse(bulletin_render.render_pdf(_page_content(b)), content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=bulletin-{b.year}-{b.number:03d}-v{b.version}-draft.pdf"
    return resp


@login_required
@scoped
def bulletin_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One stored file of an issued bulletin, exactly as issued (audited as an export)."""
    require_business_access(request)
    f = bulletins.bulletin_file(actor=actor_of(request), pk=pk, kind=kind, request=request)
    resp = HttpResponse(f.data, content_type=f.content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.name)}"
    return resp
