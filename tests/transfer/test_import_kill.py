"""A killed import (SIGKILL while writing) leaves the database as it was, and can simply be rerun.

Runs `ybss import` in a subprocess against its own database — a migrated SQLite file in a temp
data dir, or (when the suite runs on PostgreSQL) a throwaway PostgreSQL database — holding a small
demo county, on a generated 30,000-row persons file. The test waits for the command's "writing"
line (printed once the write transaction is open), lets it write for a moment, kills it with
SIGKILL, checks the row counts are unchanged, and runs the import again to completion.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_id

ROOT = Path(__file__).resolve().parents[2]
ROWS = 30_000
TABLES = ("registry_person", "registry_residence", "audit_recordhistory", "transfer_importrun", "org_notice")
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


class Database:
    """The subprocess's database, reachable from the test with a plain DB-API connection."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        }
        self.env.update(YBSS_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ybss.settings.dev")
        self.pg_name = None
        if ON_POSTGRES:
            import psycopg

            base = settings.DATABASES["default"]
            self.pg_name = f"ybss_kill_{uuid.uuid4().hex[:10]}"
            self.pg_params = dict(
                host=base["HOST"] or "127.0.0.1",
                port=base["PORT"] or 5432,
                user=base["USER"],
                password=base["PASSWORD"] or None,
            )
            with psycopg.connect(dbname="postgres", autocommit=True, **self.pg_params) as c:
                c.execute(f'CREATE DATABASE "{self.pg_name}"')
            auth = base["USER"] + (f":{base['PASSWORD']}" if base["PASSWORD"] else "")
            self.env["DATABASE_URL"] = (
                f"postgres://{auth}@{self.pg_params['host']}:{self.pg_params['port']}/{self.pg_name}"
            )
        self.sqlite_path = tmp_path / "data" / "ybss.sqlite3"

    def connect(self):  # type: ignore[no-untyped-def]
        if self.pg_name:
            import psycopg

            return psycopg.connect(dbname=self.pg_name, **self.pg_params)
        import sqlite3

        return sqlite3.connect(self.sqlite_path)

    def query(self, sql: str) -> list[tuple]:
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchall()
        finally:
            conn.close()

    def counts(self) -> dict[str, int]:
        return {t: self.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in TABLES}

    def drop(self) -> None:
        if self.pg_name:
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True, **self.pg_params) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def ybss(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ybss", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=timeout,
        )


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    try:
        for args in (("migrate", "-v", "0"), ("demo", "--scale", "0.0005", "--seed", "1")):
            done = db.ybss(*args)
            assert done.returncode == 0, done.stderr[-2000:]
        yield db
    finally:
        db.drop()


def persons_file(path: Path, addresses: list[str]) -> Path:
    headers = ["证件号码", "姓名", "性别", "户籍地区划代码", "居住地址", "人员类型", "居住事由", "来源编号"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for n in range(ROWS):
            birth = f"{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}"
            number = make_id(region="410105", birth=birth, seq=n // 600)
            sex = "男" if int(number[16]) % 2 else "女"
            w.writerow(
                [number, f"导入{n}", sex, "410105", addresses[n % len(addresses)], "流动", "务工", f"K{n}"]
            )
    return path


def test_a_killed_import_leaves_the_database_unchanged_and_reruns(database, tmp_path):
    addresses = [
        code
        for (code,) in database.query(
            "SELECT a.code FROM registry_house h JOIN addresses_standardaddress a ON a.id = h.address_id"
        )
    ]
    path = persons_file(tmp_path / "big.csv", addresses)
    before = database.counts()

    proc = subprocess.Popen(
        [sys.executable, "-m", "ybss", "import", "persons", str(path), "--user", "admin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=database.env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline:
            line = proc.stderr.readline()  # type: ignore[union-attr]
            if not line:
                break
            seen += line
            if "writing to the database" in line:
                break
        assert "writing to the database" in seen, seen[-2000:]
        time.sleep(0.15)  # some batches go in; the transaction is still open
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=20) == -signal.SIGKILL  # killed, not finished
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()  # type: ignore[union-attr]

    assert database.counts() == before

    rerun = database.ybss("import", "persons", str(path), "--user", "admin")
    assert rerun.returncode == 0, (rerun.stdout[-2000:], rerun.stderr[-2000:])
    after = database.counts()
    assert after["registry_person"] == before["registry_person"] + ROWS
    assert after["registry_residence"] == before["registry_residence"] + ROWS
    assert after["audit_recordhistory"] == before["audit_recordhistory"] + 2 * ROWS
    assert after["transfer_importrun"] == before["transfer_importrun"] + 1
