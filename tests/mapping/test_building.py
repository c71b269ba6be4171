"""The building generator (生成楼栋层户): units × floors (above and below ground) × rooms per floor,
as police address systems number them; the web form offers the underground floors."""

from __future__ import annotations

import pytest

from ybss.addresses.models import AddressLevel, StandardAddress
from ybss.addresses.services import building_generate
from ybss.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_units_floors_underground_and_rooms(county):
    door = county.a.door
    rooms = building_generate(
        actor=county.a.users["officer"], door_id=door.pk, units=2, floors=3, rooms_per_floor=2, underground=2
    )
    assert len(rooms) == 2 * (3 + 2) * 2
    got = {(r.unit_no, r.floor, r.room_no) for r in rooms}
    assert {("1", -2, "B201"), ("1", -1, "B102"), ("2", 1, "101"), ("2", 3, "302")} <= got
    assert {r.floor for r in rooms} == {-2, -1, 1, 2, 3}  # B2, B1, 1F … 3F; no floor 0
    assert all(r.level == AddressLevel.ROOM and r.parent_id == door.pk for r in rooms)
    assert all(r.division_id == door.division_id and r.police_unit_id == door.police_unit_id for r in rooms)
    b1 = next(r for r in rooms if r.room_no == "B101" and r.unit_no == "1")
    assert b1.full_name.startswith(door.full_name) and "1单元" in b1.full_name


def test_generating_again_adds_only_the_missing_rooms(county):
    officer = county.a.users["officer"]
    door = county.a.door
    building_generate(actor=officer, door_id=door.pk, units=1, floors=2, rooms_per_floor=2)
    more = building_generate(
        actor=officer, door_id=door.pk, units=1, floors=2, rooms_per_floor=2, underground=1
    )
    assert sorted(r.room_no for r in more) == ["B101", "B102"]


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"underground": 11}, "underground"),
        ({"underground": -1}, "underground"),
        ({"floors": 0}, "floors"),
        ({"units": 21}, "units"),
        ({"rooms_per_floor": 30, "floors": 100, "units": 20}, "rooms_per_floor"),
    ],
)
def test_out_of_range_is_a_field_error(county, kwargs, field):
    args = {"units": 1, "floors": 1, "rooms_per_floor": 1, "underground": 0, **kwargs}
    before = StandardAddress.objects.count()
    with pytest.raises(InvalidInput) as err:
        building_generate(actor=county.a.users["officer"], door_id=county.a.door.pk, **args)
    assert field in err.value.fields
    assert StandardAddress.objects.count() == before


def test_the_web_form_offers_underground_floors(county, client_for):
    client = client_for(county.a.users["officer"])
    url = f"/addresses/{county.a.door.pk}/rooms/generate/"
    html = client.get(url).content.decode()
    assert 'name="underground"' in html and "地下" in html
    r = client.post(url, {"units": 1, "floors": 2, "rooms_per_floor": 1, "underground": 2})
    assert r.status_code == 302
    floors = sorted(
        StandardAddress.objects.filter(parent=county.a.door, unit_no="1")
        .exclude(pk=county.a.room.pk)
        .values_list("floor", flat=True)
    )
    assert floors == [-2, -1, 1, 2]
