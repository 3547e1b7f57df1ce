"""``otelward slo report`` and the generated rules against a real Prometheus scraping a stand-in exporter.

The stand-in exposes the HTTP histogram the way otelward's Prometheus exporter names it, so this test
runs before the real management server exists; tests/integration/test_slo_e2e.py runs the same
scenario against the example service under ``opentelemetry-instrument``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness.collector import free_port
from otelward.slo import parse_spec, render_rules
from otelward.slo._spec import default_buckets
from tests.slo.live import SPEC, check_live_slos, run_prometheus

pytestmark = pytest.mark.integration


@pytest.fixture
def exporter() -> Iterator[tuple[int, object]]:
    from prometheus_client import CollectorRegistry, Histogram, start_http_server

    registry = CollectorRegistry()
    histogram = Histogram(
        "http_server_request_duration_seconds",
        "Duration of HTTP server requests.",
        ["http_request_method", "http_route", "http_response_status_code", "error_type"],
        buckets=default_buckets(),
        registry=registry,
    )
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    yield port, histogram
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_report_and_rules_on_real_prometheus(tmp_path: Path, exporter: tuple[int, object]) -> None:
    import yaml

    port, histogram = exporter

    def send(path: str) -> int:
        parts = urlsplit(path)
        status = 500 if parts.path == "/boom" else 200
        seconds = float(parts.query.partition("=")[2]) if parts.query else 0.002
        labels = ("GET", parts.path, str(status), "500" if status == 500 else "")
        histogram.labels(*labels).observe(seconds)  # type: ignore[attr-defined]
        return status

    rules = render_rules(parse_spec([yaml.safe_load(SPEC)], "slo.yaml"))
    with run_prometheus(tmp_path, port, rules) as prom:
        check_live_slos(tmp_path, prom, send)
