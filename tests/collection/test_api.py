"""The collection API: the phone's sync, work set and photos; review and acceptance through JSON."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.collection import payloads as pl
from ybss.collection.models import Photo, Submission, SubmissionState

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(client: Client, path: str, body) -> tuple[int, dict]:
    r = client.post(path, json.dumps(body), content_type="application/json")
    return r.status_code, r.json()


def test_sync_answers_each_submission(county):
    c = _client(county.a.users["collector"])
    sub = pl.submission("household", pl.household_new_door(county.a))
    status, body = _post(c, "/api/collection/sync", {"device": "Pixel", "submissions": [sub, sub]})
    assert status == 200
    assert [r["status"] for r in body["results"]] == ["accepted", "duplicate"]
    assert Submission.objects.get().device == "Pixel"


def test_sync_refuses_a_batch_too_large(county):
    c = _client(county.a.users["collector"])
    subs = [pl.submission("household", pl.household_new_door(county.a)) for _ in range(201)]
    status, _body = _post(c, "/api/collection/sync", {"submissions": subs})
    assert status in (400, 422) and not Submission.objects.exists()


def test_auditor_cannot_sync(county):
    c = _client(county.users["auditor"])
    status, body = _post(c, "/api/collection/sync", {"submissions": []})
    assert status == 403 and body["code"] == "forbidden"


def test_work_set_lists_the_collectors_tasks_with_masked_identifiers(county):
    import datetime as dt

    from ybss.collection.services import task_create

    collector = county.a.users["collector"]
    task_create(
        actor=county.a.users["officer"],
        assignee=collector,
        name="金水一组",
        deadline=dt.date.today() + dt.timedelta(days=3),
        door_ids=[county.a.door.pk],
    )
    r = _client(collector).get("/api/collection/work")
    assert r.status_code == 200
    body = r.json()
    assert body["tasks"][0]["items"][0]["address_id"] == county.a.room.pk
    person = body["persons"][0]
    assert person["id"] == county.a.person.pk and "*" in person["id_number"]
    assert county.a.person.id_number not in r.content.decode()
    assert county.b.door.full_name not in r.content.decode()


def test_bootstrap_carries_code_lists_in_chinese(county):
    r = _client(county.a.users["collector"]).get("/api/collection/bootstrap")
    body = r.json()
    assert ["1", "男性"] in body["codes"]["sex"] or ["1", "男"] in body["codes"]["sex"]
    assert body["user"]["police_unit"] == county.a.district.code


def test_photo_upload_is_idempotent(county):
    c = _client(county.a.users["collector"])
    cid = str(uuid.uuid4())
    jpeg = b"\xff\xd8\xff\xe0" + b"x" * 100
    from django.core.files.uploadedfile import SimpleUploadedFile

    for _ in range(2):
        r = c.post("/api/collection/photos", {"client_id": cid, "file": SimpleUploadedFile("p.jpg", jpeg)})
        assert r.status_code == 200, r.content
    assert Photo.objects.count() == 1
    r = c.post(
        "/api/collection/photos",
        {"client_id": str(uuid.uuid4()), "file": SimpleUploadedFile("p.txt", b"hello")},
    )
    assert r.status_code == 400 and "file" in r.json()["fields"]


def test_review_through_the_api(county):
    collector, officer = county.a.users["collector"], county.a.users["officer"]
    _s, body = _post(
        _client(collector),
        "/api/collection/sync",
        {"submissions": [pl.submission("household", pl.household_new_door(county.a))]},
    )
    sid = body["results"][0]["submission_id"]
    oc = _client(officer)
    queue = oc.get("/api/collection/review").json()
    assert [q["id"] for q in queue] == [sid]
    detail = oc.get(f"/api/collection/review/{sid}").json()
    assert {b["kind"] for b in detail["comparison"]} >= {"door", "house", "person"}
    status, out = _post(oc, f"/api/collection/review/{sid}/decide", {"action": "return"})
    assert status == 400 and "reason" in out["fields"]
    status, out = _post(oc, f"/api/collection/review/{sid}/decide", {"action": "pass"})
    assert status == 200 and out["state"] == SubmissionState.PASSED
    # the other station's officer sees nothing of it
    assert _client(county.b.users["officer"]).get(f"/api/collection/review/{sid}").status_code == 404
    chief = _client(county.a.users["chief"])
    status, out = _post(chief, "/api/collection/acceptance", {"level": "station", "submission_ids": [sid]})
    assert status == 200 and out["accepted"] == 1
    sup = _client(county.users["supervisor"])
    status, out = _post(sup, "/api/collection/acceptance", {"level": "county", "submission_ids": [sid]})
    assert status == 200 and out["accepted"] == 1
    assert Submission.objects.get(pk=sid).county_accepted_by == county.users["supervisor"]


def test_a_collector_cannot_decide(county):
    collector = county.a.users["collector"]
    _s, body = _post(
        _client(collector),
        "/api/collection/sync",
        {"submissions": [pl.submission("household", pl.household_new_door(county.a))]},
    )
    status, _out = _post(
        _client(collector),
        f"/api/collection/review/{body['results'][0]['submission_id']}/decide",
        {"action": "pass"},
    )
    assert status == 403


def test_visit_nobody_home_leaves_an_appointment_slip(county):
    collector = county.a.users["collector"]
    from django.utils import timezone

    visit = pl.submission(
        "visit",
        {
            "address_id": county.a.room.pk,
            "outcome": "nobody_home",
            "visited_at": timezone.now().isoformat(),
            "availability": "office",
            "appointment": {},
        },
    )
    _status, body = _post(_client(collector), "/api/collection/sync", {"submissions": [visit]})
    res = body["results"][0]
    assert res["status"] == "accepted" and res["state"] == "applied"
    assert res["appointment"]["number"] and res["appointment"]["slip_url"].endswith("slip.pdf")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
    max_leaves=10,
)
keys = st.sampled_from(
    ["client_id", "kind", "payload", "lat", "lng", "accuracy_m", "started_at", "task_item_id", "replaces"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_garbage_submissions_are_answered_not_crashed(county, data):
    c = _client(county.a.users["collector"])
    subs = []
    for _ in range(data.draw(st.integers(1, 3))):
        sub = {k: data.draw(json_values) for k in data.draw(st.lists(keys, unique=True, max_size=9))}
        if data.draw(st.booleans()):
            sub["client_id"] = str(uuid.uuid4())
            sub["kind"] = data.draw(st.sampled_from(["household", "visit", "verify"]))
        if data.draw(st.booleans()) and sub.get("kind") == "household":
            body = pl.household_new_door(county.a)
            path = data.draw(st.sampled_from(["door", "house", "persons", "visit", "room"]))
            body[path] = data.draw(json_values)
            sub["payload"] = body
        subs.append(sub)
    before = Submission.objects.count()
    r = c.post("/api/collection/sync", json.dumps({"submissions": subs}), content_type="application/json")
    assert r.status_code < 500, subs
    if r.status_code == 200:
        results = r.json()["results"]
        assert len(results) == len(subs)
        stored = sum(1 for x in results if x["status"] in ("accepted", "conflict"))
        assert Submission.objects.count() == before + stored
        for x in results:
            if x["status"] == "invalid":
                assert x["errors"] or x["message"]
