"""Every list and detail page: 200 in scope, 404 for another station's record, no outside assets."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.web.webutil import assert_no_external_assets
from ybss.addresses.models import StandardAddress
from ybss.web.templatetags.ybss_web import thousands

pytestmark = pytest.mark.django_db

LISTS = ["web:addresses", "web:houses", "web:persons", "web:units"]
DETAILS = [
    ("web:address_detail", "door"),
    ("web:address_detail", "room"),
    ("web:house_detail", "house"),
    ("web:person_detail", "person"),
    ("web:unit_detail", "unit"),
]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_list_page_shows_own_station_only(county, client_for, name, role):
    response = client_for(county.a.users[role]).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert county.a.station.prefix in html or county.a.district.name in html
    assert county.b.district.name not in html
    assert_no_external_assets(html)


@pytest.mark.parametrize(("name", "attr"), DETAILS)
def test_detail_page_in_scope(county, officer_a, name, attr):
    record = getattr(county.a, attr)
    response = officer_a.get(reverse(name, args=[record.pk]))
    assert response.status_code == 200
    assert_no_external_assets(response.content.decode())


@pytest.mark.parametrize(("name", "attr"), DETAILS)
def test_detail_page_of_other_station_is_404(county, officer_a, name, attr):
    record = getattr(county.b, attr)
    response = officer_a.get(reverse(name, args=[record.pk]))
    assert response.status_code == 404
    assert response.context["error"].code == "not_found"


@pytest.mark.parametrize(("name", "attr"), DETAILS)
def test_missing_record_is_404(county, officer_a, name, attr):
    response = officer_a.get(reverse(name, args=[999_999]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", LISTS)
def test_auditor_has_no_business_pages(county, client_for, name):
    response = client_for(county.users["auditor"]).get(reverse(name))
    assert response.status_code == 403
    assert response.context["error"].code == "forbidden"


@pytest.mark.parametrize("name", [*LISTS, "web:home", "web:audit"])
def test_pages_need_sign_in(county, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_county_roles_see_both_stations(county, client_for):
    html = client_for(county.users["supervisor"]).get(reverse("web:persons")).content.decode()
    assert county.a.person.name in html and county.b.person.name in html


def test_home_shows_counts_and_links(county, officer_a):
    response = officer_a.get(reverse("web:home"))
    assert response.status_code == 200
    counts = {t["url"]: t["count"] for t in response.context["tiles"]}
    assert counts[reverse("web:addresses")] == 2  # door plate + room
    assert counts[reverse("web:persons")] == 1
    html = response.content.decode()
    assert reverse("web:houses") in html and reverse("web:units") in html
    assert_no_external_assets(html)


def test_home_counts_have_thousands_separators(county, officer_a):
    door = county.a.door
    StandardAddress.objects.bulk_create(
        StandardAddress(
            code=f"BULK{n:05d}",
            level="door",
            full_name=f"合阳县测试路{n}号",
            division_id=door.division_id,
            police_unit_id=door.police_unit_id,
            status="accepted",
            created_at=door.created_at,
            updated_at=door.updated_at,
        )
        for n in range(1_234)
    )
    html = officer_a.get(reverse("web:home")).content.decode()
    assert '<span class="tile-count">1,236</span>' in html  # door plate + room + 1,234


@pytest.mark.parametrize(
    "language,value,shown",
    [("zh-hans", 12345678, "12,345,678"), ("en", 1234, "1,234"), ("zh-hans", 999, "999"), ("en", None, "")],
)
def test_thousands_filter(language, value, shown):
    with translation.override(language):
        assert thousands(value) == shown


def test_home_for_auditor_links_to_audit_log(county, client_for):
    response = client_for(county.users["auditor"]).get(reverse("web:home"))
    assert response.status_code == 200
    assert response.context["tiles"] == []
    html = response.content.decode()
    assert reverse("web:audit") in html
    assert reverse("web:persons") not in html


def test_header_shows_name_role_and_jurisdiction(county, officer_a):
    html = officer_a.get(reverse("web:home")).content.decode()
    assert "officer_a" in html
    assert county.a.district.name in html
    assert 'action="/logout/"' in html


def test_user_without_jurisdiction_is_told_so(county, client_for):
    response = client_for(county.users["nobody"]).get(reverse("web:home"))
    assert response.status_code == 200
    assert response.context["tiles"] == []
    assert client_for(county.users["nobody"]).get(reverse("web:persons")).status_code == 403


def test_person_detail_read_is_audited(county, client_for):
    from ybss.audit.models import AuditEvent

    client = client_for(county.users["investigator"])
    client.get(reverse("web:person_detail", args=[county.a.person.pk]) + "?purpose=案件123")
    event = AuditEvent.objects.filter(action="read", object_type="registry.person").latest("id")
    assert event.object_id == str(county.a.person.pk)
    assert event.purpose == "案件123"
    assert event.actor == county.users["investigator"]


def test_identifiers_masked_for_supervisor(county, client_for):
    person = county.a.person
    html = client_for(county.users["supervisor"]).get(reverse("web:person_detail", args=[person.pk])).content
    assert person.id_number.encode() not in html
    assert (person.id_number[:6] + "********" + person.id_number[-4:]).encode() in html
    assert person.phone.encode() not in html


def test_identifiers_in_full_for_officer(county, officer_a):
    person = county.a.person
    html = officer_a.get(reverse("web:person_detail", args=[person.pk])).content
    assert person.id_number.encode() in html


def test_unit_employees_masked_for_collector(county, client_for):
    unit = county.a.unit
    html = client_for(county.a.users["collector"]).get(reverse("web:unit_detail", args=[unit.pk])).content
    assert county.a.person.id_number.encode() not in html
    assert unit.legal_rep_id_number.encode() not in html
    assert unit.legal_rep_phone.encode() not in html


def test_address_detail_lists_rooms_houses_units(county, officer_a):
    response = officer_a.get(reverse("web:address_detail", args=[county.a.door.pk]))
    assert [r.pk for r in response.context["rooms"]] == [county.a.room.pk]
    assert [u.pk for u in response.context["units"]] == [county.a.unit.pk]
    room_page = officer_a.get(reverse("web:address_detail", args=[county.a.room.pk]))
    assert [h.pk for h in room_page.context["houses"]] == [county.a.house.pk]


def test_house_detail_lists_residents(county, officer_a):
    response = officer_a.get(reverse("web:house_detail", args=[county.a.house.pk]))
    assert [r.person_id for r in response.context["residents"]] == [county.a.person.pk]


def test_unknown_url_gets_styled_404(county, officer_a):
    response = officer_a.get("/no/such/page/")
    assert response.status_code == 404
    assert "web/app.css" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        lambda c: reverse("web:address_new"),
        lambda c: reverse("web:address_edit", args=[c.a.door.pk]),
        lambda c: reverse("web:house_new", args=[c.a.room.pk]),
        lambda c: reverse("web:house_edit", args=[c.a.house.pk]),
        lambda c: reverse("web:person_new", args=[c.a.house.pk]),
        lambda c: reverse("web:person_edit", args=[c.a.person.pk]),
        lambda c: reverse("web:unit_new", args=[c.a.door.pk]),
        lambda c: reverse("web:unit_edit", args=[c.a.unit.pk]),
    ],
)
def test_form_pages_render_without_outside_assets(county, officer_a, path):
    response = officer_a.get(path(county))
    assert response.status_code == 200
    assert_no_external_assets(response.content.decode())
