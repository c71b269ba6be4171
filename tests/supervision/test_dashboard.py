"""The supervision dashboard pages: each role's own node, drill-down to other nodes and to the
records behind a number, the day picker, scope, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from tests.factories import HouseFactory
from ybss.org.models import AdminDivision, DivisionLevel, PoliceUnit, PoliceUnitKind
from ybss.registry.models import House
from ybss.supervision import rates

pytestmark = pytest.mark.django_db

#: The county dashboard's queries: session and user, the node and its path, the day's facts for
#: the node and its children, the history, the as-of time, the ranking, the problem summary.
MAX_QUERIES = 30


@pytest.fixture
def counted(county):
    """Station a's house verified; today's facts counted."""
    House.objects.filter(pk=county.a.house.pk).update(verify_state="verified", verified_at=timezone.now())
    rates.rates_refresh()
    return county


def _tile(html: str, code: str) -> str:
    m = re.search(rf'<article class="rate-tile" data-rate="{code}".*?</article>', html, re.S)
    assert m, code
    return m.group(0)


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


@pytest.mark.parametrize(
    ("who", "node"),
    [
        ("supervisor", "bureau"),
        ("admin", "bureau"),
        ("investigator", "bureau"),
        ("a.chief", "a.station"),
        ("a.officer", "a.district"),
        ("a.collector", "a.district"),
    ],
)
def test_each_role_opens_the_dashboard_of_its_own_node(counted, client_for, who, node):
    county = counted
    user = county.users[who] if "." not in who else getattr(county, who[0]).users[who[2:]]
    unit = county.bureau if node == "bureau" else getattr(getattr(county, node[0]), node[2:])
    resp = client_for(user).get("/supervision/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert unit.name in _h1(html)
    for code in ("address_cleaned", "address_marked", "house_verified", "unit_verified"):
        assert f'data-rate="{code}"' in html


def test_a_collector_sees_their_own_collection_progress(counted, client_for):
    html = client_for(counted.a.users["collector"]).get("/supervision/").content.decode()
    assert 'id="my-progress"' in html
    assert 'id="children"' not in html and 'id="chart-ranking"' not in html


def test_the_county_view_ranks_the_stations_and_lists_them_as_children(counted, client_for):
    html = client_for(counted.users["supervisor"]).get("/supervision/").content.decode()
    assert 'id="chart-ranking"' in html
    for s in (counted.a, counted.b):
        assert f'href="/supervision/node/police/{s.station.code}/"' in html
    assert counted.a.station.name in html and counted.b.station.name in html


def test_users_without_business_data_are_refused(counted, client_for):
    for name in ("auditor", "nobody"):
        assert client_for(counted.users[name]).get("/supervision/").status_code == 403


def test_a_chief_opening_another_stations_node_gets_404(counted, client_for):
    chief = client_for(counted.a.users["chief"])
    for code in (counted.b.station.code, counted.b.district.code, counted.bureau.code):
        assert chief.get(f"/supervision/node/police/{code}/").status_code == 404
    assert chief.get(f"/supervision/node/division/{counted.b.village.code}/").status_code == 404
    assert chief.get(f"/supervision/node/police/{counted.a.district.code}/").status_code == 200


def test_an_unknown_tree_or_code_is_404(counted, client_for):
    sup = client_for(counted.users["supervisor"])
    for url in ("/supervision/node/people/610524000000/", "/supervision/node/police/999999999999/"):
        assert sup.get(url).status_code == 404
    assert sup.get("/supervision/node/police/x' OR 1=1/").status_code == 404


@pytest.mark.parametrize("day", ["2026-02-30", "yesterday", "1999-12-31", "9999-01-01", "2026-1-1x", "\x00"])
def test_a_bad_day_is_a_field_error_not_a_500(counted, client_for, day):
    resp = client_for(counted.users["supervisor"]).get("/supervision/", {"day": day})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'class="field-error"' in html
    assert 'data-rate="house_verified"' not in html  # no figures under a wrong date


def test_a_future_day_is_refused(counted, client_for):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    resp = client_for(counted.users["supervisor"]).get("/supervision/", {"day": tomorrow.isoformat()})
    assert resp.status_code == 400


def test_a_past_day_shows_the_figures_of_that_day(counted, client_for):
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    House.objects.filter(pk=counted.a.house.pk).update(verified_at=timezone.now())
    resp = client_for(counted.users["supervisor"]).get("/supervision/", {"day": week_ago.isoformat()})
    assert resp.status_code == 200
    tile = _tile(resp.content.decode(), "house_verified")
    assert '<span data-part="numerator">0</span>' in tile  # verified only today
    assert "rebuilt" in resp.content.decode().lower() or "重建" in resp.content.decode()


def test_a_tile_shows_the_change_since_a_week_ago(county, client_for):
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    rates.rates_refresh(day=week_ago)  # reconstructed: nothing verified then
    House.objects.filter(pk=county.a.house.pk).update(verify_state="verified", verified_at=timezone.now())
    rates.rates_refresh()
    tile = _tile(
        client_for(county.users["supervisor"]).get("/supervision/").content.decode(), "house_verified"
    )
    assert "+50.00" in tile and week_ago.strftime("%m-%d") in tile
    assert 'class="rate-change up"' in tile


def test_the_unverified_houses_of_a_district_are_one_click_away(counted, client_for):
    sup = client_for(counted.users["supervisor"])
    b = counted.b
    extra = HouseFactory(address=b.door, division=b.village, police_unit=b.district)
    rates.rates_refresh()
    html = sup.get(f"/supervision/node/police/{b.district.code}/").content.decode()
    link = re.search(r'<a href="([^"]+)" data-part="pending">', _tile(html, "house_verified")).group(1)
    link = link.replace("&amp;", "&")
    assert link == f"/houses/?verify_state=pending&police_unit={b.district.code}"
    listing = sup.get(link).content.decode()
    assert f'href="/houses/{extra.pk}/"' in listing and f'href="/houses/{b.house.pk}/"' in listing
    assert f'href="/houses/{counted.a.house.pk}/"' not in listing


def test_a_division_node_lists_its_villages_and_drills_by_division(counted, client_for):
    sup = client_for(counted.users["supervisor"])
    a = counted.a
    resp = sup.get(f"/supervision/node/division/{a.town.code}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert f'href="/supervision/node/division/{a.village.code}/"' in html
    village = sup.get(f"/supervision/node/division/{a.village.code}/").content.decode()
    link = re.search(r'<a href="([^"]+)" data-part="pending">', _tile(village, "unit_verified")).group(1)
    link = link.replace("&amp;", "&")
    assert link == f"/units/?verify_state=pending&division={a.village.code}"
    listing = sup.get(link)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert a.unit.name in body and counted.b.unit.name not in body


def test_the_division_filter_of_a_list_refuses_an_unknown_code(counted, client_for):
    resp = client_for(counted.users["supervisor"]).get("/houses/", {"division": "610524999999"})
    assert resp.status_code == 400
    assert 'class="field-error"' in resp.content.decode()


def test_the_breadcrumb_leads_back_up_to_the_users_own_node(counted, client_for):
    html = client_for(counted.a.users["chief"]).get(f"/supervision/node/police/{counted.a.district.code}/")
    body = html.content.decode()
    assert f'<a href="/supervision/node/police/{counted.a.station.code}/">' in body
    assert counted.bureau.name not in re.search(r'<nav class="breadcrumb".*?</nav>', body, re.S).group(0)


def test_the_map_is_narrowed_to_the_node(counted, client_for):
    html = (
        client_for(counted.users["supervisor"])
        .get(f"/supervision/node/police/{counted.a.district.code}/")
        .content.decode()
    )
    config = json.loads(
        re.search(r'<script id="dash-map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["filter"] == {"police_unit": counted.a.district.prefix}
    assert config["api"] == {"doors": "/api/map/doors", "grid": "/api/map/grid"}
    assert 'id="dash-map"' in html and "vendor/echarts/echarts.min.js" in html


def test_the_menu_links_to_the_dashboard(counted, client_for):
    html = client_for(counted.a.users["officer"]).get("/").content.decode()
    assert 'href="/supervision/"' in html


def _more_stations(county, n: int) -> None:
    for i in range(n):
        code = f"61052452{i}"
        st = PoliceUnit.objects.create(
            code=code + "000", name=f"新站{i}", kind=PoliceUnitKind.STATION, parent=county.bureau, prefix=code
        )
        PoliceUnit.objects.create(
            code=code + "001",
            name=f"新站{i}一区",
            kind=PoliceUnitKind.DISTRICT,
            parent=st,
            prefix=code + "001",
        )
        AdminDivision.objects.create(
            code=f"61052420{i}000",
            name=f"新镇{i}",
            level=DivisionLevel.TOWN,
            parent=county.county,
            prefix=f"61052420{i}",
            full_name=f"新镇{i}",
        )


def test_the_number_of_queries_does_not_grow_with_the_children(
    county, client_for, django_assert_max_num_queries
):
    rates.rates_refresh()
    sup = client_for(county.users["supervisor"])
    sup.get("/supervision/")  # warm: the day is counted, sessions and code lists loaded
    with django_assert_max_num_queries(MAX_QUERIES) as two:
        assert sup.get("/supervision/").status_code == 200
    with_two = len(two.captured_queries)  # read now: the next request resets the query log
    _more_stations(county, 5)
    rates.rates_refresh()
    sup.get("/supervision/")
    with django_assert_max_num_queries(with_two):
        assert sup.get("/supervision/").status_code == 200


def test_links_to_other_nodes_keep_a_past_day(counted, client_for):
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    html = client_for(counted.users["supervisor"]).get("/supervision/", {"day": week_ago}).content.decode()
    assert f'href="/supervision/node/police/{counted.a.station.code}/?day={week_ago}"' in html
