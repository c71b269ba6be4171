"""The cleaning pages (清理) under ``cleaning/`` (namespace ``web:cleaning``): the queue, one item
with its candidates side by side and the three decisions, the duplicate groups of the latest scan
(with "check again", a background job), merge and "not a duplicate".

Same shape as every page here: parse the form → one service or selector call → render or
redirect; a service's field errors re-render the form with status 400 (409 on a stale version).
Every view is ``@scoped``: items and addresses are read through the cleaning app's scoped
selectors, so another station's ids answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ybss.addresses.models import AddressLevel, StandardAddress
from ybss.addresses.rates import address_rates
from ybss.addresses.selectors import address_get
from ybss.cleaning import selectors, services
from ybss.core.errors import InvalidInput
from ybss.jobs.services import duplicate_scan_submit
from ybss.org import jurisdiction
from ybss.transfer.models import CleaningState

from ..display import timeline
from ..forms.cleaning import (
    AcceptForm,
    CreateForm,
    MergeForm,
    NotDuplicateForm,
    QueueFilterForm,
    SetAsideForm,
    parse_ids,
)
from ..forms.transfer import KIND_LABELS
from .common import actor_of, not_scoped, paginate, require_business_access, scoped
from .writes import call_service, form_page, posted, require_edit, require_review, saved

#: Duplicate groups on one page.
GROUPS_PER_PAGE = 20


def _kind_labels() -> dict[str, Any]:
    return dict(KIND_LABELS)


# --- the queue -----------------------------------------------------------------------------------


@login_required
@scoped
def queue(request: HttpRequest) -> HttpResponse:
    """清理队列: items in the user's jurisdiction (pending first by default), counts by state and the
    standard-address cleaning rate with its numerator, denominator and definition."""
    require_business_access(request)
    user = actor_of(request)
    labels = _kind_labels()
    kinds = [(k, labels.get(k, k)) for k in selectors.item_kinds(actor=user)]
    form = QueueFilterForm(request.GET, kinds=kinds)
    context: dict[str, Any] = {
        "title": _("Address cleaning queue"),
        "form": form,
        "counts": selectors.queue_counts(actor=user),
        "rate": address_rates(actor=user)["address_cleaned"],
        "kind_labels": labels,
        "can_edit": jurisdiction.can_edit(user),
    }
    if not form.is_valid():
        return render(request, "web/cleaning/queue.html", context, status=400)
    filters = selectors.ItemFilters(
        state=form.state_value(),
        q=form.cleaned_data.get("q") or "",
        kind=form.cleaned_data.get("kind") or "",
        decision=form.cleaned_data.get("decision") or "",
    )
    paged = paginate(request, selectors.item_list(actor=user, filters=filters))
    rows = list(paged.page.object_list)
    for row in rows:
        row.kind_label = labels.get(row.kind, row.kind)
    paged.page.object_list = rows
    context.update(page=paged.page, page_notice=paged.notice)
    return render(request, "web/cleaning/queue.html", context)


# --- one item ------------------------------------------------------------------------------------


def _item_url(item: Any) -> str:
    return reverse("web:cleaning:item", args=[item.pk])


def _candidate_choices(review: selectors.ItemReview) -> list[tuple[int, str]]:
    return [(c.address.pk, f"{c.address.full_name} · {c.percent}") for c in review.candidates]


def _item_page(
    request: HttpRequest, item: Any, *, form: AcceptForm | None = None, status: int = 200
) -> HttpResponse:
    user = actor_of(request)
    pending = item.state == CleaningState.PENDING
    review = selectors.item_review(actor=user, item=item) if pending else None
    if review is not None:
        if form is None:
            form = AcceptForm(initial={"version": item.version})
        form.set_candidates(_candidate_choices(review))
    return render(
        request,
        "web/cleaning/item.html",
        {
            "title": _("Address awaiting cleaning"),
            "item": item,
            "review": review,
            "pending": pending,
            "form": form,
            "can_edit": jurisdiction.can_edit(user),
            "history": timeline(user, item),
            "kind_label": _kind_labels().get(item.kind, item.kind),
        },
        status=status,
    )


@login_required
@scoped
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """One item: its text, its parse, the candidates side by side and the decisions."""
    require_business_access(request)
    return _item_page(request, selectors.item_get(actor=actor_of(request), pk=pk))


@login_required
@scoped
def item_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """接受候选 (POST); a GET shows the item page."""
    require_business_access(request)
    user = actor_of(request)
    it = selectors.item_get(actor=user, pk=pk)
    if request.method != "POST":
        return _item_page(request, it)
    require_edit(request)
    form = AcceptForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data

        def accept() -> services.Decision:
            address_id = data.get("address_id")
            code = (data.get("address_code") or "").strip()
            if code:
                found = selectors.address_by_code(actor=user, code=code)
                if found is None:
                    raise InvalidInput(
                        code="cleaning.no_address",
                        fields={
                            "address_code": [_("No standard address with this code in your jurisdiction.")]
                        },
                    )
                address_id = found.pk
            return services.item_accept(
                actor=user,
                item_id=it.pk,
                expected_version=data["version"],
                address_id=address_id,
                reason=data.get("reason") or "",
            )

        result, status = call_service(form, accept)
        if result is not None:
            return _decided(request, result)
    it.refresh_from_db()
    return _item_page(request, it, form=form, status=status)


def _decided(request: HttpRequest, result: services.Decision) -> HttpResponse:
    if result.address is not None:
        message = _("Linked to %(name)s.") % {"name": result.address.full_name}
        if result.linked_persons:
            message += " " + ngettext(
                "%(count)d person's registered domicile was linked too.",
                "%(count)d persons' registered domiciles were linked too.",
                result.linked_persons,
            ) % {"count": result.linked_persons}
    else:
        message = _("The address was set aside.")
    messages.success(request, message)
    return HttpResponseRedirect(_next_url(request, result.item))


def _next_url(request: HttpRequest, item: Any) -> str:
    """The next pending item in the queue, else the queue."""
    nxt = (
        selectors.item_list(actor=actor_of(request), filters=selectors.ItemFilters())
        .exclude(pk=item.pk)
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("web:cleaning:item", args=[nxt]) if nxt else reverse("web:cleaning:queue")


def _choice(field: Any, match: Any) -> Any:
    """The first option of a choice field whose (value, label) satisfies ``match``, or None."""
    for value, label in field.choices:
        if value not in ("", None) and match(value, str(label).split(" · ")[0]):
            return value
    return None


def _floor_of(values: dict[str, str]) -> int | None:
    """The floor the parse names (B1 / -1 underground), else the one a room number implies
    (501 → 5), else None."""
    floor, room = values.get("floor", ""), values.get("room", "")
    try:
        if floor:
            n = int(floor.removeprefix("B").removeprefix("-"))
            return -n if floor.startswith(("B", "-")) else n
        if room.isdigit() and len(room) >= 3:
            return int(room[:-2])
    except ValueError:
        pass
    return None


def _create_initial(item: Any, review: selectors.ItemReview | None, fields: Any) -> dict[str, Any]:
    """The new address's fields as far as the matcher and the parse give them."""
    initial: dict[str, Any] = {"version": item.version}
    if review is None:
        return initial
    v = review.values
    division = _choice(fields["division_code"], lambda value, _l: value == review.division_code)
    if division is None and v.get("community"):
        division = _choice(fields["division_code"], lambda _v, label: label.endswith(v["community"]))
    if division is None and len(fields["division_code"].choices) == 2:
        division = fields["division_code"].choices[1][0]
    districts = [c for c, _l in fields["police_unit_code"].choices if c]
    district = item.police_unit_id if item.police_unit_id in districts else None
    if district is None and len(districts) == 1:
        district = districts[0]
    group = v.get("group", "")
    road_name = v.get("road") or (f"{group}组" if group.isdigit() else group)
    road = _choice(fields["road_id"], lambda _v, label: label == road_name) if road_name else None
    compound = None
    if v.get("compound"):
        compound = _choice(fields["compound_id"], lambda _v, label: label == v["compound"])
    initial.update(
        {
            k: val
            for k, val in {
                "division_code": division,
                "police_unit_code": district,
                "road_id": road,
                "compound_id": compound,
                "door_number": v.get("door_number", "")[:10],
                "sub_number": v.get("sub_number", "")[:10],
                "building": v.get("building", "")[:20],
                "unit_no": v.get("unit", "")[:10],
                "room_no": v.get("room", "")[:10],
                "floor": _floor_of(v) if (v.get("room") or v.get("floor")) else None,
            }.items()
            if val not in (None, "")
        }
    )
    parent = review.parent
    if parent is not None and parent.level == AddressLevel.DOOR and (v.get("room") or v.get("unit")):
        initial["door_id"] = parent.pk
    return initial


