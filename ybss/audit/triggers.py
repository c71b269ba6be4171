"""Database triggers that make the audit log and record history append-only.

Installed by migration ``audit.0003`` on SQLite and PostgreSQL. The test settings turn them off
(``YBSS_AUDIT_DB_TRIGGERS = False``) because Django's test flush must empty every table; the
trigger tests install them inside their own transaction with these same functions.
"""

from __future__ import annotations

from typing import Any

TABLES = ("audit_auditevent", "audit_recordhistory")


def install_sql(vendor: str) -> list[str]:
    sql: list[str] = []
    if vendor == "postgresql":
        sql.append(
            "CREATE OR REPLACE FUNCTION ybss_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;"
        )
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                sql.append(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                )
        elif vendor == "postgresql":
            sql.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ybss_append_only();"
            )
            sql.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION ybss_append_only();"
            )
    return sql


def uninstall_sql(vendor: str) -> list[str]:
    sql: list[str] = []
    for table in TABLES:
        if vendor == "sqlite":
            sql += [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
        elif vendor == "postgresql":
            sql += [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            ]
    return sql


def install(cursor: Any, vendor: str) -> None:
    for stmt in install_sql(vendor):
        cursor.execute(stmt)


def uninstall(cursor: Any, vendor: str) -> None:
    for stmt in uninstall_sql(vendor):
        cursor.execute(stmt)
