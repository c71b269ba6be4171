"""Phone submissions: received once, checked like the forms, conflicts kept for the reviewer."""

from __future__ import annotations

import random
import uuid

import pytest

from tests.collection import payloads as pl
from ybss.addresses.models import StandardAddress
from ybss.audit.models import RecordHistory
from ybss.collection import review, sync
from ybss.collection.models import ClientEntity, Submission, SubmissionState, Visit
from ybss.core.errors import Conflict, Forbidden
from ybss.registry.models import House, Person, Residence

pytestmark = pytest.mark.django_db


def _send(user, *subs):
    return sync.sync_receive(actor=user, submissions=list(subs), device="test-phone", app_version="1")


def test_a_household_submission_waits_for_review(county):
    collector = county.a.users["collector"]
    sub = pl.submission("household", pl.household_new_door(county.a))
    [result] = _send(collector, sub)
    assert result["status"] == "accepted" and result["state"] == SubmissionState.PENDING
    stored = Submission.objects.get(client_id=sub["client_id"])
    assert stored.division_id == county.a.village.code and stored.police_unit_id == county.a.district.code
    assert stored.device == "test-phone" and stored.accuracy_m == 12
    assert not StandardAddress.objects.filter(door_number="88").exists()  # nothing applied yet


def test_the_same_submission_twice_is_a_duplicate(county):
    collector = county.a.users["collector"]
    sub = pl.submission("household", pl.household_new_door(county.a))
    first = _send(collector, sub)[0]
    again = _send(collector, sub, sub)
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert again[0]["submission_id"] == first["submission_id"]
    assert Submission.objects.count() == 1


def test_a_client_id_reused_for_other_content_is_rejected(county):
    collector = county.a.users["collector"]
    sub = pl.submission("household", pl.household_new_door(county.a))
    _send(collector, sub)
    other = {**sub, "payload": pl.household_new_door(county.a, door_number="99")}
    [result] = _send(collector, other)
    assert result["status"] == "rejected" and result["code"] == "submission.client_id_reused"


def test_bad_fields_come_back_by_path_and_save_nothing(county):
    collector = county.a.users["collector"]
    body = pl.household_new_door(county.a)
    body["persons"][1]["fields"]["id_number"] = "610524198503150001"  # wrong check digit
    body["house"]["fields"]["use"] = "castle"
    good = pl.submission("household", pl.household_new_door(county.a, door_number="90", seq0=700))
    bad = pl.submission("household", body)
    results = _send(collector, bad, good)
    assert results[0]["status"] == "invalid"
    assert "persons.1.fields.id_number" in results[0]["errors"]
    assert "house.fields.use" in results[0]["errors"]
    assert results[1]["status"] == "accepted"  # the rest of the batch goes in
    assert list(Submission.objects.values_list("client_id", flat=True)) == [uuid.UUID(good["client_id"])]


def test_a_door_plate_of_another_station_is_rejected(county):
    collector = county.a.users["collector"]
    body = pl.household_at_room(county.a)
    body["door"] = {"id": county.b.door.pk, "version": 1}
    [result] = _send(collector, pl.submission("household", body))
    assert result["status"] == "invalid" and result["code"] == "submission.not_found"


def test_passing_applies_it_with_history(county):
    collector, officer = county.a.users["collector"], county.a.users["officer"]
    sub = pl.submission("household", pl.household_new_door(county.a))
    [result] = _send(collector, sub)
    review.submission_pass(actor=officer, submission_id=result["submission_id"])
    door = StandardAddress.objects.get(door_number="88", road=county.a.road)
    assert door.status == "accepted" and door.lng is not None
    house = House.objects.get(address=door)
    people = Person.objects.filter(residences__house=house)
    assert people.count() == 2 and set(people.values_list("status", flat=True)) == {"accepted"}
    assert Residence.objects.filter(house=house, status="accepted").count() == 2
    history = RecordHistory.objects.filter(record_type="registry.person", record_id=people[0].pk)
    assert [h.action for h in history.order_by("pk")] == ["create", "status"]
    assert Submission.objects.get(pk=result["submission_id"]).state == SubmissionState.PASSED
    assert Visit.objects.filter(address=door, outcome="collected", collector=collector).exists()
    assert ClientEntity.objects.filter(record_id__isnull=True).count() == 0


