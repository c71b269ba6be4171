"""Real Chromium (Debian's, through Playwright) on a phone-sized screen: sign in, search, read.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import PHONE, open_page


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


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_officer_signs_in_and_reads_a_person_on_a_phone(county, live_server, phone, tmp_path):
    page = phone
    _sign_in(page, live_server, county.a.users["officer"].username)
    assert "/login/" not in page.url
    assert "实有人口" in page.content()
    assert _no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/persons/?q=王")
    assert county.a.person.name in page.content()
    assert county.b.person.name not in page.content()
    page.click(f"text={county.a.person.name}")
    page.wait_for_load_state("networkidle")
    assert county.a.person.id_number in page.content()  # officers see full numbers
    assert _no_horizontal_scroll(page)
    page.screenshot(path=os.environ.get("YBSS_SCREENSHOT", str(tmp_path / "person.png")), full_page=True)
    assert page.external_requests == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_bad_password_shows_chinese_error(county, live_server, phone):
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "officer_a")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" in page.url
    assert "用户名" in page.content() or "密码" in page.content()


@pytest.mark.django_db(transaction=True)
def test_typing_a_messy_address_suggests_the_standard_one(county, live_server, phone):
    """As-you-type: the matcher turns a hand-typed address into the standard address in scope."""
    page = phone
    _sign_in(page, live_server, county.a.users["officer"].username)
    page.goto(f"{live_server.url}/addresses/")
    door = county.a.door
    typed = door.full_name.replace("合阳县", "陕西渭南合阳 ").replace("号", " 号")
    page.fill("input[data-address-suggest]", typed)
    page.wait_for_selector(".suggest-list li a", timeout=10_000)
    first = page.locator(".suggest-list li a").first
    assert first.inner_text() == door.full_name
    first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/addresses/{door.pk}/")
    assert _no_horizontal_scroll(page)
    assert page.external_requests == []  # type: ignore[attr-defined]
