"""The import readers: formats, encodings, header rows, skipped rows, row numbers, broken files."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from tests.transfer.test_import_support import PERSON_HEADERS, person_row, write_csv, write_xlsx
from ybss.transfer.readers import FileError, cell_text, detect_encoding, open_table


def rows_of(path, kind="persons"):
    with open_table(path, kind) as t:
        return t, list(t.rows)


def test_utf8_with_and_without_bom_and_gb18030_are_detected(tmp_path):
    text = "姓名,证件号码\n王建国,1\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(("\ufeff" + text).encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("gbk")) == "gb18030"
    cut = ("啊" * 30).encode("utf-8")[:-1]  # a character split at the end of the sniffed chunk
    assert detect_encoding(cut) == "utf-8-sig"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_the_same_cells(tmp_path, encoding):
    rare = "䶮" if encoding in ("utf-8", "utf-8-sig", "gb18030") else "欧阳"  # 䶮: GB18030, not GBK
    path = write_csv(tmp_path / "p.csv", [person_row(1, 姓名=f"刘{rare}")], encoding=encoding)
    table, rows = rows_of(path)
    assert table.headers == PERSON_HEADERS and table.keys[1] == "id_number"
    assert [(n, cells[2]) for n, cells in rows] == [(2, f"刘{rare}")]


def test_a_tab_separated_file_reads(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("证件号码\t姓名\t居住地址\t人员类型\n110\t王五\t某路1号\t流动\n", encoding="utf-8")
    _table, rows = rows_of(path)
    assert rows == [(2, ["110", "王五", "某路1号", "流动"])]


def test_xlsx_row_numbers_are_the_ones_excel_shows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.cell(row=3, column=2, value="证件号码")
    ws.cell(row=3, column=3, value="姓名")
    ws.cell(row=3, column=4, value="居住地址")
    ws.cell(row=3, column=5, value="人员类型")
    ws.cell(row=4, column=2, value="说明：18位")  # the template's notes row
    ws.cell(row=5, column=2, value="示例：11010519491231002X")  # and its example row
    ws.cell(row=6, column=2, value="110")
    ws.cell(row=6, column=3, value=dt.date(2020, 1, 2))
    ws.cell(row=8, column=2, value=12.0)
    ws.cell(row=9, column=2, value="导出人：张三  导出时间：2026-11-27")  # an export's footer
    wb.save(tmp_path / "p.xlsx")
    table, rows = rows_of(tmp_path / "p.xlsx")
    assert table.header_row == 3
    assert [(n, c[:2]) for n, c in rows] == [(6, ["110", "2020-01-02"]), (8, ["12", ""])]


def test_a_notes_like_row_further_down_is_data(tmp_path):
    rows = [person_row(1), person_row(2, 证件类型="说明书")]
    _table, got = rows_of(write_xlsx(tmp_path / "p.xlsx", rows))
    assert [n for n, _c in got] == [2, 3]


def test_cells_read_as_a_user_typed_them():
    assert cell_text(12.0) == "12" and cell_text(89.5) == "89.5" and cell_text(True) == "是"
    assert cell_text(dt.datetime(2026, 9, 12, 19, 30)) == "2026-09-12 19:30:00"
    assert cell_text(dt.datetime(2026, 9, 12)) == "2026-09-12" and cell_text(None) == ""


def test_a_spreadsheet_with_a_csv_name_still_reads(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [person_row(1)])
    renamed = tmp_path / "p.csv"
    renamed.write_bytes(path.read_bytes())
    table, rows = rows_of(renamed)
    assert table.file_format == "xlsx" and len(rows) == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("p.xlsx", b"this is not a spreadsheet", "file.corrupt"),
        ("p.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "file.corrupt"),
        ("p.csv", b"", "file.empty"),
        ("p.csv", b"\n\n", "file.empty"),
        ("p.csv", "甲,乙\n1,2\n".encode(), "file.no_columns"),
        ("p.csv", "证件号码,姓名\n1,2\n".encode(), "file.missing_columns"),
    ],
)
def test_unreadable_files_raise_a_coded_file_error(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileError) as exc:
        rows_of(path)
    assert exc.value.code == code


def test_unknown_and_repeated_headers_are_ignored_with_a_warning(tmp_path):
    headers = [*PERSON_HEADERS, "备注", "身份证号"]
    table, _rows = rows_of(write_csv(tmp_path / "p.csv", [person_row(1)], headers))
    assert table.keys[-2:] == [None, None]
    assert len(table.warnings) == 2
