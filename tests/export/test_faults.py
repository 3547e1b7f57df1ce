"""The real OTLP exporters behind otelward's queue, against a fault-injecting proxy and the real collector.

Every fault, over OTLP/HTTP and OTLP/gRPC: the app-side ``put`` never blocks, two warnings at most (failing,
recovered), export resumes when the fault clears, and every item sent is either received by the collector
or counted as dropped (``sent == received + dropped``). Shutdown under a fault is bounded.

Playbooks: docs/ops/playbooks/collector-outage.md, docs/ops/playbooks/export-backlog.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from opentelemetry._logs import LogRecord
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from harness.collector import Collector
from otelward.config import Settings
from otelward.export import BatchExporter, log_exporter, span_exporter
from tests.chaos.proxy import FaultProxy, fault_proxy
from tests.export.grpc_faults import grpc_fault_server

pytestmark = pytest.mark.integration

PROTOCOLS = ["http/protobuf", "grpc"]
_TIMEOUT_MS = "1000"  # OTEL_EXPORTER_OTLP_TIMEOUT: short, so each failing attempt ends quickly


def _settings(endpoint: str, protocol: str, **extra: str) -> Settings:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_EXPORTER_OTLP_TIMEOUT": _TIMEOUT_MS,
        **extra,
    }
    return Settings.from_env(env)


class Drops(dict[str, int]):
    def __call__(self, reason: str, n: int) -> None:
        self[reason] = self.get(reason, 0) + n


def _queue(factory: Callable[[], Any], signal: str = "traces", **kw: Any) -> tuple[BatchExporter[Any], Drops]:
    drops = Drops()
    q: BatchExporter[Any] = BatchExporter(
        signal,
        factory,
        max_queue_size=kw.pop("queue", 500),
        max_batch_size=kw.pop("batch", 25),
        schedule_delay_s=0.05,
        on_drop=drops,
        **kw,
    )
    return q, drops


@pytest.fixture
def proxy(collector: Collector, request: pytest.FixtureRequest) -> Iterator[FaultProxy]:
    protocol = request.node.callspec.params["protocol"]
    port = collector.grpc_port if protocol == "grpc" else collector.http_port
    with fault_proxy(port) as p:
        yield p


def _spans(name: str, n: int) -> list[Any]:
    tracer = TracerProvider().get_tracer("faults")
    out = []
    for _ in range(n):
        span = tracer.start_span(name)
        span.end()
        out.append(span)
    return out


def _logs(body: str, n: int) -> list[Any]:
    resource = Resource.create({"service.name": "faults"})
    return [ReadableLogRecord(LogRecord(body=body, attributes={"i": i}), resource=resource) for i in range(n)]


def _wait(cond: Callable[[], bool], timeout_s: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _distinct(spans: list[dict[str, Any]]) -> int:
    return len({s["span_id"] for s in spans})


def _warnings(caplog: pytest.LogCaptureFixture, signal: str) -> list[str]:
    # Filtered by this test's signal label: abandoned worker threads of earlier tests may still log.
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("otelward") and f" {signal} " in r.getMessage()
    ]


_BOTH = [("down", {}, "collector-down"), ("blackhole", {}, "black-hole"), ("restart", {}, "restart-mid-run")]
_HTTP_ONLY = [
    ("status", {"status": 429, "retry_after": 1}, "http-429-retry-after"),
    ("status", {"status": 500}, "http-500"),
    ("status", {"status": 503}, "http-503"),
]
OUTAGES = [
    pytest.param(protocol, fault, kw, id=f"{name}-{protocol}")
    for fault, kw, name in _BOTH
    for protocol in PROTOCOLS
] + [pytest.param("http/protobuf", fault, kw, id=name) for fault, kw, name in _HTTP_ONLY]


@pytest.mark.parametrize(("protocol", "fault", "fault_kw"), OUTAGES)
def test_outage_is_carried_over_and_export_resumes(
    collector: Collector,
    proxy: FaultProxy,
    protocol: str,
    fault: str,
    fault_kw: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = _settings(proxy.endpoint, protocol).traces
    name = f"{protocol}-{fault}"
    q, drops = _queue(lambda: span_exporter(cfg, "otlp"), signal=name)
    with caplog.at_level(logging.WARNING):
        q.put_many(_spans(name, 10))
        collector.wait_for(lambda r: _distinct(r.spans_named(name)) == 10)
        # The collector has the batch before the exporter has the answer: switching the fault on in between
        # would cut that answer, and the batch would be retried (received twice).
        assert q.flush(10.0)
        proxy.set("down" if fault == "restart" else fault, **fault_kw)
        start = time.monotonic()
        q.put_many(_spans(name, 100))
        assert time.monotonic() - start < 2.0, "put blocked the caller"
        if fault == "restart":
            time.sleep(0.3)
        else:
            _wait(lambda: q.health.failing, what="export to start failing")
            q.put_many(_spans(name, 100))
        proxy.set("pass")
        sent = 110 if fault == "restart" else 210
        _wait(lambda: q.queue_size() == 0 and not q.health.failing, what="the backlog to drain")
        # Delivery is at-least-once (see the RUNBOOK's known gaps): a request the collector took whose answer was
        # cut (a restart, a black hole) or came after the timeout (a loaded machine) is retried and received
        # twice. Counted by span id, every span sent arrives or is counted as dropped, exactly.
        collector.wait_for(lambda r: _distinct(r.spans_named(name)) + sum(drops.values()) == sent)
        # a short outage that fits in the queue loses nothing
        assert drops == {}
        q.put_many(_spans(name, 5))
        collector.wait_for(lambda r: _distinct(r.spans_named(name)) == sent + 5)
        q.shutdown(2.0)
    messages = _warnings(caplog, name)
    if fault != "restart":
        assert len(messages) == 2, messages
        assert "failing" in messages[0]
        assert "recovered" in messages[1]
    else:
        assert len(messages) <= 2, messages
    if fault == "status":
        assert proxy.answered >= 1  # the proxy, not the collector, answered with the error status


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_slow_collector_delays_but_loses_nothing(
    collector: Collector, proxy: FaultProxy, protocol: str, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = _settings(proxy.endpoint, protocol).traces
    name = f"slow-{protocol}"
    q, drops = _queue(lambda: span_exporter(cfg, "otlp"), signal=name)
    proxy.set("slow", delay_s=0.3)
    with caplog.at_level(logging.WARNING):
        start = time.monotonic()
        q.put_many(_spans(name, 200))
        assert time.monotonic() - start < 2.0
        collector.wait_for(lambda r: _distinct(r.spans_named(name)) == 200, timeout_s=30)
        q.shutdown(2.0)
    assert drops == {}
    assert _warnings(caplog, name) == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("fault", ["down", "blackhole"])
def test_shutdown_under_fault_is_bounded_and_counts_what_is_lost(
    collector: Collector, proxy: FaultProxy, protocol: str, fault: str
) -> None:
    cfg = _settings(proxy.endpoint, protocol, OTEL_EXPORTER_OTLP_TIMEOUT="10000").traces
    q, drops = _queue(lambda: span_exporter(cfg, "otlp"), queue=100)
    name = f"shutdown-{protocol}-{fault}"
    proxy.set(fault)
    q.put_many(_spans(name, 300))
    # Let the worker get inside its first attempt (the SDK exporter retries within its 10 s timeout).
    time.sleep(0.5)
    start = time.monotonic()
    q.shutdown(2.0)
    elapsed = time.monotonic() - start
    assert elapsed <= 2.5, f"shutdown took {elapsed:.2f}s"
    assert len(collector.received.spans_named(name)) + sum(drops.values()) == 300
    assert 175 <= drops["queue_full"] <= 200  # the queue held 100, and the worker perhaps one batch of 25


@pytest.mark.parametrize(
    ("code", "retry_after"),
    [
        pytest.param(grpc.StatusCode.RESOURCE_EXHAUSTED, 0.2, id="resource-exhausted-retry-info"),
        pytest.param(grpc.StatusCode.UNAVAILABLE, None, id="unavailable"),
    ],
)
def test_grpc_status_faults_are_retried_then_recover(
    code: grpc.StatusCode, retry_after: float | None, caplog: pytest.LogCaptureFixture
) -> None:
    with grpc_fault_server(code, retry_after) as server, caplog.at_level(logging.WARNING):
        cfg = _settings(server.endpoint, "grpc").traces
        q, drops = _queue(lambda: span_exporter(cfg, "otlp"), signal="grpc-status")
        q.put_many(_spans("grpc-status", 60))
        _wait(lambda: q.health.failing and server.calls >= 2, what="refused calls")
        server.accept.set()
        _wait(lambda: server.accepted_spans == 60, what="export to resume")
        q.shutdown(2.0)
    assert drops == {}
    assert len(_warnings(caplog, "grpc-status")) == 2


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_tls_misconfiguration_fails_fast_and_counts(
    collector: Collector, proxy: FaultProxy, protocol: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The collector speaks plaintext; the exporter insists on TLS.
    endpoint = proxy.endpoint.replace("http://", "https://")
    cfg = _settings(endpoint, protocol, OTEL_EXPORTER_OTLP_INSECURE="false").traces
    q, drops = _queue(lambda: span_exporter(cfg, "otlp"), signal=f"tls-{protocol}", retry_window_s=0.5)
    with caplog.at_level(logging.WARNING):
        start = time.monotonic()
        q.put_many(_spans("tls", 50))
        assert time.monotonic() - start < 2.0
        _wait(lambda: drops.get("export_failed", 0) == 50, what="the batches to be given up")
        q.shutdown(2.0)
    assert collector.received.spans_named("tls") == []
    assert sum(drops.values()) == 50
    messages = _warnings(caplog, f"tls-{protocol}")
    assert len(messages) == 1, messages
    assert "failing" in messages[0]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_logs_survive_a_collector_outage(
    collector: Collector, proxy: FaultProxy, protocol: str, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = _settings(proxy.endpoint, protocol).logs_export
    body = f"outage-{protocol}"
    q, drops = _queue(lambda: log_exporter(cfg, "otlp"), signal=body)
    with caplog.at_level(logging.WARNING):
        proxy.set("down")
        q.put_many(_logs(body, 80))
        _wait(lambda: q.health.failing, what="failing")
        proxy.set("pass")
        # Every record arrives. A batch can arrive twice: the first export after the outage reconnects, and
        # on a loaded machine its answer can miss the 1 s deadline after the collector took it (at least
        # once, see the RUNBOOK's known gaps).
        collector.wait_for(
            lambda r: {x["attributes"].get("i") for x in r.logs if x["body"] == body} == set(range(80)),
            timeout_s=30,
        )
        q.shutdown(2.0)
    assert drops == {}
    assert len(_warnings(caplog, body)) == 2