def _door_choices(review: selectors.ItemReview | None) -> list[tuple[int, str]]:
    if review is None:
        return []
    doors: dict[int, str] = {}
    if review.parent is not None and review.parent.level == AddressLevel.DOOR:
        doors[review.parent.pk] = review.parent.full_name
    for c in review.candidates:
        a = c.address
        door = a if a.level == AddressLevel.DOOR else a.parent
        if door is not None and door.is_active:
            doors.setdefault(door.pk, door.full_name)
    return list(doors.items())


@login_required
@scoped
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    """新建标准地址 for the item, prefilled from its parse."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    it = selectors.item_get(actor=user, pk=pk)
    review = selectors.item_review(actor=user, item=it) if it.state == CleaningState.PENDING else None
    form = CreateForm(posted(request), user=user, doors=_door_choices(review))
    if request.method != "POST":
        form.initial = _create_initial(it, review, form.fields)
    return form_page(
        request,
        form,
        save=lambda: services.item_create(
            actor=user,
            item_id=it.pk,
            expected_version=form.cleaned_data["version"],
            data=form.new_address_data(),
            reason=form.cleaned_data.get("change_reason") or "",
        ),
        done=lambda result: saved(
            request,
            _("%(name)s was recorded; the item is resolved.") % {"name": result.address.full_name},
            reverse("web:address_detail", args=[result.address.pk]),
        ),
        title=_("New standard address from the cleaning queue"),
        intro=it.raw_text,
        back_url=_item_url(it),
    )


@login_required
@scoped
def item_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """不是地址 / 驳回, with a reason."""
    require_business_access(request)
    require_edit(request)
    user = actor_of(request)
    it = selectors.item_get(actor=user, pk=pk)
    form = SetAsideForm(posted(request), initial={"version": it.version})
    return form_page(
        request,
        form,
        save=lambda: services.item_set_aside(
            actor=user,
            item_id=it.pk,
            expected_version=form.cleaned_data["version"],
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        ),
        done=lambda result: _decided(request, result),
        title=_("Set the address aside"),
        intro=it.raw_text,
        back_url=_item_url(it),
        submit=_("Set aside"),
    )


# --- duplicates ----------------------------------------------------------------------------------


@login_required
@scoped
def duplicates(request: HttpRequest) -> HttpResponse:
    """重复地址: the groups of the latest stored duplicate check inside the user's jurisdiction,
    narrowed to a division, side by side, with merge and "not a duplicate" for each; when the check
    ran and who started it. Reads the stored check only: "check again" (``duplicates_check``)
    runs the search itself, in the background."""
    require_business_access(request)
    user = actor_of(request)
    divisions = selectors.divisions_in_scope(actor=user)
    prefixes = {d.code: d.prefix for d in divisions}
    division = request.GET.get("division", "")
    status = 200
    notice = ""
    if division and division not in prefixes:
        notice = _("Choose a division from the list.")
        division, status = "", 400
    prefix = prefixes.get(division, "")
    scan = selectors.duplicate_scan_latest(actor=user, division=prefix)
    groups = (
        selectors.duplicate_scan_groups(actor=user, scan=scan, division=prefix)
        if scan is not None and status == 200
        else []
    )
    paged = paginate(request, groups, per_page=GROUPS_PER_PAGE)
    shown = selectors.duplicate_groups(actor=user, groups=list(paged.page.object_list))
    return render(
        request,
        "web/cleaning/duplicates.html",
        {
            "title": _("Duplicate standard addresses"),
            "divisions": [(d.code, d.full_name) for d in divisions],
            "division": division,
            "notice": notice or paged.notice,
            "scan": scan,
            "scan_by": (scan.actor.display_name if scan.actor else _("the command line")) if scan else "",
            "page": paged.page,
            "groups": shown,
            "can_edit": jurisdiction.can_edit(user),
            "can_review": jurisdiction.can_review(user),
        },
        status=status,
    )


@login_required
@require_POST
@not_scoped("starts the user's own duplicate check (a job); shows no records")
def duplicates_check(request: HttpRequest) -> HttpResponse:
    """重新检查 (POST): start the duplicate check in the background, or find the one the user
    started that is still running, and go to its progress page."""
    require_business_access(request)
    job = duplicate_scan_submit(actor=actor_of(request), language=getattr(request, "LANGUAGE_CODE", ""))
    return HttpResponseRedirect(reverse("web:job_detail", args=[job.pk]))


def _members(request: HttpRequest, anchor: StandardAddress) -> list[int]:
    """The group on a merge / not-duplicate page: the anchor and ``with`` (GET) or ``members``
    (POST). Unparseable input leaves the anchor alone (the form then says what is wrong)."""
    raw = request.POST.get("members", "") if request.method == "POST" else request.GET.get("with", "")
    try:
        ids = parse_ids(raw) if raw else []
    except Exception:  # a ValidationError: the form reports it on POST
        ids = []
    return list(dict.fromkeys([anchor.pk, *ids]))[:20]


@login_required
@scoped
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合并: the group around address ``pk`` side by side; choose the survivor and what merges."""
    require_business_access(request)
    user = actor_of(request)
    anchor = address_get(actor=user, pk=pk)
    require_review(request)
    members = selectors.addresses_side_by_side(actor=user, ids=_members(request, anchor))
    group = selectors.DuplicateGroup(members)
    choices = [(a.pk, f"{a.code} · {a.full_name}") for a in members]
    versions = ",".join(f"{a.pk}:{a.version}" for a in members)
    initial = {
        "members": ",".join(str(a.pk) for a in members),
        "survivor": anchor.pk,
        "duplicates": [a.pk for a in members if a.pk != anchor.pk],
        "versions": versions,
    }
    form = MergeForm(posted(request), initial=initial, choices=choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = call_service(form, lambda: _merge(user, form.cleaned_data))
            if result is not None:
                return saved(
                    request,
                    ngettext(
                        "%(count)d address was merged into %(name)s.",
                        "%(count)d addresses were merged into %(name)s.",
                        len(result.merged),
                    )
                    % {"count": len(result.merged), "name": result.survivor.full_name},
                    reverse("web:address_detail", args=[result.survivor.pk]),
                )
    return render(
        request,
        "web/cleaning/merge.html",
        {
            "title": _("Merge duplicate addresses"),
            "anchor": anchor,
            "group": group,
            "form": form,
            "back_url": reverse("web:cleaning:duplicates"),
        },
        status=status,
    )


def _merge(user: Any, data: dict[str, Any]) -> services.MergeResult:
    survivor = data["survivor"]
    extra: list[int] = []
    if data.get("codes"):
        found = selectors.addresses_by_codes(actor=user, codes=data["codes"])
        missing = [c for c in data["codes"] if c not in found]
        if missing:
            raise InvalidInput(
                code="cleaning.no_address",
                fields={
                    "codes": [
                        _("No standard address with code %(code)s in your jurisdiction.") % {"code": c}
                        for c in missing
                    ]
                },
            )
        extra = [a.pk for a in found.values()]
    dups = [pk for pk in dict.fromkeys([*data.get("duplicates", []), *extra])]
    if survivor in dups and len(dups) == 1:
        raise InvalidInput(
            code="invalid", fields={"duplicates": [_("An address cannot be merged into itself.")]}
        )
    return services.address_merge_by_ids(
        actor=user,
        survivor_id=survivor,
        duplicate_ids=[pk for pk in dups if pk != survivor],
        reason=data["reason"],
        expected_versions=data.get("versions") or None,
    )


@login_required
@scoped
def not_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """不是重复: the group around address ``pk`` is different places; not proposed again."""
    require_business_access(request)
    user = actor_of(request)
    anchor = address_get(actor=user, pk=pk)
    require_edit(request)
    members = selectors.addresses_side_by_side(actor=user, ids=_members(request, anchor))
    form = NotDuplicateForm(posted(request), initial={"members": ",".join(str(a.pk) for a in members)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ids = form.cleaned_data["members"]
            if anchor.pk not in ids:
                ids = [anchor.pk, *ids]
            result, status = call_service(
                form,
                lambda: services.not_duplicate_mark(
                    actor=user,
                    addresses=selectors.addresses_in_scope(actor=user, ids=ids),
                    reason=form.cleaned_data.get("reason") or "",
                ),
            )
            if result is not None:
                return saved(
                    request,
                    _("Recorded: these addresses are different places; they will not be proposed again."),
                    reverse("web:cleaning:duplicates"),
                )
    return render(
        request,
        "web/cleaning/not_duplicate.html",
        {
            "title": _("Not duplicates"),
            "anchor": anchor,
            "group": selectors.DuplicateGroup(members),
            "form": form,
            "back_url": reverse("web:cleaning:duplicates"),
        },
        status=status,
    )
