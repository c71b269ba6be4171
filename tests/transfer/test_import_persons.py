"""Importing persons with their residence: row-level findings, all-or-nothing, re-import, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import make_id
from tests.transfer.test_import_support import (
    PERSON_HEADERS,
    counts,
    dump,
    person_row,
    write_csv,
    write_xlsx,
)
from ybss.audit.models import RecordHistory
from ybss.org.models import Notice
from ybss.registry.models import Person, Residence
from ybss.transfer.importing import ImportOptions, report_to_xlsx, run_import
from ybss.transfer.models import AddressCleaningItem, ImportRun

pytestmark = pytest.mark.django_db


def imp(county, path, user="officer", station="a", **options):
    actor = county.users[user] if user in county.users else getattr(county, station).users[user]
    return run_import(actor=actor, kind="persons", path=path, options=ImportOptions(**options))


def codes_at(report, column=None):
    return {(i.row, i.code) for i in report.errors if column is None or i.column == column}


def rejected_with(county, tmp_path, rows, *, fmt="xlsx"):
    before = dump()
    path = (write_xlsx if fmt == "xlsx" else write_csv)(tmp_path / f"in.{fmt}", rows)
    report = imp(county, path)
    assert report.state == "rejected"
    assert dump() == before  # nothing from a rejected file reaches the database
    return report


def test_a_valid_file_creates_persons_and_residences(county, tmp_path):
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1), person_row(2)]))
    assert report.state == "written", report.issues
    assert report.counts["registry.person"]["created"] == 2
    assert report.counts["registry.residence"]["created"] == 2
    p = Person.objects.get(source_ref="SRC-00001")
    assert (p.sex, p.ethnicity, p.birth_date, p.hukou_division_code) == (
        "1",
        "01",
        dt.date(1985, 6, 15),
        "410105000000",
    )
    assert (p.division_id, p.police_unit_id) == (county.a.village.code, county.a.district.code)
    assert p.created_by == county.a.users["collector"]  # the 采集人 column names a user in scope
    r = Residence.objects.get(person=p)
    assert (r.house_id, r.residence_type, r.reason, r.active, r.source_ref) == (
        county.a.house.pk,
        "floating",
        "work",
        True,
        "SRC-00001",
    )
    assert r.separated  # hukou in Zhengzhou, living in Heyang
    assert ImportRun.objects.get(pk=report.import_run_id).state == "written"


def test_history_rows_carry_the_import_reason(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "名单.xlsx", [person_row(1)]))
    p = Person.objects.get(source_ref="SRC-00001")
    h = RecordHistory.objects.get(record_type="registry.person", record_id=p.pk)
    assert (h.action, h.version, h.actor) == ("import", 1, county.a.users["officer"])
    assert h.reason.startswith("导入 名单.xlsx 第2行")
    assert "collector_a" in h.reason and "2026-09-12 19:30" in h.reason
    assert h.changes["id_number"] == [None, p.id_number]
    r = p.residences.get()
    assert RecordHistory.objects.filter(
        record_type="registry.residence", record_id=r.pk, action="import"
    ).exists()


def test_a_bad_check_digit_is_flagged_and_nothing_is_written(county, tmp_path):
    good = make_id(region="410105", birth="19850615", seq=7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    report = rejected_with(county, tmp_path, [person_row(1), person_row(2, 证件号码=bad)])
    assert codes_at(report, "证件号码") == {(3, "id.checksum")}


def test_an_impossible_birth_date_is_flagged(county, tmp_path):
    body = "41010519990230003"
    from ybss.core.identifiers import id_check_char

    report = rejected_with(
        county,
        tmp_path,
        [person_row(1, 证件号码=body + id_check_char(body), 出生日期=""), person_row(2, 出生日期="19990230")],
    )
    assert (2, "id.birth_date") in codes_at(report, "证件号码")
    assert (3, "date.invalid") in codes_at(report, "出生日期")


def test_a_sex_contradicting_the_id_is_flagged(county, tmp_path):
    report = rejected_with(county, tmp_path, [person_row(1, 性别="女")])
    assert codes_at(report) == {(2, "id.sex_mismatch")}
    assert report.errors[0].column == "性别"


def test_the_same_person_twice_in_a_file_flags_both_rows(county, tmp_path):
    rows = [person_row(1), person_row(2), person_row(3, 证件号码=person_row(1)["证件号码"])]
    report = rejected_with(county, tmp_path, rows)
    assert codes_at(report, "证件号码") == {(2, "file.duplicate"), (4, "file.duplicate")}


def test_an_unknown_code_is_flagged(county, tmp_path):
    report = rejected_with(county, tmp_path, [person_row(1, 民族="火星族"), person_row(2, 居住事由="旅游")])
    assert codes_at(report) == {(2, "code.unknown"), (3, "code.unknown")}
    assert {i.column for i in report.errors} == {"民族", "居住事由"}


def test_a_missing_required_column_is_a_file_error(county, tmp_path):
    headers = [h for h in PERSON_HEADERS if h not in ("姓名", "居住地址")]
    before = counts()
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1)], headers))
    assert report.state == "rejected" and report.rows == 0
    (error,) = report.file_errors
    assert error.code == "file.missing_columns" and error.row is None
    assert "姓名" in error.column and "居住地址" in error.column
    assert counts() == before and not ImportRun.objects.exists()


def test_a_gbk_csv_imports(county, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [person_row(1), person_row(2, 姓名="欧阳娜娜")], encoding="gbk")
    assert path.read_bytes().decode("gbk")  # really GBK, not UTF-8
    report = imp(county, path)
    assert report.state == "written", report.issues
    assert Person.objects.filter(name="欧阳娜娜", source_ref="SRC-00002").exists()


def test_a_truncated_xlsx_is_a_clear_file_error(county, tmp_path):
    full = write_xlsx(tmp_path / "full.xlsx", [person_row(n) for n in range(200)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(full.read_bytes()[: len(full.read_bytes()) // 2])
    before = counts()
    report = imp(county, cut)
    assert [i.code for i in report.file_errors] == ["file.corrupt"]
    assert "损坏" in report.file_errors[0].message  # in Chinese, and says what is wrong
    assert counts() == before


def test_importing_the_same_file_twice_gives_the_same_database(county, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [person_row(n) for n in range(30)])
    first = imp(county, path)
    assert first.state == "written" and first.total("created") == 60
    after_first = dump()
    second = imp(county, path)
    assert second.state == "written"
    assert (second.total("created"), second.total("updated"), second.total("unchanged")) == (0, 0, 60)
    assert dump() == after_first


def test_a_reimport_updates_changed_fields_with_history(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "a.xlsx", [person_row(1)]))
    p = Person.objects.get(source_ref="SRC-00001")
    report = imp(
        county, write_xlsx(tmp_path / "b.xlsx", [person_row(1, 联系电话="13912340000", 居住事由="经商")])
    )
    assert report.counts["registry.person"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert report.counts["registry.residence"] == {"created": 0, "updated": 1, "unchanged": 0}
    p.refresh_from_db()
    assert (p.phone, p.version, Person.objects.count()) == ("13912340000", 2, 3)
    h = RecordHistory.objects.filter(record_type="registry.person", record_id=p.pk).latest("id")
    assert h.changes == {"phone": ["13800000001", "13912340000"]} and h.version == 2
    assert h.reason.startswith("导入 b.xlsx 第2行")


def test_blank_cells_do_not_erase_stored_values(county, tmp_path):
    imp(county, write_xlsx(tmp_path / "a.xlsx", [person_row(1)]))
    report = imp(county, write_xlsx(tmp_path / "b.xlsx", [person_row(1, 联系电话="", 民族="", 户籍地址="")]))
    assert report.total("updated") == 0
    assert Person.objects.get(source_ref="SRC-00001").phone == "13800000001"


@pytest.mark.parametrize(
    "header",
    ["身份证号", "公民身份号码", "證件號碼", "证件\u3000号码", "  证件号码 ", "*证件号码", "身份証號碼"],
)
def test_header_variants_are_matched(county, tmp_path, header):
    headers = [header if h == "证件号码" else h for h in PERSON_HEADERS]
    path = write_xlsx(tmp_path / "p.xlsx", [person_row(1)], headers, keys=PERSON_HEADERS)
    report = imp(county, path)
    assert report.state == "written", report.issues
    assert not report.warnings or all(i.code != "file.column_ignored" for i in report.warnings)


def test_traditional_and_full_width_headers_everywhere(county, tmp_path):
    headers = [
        h.replace("证件", "證件").replace("号码", "號碼").replace("户籍", "戶籍") for h in PERSON_HEADERS
    ]
    headers = ["\u3000" + h for h in headers]
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1)], headers, keys=PERSON_HEADERS))
    assert report.state == "written", report.issues


def test_the_template_notes_row_is_skipped(county, tmp_path):
    notes = ["说明：默认居民身份证"] + ["" for _ in PERSON_HEADERS[1:]]
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1)], notes=notes))
    assert report.state == "written" and report.rows == 1
    assert Person.objects.filter(source_ref="SRC-00001").exists()


def test_good_rows_mode_writes_good_rows_and_returns_a_fixable_file(county, tmp_path):
    rows = [person_row(1), person_row(2, 性别="女"), person_row(3), person_row(4, 民族="火星族")]
    fixable = tmp_path / "fix.xlsx"
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", rows), good_rows=True, fixable_path=fixable)
    assert report.state == "partial" and (report.rows_ok, report.rows_rejected) == (2, 2)
    assert set(Person.objects.filter(source_ref__startswith="SRC").values_list("source_ref", flat=True)) == {
        "SRC-00001",
        "SRC-00003",
    }
    assert report.fixable_path == fixable
    sheet = load_workbook(fixable).active
    table = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [*PERSON_HEADERS, "错误说明"]
    assert [r[PERSON_HEADERS.index("来源编号")] for r in table[1:]] == ["SRC-00002", "SRC-00004"]
    assert all(r[-1] for r in table[1:])
    # the user fixes the cells in place and imports the file again
    wb = load_workbook(fixable)
    ws = wb.active
    ws.cell(row=2, column=PERSON_HEADERS.index("性别") + 1, value="男")
    ws.cell(row=3, column=PERSON_HEADERS.index("民族") + 1, value="回族")
    wb.save(fixable)
    again = imp(county, fixable)
    assert again.state == "written", again.issues
    assert again.counts["registry.person"]["created"] == 2
    assert Person.objects.get(source_ref="SRC-00004").ethnicity == "03"


def test_an_out_of_scope_address_is_unmatched_and_queued(county, tmp_path):
    b_room = "陕西省渭南市合阳县甘井镇b测试路1号1单元501室"  # station b's: outside officer_a's district
    rows = [person_row(1), person_row(2, address=b_room), person_row(3, address="合阳县不存在路99号")]
    report = rejected_with(county, tmp_path, rows)
    assert codes_at(report, "居住地址") == {(3, "address.unmatched"), (4, "address.unmatched")}
    items = AddressCleaningItem.objects.order_by("row_number")
    assert [(i.raw_text, i.row_number, i.source_ref, i.state) for i in items] == [
        (b_room, 3, "SRC-00002", "pending"),
        ("合阳县不存在路99号", 4, "SRC-00003", "pending"),
    ]
    officer = county.a.users["officer"]
    assert {(i.police_unit_id, i.division_id) for i in items} == {(officer.police_unit_id, None)}
    assert items[0].source_import.state == "rejected"
    # the same address seen again is counted on the pending item, not queued twice
    imp(county, write_xlsx(tmp_path / "again.xlsx", [person_row(5, address=b_room)]))
    assert AddressCleaningItem.objects.count() == 2
    assert AddressCleaningItem.objects.get(raw_text=b_room).hits == 2


def test_the_same_address_resolves_for_a_user_whose_scope_covers_it(county, tmp_path):
    b_room = "陕西省渭南市合阳县甘井镇b测试路1号1单元501室"
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1, address=b_room)]), user="admin")
    assert report.state == "written", report.issues
    assert Person.objects.get(source_ref="SRC-00001").police_unit_id == county.b.district.code


def test_an_address_code_resolves(county, tmp_path):
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1, address=county.a.room.code)]))
    assert report.state == "written", report.issues


def test_an_address_without_a_house_is_rejected(county, tmp_path):
    report = rejected_with(county, tmp_path, [person_row(1, address=county.a.door.full_name)])
    assert codes_at(report, "居住地址") == {(2, "address.no_house")}


def test_residence_rules_apply(county, tmp_path):
    rows = [
        person_row(1, 户籍地区划代码="610524001003"),  # 流动 with a county hukou
        person_row(2, 人员类型="常住"),  # 常住 with an outside hukou
        person_row(3, 户籍地区划代码=""),  # 流动 without a hukou code
    ]
    report = rejected_with(county, tmp_path, rows)
    assert codes_at(report) == {
        (2, "residence.floating_needs_outside_hukou"),
        (3, "residence.permanent_needs_county_hukou"),
        (4, "residence.needs_hukou"),
    }


def test_a_second_permanent_residence_is_rejected(county, tmp_path):
    # 王a明 lives permanently at station a's house; a register puts him permanently at the door too
    wang = county.a.person
    from tests.factories import HouseFactory

    HouseFactory(address=county.a.door, division=county.a.village, police_unit=county.a.district)
    row = person_row(
        1,
        证件号码=wang.id_number,
        姓名=wang.name,
        出生日期="1980-01-01",
        人员类型="常住",
        户籍地区划代码="610524001003",
        address=county.a.door.full_name,
    )
    report = rejected_with(county, tmp_path, [row])
    assert codes_at(report) == {(2, "residence.second_permanent")}


def test_an_existing_person_held_elsewhere_gets_a_residence_and_their_unit_a_notice(county, tmp_path):
    wang_b = county.b.person  # recorded by station b
    row = person_row(1, 证件号码=wang_b.id_number, 姓名="改名字", 出生日期="1980-01-01", 人员类型="寄住")
    row["户籍地区划代码"] = "610524101201"
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [row]))
    assert report.state == "written", report.issues
    assert {i.code for i in report.warnings} >= {"person.not_updated"}
    wang_b.refresh_from_db()
    assert wang_b.name == "王b明"  # officer a may not change station b's record
    assert Residence.objects.filter(person=wang_b, house=county.a.house, residence_type="lodging").exists()
    assert Notice.objects.filter(police_unit=county.b.district, record_id=wang_b.pk).exists()


def test_a_dry_run_reports_and_writes_nothing(county, tmp_path):
    before = dump()
    rows = [person_row(1), person_row(2, address="合阳县不存在路99号")]
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", rows), dry_run=True)
    assert report.state == "dry_run" and codes_at(report) == {(3, "address.unmatched")}
    assert report.counts["registry.person"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert dump() == before and not AddressCleaningItem.objects.exists() and not ImportRun.objects.exists()


def test_the_report_downloads_as_xlsx(county, tmp_path):
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", [person_row(1, 性别="女"), person_row(2, 民族="x")]))
    out = report_to_xlsx(report, tmp_path / "report.xlsx")
    wb = load_workbook(out)
    issues = list(wb.worksheets[1].iter_rows(values_only=True))
    assert [(r[0], r[1], r[4]) for r in issues[1:]] == [
        (2, "性别", "id.sex_mismatch"),
        (3, "民族", "code.unknown"),
    ]


def test_the_command_exits_1_on_a_rejected_file(county, tmp_path):
    path = write_csv(tmp_path / "p.csv", [person_row(1, 性别="女")])
    with pytest.raises(CommandError) as exc:
        call_command(
            "import", "persons", str(path), "--user", "officer_a", "--report", str(tmp_path / "r.xlsx")
        )
    assert exc.value.returncode == 1
    assert (tmp_path / "r.xlsx").exists() and not Person.objects.filter(source_ref="SRC-00001").exists()


def test_the_command_imports_a_good_file(county, tmp_path, capsys):
    path = write_csv(tmp_path / "p.csv", [person_row(1)])
    call_command("import", "persons", str(path), "--user", "officer_a")
    assert "已全部写入" in capsys.readouterr().out
    assert Person.objects.filter(source_ref="SRC-00001").exists()


def test_a_user_who_may_not_edit_cannot_import(county, tmp_path):
    from ybss.core.errors import Forbidden

    with pytest.raises(Forbidden):
        run_import(actor=county.users["auditor"], kind="persons", path=write_csv(tmp_path / "p.csv", []))


def test_a_record_changed_during_the_import_rolls_everything_back(county, tmp_path):
    from django.db.models import F

    imp(county, write_xlsx(tmp_path / "a.xlsx", [person_row(1)]))
    p = Person.objects.get(source_ref="SRC-00001")
    before = dump()

    def someone_else_edits(stage):
        if stage == "write":  # between validation and writing
            Person.objects.filter(pk=p.pk).update(version=F("version") + 1)

    path = write_xlsx(tmp_path / "b.xlsx", [person_row(2), person_row(1, 联系电话="13912340000")])
    report = run_import(
        actor=county.a.users["officer"], kind="persons", path=path, on_stage=someone_else_edits
    )
    assert report.state == "rejected"
    assert [i.code for i in report.file_errors] == ["import.concurrent_change"]
    after = dump()
    after["registry_person"] = [r for r in after["registry_person"] if r[0] != p.pk]
    before["registry_person"] = [r for r in before["registry_person"] if r[0] != p.pk]
    assert after == before  # the new person of row 2 is not there either


def test_in_good_rows_mode_both_rows_of_a_duplicate_go_to_the_fixable_file(county, tmp_path):
    rows = [
        person_row(1),
        person_row(2, 性别="女"),
        person_row(3, 证件号码=person_row(1)["证件号码"]),
        person_row(4),
    ]
    fixable = tmp_path / "fix.xlsx"
    report = imp(county, write_xlsx(tmp_path / "p.xlsx", rows), good_rows=True, fixable_path=fixable)
    assert (report.state, report.rows_ok, report.rows_rejected) == ("partial", 1, 3)
    assert list(Person.objects.filter(source_ref__startswith="SRC").values_list("source_ref", flat=True)) == [
        "SRC-00004"
    ]
    table = list(load_workbook(fixable).active.iter_rows(values_only=True))
    assert [r[PERSON_HEADERS.index("来源编号")] for r in table[1:]] == ["SRC-00001", "SRC-00002", "SRC-00003"]


def test_every_import_run_is_audited_with_its_outcome(county, tmp_path):
    from ybss.audit.models import AuditEvent

    good = write_csv(tmp_path / "good.csv", [person_row(1)])
    bad = write_csv(tmp_path / "bad.csv", [person_row(2, 证件号码="410105198506150000")])
    imp(county, good, dry_run=True)
    imp(county, bad)
    imp(county, good)
    events = list(AuditEvent.objects.filter(action="import").order_by("id"))
    assert [(e.detail["dry_run"], e.detail["state"]) for e in events] == [
        (True, "dry_run"),
        (False, "rejected"),
        (False, "written"),
    ]
    assert all(e.actor == county.a.users["officer"] and e.result_count == 1 for e in events)
    assert events[2].object_type == "transfer.importrun" and events[2].detail["created"] == 2
