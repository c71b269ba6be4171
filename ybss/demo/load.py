"""The demo's bulk writer: the organisation through ``org.services`` (small, ORM), every other
table straight from the generated rows with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL,
psycopg 3) on Django's connection. Rows carry their ids, so no foreign key needs a round trip;
on PostgreSQL the id sequences are moved past them afterwards.

:func:`load` must run inside ``transaction.atomic()``: a failed or killed load leaves nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection

from ybss.org import services as org_services

from . import DEMO_PASSWORD
from .county import COUNTY_CODE
from .generate import USERS_JOINED, DemoData, Table

Progress = Callable[[int], object]
CHUNK = 20_000

#: Models whose ids the demo assigns (their sequences are reset on PostgreSQL).
ASSIGNED_ID_MODELS = (
    "org.User",
    "addresses.AddressElement",
    "addresses.StandardAddress",
    "registry.Person",
    "registry.House",
    "registry.Residence",
    "registry.Unit",
    "registry.Employment",
    "audit.RecordHistory",
)

#: Tables whose rows mean "this database already holds a county" (the demo refuses to add one).
CONTENT_TABLES = (
    "org_admindivision",
    "org_policeunit",
    "org_user",
    "addresses_standardaddress",
    "registry_person",
    "registry_house",
    "registry_unit",
    "audit_recordhistory",
)


def demo_password_hash(seed: int) -> str:
    """The hash of :data:`DEMO_PASSWORD` with a salt derived from ``seed``: hashed once for all
    users, and the same for the same seed (so the user rows are reproducible too)."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    digest = hashlib.sha256(f"ybss-demo-salt:{seed}".encode()).digest()
    salt = "".join(alphabet[b % len(alphabet)] for b in digest[:22])
    return make_password(DEMO_PASSWORD, salt=salt)


def database_is_empty() -> bool:
    """True when none of :data:`CONTENT_TABLES` has a row (missing tables count as empty)."""
    present = set(connection.introspection.table_names())
    with connection.cursor() as cur:
        for table in CONTENT_TABLES:
            if table in present:
                cur.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cur.fetchone():
                    return False
    return True


def load(data: DemoData, *, password_hash: str, progress: Progress | None = None) -> dict[str, int]:
    """Write ``data`` into an empty, migrated database; returns the rows written per table.

    Precondition: inside ``transaction.atomic()`` (checked) on an empty database (the command
    checks). Raises ``RuntimeError`` outside a transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("demo.load must run inside transaction.atomic()")
    tick = progress or (lambda _n: None)
    counts = write_org(data, password_hash)
    tick(sum(counts.values()))
    writer = {"sqlite": _write_sqlite, "postgresql": _write_postgresql}.get(connection.vendor)
    if writer is None:
        raise RuntimeError(f"the demo loader supports SQLite and PostgreSQL, not {connection.vendor}")
    for table in data.tables.values():
        writer(table, tick)
        counts[table.name] = len(table.rows)
    if connection.vendor == "postgresql":
        _reset_sequences()
    return counts


def write_org(data: DemoData, password_hash: str) -> dict[str, int]:
    """Divisions, police units and users through the org services (a few hundred rows)."""
    org = data.org
    org_services.county_load_divisions(code=COUNTY_CODE)
    links = 0
    for unit in org.police_units:
        org_services.police_unit_create(
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            parent_code=unit.parent_code,
            division_codes=unit.division_codes,
        )
        links += len(unit.division_codes)
    joined = datetime.fromisoformat(USERS_JOINED).replace(tzinfo=UTC)
    for user in org.users:
        org_services.user_create(
            pk=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            police_unit_code=user.police_unit_code,
            division_code=user.division_code,
            phone=user.phone,
            password_hash=password_hash,
            is_staff=user.is_staff,
            date_joined=joined,
        )
    return {
        "org_admindivision": len(org.divisions),
        "org_policeunit": len(org.police_units),
        "org_policeunit_divisions": links,
        "org_user": len(org.users),
    }


def _columns(table: Table) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in table.columns)


def _write_sqlite(table: Table, tick: Progress) -> None:
    sql = (
        f"INSERT INTO {connection.ops.quote_name(table.name)} ({_columns(table)}) "
        f"VALUES ({', '.join(['%s'] * len(table.columns))})"
    )
    rows = table.rows
    with connection.cursor() as cur:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cur.executemany(sql, chunk)
            tick(len(chunk))


def _write_postgresql(table: Table, tick: Progress) -> None:
    sql = f"COPY {connection.ops.quote_name(table.name)} ({_columns(table)}) FROM STDIN"
    with connection.cursor() as cur:
        with cur.cursor.copy(sql) as copy:
            for start in range(0, len(table.rows), CHUNK):
                chunk = table.rows[start : start + CHUNK]
                for row in chunk:
                    copy.write_row(row)
                tick(len(chunk))


def _reset_sequences() -> None:
    models = [apps.get_model(label) for label in ASSIGNED_ID_MODELS]
    models.append(apps.get_model("org.PoliceUnit").divisions.through)
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cur.execute(sql)


def analyze(table_names: list[str]) -> None:
    """Refresh the planner's statistics after the load (SQLite: sampled, so it stays quick)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA analysis_limit = 1000")
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in table_names))
