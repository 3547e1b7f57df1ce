"""Lean spans through the real runtime: gunicorn + the rotel collector, app code using the current span."""

from __future__ import annotations

import json

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

ROUTE = "GET /orders/<int:order_id>"


@pytest.mark.parametrize(
    ("lean", "span_type"), [("true", "LeanSpan"), ("false", "_Span")], ids=["lean-spans", "sdk-spans"]
)
def test_app_code_sees_a_real_current_span_and_the_kept_trace_is_whole(
    collector: Collector, lean: str, span_type: str
) -> None:
    port = free_port()
    # Ratio 0: the only reason to keep the trace is its 500, so the spans are built only because it failed.
    env = base_env(collector, OTEL_SERVICE_NAME="shop", OTELWARD_SAMPLING_RATIO="0", OTELWARD_LEAN_SPANS=lean)
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "tests.integration.apps.lean_app:app"]
    with serve(argv, env, port, startup_timeout_s=60) as app:
        status, _, body = app.get("/orders/7")
        assert status == 500
        assert json.loads(body)["span_type"] == span_type  # which kind of span the app was handed
        received = collector.wait_for(
            lambda r: (
                bool(r.spans_named(ROUTE))
                and bool(r.spans_named("price order"))
                and bool(r.spans_named("SELECT"))
            )
        )
        app.stop()
    (server,) = received.spans_named(ROUTE)
    (child,) = received.spans_named("price order")
    (select,) = received.spans_named("SELECT")
    assert server["scope"] == "otelward.instrumentation.server"
    assert server["kind"] == "SPAN_KIND_SERVER"
    assert server["status"].get("code") == "STATUS_CODE_ERROR"
    assert server["attributes"]["shop.order_id"] == 7
    assert server["attributes"]["http.response.status_code"] == 500
    assert server["attributes"]["http.route"] == "/orders/<int:order_id>"
    events = {e["name"]: e["attributes"] for e in server["events"]}
    assert events["order.loaded"] == {"items": 3}
    assert events["exception"]["exception.type"] == "LookupError"
    assert events["exception"]["exception.message"] == "no stock for order"
    assert "raise LookupError" in events["exception"]["exception.stacktrace"]
    # The app's own span (an SDK span) and the DB span are children in the same trace.
    assert child["trace_id"] == server["trace_id"] == select["trace_id"]
    assert child["parent_span_id"] == server["span_id"]
    assert select["parent_span_id"] == child["span_id"]
    assert child["scope"] == "shop.checkout"
    assert child["attributes"]["shop.total_cents"] == 1299
    assert select["scope"] == "otelward.instrumentation.sqlite3"
    assert server["resource"]["service.name"] == "shop"
    assert server["resource"]["process.pid"] == select["resource"]["process.pid"]
