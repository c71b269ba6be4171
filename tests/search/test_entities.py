"""Units and standard addresses in the one-box search: credit codes, names (traditional too),
address fragments; grouped with reasons; jurisdiction; audit; bad input."""

from __future__ import annotations

import pytest

from tests.factories import AddressFactory, UnitFactory
from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditEvent
from ybss.core import events
from ybss.core.errors import InvalidInput
from ybss.search.models import AddressKey
from ybss.search.selectors import search
from ybss.search.services import search_index_rebuild

pytestmark = pytest.mark.django_db

CODE = "91610524MA6YKC0A22"


@pytest.fixture
def planted(county):
    a = county.a
    stamp = {"division": a.village, "police_unit": a.district}
    door = AddressFactory(road=a.road, full_name="陕西省渭南市合阳县城关街道幸福路12号", **stamp)
    room = AddressFactory(
        level="room",
        parent=door,
        unit_no="3",
        room_no="201",
        full_name="陕西省渭南市合阳县城关街道幸福路12号3单元201室",
        **stamp,
    )
    unit = UnitFactory(name="合阳县恒通酿造有限公司", credit_code=CODE, address=door, **stamp)
    search_index_rebuild()
    return {"door": door, "room": room, "unit": unit}


def _group(res, kind):
    return next(g for g in res.groups if g.kind == kind)


def _find(actor, text, kind, **kw):
    res = search(actor=actor, text=text, purpose=kw.pop("purpose", "check"), **kw)
    return [h.pk for h in _group(res, kind).hits], res


def test_results_are_grouped_by_entity(county, planted):
    res = search(actor=county.a.users["officer"], text="幸福路", purpose="check")
    assert [g.kind for g in res.groups] == ["person", "unit", "address"]
    assert [str(g.label) for g in res.groups]
    assert _group(res, "address").hits[0].reason_labels


@pytest.mark.parametrize("text", [CODE, CODE[:8], CODE[-6:], CODE[-4:].lower()])
def test_unit_found_by_whole_or_partial_credit_code(county, planted, text):
    pks, res = _find(county.a.users["officer"], text, "unit")
    assert pks == [planted["unit"].pk]
    assert _group(res, "unit").hits[0].reasons[0].startswith("credit_")


@pytest.mark.parametrize(("text", "reason"), [("恒通酿造", "unit_name_part"), ("恒通釀造", "unit_name_part")])
def test_unit_found_by_name_fragment_also_traditional(county, planted, text, reason):
    pks, res = _find(county.a.users["officer"], text, "unit")
    assert pks == [planted["unit"].pk]
    hit = _group(res, "unit").hits[0]
    assert hit.reasons == (reason,)
    assert hit.credit_code == CODE and "幸福路12号" in hit.address


@pytest.mark.parametrize("text", ["幸福路12号", "城关镇 幸福路", "幸福路１２號", "3单元201", "12号3单元"])
def test_address_found_by_fragment(county, planted, text):
    pks, res = _find(county.a.users["officer"], text, "address")
    assert planted["room"].pk in pks
    hit = _group(res, "address").hits[pks.index(planted["room"].pk)]
    assert hit.reason_labels and hit.status and hit.police_unit


def test_shorter_address_ranks_first(county, planted):
    pks, _ = _find(county.a.users["officer"], "幸福路12号", "address")
    assert pks == [planted["door"].pk, planted["room"].pk]


@pytest.mark.parametrize("role", ["collector", "officer", "chief"])
def test_other_station_does_not_find_units_or_addresses(county, planted, role):
    user = county.b.users[role]
    for text in (CODE, CODE[-6:], "恒通酿造", "幸福路12号", "3单元201"):
        res = search(actor=user, text=text, purpose="check")
        assert _group(res, "unit").hits == [] and _group(res, "address").hits == []
    assert _find(user, "b测试路", "address")[0] == [county.b.door.pk, county.b.room.pk]


def test_investigator_sees_the_county(county, planted):
    assert _find(county.users["investigator"], CODE, "unit")[0] == [planted["unit"].pk]


