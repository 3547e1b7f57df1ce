"""Pre-fork servers: every gunicorn worker exports its own telemetry, nothing lost or duplicated."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration
REQUESTS = 60


def test_two_gunicorn_workers_each_export_with_their_own_instance_id(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTELWARD_SAMPLING="off", PORT=str(port))
    argv = ["gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "examples.flask_app.app:app"]
    with serve(argv, env, port) as app, ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: app.get(f"/profile/{i}")[0], range(REQUESTS)))
        assert statuses == [200] * REQUESTS
        received = collector.wait_for(lambda r: len(r.spans_named("GET /profile/<int:user_id>")) >= REQUESTS)
    spans = received.spans_named("GET /profile/<int:user_id>")
    assert len(spans) == REQUESTS, "a span was lost or exported twice"
    assert len({s["span_id"] for s in spans}) == REQUESTS
    instance_by_pid: dict[int, set[str]] = {}
    for s in spans:
        instance_by_pid.setdefault(s["resource"]["process.pid"], set()).add(
            s["resource"]["service.instance.id"]
        )
    assert len(instance_by_pid) == 2, f"expected both workers to serve: {instance_by_pid}"
    ids = [next(iter(v)) for v in instance_by_pid.values()]
    assert all(len(v) == 1 for v in instance_by_pid.values())
    assert len(set(ids)) == 2, "workers share a service.instance.id"
    logs = collector.wait_for(
        lambda r: sum(rec["body"].startswith("profile lookup") for rec in r.logs) >= REQUESTS
    ).logs
    assert sum(rec["body"].startswith("profile lookup") for rec in logs) == REQUESTS
