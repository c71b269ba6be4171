"""Helpers for the import tests (no tests here): build csv/xlsx files in a temp dir, dump tables.

Files are built in the tests, never committed. ``person_row`` gives a valid persons row for the
shared test county (station a's room address, a 流动 person with an outside hukou); tests change
one cell to make it wrong.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.db import connection

from tests.factories import make_id

PERSON_HEADERS = [
    "证件类型",
    "证件号码",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "联系电话",
    "户籍地址",
    "户籍地区划代码",
    "居住地址",
    "人员类型",
    "与户主关系",
    "居住事由",
    "来本地日期",
    "采集人",
    "采集时间",
    "来源编号",
]

#: Tables an import may write, and what "the same database" compares.
DUMPED_TABLES = (
    "registry_person",
    "registry_residence",
    "registry_house",
    "registry_unit",
    "addresses_standardaddress",
    "audit_recordhistory",
    "org_notice",
)


def person_row(
    n: int, *, address: str = "陕西省渭南市合阳县城关街道a测试路1号1单元501室", **cells: str
) -> dict:
    """A valid row: a 流动 man from Zhengzhou born 1985, living at station a's room address."""
    row = {
        "证件类型": "居民身份证",
        "证件号码": make_id(region="410105", birth="19850615", seq=2 * n + 1),
        "姓名": f"李{'一二三四五六七八九十'[n % 10]}{n}",
        "性别": "男",
        "民族": "汉族",
        "出生日期": "1985-06-15",
        "联系电话": f"1380000{n:04d}",
        "户籍地址": "河南省郑州市金水区某路1号",
        "户籍地区划代码": "410105",
        "居住地址": address,
        "人员类型": "流动",
        "与户主关系": "",
        "居住事由": "务工",
        "来本地日期": "2025-03-01",
        "采集人": "collector_a",
        "采集时间": "2026-09-12 19:30",
        "来源编号": f"SRC-{n:05d}",
    }
    row.update(cells)
    return row


def write_csv(
    path: Path, rows: Iterable[dict], headers: Sequence[str] = PERSON_HEADERS, encoding: str = "utf-8-sig"
) -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.get(h, "") for h in headers])
    return path


def write_xlsx(
    path: Path,
    rows: Iterable[dict],
    headers: Sequence[str] = PERSON_HEADERS,
    *,
    keys: Sequence[str] | None = None,
    notes: Sequence[str] | None = None,
) -> Path:
    """An xlsx with ``headers`` as written; ``keys`` (same length) says which row field each
    header takes its value from (default: the header itself); ``notes`` adds a notes row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    if notes:
        ws.append(list(notes))
    for r in rows:
        ws.append([r.get(k, "") for k in (keys or headers)])
    wb.save(path)
    return path


def dump(tables: Sequence[str] = DUMPED_TABLES) -> dict[str, list[tuple]]:
    """Every row of ``tables``, sorted, for comparing two database states."""
    out = {}
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(t)}")
            out[t] = sorted(cur.fetchall(), key=repr)
    return out


def counts(tables: Sequence[str] = DUMPED_TABLES) -> dict[str, int]:
    with connection.cursor() as cur:
        out = {}
        for t in tables:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(t)}")
            out[t] = cur.fetchone()[0]
        return out
