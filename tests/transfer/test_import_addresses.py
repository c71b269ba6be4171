"""Importing standard addresses: door plates and rooms, codes as the address services make them,
gazetteer names, scope, re-import; then houses and persons on the imported addresses (先房后人)."""

from __future__ import annotations

import pytest

from tests.transfer.test_import_support import dump, person_row, write_xlsx
from ybss.addresses.models import AddressElement, StandardAddress
from ybss.addresses.services import door_code, room_code
from ybss.audit.models import RecordHistory
from ybss.registry.models import House, Person
from ybss.transfer.columns import TEMPLATES
from ybss.transfer.importing import ImportOptions, run_import

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in TEMPLATES["addresses"].columns]
VILLAGE_A, DISTRICT_A, DISTRICT_B = "610524001003", "610524501001", "610524503001"


def address_row(door: str = "18", **cells: str) -> dict:
    row = {
        "地址编码": "",
        "社区/村代码": VILLAGE_A,
        "警务区代码": DISTRICT_A,
        "街路巷/组": "a测试路",
        "门牌号": door,
        "附号": "",
        "小区/院": "",
        "楼栋": "",
        "单元": "",
        "楼层": "",
        "户室": "",
        "门牌俗称": "",
        "经度": "",
        "纬度": "",
        "坐标系": "",
        "来源编号": "",
    }
    row.update(cells)
    return row


def imp(county, path, kind="addresses", user="officer", **options):
    return run_import(actor=county.a.users[user], kind=kind, path=path, options=ImportOptions(**options))


def errors(report):
    return {(i.row, i.column, i.code) for i in report.errors}


def test_a_door_plate_gets_the_services_code_and_full_name(county, tmp_path):
    row = address_row(
        "18", 楼栋="3", 门牌俗称="老粮站", 经度="110.1490", 纬度="35.2380", 坐标系="GCJ-02（国测局）"
    )
    report = imp(county, write_xlsx(tmp_path / "a.xlsx", [row], HEADERS))
    assert report.state == "written", report.issues
    a = StandardAddress.objects.get(door_number="18")
    road = county.a.road
    assert a.code == door_code(division_code=VILLAGE_A, road=road, door_number="18", building="3")
    assert a.full_name == "陕西省渭南市合阳县城关街道a测试路18号3号楼"
    assert (a.level, a.road_id, a.common_name, a.coord_source, a.mark_state, a.status) == (
        "door",
        road.pk,
        "老粮站",
        "GCJ02",
        "marked",
        "draft",
    )
    assert abs(float(a.lng) - 110.149) > 0.001  # converted from GCJ-02 to WGS-84
    assert (a.division_id, a.police_unit_id) == (VILLAGE_A, DISTRICT_A)
    assert RecordHistory.objects.filter(
        record_type="addresses.standardaddress", record_id=a.pk, action="import"
    ).exists()


@pytest.mark.parametrize("batch", [5000, 1])
def test_rooms_create_their_door_plate_and_reimport_changes_nothing(county, tmp_path, monkeypatch, batch):
    from ybss.transfer.importing import run

    monkeypatch.setattr(run, "WRITE_BATCH", batch)  # 1: the door's own row comes in a later batch
    monkeypatch.setattr(run, "CHUNK", batch)
    rows = [
        address_row("20", 单元="2", 楼层="5", 户室="501", 来源编号="R-1"),
        address_row("20", 单元="2", 楼层="5", 户室="502", 来源编号="R-2"),
        address_row("20", 门牌俗称="二十号院"),  # the door plate's own row, after its rooms
    ]
    path = write_xlsx(tmp_path / "a.xlsx", rows, HEADERS)
    report = imp(county, path)
    assert report.state == "written", report.issues
    door = StandardAddress.objects.get(door_number="20", level="door")
    assert door.common_name == "二十号院"
    rooms = StandardAddress.objects.filter(parent=door).order_by("room_no")
    assert [r.code for r in rooms] == [room_code(door, "2", "501"), room_code(door, "2", "502")]
    assert rooms[0].full_name == "陕西省渭南市合阳县城关街道a测试路20号2单元501室"
    assert [r.source_ref for r in rooms] == ["R-1", "R-2"]
    after = dump()
    again = imp(county, path)
    assert (again.total("created"), again.total("updated")) == (0, 0), again.issues
    assert dump() == after


