"""信息采集预约单 (DOMAIN.md §1, §6): the slip left where nobody was home, and its answer.

Writes: ``appointment_issue`` (a collector or officer, for a nobody-home visit in their scope),
``appointment_respond`` (the resident, from the public page, knowing only the token),
``appointment_confirm_by_collector`` (the collector phoned them), ``appointment_cancel`` and
``appointments_close_for_visit`` (a later visit settles the open slips of its household). Each runs
in one transaction, locks the appointment row and appends a history row (record type
``collection.appointment``; the resident's rows have no actor).

Reads for the pages start from ``org.jurisdiction.scope``; ``appointment_by_token`` is the one
unscoped read, for the public page, and the token is its only key.

Windows are timezone-aware; "reasonable hours" and "days ahead" are judged in local time
(``settings.TIME_ZONE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import HistoryAction, RecordHistory
from ybss.audit.services import history_record
from ybss.core.errors import FieldErrors, InvalidInput, NotFound
from ybss.org import jurisdiction
from ybss.org.models import Role, User

from .models import (
    Appointment,
    AppointmentState,
    Availability,
    HouseholdAvailability,
    Visit,
    VisitOutcome,
)

RECORD_TYPE = "collection.appointment"

#: States in which the appointment may still be confirmed, moved or cancelled.
OPEN_STATES = frozenset({AppointmentState.PROPOSED, AppointmentState.CONFIRMED, AppointmentState.MOVED})

#: A window the resident picks must start within this many days (local calendar days from today).
MOVE_DAYS = 14
#: ... and lie inside these local hours, on one day, and last this long.
EARLIEST = time(7, 0)
LATEST = time(21, 30)
MIN_LENGTH = timedelta(minutes=30)
MAX_LENGTH = timedelta(hours=4)
#: A window given when the slip is issued may start at most this long after the visit.
ISSUE_HORIZON = timedelta(days=30)
#: How many other windows the public page offers.
OFFERED = 3


class ConfirmedVia:
    """Values of ``Appointment.confirmed_via``."""

    RESIDENT = "resident"
    PHONE = "phone"


# --- windows (no ORM) --------------------------------------------------------------------------


def _as_datetime(value: Any, field: str, errors: FieldErrors) -> datetime | None:
    """An aware datetime from a datetime or an ISO string (naive = local time); None if absent."""
    if value is None or value == "":
        return None
    parsed = value if isinstance(value, datetime) else None
    if parsed is None and isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors.add(field, _("Enter a valid date and time."))
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def window_problems(start: datetime, end: datetime, *, now: datetime) -> dict[str, list[Any]]:
    """Field errors of a window a resident (or a collector on the phone) picks: in the future,
    starting within ``MOVE_DAYS`` local days, on one local day between ``EARLIEST`` and
    ``LATEST``, lasting ``MIN_LENGTH`` to ``MAX_LENGTH``. Empty when the window is acceptable."""
    errors = FieldErrors()
    s, e = timezone.localtime(start), timezone.localtime(end)
    today = timezone.localtime(now).date()
    if e <= s:
        errors.add("window_end", _("The end must be after the start."))
    else:
        if s.date() != e.date():
            errors.add("window_end", _("The visit window must be on one day."))
        elif e - s < MIN_LENGTH:
            errors.add("window_end", _("The visit window must last at least 30 minutes."))
        elif e - s > MAX_LENGTH:
            errors.add("window_end", _("The visit window can last at most 4 hours."))
        if s.time() < EARLIEST or (s.date() == e.date() and e.time() > LATEST):
            errors.add("window_start", _("Choose a time between 07:00 and 21:30."))
    if start <= now:
        errors.add("window_start", _("Choose a time in the future."))
    elif s.date() > today + timedelta(days=MOVE_DAYS):
        errors.add("window_start", _("Choose a day within the next 14 days."))
    return errors.fields


def _same_window(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] == b[0] and a[1] == b[1]


# --- reads -------------------------------------------------------------------------------------


def appointment_list(*, actor: User, state: str = "") -> QuerySet[Appointment]:
    """Appointments in ``actor``'s jurisdiction, latest window first; ``state`` narrows to one
    state, or ``"open"`` to those still to be visited."""
    qs = jurisdiction.scope(Appointment.objects.all(), actor)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    return qs.select_related("address", "officer", "issued_by").order_by("-window_start", "-pk")


def appointment_get(*, actor: User, pk: int) -> Appointment:
    """One appointment in ``actor``'s jurisdiction, or NotFound (missing and out of scope alike)."""
    qs = Appointment.objects.select_related(
        "address", "door", "officer", "issued_by", "visit", "police_unit__parent", "division"
    )
    return jurisdiction.get_in_scope(qs, actor, pk=pk)


