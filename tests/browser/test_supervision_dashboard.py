"""Real Chromium (Debian's, through Playwright): the county supervisor opens the supervision
dashboard, drills from the county to a station, to one of its police districts — where the map of
door plates by progress and the charts are drawn — and from the number of houses not yet verified
to the house list narrowed to exactly that district's unverified houses.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, open_page, sign_in
from tests.factories import AddressFactory, HouseFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

CENTRE = (110.15, 35.24)
WAIT = 20_000
MAIN = ("address_cleaned", "address_marked", "house_verified", "unit_verified")


@pytest.fixture
def desktop(browser):
    ctx, page = open_page(browser, **DESKTOP)
    yield page
    ctx.close()


@pytest.fixture
def seeded(county, settings):
    """Five more door plates in station a's district (points confirmed, one house each, two of
    them verified), two in station b's (unverified), and today's facts counted."""
    from ybss.supervision import rates

    settings.YBSS_MAP_TILE_URL = ""
    settings.YBSS_MAP_CENTER = [CENTRE[1], CENTRE[0]]
    now = timezone.now()
    for station, n, verified, dx in ((county.a, 5, 2, 0.0), (county.b, 2, 0, 0.03)):
        stamp = {"division": station.village, "police_unit": station.district}
        for i in range(n):
            door = AddressFactory(
                road=station.road,
                lng=Decimal(str(round(CENTRE[0] + dx + 0.0008 * i, 7))),
                lat=Decimal(str(round(CENTRE[1] + 0.0005 * i, 7))),
                mark_state="confirmed",
                full_name=f"合阳县{station.town.name}{station.key}测试路{i + 10}号",
                **stamp,
            )
            state = "verified" if i < verified else "pending"
            HouseFactory(address=door, verify_state=state, verified_at=now if i < verified else None, **stamp)
    rates.rates_refresh()
    return county


def test_supervisor_drills_from_county_to_a_police_districts_unverified_houses_and_sees_the_map(
    seeded, live_server, desktop, tmp_path
):
    from ybss.registry.models import House

    county, page = seeded, desktop
    district = county.a.district
    sign_in(page, live_server, county.users["supervisor"].username)

    # The county: the four main rates, each with its numerator and denominator.
    page.goto(f"{live_server.url}/supervision/")
    assert county.bureau.name in page.text_content("h1")
    for code in MAIN:
        tile = page.locator(f'.rate-tile[data-rate="{code}"]')
        assert tile.is_visible()
        assert tile.locator('[data-part="percent"]').text_content().strip().endswith("%")
    houses = page.locator('.rate-tile[data-rate="house_verified"]')
    assert houses.locator('[data-part="numerator"]').text_content() == "2"
    assert houses.locator('[data-part="denominator"]').text_content() == "9"
    page.wait_for_selector('#chart-ranking[data-ready="1"]', timeout=WAIT)

    # → station a → its police district.
    page.click(f'#children a.child-link:text-is("{county.a.station.name}")')
    page.wait_for_url(f"**/supervision/node/police/{county.a.station.code}/")
    page.click(f'#children a.child-link:text-is("{district.name}")')
    page.wait_for_url(f"**/supervision/node/police/{district.code}/")
    assert district.name in page.text_content("h1")

    # The district's map: a Leaflet map with its five placed door plates drawn (clusters or points).
    page.wait_for_selector("#dash-map.leaflet-container", timeout=WAIT)
    page.wait_for_function(
        "Number(document.getElementById('dash-map').dataset.points || 0) > 0"
        " || Number(document.getElementById('dash-map').dataset.cells || 0) > 0",
        timeout=WAIT,
    )
    assert page.get_attribute("#dash-map", "data-total") == "5"
    drawn = (
        page.locator("#dash-map .leaflet-marker-icon").count()
        + page.locator("#dash-map .leaflet-overlay-pane canvas").count()
    )
    assert drawn > 0
    assert page.locator(".progress-legend li").count() == 4
    page.wait_for_selector('#chart-history[data-ready="1"]', timeout=WAIT)
    page.screenshot(
        path=os.environ.get("YBSS_SCREENSHOT_DASHBOARD", str(tmp_path / "dashboard.png")), full_page=True
    )

    # The number of houses not yet verified → the house list of exactly those.
    pending = page.locator('.rate-tile[data-rate="house_verified"] a[data-part="pending"]')
    expected = House.objects.filter(police_unit=district).exclude(verify_state="verified")
    assert pending.text_content().strip().startswith(str(expected.count()))
    pending.click()
    page.wait_for_url("**/houses/?**")
    assert "verify_state=pending" in page.url and f"police_unit={district.code}" in page.url
    rows = page.locator("table.rtable tbody tr")
    rows.first.wait_for(timeout=WAIT)
    want = set(expected.filter(verify_state="pending").values_list("pk", flat=True))
    assert rows.count() == len(want) > 0
    shown = set()
    for i in range(rows.count()):
        row = rows.nth(i)
        assert row.locator("td:nth-child(7)").text_content().strip() == str(district)  # 警务单位
        href = row.locator("td.cell-title a").get_attribute("href")
        shown.add(int(href.strip("/").split("/")[-1]))
    assert shown == want
    assert page.external_requests == []  # type: ignore[attr-defined]
