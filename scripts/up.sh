#!/usr/bin/env bash
# Install ybss into .venv, build the demo county (first run only) and serve it on localhost.
#   YBSS_DEMO_SCALE=0.1 scripts/up.sh   a smaller county;   DATABASE_URL=postgres://... to use PostgreSQL
source "$(dirname "$0")/lib.sh"
ensure_venv ""
ensure_pdf_libs || true
export YBSS_DATA_DIR="${YBSS_DATA_DIR:-$ROOT/data}"
.venv/bin/ybss migrate --verbosity 0
if ! .venv/bin/ybss demo --status >/dev/null 2>&1; then
  echo "==> building the demo county (scale ${YBSS_DEMO_SCALE:-1}); this takes a few minutes once"
  .venv/bin/ybss demo --reset --scale "${YBSS_DEMO_SCALE:-1}" --seed "${YBSS_DEMO_SEED:-7}"
fi
exec .venv/bin/ybss serve --host "${YBSS_HOST:-127.0.0.1}" --port "${YBSS_PORT:-8000}"
