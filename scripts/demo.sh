#!/usr/bin/env bash
# The demo: set up .venv (first run only), then run the example shop under otelward against a local collector.
set -euo pipefail
cd "$(dirname "$0")/.."
OTELWARD_SKIP_APT=1 OTELWARD_SKIP_STOCK=1 bash scripts/setup.sh
exec .venv/bin/python examples/demo.py
