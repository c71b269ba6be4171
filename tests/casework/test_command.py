"""``ybss casework lists|run|expire``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from ybss.audit.models import AuditEvent
from ybss.casework.models import Lead, WatchList, WatchListState

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("casework", *args, stdout=out)
    return out.getvalue()


def test_run_compares_the_list_writes_a_lead_and_audits_with_the_purpose(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    before = AuditEvent.objects.count()
    out = _call("run", str(wl.pk), "--user", county.users["investigator"].username, "--quiet")
    assert out == ""
    lead = Lead.objects.get(person=county.b.person)
    assert lead.police_unit_id == county.b.district.pk
    runs = AuditEvent.objects.filter(pk__gt=before, action="search")
    assert runs.count() == 1 and runs.get().purpose == wl.purpose
    assert county.b.person.id_number not in str(runs.get().detail)


def test_run_prints_its_counts(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    out = _call("run", str(wl.pk), "--user", county.users["investigator"].username)
    assert out.strip().endswith("1 hits, 1 new leads")


def test_run_of_an_unknown_user_or_inactive_list_is_a_clear_error(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    with pytest.raises(CommandError, match="no such user"):
        _call("run", str(wl.pk), "--user", "no-such-user-x")
    WatchList.objects.filter(pk=wl.pk).update(state=WatchListState.WITHDRAWN)
    with pytest.raises(CommandError):
        _call("run", str(wl.pk), "--user", county.users["investigator"].username, "--quiet")


def test_lists_and_expire(county, upload):
    wl = upload([(county.b.person.id_number, "", "", "")])
    assert f"{wl.pk}\tapproved\t" in _call("lists")
    WatchList.objects.filter(pk=wl.pk).update(expires_on=dt.date(2020, 1, 1))
    assert _call("expire").startswith("1 ")
    assert WatchList.objects.get(pk=wl.pk).state == WatchListState.EXPIRED
