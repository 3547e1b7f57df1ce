#!/usr/bin/env bash
# The whole test suite, set-up included: lint, format check, types, then pytest (slow runs with --run-slow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff"; .venv/bin/ruff check src tests benchmarks examples scripts
echo "== ruff format"; .venv/bin/ruff format --check src tests benchmarks examples scripts
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
