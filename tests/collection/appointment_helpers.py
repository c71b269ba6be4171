"""Helpers for the appointment tests: nobody-home visits and slips in the shared county."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ybss.collection.appointments import appointment_issue
from ybss.collection.models import Appointment, Visit, VisitOutcome

OFFICER_NAME = "李建国"
OFFICER_PHONE = "13700001111"


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def window(days: int = 2, start_hour: int = 19, hours: int = 2) -> tuple[dt.datetime, dt.datetime]:
    """A local window ``days`` from today, ``start_hour`` to ``start_hour + hours``."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return local(day, start_hour), local(day, start_hour + hours)


def name_officer(station) -> None:
    """Give station's community officer a name and a work phone (the fixture has neither)."""
    officer = station.users["officer"]
    officer.full_name = OFFICER_NAME if station.key == "a" else "赵卫东"
    officer.phone = OFFICER_PHONE if station.key == "a" else "13700002222"
    officer.save(update_fields=["full_name", "phone"])


def visit(station, *, outcome: str = VisitOutcome.NOBODY_HOME, at: dt.datetime | None = None) -> Visit:
    """A visit by station's collector at its room address (written directly, as the lead's
    ``visit_record`` would)."""
    room = station.room
    return Visit.objects.create(
        address=room,
        door=station.door,
        collector=station.users["collector"],
        outcome=outcome,
        visited_at=at or timezone.now() - dt.timedelta(minutes=5),
        created_at=timezone.now(),
        division_id=room.division_id,
        police_unit_id=room.police_unit_id,
    )


def issue(station, *, days: int = 2, start_hour: int = 19, hours: int = 2) -> Appointment:
    start, end = window(days, start_hour, hours)
    return appointment_issue(
        actor=station.users["collector"], visit=visit(station), window_start=start, window_end=end
    )
