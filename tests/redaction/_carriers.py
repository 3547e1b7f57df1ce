"""Push one value through each real carrier (span, log record, metric) and return what would be exported."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.trace import Link, StatusCode

from otelward.export._pipelines import _readable
from otelward.redaction import RedactionEngine, redact_metrics_data
from otelward.redaction._logs import redact_log_record
from otelward.redaction._spans import redact_span

__all__ = ["ended_span", "exported_span_text", "log_item", "through_log", "through_metric", "through_span"]


def ended_span(value: str, *, name: str = "op") -> ReadableSpan:
    """Return a finished SDK span carrying ``value`` in an attribute, an event, a link, the status."""
    provider = TracerProvider()
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("linked") as other:
        link_ctx = other.get_span_context()
    with tracer.start_as_current_span(name, links=[Link(link_ctx, {"link.note": value})]) as span:
        span.set_attribute("note", value)
        span.set_attribute("tags", ["a", value])
        span.add_event("evt", {"detail": value})
        span.record_exception(RuntimeError(f"failed: {value}"))
        span.set_status(StatusCode.ERROR, f"error with {value}")
    assert isinstance(span, ReadableSpan)
    return span


def exported_span_text(span: ReadableSpan) -> str:
    """Return everything an exporter would read from ``span`` (name, attributes, events, links, status)."""
    parts: list[Any] = [span.name, dict(span.attributes or {}), span.status.description]
    parts += [(e.name, dict(e.attributes or {})) for e in span.events]
    parts += [dict(lk.attributes or {}) for lk in span.links]
    return repr(parts)


def through_span(engine: RedactionEngine, value: str) -> str:
    """Return the exported text of a span carrying ``value`` everywhere, after redaction."""
    return exported_span_text(redact_span(engine, ended_span(value, name=f"op {value}")))


def log_item(message: str, *args: Any, **extra: Any) -> Any:
    """Return the queued form (``ReadableLogRecord``) of one ``logging`` call with an exception."""
    provider = LoggerProvider()
    exporter = InMemoryLogRecordExporter()
    captured: list[Any] = []

    class Capture(SimpleLogRecordProcessor):
        def on_emit(self, log_record: Any) -> None:
            captured.append(_readable(log_record))

    provider.add_log_record_processor(Capture(exporter))
    logger = logging.Logger("carrier-test")
    with warnings.catch_warnings():
        # The SDK handler is what otelward's logs module attaches today; its deprecation is not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        logger.addHandler(LoggingHandler(logger_provider=provider))
    try:
        raise ValueError(f"bad input {args[0] if args else message}")
    except ValueError:
        logger.exception(message, *args, extra=extra)
    provider.shutdown()
    return captured[0]


def through_log(engine: RedactionEngine, value: str) -> str:
    """Return the exported text of a log record with ``value`` in the message, an extra and the exception."""
    item = redact_log_record(engine, log_item("user said %s", value, note=value, nested_note={"v": value}))
    record = item.log_record
    return repr((record.body, dict(record.attributes or {})))


def through_metric(engine: RedactionEngine, value: str) -> str:
    """Return the exported data-point attributes of a counter labelled with ``value``."""
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    provider.get_meter("t").create_counter("c").add(1, {"label": value, "plan": "gold"})
    data = redact_metrics_data(engine, reader.get_metrics_data())
    provider.shutdown()
    return repr(
        [
            dict(p.attributes or {})
            for rm in data.resource_metrics
            for sm in rm.scope_metrics
            for m in sm.metrics
            for p in m.data.data_points
        ]
    )
