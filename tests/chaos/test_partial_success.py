"""Chaos: a collector that accepts every trace export but rejects part of it (OTLP partial success).

The example service runs under the real ``opentelemetry-instrument``; its traces go to an endpoint that answers
200 with ``partial_success.rejected_spans``, its metrics and logs to the real collector. What the endpoint
rejected must arrive at the collector as ``otelward.dropped{signal="traces", reason="rejected"}``, with one
warning in the app's output.

Playbook: docs/ops/playbooks/collector-outage.md ("The collector rejects part of the data").
"""

from __future__ import annotations

import time

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.chaos.harness import PATH, SPAN_NAME, dropped
from tests.export.partial_endpoint import partial_endpoint

pytestmark = pytest.mark.integration

REQUESTS = 20


def test_rejected_spans_are_counted_in_the_self_metric_the_collector_receives(collector: Collector) -> None:
    port = free_port()
    with partial_endpoint(per_request=2, message="span attribute count limit exceeded") as endpoint:
        env = base_env(
            collector,
            PORT=str(port),
            OTELWARD_SAMPLING="off",
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=f"{endpoint.endpoint}/v1/traces",
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=f"{collector.http_endpoint}/v1/metrics",
        )
        with serve(["python", "examples/flask_app/app.py"], env, port) as app:
            for _ in range(REQUESTS):
                assert app.get(PATH)[0] == 200
            deadline = time.monotonic() + 30
            while endpoint.received < REQUESTS and time.monotonic() < deadline:
                time.sleep(0.05)
            assert endpoint.received >= REQUESTS, f"the endpoint got {endpoint.received} spans"
            received = collector.wait_for(
                lambda r: dropped(r, "traces", "rejected") == endpoint.rejected, timeout_s=30
            )
            app.stop()
    assert endpoint.rejected > 0
    assert dropped(received, "traces") == endpoint.rejected, "rejections are the only trace drops"
    assert received.spans_named(SPAN_NAME) == []  # the traces went to the rejecting endpoint only
    output = app.stdout + app.stderr
    warnings = [line for line in output.splitlines() if "otelward: the collector rejected" in line]
    assert len(warnings) == 1, warnings
    assert "traces" in warnings[0]
    assert "span attribute count limit exceeded" in warnings[0]
