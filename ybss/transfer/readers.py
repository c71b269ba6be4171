"""Streaming readers for import files: CSV (UTF-8 with or without BOM, or GB18030), xlsx and xls.

:func:`open_table` gives a :class:`Table`: the header row matched against a template's columns
(``columns.match_header``) and an iterator over the data rows as ``(row number, cells)``, every
cell a string. Memory stays flat with file size for CSV (one row at a time); xlsx and xls go
through python-calamine, which reads the first sheet into a compact native buffer (a few hundred
bytes per row) and hands rows over one at a time.

Rules, the same for every format:

* the format is recognised from the file's first bytes (zip → xlsx, OLE2 → xls, else text), so a
  mis-named file still reads; the extension is only a fallback;
* a CSV is UTF-8 when its first 64 KiB decode strictly as UTF-8, otherwise GB18030 (which covers
  GBK and GB2312, what legacy Chinese systems export);
* the first non-empty row holds the headers; rows right under it whose first non-empty cell
  starts with "说明" or "示例" (the template's notes and example rows) are skipped, and so is a
  footer row starting with "导出" (who exported the file and when) and every empty row;
* row numbers are the ones a user sees in Excel (1-based, counting the header and skipped rows);
* a file that cannot be read (truncated, corrupt, wrong encoding, no header row, a required column
  missing) raises :class:`FileError` with a stable code and a message in the user's language.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from ybss.core.errors import InvalidInput

from . import columns

SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NOTE_PREFIXES = ("说明", "示例")
FOOTER_PREFIXES = ("导出",)
#: Headers ybss itself adds (the fixable file's error column): ignored without a warning.
IGNORED_HEADERS = ("错误说明",)
#: How many rows under the header may be notes/example rows.
MAX_NOTE_ROWS = 3

csv.field_size_limit(1 << 20)


class FileError(InvalidInput):
    """The file as a whole cannot be imported; ``code`` says why (``file.*``)."""

    code = "file.unreadable"


@dataclass
class Table:
    """An open import file: its headers, what each column stands for, and its data rows."""

    kind: str
    file_format: str  # "csv" | "xlsx" | "xls"
    encoding: str  # for CSV; "" for spreadsheets
    header_row: int
    headers: list[str]
    keys: list[str | None]  # column key per position, None for an unknown header
    rows: Iterator[tuple[int, list[str]]]
    total: int | None = None  # number of rows below the header, when the format knows it
    warnings: list[str] = field(default_factory=list)
    _close: Any = None

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def header_of(self, key: str) -> str:
        """The header text the file uses for column ``key`` (the template's when absent)."""
        for h, k in zip(self.headers, self.keys, strict=False):
            if k == key:
                return h
        return columns.TEMPLATES[self.kind].column(key).header


def sniff_format(path: Path) -> str:
    """ "xlsx", "xls" or "csv" from the first bytes (then the extension)."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        # An Excel name without Excel's signature: truncated or not a spreadsheet at all.
        raise FileError(
            _("The file is damaged or incomplete and cannot be read as a spreadsheet."),
            code="file.corrupt",
        )
    return "csv"


def detect_encoding(head: bytes) -> str:
    """ "utf-8-sig" when ``head`` decodes strictly as UTF-8 (a character cut at the end of the chunk
    is allowed), else "gb18030"."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a user would type: integers without ".0", dates in ISO form,
    booleans as 是/否."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _starts_with(cells: list[str], prefixes: tuple[str, ...]) -> bool:
    for c in cells:
        text = unicodedata.normalize("NFKC", c).strip()
        if text:
            return text.startswith(prefixes)
    return False


def _is_empty(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, list[str]]], str, Any]:
    raw = open(path, "rb")
    head = raw.read(SNIFF_BYTES)
    raw.seek(0)
    encoding = detect_encoding(head)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    first_line = head.split(b"\n", 1)[0]
    delimiter = "\t" if first_line.count(b"\t") > first_line.count(b",") else ","
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        n = 0
        try:
            for n, cells in enumerate(reader, start=1):
                yield n, cells
        except UnicodeDecodeError as exc:
            raise FileError(
                _("The file's text encoding is broken near row %(row)d; save it as UTF-8 or GBK.")
                % {"row": n + 1},
                code="file.encoding",
            ) from exc
        except csv.Error as exc:
            raise FileError(
                _("The CSV file is malformed near row %(row)d.") % {"row": n + 1}, code="file.corrupt"
            ) from exc

    return rows(), encoding, text.close


