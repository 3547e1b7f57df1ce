"""The Flask example under gunicorn, natively instrumented by default and through upstream's when turned off."""

from __future__ import annotations

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.frameworks.trees import db_statement, single
from tests.integration.test_logs_setups import json_lines

pytestmark = pytest.mark.integration

ROUTE = "GET /users/<int:user_id>"


@pytest.mark.parametrize(
    ("native", "server_scope", "db_scope"),
    [
        pytest.param(
            "true", "otelward.instrumentation.server", "otelward.instrumentation.sqlite3", id="native"
        ),
        pytest.param(
            "false",
            "opentelemetry.instrumentation.flask",
            "opentelemetry.instrumentation.sqlite3",
            id="upstream-fallback",
        ),
    ],
)
def test_flask_and_sqlite3_spans_and_correlated_log_lines(
    collector: Collector, native: str, server_scope: str, db_scope: str
) -> None:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="shop",
        OTELWARD_SAMPLING="off",
        OTELWARD_NATIVE_INSTRUMENTATION=native,
        DOWNSTREAM_URL=f"http://127.0.0.1:{port}",
    )
    argv = [
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "examples.flask_app.app:app",
    ]
    with serve(argv, env, port, startup_timeout_s=60) as app:
        status, headers, body = app.get("/users/1")
        assert status == 200, body
        received = collector.wait_for(
            lambda r: (
                len(r.spans_named(ROUTE)) == 1
                and bool(r.spans_named("SELECT"))
                and any(
                    m["scope"] == db_scope and m["attributes"].get("db.operation.name") == "SELECT"
                    for m in r.metric("db.client.operation.duration")
                )
            )
        )
        app.stop()
    # the DB metric reaches the collector under the instrumentation's scope (natively: plain buckets)
    points = [m for m in received.metric("db.client.operation.duration") if m["scope"] == db_scope]
    selects = [m for m in points if m["attributes"].get("db.operation.name") == "SELECT"]
    assert selects, points
    assert {m["kind"] for m in selects} == {"histogram"}
    assert selects[-1]["attributes"]["db.system.name"] == "sqlite"
    assert selects[-1]["value"]["count"] >= 1
    (server,) = received.spans_named(ROUTE)
    trace = received.traces()[server["trace_id"]]
    assert (server["kind"], server["scope"]) == ("SPAN_KIND_SERVER", server_scope)
    assert server["attributes"]["http.route"] == "/users/<int:user_id>"
    assert server["attributes"]["server.address"] == "127.0.0.1"  # the port is in server.port, both ways
    select = single([s for s in trace if s["parent_span_id"] == server["span_id"]], "SELECT")
    assert (select["kind"], select["scope"]) == ("SPAN_KIND_CLIENT", db_scope)
    assert db_statement(select) == "SELECT id, name FROM users WHERE id = ?"
    assert select["attributes"]["db.operation.name"] == "SELECT"
    assert select["attributes"]["otelward.db.query.parameterized"] is True
    assert any(k.lower() == "x-request-id" for k in headers)  # the response hooks ran
    records = json_lines(app.stdout) + json_lines(app.stderr)
    (served,) = [r for r in records if r.get("body") == "served user 1"]
    assert (served["trace_id"], served["span_id"]) == (server["trace_id"], server["span_id"])
    access = [
        r
        for r in records
        if r["attributes"].get("logger.name") == "gunicorn.access" and "/users/1" in r["body"]
    ]
    assert [(r["trace_id"], r["span_id"]) for r in access] == [(server["trace_id"], server["span_id"])]
