"""RED metrics for entry spans without an HTTP duration metric, recorded from every ended span."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward.config import Settings
from otelward.export._pipelines import SpanPipeline
from otelward.metrics import build_red, build_span_observers, build_views, register_process_metrics
from otelward.metrics._red import classify
from otelward.sampling import KeepSampled


@pytest.mark.parametrize(
    ("name", "kind", "attrs", "error", "expected"),
    [
        ("GET /users/<id>", SpanKind.SERVER, {"http.request.method": "GET"}, False, None),
        ("GET /old", SpanKind.SERVER, {"http.method": "GET"}, False, None),
        ("query", SpanKind.CLIENT, {}, False, None),
        ("work", SpanKind.INTERNAL, {}, True, None),
        (
            "shop.Cart/Add",
            SpanKind.SERVER,
            {"rpc.service": "shop.Cart", "rpc.method": "Add"},
            True,
            {
                "otelward.operation": "shop.Cart/Add",
                "otelward.span.kind": "server",
                "otelward.outcome": "error",
            },
        ),
        (
            "orders process",
            SpanKind.CONSUMER,
            {},
            False,
            {
                "otelward.operation": "orders process",
                "otelward.span.kind": "consumer",
                "otelward.outcome": "ok",
            },
        ),
    ],
    ids=["http-stable", "http-old", "client", "internal", "grpc-error", "consumer-ok"],
)
def test_classify(name, kind, attrs, error, expected) -> None:
    assert classify(name, kind, attrs, error) == expected


class _ProducingReader(InMemoryMetricReader):
    """What the OTLP and pull readers do: the SDK's collection plus otelward's bucket histograms."""

    def __init__(self, producer):
        super().__init__()
        self._producer = producer

    def get_metrics_data(self):
        return self._producer.merge_into(super().get_metrics_data())


def _setup(env):
    settings = Settings.from_env(env)
    red = build_red(settings)
    reader = _ProducingReader(red)
    meters = MeterProvider(metric_readers=[reader], views=build_views(settings))
    pipeline = SpanPipeline(build_span_observers(settings, red), KeepSampled(), [])
    if settings.metrics.runtime_metrics:
        register_process_metrics(meters)
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(pipeline)
    return reader, tracer_provider, meters


def _points(reader, name):
    data = reader.get_metrics_data()
    return [
        dp
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == name
        for dp in m.data.data_points
    ]


def test_observer_records_consumer_and_grpc_spans_and_skips_http() -> None:
    reader, tracer_provider, _ = _setup({"OTELWARD_METRICS_DURATION_BUCKETS": "0.05,0.1"})
    tracer = tracer_provider.get_tracer("t")
    for _ in range(3):
        with tracer.start_as_current_span("orders process", kind=SpanKind.CONSUMER):
            pass
    with tracer.start_as_current_span("shop.Cart/Add", kind=SpanKind.SERVER) as span:
        span.set_status(Status(StatusCode.ERROR))
    with tracer.start_as_current_span(
        "GET /x", kind=SpanKind.SERVER, attributes={"http.request.method": "GET"}
    ):
        pass
    points = {
        (dp.attributes["otelward.operation"], dp.attributes["otelward.outcome"]): dp
        for dp in _points(reader, "otelward.operation.duration")
    }
    assert {k: dp.count for k, dp in points.items()} == {
        ("orders process", "ok"): 3,
        ("shop.Cart/Add", "error"): 1,
    }
    assert list(points[("orders process", "ok")].explicit_bounds) == [0.05, 0.1]


def test_operations_beyond_the_limit_are_recorded_as_other() -> None:
    reader, tracer_provider, _ = _setup({"OTELWARD_METRICS_CARDINALITY_LIMIT": "10"})
    tracer = tracer_provider.get_tracer("t")
    for i in range(15):
        with tracer.start_as_current_span(f"job-{i}", kind=SpanKind.CONSUMER):
            pass
    ops = {
        dp.attributes["otelward.operation"]: dp.count for dp in _points(reader, "otelward.operation.duration")
    }
    assert len(ops) == 11
    assert ops["_OTHER"] == 5
    assert sum(ops.values()) == 15


def test_process_metrics_report_this_process() -> None:
    import os

    reader, _, _ = _setup({})
    names = {
        m.name: m
        for rm in reader.get_metrics_data().resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    }
    assert {
        "process.cpu.time",
        "process.memory.usage",
        "process.thread.count",
        "process.unix.file_descriptor.count",
        "cpython.gc.collections",
    } <= set(names)
    (rss,) = names["process.memory.usage"].data.data_points
    assert rss.value > 10 * 1024 * 1024
    (fds,) = names["process.unix.file_descriptor.count"].data.data_points
    assert abs(fds.value - len(os.listdir("/proc/self/fd"))) <= 2


def test_runtime_metrics_can_be_turned_off() -> None:
    reader, _, _ = _setup({"OTELWARD_RUNTIME_METRICS": "false"})
    data = reader.get_metrics_data()
    names = {
        m.name
        for rm in (data.resource_metrics if data else [])
        for sm in rm.scope_metrics
        for m in sm.metrics
    }
    assert "process.memory.usage" not in names
