"""Importing houses: one per address, keyed on the address then 来源编号; the registry's house rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import AddressFactory
from tests.transfer.test_import_support import dump, write_xlsx
from ybss.addresses.models import AddressLevel
from ybss.audit.models import RecordHistory
from ybss.registry.models import House
from ybss.transfer.columns import TEMPLATES
from ybss.transfer.importing import ImportOptions, run_import

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in TEMPLATES["houses"].columns]


def room(county, n: int):
    s = county.a
    return AddressFactory(
        level=AddressLevel.ROOM,
        parent=s.door,
        unit_no="1",
        floor=n // 100,
        room_no=str(n),
        full_name=f"合阳县城关街道a测试路1号1单元{n}室",
        division=s.village,
        police_unit=s.district,
    )


def house_row(address: str, **cells: str) -> dict:
    row = {
        "房屋地址": address,
        "房屋类型": "单元楼",
        "房屋结构": "砖混",
        "层数": "6",
        "间数": "3",
        "建筑面积": "89.5",
        "房屋用途": "自住",
        "产权性质": "私产",
        "房主姓名": "王建国",
        "房主证件号码": "",
        "房主电话": "13800000000",
        "管理等级": "C",
        "来源编号": "",
    }
    row.update(cells)
    return row


def imp(county, path, user="officer", **options):
    return run_import(actor=county.a.users[user], kind="houses", path=path, options=ImportOptions(**options))


def errors(report):
    return {(i.row, i.column, i.code) for i in report.errors}


def test_a_house_is_created_at_a_room_without_one(county, tmp_path):
    r502 = room(county, 502)
    report = imp(
        county, write_xlsx(tmp_path / "h.xlsx", [house_row(r502.full_name, 来源编号="H-1")], HEADERS)
    )
    assert report.state == "written", report.issues
    h = House.objects.get(address=r502)
    assert (h.house_type, h.structure, h.floors, h.area, h.use, h.management_level, h.source_ref) == (
        "apartment",
        "brick_concrete",
        6,
        Decimal("89.50"),
        "self",
        "C",
        "H-1",
    )
    assert (h.division_id, h.police_unit_id, h.status) == (
        county.a.village.code,
        county.a.district.code,
        "draft",
    )
    history = RecordHistory.objects.get(record_type="registry.house", record_id=h.pk)
    assert history.action == "import" and history.changes["address"] == [None, r502.pk]


def test_the_house_at_an_address_is_updated_and_reimport_changes_nothing(county, tmp_path):
    wang = county.a.person  # the owner, already recorded: becomes the landlord
    row = house_row(
        county.a.room.code, 房屋用途="出租", 出租方式="整租", 房主证件号码=wang.id_number, 月租金="800"
    )
    path = write_xlsx(tmp_path / "h.xlsx", [row], HEADERS)
    report = imp(county, path)
    assert report.counts["registry.house"] == {"created": 0, "updated": 1, "unchanged": 0}, report.issues
    h = county.a.house
    h.refresh_from_db()
    assert (h.use, h.rental_mode, h.landlord_id, h.rent, h.version) == (
        "rented",
        "whole",
        wang.pk,
        Decimal("800.00"),
        2,
    )
    after = dump()
    again = imp(county, path)
    assert again.counts["registry.house"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert dump() == after


def test_a_rented_house_needs_a_landlord_and_a_rental_mode(county, tmp_path):
    r502 = room(county, 502)
    before = dump()
    report = imp(county, write_xlsx(tmp_path / "h.xlsx", [house_row(r502.code, 房屋用途="出租")], HEADERS))
    assert report.state == "rejected"
    assert {c for _r, _col, c in errors(report)} == {"house.rental_without_landlord", "house.rental_mode"}
    assert dump() == before


def test_a_door_plate_with_rooms_takes_no_house(county, tmp_path):
    report = imp(county, write_xlsx(tmp_path / "h.xlsx", [house_row(county.a.door.full_name)], HEADERS))
    assert errors(report) == {(2, "房屋地址", "address.has_rooms")}


def test_the_same_address_twice_flags_both_rows(county, tmp_path):
    r502 = room(county, 502)
    rows = [house_row(r502.code), house_row(r502.full_name)]
    report = imp(county, write_xlsx(tmp_path / "h.xlsx", rows, HEADERS))
    assert errors(report) == {(2, "房屋地址", "file.duplicate"), (3, "房屋地址", "file.duplicate")}


def test_bad_cells_are_flagged(county, tmp_path):
    r502 = room(county, 502)
    row = house_row(
        r502.code,
        房屋类型="城堡",
        层数="六",
        建筑面积="0",
        房主证件号码="610524198001010000",
        治安责任保证书="也许",
    )
    report = imp(county, write_xlsx(tmp_path / "h.xlsx", [row], HEADERS))
    assert errors(report) == {
        (2, "房屋类型", "code.unknown"),
        (2, "层数", "number.format"),
        (2, "建筑面积", "number.range"),
        (2, "房主证件号码", "id.checksum"),
        (2, "治安责任保证书", "bool.format"),
    }


def test_a_house_found_by_source_ref_moves_to_the_corrected_address(county, tmp_path):
    r502, r503 = room(county, 502), room(county, 503)
    imp(county, write_xlsx(tmp_path / "a.xlsx", [house_row(r502.code, 来源编号="H-9")], HEADERS))
    report = imp(county, write_xlsx(tmp_path / "b.xlsx", [house_row(r503.code, 来源编号="H-9")], HEADERS))
    assert report.counts["registry.house"]["updated"] == 1, report.issues
    assert House.objects.get(source_ref="H-9").address_id == r503.pk


def test_an_address_of_another_station_is_unmatched(county, tmp_path):
    report = imp(county, write_xlsx(tmp_path / "h.xlsx", [house_row(county.b.room.code)], HEADERS))
    assert errors(report) == {(2, "房屋地址", "address.unmatched")}
