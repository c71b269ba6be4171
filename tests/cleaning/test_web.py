"""The cleaning pages: queue, item with candidates, the three decisions, duplicates and merge."""

from __future__ import annotations

import re

import pytest

from tests.factories import AddressFactory
from tests.web.webutil import assert_no_external_assets
from ybss.addresses.models import CleanState, StandardAddress
from ybss.cleaning.models import NotDuplicate
from ybss.core.models import RecordStatus
from ybss.transfer.models import AddressCleaningItem

from .conftest import make_item

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
FIELD_ERROR = re.compile(r'class="field-error"[^>]*>([^<]+)<')


def _exact_item(county):
    """An item whose text is station a's room's full name: any matcher proposes that room."""
    return make_item(county.a, county.a.room.full_name, hits=2)


def test_queue_shows_own_items_counts_and_the_cleaning_rate(items, client_for):
    html = client_for(items.a.users["officer"]).get("/cleaning/").content.decode()
    assert items.a.item.raw_text in html and items.b.item.raw_text not in html
    assert "标准地址清理率" in html and "已清理 0 / 共 2 个地址" in html  # numerator and denominator
    assert "待处理" in html
    assert_no_external_assets(html)


def test_queue_filters_and_survives_bad_filters(items, client_for):
    c = client_for(items.a.users["officer"])
    assert items.a.item.raw_text not in c.get("/cleaning/", {"state": "resolved"}).content.decode()
    assert items.a.item.raw_text in c.get("/cleaning/", {"q": "测试路"}).content.decode()
    resp = c.get("/cleaning/", {"state": "bogus", "page": "x"})
    assert resp.status_code == 400 and CJK.search(resp.content.decode())


def test_menu_has_the_cleaning_entry(items, client_for):
    html = client_for(items.a.users["officer"]).get("/").content.decode()
    assert 'href="/cleaning/"' in html and "地址清理" in html


