"""The dashboard map: door plates by progress (none → marked → houses verified → collected), in
one query, narrowed to a node, counted per grid cell when zoomed out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ybss.addresses.models import StandardAddress
from ybss.mapping import selectors
from ybss.mapping.selectors import BBox
from ybss.registry.models import House, Residence

pytestmark = pytest.mark.django_db

BOX = BBox(110.0, 35.0, 110.4, 35.4)


@pytest.fixture
def placed(county):
    for station, lng in ((county.a, "110.15"), (county.b, "110.16")):
        StandardAddress.objects.filter(pk=station.door.pk).update(lng=Decimal(lng), lat=Decimal("35.24"))
    return county


def _step(county, station, actor=None) -> int:
    pts = selectors.door_points(actor=actor or county.users["supervisor"], box=BOX, progress=True)
    return {i[0]: i[4] for i in pts.items}[station.door.pk]


def _confirm(station) -> None:
    StandardAddress.objects.filter(pk=station.door.pk).update(mark_state="confirmed")


def _verify(station) -> None:
    House.objects.filter(pk=station.house.pk).update(verify_state="verified")


def test_a_door_plate_whose_point_is_not_confirmed_has_done_nothing(placed):
    _verify(placed.a)  # out of order: the ladder needs the point first
    StandardAddress.objects.filter(pk=placed.a.door.pk).update(mark_state="marked")
    assert _step(placed, placed.a) == selectors.PROGRESS_NONE


def test_a_confirmed_point_with_houses_still_to_verify_is_marked(placed):
    _confirm(placed.a)
    assert _step(placed, placed.a) == selectors.PROGRESS_MARKED


def test_a_confirmed_point_without_any_house_is_marked(placed):
    _confirm(placed.a)
    House.objects.filter(pk=placed.a.house.pk).update(status="voided")
    assert _step(placed, placed.a) == selectors.PROGRESS_MARKED


def test_houses_verified_without_residents_is_verified(placed):
    _confirm(placed.a)
    _verify(placed.a)
    Residence.objects.filter(house=placed.a.house).update(active=False)
    assert _step(placed, placed.a) == selectors.PROGRESS_VERIFIED


def test_verified_houses_with_an_accepted_resident_are_collected(placed):
    _confirm(placed.a)
    _verify(placed.a)
    assert _step(placed, placed.a) == selectors.PROGRESS_COLLECTED


def test_a_house_directly_at_the_door_plate_counts_too(placed):
    from tests.factories import HouseFactory

    _confirm(placed.a)
    _verify(placed.a)
    a = placed.a
    HouseFactory(address=a.door, division=a.village, police_unit=a.district, verify_state="pending")
    assert _step(placed, a) == selectors.PROGRESS_MARKED


def test_the_points_with_progress_take_one_query(placed, django_assert_num_queries):
    sup = placed.users["supervisor"]
    sup.police_unit  # noqa: B018 - the user's unit is loaded with the session in a request
    with django_assert_num_queries(1):
        pts = selectors.door_points(actor=sup, box=BOX, progress=True)
    assert len(pts.items) == 2 and all(len(i) == 5 for i in pts.items)


def test_without_progress_the_points_keep_their_four_items(placed):
    pts = selectors.door_points(actor=placed.users["supervisor"], box=BOX)
    assert all(len(i) == 4 for i in pts.items)


def test_the_points_are_narrowed_to_a_node(placed):
    sup = placed.users["supervisor"]
    by_unit = selectors.door_points(actor=sup, box=BOX, police_unit=placed.a.district.prefix, progress=True)
    by_village = selectors.door_points(actor=sup, box=BOX, division=placed.b.village.prefix, progress=True)
    assert [i[0] for i in by_unit.items] == [placed.a.door.pk]
    assert [i[0] for i in by_village.items] == [placed.b.door.pk]


def test_the_grid_counts_each_progress_step(placed):
    _confirm(placed.a)
    _verify(placed.a)
    cells = selectors.door_grid(actor=placed.users["supervisor"], box=BOX, cell=1.0, progress=True)
    assert len(cells) == 1
    lng, lat, total, none, marked, verified, collected = cells[0]
    assert (total, none, marked, verified, collected) == (2, 1, 0, 0, 1)
    assert abs(lng - 110.155) < 1e-6 and abs(lat - 35.24) < 1e-6


def test_the_map_api_takes_the_node_and_progress(placed, client_for):
    _confirm(placed.a)
    client = client_for(placed.users["supervisor"])
    box = {"bbox": "110.0,35.0,110.4,35.4", "progress": "true", "police_unit": placed.a.district.prefix}
    items = client.get("/api/map/doors", box).json()["items"]
    assert items == [[placed.a.door.pk, 110.15, 35.24, 2, selectors.PROGRESS_MARKED]]
    cells = client.get("/api/map/grid", {**box, "cell": "0.5"}).json()["cells"]
    assert [c[2:] for c in cells] == [[1, 0, 1, 0, 0]]


def test_the_map_api_refuses_a_bad_node_prefix(placed, client_for):
    resp = client_for(placed.users["supervisor"]).get(
        "/api/map/doors", {"bbox": "110.0,35.0,110.4,35.4", "police_unit": "61x"}
    )
    assert resp.status_code == 400 and "police_unit" in resp.json()["fields"]


def test_a_station_user_never_sees_the_other_stations_points(placed, client_for):
    client = client_for(placed.a.users["officer"])
    box = {"bbox": "110.0,35.0,110.4,35.4", "progress": "true", "police_unit": placed.b.district.prefix}
    assert client.get("/api/map/doors", box).json()["items"] == []
    assert client.get("/api/map/grid", {**box, "cell": "0.5"}).json()["cells"] == []
