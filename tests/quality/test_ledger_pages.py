"""The ledger pages and API: list and summary in scope, decisions, the Excel export read back,
rules for the admin, a scan started as a job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import PersonFactory, make_id
from ybss.audit.models import AuditEvent
from ybss.quality import scan
from ybss.quality.models import Problem, ProblemState, RuleSetting

pytestmark = pytest.mark.django_db


@pytest.fixture
def problems(county):
    out = {}
    for st in (county.a, county.b):
        p = PersonFactory(
            id_number=make_id(seq=501 if st.key == "a" else 503),
            name=f"错号{st.key}",
            phone="12345",
            sex="1",
            birth_date=dt.date(1980, 1, 1),
            division=st.village,
            police_unit=st.district,
            created_by=st.users["collector"],
        )
        out[st.key] = p
    scan.scan_and_record()
    return {k: Problem.objects.get(record_id=p.pk, rule="person.phone_invalid") for k, p in out.items()}


def test_ledger_lists_own_problems_only(county, client_for, problems):
    page = client_for(county.a.users["officer"]).get("/quality/").content.decode()
    assert f"#{problems['a'].pk} " in page and f"#{problems['b'].pk} " not in page
    assert client_for(county.a.users["officer"]).get(f"/quality/{problems['b'].pk}/").status_code == 404


def test_collector_sees_the_problems_they_are_responsible_for(county, client_for, problems):
    page = client_for(county.a.users["collector"]).get("/quality/").content.decode()
    assert f"#{problems['a'].pk} " in page


def test_confirm_needs_a_reason_in_chinese_then_closes(county, client_for, problems):
    c = client_for(county.a.users["officer"])
    r = c.post(f"/quality/{problems['a'].pk}/", {"action": "confirm", "note": ""})
    assert r.status_code == 400 and "请" in r.content.decode()
    r = c.post(
        f"/quality/{problems['a'].pk}/", {"action": "confirm", "note": "已电话核实，号码属实为座机分机"}
    )
    assert r.status_code == 302
    problems["a"].refresh_from_db()
    assert problems["a"].state == ProblemState.CONFIRMED


def test_export_reads_back_and_is_audited(county, client_for, problems):
    r = client_for(county.a.users["officer"]).post("/quality/export/?state=all")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "问题" or rows[0][0] == "Problem"
    assert [row[0] for row in rows[1:]] == [problems["a"].pk]
    assert AuditEvent.objects.filter(
        action="export", object_type="quality.problem", actor=county.a.users["officer"]
    ).exists()


def test_only_the_admin_changes_rules(county, client_for):
    r = client_for(county.a.users["officer"]).post("/quality/rules/", {"code": "person.phone_invalid"})
    assert r.status_code == 403
    r = client_for(county.users["admin"]).post(
        "/quality/rules/", {"code": "house.overcrowded", "enabled": "1", "param_min_m2_per_person": "8"}
    )
    assert r.status_code == 302
    assert RuleSetting.objects.get(code="house.overcrowded").params == {"min_m2_per_person": 8.0}
    r = client_for(county.users["admin"]).post(
        "/quality/rules/", {"code": "house.overcrowded", "enabled": "1", "param_min_m2_per_person": "多"}
    )
    assert r.status_code == 400


def test_supervisor_starts_a_scan_job(county, client_for, problems):
    r = client_for(county.users["supervisor"]).post("/quality/scan/")
    assert r.status_code == 302 and "/jobs/" in r["Location"]
    assert client_for(county.a.users["officer"]).post("/quality/scan/").status_code == 403


def test_api_lists_and_decides(county, client_for, problems):
    import json

    c = client_for(county.a.users["officer"])
    body = c.get("/api/quality/problems").json()
    assert [p["id"] for p in body] == [problems["a"].pk]
    assert c.get(f"/api/quality/problems/{problems['b'].pk}").status_code == 404
    r = c.post(
        f"/api/quality/problems/{problems['a'].pk}/decide",
        json.dumps({"action": "escalate", "note": "多次提醒未改"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "escalated"
    summary = c.get("/api/quality/summary?by=collector").json()
    assert summary[0]["total"] == 1


def test_risk_page_ranks_the_collector_with_problems(county, client_for, problems):
    page = client_for(county.a.users["chief"]).get("/quality/risk/").content.decode()
    assert county.a.users["collector"].display_name in page
    assert county.b.users["collector"].display_name not in page
