"""Real Chromium (Debian's, through Playwright): a community officer marks a door plate on the map
page (no tile server configured: the plain fallback) and sees the 标注率 change; once on a desktop
screen, once on a phone, where a point outside the village's boundary is refused first.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.browser.conftest import DESKTOP, PHONE, open_page

#: The map page opens on settings.YBSS_MAP_CENTER; the village boundary is a square around it.
CENTRE = (110.15, 35.24)
HALF = 0.02


@pytest.fixture
def desktop(browser):
    ctx, page = open_page(browser, **DESKTOP)
    yield page
    ctx.close()


@pytest.fixture
def phone(browser):
    ctx, page = open_page(browser, **PHONE)
    yield page
    ctx.close()


@pytest.fixture
def village_boundary(county, settings):
    from ybss.mapping.services import boundary_save

    settings.YBSS_MAP_TILE_URL = ""
    settings.YBSS_MAP_CENTER = [CENTRE[1], CENTRE[0]]
    ring = [
        [CENTRE[0] - HALF, CENTRE[1] - HALF],
        [CENTRE[0] + HALF, CENTRE[1] - HALF],
        [CENTRE[0] + HALF, CENTRE[1] + HALF],
        [CENTRE[0] - HALF, CENTRE[1] + HALF],
        [CENTRE[0] - HALF, CENTRE[1] - HALF],
    ]
    return boundary_save(
        actor=None,
        text=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        division_code=county.a.village.code,
    )


def _sign_in(page, live_server, username: str) -> None:
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _open_map(page, live_server, county) -> None:
    _sign_in(page, live_server, county.a.users["officer"].username)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector(f'#todo-list button[data-id="{county.a.door.pk}"]')
    page.wait_for_selector('#map[data-boundaries="1"]', state="attached")  # the village boundary is drawn
    assert page.text_content('[data-rate="percent"]').strip() == "0.00%"
    assert county.b.door.full_name not in page.content()


def _tap_map_centre(page, *, touch: bool) -> None:
    box = page.locator("#map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if touch:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def _assert_marked(county, page) -> None:
    from ybss.addresses.models import StandardAddress

    page.wait_for_function(
        "document.querySelector('[data-rate=\"percent\"]').textContent.trim() === '100.00%'"
    )
    assert page.text_content('[data-rate="numerator"]').strip() == "2"  # the door plate and its room
    assert page.text_content('[data-rate="denominator"]').strip() == "2"
    door = StandardAddress.objects.get(pk=county.a.door.pk)
    assert door.mark_state == "confirmed" and door.coord_source == "WGS84" and door.marked_source == "map"
    assert abs(float(door.lng) - CENTRE[0]) < HALF and abs(float(door.lat) - CENTRE[1]) < HALF
    assert page.is_visible("#place-ok")


@pytest.mark.django_db(transaction=True)
def test_officer_marks_a_door_plate_and_sees_the_rate_change(
    county, village_boundary, live_server, desktop, tmp_path
):
    page = desktop
    _open_map(page, live_server, county)
    assert page.locator(".leaflet-tile-container canvas").count() > 0  # the plain grid, no tile images
    page.click(f'#todo-list button[data-id="{county.a.door.pk}"]')
    assert page.is_visible("#place-panel")
    _tap_map_centre(page, touch=False)
    assert page.input_value("#place-lng") != "" and page.input_value("#place-lat") != ""
    page.click("#place-confirm")
    _assert_marked(county, page)
    page.screenshot(path=os.environ.get("YBSS_SCREENSHOT_MAP", str(tmp_path / "map.png")), full_page=True)
    assert page.external_requests == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_marking_on_a_phone_refuses_a_point_outside_the_boundary(
    county, village_boundary, live_server, phone, tmp_path
):
    page = phone
    _open_map(page, live_server, county)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.tap(f'#todo-list button[data-id="{county.a.door.pk}"]')
    page.fill("#place-lng", "110.30")  # another township, ≈ 13 km east
    page.fill("#place-lat", "35.30")
    page.dispatch_event("#place-lat", "change")
    page.tap("#place-confirm")
    page.wait_for_selector("#place-errors:not([hidden])")
    assert "边界之外" in page.text_content("#place-errors")
    assert page.text_content('[data-rate="percent"]').strip() == "0.00%"
    page.locator("#map").scroll_into_view_if_needed()
    _tap_map_centre(page, touch=True)
    page.tap("#place-confirm")
    _assert_marked(county, page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(
        path=os.environ.get("YBSS_SCREENSHOT_MAP_PHONE", str(tmp_path / "map-phone.png")), full_page=True
    )
    assert page.external_requests == []  # type: ignore[attr-defined]
