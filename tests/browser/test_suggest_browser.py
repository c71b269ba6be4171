"""Real Chromium (Debian's, through Playwright) on a phone-sized screen: an officer types the start of
an address into the address list's search box, sees the places and door plates it may begin with
(the typed part highlighted, the reason beside it) and picks one with the keyboard.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import pytest

from tests.addresses.suggest_data import add_streets
from tests.browser.conftest import PHONE, open_page

OPTIONS = ".suggest-list li[role=option]"


@pytest.fixture
def phone(browser):
    ctx, page = open_page(browser, **PHONE)
    yield page
    ctx.close()


def _sign_in(page, live_server, username: str) -> None:
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _type(page, text: str) -> None:
    box = page.locator("input[data-address-suggest]")
    box.click()
    box.press_sequentially(text, delay=60)  # one key at a time, as on a phone


@pytest.mark.django_db(transaction=True)
def test_typing_a_street_and_digit_lists_door_plates_and_the_keyboard_picks_one(
    county, live_server, phone, tmp_path
):
    streets = add_streets(county)
    page = phone
    _sign_in(page, live_server, county.a.users["officer"].username)
    page.goto(f"{live_server.url}/addresses/")
    _type(page, "凤凰路1")
    page.wait_for_selector(f"{OPTIONS} a:has-text('凤凰路10号')", timeout=10_000)
    texts = page.locator(f"{OPTIONS} a").all_inner_texts()
    assert [t.removeprefix("陕西省渭南市合阳县") for t in texts[:3]] == [
        "城关街道凤凰路1号",
        "城关街道凤凰路10号",
        "城关街道凤凰路12号",
    ]
    assert page.locator(f"{OPTIONS} >> nth=1 >> mark").inner_text() == "凤凰路1"  # the typed part
    assert "街路巷前缀：凤凰路1" in page.locator(OPTIONS).nth(1).inner_text()  # the reason
    assert "凤凰街" not in page.content()  # station b's street
    box = page.locator("input[data-address-suggest]")
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("ArrowDown")
    page.screenshot(path=str(tmp_path / "suggest.png"))
    second = page.locator(OPTIONS).nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(f"**/addresses/{streets['城关街道凤凰路10号'].pk}/", timeout=10_000)
    assert page.external_requests == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_place_is_completed_with_enter_and_escape_closes_the_list(county, live_server, phone):
    add_streets(county)
    page = phone
    _sign_in(page, live_server, county.a.users["officer"].username)
    page.goto(f"{live_server.url}/addresses/")
    _type(page, "凤凰")
    place = page.locator(".suggest-list li.suggest-place")
    place.first.wait_for(timeout=10_000)
    assert place.first.inner_text().startswith("凤凰路")
    box = page.locator("input[data-address-suggest]")
    box.press("ArrowDown")
    box.press("Enter")  # completes the text with the street and asks again
    assert box.input_value() == "凤凰路"
    page.wait_for_function(
        "() => document.querySelectorAll('.suggest-list li.suggest-place').length === 0"
        " && document.querySelectorAll('.suggest-list li a').length > 0",
        timeout=10_000,
    )
    assert page.url.endswith("/addresses/")  # Enter on a suggestion does not submit the search
    box.press("Escape")
    assert page.locator(".suggest-list").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert page.external_requests == []  # type: ignore[attr-defined]
