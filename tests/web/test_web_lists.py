"""List pages: filters, bad input (never a 500), the investigator's purpose, audit, query bounds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PersonFactory
from ybss.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    ("web:addresses", "status=nonsense", "status"),
    ("web:addresses", "level=attic", "level"),
    ("web:addresses", "police_unit=999", "police_unit"),
    ("web:houses", "use=castle", "use"),
    ("web:houses", "verify_state=x", "verify_state"),
    ("web:persons", "separated=maybe", "separated"),
    ("web:persons", "residence_type=tourist", "residence_type"),
    ("web:persons", "sex=7", "sex"),
    ("web:units", "special_trade=dragons", "special_trade"),
    ("web:units", "hazardous=perhaps", "hazardous"),
    ("web:units", "q=" + "x" * 101, "q"),
]


@pytest.mark.parametrize(("name", "query", "field"), BAD_QUERIES)
def test_bad_filter_value_is_a_field_error(officer_a, name, query, field):
    response = officer_a.get(reverse(name) + "?" + query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "page" not in response.context  # the search is not run with half its filters


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5", "%00", "9" * 40])
@pytest.mark.parametrize("name", ["web:addresses", "web:houses", "web:persons", "web:units"])
def test_bad_page_number_shows_a_page_with_a_notice(officer_a, name, page):
    response = officer_a.get(reverse(name), {"page": page})
    assert response.status_code == 200
    assert response.context["page_notice"]
    assert response.context["page"].number == 1


def test_valid_filters_narrow_the_list(county, officer_a):
    response = officer_a.get(
        reverse("web:persons"), {"q": "wangamin", "separated": "no", "status": "accepted"}
    )
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [county.a.person.pk]
    response = officer_a.get(reverse("web:persons"), {"separated": "yes"})
    assert list(response.context["page"].object_list) == []


def test_special_trade_any_filter(county, officer_a):
    county.a.unit.special_trade = "hotel"
    county.a.unit.save()
    response = officer_a.get(reverse("web:units"), {"special_trade": "*"})
    assert [u.pk for u in response.context["page"].object_list] == [county.a.unit.pk]


def test_police_unit_filter_offers_own_units_only(county, client_for):
    response = client_for(county.a.users["chief"]).get(reverse("web:houses"))
    choices = [c for c, _label in response.context["form"].fields["police_unit"].choices if c]
    assert choices == [county.a.station.code, county.a.district.code]


def test_person_search_is_audited(county, officer_a):
    officer_a.get(reverse("web:persons"), {"q": "王", "purpose": "走访核查"})
    event = AuditEvent.objects.filter(action="search").latest("id")
    assert event.object_type == "registry.person"
    assert event.detail == {"q": "王"}
    assert event.purpose == "走访核查"
    assert event.actor == county.a.users["officer"]


def test_investigator_search_needs_a_purpose(county, client_for):
    client = client_for(county.users["investigator"])
    before = AuditEvent.objects.filter(action="search").count()
    response = client.get(reverse("web:persons"), {"q": "王"})
    assert response.status_code == 400
    assert "purpose" in response.context["form"].errors
    assert AuditEvent.objects.filter(action="search").count() == before


def test_investigator_search_with_purpose_is_run_and_audited(county, client_for):
    client = client_for(county.users["investigator"])
    response = client.get(reverse("web:persons"), {"q": "王", "purpose": "刑事案件 2026-117 排查"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2
    assert AuditEvent.objects.filter(action="search").latest("id").purpose == "刑事案件 2026-117 排查"
    # the purpose travels to the detail links, so the reads carry it too
    assert "?purpose=" in response.content.decode()


def test_investigator_may_list_without_search_term(county, client_for):
    assert client_for(county.users["investigator"]).get(reverse("web:persons")).status_code == 200


@pytest.mark.parametrize("name", ["web:addresses", "web:houses", "web:persons", "web:units"])
def test_list_query_count_does_not_grow_with_rows(county, officer_a, django_assert_max_num_queries, name):
    with django_assert_max_num_queries(14):
        assert officer_a.get(reverse(name)).status_code == 200
    PersonFactory.create_batch(60, division=county.a.village, police_unit=county.a.district)
    with django_assert_max_num_queries(14):
        assert officer_a.get(reverse(name)).status_code == 200


def test_list_paginates_at_fifty(county, officer_a):
    PersonFactory.create_batch(60, division=county.a.village, police_unit=county.a.district)
    first = officer_a.get(reverse("web:persons"))
    assert len(first.context["page"].object_list) == 50
    second = officer_a.get(reverse("web:persons"), {"page": 2})
    assert len(second.context["page"].object_list) == 11
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize("name", ["web:addresses", "web:houses", "web:persons", "web:units"])
def test_police_unit_filter_narrows(county, client_for, name):
    client = client_for(county.users["supervisor"])
    response = client.get(reverse(name), {"police_unit": county.b.station.code[:9] + "000"})
    assert response.status_code == 200
    units = {obj.police_unit_id for obj in response.context["page"].object_list}
    assert units and all(u.startswith(county.b.station.prefix) for u in units)


@pytest.mark.parametrize(
    "url",
    [
        "/persons/99999999999999999999999/",
        "/houses/99999999999999999999999/edit/",
        "/persons/?q=%00",
        "/units/?q=%E2%80%AE%F0%9F%98%80",
        "/addresses/?page=99999999999999999999999",
        "/houses/?use=&house_type=&status=",
    ],
)
def test_odd_input_never_fails(officer_a, url):
    assert officer_a.get(url).status_code in (200, 400, 404)


def test_oversized_version_is_a_field_error(county, officer_a):
    response = officer_a.post(
        reverse("web:house_status", args=[county.a.house.pk]),
        {"to": "pending", "version": "99999999999999999999999"},
    )
    assert response.status_code == 400
    assert "version" in response.context["form"].errors
