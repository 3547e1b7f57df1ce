"""The Django example (ORM on sqlite and on PostgreSQL) under gunicorn through opentelemetry-instrument."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.app import REPO, base_env, serve
from harness.collector import Collector, free_port
from tests.frameworks.servers import postgres
from tests.frameworks.trees import db_statement, downstream_chain, statement_shape

pytestmark = pytest.mark.integration

ROUTE = "orders/<int:order_id>/"


@contextmanager
def _database(kind: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    if kind == "sqlite":
        yield {"SHOP_DB": str(tmp_path / "shop.sqlite3")}
        return
    with postgres() as pg:
        yield pg


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def test_django_orm_span_tree(collector: Collector, tmp_path: Path, db: str) -> None:
    port = free_port()
    with _database(db, tmp_path) as db_env:
        env = base_env(
            collector,
            OTEL_SERVICE_NAME="orders",
            OTELWARD_SAMPLING="off",
            DOWNSTREAM_URL=f"http://127.0.0.1:{port}",
            DJANGO_SETTINGS_MODULE="examples.django_app.settings",
            **db_env,
        )
        # Schema first, uninstrumented: the test is about request traces.
        migrate = subprocess.run(
            [sys.executable, "-m", "examples.django_app.manage", "migrate", "--run-syncdb", "-v", "0"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr
        argv = ["gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "examples.django_app.wsgi:application"]
        with serve(argv, env, port, startup_timeout_s=60) as app:
            status, _, body = app.get("/orders/42/")
            assert status == 200, body
            received = collector.wait_for(
                lambda r: (
                    len(r.spans_named(f"GET {ROUTE}")) == 1
                    and len(r.spans_named("GET profile/<int:user_id>/")) == 1
                ),
                timeout_s=30,
            )
    server = received.spans_named(f"GET {ROUTE}")[0]
    trace = received.traces()[server["trace_id"]]
    assert server["kind"] == "SPAN_KIND_SERVER"
    assert server["attributes"]["http.route"] == ROUTE
    # otelward's native Django middleware (first in MIDDLEWARE), not upstream's or the plain WSGI wrapper.
    assert server["scope"] == "otelward.instrumentation.server"
    assert server["attributes"]["url.path"] == "/orders/42/"
    db_spans = [s for s in trace if s["parent_span_id"] == server["span_id"] and db_statement(s)]
    assert db_spans, [s["name"] for s in trace]
    system = {s["attributes"].get("db.system.name", s["attributes"].get("db.system")) for s in db_spans}
    assert system == {"sqlite" if db == "sqlite" else "postgresql"}
    orm = [s for s in db_spans if '"shop_order"' in (db_statement(s) or "")]
    assert [s["name"].split()[0] for s in orm] == ["SELECT", "INSERT"]
    assert statement_shape(db_statement(orm[0])).startswith(
        'SELECT "shop_order"."id", "shop_order"."user_id"'
    )
    # Django sends values as parameters, so the ORM's statements carry no literal data to sanitise.
    assert "ada@example.com" not in (db_statement(orm[1]) or "")
    downstream = received.spans_named("GET profile/<int:user_id>/")[0]
    client = downstream_chain(trace, server, downstream)
    assert client["parent_span_id"] == server["span_id"]
