"""The Flask example under gunicorn (sync and gthread workers) through opentelemetry-instrument."""

from __future__ import annotations

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.frameworks.trees import db_statement, downstream_chain, single

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "worker_args",
    [["-w", "2", "-k", "sync"], ["-w", "1", "-k", "gthread", "--threads", "4"]],
    ids=["gunicorn-sync", "gunicorn-gthread"],
)
def test_flask_under_gunicorn_span_tree(collector: Collector, worker_args: list[str]) -> None:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="shop",
        OTELWARD_SAMPLING="off",
        DOWNSTREAM_URL=f"http://127.0.0.1:{port}",
    )
    argv = ["gunicorn", *worker_args, "-b", f"127.0.0.1:{port}", "examples.flask_app.app:app"]
    with serve(argv, env, port, startup_timeout_s=60) as app:
        for user in (1, 2):
            status, _, body = app.get(f"/users/{user}")
            assert status == 200, body
        received = collector.wait_for(
            lambda r: (
                len(r.spans_named("GET /users/<int:user_id>")) == 2
                and len(r.spans_named("GET /profile/<int:user_id>")) == 2
            ),
            timeout_s=30,
        )
    traces = received.traces()
    for server in received.spans_named("GET /users/<int:user_id>"):
        trace = traces[server["trace_id"]]
        assert server["kind"] == "SPAN_KIND_SERVER"
        assert server["attributes"]["http.route"] == "/users/<int:user_id>"
        select = single([s for s in trace if s["parent_span_id"] == server["span_id"]], "SELECT")
        assert db_statement(select) == "SELECT id, name FROM users WHERE id = ?"
        downstream = single(trace, "GET /profile/<int:user_id>")
        client = downstream_chain(trace, server, downstream)
        assert client["parent_span_id"] == server["span_id"]
        assert downstream["attributes"]["http.route"] == "/profile/<int:user_id>"
    assert len(traces) >= 2
