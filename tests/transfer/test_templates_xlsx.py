"""The Excel import templates: headers, notes row, example row, drop-downs, notes and code sheets."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ybss.core.models import Code
from ybss.transfer import columns, readers
from ybss.transfer.templates_xlsx import CODE_SHEET, NOTES_SHEET, write_template

pytestmark = pytest.mark.django_db


@pytest.fixture(params=columns.KINDS)
def kind(request) -> str:
    return request.param


@pytest.fixture
def template(kind, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    write_template(kind, path)
    return path


def _main(path):
    return load_workbook(path).worksheets[0]


def test_template_headers_are_the_template_columns_in_order(kind, template):
    header = [c.value for c in _main(template)[1]]
    assert [columns.match_header(kind, h) for h in header] == [c.key for c in columns.TEMPLATES[kind].columns]


def test_template_marks_required_columns(kind, template):
    ws = _main(template)
    for cell, col in zip(ws[1], columns.TEMPLATES[kind].columns, strict=True):
        assert cell.value.startswith("*") == col.required
        assert cell.font.b
        assert (cell.font.color is not None and cell.font.color.rgb == "00C00000") == col.required


def test_template_has_notes_row_and_example_row(kind, template):
    ws = _main(template)
    notes = [c.value for c in ws[2]]
    assert all(n.startswith("说明：") for n in notes)
    example = [c.value for c in ws[3]]
    assert example[0].startswith("示例：")
    assert ws.max_row == 3


def test_template_freezes_header_and_notes_and_sets_widths(template):
    ws = _main(template)
    assert ws.freeze_panes == "A3"
    assert all(ws.column_dimensions[letter].width >= 10 for letter in "ABC")


def test_template_rows_are_skipped_by_the_importer(kind, template):
    with readers.open_table(template, kind) as table:
        assert list(table.rows) == []
        assert None not in table.keys


def test_code_sheet_is_hidden_and_holds_active_labels(kind, template):
    wb = load_workbook(template)
    assert wb.sheetnames == [columns.TEMPLATES[kind].title, NOTES_SHEET, CODE_SHEET]
    assert wb[CODE_SHEET].sheet_state == "hidden"
    assert wb.worksheets[0].sheet_state == "visible"


def test_coded_columns_have_dropdowns_over_the_code_sheet(kind, template):
    wb = load_workbook(template)
    ws, codes_ws = wb.worksheets[0], wb[CODE_SHEET]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[rng.min_col] = (dv, rng)
    for i, col in enumerate(columns.TEMPLATES[kind].columns, 1):
        if col.codelist:
            dv, rng = by_column[i]
            assert dv.type == "list"
            assert (rng.min_row, rng.max_row) == (3, 1_048_576)
            assert dv.formula1.startswith(f"'{CODE_SHEET}'!")
            cells = codes_ws[dv.formula1.split("!")[1].replace("$", "")]
            labels = [row[0].value for row in cells]
            expected = list(
                Code.objects.filter(codelist_id=col.codelist, active=True)
                .order_by("sort", "code")
                .values_list("label_zh", flat=True)
            )
            assert labels == expected
        elif col.kind == "bool":
            assert by_column[i][0].formula1 == '"是,否"'
        else:
            assert i not in by_column


def test_long_code_list_is_not_inline(template, kind):
    # 民族 (58 labels) and 与户主关系 (84) exceed the 255 characters an inline list may hold.
    ws = _main(template)
    assert all(len(dv.formula1) < 255 for dv in ws.data_validations.dataValidation)


def test_notes_sheet_explains_every_column_and_code_list(kind, template):
    notes = load_workbook(template)[NOTES_SHEET]
    text = "\n".join(str(v) for row in notes.iter_rows(values_only=True) for v in row if v is not None)
    for col in columns.TEMPLATES[kind].columns:
        assert col.header in text
    for slug in {c.codelist for c in columns.TEMPLATES[kind].columns if c.codelist}:
        first = Code.objects.filter(codelist_id=slug, active=True).order_by("sort", "code").first()
        assert first.label_zh in text


def test_persons_template_has_the_issue_headers(tmp_path):
    path = tmp_path / "p.xlsx"
    write_template("persons", path)
    header = [c.value.lstrip("*") for c in _main(path)[1]]
    for h in (
        "证件类型", "证件号码", "姓名", "性别", "民族", "出生日期", "联系电话", "户籍地址", "户籍地区划代码",
        "居住地址", "人员类型", "与户主关系", "居住事由", "来本地日期", "采集人", "采集时间", "来源编号",
    ):  # fmt: skip
        assert h in header


def test_template_command_writes_the_file(tmp_path):
    path = tmp_path / "units.xlsx"
    call_command("template", "units", str(path), stdout=__import__("io").StringIO())
    assert _main(path)["A1"].value == "*单位名称"


def test_template_command_refuses_other_suffixes(tmp_path):
    with pytest.raises(CommandError):
        call_command("template", "units", str(tmp_path / "units.csv"))