def test_item_page_shows_the_candidates_side_by_side(county, client_for):
    item = _exact_item(county)
    resp = client_for(county.a.users["officer"]).get(f"/cleaning/items/{item.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert county.a.room.code in html and "候选" in html
    assert f'name="address_id" value="{county.a.room.pk}"' in html
    assert county.b.room.full_name not in html


def test_accept_from_the_page_links_and_moves_on(county, client_for):
    item = _exact_item(county)
    c = client_for(county.a.users["officer"])
    resp = c.post(f"/cleaning/items/{item.pk}/accept/", {"address_id": county.a.room.pk, "version": 1})
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.state == "resolved" and item.resolved_address_id == county.a.room.pk
    # accepted by code, for an address no candidate named
    other = make_item(county.a, "老地址写法")
    resp = c.post(f"/cleaning/items/{other.pk}/accept/", {"address_code": county.a.door.code, "version": 1})
    assert resp.status_code == 302
    other.refresh_from_db()
    assert other.resolved_address_id == county.a.door.pk


def test_accept_with_a_wrong_code_or_twice_shows_a_chinese_error(county, client_for):
    item = _exact_item(county)
    c = client_for(county.a.users["officer"])
    resp = c.post(f"/cleaning/items/{item.pk}/accept/", {"address_code": county.b.door.code, "version": 1})
    assert resp.status_code == 400 and any(CJK.search(e) for e in FIELD_ERROR.findall(resp.content.decode()))
    c.post(f"/cleaning/items/{item.pk}/accept/", {"address_id": county.a.room.pk, "version": 1})
    resp = c.post(f"/cleaning/items/{item.pk}/accept/", {"address_id": county.a.room.pk, "version": 2})
    assert resp.status_code == 400 and "已处理" in resp.content.decode()


def test_create_page_is_prefilled_and_creates_the_address(county, client_for):
    door = county.a.door
    door.full_name = f"合阳县城关街道a测试路{door.door_number}号"  # the factory numbers doors by sequence
    door.save()
    item = make_item(county.a, f"{door.full_name}2单元302室")
    c = client_for(county.a.users["officer"])
    html = c.get(f"/cleaning/items/{item.pk}/create/").content.decode()
    # prefilled from the parse and the matcher: the room under the existing door plate
    assert 'name="room_no" value="302"' in html and 'name="unit_no" value="2"' in html
    door_select = html.split('name="door_id"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{county.a.door.pk}" selected>' in door_select
    resp = c.post(
        f"/cleaning/items/{item.pk}/create/",
        {"door_id": county.a.door.pk, "unit_no": "2", "floor": "3", "room_no": "302", "version": 1},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    room = StandardAddress.objects.get(parent=county.a.door, room_no="302")
    assert room.clean_state == CleanState.CLEANED
    item.refresh_from_db()
    assert (item.state, item.decision, item.resolved_address_id) == ("resolved", "created", room.pk)


def test_create_with_missing_fields_shows_chinese_field_errors_and_saves_nothing(county, client_for):
    item = make_item(county.a, "某处")
    before = StandardAddress.objects.count()
    resp = client_for(county.a.users["officer"]).post(
        f"/cleaning/items/{item.pk}/create/", {"door_number": "abc", "version": 1}
    )
    assert resp.status_code == 400
    errors = FIELD_ERROR.findall(resp.content.decode())
    assert errors and all(CJK.search(e) for e in errors)
    assert StandardAddress.objects.count() == before


def test_set_aside_needs_a_reason(county, client_for):
    item = make_item(county.a, "张三")
    c = client_for(county.a.users["officer"])
    resp = c.post(
        f"/cleaning/items/{item.pk}/reject/", {"decision": "not_address", "reason": "", "version": 1}
    )
    assert resp.status_code == 400
    resp = c.post(
        f"/cleaning/items/{item.pk}/reject/", {"decision": "not_address", "reason": "是人名", "version": 1}
    )
    assert resp.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.decision) == ("rejected", "not_address")


def test_another_stations_items_and_addresses_are_404(items, client_for):
    c = client_for(items.a.users["chief"])
    b_item, b_door = items.b.item, items.b.door
    for url in (
        f"/cleaning/items/{b_item.pk}/",
        f"/cleaning/items/{b_item.pk}/accept/",
        f"/cleaning/items/{b_item.pk}/create/",
        f"/cleaning/items/{b_item.pk}/reject/",
        f"/cleaning/addresses/{b_door.pk}/merge/",
        f"/cleaning/addresses/{b_door.pk}/not-duplicate/",
    ):
        assert c.get(url).status_code == 404, url
        assert c.post(url, {"version": 1, "reason": "x", "decision": "rejected"}).status_code == 404, url
    b_item.refresh_from_db()
    assert b_item.state == "pending"


def _pair(county):
    stamp = {"division": county.a.village, "police_unit": county.a.district}
    x = AddressFactory(road=county.a.road, door_number="30", full_name="合阳县城关街道a测试路30号", **stamp)
    y = AddressFactory(road=county.a.road, door_number="30", full_name="合阳县城关街道a测试路30号", **stamp)
    return x, y


def test_duplicates_page_merge_and_not_duplicate(county, client_for):
    x, y = _pair(county)
    c = client_for(county.a.users["chief"])
    assert c.post("/cleaning/duplicates/check/").status_code == 302  # the check, run inline in tests
    html = c.get("/cleaning/duplicates/").content.decode()
    assert x.code in html and y.code in html
    assert_no_external_assets(html)
    page = c.get(f"/cleaning/addresses/{x.pk}/merge/", {"with": str(y.pk)})
    assert page.status_code == 200 and y.code in page.content.decode()
    resp = c.post(
        f"/cleaning/addresses/{x.pk}/merge/",
        {
            "members": f"{x.pk},{y.pk}",
            "survivor": x.pk,
            "duplicates": [y.pk],
            "reason": "同一门牌",
            "versions": f"{x.pk}:1,{y.pk}:1",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == f"/addresses/{x.pk}/"
    y.refresh_from_db()
    assert (y.status, y.merged_into_id) == (RecordStatus.VOIDED, x.pk)
    assert y.code not in c.get("/cleaning/duplicates/").content.decode()


def test_not_duplicate_from_the_page_is_remembered(county, client_for):
    x, y = _pair(county)
    c = client_for(county.a.users["officer"])
    c.post("/cleaning/duplicates/check/")
    assert x.code in c.get("/cleaning/duplicates/").content.decode()
    resp = c.post(f"/cleaning/addresses/{x.pk}/not-duplicate/", {"members": f"{x.pk},{y.pk}"})
    assert resp.status_code == 302
    assert NotDuplicate.objects.filter(address_a=x, address_b=y).exists()
    assert x.code not in c.get("/cleaning/duplicates/").content.decode()


def test_merge_with_a_stale_page_is_a_conflict(county, client_for):
    x, y = _pair(county)
    StandardAddress.objects.filter(pk=y.pk).update(version=3)
    resp = client_for(county.a.users["chief"]).post(
        f"/cleaning/addresses/{x.pk}/merge/",
        {
            "members": f"{x.pk},{y.pk}",
            "survivor": x.pk,
            "duplicates": [y.pk],
            "reason": "同一门牌",
            "versions": f"{x.pk}:1,{y.pk}:1",
        },
    )
    assert resp.status_code == 409
    assert StandardAddress.objects.get(pk=y.pk).status == RecordStatus.ACCEPTED


def test_merge_door_into_room_is_a_chinese_field_error(county, client_for):
    resp = client_for(county.a.users["chief"]).post(
        f"/cleaning/addresses/{county.a.room.pk}/merge/",
        {
            "members": f"{county.a.room.pk},{county.a.door.pk}",
            "survivor": county.a.room.pk,
            "duplicates": [county.a.door.pk],
            "reason": "x",
        },
    )
    assert resp.status_code == 400
    assert "门楼牌" in resp.content.decode()


def test_collectors_cannot_merge(county, client_for):
    x, y = _pair(county)
    c = client_for(county.a.users["collector"])
    assert c.get(f"/cleaning/addresses/{x.pk}/merge/").status_code == 403
    assert (
        c.post(
            f"/cleaning/addresses/{x.pk}/merge/",
            {"members": f"{x.pk},{y.pk}", "survivor": x.pk, "duplicates": [y.pk], "reason": "x"},
        ).status_code
        == 403
    )
    assert AddressCleaningItem.objects.count() == 0