def _excel_rows(path: Path) -> tuple[Iterator[tuple[int, list[str]]], int | None, Any]:
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        height = sheet.total_height
        it = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own error types, and ValueError/OSError
        raise FileError(
            _("The file is damaged or incomplete and cannot be read as a spreadsheet."),
            code="file.corrupt",
        ) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        # iter_rows starts at the sheet's first row (A1), empty leading rows included.
        for n, cells in enumerate(it, start=1):
            yield n, [cell_text(c) for c in cells]

    return rows(), height, book.close


def open_table(path: str | Path, kind: str) -> Table:
    """Open ``path`` and match its header row to template ``kind``.

    Raises FileError ``file.corrupt`` / ``file.encoding`` / ``file.empty`` (no header row) /
    ``file.no_columns`` (no header is known) / ``file.missing_columns`` (a required column is
    absent; the message lists them). Unknown and repeated headers are warnings on the table.
    """
    path = Path(path)
    if kind not in columns.TEMPLATES:
        raise ValueError(f"unknown kind {kind!r}")
    fmt = sniff_format(path)
    encoding = ""
    total: int | None = None
    if fmt == "csv":
        it, encoding, close = _csv_rows(path)
    else:
        it, total, close = _excel_rows(path)
    try:
        return _header(kind, fmt, encoding, it, total, close)
    except BaseException:
        close()
        raise


def _header(
    kind: str, fmt: str, encoding: str, it: Iterator[tuple[int, list[str]]], total: int | None, close: Any
) -> Table:
    header_row, headers = 0, []
    for n, cells in it:
        if not _is_empty(cells):
            header_row, headers = n, [c.strip() for c in cells]
            break
    else:
        raise FileError(_("The file has no header row."), code="file.empty")
    while headers and not headers[-1]:
        headers.pop()
    keys: list[str | None] = []
    seen: set[str] = set()
    warnings: list[str] = []
    for h in headers:
        key = columns.match_header(kind, h) if h else None
        if key in seen:
            warnings.append(
                str(_("Column “%(header)s” repeats another column and is ignored.") % {"header": h})
            )
            key = None
        elif h and key is None and h not in IGNORED_HEADERS:
            warnings.append(
                str(_("Column “%(header)s” is not part of the template and is ignored.") % {"header": h})
            )
        if key:
            seen.add(key)
        keys.append(key)
    template = columns.TEMPLATES[kind]
    if not seen:
        raise FileError(
            _("No column of the file matches the %(title)s template; check the header row.")
            % {"title": template.title},
            code="file.no_columns",
        )
    missing = [c.header for c in template.columns if c.required and c.key not in seen]
    if missing:
        raise FileError(
            _("Required columns are missing: %(headers)s.") % {"headers": "、".join(missing)},
            code="file.missing_columns",
            fields={"columns": missing},
        )
    width = len(headers)
    remaining = None if total is None else max(total - header_row, 0)

    def data() -> Iterator[tuple[int, list[str]]]:
        notes_allowed = MAX_NOTE_ROWS
        for n, cells in it:
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            elif len(cells) > width:
                extra, cells = cells[width:], cells[:width]
                if any(c.strip() for c in extra):
                    cells = cells + extra  # kept so a fixable file shows them; no key reads them
            if _is_empty(cells):
                continue
            if notes_allowed and _starts_with(cells, NOTE_PREFIXES):
                notes_allowed -= 1
                continue
            notes_allowed = 0
            if _starts_with(cells, FOOTER_PREFIXES):
                continue
            yield n, cells

    return Table(
        kind=kind,
        file_format=fmt,
        encoding=encoding,
        header_row=header_row,
        headers=headers,
        keys=keys,
        rows=data(),
        total=remaining,
        warnings=warnings,
        _close=close,
    )
