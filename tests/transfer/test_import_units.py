"""Importing units: keyed on the credit code then 来源编号; the registry's unit rules."""

from __future__ import annotations

import pytest

from tests.factories import make_id
from tests.transfer.test_import_support import dump, write_csv, write_xlsx
from ybss.core.identifiers import credit_check_char
from ybss.registry.models import Unit
from ybss.transfer.columns import TEMPLATES
from ybss.transfer.importing import ImportOptions, run_import

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in TEMPLATES["units"].columns]


def credit(n: int) -> str:
    body = f"91610524MA{n:07d}"
    return body + credit_check_char(body)


def unit_row(county, n: int, **cells: str) -> dict:
    row = {
        "单位名称": f"合阳县测试商贸有限公司{n}",
        "统一社会信用代码": credit(n),
        "单位类别": "企业",
        "行业类别": "批发和零售业",
        "特种行业": "",
        "危险物品标志": "",
        "法定代表人": "张伟",
        "法定代表人证件号码": make_id(birth="19800101", seq=11),
        "联系电话": "0913-5512345",
        "单位地址": county.a.door.full_name,
        "来源编号": f"U-{n}",
    }
    row.update(cells)
    return row


def imp(county, path, user="officer"):
    return run_import(actor=county.a.users[user], kind="units", path=path, options=ImportOptions())


def errors(report):
    return {(i.row, i.column, i.code) for i in report.errors}


def test_units_are_created_with_codes_and_hazards(county, tmp_path):
    rows = [unit_row(county, 1, 特种行业="旅馆业", 危险物品标志="危化品、易制爆"), unit_row(county, 2)]
    report = imp(county, write_xlsx(tmp_path / "u.xlsx", rows, HEADERS))
    assert report.state == "written", report.issues
    u = Unit.objects.get(credit_code=credit(1))
    assert (u.category, u.industry, u.special_trade, u.hazards, u.phone, u.address_id) == (
        "enterprise",
        "F",
        "hotel",
        ["explosive_precursor", "hazardous_chemical"],
        "0913-5512345",
        county.a.door.pk,
    )
    assert (u.division_id, u.police_unit_id, u.biz_status, u.source_ref) == (
        county.a.village.code,
        county.a.district.code,
        "open",
        "U-1",
    )


def test_reimport_updates_by_credit_code_and_is_idempotent(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "a.xlsx", [unit_row(county, 1, 危险物品标志="剧毒")], HEADERS))
    path = write_csv(
        tmp_path / "b.csv", [unit_row(county, 1, 单位名称="改名后的公司", 危险物品标志="剧毒")], HEADERS
    )
    report = imp(county, path)
    assert report.counts["registry.unit"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert Unit.objects.get(credit_code=credit(1)).name == "改名后的公司"
    after = dump()
    assert imp(county, path).counts["registry.unit"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert dump() == after


def test_a_unit_without_credit_code_is_matched_on_source_ref(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "a.xlsx", [unit_row(county, 1, 统一社会信用代码="")], HEADERS))
    report = imp(
        county,
        write_xlsx(
            tmp_path / "b.xlsx", [unit_row(county, 1, 统一社会信用代码="", 联系电话="13900001111")], HEADERS
        ),
    )
    assert report.counts["registry.unit"]["updated"] == 1
    assert Unit.objects.filter(source_ref="U-1").count() == 1


def test_unit_rules_are_checked(county, tmp_path):
    rows = [
        unit_row(county, 1, 统一社会信用代码="12345"),
        unit_row(county, 2, 单位类别="公司"),
        unit_row(county, 3, 法定代表人证件号码=make_id(birth="20150101", seq=11)),
        unit_row(county, 4, 危险物品标志="危化品、炸药"),
        unit_row(county, 5, 统一社会信用代码=credit(6)),
        unit_row(county, 6),
    ]
    before = dump()
    report = imp(county, write_xlsx(tmp_path / "u.xlsx", rows, HEADERS))
    assert errors(report) == {
        (2, "统一社会信用代码", "credit.format"),
        (3, "单位类别", "code.unknown"),
        (4, "法定代表人证件号码", "age.too_young_for_role"),
        (5, "危险物品标志", "code.unknown"),
        (6, "统一社会信用代码", "file.duplicate"),
        (7, "统一社会信用代码", "file.duplicate"),
    }
    assert dump() == before


def test_a_failed_credit_check_character_is_only_a_warning(county, tmp_path):
    code = credit(1)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    report = imp(
        county, write_xlsx(tmp_path / "u.xlsx", [unit_row(county, 1, 统一社会信用代码=wrong)], HEADERS)
    )
    assert report.state == "written"
    assert {i.code for i in report.warnings} == {"credit.checksum"}


def test_the_address_must_be_in_force(county, tmp_path):
    county.a.door.status = "draft"
    county.a.door.save()
    report = imp(county, write_xlsx(tmp_path / "u.xlsx", [unit_row(county, 1)], HEADERS))
    assert errors(report) == {(2, "单位地址", "unit.address_inactive")}


def test_a_credit_code_held_by_another_jurisdiction_is_not_duplicated(county, tmp_path):
    county.b.unit.credit_code = credit(7)
    county.b.unit.save()
    report = imp(county, write_xlsx(tmp_path / "u.xlsx", [unit_row(county, 7)], HEADERS))
    assert errors(report) == {(2, "统一社会信用代码", "unit.other_jurisdiction")}
