#!/usr/bin/env bash
# The whole test suite, set-up included: lint, format check, types, then pytest (slow runs with --run-slow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dirs=$(for d in src tests harness benchmarks examples scripts; do [ -d "$d" ] && echo "$d"; done)
echo "== ruff"; .venv/bin/ruff check $dirs
echo "== ruff format"; .venv/bin/ruff format --check $dirs
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
# The slowest tests are listed at the end: the whole run must stay within its time budget (~25 min on 2 cores).
exec .venv/bin/python -m pytest --durations=15 "$@"
