"""The Excel layout of the import templates and of exported files (``ybss template``, ``ybss export``).

One workbook layout serves both, so an exported file is a filled-in template and round-trips
through the importer:

* sheet 1 (named after the template, e.g. 实有人口): row 1 the Chinese headers of
  ``columns.TEMPLATES[kind]`` (required ones as ``*姓名`` in bold red; ``match_header`` strips the
  ``*``), row 2 the header-notes row (every cell starts with ``说明：``), then the data. A template
  adds one example row whose first cell starts with ``示例：``; an export adds a footer row whose
  first cell starts with ``导出人：``. ``readers`` skips the rows right under the header whose
  first cell starts with 说明 or 示例, and rows starting with 导出 (the footer), so none of them is
  read as data. Headers and notes are frozen; text columns are formatted as text (``@``) so Excel
  keeps ID numbers and phones as typed.
* sheet 2 (填写说明): what each column means, its format, an example, and every code list
  (code and label) the template uses.
* sheet 3 (代码表, hidden): one column per code list, the Chinese labels of its active codes
  (``core.Code``). Coded columns of sheet 1 carry a drop-down list referring to that range: an
  inline list is limited to 255 characters, which 民族 and 与户主关系 exceed.

The workbook is openpyxl ``write_only``: rows stream to temporary files, so memory stays flat
whatever the number of rows. The file's content is a Chinese data-exchange format, like the
headers in ``columns.py``; it is not translated with the UI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .columns import TEMPLATES, Column, Template

NOTE_PREFIX = "说明："
EXAMPLE_PREFIX = "示例："
#: The first cell of an exported file's footer row; ``readers.FOOTER_PREFIXES`` skips it.
FOOTER_PREFIX = "导出人"
NOTES_SHEET = "填写说明"
CODE_SHEET = "代码表"
#: Header, then the header-notes row; data starts on this row.
FIRST_DATA_ROW = 3
MAX_ROW = 1_048_576
YES, NO = "是", "否"

KIND_TEXT = {
    "text": "文本",
    "date": "日期，格式 YYYY-MM-DD",
    "datetime": "日期时间，格式 YYYY-MM-DD HH:MM",
    "int": "整数",
    "decimal": "数字",
    "bool": "是/否",
    "codes": "可填多个，用顿号（、）分隔",
}

_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FONT = Font(color="595959", size=9)
_EXAMPLE_FONT = Font(color="808080", italic=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_FORMULA_START = "="


@dataclass(frozen=True)
class CodeList:
    slug: str
    name: str
    items: tuple[tuple[str, str], ...]  # (code, Chinese label), active codes in display order


def code_list(slug: str) -> CodeList:
    """The active codes of ``slug`` with their Chinese labels, in the admin's sort order."""
    from ybss.core.models import Code
    from ybss.core.models import CodeList as CodeListModel

    name = CodeListModel.objects.filter(slug=slug).values_list("name_zh", flat=True).first()
    items = tuple(
        Code.objects.filter(codelist_id=slug, active=True)
        .order_by("sort", "code")
        .values_list("code", "label_zh")
    )
    return CodeList(slug, name or slug, items)


def header_text(column: Column) -> str:
    return f"*{column.header}" if column.required else column.header


def note_text(column: Column) -> str:
    """The header-notes cell of ``column``: starts with ``说明：``."""
    parts = ["必填" if column.required else "选填"]
    if column.note:
        parts.append(column.note)
    if column.codelist:
        parts.append("从下拉列表选择，也可填代码")
    if column.kind != "text" and "YYYY" not in column.note:
        parts.append(KIND_TEXT[column.kind])
    return NOTE_PREFIX + "；".join(dict.fromkeys(parts))


def example_row(template: Template) -> list[str]:
    """The example row: the columns' examples, the first cell prefixed with ``示例：``."""
    values = [c.example for c in template.columns]
    values[0] = EXAMPLE_PREFIX + values[0]
    return values


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def column_width(column: Column) -> float:
    """Wide enough for the header and the example, within 10–40 characters."""
    longest = max(_display_width(header_text(column)) + 2, _display_width(column.example) + 2, 10)
    return float(min(longest, 40))