def test_kinds_narrow_the_groups(county, planted):
    res = search(actor=county.a.users["officer"], text="幸福路", purpose="check", kinds=["address"])
    assert [g.kind for g in res.groups] == ["address"]


def test_address_index_follows_changes(county, planted):
    officer = county.a.users["officer"]
    room = planted["room"]
    StandardAddress.objects.filter(pk=room.pk).update(
        full_name="陕西省渭南市合阳县城关街道幸福路12号3单元909室"
    )
    events.record_changed("addresses.standardaddress", room.pk)
    assert _find(officer, "3单元909", "address")[0] == [room.pk]
    assert _find(officer, "3单元201", "address")[0] == []
    StandardAddress.objects.filter(pk=room.pk).update(status="voided")
    events.record_changed("addresses.standardaddress", room.pk)
    assert not AddressKey.objects.filter(address_id=room.pk).exists()
    assert _find(officer, "3单元909", "address")[0] == []


def test_rebuild_indexes_every_live_address(county, planted):
    live = StandardAddress.objects.exclude(status="voided").count()
    assert AddressKey.objects.values("address_id").distinct().count() == live


def test_search_is_audited_with_purpose_and_kinds(county, planted):
    officer = county.a.users["officer"]
    search(
        actor=officer, text=f"{CODE} 恒通", purpose="other", purpose_note="协查", kinds=["unit", "address"]
    )
    ev = AuditEvent.objects.filter(action="search").latest("id")
    assert "协查" in ev.purpose
    assert ev.detail["kinds"] == ["unit", "address"]
    assert ev.detail["searched"] == ["unit", "address"]
    assert ev.detail["counts"] == {"unit": 1, "address": 0}
    assert CODE not in str(ev.detail)
    assert {"kind": "unit_name", "term": "恒通"} in ev.detail["terms"]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"text": "", "purpose": "check"}, "q"),
        ({"text": " ，，", "purpose": "check"}, "q"),
        ({"text": "幸福路", "purpose": ""}, "purpose"),
        ({"text": "幸福路", "purpose": "check", "kinds": ["house"]}, "kinds"),
        ({"text": "zw", "purpose": "check", "kinds": ["address"]}, "q"),
    ],
)
def test_bad_input_names_the_field(county, planted, kw, field):
    with pytest.raises(InvalidInput) as exc:
        search(actor=county.a.users["officer"], **kw)
    assert field in exc.value.fields


def test_page_shows_groups_with_links_and_reasons(county, planted, client_for):
    resp = client_for(county.a.users["officer"]).get("/search/", {"q": "幸福路12号", "purpose": "check"})
    body = resp.content.decode().split('id="search-results"', 1)[1]
    assert resp.status_code == 200
    assert f"/addresses/{planted['room'].pk}/?purpose=" in body
    resp = client_for(county.a.users["officer"]).get("/search/", {"q": "恒通釀造", "purpose": "check"})
    body = resp.content.decode().split('id="search-results"', 1)[1]
    assert f"/units/{planted['unit'].pk}/?purpose=" in body


def test_page_unknown_kind_is_a_field_error(county, planted, client_for):
    resp = client_for(county.a.users["officer"]).get(
        "/search/", {"q": "幸福路", "purpose": "check", "kinds": "nope"}
    )
    assert resp.status_code == 400
    assert 'class="field-error"' in resp.content.decode()


def test_api_returns_groups_and_kinds(county, planted, client_for):
    client = client_for(county.a.users["officer"])
    resp = client.get("/api/search", {"q": CODE, "purpose": "check", "kinds": "unit,address"})
    assert resp.status_code == 200
    data = resp.json()
    assert [g["kind"] for g in data["groups"]] == ["unit", "address"]
    hit = data["groups"][0]["hits"][0]
    assert hit["id"] == planted["unit"].pk and hit["kind"] == "unit" and hit["reasons"] == ["credit_exact"]
    resp = client.get("/api/search", {"q": "幸福路", "purpose": "check", "kinds": "house"})
    assert resp.status_code == 400 and "kinds" in resp.json()["fields"]
