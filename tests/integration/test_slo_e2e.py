"""SLOs end to end: the example service under ``opentelemetry-instrument`` with injected errors and slow
requests, a real Prometheus scraping its management ``/metrics`` with the generated rules loaded, and
``otelward slo report`` reading the error ratios back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.app import base_env, serve
from harness.collector import free_port
from otelward.slo import parse_spec, render_rules
from tests.slo.live import SPEC, check_live_slos, run_prometheus

pytestmark = pytest.mark.integration


def test_report_reads_the_example_service_error_ratio(tmp_path: Path) -> None:
    import yaml

    port = free_port()
    # No collector: Prometheus scrapes the management server on loopback, where no token is needed.
    env = base_env(None, OTEL_SERVICE_NAME="shop", PORT=str(port), OTEL_TRACES_EXPORTER="none")
    env.update(OTEL_LOGS_EXPORTER="none", OTEL_METRICS_EXPORTER="none", OTELWARD_MANAGEMENT_ENABLED="true")
    management_port = int(env["OTELWARD_MANAGEMENT_PORT"])
    rules = render_rules(parse_spec([yaml.safe_load(SPEC)], "slo.yaml"))
    with (
        serve(["python", "examples/flask_app/app.py"], env, port) as app,
        run_prometheus(tmp_path, management_port, rules) as prom,
    ):

        def send(path: str) -> int:
            status, _, _ = app.get(path)
            return status

        check_live_slos(tmp_path, prom, send)
