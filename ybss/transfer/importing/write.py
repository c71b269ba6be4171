"""Bulk writes for imports, on Django's connection: ``executemany`` on SQLite, ``COPY`` (inserts)
and pipelined ``executemany`` (updates) on PostgreSQL, as ``ybss.demo.load`` does.

Every function here must run inside the import's single ``transaction.atomic()`` (checked): a
failed or killed import then leaves nothing. Updates are optimistic: each row carries the
``version`` read during validation, and a row someone else changed meanwhile makes
:meth:`TableWriter.update` raise :class:`ConcurrentChange`, which rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from ybss.audit.models import RecordHistory


def column_of(model: type[models.Model], name: str) -> str:
    """The database column of field ``name`` (or its attribute name, ``division_id``)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


class ConcurrentChange(Exception):
    """A record changed between validation and writing; the import must be run again."""


def _require_atomic() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("import writes must run inside transaction.atomic()")


def db_now() -> tuple[dt.datetime, Any]:
    """The import's timestamp, and the same adapted for raw SQL on this connection."""
    now = timezone.now()
    return now, connection.ops.adapt_datetimefield_value(now)


def _default(value: Any) -> Any:
    """JSON for what json does not know, as ``audit.services.history_record`` stores it."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


_encode = json.JSONEncoder(default=_default).encode  # one encoder: json.dumps(default=…) builds one per call


def _json(value: Any) -> str:
    return _encode(value)


class TableWriter:
    """Raw inserts and version-checked updates for one model's table.

    ``insert`` takes dicts of attribute names (``division_id``, not ``division``); columns not given
    get the field's default, so raw rows look like rows the ORM would write.
    """

    def __init__(self, model: type[models.Model], *, with_id: bool = True) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.columns: list[str] = [f.column for f in fields if f.column]
        self.attnames = [f.attname for f in fields]
        self.json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        self.defaults: dict[str, Any] = {}
        for f in fields:
            if f.primary_key:
                continue
            self.defaults[f.attname] = f.get_default() if f.has_default() or not f.null else None
        self._vendor = connection.vendor
        self._pairs = [(a, self.defaults.get(a)) for a in self.attnames]
        self._json_idx = [i for i, a in enumerate(self.attnames) if a in self.json_fields]
        self._decimal_idx = (
            [i for i, f in enumerate(fields) if isinstance(f, models.DecimalField)]
            if self._vendor == "sqlite"
            else []
        )
        q = connection.ops.quote_name
        self._cols_sql = ", ".join(q(c) for c in self.columns)

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The insert tuple for ``values`` (attribute name → value), defaults filled in."""
        out = [values.get(a, d) for a, d in self._pairs]
        for i in self._json_idx:
            if out[i] is not None:
                out[i] = _json(out[i])
        if self._decimal_idx:
            for i in self._decimal_idx:
                if isinstance(out[i], Decimal):
                    out[i] = str(out[i])
        return tuple(out)

    def reserve_ids(self, n: int) -> list[int]:
        """``n`` fresh primary keys for rows about to be inserted (needed before the insert, because
        history rows and child rows point at them)."""
        _require_atomic()
        if n <= 0:
            return []
        q = connection.ops.quote_name
        with connection.cursor() as cur:
            if self._vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, n],
                )
                return [r[0] for r in cur.fetchall()]
            # SQLite: the import holds the database's write lock (BEGIN IMMEDIATE), so nobody else
            # can take these ids before we insert them; sqlite_sequence covers deleted top rows.
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {q(self.table)}")
            top = cur.fetchone()[0]
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            seq = cur.fetchone()
            start = max(top, seq[0] if seq else 0) + 1
            return list(range(start, start + n))

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        _require_atomic()
        if not rows:
            return
        q = connection.ops.quote_name
        with connection.cursor() as cur:
            if self._vendor == "postgresql":
                with cur.cursor.copy(f"COPY {q(self.table)} ({self._cols_sql}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cur.executemany(f"INSERT INTO {q(self.table)} ({self._cols_sql}) VALUES ({marks})", rows)

    def update(
        self,
        fields: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        *,
        updated_at: Any,
        updated_by: int | None,
    ) -> None:
        """``UPDATE … SET fields…, version = version + 1 WHERE id = … AND version = …`` for each row
        ``(*values, id, expected_version)``; raises ConcurrentChange unless every row matched."""
        _require_atomic()
        if not rows:
            return
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(column_of(self.model, f))} = %s" for f in fields)
        sql = (
            f"UPDATE {q(self.table)} SET {sets}, {q('version')} = {q('version')} + 1, "
            f"{q('updated_at')} = %s, {q('updated_by_id')} = %s WHERE {q('id')} = %s AND {q('version')} = %s"
        )
        params = []
        for r in rows:
            *values, pk, version = r
            values = [
                _json(v) if f in self.json_fields and v is not None else v
                for f, v in zip(fields, values, strict=True)
            ]
            if self._vendor == "sqlite":
                values = [str(v) if isinstance(v, Decimal) else v for v in values]
            params.append((*values, updated_at, updated_by, pk, version))
        with connection.cursor() as cur:
            cur.executemany(sql, params)
            matched = cur.rowcount
        if matched != len(params):
            raise ConcurrentChange(f"{self.table}: {len(params) - matched} rows changed during the import")


