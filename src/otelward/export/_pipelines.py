"""The span and log pipelines: short chains of small stages between the SDK and the export queues.

Spans::

    span ends ─▶ observers (RED metrics: every span, before sampling)
              ─▶ selector (tail sampler: buffers a local trace, decides, emits kept spans)
              ─▶ export queue ─(worker thread)─▶ transforms (redaction) ─▶ exporter

Log records::

    record ─▶ filters (e.g. logs follow traces) ─▶ export queue ─(worker)─▶ transforms (redaction) ─▶ exporter

Every stage is guarded: an exception in one is logged once and the item continues (or is dropped and
counted) — the application never sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from opentelemetry.sdk._logs import LogRecordProcessor
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from otelward._ratelimit import log_once

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk._logs import ReadWriteLogRecord

    from otelward.export import BatchExporter

__all__ = [
    "Emit",
    "KeepSampled",
    "LogPipeline",
    "SpanObserver",
    "SpanPipeline",
    "SpanSelector",
]

_log = logging.getLogger("otelward.export._pipelines")

Emit = Callable[[Sequence[ReadableSpan]], None]
"""Hands spans that are to be exported to the export queues."""

SpanObserver = Callable[[ReadableSpan], None]
"""Sees every ended span before any sampling (RED metrics)."""


class SpanSelector(Protocol):
    """Decides which ended spans are exported; may hold spans back until their trace is decided."""

    def on_start(self, span: Span, parent_context: Context | None) -> None:
        """Note a started span (e.g. to know a local trace is still open)."""

    def on_end(self, span: ReadableSpan, emit: Emit) -> None:
        """Take an ended span; call ``emit`` with the spans to export now (this one or a whole trace)."""

    def shutdown(self, emit: Emit) -> None:
        """Decide everything still buffered and emit what is kept."""


class KeepSampled:
    """The selector used without tail sampling: export spans whose W3C sampled flag is set."""

    def on_start(self, span: Span, parent_context: Context | None) -> None:
        """Nothing to track."""

    def on_end(self, span: ReadableSpan, emit: Emit) -> None:
        """Emit the span if it was sampled."""
        if span.context is not None and span.context.trace_flags.sampled:
            emit((span,))

    def shutdown(self, emit: Emit) -> None:
        """Nothing is buffered."""


class SpanPipeline(SpanProcessor):
    """The one span processor otelward registers; it runs the stages in order.

    Args:
        observers: called with every ended span, sampled or not.
        selector: the sampling stage.
        queues: export queues that receive the selected spans.
    """

    def __init__(
        self,
        observers: Sequence[SpanObserver],
        selector: SpanSelector,
        queues: Sequence[BatchExporter[ReadableSpan]],
        shutdown_timeout_s: float = 2.0,
    ) -> None:
        self.observers = list(observers)
        self.selector = selector
        self.queues = list(queues)
        self._timeout = shutdown_timeout_s
        self._decided = False

    def emit(self, spans: Sequence[ReadableSpan]) -> None:
        """Queue ``spans`` on every export queue."""
        for queue in self.queues:
            queue.put_many(spans)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Let the selector track the new span."""
        try:
            self.selector.on_start(span, parent_context)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(
                _log, "selector.on_start", "otelward: sampling stage failed on span start", exc_info=True
            )

    def on_end(self, span: ReadableSpan) -> None:
        """Run observers, then the selector, which emits to the export queues."""
        for observer in self.observers:
            try:
                observer(span)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(_log, f"observer:{observer!r}", "otelward: a span observer failed", exc_info=True)
        try:
            self.selector.on_end(span, self.emit)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(
                _log,
                "selector.on_end",
                "otelward: sampling stage failed; exporting the span as is",
                exc_info=True,
            )
            self.emit((span,))

    def decide_pending(self) -> None:
        """Let the selector decide every buffered trace now (once); kept spans go to the queues."""
        if self._decided:
            return
        self._decided = True
        try:
            self.selector.shutdown(self.emit)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("selector shutdown failed", exc_info=True)

    def shutdown(self) -> None:
        """Decide buffered traces, then flush and stop the queues within the shutdown timeout."""
        self.decide_pending()
        for queue in self.queues:
            queue.shutdown(self._timeout)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait until the queued spans were handed to the exporters."""
        return all(queue.flush(timeout_millis / 1000.0) for queue in self.queues)


LogFilter = Callable[["ReadWriteLogRecord"], bool]


def _readable(record: ReadWriteLogRecord) -> Any:
    # The SDK's batch processor does the same: detach the context so the queue holds no span objects.
    import copy

    from opentelemetry.context import Context
    from opentelemetry.sdk._logs import ReadableLogRecord
    from opentelemetry.sdk.resources import Resource

    api_record = copy.copy(record.log_record)
    api_record.context = Context()
    return ReadableLogRecord(
        log_record=api_record,
        resource=record.resource if record.resource is not None else Resource.get_empty(),
        instrumentation_scope=record.instrumentation_scope,
        limits=record.limits,
    )


class LogPipeline(LogRecordProcessor):
    """The one log record processor otelward registers: filters, then the export queues."""

    def __init__(
        self,
        filters: Sequence[LogFilter],
        queues: Sequence[BatchExporter[Any]],
        shutdown_timeout_s: float = 2.0,
    ) -> None:
        self.filters = list(filters)
        self.queues = list(queues)
        self._timeout = shutdown_timeout_s

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        """Queue the record unless a filter rejects it."""
        for keep in self.filters:
            try:
                if not keep(log_record):
                    return
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(
                    _log, "log-filter", "otelward: a log filter failed; keeping the record", exc_info=True
                )
        item = _readable(log_record)
        for queue in self.queues:
            queue.put(item)

    def shutdown(self) -> None:
        """Flush and stop the queues within the shutdown timeout."""
        for queue in self.queues:
            queue.shutdown(self._timeout)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait until the queued records were handed to the exporters."""
        return all(queue.flush(timeout_millis / 1000.0) for queue in self.queues)