def _is_text(column: Column) -> bool:
    return column.kind not in ("int", "decimal")


class Layout:
    """A write-only workbook laid out for one template. ``append`` writes data rows to sheet 1;
    ``save`` closes it. Create, append, save: a write-only workbook can be saved once."""

    def __init__(self, kind: str) -> None:
        self.template = TEMPLATES[kind]
        self.wb = Workbook(write_only=True)
        self.sheet = self.wb.create_sheet(self.template.title)
        notes = self.wb.create_sheet(NOTES_SHEET)
        codes = self.wb.create_sheet(CODE_SHEET)
        codes.sheet_state = "hidden"
        lists = self._code_lists()
        self._write_code_sheet(codes, lists)
        self._write_notes_sheet(notes, lists)
        self._prepare_main(lists)
        self.rows = 0

    def _code_lists(self) -> dict[str, CodeList]:
        out: dict[str, CodeList] = {}
        for c in self.template.columns:
            if c.codelist and c.codelist not in out:
                out[c.codelist] = code_list(c.codelist)
        return out

    def _write_code_sheet(self, ws: Any, lists: dict[str, CodeList]) -> None:
        slugs = list(lists)
        self._code_ranges: dict[str, str] = {}
        for i, slug in enumerate(slugs, 1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = 24
            last = max(len(lists[slug].items), 1) + 1
            self._code_ranges[slug] = f"'{CODE_SHEET}'!${letter}$2:${letter}${last}"
        ws.append([lists[s].name for s in slugs])
        longest = max((len(lists[s].items) for s in slugs), default=0)
        for r in range(longest):
            ws.append([lists[s].items[r][1] if r < len(lists[s].items) else None for s in slugs])

    def _write_notes_sheet(self, ws: Any, lists: dict[str, CodeList]) -> None:
        t = self.template
        for letter, width in zip("ABCDEF", (18, 8, 26, 44, 34, 16), strict=True):
            ws.column_dimensions[letter].width = width
        keys = "、".join(t.column(k).header for k in t.keys)
        title = WriteOnlyCell(ws, value=f"{t.title}导入模板填写说明")
        title.font = Font(bold=True, size=14)
        ws.append([title])
        for line in (
            "1. 第1行为列名，带 * 的列为必填；列的顺序可以调整，列名也可用常见的别名。",
            "2. 第2行为说明行，首格以“说明”或“示例”开头的行导入时自动跳过，可保留也可删除。",
            "3. 编码列可从下拉列表选择名称，也可直接填代码；证件号码、电话请按文本填写。",
            "4. 日期填 YYYY-MM-DD，日期时间填 YYYY-MM-DD HH:MM。",
            f"5. 再次导入同一文件或有重叠的文件时，按{keys}更新已有记录，不会重复新增。",
            "6. 导出的文件与本模板格式相同，修改后可直接导入。",
        ):
            ws.append([line])
        ws.append([])
        ws.append([self._bold(ws, h) for h in ("列名", "是否必填", "格式", "说明", "示例", "代码表")])
        for c in t.columns:
            ws.append(
                [
                    c.header,
                    YES if c.required else NO,
                    KIND_TEXT[c.kind],
                    c.note or None,
                    c.example or None,
                    lists[c.codelist].name if c.codelist else None,
                ]
            )
        for cl in lists.values():
            ws.append([])
            ws.append(
                [self._bold(ws, f"代码表：{cl.name}"), None, self._bold(ws, "代码"), self._bold(ws, "名称")]
            )
            for code, label in cl.items:
                ws.append([None, None, _as_text(ws, code), label])

    @staticmethod
    def _bold(ws: Any, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _HEADER_FONT
        return cell

    def _prepare_main(self, lists: dict[str, CodeList]) -> None:
        ws, cols = self.sheet, self.template.columns
        for i, c in enumerate(cols, 1):
            dim = ws.column_dimensions[get_column_letter(i)]
            dim.width = column_width(c)
            if _is_text(c):
                dim.number_format = "@"
            validation = self._validation(c, lists)
            if validation is not None:
                letter = get_column_letter(i)
                validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{MAX_ROW}")
                ws.data_validations.append(validation)
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
        header = []
        for c in cols:
            cell = WriteOnlyCell(ws, value=header_text(c))
            cell.font = _REQUIRED_FONT if c.required else _HEADER_FONT
            cell.fill = _HEADER_FILL
            header.append(cell)
        ws.append(header)
        notes = []
        for c in cols:
            cell = WriteOnlyCell(ws, value=note_text(c))
            cell.font = _NOTE_FONT
            cell.alignment = _WRAP
            notes.append(cell)
        ws.row_dimensions[2].height = 45
        ws.append(notes)

    def _validation(self, c: Column, lists: dict[str, CodeList]) -> DataValidation | None:
        if c.codelist:
            dv = DataValidation(type="list", formula1=self._code_ranges[c.codelist], allow_blank=True)
        elif c.kind == "bool":
            dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        else:
            return None
        dv.promptTitle = c.header
        dv.prompt = note_text(c).removeprefix(NOTE_PREFIX)[:255]
        dv.showInputMessage = True
        # Several codes in one cell (危险物品标志) and codes typed instead of labels are valid:
        # warn, never block.
        dv.showErrorMessage = c.kind != "codes"
        dv.errorStyle = "warning"
        dv.errorTitle = c.header
        dv.error = "请从下拉列表中选择，或填写代码表中的代码。"
        return dv

    def append_example(self) -> None:
        cells = []
        for value in example_row(self.template):
            cell = WriteOnlyCell(self.sheet, value=value or None)
            cell.font = _EXAMPLE_FONT
            cells.append(cell)
        self.sheet.append(cells)

    def append(self, values: Sequence[Any]) -> None:
        """One data row: ``None``/``""`` leave the cell empty; strings stay text (a leading ``=``
        does not make a formula); characters XML cannot carry are dropped."""
        texts = [v for v in values if isinstance(v, str)]
        dirty = ILLEGAL_CHARACTERS_RE.search("".join(texts)) is not None
        if not dirty and not any(t.startswith(_FORMULA_START) for t in texts):
            self.sheet.append([None if v == "" else v for v in values])
        else:
            row: list[Any] = []
            for v in values:
                if isinstance(v, str):
                    v = ILLEGAL_CHARACTERS_RE.sub("", v) if dirty else v
                    row.append(_as_text(self.sheet, v) if v.startswith(_FORMULA_START) else (v or None))
                else:
                    row.append(v)
            self.sheet.append(row)
        self.rows += 1

    def append_footer(self, text: str) -> None:
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.font = _NOTE_FONT
        self.sheet.append([cell])

    def set_properties(self, *, creator: str, title: str, description: str, created: Any) -> None:
        """Document properties (文件 → 属性): who made the file, when, and what it holds."""
        p = self.wb.properties
        p.creator = creator
        p.lastModifiedBy = creator
        p.title = title
        p.subject = "一标三实"
        p.description = description
        p.keywords = self.template.kind
        p.created = created
        p.modified = created

    def save(self, target: Any) -> None:
        self.wb.save(target)


def _as_text(ws: Any, value: str) -> WriteOnlyCell:
    """A cell that is a string whatever it looks like (``=1+1`` stays text, ``01`` keeps its 0)."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def write_template(kind: str, target: Any) -> None:
    """Write the empty import template of ``kind`` (with its example row) to ``target``
    (a path or a binary file object)."""
    layout = Layout(kind)
    layout.append_example()
    layout.set_properties(
        creator="ybss",
        title=f"{layout.template.title}导入模板",
        description=f"{layout.template.title}导入模板：带 * 的列为必填，说明见“{NOTES_SHEET}”工作表。",
        created=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
    )
    layout.save(target)
