"""The review pages: queue, side-by-side comparison with differences, decisions, acceptance."""

from __future__ import annotations

import pytest

from tests.collection import payloads as pl
from ybss.collection import sync
from ybss.collection.models import Submission, SubmissionState
from ybss.registry.models import Person

pytestmark = pytest.mark.django_db


def _submit(county, body):
    [r] = sync.sync_receive(actor=county.a.users["collector"], submissions=[pl.submission("household", body)])
    return Submission.objects.get(pk=r["submission_id"])


def test_queue_lists_waiting_submissions_of_the_district(county, client_for):
    sub = _submit(county, pl.household_new_door(county.a))
    page = client_for(county.a.users["officer"]).get("/review/")
    assert page.status_code == 200 and sub.short_id in page.content.decode()
    other = client_for(county.b.users["officer"]).get("/review/")
    assert sub.short_id not in other.content.decode()


def test_detail_shows_the_edit_beside_the_registry_with_the_difference_marked(county, client_for):
    sub = _submit(county, pl.edit_person(county.a, occupation="教师"))
    html = client_for(county.a.users["officer"]).get(f"/review/{sub.pk}/").content.decode()
    assert 'class="diff"' in html and "教师" in html
    assert county.a.person.id_number in html  # officers see full numbers
    html_collector = client_for(county.a.users["collector"]).get(f"/review/{sub.pk}/").content.decode()
    assert county.a.person.id_number not in html_collector  # collectors see them masked
    assert 'name="action"' not in html_collector  # and cannot decide


def test_pass_from_the_page_applies_and_moves_to_the_next(county, client_for):
    sub = _submit(county, pl.edit_person(county.a, occupation="教师"))
    r = client_for(county.a.users["officer"]).post(f"/review/{sub.pk}/decide/", {"action": "pass"})
    assert r.status_code == 302
    county.a.person.refresh_from_db()
    assert county.a.person.occupation == "教师"
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.PASSED


def test_return_without_reason_rerenders_with_a_chinese_error(county, client_for):
    sub = _submit(county, pl.household_new_door(county.a))
    r = client_for(county.a.users["officer"]).post(f"/review/{sub.pk}/decide/", {"action": "return"})
    assert r.status_code == 400
    assert "请" in r.content.decode()
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.PENDING


def test_conflict_page_offers_overwrite_not_pass(county, client_for):
    base = county.a.person.version
    Person.objects.filter(pk=county.a.person.pk).update(version=base + 1)
    sub = _submit(county, pl.edit_person(county.a, version=base, occupation="司机"))
    assert sub.state == SubmissionState.CONFLICT
    html = client_for(county.a.users["officer"]).get(f"/review/{sub.pk}/").content.decode()
    assert 'value="overwrite"' in html and 'value="pass"' not in html
    r = client_for(county.a.users["officer"]).post(f"/review/{sub.pk}/decide/", {"action": "pass"})
    assert r.status_code == 409


def test_station_acceptance_page(county, client_for):
    sub = _submit(county, pl.household_new_door(county.a))
    client_for(county.a.users["officer"]).post(f"/review/{sub.pk}/decide/", {"action": "pass"})
    chief = client_for(county.a.users["chief"])
    page = chief.get("/review/acceptance/")
    assert sub.short_id in page.content.decode()
    r = chief.post("/review/acceptance/", {"ids": [sub.pk], "action": "accept"})
    assert r.status_code == 302
    assert Submission.objects.get(pk=sub.pk).station_accepted_by == county.a.users["chief"]
    assert client_for(county.a.users["officer"]).get("/review/acceptance/").status_code == 403


def test_sending_back_at_acceptance_returns_the_records(county, client_for):
    sub = _submit(county, pl.household_new_door(county.a))
    client_for(county.a.users["officer"]).post(f"/review/{sub.pk}/decide/", {"action": "pass"})
    chief = client_for(county.a.users["chief"])
    r = chief.post(
        "/review/acceptance/", {"ids": [sub.pk], "action": "send_back", "reason": "门牌照片与地址不符"}
    )
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.state == SubmissionState.RETURNED
    person_ids = sub.effects.filter(record_type="registry.person").values_list("record_id", flat=True)
    assert set(Person.objects.filter(pk__in=person_ids).values_list("status", flat=True)) == {"returned"}


def test_tasks_page_and_new_task(county, client_for):
    officer = client_for(county.a.users["officer"])
    r = officer.post(
        "/tasks/new/",
        {
            "name": "金水社区第一批",
            "assignee": county.a.users["collector"].pk,
            "village": county.a.village.code,
            "deadline": "2099-01-01",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    page = officer.get("/tasks/").content.decode()
    assert "金水社区第一批" in page
    bad = officer.post("/tasks/new/", {"name": "", "assignee": "x", "village": "", "deadline": "2001-01-01"})
    assert bad.status_code == 400


def test_opening_a_submission_and_downloading_the_work_set_are_audited(county, client_for):
    import datetime as dt

    from ybss.audit.models import AuditEvent
    from ybss.collection.services import task_create

    sub = _submit(county, pl.edit_person(county.a, occupation="教师"))
    client_for(county.a.users["officer"]).get(f"/review/{sub.pk}/")
    ev = AuditEvent.objects.filter(object_type="collection.submission").latest("id")
    assert (
        ev.action == "read" and ev.object_id == str(sub.pk) and ev.detail["persons"] == [county.a.person.pk]
    )
    task_create(
        actor=county.a.users["officer"],
        assignee=county.a.users["collector"],
        name="t",
        deadline=dt.date.today() + dt.timedelta(days=3),
        door_ids=[county.a.door.pk],
    )
    client_for(county.a.users["collector"]).get("/api/collection/work")
    ev = AuditEvent.objects.filter(object_type="collection.workset").latest("id")
    assert ev.actor == county.a.users["collector"] and ev.result_count == 1


def test_queue_and_task_pages_use_a_bounded_number_of_queries(
    county, client_for, django_assert_max_num_queries
):
    import datetime as dt

    from ybss.collection.services import task_create

    for i in range(25):
        _submit(county, pl.household_new_door(county.a, door_number=str(200 + i), seq0=100 + 3 * i))
    task_create(
        actor=county.a.users["officer"],
        assignee=county.a.users["collector"],
        name="t",
        deadline=dt.date.today() + dt.timedelta(days=3),
        door_ids=[county.a.door.pk],
    )
    officer = client_for(county.a.users["officer"])
    for url in ("/review/", "/api/collection/review", "/tasks/", "/review/acceptance/"):
        client = client_for(county.a.users["chief"]) if "acceptance" in url else officer
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
