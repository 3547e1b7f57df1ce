"""Issue 16 item 2: a click command that runs a server, under opentelemetry-instrument with tail sampling.

Before the fix the click span stayed open around the server: every request was its child, the trace was
decided after the max wait, and every later span was exported as "late".
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

ROUTE = "GET /hello/<int:n>"


def test_requests_of_a_cli_started_server_are_sampled_one_by_one(collector: Collector) -> None:
    # without the click instrumentation there is no command span and the test would prove nothing
    assert importlib.util.find_spec("opentelemetry.instrumentation.click"), "pip install -e .[test]"
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="shop",
        OTELWARD_SAMPLING_RATIO="0",
        OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS="60000",
        OTELWARD_SAMPLING_MAX_TRACE_WAIT_S="1",
    )
    argv = [sys.executable, "-m", "tests.integration.apps.click_serve", "serve", "--port", str(port)]
    with serve(argv, env, port) as app:
        for n in range(10):
            assert app.get(f"/hello/{n}")[0] == 200
        assert app.get("/fail")[0] == 500
        received = collector.wait_for(lambda r: len(r.spans_named("GET /fail")) == 1, timeout_s=30)
        for n in range(10, 30):  # after the max wait: before the fix, all of these were kept "late"
            assert app.get(f"/hello/{n}")[0] == 200
        assert app.get("/fail")[0] == 500
        received = collector.wait_for(lambda r: len(r.spans_named("GET /fail")) == 2, timeout_s=30)
    failed = received.spans_named("GET /fail")
    # each failed request is its own trace, not a child of the command's span
    assert all(not s["parent_span_id"] for s in failed), failed
    assert len({s["trace_id"] for s in failed}) == 2
    # nothing else was kept: ordinary requests are dropped by the ratio (0), the command's span with them
    names = sorted(set(received.span_names()))
    assert ROUTE not in names, names
    assert "serve" not in names, names
