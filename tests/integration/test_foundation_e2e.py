"""The example service under the real entry point, shipping to a real collector."""

from __future__ import annotations

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration


def test_flask_example_ships_traces_logs_and_metrics(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="shop", PORT=str(port), OTELWARD_SAMPLING="off")
    with serve(["python", "examples/flask_app/app.py"], env, port) as app:
        status, _, _ = app.get("/users/1")
        assert status == 200
        received = collector.wait_for(
            lambda r: (
                len(r.spans_named("GET /users/<int:user_id>")) == 1
                and len(r.spans_named("GET /profile/<int:user_id>")) == 1
            )
        )
    server = received.spans_named("GET /users/<int:user_id>")[0]
    downstream = received.spans_named("GET /profile/<int:user_id>")[0]
    trace = received.traces()[server["trace_id"]]
    by_id = {s["span_id"]: s for s in trace}
    # the downstream server span's parent is the requests client span, whose parent is the server span
    client = by_id[downstream["parent_span_id"]]
    assert client["kind"] == "SPAN_KIND_CLIENT"
    assert client["parent_span_id"] == server["span_id"]
    assert downstream["trace_id"] == server["trace_id"]
    assert server["resource"]["service.name"] == "shop"
    assert server["attributes"]["http.route"] == "/users/<int:user_id>"
    db = [
        s
        for s in trace
        if s["attributes"].get("db.system.name") == "sqlite" or s["name"].startswith("SELECT")
    ]
    assert db, f"no sqlite span in {[s['name'] for s in trace]}"
    logs = collector.wait_for(lambda r: any(rec["body"] == "served user 1" for rec in r.logs)).logs
    served = next(rec for rec in logs if rec["body"] == "served user 1")
    assert served["trace_id"] == server["trace_id"]
    assert served["span_id"] == server["span_id"]
    metrics = collector.wait_for(lambda r: bool(r.metric("http.server.request.duration"))).metrics
    assert any(m["name"] == "http.server.request.duration" for m in metrics)
