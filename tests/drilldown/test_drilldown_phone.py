"""The drill-down pages on a phone-sized screen in real Chromium: no sideways scrolling, nothing
fetched from outside. Skipped when the browser is missing (see tests/browser/conftest.py)."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import PHONE, browser, open_page, sign_in  # noqa: F401  (the browser fixture)
from tests.standing import plant


@pytest.mark.django_db(transaction=True)
def test_address_and_person_drilldown_fit_a_phone(county, live_server, browser, tmp_path):  # noqa: F811
    a = county.a
    plant.resident(a, a.house, "permanent")
    plant.resident(a, plant.house(a), "lodging", person=a.person, active=False)
    ctx, page = open_page(browser, **PHONE)
    try:
        sign_in(page, live_server, a.users["officer"].username)
        for path in (f"/addresses/{a.door.pk}/", f"/persons/{a.person.pk}/", f"/houses/{a.house.pk}/"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert a.person.name in page.content()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
            shots = os.environ.get("YBSS_SCREENSHOT_DIR", str(tmp_path))
            page.screenshot(
                path=os.path.join(shots, path.strip("/").replace("/", "-") + ".png"), full_page=True
            )
        assert page.external_requests == []  # type: ignore[attr-defined]
    finally:
        ctx.close()
