"""Appointments (信息采集预约单): issuing, the resident's answer, the collector's phone
confirmation, cancelling, the history they leave, and the pages (scoped ones and the public one)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.collection.appointment_helpers import (
    OFFICER_NAME,
    OFFICER_PHONE,
    issue,
    local,
    name_officer,
    visit,
    window,
)
from ybss.audit.models import RecordHistory
from ybss.collection import appointments as svc
from ybss.collection.models import (
    Appointment,
    AppointmentState,
    Availability,
    HouseholdAvailability,
    VisitOutcome,
)
from ybss.core.errors import Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.django_db

HAS_SCHEDULER = importlib.util.find_spec("ybss.collection.scheduling") is not None
NEEDS_SCHEDULER = pytest.mark.skipif(
    not HAS_SCHEDULER, reason="ybss.collection.scheduling (helper 'scheduler') is not written yet"
)


def _history(appointment: Appointment) -> list[RecordHistory]:
    return list(
        RecordHistory.objects.filter(record_type="collection.appointment", record_id=appointment.pk).order_by(
            "id"
        )
    )


@pytest.fixture
def officer_named(county):
    name_officer(county.a)
    name_officer(county.b)


# --- issuing -----------------------------------------------------------------------------------


def test_issue_stamps_number_officer_phone_and_hierarchy(county, officer_named):
    a = issue(county.a)
    assert re.fullmatch(rf"YY501-{timezone.localtime(a.visit.visited_at):%Y%m%d}-0001", a.number)
    assert a.officer == county.a.users["officer"]
    assert a.contact_phone == OFFICER_PHONE
    assert a.issued_by == county.a.users["collector"]
    assert (a.division_id, a.police_unit_id) == (county.a.room.division_id, county.a.room.police_unit_id)
    assert (a.address, a.door) == (county.a.room, county.a.door)
    assert a.state == AppointmentState.PROPOSED
    assert len(a.token) >= 20


def test_issue_writes_a_history_row(county, officer_named):
    a = issue(county.a)
    (row,) = _history(a)
    assert (row.action, row.version, row.actor) == ("create", 1, county.a.users["collector"])
    assert row.changes["number"] == [None, a.number]
    assert row.changes["state"] == [None, "proposed"]


def test_issue_numbers_follow_in_sequence_and_replace_the_open_slip(county, officer_named):
    first = issue(county.a)
    second = issue(county.a)
    assert second.number.endswith("-0002")
    first.refresh_from_db()
    assert first.state == AppointmentState.CANCELLED
    assert _history(first)[-1].reason and second.number in _history(first)[-1].reason


def test_issue_is_once_per_visit(county, officer_named):
    v = visit(county.a)
    start, end = window()
    one = svc.appointment_issue(
        actor=county.a.users["collector"], visit=v, window_start=start, window_end=end
    )
    again = svc.appointment_issue(
        actor=county.a.users["collector"], visit=v, window_start=start, window_end=end
    )
    assert one.pk == again.pk and Appointment.objects.count() == 1


def test_issue_uses_the_collectors_phone_when_the_officer_has_none(county):
    collector = county.a.users["collector"]
    collector.phone = "13500003333"
    collector.save(update_fields=["phone"])
    a = issue(county.a)
    assert a.officer == county.a.users["officer"]
    assert a.contact_phone == "13500003333"


def test_issue_takes_iso_strings(county, officer_named):
    start, end = window()
    a = svc.appointment_issue(
        actor=county.a.users["collector"],
        visit=visit(county.a),
        window_start=start.isoformat(),
        window_end=end.isoformat(),
    )
    assert (a.window_start, a.window_end) == (start, end)


def test_issue_needs_a_nobody_home_visit(county):
    start, end = window()
    with pytest.raises(InvalidInput) as err:
        svc.appointment_issue(
            actor=county.a.users["collector"],
            visit=visit(county.a, outcome=VisitOutcome.COLLECTED),
            window_start=start,
            window_end=end,
        )
    assert err.value.code == "appointment.not_nobody_home"
    assert Appointment.objects.count() == 0


def test_issue_outside_the_actors_scope_is_not_found(county):
    start, end = window()
    with pytest.raises(NotFound):
        svc.appointment_issue(
            actor=county.b.users["collector"], visit=visit(county.a), window_start=start, window_end=end
        )


def test_issue_by_a_role_that_cannot_edit_is_forbidden(county):
    start, end = window()
    with pytest.raises(Forbidden):
        svc.appointment_issue(
            actor=county.users["supervisor"], visit=visit(county.a), window_start=start, window_end=end
        )


@pytest.mark.parametrize(
    ("shift", "field"),
    [
        ({"start": (2, 19), "end": (2, 18)}, "window_end"),
        ({"start": (45, 19), "end": (45, 21)}, "window_start"),
        ({"start": (2, 19), "end": None}, "window_end"),
    ],
)
def test_issue_rejects_a_bad_window(county, shift, field):
    def at(spec):
        if spec is None:
            return None
        days, hour = spec
        return local(timezone.localdate() + dt.timedelta(days=days), hour)

    with pytest.raises(InvalidInput) as err:
        svc.appointment_issue(
            actor=county.a.users["collector"],
            visit=visit(county.a),
            window_start=at(shift["start"]),
            window_end=at(shift["end"]),
        )
    assert field in err.value.fields
    assert Appointment.objects.count() == 0


@NEEDS_SCHEDULER
def test_issue_without_a_window_takes_the_schedulers_proposal(county, officer_named):
    from ybss.collection.scheduling import propose_windows

    room = county.a.room
    HouseholdAvailability.objects.create(
        address=room,
        kind=Availability.OFFICE,
        set_at=timezone.now(),
        division_id=room.division_id,
        police_unit_id=room.police_unit_id,
    )
    v = visit(county.a)
    a = svc.appointment_issue(actor=county.a.users["collector"], visit=v)
    expected = propose_windows(
        Availability.OFFICE, after=max(v.visited_at, timezone.now()), failed=[v.visited_at], count=1
    )[0]
    assert (a.window_start, a.window_end) == expected
    assert a.window_start > v.visited_at


# --- the resident's answer ---------------------------------------------------------------------


def test_resident_confirms(county, officer_named):
    a = issue(county.a)
    svc.appointment_respond(token=a.token, action="confirm", note="请晚上来")
    a.refresh_from_db()
    assert a.state == AppointmentState.CONFIRMED
    assert a.confirmed_via == "resident" and a.confirmed_at is not None
    assert a.resident_note == "请晚上来"
    row = _history(a)[-1]
    assert (row.action, row.actor, row.version) == ("status", None, 2)
    assert row.changes["state"] == ["proposed", "confirmed"]


def test_resident_confirming_twice_changes_nothing(county, officer_named):
    a = issue(county.a)
    svc.appointment_respond(token=a.token, action="confirm")
    svc.appointment_respond(token=a.token, action="confirm")
    assert len(_history(a)) == 2


def test_resident_moves_to_a_free_window(county, officer_named):
    a = issue(county.a)
    start, end = window(days=5, start_hour=9, hours=2)
    svc.appointment_respond(token=a.token, action="move", window_start=start, window_end=end)
    a.refresh_from_db()
    assert (a.state, a.window_start, a.window_end) == (AppointmentState.MOVED, start, end)
    row = _history(a)[-1]
    assert row.action == "update" and set(row.changes) >= {"window_start", "window_end", "state"}


@NEEDS_SCHEDULER
def test_resident_moves_to_an_offered_window(county, officer_named):
    a = issue(county.a)
    offered = svc.appointment_offered_windows(a)
    assert 1 <= len(offered) <= 3
    assert all(w != (a.window_start, a.window_end) for w in offered)
    start, end = offered[-1]
    svc.appointment_respond(token=a.token, action="move", window_start=start, window_end=end)
    a.refresh_from_db()
    assert (a.window_start, a.window_end) == (start, end)


@pytest.mark.parametrize(
    ("days", "start_hour", "hours", "field"),
    [
        (20, 19, 2, "window_start"),  # beyond 14 days
        (3, 5, 2, "window_start"),  # before 07:00
        (3, 20, 3, "window_start"),  # 20:00-23:00: ends after 21:30
        (3, 9, 6, "window_end"),  # longer than 4 hours
        (-2, 19, 2, "window_start"),  # in the past
    ],
)
def test_resident_cannot_move_to_an_unreasonable_window(
    county, officer_named, days, start_hour, hours, field
):
    a = issue(county.a)
    start, end = window(days=days, start_hour=start_hour, hours=hours)
    with pytest.raises(InvalidInput) as err:
        svc.appointment_respond(token=a.token, action="move", window_start=start, window_end=end)
    assert err.value.code == "appointment.bad_window"
    assert field in err.value.fields
    a.refresh_from_db()
    assert a.state == AppointmentState.PROPOSED and len(_history(a)) == 1


def test_resident_move_needs_a_window(county, officer_named):
    a = issue(county.a)
    with pytest.raises(InvalidInput) as err:
        svc.appointment_respond(token=a.token, action="move")
    assert set(err.value.fields) == {"window_start", "window_end"}


def test_resident_unknown_action_is_invalid(county, officer_named):
    a = issue(county.a)
    with pytest.raises(InvalidInput) as err:
        svc.appointment_respond(token=a.token, action="delete")
    assert "action" in err.value.fields


def test_resident_unknown_token_is_not_found(county):
    with pytest.raises(NotFound):
        svc.appointment_respond(token="no-such-token", action="confirm")


@pytest.mark.parametrize("state", [AppointmentState.DONE, AppointmentState.CANCELLED])
def test_resident_cannot_change_a_closed_appointment(county, officer_named, state):
    a = issue(county.a)
    Appointment.objects.filter(pk=a.pk).update(state=state)
    start, end = window(days=4)
    for kwargs in ({"action": "confirm"}, {"action": "move", "window_start": start, "window_end": end}):
        with pytest.raises(InvalidInput) as err:
            svc.appointment_respond(token=a.token, **kwargs)
        assert err.value.code == "appointment.closed"


def test_resident_cannot_confirm_a_window_that_has_passed(county, officer_named):
    a = issue(county.a)
    past = timezone.now() - dt.timedelta(hours=3)
    Appointment.objects.filter(pk=a.pk).update(window_start=past, window_end=past + dt.timedelta(hours=2))
    with pytest.raises(InvalidInput) as err:
        svc.appointment_respond(token=a.token, action="confirm")
    assert err.value.code == "appointment.window_past"


# --- the collector's side ----------------------------------------------------------------------


def test_collector_confirms_by_phone(county, officer_named):
    a = issue(county.a)
    svc.appointment_confirm_by_collector(actor=county.a.users["collector"], appointment=a)
    a.refresh_from_db()
    assert (a.state, a.confirmed_via) == (AppointmentState.CONFIRMED, "phone")
    row = _history(a)[-1]
    assert (row.action, row.actor) == ("status", county.a.users["collector"])


def test_collector_confirms_a_new_window_by_phone(county, officer_named):
    a = issue(county.a)
    start, end = window(days=6, start_hour=15)
    svc.appointment_confirm_by_collector(
        actor=county.a.users["officer"], appointment=a, window_start=start, window_end=end
    )
    a.refresh_from_db()
    assert (a.state, a.window_start, a.window_end) == (AppointmentState.CONFIRMED, start, end)
    assert _history(a)[-1].action == "update"


def test_collector_of_another_station_cannot_confirm(county, officer_named):
    a = issue(county.a)
    with pytest.raises(NotFound):
        svc.appointment_confirm_by_collector(actor=county.b.users["collector"], appointment=a)


def test_cancel_records_the_reason(county, officer_named):
    a = issue(county.a)
    svc.appointment_cancel(actor=county.a.users["officer"], appointment=a, reason="住户已搬离")
    a.refresh_from_db()
    assert a.state == AppointmentState.CANCELLED
    assert _history(a)[-1].reason == "住户已搬离"
    with pytest.raises(InvalidInput) as err:
        svc.appointment_cancel(actor=county.a.users["officer"], appointment=a)
    assert err.value.code == "appointment.closed"


def test_a_later_visit_that_finds_someone_settles_the_slip(county, officer_named):
    a = issue(county.a)
    later = visit(county.a, outcome=VisitOutcome.COLLECTED, at=timezone.now())
    assert svc.appointments_close_for_visit(actor=county.a.users["collector"], visit=later) == 1
    a.refresh_from_db()
    assert a.state == AppointmentState.DONE


def test_window_problems_accepts_a_reasonable_window():
    now = timezone.now()
    day = timezone.localdate() + dt.timedelta(days=1)
    assert svc.window_problems(local(day, 9), local(day, 11), now=now) == {}
    assert "window_end" in svc.window_problems(local(day, 9), local(day + dt.timedelta(days=1), 10), now=now)


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def urls():
    """The appointment pages are part of the site's URLs (ybss/web/urls.py)."""


