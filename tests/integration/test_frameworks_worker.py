"""A Celery worker with a Redis broker: the consumer span continues the producer's trace through the queue."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.app import REPO, base_env, bin_path, run_script
from harness.collector import Collector
from tests.frameworks.servers import redis_server, stop_process
from tests.frameworks.trees import children, db_statement, single, statement_shape

pytestmark = pytest.mark.integration


@contextmanager
def _worker(env: dict[str, str], pool: str) -> Iterator[subprocess.Popen[bytes]]:
    argv = [
        bin_path("opentelemetry-instrument"),
        "celery",
        "-A",
        "examples.worker.tasks",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    # No readiness wait: the task waits in Redis until the worker consumes it, and the producer
    # waits (bounded) for the result.
    with tempfile.NamedTemporaryFile(prefix="celery-out-") as out:
        proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
            assert proc.poll() is None, Path(out.name).read_bytes()[-3000:]
        finally:
            stop_process(proc)


@pytest.mark.parametrize("pool", ["solo", pytest.param("prefork", marks=pytest.mark.slow)])
def test_consumer_span_continues_the_producer_trace(collector: Collector, pool: str) -> None:
    with redis_server() as url:
        common = {"OTELWARD_SAMPLING": "off", "CELERY_BROKER_URL": url}
        worker_env = base_env(collector, OTEL_SERVICE_NAME="fulfilment-worker", **common)
        with _worker(worker_env, pool):
            producer_env = base_env(collector, OTEL_SERVICE_NAME="checkout", ORDER_ID="7", **common)
            result = run_script(["python", "-m", "examples.worker.enqueue"], producer_env)
            assert result.returncode == 0, result.stderr[-3000:]
            assert "'status': 'done'" in result.stdout
            received = collector.wait_for(
                lambda r: any(s["kind"] == "SPAN_KIND_CONSUMER" for s in r.spans), timeout_s=30
            )
    root = single(received.spans, "checkout")
    trace = received.traces()[root["trace_id"]]
    producer = next(s for s in trace if s["kind"] == "SPAN_KIND_PRODUCER")
    consumer = next(s for s in trace if s["kind"] == "SPAN_KIND_CONSUMER")
    assert producer["parent_span_id"] == root["span_id"]
    assert producer["resource"]["service.name"] == "checkout"
    # Through Redis: the worker's span is the producer's child, in the same trace.
    assert consumer["parent_span_id"] == producer["span_id"]
    assert consumer["resource"]["service.name"] == "fulfilment-worker"
    assert consumer["name"] == "run/orders.fulfil"

    def system(span: dict[str, object]) -> object:
        attrs: dict[str, object] = span["attributes"]  # type: ignore[assignment]
        return attrs.get("db.system.name", attrs.get("db.system"))

    below = children(trace, consumer)
    db = [s for s in below if system(s) == "sqlite"]
    assert [s["name"] for s in db] == ["CREATE", "INSERT"]
    assert statement_shape(db_statement(db[1])) == "INSERT INTO fulfilled VALUES (?, ?)"
    # The result goes back through Redis, traced as the consumer's children too.
    assert "redis" in {system(s) for s in below}
