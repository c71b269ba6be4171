"""Drill-down (issue 8): address → building, rooms, houses, residents (current and past), units and
employees; person → residences over time, household, employers, problems and leads; each page
scoped, masked by role and audited with a purpose that is never empty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.standing import plant
from ybss.audit.models import AuditEvent
from ybss.casework.models import Lead, LeadSource
from ybss.core.identifiers import mask_id_number
from ybss.quality.models import Problem
from ybss.registry.drilldown import DRILLDOWN_LIMIT, purpose_or_default

pytestmark = pytest.mark.django_db


def _last_read(object_type: str, object_id: int) -> AuditEvent:
    return AuditEvent.objects.filter(action="read", object_type=object_type, object_id=str(object_id)).latest(
        "id"
    )


def _past_resident(station, where, *, until: dt.date = dt.date(2025, 6, 30)):
    return plant.resident(station, where, "lodging", active=False, since=dt.date(2024, 1, 1), until=until)


# ---------------------------------------------------------------- address drill-down


def test_address_page_shows_current_and_past_residents_of_its_rooms(county, client_for):
    a = county.a
    h = plant.house(a)
    now = plant.resident(a, h, "floating")
    past = _past_resident(a, h)
    body = client_for(a.users["officer"]).get(f"/addresses/{a.door.pk}/").content.decode()
    current_part, past_part = body.split('id="past-residents"')
    assert a.person.name in current_part.split('id="residents"')[1]
    assert now.name in current_part.split('id="residents"')[1]
    assert past.name in past_part.split('id="employees"')[0]
    assert past.name not in current_part.split('id="residents"')[1]
    assert "2025-06-30" in past_part


def test_address_page_shows_units_and_their_employees(county, client_for):
    a = county.a
    u = plant.unit(a, name="合阳金水超市")
    clerk = plant.person(a, name="赵店员")
    plant.employ(a, u, clerk)
    body = client_for(a.users["officer"]).get(f"/addresses/{a.door.pk}/").content.decode()
    employees = body.split('id="employees"')[1]
    assert "合阳金水超市" in body
    assert "赵店员" in employees and a.person.name in employees
    assert f"/persons/{clerk.pk}/" in employees


def test_room_page_shows_its_building_and_fellow_rooms(county, client_for):
    a = county.a
    h = plant.house(a)  # another room under the same door plate
    body = client_for(a.users["officer"]).get(f"/addresses/{a.room.pk}/").content.decode()
    building = body.split('id="building"')[1].split("</section>")[0]
    assert f"/addresses/{a.door.pk}/" in building
    assert f"/addresses/{h.address.pk}/" in building


def test_address_page_is_404_outside_jurisdiction(county, client_for):
    assert client_for(county.b.users["officer"]).get(f"/addresses/{county.a.door.pk}/").status_code == 404


def test_address_page_audits_the_read_with_the_routine_purpose(county, client_for):
    a = county.a
    h = plant.house(a)
    _past_resident(a, h)
    assert client_for(a.users["officer"]).get(f"/addresses/{a.door.pk}/").status_code == 200
    ev = _last_read("addresses.standardaddress", a.door.pk)
    assert ev.purpose and ev.purpose == purpose_or_default("", page="address")
    assert ev.result_count == 2 and ev.detail["residents"] == 2
    assert a.person.id_number not in str(ev.detail) and a.person.phone not in str(ev.detail)


def test_address_page_audits_the_carried_over_purpose_and_carries_it_on(county, client_for):
    a = county.a
    resp = client_for(a.users["officer"]).get(f"/addresses/{a.door.pk}/", {"purpose": "案件侦查：A123"})
    assert _last_read("addresses.standardaddress", a.door.pk).purpose == "案件侦查：A123"
    assert f"/persons/{a.person.pk}/?purpose=" in resp.content.decode()


def test_address_page_masks_ids_for_a_collector(county, client_for):
    a = county.a
    body = client_for(a.users["collector"]).get(f"/addresses/{a.door.pk}/").content.decode()
    assert mask_id_number(a.person.id_number) in body
    assert a.person.id_number not in body


def test_address_page_shows_full_ids_to_the_officer(county, client_for):
    a = county.a
    body = client_for(a.users["officer"]).get(f"/addresses/{a.door.pk}/").content.decode()
    assert a.person.id_number in body


def test_address_page_queries_do_not_grow_with_residents(county, client_for, django_assert_max_num_queries):
    a = county.a
    h = plant.house(a)
    for _ in range(3):
        plant.resident(a, h)
    client = client_for(a.users["officer"])
    client.get(f"/addresses/{a.door.pk}/")  # warm caches (code lists, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/addresses/{a.door.pk}/")
    for _ in range(12):
        _past_resident(a, h)
        plant.resident(a, h)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/addresses/{a.door.pk}/")


# ---------------------------------------------------------------- person drill-down


def test_person_page_shows_residences_over_time_including_ended_ones(county, client_for):
    a = county.a
    old_home = plant.house(a)
    plant.resident(a, old_home, "lodging", person=a.person, active=False, until=dt.date(2025, 3, 31))
    body = client_for(a.users["officer"]).get(f"/persons/{a.person.pk}/").content.decode()
    residences = body.split('id="residences"')[1].split('id="household"')[0]
    assert a.house.address.full_name in residences and old_home.address.full_name in residences
    assert "2025-03-31" in residences


def test_person_page_shows_household_members(county, client_for):
    a = county.a
    spouse = plant.resident(a, a.house, "permanent", relation="10")
    moved_out = _past_resident(a, a.house)
    body = client_for(a.users["officer"]).get(f"/persons/{a.person.pk}/").content.decode()
    household = body.split('id="household"')[1].split("</section>")[0]
    assert spouse.name in household
    assert moved_out.name not in household
    assert f"/houses/{a.house.pk}/card/" in household


def test_person_page_shows_employers(county, client_for):
    a = county.a
    body = client_for(a.users["officer"]).get(f"/persons/{a.person.pk}/").content.decode()
    assert a.unit.name in body and f"/units/{a.unit.pk}/" in body


def test_person_page_shows_problems_and_leads_about_the_person(county, client_for):
    a = county.a
    now = timezone.now()
    stamp = {"division": a.village, "police_unit": a.district}
    problem = Problem.objects.create(
        fingerprint="drill-1", rule="person.phone_invalid", category="phone_invalid", severity="error",
        record_type="registry.person", record_id=a.person.pk, summary="电话号码无效",
        first_seen=now, last_seen=now, **stamp,
    )  # fmt: skip
    lead = Lead.objects.create(source=LeadSource.TIP, person=a.person, created_at=now, **stamp)
    other = Lead.objects.create(source=LeadSource.TIP, person=county.b.person, created_at=now,
                                division=county.b.village, police_unit=county.b.district)  # fmt: skip
    body = client_for(a.users["officer"]).get(f"/persons/{a.person.pk}/").content.decode()
    assert f"/quality/{problem.pk}/" in body.split('id="problems"')[1]
    leads = body.split('id="leads"')[1]
    assert f"/casework/leads/{lead.pk}/" in leads
    assert f"/casework/leads/{other.pk}/" not in leads


def test_person_page_is_404_outside_jurisdiction(county, client_for):
    assert client_for(county.b.users["officer"]).get(f"/persons/{county.a.person.pk}/").status_code == 404


def test_person_page_audits_the_read_with_the_routine_purpose(county, client_for):
    a = county.a
    client_for(a.users["officer"]).get(f"/persons/{a.person.pk}/")
    ev = _last_read("registry.person", a.person.pk)
    assert ev.purpose and ev.purpose == purpose_or_default("  ", page="person")


def test_person_page_audits_the_purpose_carried_over_from_a_search(county, client_for):
    a = county.a
    client_for(county.users["investigator"]).get(f"/persons/{a.person.pk}/", {"purpose": "案件侦查: 盗窃案"})
    assert _last_read("registry.person", a.person.pk).purpose == "案件侦查: 盗窃案"


def test_person_page_masks_household_ids_for_a_collector(county, client_for):
    a = county.a
    spouse = plant.resident(a, a.house, "permanent")
    body = client_for(a.users["collector"]).get(f"/persons/{a.person.pk}/").content.decode()
    assert mask_id_number(spouse.id_number) in body and spouse.id_number not in body


# ---------------------------------------------------------------- house page and household card


def test_house_page_shows_past_residents_and_audits_with_a_purpose(county, client_for):
    a = county.a
    past = _past_resident(a, a.house)
    resp = client_for(a.users["officer"]).get(f"/houses/{a.house.pk}/")
    assert past.name in resp.content.decode().split('id="past-residents"')[1]
    ev = _last_read("registry.house", a.house.pk)
    assert ev.purpose == purpose_or_default("", page="house") and ev.result_count == 2


def test_house_page_is_404_outside_jurisdiction(county, client_for):
    assert client_for(county.b.users["officer"]).get(f"/houses/{county.a.house.pk}/").status_code == 404


def test_household_card_audits_a_routine_purpose_when_none_is_carried(county, client_for):
    a = county.a
    client_for(a.users["officer"]).get(f"/houses/{a.house.pk}/card/")
    assert _last_read("registry.person", a.person.pk).purpose == purpose_or_default("", page="card")
    client_for(a.users["officer"]).get(f"/houses/{a.house.pk}/card/", {"purpose": "走访核查"})
    assert _last_read("registry.person", a.person.pk).purpose == "走访核查"


def test_purpose_or_default_is_never_empty_and_trimmed():
    assert purpose_or_default(None, page="person")
    assert purpose_or_default("x" * 300, page="person") == "x" * 200
    assert DRILLDOWN_LIMIT > 0


# ---------------------------------------------------------------- unit drill-down


def test_unit_page_audits_its_employees_with_the_carried_over_purpose(county, client_for):
    a = county.a
    u = plant.unit(a, name="合阳金水超市")
    plant.employ(a, u, plant.person(a, name="赵店员"))
    client = client_for(a.users["officer"])
    assert client.get(f"/units/{u.pk}/").status_code == 200
    ev = _last_read("registry.unit", u.pk)
    assert ev.purpose == purpose_or_default("", page="unit") and ev.result_count == 1
    assert client.get(f"/units/{u.pk}/", {"purpose": "核查线索"}).status_code == 200
    assert _last_read("registry.unit", u.pk).purpose == "核查线索"


def test_unit_page_is_404_outside_jurisdiction(county, client_for):
    u = plant.unit(county.a, name="合阳金水超市")
    assert client_for(county.b.users["officer"]).get(f"/units/{u.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(object_type="registry.unit", object_id=str(u.pk)).exists()


def test_person_page_audits_the_household_members_it_shows(county, client_for):
    a = county.a
    spouse = plant.resident(a, a.house, "permanent", relation="10")
    client_for(a.users["officer"]).get(f"/persons/{a.person.pk}/", {"purpose": "走访核查"})
    ev = AuditEvent.objects.filter(object_type="registry.person", detail__via="household").latest("id")
    assert ev.purpose == "走访核查" and spouse.pk in ev.detail["persons"]
    assert a.person.pk not in ev.detail["persons"] and ev.result_count == len(ev.detail["persons"])


def test_person_and_house_pages_offer_to_report_a_lead(county, client_for):
    a = county.a
    client = client_for(a.users["officer"])
    assert f"/leads/report/?person={a.person.pk}" in client.get(f"/persons/{a.person.pk}/").content.decode()
    assert f"/leads/report/?house={a.house.pk}" in client.get(f"/houses/{a.house.pk}/").content.decode()
