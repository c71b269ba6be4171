"""`ybss demo` against a database: totals, the organisation it writes, refusal and --reset."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection

from ybss.addresses.models import AddressElement, StandardAddress
from ybss.audit.models import RecordHistory
from ybss.demo import DEMO_PASSWORD, demo_logins
from ybss.demo.generate import generate
from ybss.demo.load import demo_password_hash
from ybss.org.models import AdminDivision, PoliceUnit, User
from ybss.org.services import county_load_divisions
from ybss.registry.models import Employment, House, Person, Residence, Unit

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # the command manages its own transaction


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_writes_exactly_the_scaled_totals():
    run_demo("--scale", "0.01", "--seed", "1")
    assert StandardAddress.objects.count() == 1467
    assert House.objects.count() == 1467
    assert Person.objects.count() == 2187
    assert Unit.objects.count() == 9
    assert Residence.objects.filter(active=True).count() == 2187
    records = sum(m.objects.count() for m in (StandardAddress, House, Person, Residence, Unit, Employment))
    assert RecordHistory.objects.filter(action="create", reason="demo").count() == records


def test_database_rows_equal_the_generated_rows():
    run_demo("--scale", "0.002", "--seed", "4")
    data = generate(0.002, 4)
    org = data.org_tables(demo_password_hash(4))
    with connection.cursor() as cur:
        for name in ("org_admindivision", "org_policeunit"):
            t = org[name]
            cols = ", ".join(connection.ops.quote_name(c) for c in t.columns)
            cur.execute(f"SELECT {cols} FROM {connection.ops.quote_name(name)}")
            assert sorted(cur.fetchall()) == sorted(t.rows)
        cur.execute("SELECT policeunit_id, admindivision_id FROM org_policeunit_divisions")
        assert set(cur.fetchall()) == {(r[1], r[2]) for r in org["org_policeunit_divisions"].rows}
    users = {u[4]: u for u in org["org_user"].rows}
    assert set(User.objects.values_list("username", flat=True)) == set(users)
    t = data.tables["registry_person"]
    expected = [dict(zip(t.columns, r, strict=True)) for r in t.rows]
    got = list(Person.objects.order_by("id").values("id", "id_number", "name", "birth_date", "created_at"))
    assert [(p["id"], p["id_number"], p["name"], p["birth_date"].isoformat()) for p in got] == [
        (p["id"], p["id_number"], p["name"], p["birth_date"]) for p in expected
    ]
    assert got[0]["created_at"].strftime("%Y-%m-%d %H:%M:%S") == expected[0]["created_at"]
    assert got[0]["created_at"].utcoffset().total_seconds() == 0


def test_divisions_and_police_units_nest_by_prefix():
    run_demo("--scale", "0.0005", "--seed", "2")
    jinshui = AdminDivision.objects.get(code="610524001003")
    assert (jinshui.level, jinshui.prefix, jinshui.parent_id) == (5, "610524001003", "610524001000")
    assert jinshui.full_name == "陕西省渭南市合阳县城关街道金水社区"
    assert AdminDivision.objects.get(code="610000000000").prefix == "61"
    assert AdminDivision.objects.get(code="610524001000").prefix == "610524001"
    assert AdminDivision.objects.filter(level=5).count() == 224
    bureau = PoliceUnit.objects.get(kind="county_bureau")
    assert (bureau.code, bureau.name, bureau.prefix) == ("610524000000", "合阳县公安局", "610524")
    station = PoliceUnit.objects.get(name="金水派出所")
    assert station.code == "610524501000" and station.prefix == "610524501"
    assert station.divisions.filter(code="610524001003").exists()
    for district in PoliceUnit.objects.filter(kind="district").prefetch_related("divisions"):
        assert district.prefix == district.code and district.code.startswith(district.parent.prefix)
        assert district.name.startswith(district.parent.name) and district.name.endswith("警务区")
        parent_villages = set(district.parent.divisions.values_list("code", flat=True))
        assert {d.code for d in district.divisions.all()} <= parent_villages


def test_every_record_points_at_a_district_that_covers_its_village():
    run_demo("--scale", "0.002", "--seed", "3")
    covered = set(PoliceUnit.divisions.through.objects.values_list("policeunit_id", "admindivision_id"))
    for model in (StandardAddress, House, Person, Residence, Unit, Employment):
        pairs = set(model.objects.values_list("police_unit_id", "division_id").distinct())
        assert pairs <= covered, model
        stations = {(p[:9] + "000", d) for p, d in pairs}
        assert stations <= covered, model


def test_demo_users_sign_in_with_the_demo_password():
    assert demo_logins() == []
    run_demo("--scale", "0.0005", "--seed", "1")
    logins = demo_logins()
    assert [u for _role, u in logins] == [
        "admin",
        "supervisor",
        "investigator",
        "auditor",
        "jinshui_chief",
        "jinshui_officer1",
        "jinshui_collector1",
    ]
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert (
        admin is not None
        and admin.is_staff
        and not admin.is_superuser
        and admin.police_unit_id == "610524000000"
    )
    officer = User.objects.get(username="jinshui_officer1")
    assert officer.role == "officer" and officer.police_unit.kind == "district"
    assert User.objects.get(username="auditor").police_unit_id is None
    assert AddressElement.objects.filter(kind="34", name="1组").count() == 204  # every non-urban village


def test_demo_refuses_a_database_that_holds_data():
    county_load_divisions(code="610524")
    before = AdminDivision.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        run_demo("--scale", "0.0005")
    assert AdminDivision.objects.count() == before
    assert (
        not PoliceUnit.objects.exists() and not StandardAddress.objects.exists() and not User.objects.exists()
    )


def test_county_load_divisions_is_idempotent():
    assert county_load_divisions() == 239
    assert county_load_divisions() == 0
    assert AdminDivision.objects.count() == 239


def test_reset_rebuilds_a_sqlite_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(YBSS_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ybss.settings.dev")

    def ybss(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ybss", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
        )

    first = ybss("demo", "--scale", "0.0005", "--seed", "1", "--reset")
    assert first.returncode == 0, first.stderr
    refused = ybss("demo", "--scale", "0.0005", "--seed", "1")
    assert refused.returncode != 0 and "--reset" in refused.stderr
    again = ybss("demo", "--scale", "0.0005", "--seed", "2", "--reset")
    assert again.returncode == 0, again.stderr
    assert "73 addresses" in again.stdout


def test_demo_runs_a_police_work_round_with_heyangs_results():
    from django.db.models import Sum

    from ybss.casework.models import Lead, LeadSource, Result, WatchList
    from ybss.demo.casework import HEYANG_RESULTS
    from ybss.supervision.models import Bulletin

    out = run_demo("--scale", "0.01", "--seed", "2")
    assert "服务实战 / police work" in out
    assert WatchList.objects.filter(state="approved").count() == 2
    assert Lead.objects.filter(source=LeadSource.WATCH_LIST).exists()
    assert Lead.objects.filter(source=LeadSource.TIP).exists()
    totals = dict(Result.objects.values_list("category").annotate(n=Sum("count")))
    assert totals == HEYANG_RESULTS
    # the bulletins count the results of their periods, and together the campaign's all but
    # September's (第1期 covers October, 第2期 the first half of November)
    issued = Bulletin.objects.order_by("pk")
    assert all("casework" in b.content for b in issued)
    in_bulletins = sum(sum(b.content["casework"]["total"].values()) for b in issued)
    after_september = Result.objects.filter(occurred_on__gte="2026-10-01").aggregate(n=Sum("count"))["n"]
    assert in_bulletins == after_september
