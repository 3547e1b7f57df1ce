"""FastAPI under uvicorn (one process and --workers 2) through opentelemetry-instrument and a real collector."""

from __future__ import annotations

import json

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.frameworks.trees import db_statement, downstream_chain, single

pytestmark = pytest.mark.integration

ROUTE = "/items/{item_id}"


# Scope of the server and the httpx client span: otelward's native instrumentations by default, upstream's
# with OTELWARD_NATIVE_INSTRUMENTATION=false.
_SCOPES = {
    "true": ("otelward.instrumentation.server", "otelward.instrumentation.httpx"),
    "false": ("opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.httpx"),
}


@pytest.mark.parametrize(
    ("workers", "native"),
    [(1, "true"), (1, "false"), pytest.param(2, "true", marks=pytest.mark.slow)],
    ids=["uvicorn", "uvicorn-upstream", "uvicorn-workers-2"],
)
def test_fastapi_span_tree(collector: Collector, workers: int, native: str) -> None:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="catalog",
        OTELWARD_SAMPLING="off",
        OTELWARD_NATIVE_INSTRUMENTATION=native,
        DOWNSTREAM_URL=f"http://127.0.0.1:{port}",
    )
    argv = ["uvicorn", "examples.fastapi_app.app:app", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    requests = 4 * workers
    with serve(argv, env, port, startup_timeout_s=60) as app:
        for _ in range(requests):
            status, _, body = app.get("/items/1")
            assert status == 200, body
        served_by = {json.loads(app.get("/pid")[2])["pid"] for _ in range(10 * workers)}
        received = collector.wait_for(
            lambda r: (
                len(r.spans_named(f"GET {ROUTE}")) == requests
                and len(r.spans_named("GET /stock/{item_id}")) == requests
                and len(r.spans_named("GET /pid")) == 10 * workers
            ),
            timeout_s=30,
        )
    traces = received.traces()
    server_scope, client_scope = _SCOPES[native]
    if native == "true":  # one span per request, none per ASGI message
        assert not [s for s in received.spans if s["name"].endswith((" http send", " http receive"))]
    for server in received.spans_named(f"GET {ROUTE}"):
        assert server["scope"] == server_scope
        trace = traces[server["trace_id"]]
        assert server["kind"] == "SPAN_KIND_SERVER"
        assert server["parent_span_id"] == ""
        assert server["attributes"]["http.route"] == ROUTE
        assert server["resource"]["service.name"] == "catalog"
        # sqlite3 via the Connection.execute shortcut: one span per statement, children of the server span
        db = [s for s in trace if s["parent_span_id"] == server["span_id"] and db_statement(s)]
        assert [s["name"] for s in db] == ["CREATE", "INSERT", "SELECT"]
        select = single(db, "SELECT")
        assert select["kind"] == "SPAN_KIND_CLIENT"
        assert db_statement(select) == "SELECT id, name FROM items WHERE id = ?"
        # Literals written into the SQL are sanitised before export.
        assert db_statement(single(db, "INSERT")) == "INSERT OR IGNORE INTO items VALUES (?, ?), (?, ?)"
        downstream = next(s for s in trace if s["name"] == "GET /stock/{item_id}")
        client = downstream_chain(trace, server, downstream)
        assert client["parent_span_id"] == server["span_id"]
        assert client["scope"] == client_scope
        assert client["attributes"].get("http.response.status_code") == 200
    # Every worker that served a request exported its spans (uvicorn spawns workers; instrumentation follows).
    assert {s["resource"]["process.pid"] for s in received.spans_named("GET /pid")} == served_by