def appointment_by_token(token: str) -> Appointment:
    """The appointment a slip's QR code names, for the resident's page (no sign-in: the token is
    the only key, 128 random bits). NotFound for any other string."""
    if not token or len(token) > 64:
        raise NotFound()
    found = (
        Appointment.objects.select_related("address", "officer", "police_unit__parent")
        .filter(token=token)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def availability_kind(address_id: int) -> str:
    """When the household is usually home, as far as anyone recorded it (else ``unknown``)."""
    kind = HouseholdAvailability.objects.filter(address_id=address_id).values_list("kind", flat=True).first()
    return kind or Availability.UNKNOWN


def _failed_visits(address_id: int, until: datetime) -> list[datetime]:
    return list(
        Visit.objects.filter(
            address_id=address_id, outcome=VisitOutcome.NOBODY_HOME, visited_at__lte=until
        ).values_list("visited_at", flat=True)
    )


def appointment_offered_windows(
    appointment: Appointment, *, now: datetime | None = None, count: int = OFFERED
) -> list[tuple[datetime, datetime]]:
    """Other windows to offer the resident: the scheduler's next proposals for the household
    after ``now``, the current window left out. Empty when the scheduler is not installed."""
    try:
        from ybss.collection.scheduling import propose_windows
    except ImportError:  # the scheduler is a separate module; without it only free choice is offered
        return []
    now = now or timezone.now()
    proposals = propose_windows(
        availability_kind(appointment.address_id),
        after=now,
        failed=_failed_visits(appointment.address_id, now),
        count=count + 1,
    )
    current = (appointment.window_start, appointment.window_end)
    return [w for w in proposals if not _same_window(w, current) and w[0] > now][:count]


# --- writes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Versioned:
    """What ``audit.services.history_record`` reads of a record: Appointment has no ``version``
    column, so its history rows are numbered 1, 2, 3 … in order."""

    _meta: Any
    pk: int
    version: int


def _history(
    *,
    actor: Any,
    appointment: Appointment,
    action: str,
    changes: Mapping[str, Sequence[Any]],
    reason: str = "",
) -> RecordHistory:
    n = RecordHistory.objects.filter(record_type=RECORD_TYPE, record_id=appointment.pk).count()
    return history_record(
        actor=actor,
        record=_Versioned(Appointment._meta, appointment.pk, n + 1),
        action=action,
        changes=changes,
        reason=reason,
    )


def _change(appointment: Appointment, **values: Any) -> dict[str, list[Any]]:
    """Set ``values`` on ``appointment`` and return the old → new pairs that differ."""
    diff: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(appointment, field)
        if old != new:
            diff[field] = [old, new]
            setattr(appointment, field, new)
    return diff


def _save(appointment: Appointment, diff: dict[str, list[Any]], now: datetime) -> None:
    appointment.updated_at = now
    appointment.save(update_fields=[*diff, "updated_at"])


def _lock(appointment_pk: int) -> Appointment:
    return Appointment.objects.select_for_update().get(pk=appointment_pk)


def _require_open(appointment: Appointment) -> None:
    if appointment.state not in OPEN_STATES:
        raise InvalidInput(
            _("This appointment has been visited or cancelled and can no longer be changed."),
            code="appointment.closed",
        )


def community_officer(police_unit_id: str) -> User | None:
    """The community officer (社区民警) of a police district: an active officer assigned to it."""
    return (
        User.objects.filter(role=Role.OFFICER, police_unit_id=police_unit_id, is_active=True)
        .order_by("pk")
        .first()
    )


def _next_number(police_unit_id: str, day: date) -> str:
    """``YY`` + the station's 3-digit code + the visit's local date + a daily sequence, e.g.
    ``YY501-20261127-0003`` (station codes are the 7th–9th digits of every police-unit code)."""
    prefix = f"YY{police_unit_id[6:9]}-{day:%Y%m%d}-"
    last = (
        Appointment.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _proposed_window(visit: Visit, after: datetime) -> tuple[datetime, datetime]:
    from ybss.collection.scheduling import propose_windows  # written beside this module

    windows = propose_windows(
        availability_kind(visit.address_id),
        after=after,
        failed=_failed_visits(visit.address_id, visit.visited_at),
        count=1,
    )
    if not windows:
        raise InvalidInput(
            code="appointment.no_window",
            fields={"window_start": [_("No visit window could be proposed; enter one.")]},
        )
    return windows[0]


def appointment_issue(
    *,
    actor: User,
    visit: Visit,
    window_start: datetime | str | None = None,
    window_end: datetime | str | None = None,
) -> Appointment:
    """Issue the slip for a nobody-home ``visit`` in ``actor``'s scope (one per visit: issuing
    again returns the same slip).

    Without a window the scheduler proposes the household's next one (after the visit, or after
    now when the visit is synced late). The officer is the district's community officer; the
    contact phone is theirs, else the visit's collector's. Open slips of the same household are
    cancelled as replaced. Stamped with the visit's division and police unit.
    """
    jurisdiction.check_can_write(actor, division_id=visit.division_id, police_unit_id=visit.police_unit_id)
    if visit.outcome != VisitOutcome.NOBODY_HOME:
        raise InvalidInput(
            code="appointment.not_nobody_home",
            fields={"visit": [_("A slip is only left when nobody was home.")]},
        )
    errors = FieldErrors()
    start = _as_datetime(window_start, "window_start", errors)
    end = _as_datetime(window_end, "window_end", errors)
    errors.raise_if_any()
    if (start is None) != (end is None):
        missing = "window_end" if end is None else "window_start"
        raise InvalidInput(fields={missing: [_("Enter both the start and the end of the window.")]})
    if start is not None and end is not None:
        if end <= start:
            errors.add("window_end", _("The end must be after the start."))
        if end <= visit.visited_at or start > visit.visited_at + ISSUE_HORIZON:
            errors.add("window_start", _("The window must be after the visit and within 30 days."))
        errors.raise_if_any()

    with transaction.atomic():
        existing = Appointment.objects.filter(visit=visit).first()
        if existing is not None:
            return existing
        now = timezone.now()
        if start is None or end is None:
            start, end = _proposed_window(visit, max(visit.visited_at, now))
        officer = community_officer(visit.police_unit_id)
        collector = visit.collector
        phone = (officer.phone if officer is not None else "") or collector.phone
        appointment = Appointment(
            address_id=visit.address_id,
            door_id=visit.door_id,
            visit=visit,
            issued_by=actor,
            officer=officer,
            contact_phone=phone,
            window_start=start,
            window_end=end,
            state=AppointmentState.PROPOSED,
            created_at=now,
            updated_at=now,
            division_id=visit.division_id,
            police_unit_id=visit.police_unit_id,
        )
        day = timezone.localtime(visit.visited_at).date()
        for _attempt in range(5):
            appointment.number = _next_number(visit.police_unit_id, day)
            try:
                with transaction.atomic():
                    appointment.save(force_insert=True)
                break
            except IntegrityError:  # another slip took the number between read and insert
                appointment.pk = None
        else:
            raise InvalidInput(code="appointment.number_busy")
        _history(
            actor=actor,
            appointment=appointment,
            action=HistoryAction.CREATE,
            changes={
                "number": [None, appointment.number],
                "window_start": [None, start],
                "window_end": [None, end],
                "state": [None, appointment.state],
            },
        )
        replaced = (
            Appointment.objects.select_for_update()
            .filter(address_id=visit.address_id, state__in=OPEN_STATES)
            .exclude(pk=appointment.pk)
        )
        for old in replaced:
            diff = _change(old, state=AppointmentState.CANCELLED)
            _save(old, diff, now)
            _history(
                actor=actor,
                appointment=old,
                action=HistoryAction.STATUS,
                changes=diff,
                reason=str(_("Replaced by slip %(number)s.") % {"number": appointment.number}),
            )
    return appointment


def _check_chosen_window(
    appointment: Appointment, start: Any, end: Any, *, now: datetime
) -> tuple[datetime, datetime]:
    """The window someone picked for ``appointment``: one of the offered windows, or a free one
    that passes ``window_problems``. Raises InvalidInput with field errors."""
    errors = FieldErrors()
    s = _as_datetime(start, "window_start", errors)
    e = _as_datetime(end, "window_end", errors)
    if s is None and "window_start" not in errors.fields:
        errors.add("window_start", _("Choose a date and a start time."))
    if e is None and "window_end" not in errors.fields:
        errors.add("window_end", _("Choose an end time."))
    errors.raise_if_any()
    assert s is not None and e is not None
    offered = appointment_offered_windows(appointment, now=now)
    if any(_same_window((s, e), w) for w in offered):
        return s, e
    problems = window_problems(s, e, now=now)
    if problems:
        raise InvalidInput(code="appointment.bad_window", fields=problems)
    return s, e


def appointment_respond(
    *,
    token: str,
    action: str,
    window_start: datetime | str | None = None,
    window_end: datetime | str | None = None,
    note: str = "",
) -> Appointment:
    """The resident's answer from the public page: ``confirm`` the proposed window, or ``move``
    to another (an offered window, or a free one within 14 days at reasonable hours).

    Confirming again is a no-op; a closed (visited or cancelled) appointment cannot change; a
    window that has passed cannot be confirmed, only moved. No actor: the history row has none.
    """
    found = appointment_by_token(token)
    note = (note or "").strip()
    errors = FieldErrors()
    if action not in ("confirm", "move"):
        errors.add("action", _("Choose to confirm or to move the visit."))
    if len(note) > 200:
        errors.add("note", _("Keep the note under 200 characters."))
    errors.raise_if_any()
    with transaction.atomic():
        appointment = _lock(found.pk)
        _require_open(appointment)
        now = timezone.now()
        if action == "confirm":
            if appointment.state in (AppointmentState.CONFIRMED, AppointmentState.MOVED) and not note:
                return appointment
            if appointment.window_end <= now:
                raise InvalidInput(
                    _("This time has passed. Please choose another time."), code="appointment.window_past"
                )
            diff = _change(
                appointment,
                state=appointment.state
                if appointment.state != AppointmentState.PROPOSED
                else AppointmentState.CONFIRMED,
                confirmed_at=appointment.confirmed_at or now,
                confirmed_via=appointment.confirmed_via or ConfirmedVia.RESIDENT,
                resident_note=note or appointment.resident_note,
            )
            history_action = HistoryAction.STATUS
        else:
            start, end = _check_chosen_window(appointment, window_start, window_end, now=now)
            diff = _change(
                appointment,
                window_start=start,
                window_end=end,
                state=AppointmentState.MOVED,
                confirmed_at=now,
                confirmed_via=ConfirmedVia.RESIDENT,
                resident_note=note or appointment.resident_note,
            )
            history_action = HistoryAction.UPDATE
        if diff:
            _save(appointment, diff, now)
            _history(actor=None, appointment=appointment, action=history_action, changes=diff)
    return appointment


def appointment_confirm_by_collector(
    *,
    actor: User,
    appointment: Appointment,
    window_start: datetime | str | None = None,
    window_end: datetime | str | None = None,
) -> Appointment:
    """The collector (or officer) reached the household by phone: the appointment is confirmed,
    at its window or at the new one they agreed (checked like the resident's choice)."""
    jurisdiction.check_can_write(
        actor, division_id=appointment.division_id, police_unit_id=appointment.police_unit_id
    )
    with transaction.atomic():
        locked = _lock(appointment.pk)
        _require_open(locked)
        now = timezone.now()
        values: dict[str, Any] = {}
        if window_start not in (None, "") or window_end not in (None, ""):
            values["window_start"], values["window_end"] = _check_chosen_window(
                locked, window_start, window_end, now=now
            )
        elif locked.window_end <= now:
            raise InvalidInput(
                _("This time has passed. Agree a new time with the household."),
                code="appointment.window_past",
            )
        diff = _change(
            locked,
            **values,
            state=AppointmentState.CONFIRMED,
            confirmed_at=now,
            confirmed_via=ConfirmedVia.PHONE,
        )
        _save(locked, diff, now)
        _history(
            actor=actor,
            appointment=locked,
            action=HistoryAction.UPDATE if values else HistoryAction.STATUS,
            changes=diff,
        )
    return locked


def appointment_cancel(*, actor: User, appointment: Appointment, reason: str = "") -> Appointment:
    """Cancel an open appointment in ``actor``'s scope (the resident's page then says so)."""
    jurisdiction.check_can_write(
        actor, division_id=appointment.division_id, police_unit_id=appointment.police_unit_id
    )
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise InvalidInput(fields={"reason": [_("Keep the reason under 500 characters.")]})
    with transaction.atomic():
        locked = _lock(appointment.pk)
        _require_open(locked)
        now = timezone.now()
        diff = _change(locked, state=AppointmentState.CANCELLED)
        _save(locked, diff, now)
        _history(actor=actor, appointment=locked, action=HistoryAction.STATUS, changes=diff, reason=reason)
    return locked


def appointments_close_for_visit(*, actor: User, visit: Visit) -> int:
    """A visit that found someone (any outcome but nobody home) settles the household's open
    appointments left at earlier visits: they become ``done``. Returns how many. Call inside the
    visit's transaction (``collection.services.visit_record``)."""
    if visit.outcome == VisitOutcome.NOBODY_HOME:
        return 0
    n = 0
    now = timezone.now()
    earlier = Q(visit__isnull=True) | Q(visit__visited_at__lt=visit.visited_at)
    with transaction.atomic():
        # of=self: FOR UPDATE may not reach the nullable side of the outer join to the visit
        for appointment in Appointment.objects.select_for_update(of=("self",)).filter(
            earlier, address_id=visit.address_id, state__in=OPEN_STATES
        ):
            diff = _change(appointment, state=AppointmentState.DONE)
            _save(appointment, diff, now)
            _history(actor=actor, appointment=appointment, action=HistoryAction.STATUS, changes=diff)
            n += 1
    return n
