"""Plain script jobs (no web framework) through opentelemetry-instrument: manual spans, thread pools,
sqlite3's Connection shortcuts, an outgoing HTTP call, psycopg and SQLAlchemy on PostgreSQL."""

from __future__ import annotations

import pytest

from harness.app import base_env, run_script, serve
from harness.collector import Collector, free_port
from tests.frameworks.servers import postgres
from tests.frameworks.trees import (
    children,
    db_statement,
    descendants,
    downstream_chain,
    single,
)

pytestmark = pytest.mark.integration


def test_script_job_span_tree(collector: Collector) -> None:
    port = free_port()
    downstream_env = base_env(collector, OTEL_SERVICE_NAME="shop", OTELWARD_SAMPLING="off", PORT=str(port))
    with serve(["python", "examples/flask_app/app.py"], downstream_env, port):
        env = base_env(
            collector,
            OTEL_SERVICE_NAME="nightly-report",
            OTELWARD_SAMPLING="off",
            REPORT_URL=f"http://127.0.0.1:{port}/profile/1",
        )
        result = run_script(["python", "-m", "examples.job.job"], env)
        assert result.returncode == 0, result.stderr[-3000:]
        received = collector.wait_for(
            lambda r: (
                len(r.spans_named("nightly report")) == 1
                and len(r.spans_named("GET /profile/<int:user_id>")) == 1
            )
        )
    root = single(received.spans, "nightly report")
    assert root["parent_span_id"] == ""
    assert root["resource"]["service.name"] == "nightly-report"
    trace = received.traces()[root["trace_id"]]
    # Connection.execute / executemany shortcuts on the main thread: direct children of the root.
    direct = children(trace, root)
    create = single(direct, "CREATE")
    assert db_statement(create) == "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, total REAL)"
    assert db_statement(single(direct, "INSERT")) == "INSERT INTO orders (region, total) VALUES (?, ?)"
    # Work done in the thread pool stays in the trace, each SELECT under its traced function.
    loads = [s for s in direct if s["name"] == "load orders"]
    assert sorted(s["attributes"]["code.arg.region"] for s in loads) == ["eu", "us"]
    for load in loads:
        (select,) = children(trace, load)
        assert db_statement(select) == "SELECT id, total FROM orders WHERE region = ?"
    publish = single(direct, "publish report")
    downstream = single(trace, "GET /profile/<int:user_id>")
    client = downstream_chain(trace, root, downstream)
    assert client["parent_span_id"] == publish["span_id"]
    assert downstream["resource"]["service.name"] == "shop"


@pytest.mark.slow
def test_postgres_job_with_psycopg_and_sqlalchemy(collector: Collector) -> None:
    with postgres() as pg:
        env = base_env(collector, OTEL_SERVICE_NAME="customer-report", OTELWARD_SAMPLING="off", **pg)
        result = run_script(["python", "-m", "examples.job.db_report"], env)
        assert result.returncode == 0, result.stderr[-3000:]
        # stdout also carries otelward's JSON console logs; the job's own output is the rest.
        printed = [ln for ln in result.stdout.splitlines() if not ln.startswith("{")]
        assert printed == ["1 1"], result.stdout[-2000:]
        received = collector.wait_for(lambda r: len(r.spans_named("customer report")) == 1)
    root = single(received.spans, "customer report")
    trace = received.traces()[root["trace_id"]]
    psycopg_spans = children(trace, single(trace, "load customers"))
    assert [s["name"] for s in psycopg_spans] == ["CREATE", "INSERT", "SELECT"]
    assert {
        s["attributes"].get("db.system.name", s["attributes"].get("db.system")) for s in psycopg_spans
    } == {"postgresql"}
    assert db_statement(psycopg_spans[2]) == "SELECT id, email FROM customers WHERE tier = %s"
    # Literals written into the SQL are sanitised before export.
    assert (
        db_statement(psycopg_spans[1]) == "INSERT INTO customers VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING"
    )
    assert "ada@example.com" not in collector.debug_text()
    counted = single(trace, "count with sqlalchemy")
    query = "SELECT count(*) FROM customers WHERE tier = %(tier)s"
    by_scope = {s["scope"]: s["name"] for s in descendants(trace, counted) if db_statement(s) == query}
    # The SQLAlchemy engine span; the psycopg instrumentation underneath records the same statement
    # again (a stock behaviour documented in docs/frameworks.md with how to pick one).
    assert by_scope == {
        "opentelemetry.instrumentation.sqlalchemy": "SELECT postgres",
        "otelward.instrumentation.psycopg": "SELECT",  # native psycopg (docs/frameworks.md)
    }
