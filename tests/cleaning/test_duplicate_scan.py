"""The stored duplicate check: a background job (or ``ybss address clean``) runs the search and
stores its groups; the duplicates page reads the latest stored check, scoped, without searching."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from tests.factories import AddressFactory
from ybss.addresses import matching
from ybss.cleaning import selectors, services
from ybss.cleaning.models import DuplicateMember, DuplicateScan
from ybss.jobs import runner
from ybss.jobs.models import Job, JobKind, JobState

pytestmark = pytest.mark.django_db

PAGE = "/cleaning/duplicates/"
CHECK = "/cleaning/duplicates/check/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _pair(station, number: str = "K30"):
    """Two door plates of ``station`` with the same name: one place recorded twice. The door
    numbers have a letter, so the factory's numbered doors never join a group."""
    stamp = {"division": station.village, "police_unit": station.district, "road": station.road}
    name = f"{station.door.full_name.rsplit('路', 1)[0]}路{number}号"
    return (
        AddressFactory(door_number=number, full_name=name, **stamp),
        AddressFactory(door_number=number, full_name=name, **stamp),
    )


def _stored(scan: DuplicateScan) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for group, pk in scan.members.order_by("group", "position").values_list("group", "address_id"):
        groups.setdefault(group, []).append(pk)
    return list(groups.values())


def _no_search(*_args, **_kwargs):
    raise AssertionError("the page must not run the duplicate search")


def test_the_job_stores_the_groups_of_the_whole_county(county, client_for):
    x, y = _pair(county.a)
    u, v = _pair(county.b)
    officer = county.a.users["officer"]
    c = client_for(officer)
    resp = c.post(CHECK)
    job = Job.objects.get(kind=JobKind.DUPLICATES)
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    assert job.state == JobState.SUCCEEDED and job.actor == officer
    scan = DuplicateScan.objects.get()
    assert (scan.job_id, scan.actor, scan.scoped, scan.division_prefix) == (job.pk, officer, False, "")
    stored = _stored(scan)
    assert [x.pk, y.pk] in stored and [u.pk, v.pk] in stored
    assert scan.group_count == len(stored) and scan.address_count == sum(map(len, stored))
    # the job's result counts only the starter's jurisdiction; its page links to the groups
    assert job.result == {"scan_id": scan.pk, "groups": 1}
    html = c.get(resp["Location"]).content.decode()
    assert PAGE in html and "重复地址检查" in html and "1 组" in html
    assert "重复地址检查" in c.get("/jobs/").content.decode()


def test_the_page_reads_the_stored_check_and_does_not_search(
    county, client_for, monkeypatch, django_assert_max_num_queries
):
    pairs = [_pair(county.a, f"K{n}") for n in range(30, 36)]
    services.duplicate_scan_run(actor=None)
    monkeypatch.setattr(matching, "find_duplicates", _no_search)
    c = client_for(county.a.users["chief"])
    c.get(PAGE)  # session and user loaded once
    with django_assert_max_num_queries(10):  # 9, whatever the number of groups
        resp = c.get(PAGE)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert all(a.code in html for pair in pairs for a in pair)
    assert "命令行" in html and "重新检查" in html  # started from the command line; check again


def test_before_any_check_the_page_offers_to_run_one(county, client_for, monkeypatch):
    _pair(county.a)
    monkeypatch.setattr(matching, "find_duplicates", _no_search)
    html = client_for(county.a.users["officer"]).get(PAGE).content.decode()
    assert "尚未检查" in html and "开始检查" in html


def test_merged_and_not_duplicate_groups_drop_out(county, client_for):
    x, y = _pair(county.a, "K30")
    p, q = _pair(county.a, "K31")
    r, s = _pair(county.a, "K32")
    chief = county.a.users["chief"]
    client_for(chief).post(CHECK)
    services.address_merge_by_ids(actor=chief, survivor_id=x.pk, duplicate_ids=[y.pk], reason="同一门牌")
    services.not_duplicate_mark(actor=chief, addresses=[p, q], reason="两处")
    scan = selectors.duplicate_scan_latest(actor=chief)
    assert [r.pk, s.pk] in selectors.duplicate_scan_groups(actor=chief, scan=scan)
    assert not any({x.pk, p.pk} & set(g) for g in selectors.duplicate_scan_groups(actor=chief, scan=scan))
    html = client_for(chief).get(PAGE).content.decode()
    assert r.code in html and y.code not in html and p.code not in html and q.code not in html


