"""Real Chromium (Debian's /usr/bin/chromium, driven by Playwright) for the browser tests.

The tests here are skipped when Chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where
that is an error. :func:`open_page` gives a page whose requests to anything but the live server
are blocked and recorded in ``page.external_requests`` (police networks are offline: a page that
reaches for a CDN must fail its test).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

collect_ignore_glob: list[str] = []
if not Path(CHROMIUM).exists():
    if os.environ.get("YBSS_REQUIRE_BROWSER") == "1":
        raise RuntimeError("YBSS_REQUIRE_BROWSER=1 but /usr/bin/chromium is not installed")
    collect_ignore_glob = ["test_*.py"]

# Playwright runs an event loop in this thread; Django's async-safety check must not trip on it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def open_page(browser: Any, **context: Any) -> tuple[Any, Any]:
    """A new context (zh-CN) and page; returns (context, page). Close the context when done."""
    ctx = browser.new_context(locale="zh-CN", **context)
    external: list[str] = []
    ctx.route(
        "**/*",
        lambda route: (
            (external.append(route.request.url), route.abort())
            if not route.request.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
            else route.continue_()
        ),
    )
    page = ctx.new_page()
    page.external_requests = external
    return ctx, page


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign ``username`` in through the login page (every test user has ``tests.factories.PASSWORD``)."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