def test_a_new_street_or_group_is_added_to_the_gazetteer(county, tmp_path):
    report = imp(county, write_xlsx(tmp_path / "a.xlsx", [address_row("5", **{"街路巷/组": "3组"})], HEADERS))
    assert report.state == "written"
    assert {i.code for i in report.warnings} == {"address.element_added"}
    group = AddressElement.objects.get(name="3组")
    assert (group.kind, group.division_id) == ("34", VILLAGE_A)
    a = StandardAddress.objects.get(road=group)
    assert a.code == door_code(division_code=VILLAGE_A, road=group, door_number="5")
    assert a.full_name == "陕西省渭南市合阳县城关街道金水社区3组5号"  # a group keeps its village


def test_bad_rows_are_flagged_and_nothing_is_written(county, tmp_path):
    rows = [
        address_row("十八"),
        address_row("19", 单元="1"),  # a room without its room number
        address_row("21", 警务区代码=DISTRICT_B),  # station b's district: out of scope
        address_row("22", **{"社区/村代码": "610524999999"}),
        address_row("23", 经度="110.1"),
    ]
    before = dump()
    report = imp(county, write_xlsx(tmp_path / "a.xlsx", rows, HEADERS))
    assert errors(report) == {
        (2, "门牌号", "address.door_number"),
        (3, "户室", "address.room_no"),
        (4, "警务区代码", "address.out_of_scope"),
        (5, "社区/村代码", "address.division"),
        (6, "纬度", "address.coords"),
    }
    assert dump() == before and not AddressElement.objects.filter(name="3组").exists()


def test_the_same_address_twice_flags_both_rows(county, tmp_path):
    rows = [address_row("18"), address_row("018号")]
    report = imp(county, write_xlsx(tmp_path / "a.xlsx", rows, HEADERS))
    assert {(r, c) for r, _col, c in errors(report)} == {(2, "file.duplicate"), (3, "file.duplicate")}


def test_reimport_updates_coordinates_and_common_name_by_code(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "a.xlsx", [address_row("18")], HEADERS))
    a = StandardAddress.objects.get(door_number="18")
    row = address_row("18", 地址编码=a.code, 门牌俗称="供销社", 经度="110.15", 纬度="35.24", 坐标系="WGS84")
    report = imp(county, write_xlsx(tmp_path / "b.xlsx", [row], HEADERS))
    assert report.counts["addresses.standardaddress"]["updated"] == 1, report.issues
    a.refresh_from_db()
    assert (a.common_name, str(a.lng), str(a.lat), a.mark_state, a.version) == (
        "供销社",
        "110.1500000",
        "35.2400000",
        "marked",
        2,
    )


def test_addresses_then_houses_then_persons(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "a.xlsx", [address_row("30", 单元="1", 楼层="3", 户室="301")], HEADERS))
    room = StandardAddress.objects.get(level="room", room_no="301")
    house_headers = [c.header for c in TEMPLATES["houses"].columns]
    house = {"房屋地址": room.full_name, "房屋类型": "单元楼", "房屋用途": "自住"}
    assert imp(county, write_xlsx(tmp_path / "h.xlsx", [house], house_headers), kind="houses").written
    report = imp(
        county, write_xlsx(tmp_path / "p.xlsx", [person_row(1, address=room.full_name)]), kind="persons"
    )
    assert report.state == "written", report.issues
    assert Person.objects.get(source_ref="SRC-00001").residences.get().house == House.objects.get(
        address=room
    )
