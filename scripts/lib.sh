# Shared by scripts/up.sh and scripts/test.sh: find Python 3.11+, make .venv, install ybss.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$py"; return 0
    fi
  done
  echo "ybss needs Python 3.11 or newer" >&2; return 1
}

ensure_venv() {  # $1: extras, e.g. "dev" or ""
  local extras="${1:-}" py stamp want
  if [ ! -x .venv/bin/python ]; then
    py="$(find_python)"
    "$py" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  want="$(cat pyproject.toml | sha256sum | cut -c1-16)-${extras}"
  stamp=".venv/.ybss-installed"
  if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp" 2>/dev/null; then
    echo "==> installing ybss${extras:+ [$extras]} into .venv"
    if [ -n "$extras" ]; then .venv/bin/python -m pip install --quiet -e ".[$extras]"
    else .venv/bin/python -m pip install --quiet -e .; fi
    echo "$want" >> "$stamp"
  fi
  if [ -f package-lock.json ] && command -v npm >/dev/null 2>&1 && [ ! -d node_modules ]; then
    echo "==> installing front-end assets from npm"
    npm ci --no-audit --no-fund --loglevel=error && .venv/bin/python -c \
      'from ybss.web.assets import collect_vendor_assets; collect_vendor_assets()' || \
      echo "   (npm failed; using the vendored copies shipped in ybss/web/static/vendor)"
  fi
}

pg_url() { echo "${YBSS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ybss}"; }

ensure_postgres() {  # start the local PostgreSQL server when it is installed but down
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then return 0; fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
  fi
  return 1
}

ensure_chromium() {  # Debian's chromium and CJK fonts for the browser tests (root + apt only)
  if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then return 0; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium and fonts-noto-cjk (browser tests, Chinese glyphs)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "   chromium not installed and not root: browser tests will be skipped"
  fi
}

ensure_pdf_libs() {  # Pango and CJK fonts for PDF slips and reports (WeasyPrint; root + apt only)
  if ldconfig -p 2>/dev/null | grep 'libpangoft2-1.0.so.0' >/dev/null && fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Pango and fonts-noto-cjk (PDF slips and reports in Chinese)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 libglib2.0-0 \
      fonts-noto-cjk >/dev/null
  else
    echo "   Pango or the CJK fonts are missing and this is not root: PDF slips will fail" \
         "(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk)"
  fi
}
