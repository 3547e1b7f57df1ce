"""Per-span and per-log-record cost of otelward's pipelines, next to the SDK's stock processors.

Spans carry 5 attributes, like an instrumented request's server span. Every pipeline runs its real export
thread with an exporter that discards, so queueing and the hand-off to the worker are included.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from otelward.config import Settings
from otelward.export import BatchExporter
from otelward.export._pipelines import LogPipeline, SpanPipeline
from otelward.metrics import build_red, build_span_observers
from otelward.sampling import build_head_sampler, build_selector

ATTRS = {
    "http.request.method": "GET",
    "url.path": "/users/1",
    "http.route": "/users/<int:user_id>",
    "http.response.status_code": 200,
    "server.address": "127.0.0.1",
}


class NullSpanExporter(SpanExporter):
    """Discard spans, counting them."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, spans: Sequence[Any]) -> SpanExportResult:
        self.count += len(spans)
        return SpanExportResult.SUCCESS


class NullLogExporter(LogRecordExporter):
    """Discard log records, counting them."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        self.count += len(batch)
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered."""
        return True


def _bridge(provider: LoggerProvider) -> logging.Handler:
    # The SDK's LoggingHandler is deprecated in favour of opentelemetry-instrumentation-logging's; it is
    # still what otelward.logs attaches today, so it is what is measured.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return LoggingHandler(logger_provider=provider)


def _span(tracer: trace.Tracer) -> None:
    with tracer.start_as_current_span(
        "GET /users/<int:user_id>", kind=trace.SpanKind.SERVER, attributes=ATTRS
    ):
        pass


def _otelward_provider(settings: Settings) -> tuple[TracerProvider, SpanPipeline, MeterProvider]:
    meters = MeterProvider(metric_readers=[InMemoryMetricReader()])
    queue: BatchExporter[Any] = BatchExporter(
        "traces",
        NullSpanExporter,
        max_queue_size=settings.export.queue_size,
        max_batch_size=settings.export.batch_size,
        schedule_delay_s=settings.export.schedule_delay_s,
    )
    pipeline = SpanPipeline(
        build_span_observers(settings, build_red(settings)), build_selector(settings), [queue]
    )
    provider = TracerProvider(sampler=build_head_sampler(settings), shutdown_on_exit=False)
    provider.add_span_processor(pipeline)
    return provider, pipeline, meters


@pytest.fixture
def ward_tracer(settings: Settings) -> Iterator[trace.Tracer]:
    provider, _, meters = _otelward_provider(settings)
    yield provider.get_tracer("bench")
    provider.shutdown()
    meters.shutdown()


@pytest.fixture
def sdk_tracer() -> Iterator[trace.Tracer]:
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(NullSpanExporter()))
    yield provider.get_tracer("bench")
    provider.shutdown()


@pytest.mark.benchmark(group="span start+end")
def test_span_noop_tracer(benchmark: Any) -> None:
    benchmark(_span, trace.NoOpTracer())


@pytest.mark.benchmark(group="span start+end")
def test_span_sdk_batch_processor(benchmark: Any, sdk_tracer: trace.Tracer) -> None:
    benchmark(_span, sdk_tracer)


@pytest.mark.benchmark(group="span start+end")
def test_span_otelward_pipeline(benchmark: Any, ward_tracer: trace.Tracer) -> None:
    benchmark(_span, ward_tracer)


@pytest.mark.benchmark(group="span observers (RED)")
def test_span_observers(benchmark: Any, settings: Settings) -> None:
    """The RED observers alone, on one ended server span (no observers yet = the loop's own cost)."""
    provider = TracerProvider(shutdown_on_exit=False)
    span = provider.get_tracer("bench").start_span(
        "GET /users/<int:user_id>", kind=trace.SpanKind.SERVER, attributes=ATTRS
    )
    span.end()
    meters = MeterProvider(metric_readers=[InMemoryMetricReader()])
    pipeline = SpanPipeline(build_span_observers(settings, build_red(settings)), build_selector(settings), [])

    def observe() -> None:
        for observer in pipeline.observers:
            observer(span)  # type: ignore[arg-type]

    benchmark(observe)
    meters.shutdown()


@pytest.fixture
def quiet_logger() -> Iterator[logging.Logger]:
    """A logger that propagates nowhere, so each benchmark attaches exactly the handler it measures."""
    logger = logging.getLogger("bench.micro")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def _null_stream_handler() -> logging.Handler:
    import io

    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    return handler


@pytest.mark.benchmark(group="log record")
def test_log_plain_stream(benchmark: Any, quiet_logger: logging.Logger) -> None:
    handler = _null_stream_handler()
    quiet_logger.addHandler(handler)

    def emit() -> None:
        quiet_logger.info("served user %s", 1)
        handler.stream.seek(0)  # type: ignore[attr-defined]
        handler.stream.truncate()  # type: ignore[attr-defined]

    benchmark(emit)


@pytest.mark.benchmark(group="log record")
def test_log_sdk_batch_processor(benchmark: Any, quiet_logger: logging.Logger) -> None:
    provider = LoggerProvider(shutdown_on_exit=False)
    provider.add_log_record_processor(BatchLogRecordProcessor(NullLogExporter()))
    quiet_logger.addHandler(_bridge(provider))
    benchmark(quiet_logger.info, "served user %s", 1)
    provider.shutdown()


@pytest.mark.benchmark(group="log record")
def test_log_otelward_pipeline(benchmark: Any, quiet_logger: logging.Logger, settings: Settings) -> None:
    """otelward's OTLP bridge: SDK LoggingHandler into LogPipeline and its export queue."""
    provider = LoggerProvider(shutdown_on_exit=False)
    queue: BatchExporter[Any] = BatchExporter(
        "logs",
        NullLogExporter,
        max_queue_size=settings.export.queue_size,
        max_batch_size=settings.export.batch_size,
    )
    provider.add_log_record_processor(LogPipeline(filters=[], queues=[queue]))
    quiet_logger.addHandler(_bridge(provider))
    benchmark(quiet_logger.info, "served user %s", 1)
    provider.shutdown()
