"""Persons through the API: identifiers masked by role, every read and search audited."""

from __future__ import annotations

import re

import pytest

from ybss.audit.models import AuditEvent, HistoryAction, RecordHistory
from ybss.core.identifiers import mask_id_number
from ybss.registry.models import Person

pytestmark = pytest.mark.django_db

MASKED_ID = re.compile(r"^610524\*{8}[0-9]{3}[0-9X]$")


def _events(**kw):
    return list(AuditEvent.objects.filter(object_type="registry.person", **kw).order_by("id"))


def test_collector_sees_masked_id_and_phone(county, api_for):
    p = county.a.person
    body = api_for(county.a.users["collector"]).get(f"/api/persons/{p.pk}")[1]
    assert MASKED_ID.match(body["id_number"]) and body["id_number"] == mask_id_number(p.id_number)
    assert body["id_number"] != p.id_number
    assert body["phone"] == p.phone[:3] + "****" + p.phone[-4:]
    item = api_for(county.a.users["collector"]).get("/api/persons")[1]["items"][0]
    assert item["id_number"] == body["id_number"] and item["phone"] == body["phone"]


@pytest.mark.parametrize("role", ["officer", "chief"])
def test_officer_sees_full_id_and_phone(county, api_for, role):
    p = county.a.person
    body = api_for(county.a.users[role]).get(f"/api/persons/{p.pk}")[1]
    assert body["id_number"] == p.id_number and body["phone"] == p.phone


def test_house_owner_and_unit_people_are_masked_for_collectors(county, api_for):
    from tests.factories import make_id

    house = county.a.house
    house.owner_id_number, house.owner_phone = make_id(seq=201), "13700001234"
    house.custodian_id_number, house.custodian_phone = make_id(seq=203), "13700005678"
    house.save()
    collector, officer = api_for(county.a.users["collector"]), api_for(county.a.users["officer"])
    body = collector.get(f"/api/houses/{house.pk}")[1]
    assert MASKED_ID.match(body["owner_id_number"]) and MASKED_ID.match(body["custodian_id_number"])
    assert body["owner_phone"] == "137****1234" and body["custodian_phone"] == "137****5678"
    full = officer.get(f"/api/houses/{house.pk}")[1]
    assert full["owner_id_number"] == house.owner_id_number and full["owner_phone"] == "13700001234"

    unit = county.a.unit
    body = collector.get(f"/api/units/{unit.pk}")[1]
    assert MASKED_ID.match(body["legal_rep_id_number"]) and body["legal_rep_phone"] == "139****5678"
    full = officer.get(f"/api/units/{unit.pk}")[1]
    assert full["legal_rep_id_number"] == unit.legal_rep_id_number


def test_identifiers_in_history_are_masked_for_collectors(county, api_for):
    p = county.a.person
    RecordHistory.objects.create(
        at=p.created_at,
        record_type="registry.person",
        record_id=p.pk,
        version=1,
        action=HistoryAction.CREATE,
        changes={"id_number": [None, p.id_number], "phone": [None, p.phone]},
    )
    history = api_for(county.a.users["collector"]).get(f"/api/persons/{p.pk}")[1]["history"]
    assert history[0]["changes"]["id_number"] == [None, mask_id_number(p.id_number)]
    assert p.id_number not in str(history) and p.phone not in str(history)
    full = api_for(county.a.users["officer"]).get(f"/api/persons/{p.pk}")[1]["history"]
    assert full[0]["changes"]["id_number"] == [None, p.id_number]


def test_person_read_is_audited_with_channel_api(county, api_for):
    p, user = county.a.person, county.a.users["officer"]
    api_for(user).get(f"/api/persons/{p.pk}", purpose="核查")
    [event] = _events(action="read")
    assert (event.actor_id, event.object_id, event.channel, event.purpose) == (
        user.pk,
        str(p.pk),
        "api",
        "核查",
    )


def test_out_of_scope_person_read_is_not_audited_as_a_read(county, api_for):
    api_for(county.a.users["officer"]).get(f"/api/persons/{county.b.person.pk}")
    assert _events(action="read") == []


def test_person_search_is_audited_with_channel_api(county, api_for):
    user = county.a.users["officer"]
    api_for(user).get("/api/persons", q="王", sex="1")
    [event] = _events(action="search")
    assert event.channel == "api" and event.actor_id == user.pk
    assert event.detail == {"q": "王", "sex": "1"}


def test_unfiltered_person_list_is_not_a_search(county, api_for):
    api_for(county.a.users["officer"]).get("/api/persons")
    assert _events(action="search") == []


@pytest.mark.parametrize("params", [{}, {"q": "王"}, {"purpose": "  "}])
def test_investigator_must_state_a_purpose(county, api_for, params):
    status, body = api_for(county.users["investigator"]).get("/api/persons", **params)
    assert status == 400 and body["code"] == "invalid" and list(body["fields"]) == ["purpose"]
    assert _events() == []


def test_investigator_search_with_purpose_is_audited(county, api_for):
    status, body = api_for(county.users["investigator"]).get("/api/persons", q="王", purpose="案件 2026-118")
    assert status == 200 and body["count"] == 2
    [event] = _events(action="search")
    assert event.purpose == "案件 2026-118" and event.channel == "api"


def test_person_detail_has_history_status_version_and_relations(county, api_for):
    p = county.a.person
    body = api_for(county.a.users["officer"]).get(f"/api/persons/{p.pk}")[1]
    assert body["status"] == "accepted" and body["status_label"] and body["version"] == p.version
    assert body["history"] == []
    assert body["sex"] == "1" and body["sex_label"] == "男性"
    assert body["division"] == county.a.village.code and body["division_name"] == county.a.village.name
    assert [r["house_id"] for r in body["residences"]] == [county.a.house.pk]
    assert body["residences"][0]["address_name"] == county.a.room.full_name
    assert [e["unit_id"] for e in body["employments"]] == [county.a.unit.pk]


def test_person_filters_narrow_the_list(county, api_for):
    api = api_for(county.users["supervisor"])
    assert api.get("/api/persons", q=county.b.person.name)[1]["count"] == 1
    assert (
        api.get("/api/persons", police_unit=county.a.station.prefix)[1]["items"][0]["id"]
        == county.a.person.pk
    )
    assert api.get("/api/persons", residence_type="floating")[1]["count"] == 0
    assert api.get("/api/persons", separated="false")[1]["count"] == 2
    assert api.get("/api/persons", status="")[1]["count"] == Person.objects.count()
