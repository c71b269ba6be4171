"""Watch-list helpers: a csv upload and an approved list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ybss.casework import services


def csv_bytes(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["身份证号,姓名,出生日期,地区"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def upload(county):
    """``upload(rows, approve=True)`` → a list uploaded by the investigator (approved by the supervisor)."""

    def make(rows, *, approve: bool = True, purpose: str = "追逃比对"):
        wl = services.watchlist_upload(
            actor=county.users["investigator"],
            name="在逃人员",
            kind="wanted",
            purpose=purpose,
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            file_name="list.csv",
            content=csv_bytes(rows),
        )
        if approve:
            wl = services.watchlist_approve(actor=county.users["supervisor"], pk=wl.pk)
        return wl

    return make