class HistoryWriter:
    """Bulk ``RecordHistory`` rows (action "import") for one import."""

    def __init__(self, *, actor_id: int, at: Any) -> None:
        self.writer = TableWriter(RecordHistory, with_id=False)
        order = ["at", "actor_id", "record_type", "record_id", "version", "action", "changes", "reason"]
        if self.writer.attnames != order:  # ``add`` builds the tuples in this order
            raise RuntimeError(f"audit.RecordHistory columns changed: {self.writer.attnames}")
        self.actor_id = actor_id
        self.at = at
        self.pending: list[tuple[Any, ...]] = []
        self.written = 0

    def add(
        self, record_type: str, record_id: int, version: int, changes: dict[str, tuple[Any, Any]], reason: str
    ) -> None:
        changes_json = _encode({k: [o, n] for k, (o, n) in changes.items()})
        self.pending.append(
            (self.at, self.actor_id, record_type, record_id, version, "import", changes_json, reason[:500])
        )

    def flush(self) -> None:
        self.writer.insert(self.pending)
        self.written += len(self.pending)
        self.pending = []


#: Defer a table's secondary indexes when an import adds at least this many rows …
DEFER_MIN_ROWS = 20_000
#: … and at least this share of the rows the table already holds.
DEFER_MIN_SHARE = 0.25


class DeferredIndexes:
    """On SQLite, drop the secondary indexes of tables about to receive many rows and build them
    again once the rows are in: building an index from sorted keys is several times cheaper than
    inserting a few hundred thousand random keys into it one by one (what bulk loaders do).

    Runs inside the import's transaction, so a failed or killed import rolls the drop back with
    everything else, and readers in WAL mode keep using the old snapshot with its indexes. A
    rebuilt UNIQUE index that no longer holds raises IntegrityError, which aborts the import like
    any other conflict. Not used on PostgreSQL, where ``DROP INDEX`` would lock the table against
    readers for the whole import (and COPY keeps it within target there).
    """

    def __init__(self) -> None:
        self.dropped: list[tuple[str, str]] = []  # (index name, CREATE statement)

    def defer(self, model: type[models.Model], incoming: int) -> bool:
        """Drop ``model``'s secondary indexes if ``incoming`` new rows make that worthwhile."""
        _require_atomic()
        if connection.vendor != "sqlite" or incoming < DEFER_MIN_ROWS:
            return False
        table = model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            existing = cur.fetchone()[0]
            if incoming < DEFER_MIN_SHARE * existing:
                return False
            # sql IS NULL: the indexes behind UNIQUE/PRIMARY KEY constraints, which cannot be dropped
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            found = cur.fetchall()
            for name, _sql in found:
                cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        self.dropped += found
        return bool(found)

    def rebuild(self) -> None:
        _require_atomic()
        with connection.cursor() as cur:
            for _name, sql in self.dropped:
                cur.execute(sql)
        self.dropped = []