@pytest.fixture
def slips(county, officer_named):
    return {"a": issue(county.a), "b": issue(county.b)}


@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_list_shows_own_station_only(county, client_for, urls, slips, role):
    body = client_for(county.a.users[role]).get("/appointments/").content.decode()
    assert slips["a"].number in body and county.a.room.full_name in body
    assert slips["b"].number not in body and county.b.room.full_name not in body


def test_list_filters_by_state(county, client_for, urls, slips):
    client = client_for(county.a.users["officer"])
    assert slips["a"].number in client.get("/appointments/", {"state": "open"}).content.decode()
    assert slips["a"].number not in client.get("/appointments/", {"state": "done"}).content.decode()
    assert client.get("/appointments/", {"state": "nonsense"}).status_code == 400


def test_list_query_count_is_bounded(county, client_for, urls, slips, django_assert_max_num_queries):
    for _ in range(5):
        issue(county.a)
    client = client_for(county.a.users["officer"])
    with django_assert_max_num_queries(12):
        assert client.get("/appointments/").status_code == 200


def test_detail_shows_the_slip_and_its_history(county, client_for, urls, slips):
    a = slips["a"]
    svc.appointment_respond(token=a.token, action="confirm")
    resp = client_for(county.a.users["collector"]).get(f"/appointments/{a.pk}/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert a.number in body and county.a.room.full_name in body and OFFICER_NAME in body
    assert f"/appointments/{a.pk}/slip.pdf" in body
    assert 'class="timeline"' in body and body.count('<li class="tl-') == 2


def test_slip_pdf_downloads_in_scope(county, client_for, urls, slips):
    resp = client_for(county.a.users["collector"]).get(f"/appointments/{slips['a'].pk}/slip.pdf")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    assert slips["a"].number in resp["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["", "slip.pdf"])
def test_other_station_pages_are_not_found(county, client_for, urls, slips, suffix):
    resp = client_for(county.a.users["officer"]).get(f"/appointments/{slips['b'].pk}/{suffix}")
    assert resp.status_code == 404
    assert county.b.room.full_name not in resp.content.decode("utf-8", "replace")


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_other_station_actions_are_not_found(county, client_for, urls, slips, action):
    resp = client_for(county.a.users["officer"]).post(f"/appointments/{slips['b'].pk}/{action}/", {})
    assert resp.status_code == 404
    slips["b"].refresh_from_db()
    assert slips["b"].state == AppointmentState.PROPOSED


def test_collector_confirms_and_cancels_from_the_detail_page(county, client_for, urls, slips):
    client = client_for(county.a.users["collector"])
    a = slips["a"]
    start, end = window(days=4, start_hour=15)
    resp = client.post(
        f"/appointments/{a.pk}/confirm/",
        {"date": start.date().isoformat(), "start": "15:00", "end": "17:00"},
    )
    assert resp.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.window_start, a.window_end) == (AppointmentState.CONFIRMED, start, end)
    far = (start + dt.timedelta(days=30)).date().isoformat()
    bad = client.post(f"/appointments/{a.pk}/confirm/", {"date": far, "start": "10:00", "end": "11:00"})
    assert bad.status_code == 400
    assert "field-error" in bad.content.decode()
    assert client.post(f"/appointments/{a.pk}/cancel/", {"reason": "改期"}).status_code == 302
    a.refresh_from_db()
    assert a.state == AppointmentState.CANCELLED


def test_page_actions_need_an_editing_role(county, client_for, urls, slips):
    resp = client_for(county.users["supervisor"]).post(f"/appointments/{slips['a'].pk}/cancel/", {})
    assert resp.status_code == 403


# --- the resident's public page ----------------------------------------------------------------


def test_public_page_works_without_sign_in_and_is_chinese(county, urls, slips):
    a = slips["a"]
    resp = Client().get(f"/a/{a.token}/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'lang="zh-Hans"' in body
    assert "信息采集预约" in body and "确认此时间" in body and "改约" in body
    assert "金水派出所" in body and OFFICER_NAME in body and f"tel:{OFFICER_PHONE}" in body
    assert county.a.room.full_name in body
    local_start = timezone.localtime(a.window_start)
    assert f"{local_start.year}年{local_start.month}月{local_start.day}日" in body
    assert "noindex" in resp["X-Robots-Tag"]


def test_public_page_shows_no_resident_data(county, urls, slips):
    body = Client().get(f"/a/{slips['a'].token}/").content.decode()
    person = county.a.person
    assert person.name not in body and person.id_number not in body and person.phone not in body
    assert county.a.users["collector"].username not in body


def test_public_page_unknown_token_is_not_found(county, urls, slips):
    assert Client().get("/a/not-a-real-token/").status_code == 404
    assert Client().post("/a/not-a-real-token/", {"action": "confirm"}).status_code == 404


def test_public_page_confirms(county, urls, slips):
    a = slips["a"]
    resp = Client().post(f"/a/{a.token}/", {"action": "confirm"})
    assert resp.status_code == 302 and resp["Location"] == f"/a/{a.token}/"
    a.refresh_from_db()
    assert a.state == AppointmentState.CONFIRMED


def test_public_page_moves_to_another_day(county, urls, slips):
    a = slips["a"]
    start, end = window(days=6, start_hour=18, hours=2)
    resp = Client().post(
        f"/a/{a.token}/",
        {
            "action": "move",
            "choice": "other",
            "date": start.date().isoformat(),
            "start": "18:00",
            "end": "20:00",
            "note": "周末更方便",
        },
    )
    assert resp.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.window_start, a.window_end, a.resident_note) == (
        AppointmentState.MOVED,
        start,
        end,
        "周末更方便",
    )


def test_public_page_takes_a_typed_day_without_the_other_day_tick(county, urls, slips):
    a = slips["a"]
    start, _end = window(days=3, start_hour=9, hours=1)
    resp = Client().post(
        f"/a/{a.token}/",
        {"action": "move", "date": start.date().isoformat(), "start": "09:00", "end": "10:00"},
    )
    assert resp.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.window_start) == (AppointmentState.MOVED, start)
    assert Client().post(f"/a/{a.token}/", {"action": "move"}).status_code == 400


