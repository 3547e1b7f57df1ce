#!/usr/bin/env bash
# Create .venv (if missing) and install otelward with everything the tests and the demo need.
# System packages (prometheus/promtool, wrk, postgresql, redis) are installed when apt-get is usable.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import otelward, rotel, flask" >/dev/null
# The published applications tests/apps runs unmodified (pinned; a few wheels, seconds from a warm cache).
.venv/bin/python -m pip install -q -r requirements-apps.txt 2>&1 | grep -v "^WARNING: Location" || true
if [ "${OTELWARD_SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  missing=""
  for pair in prometheus:promtool wrk:wrk redis-server:redis-server postgresql:pg_ctlcluster; do
    pkg=${pair%%:*}; cmd=${pair##*:}
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    echo "setup: apt-get install$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) \
      >/tmp/otelward-apt.log 2>&1 || echo "setup: apt-get failed (see /tmp/otelward-apt.log)"
  fi
fi
# A separate venv with the stock opentelemetry-distro, for comparisons (benchmarks, mixed-service tests):
# two distros in one environment would fight over the entry points.
if [ "${OTELWARD_SKIP_STOCK:-0}" != "1" ]; then
  [ -x .venv-stock/bin/python ] || "$PY" -m venv .venv-stock
  # The same instrumentations as otelward's test set, so comparisons are like for like.
  .venv-stock/bin/python -m pip install -q opentelemetry-distro opentelemetry-exporter-otlp flask requests gunicorn \
    opentelemetry-instrumentation-flask opentelemetry-instrumentation-requests opentelemetry-instrumentation-sqlite3 \
    opentelemetry-instrumentation-wsgi opentelemetry-instrumentation-logging opentelemetry-instrumentation-threading \
    2>&1 | grep -v "^WARNING: Location" || true
fi
