"""Database triggers that freeze an issued bulletin (通报) in the database itself.

Once a bulletin leaves the draft state its number, date, wording, content, files and digest can
never change and the row can never be deleted; the only change allowed is issued → superseded
(when a corrected version is issued). Installed by migration ``supervision.0002`` on SQLite and
PostgreSQL unless ``YBSS_AUDIT_DB_TRIGGERS`` is off (the test settings, because a test flush
deletes every row); the trigger test installs them inside its own transaction.
"""

from __future__ import annotations

from typing import Any

TABLE = "supervision_bulletin"
FROZEN = (
    "year", "number", "version", "title", "as_of", "period_start", "praise", "criticism", "remarks",
    "content", "pdf", "docx", "xlsx", "digest", "issued_at", "issued_by_id", "police_unit_id",
    "division_id", "supersedes_id",
)  # fmt: skip
MESSAGE = "an issued bulletin is frozen"


def install_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
        state_ok = "NEW.state = OLD.state OR (OLD.state = 'issued' AND NEW.state = 'superseded')"
        return [
            f"CREATE TRIGGER {TABLE}_frozen BEFORE UPDATE ON {TABLE} "
            f"WHEN OLD.state != 'draft' AND ({changed} OR NOT ({state_ok})) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            f"WHEN OLD.state != 'draft' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
        ]
    if vendor == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)
        state_ok = "NEW.state = OLD.state OR (OLD.state = 'issued' AND NEW.state = 'superseded')"
        return [
            "CREATE OR REPLACE FUNCTION ybss_bulletin_frozen() RETURNS trigger AS $$ BEGIN "
            "IF OLD.state <> 'draft' THEN "
            "  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '" + MESSAGE + "'; END IF; "
            f"  IF {changed} OR NOT ({state_ok}) "
            "  THEN RAISE EXCEPTION '" + MESSAGE + "'; END IF; "
            "END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER {TABLE}_frozen BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ybss_bulletin_frozen();",
        ]
    return []


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TABLE}_frozen", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TABLE}_frozen ON {TABLE}"]
    return []


def install(cursor: Any, vendor: str) -> None:
    for stmt in install_sql(vendor):
        cursor.execute(stmt)


def uninstall(cursor: Any, vendor: str) -> None:
    for stmt in uninstall_sql(vendor):
        cursor.execute(stmt)