def test_a_collector_cannot_pass(county):
    collector = county.a.users["collector"]
    [result] = _send(collector, pl.submission("household", pl.household_new_door(county.a)))
    with pytest.raises(Forbidden):
        review.submission_pass(actor=collector, submission_id=result["submission_id"])


def test_two_collectors_editing_one_person_from_one_version_the_second_is_a_conflict(county):
    from tests.factories import _user
    from ybss.org.models import Role

    first = county.a.users["collector"]
    second = _user("collector_a2", Role.COLLECTOR, county.a.district, county.a.village)
    officer = county.a.users["officer"]
    base = county.a.person.version
    r1 = _send(first, pl.submission("household", pl.edit_person(county.a, version=base, occupation="教师")))[
        0
    ]
    r2 = _send(second, pl.submission("household", pl.edit_person(county.a, version=base, occupation="司机")))[
        0
    ]
    assert r1["status"] == "accepted"
    assert r2["status"] == "conflict"
    stored = Submission.objects.get(pk=r2["submission_id"])
    assert stored.state == SubmissionState.CONFLICT and stored.conflict[0]["why"] == "concurrent"
    review.submission_pass(actor=officer, submission_id=r1["submission_id"])
    county.a.person.refresh_from_db()
    assert county.a.person.occupation == "教师"
    with pytest.raises(Conflict):
        review.submission_pass(actor=officer, submission_id=r2["submission_id"])
    county.a.person.refresh_from_db()
    assert county.a.person.occupation == "教师"  # never a silent overwrite
    review.submission_pass(actor=officer, submission_id=r2["submission_id"], overwrite=True)
    county.a.person.refresh_from_db()
    assert county.a.person.occupation == "司机"


def test_an_edit_based_on_an_old_version_is_a_conflict_on_arrival(county):
    collector = county.a.users["collector"]
    old = county.a.person.version
    Person.objects.filter(pk=county.a.person.pk).update(version=old + 1)
    [result] = _send(
        collector, pl.submission("household", pl.edit_person(county.a, version=old, occupation="农民"))
    )
    assert result["status"] == "conflict"
    assert Submission.objects.get(pk=result["submission_id"]).conflict[0]["why"] == "outdated"


def test_returned_submissions_reach_the_collector_with_the_reason(county):
    collector, officer = county.a.users["collector"], county.a.users["officer"]
    [result] = _send(collector, pl.submission("household", pl.household_new_door(county.a)))
    review.submission_return(actor=officer, submission_id=result["submission_id"], reason="门牌号拍照不清")
    from ybss.collection.selectors import my_submissions

    mine = my_submissions(actor=collector).get(pk=result["submission_id"])
    assert mine.state == SubmissionState.RETURNED and mine.review_reason == "门牌号拍照不清"


def test_a_later_submission_can_build_on_an_unreviewed_door_plate(county):
    collector, officer = county.a.users["collector"], county.a.users["officer"]
    first = pl.household_new_door(county.a, persons=1)
    later = {
        "door": {"cid": first["door"]["cid"]},
        "house": {"cid": first["house"]["cid"]},
        "persons": [pl.person(900)],
    }
    r1, r2 = _send(collector, pl.submission("household", first), pl.submission("household", later))
    assert r2["status"] == "accepted", (r2["code"], r2["errors"])
    with pytest.raises(Exception) as exc:
        review.submission_pass(actor=officer, submission_id=r2["submission_id"])
    assert getattr(exc.value, "code", "") == "submission.depends"
    review.submission_pass(actor=officer, submission_id=r1["submission_id"])
    review.submission_pass(actor=officer, submission_id=r2["submission_id"])
    house = House.objects.get(address__door_number="88", address__road=county.a.road)
    assert Residence.objects.filter(house=house, active=True).count() == 2


