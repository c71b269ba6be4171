"""The record rules: each fires on a bad record and stays quiet on a good one; the ledger follows
them (opens, updates, closes a problem when its record is fixed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    AddressFactory,
    HouseFactory,
    PersonFactory,
    ResidenceFactory,
    UnitFactory,
    make_id,
)
from ybss.quality import checks_rules, scan
from ybss.quality.models import Problem, ProblemState, RuleSetting
from ybss.registry.models import Person

pytestmark = pytest.mark.django_db

RULE_CODES = {r.code for r in checks_rules.RULES}


def _findings(records=None):
    ctx = scan.make_context(records=records)
    return list(checks_rules.run(ctx))


def _rules_for(findings, record_type, pk):
    return {f.rule for f in findings if f.record_type == record_type and f.record_id == pk}


def _stamp(county):
    return {"division": county.a.village, "police_unit": county.a.district}


def test_the_test_county_is_clean(county):
    assert _findings() == []


def _bad_person(county, **fields):
    return PersonFactory(**{"id_number": make_id(seq=401), "name": "坏样本", **_stamp(county), **fields})


@pytest.mark.parametrize(
    "fields,rule",
    [
        ({"id_number": "610524198001011239"}, "person.id_invalid"),
        ({"id_number": "610524198002301234"}, "person.id_invalid"),
        ({"sex": "2"}, "person.id_sex"),
        ({"birth_date": dt.date(1981, 1, 1)}, "person.id_birth"),
        ({"phone": "12345"}, "person.phone_invalid"),
        ({"sex": ""}, "person.missing"),
    ],
)
def test_each_person_rule_fires_on_a_bad_person(county, fields, rule):
    p = _bad_person(county, **{"sex": "1", "birth_date": dt.date(1980, 1, 1), **fields})
    assert rule in _rules_for(_findings(), "registry.person", p.pk)


def test_a_good_person_raises_nothing(county):
    p = _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="13912345678")
    assert _rules_for(_findings(), "registry.person", p.pk) == set()


def test_house_rules(county):
    s = _stamp(county)
    young = PersonFactory(id_number=make_id(birth="20150101", seq=411), birth_date=dt.date(2015, 1, 1), **s)
    landlord_ok = PersonFactory(id_number=make_id(seq=413), **s)
    no_landlord = HouseFactory(address=AddressFactory(**s), use="rented", landlord=None, **s)
    child_landlord = HouseFactory(address=AddressFactory(**s), use="rented", landlord=young, **s)
    crowded = HouseFactory(address=AddressFactory(**s), area=Decimal("30"), landlord=landlord_ok, **s)
    for i in range(10):
        ResidenceFactory(person=PersonFactory(id_number=make_id(seq=420 + i * 2), **s), house=crowded, **s)
    missing = HouseFactory(address=AddressFactory(**s), use="", **s)
    bad_owner = HouseFactory(
        address=AddressFactory(**s), owner_id_number="610524198001011239", owner_phone="12", **s
    )
    good = HouseFactory(
        address=AddressFactory(**s), use="rented", landlord=landlord_ok, area=Decimal("90"), **s
    )
    found = _findings()
    assert "house.rental_no_landlord" in _rules_for(found, "registry.house", no_landlord.pk)
    assert "house.landlord_age" in _rules_for(found, "registry.house", child_landlord.pk)
    assert "house.overcrowded" in _rules_for(found, "registry.house", crowded.pk)
    assert "house.missing" in _rules_for(found, "registry.house", missing.pk)
    assert {"house.id_invalid", "house.phone_invalid"} <= _rules_for(found, "registry.house", bad_owner.pk)
    assert _rules_for(found, "registry.house", good.pk) == set()


def test_unit_rules(county):
    s = _stamp(county)
    voided_address = AddressFactory(status="voided", **s)
    bad_credit = UnitFactory(address=county.a.door, credit_code="91110000101623741A", **s)
    child_rep = UnitFactory(
        address=county.a.door, legal_rep_id_number=make_id(birth="20160101", seq=431), **s
    )
    on_voided = UnitFactory(address=voided_address, **s)
    nameless = UnitFactory(address=county.a.door, name="", **s)
    bad_rep_id = UnitFactory(address=county.a.door, legal_rep_id_number="610524198001011239", **s)
    bad_phone = UnitFactory(address=county.a.door, legal_rep_phone="1234", **s)
    found = _findings()
    assert "unit.id_invalid" in _rules_for(found, "registry.unit", bad_rep_id.pk)
    assert "unit.phone_invalid" in _rules_for(found, "registry.unit", bad_phone.pk)
    assert "unit.credit_invalid" in _rules_for(found, "registry.unit", bad_credit.pk)
    assert "unit.rep_age" in _rules_for(found, "registry.unit", child_rep.pk)
    assert "unit.address_inactive" in _rules_for(found, "registry.unit", on_voided.pk)
    assert "unit.missing" in _rules_for(found, "registry.unit", nameless.pk)
    assert _rules_for(found, "registry.unit", county.a.unit.pk) == set()


def test_residence_rule(county):
    s = _stamp(county)
    outsider = PersonFactory(
        id_number=make_id(region="110105", seq=441), hukou_division_code="110105000000", **s
    )
    r = ResidenceFactory(person=outsider, house=county.a.house, residence_type="permanent", **s)
    assert "residence.type_hukou" in _rules_for(_findings(), "registry.residence", r.pk)


def test_every_rule_has_a_test_above():
    tested = {
        "person.id_invalid",
        "unit.id_invalid",
        "unit.phone_invalid",
        "house.id_invalid",
        "house.phone_invalid",
        "person.id_sex",
        "person.id_birth",
        "person.phone_invalid",
        "person.missing",
        "house.rental_no_landlord",
        "house.landlord_age",
        "house.overcrowded",
        "house.missing",
        "unit.credit_invalid",
        "unit.rep_age",
        "unit.address_inactive",
        "unit.missing",
        "residence.type_hukou",
    }
    assert tested == RULE_CODES


def test_a_switched_off_rule_is_quiet(county):
    p = _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="12345")
    RuleSetting.objects.create(code="person.phone_invalid", enabled=False)
    assert "person.phone_invalid" not in _rules_for(_findings(), "registry.person", p.pk)


def test_a_threshold_changes_what_is_flagged(county):
    s = _stamp(county)
    house = HouseFactory(address=AddressFactory(**s), area=Decimal("60"), **s)
    for i in range(5):
        ResidenceFactory(person=PersonFactory(id_number=make_id(seq=450 + i * 2), **s), house=house, **s)
    assert "house.overcrowded" not in _rules_for(_findings(), "registry.house", house.pk)
    RuleSetting.objects.create(code="house.overcrowded", params={"min_m2_per_person": 15})
    assert "house.overcrowded" in _rules_for(_findings(), "registry.house", house.pk)


def test_scan_opens_a_problem_once_with_its_collector_and_officer(county):
    collector = county.a.users["collector"]
    p = _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="12345", created_by=collector)
    scan.scan_and_record()
    scan.scan_and_record()
    problem = Problem.objects.get(record_type="registry.person", record_id=p.pk, rule="person.phone_invalid")
    assert problem.state == ProblemState.OPEN
    assert problem.collector == collector and problem.officer == county.a.users["officer"]
    assert problem.police_unit_id == county.a.district.code and problem.deadline is not None


def test_evidence_keeps_id_numbers_masked(county):
    p = _bad_person(county, id_number="610524198001011239", sex="1")
    scan.scan_and_record()
    problem = Problem.objects.get(record_id=p.pk, rule="person.id_invalid")
    assert "610524198001011239" not in str(problem.evidence) and "*" in problem.evidence["id_number"]


def test_a_problem_closes_itself_when_its_record_is_fixed(county, django_capture_on_commit_callbacks):
    from ybss.registry.services import PersonData, person_update

    p = _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="12345")
    scan.scan_and_record()
    problem = Problem.objects.get(record_id=p.pk, rule="person.phone_invalid")
    data = PersonData(
        id_number=p.id_number, name=p.name, sex="1", birth_date=p.birth_date, phone="13912345600"
    )
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=county.a.users["officer"], person=p, expected_version=p.version, data=data)
    problem.refresh_from_db()
    assert problem.state == ProblemState.FIXED and problem.closed_at is not None
    assert list(problem.events.values_list("action", flat=True)) == ["found", "fixed"]


def test_a_fixed_problem_reopens_when_the_error_returns(county):
    p = _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="12345")
    scan.scan_and_record()
    Person.objects.filter(pk=p.pk).update(phone="13912345600")
    scan.scan_and_record()
    Person.objects.filter(pk=p.pk).update(phone="999")
    scan.scan_and_record()
    problem = Problem.objects.get(record_id=p.pk, rule="person.phone_invalid")
    assert problem.state == ProblemState.OPEN
    assert list(problem.events.values_list("action", flat=True)) == ["found", "fixed", "reopened"]


def test_an_open_problem_past_its_deadline_becomes_overdue(county):
    _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="12345")
    scan.scan_and_record()
    Problem.objects.update(deadline=timezone.localdate() - dt.timedelta(days=1))
    scan.scan_and_record()
    assert set(Problem.objects.values_list("state", flat=True)) == {ProblemState.OVERDUE}


def test_the_nightly_scan_runs_at_the_next_hour(settings):
    from ybss.quality.schedule import next_run, scan_hour

    now = timezone.make_aware(dt.datetime(2026, 11, 27, 1, 30))
    assert timezone.localtime(next_run(now, 2)).strftime("%Y-%m-%d %H:%M") == "2026-11-27 02:00"
    now = timezone.make_aware(dt.datetime(2026, 11, 27, 2, 0))
    assert timezone.localtime(next_run(now, 2)).strftime("%Y-%m-%d %H:%M") == "2026-11-28 02:00"
    settings.YBSS_QUALITY_SCAN_HOUR = "off"
    assert scan_hour() is None


def test_every_category_has_a_rule_and_codes_are_unique():
    from collections import Counter

    from ybss.quality.findings import CATEGORIES

    rules = scan.all_rules()
    assert {r.category for r in rules} == set(CATEGORIES)
    assert [c for c, n in Counter(r.code for r in rules).items() if n > 1] == []
    assert len(scan.check_modules()) == len(scan.CHECK_MODULES)


def test_scan_command_reports_precision_and_recall_against_an_answer_key(county, tmp_path):
    import io
    import json

    from django.core.management import call_command

    p = _bad_person(county, sex="1", birth_date=dt.date(1980, 1, 1), phone="12345")
    key = tmp_path / "answers.json"
    key.write_text(
        json.dumps(
            {"answers": [{"category": "phone_invalid", "record_type": "registry.person", "record_id": p.pk}]}
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("quality", "scan", "--dry-run", "--answers", str(key), stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("phone_invalid"))
    assert "1.000" in line and line.endswith("met")