def test_another_stations_user_sees_none_of_them(county, client_for, monkeypatch):
    x, y = _pair(county.a)
    client_for(county.a.users["officer"]).post(CHECK)
    monkeypatch.setattr(matching, "find_duplicates", _no_search)
    for role in ("collector", "officer", "chief"):
        user = county.b.users[role]
        scan = selectors.duplicate_scan_latest(actor=user)
        assert scan is not None and selectors.duplicate_scan_groups(actor=user, scan=scan) == []
        c = client_for(user)
        html = c.get(PAGE).content.decode()
        assert x.code not in html and y.code not in html and x.full_name not in html
        # station a's village is not a choice for station b: refused, nothing shown
        resp = c.get(PAGE, {"division": county.a.village.code})
        assert resp.status_code == 400 and x.code not in resp.content.decode()


def test_a_division_narrows_the_groups_shown(county, client_for):
    x, _y = _pair(county.a)
    c = client_for(county.a.users["chief"])
    c.post(CHECK)
    assert x.code in c.get(PAGE, {"division": county.a.village.code}).content.decode()
    town = county.a.village.code[:9] + "000"
    assert x.code in c.get(PAGE, {"division": town}).content.decode()


def test_a_new_check_replaces_the_older_one(county):
    first = services.duplicate_scan_run(actor=county.a.users["officer"]).scan
    x, y = _pair(county.a)
    second = services.duplicate_scan_run(actor=county.b.users["officer"]).scan
    assert list(DuplicateScan.objects.values_list("pk", flat=True)) == [second.pk]
    assert not DuplicateMember.objects.filter(scan_id=first.pk).exists()
    assert [x.pk, y.pk] in _stored(second)


def test_check_again_while_a_check_runs_goes_to_that_job(county, client_for):
    officer = county.a.users["officer"]
    running = Job.objects.create(
        kind=JobKind.DUPLICATES,
        actor=officer,
        state=JobState.RUNNING,
        worker=runner.worker_id(),
        stage="duplicates",
        done=20_000,
        total=146_713,
    )
    runner.register(running.pk)  # this process runs it: not taken for dead
    c = client_for(officer)
    try:
        resp = c.post(CHECK)
        status = c.get(f"/jobs/{running.pk}/status").json()
    finally:
        runner.forget(running.pk)
    assert resp["Location"] == f"/jobs/{running.pk}/"
    assert Job.objects.filter(kind=JobKind.DUPLICATES).count() == 1
    assert (status["stage_label"], status["count_label"]) == ("正在检查重复地址", "20,000 / 146,713 个地址")


def test_the_check_is_a_post_and_needs_business_access(county, client_for):
    assert client_for(county.a.users["officer"]).get(CHECK).status_code == 405
    resp = client_for(county.users["auditor"]).post(CHECK)
    assert resp.status_code == 403 and CJK.search(resp.content.decode())
    assert not Job.objects.exists()


def test_address_clean_stores_its_check(county, client_for):
    x, y = _pair(county.a)
    call_command("address", "clean", "--quiet", stdout=io.StringIO(), stderr=io.StringIO())
    county_wide = DuplicateScan.objects.get()
    assert (county_wide.actor, county_wide.scoped) == (None, False)
    assert [x.pk, y.pk] in _stored(county_wide)
    call_command(
        "address", "clean", "--quiet", "--user", "officer_b", stdout=io.StringIO(), stderr=io.StringIO()
    )
    officer_b = county.b.users["officer"]
    mine = DuplicateScan.objects.get(scoped=True)
    assert mine.actor == officer_b and _stored(mine) == []  # station b's jurisdiction only
    # the scoped check covers officer_b alone; station a still sees the county-wide one
    assert selectors.duplicate_scan_latest(actor=officer_b) == mine
    assert selectors.duplicate_scan_latest(actor=county.a.users["officer"]) == county_wide
    assert x.code in client_for(county.a.users["officer"]).get(PAGE).content.decode()
