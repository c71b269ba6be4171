"""The collector's phone app (/m/) in real Chromium on a 390×844 phone: collect a household offline,
sync when back online, have an officer pass it, and find the records in the registry.

Skipped when /usr/bin/chromium is missing, unless YBSS_REQUIRE_BROWSER=1 (CI), where it fails.
Offline is ``context.set_offline(True)`` plus a route that fails the service worker's own
requests (Chromium's offline emulation does not reach a service worker's fetches).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, open_page
from tests.factories import PASSWORD, make_id

pytestmark = [pytest.mark.django_db(transaction=True)]

#: Near the test county's door plates (合阳县, WGS-84).
POSITION = {"latitude": 35.2391, "longitude": 110.1492, "accuracy": 12}
WAIT = 20_000


class Network:
    """Switch a context offline and back; offline also fails the service worker's requests."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.offline = False
        ctx.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if self.offline:
            route.abort("internetdisconnected")
        else:
            route.fallback()

    def go_offline(self) -> None:
        self.offline = True
        self.ctx.set_offline(True)

    def go_online(self) -> None:
        self.offline = False
        self.ctx.set_offline(False)


def _jpeg(width: int = 2400, height: int = 1600) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), (20, 60, 160))
    draw = ImageDraw.Draw(img)
    draw.rectangle([width // 4, height // 3, 3 * width // 4, 2 * height // 3], fill=(250, 250, 250))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _sign_in(page: Any, live_server: Any, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _screenshot(page: Any, variable: str, default: Any) -> None:
    """A screenshot of the phone's screen, where ``variable`` says (for a person to look at)."""
    page.screenshot(path=os.environ.get(variable, str(default)))


def _no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def task(county):
    """An open task for station a's collector: the households under station a's door plate."""
    from ybss.collection.services import task_create

    return task_create(
        actor=county.a.users["officer"],
        assignee=county.a.users["collector"],
        name="金水社区入户采集",
        deadline=timezone.localdate() + dt.timedelta(days=7),
        door_ids=[county.a.door.pk],
    )


@pytest.fixture
def phone(browser) -> Iterator[tuple[Any, Any]]:
    ctx, page = open_page(
        browser, **PHONE, geolocation=POSITION, permissions=["geolocation"], color_scheme="dark"
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield ctx, page
    print("browser console errors:", errors)
    ctx.close()


def _open_app(page: Any, live_server: Any, county: Any) -> None:
    _sign_in(page, live_server, county.a.users["collector"].username, "/m/")
    assert page.url.endswith("/m/")
    page.wait_for_selector("html[data-offline-ready='1']", timeout=WAIT)


def _outbox_count(page: Any) -> str:
    return page.inner_text("#outbox-count").strip()


def test_collect_a_new_door_plate_offline_then_sync_and_pass(county, task, live_server, phone, tmp_path):
    from ybss.addresses.models import StandardAddress
    from ybss.collection.models import Photo, Submission
    from ybss.registry.models import House, Person

    ctx, page = phone
    net = Network(ctx)
    _open_app(page, live_server, county)
    assert page.locator(".hh").count() == 1  # the task's one household (room 501)
    assert _no_horizontal_scroll(page)
    _screenshot(page, "YBSS_TODAY_SCREENSHOT", tmp_path / "today.png")

    # Offline from here: the app must open from its own cache.
    net.go_offline()
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("html[data-app-started='1']", timeout=WAIT)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#net").get_attribute("data-state") == "offline"
    assert page.locator(".hh").count() == 1

    page.click("#new-door")
    page.wait_for_selector("form.collect-form")
    page.select_option("select[name='door.road_id']", str(county.a.road.pk))
    page.fill("input[name='door.door_number']", "88")
    page.check("input[name=roomMode][value=room]")
    page.fill("input[name='room.unit_no']", "2")
    page.fill("input[name='room.floor']", "3")
    page.fill("input[name='room.room_no']", "301")
    page.set_input_files(
        "#photo-input", files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.wait_for_selector(".thumb img")
    page.select_option("select[name='house.house_type']", "apartment")
    page.select_option("select[name='house.use']", "self")
    page.fill("input[name='house.area']", "96")

    husband = make_id(birth="19820315", seq=131)
    wife = make_id(birth="19840720", seq=242)
    bad = husband[:-1] + ("0" if husband[-1] != "0" else "1")
    page.fill("input[name='persons.0.name']", "李建国")
    page.fill("input[name='persons.0.id_number']", bad)
    page.select_option("select[name='persons.0.residence_type']", "permanent")
    page.select_option("select[name='persons.0.relation']", "02")
    page.fill("input[name='persons.0.phone']", "13912345670")

    # A wrong check digit: the Chinese field error, and nothing is saved.
    page.click("button[data-action=save]")
    error = page.locator(".field[data-path='persons.0.id_number'] .field-error")
    error.wait_for(state="visible")
    assert "校验位" in error.inner_text()
    assert _outbox_count(page) == "0"

    page.fill("input[name='persons.0.id_number']", husband)
    assert page.input_value("select[name='persons.0.sex']") == "1"  # read from the ID number
    page.click("button[data-action=person-add]")
    page.fill("input[name='persons.1.name']", "王秀兰")
    page.fill("input[name='persons.1.id_number']", wife)
    page.select_option("select[name='persons.1.residence_type']", "permanent")
    page.select_option("select[name='persons.1.relation']", "10")
    _screenshot(page, "YBSS_COLLECT_SCREENSHOT", tmp_path / "collect-form.png")
    page.click("button[data-action=save]")
    page.wait_for_url(re.compile(r"#/outbox$"))
    page.wait_for_function("document.querySelector('#outbox-count').textContent.trim() === '1'")
    assert page.locator(".entry[data-state=pending]").count() == 1
    assert _no_horizontal_scroll(page)
    _screenshot(page, "YBSS_OUTBOX_SCREENSHOT", tmp_path / "outbox.png")
    assert Submission.objects.count() == 0

    # Online: the outbox empties by itself.
    net.go_online()
    page.wait_for_function("document.querySelector('#outbox-count').textContent.trim() === '0'", timeout=WAIT)
    sub = Submission.objects.get()
    assert sub.kind == "household" and sub.state == "pending"
    assert sub.collector == county.a.users["collector"]
    assert "Chrome" in sub.device
    assert sub.lat is not None and abs(float(sub.lat) - POSITION["latitude"]) < 1e-4
    assert sub.accuracy_m == 12
    assert sub.started_at is not None and sub.finished_at is not None and sub.started_at <= sub.finished_at
    photo = Photo.objects.get(submission=sub)
    assert photo.content_type == "image/jpeg"
    persons = sub.payload["persons"]
    assert [p["fields"]["id_number"] for p in persons] == [husband, wife]

    page.click(".tabs a[data-tab=sent]")
    page.wait_for_selector(".entry[data-state=sent]")

    # The community officer passes it.
    octx, officer = open_page(ctx.browser)
    try:
        _sign_in(officer, live_server, county.a.users["officer"].username, "/review/")
        officer.click(f"a[href='/review/{sub.pk}/'] >> nth=0")
        officer.wait_for_load_state("networkidle")
        officer.click("button[name=action][value=pass]")
        officer.wait_for_load_state("networkidle")
        assert officer.external_requests == []  # type: ignore[attr-defined]
    finally:
        octx.close()

    sub.refresh_from_db()
    assert sub.state in ("passed", "applied")
    door = StandardAddress.objects.get(road=county.a.road, door_number="88")
    assert door.status == "accepted"
    room = StandardAddress.objects.get(parent=door, room_no="301")
    house = House.objects.get(address=room)
    assert house.status == "accepted" and house.house_type == "apartment"
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=[husband, wife])}
    assert set(people) == {husband, wife}
    assert all(p.status == "accepted" for p in people.values())

    # The person's page shows the change history.
    octx, officer = open_page(ctx.browser)
    try:
        _sign_in(officer, live_server, county.a.users["officer"].username, f"/persons/{people[husband].pk}/")
        assert "变更历史" in officer.content()
    finally:
        octx.close()

    page.wait_for_timeout(200)
    assert page.external_requests == []  # type: ignore[attr-defined]


def test_a_dropped_sync_response_is_sent_again_and_stored_once(county, task, live_server, phone):
    from ybss.collection.models import Submission

    ctx, page = phone
    net = Network(ctx)
    _open_app(page, live_server, county)
    net.go_offline()

    item = county.a.room
    page.click(".hh")
    page.wait_for_selector("#collect-btn")
    page.click("a[data-outcome=nobody_home]")
    page.wait_for_selector("form.visit-form")
    page.check("input[name=availability][value=office]")
    page.click("form.visit-form button[type=submit]")
    page.wait_for_function("document.querySelector('#outbox-count').textContent.trim() === '1'")

    # The server stores the first sync, but its answer never reaches the phone.
    dropped: list[str] = []

    def drop_first_answer(route: Any) -> None:
        if dropped:
            route.fallback()
            return
        response = route.fetch()  # the server processes the request
        dropped.append(response.text())
        route.abort("connectionreset")

    page.route("**/api/collection/sync", drop_first_answer)
    net.go_online()
    page.wait_for_function(
        "document.querySelector('#outbox-count').textContent.trim() === '0'", timeout=60_000
    )
    assert len(dropped) == 1 and '"accepted"' in dropped[0]
    assert Submission.objects.count() == 1
    sub = Submission.objects.get()
    assert sub.kind == "visit" and sub.payload["address_id"] == item.pk
    page.click(".tabs a[data-tab=outbox]")
    page.wait_for_selector(".card.empty")
    page.click(".tabs a[data-tab=sent]")
    page.wait_for_selector(".entry[data-state=sent]")
    assert page.locator(".entry").count() == 1
    assert page.external_requests == []  # type: ignore[attr-defined]


def test_an_invalid_answer_goes_back_to_the_form_with_the_server_errors(county, task, live_server, phone):
    """The server's field errors land on the form's fields; the corrected entry is sent anew."""
    import json

    from ybss.collection.models import Submission

    _ctx, page = phone
    _open_app(page, live_server, county)
    page.click(".hh")
    page.click("#collect-btn")
    page.wait_for_selector("form.collect-form")
    assert page.locator(".person").count() == 0  # the house already has its registered resident
    page.click("button[data-action=person-add]")
    page.fill("input[name='persons.0.name']", "赵小雨")
    page.fill("input[name='persons.0.id_number']", make_id(birth="19990412", seq=464))
    page.select_option("select[name='persons.0.residence_type']", "lodging")

    answered: list[str] = []

    def refuse_once(route: Any) -> None:
        if answered:
            route.fallback()
            return
        sent = json.loads(route.request.post_data or "{}")["submissions"][0]
        answered.append(sent["client_id"])
        result = {
            "client_id": sent["client_id"],
            "status": "invalid",
            "submission_id": None,
            "state": "",
            "code": "invalid",
            "message": "请更正以下错误。",
            "errors": {"persons.0.fields.name": ["姓名与户籍信息不符。"]},
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"results": [result]}))

    page.route("**/api/collection/sync", refuse_once)
    page.click("button[data-action=save]")
    page.wait_for_selector(".entry[data-state=invalid]", timeout=WAIT)
    assert _outbox_count(page) == "0"
    assert "姓名与户籍信息不符" in page.inner_text(".entry[data-state=invalid]")

    page.click(".entry[data-state=invalid] a.btn-primary")
    error = page.locator(".field[data-path='persons.0.name'] .field-error")
    error.wait_for(state="visible")
    assert "姓名与户籍信息不符" in error.inner_text()
    page.fill("input[name='persons.0.name']", "赵晓雨")
    page.click("button[data-action=save]")
    page.wait_for_url(re.compile(r"#/outbox$"))
    page.wait_for_function(
        "location.hash === '#/outbox' && document.querySelector('#outbox-count').textContent.trim() === '0'"
        " && document.querySelectorAll('.entry').length === 0",
        timeout=WAIT,
    )
    sub = Submission.objects.get()
    assert str(sub.client_id) != answered[0]  # the corrected entry is a new submission
    assert sub.payload["persons"][0]["fields"]["name"] == "赵晓雨"
    assert sub.task_item_id is not None
    assert page.external_requests == []  # type: ignore[attr-defined]
