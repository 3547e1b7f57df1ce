"""The stdlib OTLP encoder writes what the SDK's protobuf encoders write.

Both encodings of the same SDK objects are parsed with protobuf's own generated OTLP messages and compared;
hypothesis draws the attribute values (every AnyValue kind, zero values, nesting).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs as sdk_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics as sdk_metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as sdk_spans
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    set_span_in_context,
)
from opentelemetry.trace.span import TraceState

from otelward.export import _proto

RESOURCE = Resource({"service.name": "shop", "service.instance.id": "i-1"}, "https://schema/1")
SCALARS = st.one_of(
    st.text(max_size=12),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.binary(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
ATTRS = st.dictionaries(st.text(min_size=1, max_size=10), SCALARS | st.lists(st.text(max_size=4), max_size=3))


def _spans(attrs: dict[str, Any]) -> list[Any]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=RESOURCE)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("shop.scope", "2.0", "https://schema/scope")
    remote = SpanContext(0xABC, 0xDEF, True, TraceFlags(1), TraceState([("ot", "th:8")]))
    with tracer.start_as_current_span(
        "GET /x",
        context=set_span_in_context(NonRecordingSpan(remote)),
        kind=SpanKind.SERVER,
        attributes=attrs,
    ) as span:
        span.add_event("ev", {"n": 0, "ok": False})
        with provider.get_tracer("other").start_as_current_span(
            "child", links=[Link(remote, {"why": "retry"})]
        ) as child:
            child.set_status(Status(StatusCode.ERROR, "boom"))
    with tracer.start_as_current_span("plain", kind=SpanKind.CONSUMER):
        pass
    return list(exporter.get_finished_spans())


@settings(max_examples=60, deadline=None)
@given(ATTRS)
def test_spans_encode_as_the_sdk_encodes_them(attrs: dict[str, Any]) -> None:
    spans = _spans(attrs)
    ours = ExportTraceServiceRequest.FromString(_proto.encode_spans(spans))
    assert ours == sdk_spans(spans)


def _log(body: Any, attrs: dict[str, Any], **kw: Any) -> ReadableLogRecord:
    return ReadableLogRecord(
        LogRecord(timestamp=1_700_000_000_000_000_001, body=body, attributes=attrs, **kw),
        RESOURCE,
        InstrumentationScope("app.logger", None),
    )


@settings(max_examples=60, deadline=None)
@given(VALUES, ATTRS)
def test_log_records_encode_as_the_sdk_encodes_them(body: Any, attrs: dict[str, Any]) -> None:
    ctx = set_span_in_context(NonRecordingSpan(SpanContext(0x1234, 0x56, False, TraceFlags(1))))
    records = [
        _log(body, attrs, context=ctx, severity_number=SeverityNumber.INFO, severity_text="INFO"),
        _log(None, {}, severity_number=SeverityNumber.ERROR, severity_text="ERROR", event_name="e"),
    ]
    ours = ExportLogsServiceRequest.FromString(_proto.encode_logs(records))
    assert ours == sdk_logs(records)


def _metrics() -> Any:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader], resource=RESOURCE)
    meter = provider.get_meter("shop.metrics", "1.2")
    tracer = TracerProvider().get_tracer("t")
    meter.create_counter("orders", unit="{order}", description="Orders.").add(3, {"tier": "gold"})
    meter.create_counter("zero").add(0)
    meter.create_up_down_counter("queue").add(-2.5, {"q": "a"})
    meter.create_gauge("temp", unit="Cel").set(0.0)
    meter.create_gauge("ints").set(7)
    hist = meter.create_histogram("http.server.request.duration", unit="s")
    with tracer.start_as_current_span("req"):
        hist.record(0.2, {"http.route": "/a"})
        hist.record(0.0, {"http.route": "/a"})
    hist.record(3.0, {"http.route": "/b"})
    data = reader.get_metrics_data()
    provider.shutdown()
    return data


def test_metrics_encode_as_the_sdk_encodes_them() -> None:
    data = _metrics()
    ours = ExportMetricsServiceRequest.FromString(_proto.encode_metrics(data))
    expected = sdk_metrics(data)
    assert ours == expected
    assert len(expected.resource_metrics[0].scope_metrics[0].metrics) == 6


def test_otelward_bucket_histograms_with_exemplars_encode_as_the_sdk_encodes_them() -> None:
    from otelward.config import Settings
    from otelward.metrics import build_red
    from otelward.metrics._exemplars import TraceLedger

    ledger = TraceLedger()
    red = build_red(Settings.from_env({}), ledger, RESOURCE)
    hist = red.histogram("otelward.operation.duration")
    assert hist is not None
    hist.record(("job", "consumer", "ok"), 0.07, 0xA1, 0x11, True)
    ledger.exported([0xA1])
    data = red.merge_into(None)
    assert ExportMetricsServiceRequest.FromString(_proto.encode_metrics(data)) == sdk_metrics(data)


def test_unknown_metric_data_is_refused_so_the_sdk_encoder_takes_the_batch() -> None:
    reader = InMemoryMetricReader()
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

    provider = MeterProvider(
        metric_readers=[reader],
        views=[View(instrument_name="h", aggregation=ExponentialBucketHistogramAggregation())],
    )
    provider.get_meter("m").create_histogram("h").record(1.5)
    with pytest.raises(_proto.UnsupportedError):
        _proto.encode_metrics(reader.get_metrics_data())
    provider.shutdown()


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1], ids=["too-big", "too-small"])
def test_an_int_attribute_out_of_int64_range_is_skipped_like_the_sdk_does(value: int) -> None:
    records = [_log("x", {"big": value, "ok": 1})]
    ours = ExportLogsServiceRequest.FromString(_proto.encode_logs(records))
    assert [kv.key for kv in ours.resource_logs[0].scope_logs[0].log_records[0].attributes] == ["ok"]


@settings(max_examples=50, deadline=None)
@given(st.integers(-(2**63), 2**63 - 1), st.text(max_size=30), st.sampled_from(["trace", "logs", "metrics"]))
def test_partial_success_decodes_as_protobuf_wrote_it(rejected: int, message: str, package: str) -> None:
    import importlib

    module = importlib.import_module(f"opentelemetry.proto.collector.{package}.v1.{package}_service_pb2")
    prefix = {"trace": "Trace", "logs": "Logs", "metrics": "Metrics"}[package]
    field = {"trace": "rejected_spans", "logs": "rejected_log_records", "metrics": "rejected_data_points"}[
        package
    ]
    response = getattr(module, f"Export{prefix}ServiceResponse")()
    setattr(response.partial_success, field, rejected)
    response.partial_success.error_message = message
    assert _proto.decode_partial(response.SerializeToString()) == (rejected, message)


@pytest.mark.parametrize(
    "answer", [b"\x0a\x05\x08", b"\x0f", b"\x0a\xff"], ids=["truncated", "wire-7", "length"]
)
def test_a_malformed_answer_raises_value_error(answer: bytes) -> None:
    with pytest.raises(ValueError, match=r"."):
        _proto.decode_partial(answer)