@NEEDS_SCHEDULER
def test_public_page_offers_windows_and_moves_to_one(county, urls, slips):
    a = slips["a"]
    body = Client().get(f"/a/{a.token}/").content.decode()
    values = re.findall(r'name="choice" value="([^"]+\|[^"]+)"', body)
    assert 1 <= len(values) <= 3
    resp = Client().post(f"/a/{a.token}/", {"action": "move", "choice": values[0]})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.state == AppointmentState.MOVED
    start, end = (dt.datetime.fromisoformat(v) for v in values[0].split("|"))
    assert (a.window_start, a.window_end) == (start, end)


def test_public_page_rejects_an_unreasonable_time(county, urls, slips):
    a = slips["a"]
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    resp = Client().post(
        f"/a/{a.token}/", {"action": "move", "choice": "other", "date": day, "start": "10:00", "end": "11:00"}
    )
    assert resp.status_code == 400
    a.refresh_from_db()
    assert a.state == AppointmentState.PROPOSED


def test_public_page_of_a_cancelled_appointment_offers_no_buttons(county, urls, slips):
    a = slips["a"]
    svc.appointment_cancel(actor=county.a.users["officer"], appointment=a)
    body = Client().get(f"/a/{a.token}/").content.decode()
    assert 'name="action"' not in body
    resp = Client().post(f"/a/{a.token}/", {"action": "confirm"})
    assert resp.status_code == 400


def test_every_appointment_url_declares_its_scope():
    from ybss.web.urls_appointments import urlpatterns

    assert all(getattr(p.callback, "ybss_scope", "") for p in urlpatterns)
    public = next(p for p in urlpatterns if p.name == "appointment_public")
    assert public.callback.ybss_scope != "jurisdiction"
