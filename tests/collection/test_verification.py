"""Field verification (核查 / 核实) with time, officer and GPS, driving the two rates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.collection import payloads as pl
from ybss.collection import selectors, sync
from ybss.collection.models import VerificationLog

pytestmark = pytest.mark.django_db


def _rate(user, name_part):
    return next(r for r in selectors.verification_rates(actor=user) if r.key == name_part)


def test_house_check_from_the_page_records_where_the_officer_stood(county, client_for):
    officer = county.a.users["officer"]
    door = county.a.door
    door.lng, door.lat = 110.15, 35.24
    door.save(update_fields=["lng", "lat"])
    county.a.house.verify_state = "pending"
    county.a.house.save(update_fields=["verify_state"])
    before = _rate(officer, "house_verification").numerator
    r = client_for(officer).post(
        reverse("web:house_verify", args=[county.a.house.pk]),
        {
            "version": county.a.house.version,
            "ok": "1",
            "reason": "",
            "lat": "35.2401",
            "lng": "110.1501",
            "accuracy_m": "8",
        },
    )
    assert r.status_code == 302
    log = VerificationLog.objects.get()
    assert log.officer == officer and log.ok and log.accuracy_m == 8
    assert 5 < log.distance_m < 30
    assert _rate(officer, "house_verification").numerator == before + 1


def test_unit_verification_from_a_phone_is_applied_on_arrival(county):
    officer = county.a.users["officer"]
    sub = pl.submission(
        "verify",
        {
            "record": "unit",
            "id": county.a.unit.pk,
            "version": county.a.unit.version,
            "ok": False,
            "note": "营业执照过期",
        },
    )
    [res] = sync.sync_receive(actor=officer, submissions=[sub])
    assert res["status"] == "accepted" and res["state"] == "applied"
    county.a.unit.refresh_from_db()
    assert county.a.unit.verify_state == "failed"
    assert VerificationLog.objects.get().lat is not None


def test_a_collector_cannot_verify(county):
    sub = pl.submission("verify", {"record": "house", "id": county.a.house.pk, "ok": True})
    [res] = sync.sync_receive(actor=county.a.users["collector"], submissions=[sub])
    assert res["status"] == "rejected" and res["code"] == "forbidden"
    assert not VerificationLog.objects.exists()


def test_verifying_another_stations_house_is_refused(county):
    sub = pl.submission("verify", {"record": "house", "id": county.b.house.pk, "ok": True})
    [res] = sync.sync_receive(actor=county.a.users["officer"], submissions=[sub])
    assert res["status"] == "invalid" and res["code"] == "submission.not_found"
