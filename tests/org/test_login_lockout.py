"""Too many failed sign-ins lock the user name for a while (counted from the audit log)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import PASSWORD
from ybss.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(username: str, password: str) -> bool:
    c = Client()
    c.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in c.session


def test_five_failures_lock_the_account(county):
    assert _login("officer_a", PASSWORD)
    for _ in range(5):
        assert not _login("officer_a", "wrong")
    assert not _login("officer_a", PASSWORD)  # locked, even with the right password
    assert _login("officer_b", PASSWORD)  # others unaffected
    assert AuditEvent.objects.filter(action="login_failed", actor_name="officer_a").count() == 6


def test_lock_expires(county, monkeypatch):
    for _ in range(5):
        _login("officer_a", "wrong")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    monkeypatch.setattr("ybss.org.auth.timezone.now", lambda: later)
    assert _login("officer_a", PASSWORD)
