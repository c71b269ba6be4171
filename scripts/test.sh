#!/usr/bin/env bash
# The whole test suite: lint, format, types, then pytest on SQLite and on PostgreSQL.
#   scripts/test.sh [pytest args]     YBSS_REQUIRE_PG=1 makes a missing PostgreSQL an error.
source "$(dirname "$0")/lib.sh"
ensure_venv dev
ensure_chromium || true
ensure_pdf_libs || true
export HYPOTHESIS_STORAGE_DIRECTORY="${TMPDIR:-/tmp}/ybss-hypothesis"
status=0

echo "==> ruff"
.venv/bin/ruff check ybss tests bench || status=1
.venv/bin/ruff format --check ybss tests bench || status=1
echo "==> migrations match the models"
YBSS_DATA_DIR="$(mktemp -d)" .venv/bin/ybss makemigrations --check --dry-run >/dev/null || {
  echo "models changed without a migration (run: ybss makemigrations)" >&2; status=1; }
echo "==> mypy (services, selectors, scoping, pure modules)"
.venv/bin/mypy ybss/org/jurisdiction.py ybss/*/services.py ybss/*/selectors.py ybss/core/identifiers.py \
  ybss/registry/rules.py ybss/audit/records.py ybss/collection/[!s]*.py ybss/collection/sync.py \
  ybss/collection/scheduling.py ybss/collection/slips.py ybss/quality/[!s]*.py ybss/quality/scan.py \
  ybss/quality/signals.py ybss/quality/spec.py ybss/quality/schedule.py \
  ybss/supervision/[!s]*.py ybss/supervision/spotchecks.py ybss/supervision/schedule.py \
  ybss/demo/supervision.py || status=1

echo "==> pytest on SQLite"
env -u DATABASE_URL .venv/bin/pytest -n 2 "$@" || status=1

echo "==> pytest on PostgreSQL ($(pg_url))"
if ensure_postgres; then
  DATABASE_URL="$(pg_url)" .venv/bin/pytest -n 2 "$@" || status=1
elif [ "${YBSS_REQUIRE_PG:-0}" = "1" ]; then
  echo "PostgreSQL is required but not reachable on 127.0.0.1:5432" >&2; status=1
else
  echo "   PostgreSQL not reachable on 127.0.0.1:5432: skipped (set YBSS_TEST_DATABASE_URL to point at one)"
fi
exit $status
