"""Appointment (预约单) pages: the list and detail for collectors and officers (scoped), the slip
PDF, the collector's "confirmed by phone" and "cancel" actions, and the resident's public page
``a/<token>/`` (no sign-in: the slip's QR code leads there)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ybss.collection import appointments as svc
from ybss.collection.models import Appointment, AppointmentState
from ybss.collection.slips import appointment_slip_pdf, issuer_names
from ybss.core.errors import AppError
from ybss.org import jurisdiction

from ..display import timeline
from ..forms.records import apply_error
from .common import actor_of, not_scoped, paginate, require_business_access, scoped
from .writes import require_edit

PUBLIC_SCOPE = (
    "the resident's page: reached only with the slip's random token (no sign-in); shows the address, "
    "the window and the officer's work contact, no other business data"
)


def public_base_url(request: HttpRequest) -> str:
    """The site root the QR code points residents to: ``YBSS_APPOINTMENT_BASE_URL`` when the
    public page is served under another name than the officers' intranet one, else this host."""
    return getattr(settings, "YBSS_APPOINTMENT_BASE_URL", "") or request.build_absolute_uri("/")


def window_label(start: datetime, end: datetime) -> str:
    """``2026年11月30日 星期一 19:00–21:00`` in the active language and local time."""
    s, e = timezone.localtime(start), timezone.localtime(end)
    return (
        f"{formats.date_format(s, 'DATE_FORMAT')} {formats.date_format(s, 'l')} "
        f"{formats.time_format(s, 'H:i')}–{formats.time_format(e, 'H:i')}"
    )


# --- forms -------------------------------------------------------------------------------------


def _half_hours() -> list[tuple[str, str]]:
    """The times a window may start or end at: every half hour from EARLIEST to LATEST."""
    first = svc.EARLIEST.hour * 60 + svc.EARLIEST.minute
    last = svc.LATEST.hour * 60 + svc.LATEST.minute
    return [("", "—"), *((f"{m // 60:02d}:{m % 60:02d}",) * 2 for m in range(first, last + 1, 30))]


def _to_time(value: str) -> time:
    return time.fromisoformat(value)


class WindowFields(forms.Form):
    """A window given as one day and two half-hour times (local); blank when none is given."""

    field_aliases = {"window_start": "start", "window_end": "end"}

    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TypedChoiceField(
        label=_("Start time"), required=False, choices=_half_hours, coerce=_to_time, empty_value=None
    )
    end = forms.TypedChoiceField(
        label=_("End time"), required=False, choices=_half_hours, coerce=_to_time, empty_value=None
    )

    def typed_window(self) -> tuple[datetime | None, datetime | None]:
        day, start, end = (self.cleaned_data.get(k) for k in ("date", "start", "end"))
        if day is None:
            return None, None
        return (
            timezone.make_aware(datetime.combine(day, start)) if start else None,
            timezone.make_aware(datetime.combine(day, end)) if end else None,
        )


OTHER = "other"


def _window_value(window: tuple[datetime, datetime]) -> str:
    return f"{window[0].isoformat()}|{window[1].isoformat()}"


