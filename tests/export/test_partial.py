"""Partial success: the real OTLP exporters, as otelward builds them, against real endpoints that reject part
of every request (HTTP 200 / gRPC OK with ``partial_success``).

The rejected items are counted in ``otelward.dropped{reason=rejected}``, one warning per signal names the
count and the collector's reason, the export still succeeds and nothing is sent twice.

Playbook: docs/ops/playbooks/collector-outage.md ("The collector rejects part of the data").
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry import metrics
from opentelemetry._logs import LogRecord
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter

from otelward.config import Settings
from otelward.export import log_exporter, metric_exporter, span_exporter
from otelward.export._lazy_metrics import CUMULATIVE
from otelward.export._partial import clip, watch
from tests.export.grpc_faults import grpc_partial_server
from tests.export.partial_endpoint import Rejecter, partial_endpoint

pytestmark = pytest.mark.integration

PROTOCOLS = {"http": "http/protobuf", "grpc": "grpc"}
CASES = [
    pytest.param(signal, protocol, id=f"{signal}-{short}")
    for signal in ("traces", "logs", "metrics")
    for short, protocol in PROTOCOLS.items()
]
# A reason with a newline and a terminal escape: it must not forge a second log line or colour the console.
REASON = "attribute too long\nFAKE LOG LINE \x1b[31m" + "x" * 300


@pytest.fixture
def self_metrics() -> InMemoryMetricReader:
    """Install a global meter provider, where otelward's self-metrics are recorded, and return its reader."""
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return reader


def _rejected(reader: InMemoryMetricReader, signal: str) -> int:
    data = reader.get_metrics_data()
    return sum(
        int(point.value)
        for rm in (data.resource_metrics if data else [])
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == "otelward.dropped"
        for point in m.data.data_points
        if dict(point.attributes or {}) == {"signal": signal, "reason": "rejected"}
    )


@contextmanager
def _endpoint(protocol: str, per_request: int, message: str) -> Iterator[Rejecter]:
    serve = grpc_partial_server if protocol == "grpc" else partial_endpoint
    with serve(per_request, message) as endpoint:
        yield endpoint


def _exporter(signal: str, endpoint: str, protocol: str) -> Any:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_EXPORTER_OTLP_TIMEOUT": "5000",
    }
    settings = Settings.from_env(env)
    if signal == "traces":
        return span_exporter(settings.traces, "otlp")
    if signal == "logs":
        return log_exporter(settings.logs_export, "otlp")
    return metric_exporter(settings.metrics_export, "otlp", CUMULATIVE)


def _batch(signal: str, n: int) -> Any:
    """Return ``n`` items of ``signal`` in the form its exporter takes."""
    if signal == "traces":
        tracer = TracerProvider().get_tracer("partial")
        spans = [tracer.start_span(f"span {i}") for i in range(n)]
        for span in spans:
            span.end()
        return spans
    if signal == "logs":
        resource = Resource.create({"service.name": "partial"})
        return [ReadableLogRecord(LogRecord(body=f"record {i}"), resource=resource) for i in range(n)]
    reader = InMemoryMetricReader()
    counter = MeterProvider(metric_readers=[reader]).get_meter("partial").create_counter("items")
    for i in range(n):
        counter.add(1, {"i": i})  # one data point per attribute set
    return reader.get_metrics_data()


def _otelward_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("otelward") and r.levelno >= 30]


@pytest.mark.parametrize(("signal", "protocol"), CASES)
def test_rejected_items_are_counted_and_warned_once_and_not_retried(
    signal: str, protocol: str, self_metrics: InMemoryMetricReader, caplog: pytest.LogCaptureFixture
) -> None:
    exports = 8
    with _endpoint(protocol, 3, REASON) as endpoint, caplog.at_level(logging.WARNING):
        exporter = _exporter(signal, endpoint.endpoint, protocol)
        results = [exporter.export(_batch(signal, 5)) for _ in range(exports)]
        exporter.shutdown()
    assert [r.name for r in results] == ["SUCCESS"] * exports
    assert endpoint.requests == exports, "a partial success must not be retried"
    assert endpoint.received == 5 * exports
    assert endpoint.rejected == 3 * exports
    assert _rejected(self_metrics, signal) == endpoint.rejected
    warnings = _otelward_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert f"rejected 3 {signal} items" in warnings[0]
    assert "attribute too long\\nFAKE LOG LINE \\x1b[31m" in warnings[0]
    assert "\n" not in warnings[0]
    assert "\x1b" not in warnings[0]
    assert "x" * 300 not in warnings[0]  # the reason is cut


def test_rejections_are_read_after_a_grpc_reconnect(self_metrics: InMemoryMetricReader) -> None:
    with grpc_partial_server(2) as server:
        server.unavailable = 1  # the exporter closes its channel and builds a new stub, then retries
        exporter = _exporter("traces", server.endpoint, "grpc")
        results = [exporter.export(_batch("traces", 5)) for _ in range(3)]
        exporter.shutdown()
    assert [r.name for r in results] == ["SUCCESS"] * 3
    assert server.rejected == 6
    assert _rejected(self_metrics, "traces") == 6


@pytest.mark.parametrize("protocol", PROTOCOLS.values(), ids=PROTOCOLS.keys())
@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("", [], id="full-success"),
        pytest.param("schema_url is deprecated", ["warned"], id="warning-only"),
    ],
)
def test_answers_without_rejections_count_nothing(
    protocol: str,
    message: str,
    expected: list[str],
    self_metrics: InMemoryMetricReader,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with _endpoint(protocol, 0, message) as endpoint, caplog.at_level(logging.WARNING):
        exporter = _exporter("traces", endpoint.endpoint, protocol)
        results = [exporter.export(_batch("traces", 4)) for _ in range(5)]
        exporter.shutdown()
    assert [r.name for r in results] == ["SUCCESS"] * 5
    assert _rejected(self_metrics, "traces") == 0
    warnings = _otelward_warnings(caplog)
    assert [w for w in expected if any(w in m and message in m for m in warnings)] == expected
    assert len(warnings) == len(expected), warnings


def test_an_unreadable_answer_still_counts_as_exported(
    self_metrics: InMemoryMetricReader, caplog: pytest.LogCaptureFixture
) -> None:
    with partial_endpoint(3) as endpoint, caplog.at_level(logging.WARNING):
        endpoint.body = b"\xff\xff\xff"  # a truncated varint: not a protobuf message
        exporter = _exporter("traces", endpoint.endpoint, "http/protobuf")
        result = exporter.export(_batch("traces", 5))
        exporter.shutdown()
    assert result.name == "SUCCESS"
    assert endpoint.requests == 1
    assert _rejected(self_metrics, "traces") == 0
    assert _otelward_warnings(caplog) == []


def test_an_exporter_without_the_known_seams_is_left_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    exporter = ConsoleSpanExporter(out=io.StringIO())
    with caplog.at_level(logging.DEBUG, logger="otelward"):
        assert watch(exporter, "traces") is exporter
        watch(ConsoleSpanExporter(out=exporter.out), "traces")
    assert exporter.export(_batch("traces", 2)).name == "SUCCESS"
    exporter.shutdown()
    debug = [r for r in caplog.records if "cannot read partial success" in r.getMessage()]
    assert len(debug) == 1
    assert all(r.levelno == logging.DEBUG for r in debug)


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_clip_returns_one_bounded_printable_line(text: str, limit: int) -> None:
    out = clip(text, limit)
    assert out.isprintable()
    assert len(out) <= limit + len("...")
    if text.isprintable() and len(text) <= limit:
        assert out == text