def test_a_batch_sent_three_times_shuffled_with_drops_is_applied_exactly_once(county):
    """1,000 submissions, each sent three times in shuffled batches, a random tenth of each round
    lost on the way (never reaching the server) and retried in the next; every one ends stored
    exactly once and, once passed, in the registry exactly once."""
    collector, officer = county.a.users["collector"], county.a.users["officer"]
    rng = random.Random(5)
    subs = []
    for i in range(1000):
        body = {
            "door": {"id": county.a.door.pk, "version": county.a.door.version},
            "room": {
                "cid": str(uuid.uuid4()),
                "new": {"unit_no": "2", "floor": 1 + i // 100, "room_no": f"{i:04d}"},
            },
            "house": {"cid": str(uuid.uuid4()), "fields": {"house_type": "apartment", "use": "self"}},
            "persons": [_person_for(i)],
        }
        subs.append(pl.submission("household", body))
    answered: dict[str, set[str]] = {}
    carry: list[dict] = []
    for _round in range(3):
        batch = subs[:] + carry
        rng.shuffle(batch)
        carry = []
        for start in range(0, len(batch), 200):
            chunk = batch[start : start + 200]
            lost = [s for s in chunk if rng.random() < 0.1]
            sent = [s for s in chunk if s not in lost]
            carry.extend(lost)
            for res in _send(collector, *sent):
                answered.setdefault(res["client_id"], set()).add(res["status"])
    for res in _send(collector, *carry[:200]):
        answered.setdefault(res["client_id"], set()).add(res["status"])
    assert len(answered) == 1000
    assert all(s <= {"accepted", "duplicate"} for s in answered.values())
    assert Submission.objects.count() == 1000
    for sub_id in Submission.objects.order_by("pk").values_list("pk", flat=True)[:50]:
        review.submission_pass(actor=officer, submission_id=sub_id)
    for sub in subs[:50]:
        _send(collector, sub)  # retried after review: still nothing new
    assert Submission.objects.count() == 1000
    assert StandardAddress.objects.filter(parent=county.a.door, unit_no="2").count() == 50


def _person_for(i: int) -> dict:
    from tests.factories import make_id

    p = pl.person(1)
    p["fields"]["id_number"] = make_id(birth=f"19{60 + i % 40:02d}0{1 + i % 9}1{i % 9}", seq=100 + i % 800)
    p["fields"]["sex"] = "1" if (100 + i % 800) % 2 else "2"
    p["fields"]["phone"] = f"139{i:08d}"
    p["residence"]["relation"] = "10"
    return p


@pytest.mark.skipif(
    "__import__('django.db').db.connection.vendor == 'sqlite'",
    reason="threads on the in-memory SQLite test database share one cache (see tests/jobs)",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_from_two_phones_at_once_is_stored_once(county):
    """Two requests racing with the same client ids meet at the unique index: one stores each
    submission, the other answers duplicate."""
    import threading

    from django.db import connection

    collector = county.a.users["collector"]
    subs = [
        pl.submission(
            "household", pl.household_new_door(county.a, door_number=str(100 + i), seq0=100 + 3 * i)
        )
        for i in range(40)
    ]
    answers: list[list[dict]] = []
    barrier = threading.Barrier(2)

    def send(order):
        try:
            barrier.wait()
            answers.append(sync.sync_receive(actor=collector, submissions=order))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(subs,)), threading.Thread(target=send, args=(subs[::-1],))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 2
    statuses = {}
    for batch in answers:
        for r in batch:
            statuses.setdefault(r["client_id"], []).append(r["status"])
    assert all(
        sorted(v) in (["accepted", "duplicate"], ["duplicate", "accepted"]) for v in statuses.values()
    ), statuses
    assert Submission.objects.count() == 40