class MoveForm(WindowFields):
    """The resident's "move": one of the offered windows, or another day and time."""

    choice = forms.ChoiceField(label=_("New time"), widget=forms.RadioSelect, required=False)
    note = forms.CharField(
        label=_("Message to the officer (optional)"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["choice", "date", "start", "end", "note"]

    def __init__(self, *args: Any, offered: list[tuple[datetime, datetime]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            *((_window_value(w), window_label(*w)) for w in offered),
            (OTHER, _("Another day and time")),
        ]
        if not offered:
            choice.initial = OTHER

    def clean_choice(self) -> str:
        """A day typed without ticking "another day" means another day."""
        choice: str = self.cleaned_data.get("choice") or ""
        if not choice:
            if not self.data.get("date"):
                raise forms.ValidationError(_("Choose one of the times or another day."), code="required")
            choice = OTHER
        return choice

    def chosen_window(self) -> tuple[datetime | str | None, datetime | str | None]:
        choice = self.cleaned_data["choice"]
        if choice == OTHER:
            return self.typed_window()
        start, end = choice.split("|", 1)
        return start, end


class PhoneConfirmForm(WindowFields):
    """The collector's "confirmed by phone": blank keeps the window, or the new one agreed."""


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


# --- the officers' pages -----------------------------------------------------------------------

STATE_FILTERS = [("", _("All")), ("open", _("Still to visit")), *AppointmentState.choices]


class AppointmentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Appointment state"), required=False, choices=STATE_FILTERS)


@login_required
@scoped
def appointment_list_view(request: HttpRequest) -> HttpResponse:
    """The appointments in the user's jurisdiction, latest window first, filtered by state."""
    require_business_access(request)
    form = AppointmentFilterForm(request.GET)
    context: dict[str, Any] = {"title": _("Appointments"), "form": form}
    if not form.is_valid():
        return render(request, "web/appointments/list.html", context, status=400)
    paged = paginate(request, svc.appointment_list(actor=actor_of(request), state=form.cleaned_data["state"]))
    context.update(page=paged.page, page_notice=paged.notice)
    return render(request, "web/appointments/list.html", context)


def _detail(
    request: HttpRequest,
    appointment: Appointment,
    *,
    confirm_form: PhoneConfirmForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = actor_of(request)
    bureau, station = issuer_names(appointment)
    can_change = jurisdiction.can_edit(user) and appointment.state in svc.OPEN_STATES
    return render(
        request,
        "web/appointments/detail.html",
        {
            "title": appointment.number,
            "appointment": appointment,
            "issuer": f"{bureau}{station}",
            "window": window_label(appointment.window_start, appointment.window_end),
            "history": timeline(user, appointment),
            "can_change": can_change,
            "confirm_form": confirm_form or PhoneConfirmForm(),
            "cancel_form": cancel_form or CancelForm(),
            "public_url": f"{public_base_url(request).rstrip('/')}/a/{appointment.token}/",
        },
        status=status,
    )


@login_required
@scoped
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    return _detail(request, svc.appointment_get(actor=actor_of(request), pk=pk))


def _detail_url(pk: int) -> str:
    return reverse("web:appointment_detail", args=[pk])


@login_required
@scoped
@require_POST
def appointment_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmed by phone: at the slip's window, or at the new window typed in."""
    require_business_access(request)
    user = actor_of(request)
    appointment = svc.appointment_get(actor=user, pk=pk)
    require_edit(request)
    form = PhoneConfirmForm(request.POST)
    if form.is_valid():
        start, end = form.typed_window()
        try:
            svc.appointment_confirm_by_collector(
                actor=user, appointment=appointment, window_start=start, window_end=end
            )
        except AppError as err:
            if err.status == 404 or err.status == 403:
                raise
            apply_error(form, err)
        else:
            messages.success(request, _("The appointment was confirmed."))
            return HttpResponseRedirect(_detail_url(pk))
    return _detail(request, appointment, confirm_form=form, status=400)


@login_required
@scoped
@require_POST
def appointment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_access(request)
    user = actor_of(request)
    appointment = svc.appointment_get(actor=user, pk=pk)
    require_edit(request)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            svc.appointment_cancel(actor=user, appointment=appointment, reason=form.cleaned_data["reason"])
        except AppError as err:
            if err.status == 404 or err.status == 403:
                raise
            apply_error(form, err)
        else:
            messages.success(request, _("The appointment was cancelled."))
            return HttpResponseRedirect(_detail_url(pk))
    return _detail(request, appointment, cancel_form=form, status=400)


@login_required
@scoped
def appointment_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable slip (A6 PDF). It holds no resident's personal data, so it is not audited as
    an export; only the jurisdiction is checked."""
    require_business_access(request)
    appointment = svc.appointment_get(actor=actor_of(request), pk=pk)
    pdf = appointment_slip_pdf(appointment, base_url=public_base_url(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appointment.number}.pdf"'
    return response


# --- the resident's page -----------------------------------------------------------------------


def _public(
    request: HttpRequest,
    appointment: Appointment,
    *,
    form: MoveForm | None = None,
    error: AppError | None = None,
    status: int = 200,
) -> HttpResponse:
    bureau, station = issuer_names(appointment)
    now = timezone.now()
    is_open = appointment.state in svc.OPEN_STATES
    if form is None:
        form = MoveForm(offered=svc.appointment_offered_windows(appointment, now=now) if is_open else [])
    response = render(
        request,
        "web/appointments/public.html",
        {
            "title": _("Information collection appointment"),
            "appointment": appointment,
            "issuer": f"{bureau}{station}",
            "window": window_label(appointment.window_start, appointment.window_end),
            "is_open": is_open,
            "can_confirm": appointment.state == AppointmentState.PROPOSED and appointment.window_end > now,
            "form": form,
            "error": error,
            "officer_name": appointment.officer.display_name if appointment.officer else "",
        },
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@not_scoped(PUBLIC_SCOPE)
def appointment_public(request: HttpRequest, token: str) -> HttpResponse:
    """What the slip's QR code opens: the proposed window, confirm or move (404 for any unknown
    token). Works without signing in."""
    appointment = svc.appointment_by_token(token)
    if request.method != "POST":
        return _public(request, appointment)
    if request.POST.get("action") == "move":
        return _public_move(request, appointment)
    try:
        svc.appointment_respond(token=token, action=request.POST.get("action", ""))
    except AppError as err:
        if err.status == 404:
            raise
        appointment.refresh_from_db()
        return _public(request, appointment, error=err, status=400)
    messages.success(request, _("Thank you. The visit time is confirmed."))
    return HttpResponseRedirect(request.path)


def _public_move(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    offered = svc.appointment_offered_windows(appointment) if appointment.state in svc.OPEN_STATES else []
    form = MoveForm(request.POST, offered=offered)
    if form.is_valid():
        start, end = form.chosen_window()
        try:
            svc.appointment_respond(
                token=appointment.token,
                action="move",
                window_start=start,
                window_end=end,
                note=form.cleaned_data["note"],
            )
        except AppError as err:
            if err.status == 404:
                raise
            if err.fields:
                apply_error(form, err)
            appointment.refresh_from_db()
            shown = None if err.fields else err
            return _public(request, appointment, form=form, error=shown, status=400)
        messages.success(request, _("Thank you. The new time has been sent to the officer."))
        return HttpResponseRedirect(request.path)
    return _public(request, appointment, form=form, status=400)
