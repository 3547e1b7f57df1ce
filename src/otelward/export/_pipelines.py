"""The span and log processors otelward registers: short chains of small stages feeding the export queues.

Spans::

    span ends ─▶ observers (RED metrics: every span, before sampling)
              ─▶ selector (tail sampler: buffers a local trace, decides, returns the kept spans)
              ─▶ export queues ─(worker thread)─▶ transforms (redaction) ─▶ exporter

Log records::

    record ─▶ filters (e.g. logs follow traces: hold with the trace) ─▶ export queues ─▶ ...
    trace kept ─▶ held records ─▶ export queues          (the selector publishes, nothing loops back)

Stdlib lines arrive through :meth:`LogPipeline.offer` as a :class:`~otelward.logs._held.HeldLog`, not an SDK
record: the filters read its trace fields, the selector holds it, and the SDK record is built
(:meth:`~otelward.logs._held.HeldLog.materialize`, through :func:`emitted`) only when it goes to the queues.

Every stage is guarded: an exception in one is logged once and the item continues (or is dropped and
counted) — the application never sees it.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from opentelemetry.sdk._logs import LogRecordProcessor
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from otelward._ratelimit import log_once

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk._logs import ReadWriteLogRecord

    from otelward.export._batch import BatchExporter

__all__ = [
    "LogFilter",
    "LogPipeline",
    "LogSink",
    "SpanObserver",
    "SpanPipeline",
    "SpanSelector",
    "emitted",
    "log_sink",
]

_log = logging.getLogger("otelward.pipeline")

SpanObserver = Callable[[ReadableSpan], None]
"""Sees every ended span before any sampling (RED metrics)."""

LogFilter = Callable[["ReadWriteLogRecord"], bool]
"""Returns True to export a record now; False when it is dropped or held (a held record is released later)."""

LogSink = Callable[[Sequence["ReadWriteLogRecord"]], None]
"""Puts log records on the export queues."""


class SpanSelector(Protocol):
    """Decides which ended spans are exported; may hold spans back until their trace is decided."""

    def on_start(self, span: Span, parent_context: Context | None) -> None:
        """Note a started span (e.g. to know a local trace is still open)."""

    def on_end(self, span: ReadableSpan) -> Sequence[ReadableSpan]:
        """Take an ended span; return the spans to export now (none, this one, or a whole trace)."""

    def shutdown(self) -> Sequence[ReadableSpan]:
        """Decide everything still buffered; return what is kept."""


class SpanPipeline(SpanProcessor):
    """The one span processor otelward registers; it runs the stages in order.

    Args:
        observers: called with every ended span, sampled or not.
        selector: the sampling stage.
        queues: export queues that receive the selected spans.
        shutdown_timeout_s: how long :meth:`shutdown` waits for each queue.
        lean_spans: otelward's instrumentations may hand it lean spans (``OTELWARD_LEAN_SPANS``): spans
            with a ``to_readable()``, built into SDK ``ReadableSpan`` objects only when they are exported.
    """

    def __init__(
        self,
        observers: Sequence[SpanObserver],
        selector: SpanSelector,
        queues: Sequence[BatchExporter[ReadableSpan]],
        shutdown_timeout_s: float = 2.0,
        *,
        lean_spans: bool = False,
    ) -> None:
        self.lean_spans = lean_spans
        self.observers = list(observers)
        self.selector = selector
        self.queues = list(queues)
        self._timeout = shutdown_timeout_s
        self._decided = False

    def _export(self, spans: Sequence[ReadableSpan]) -> None:
        if self.lean_spans:
            built = _materialized(spans)
            if len(built) < len(spans):
                for queue in self.queues:
                    queue.count_dropped("build_failed", len(spans) - len(built))
            spans = built
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
        """Run observers, then the selector; queue what it selects."""
        for observer in self.observers:
            try:
                observer(span)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(_log, f"observer:{observer!r}", "otelward: a span observer failed", exc_info=True)
        try:
            selected = self.selector.on_end(span)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(
                _log,
                "selector.on_end",
                "otelward: sampling stage failed; exporting the span as is",
                exc_info=True,
            )
            selected = (span,)
        if selected:
            self._export(selected)

    def decide_pending(self) -> None:
        """Let the selector decide every buffered trace now (once); kept spans go to the queues."""
        if self._decided:
            return
        self._decided = True
        try:
            selected = self.selector.shutdown()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("selector shutdown failed", exc_info=True)
            return
        if selected:
            self._export(selected)

    def shutdown(self) -> None:
        """Decide buffered traces, then flush and stop the queues within the shutdown timeout."""
        self.decide_pending()
        for queue in self.queues:
            queue.shutdown(self._timeout)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait until the queued spans were handed to the exporters."""
        return all(queue.flush(timeout_millis / 1000.0) for queue in self.queues)


def _materialized(spans: Sequence[Any]) -> list[ReadableSpan]:
    """Return ``spans`` with each lean span built into its SDK ``ReadableSpan`` (one that fails is dropped)."""
    out: list[ReadableSpan] = []
    for span in spans:
        to_readable = getattr(span, "to_readable", None)
        if to_readable is None:
            out.append(span)
            continue
        try:
            out.append(to_readable())
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(
                _log, "lean-span", "otelward: building an SDK span from a lean span failed", exc_info=True
            )
    return out


def _readable(record: ReadWriteLogRecord) -> Any:
    # The SDK's batch processor does the same: detach the context so the queue holds no span objects.
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


_capture = threading.local()


def emitted(emit: Callable[[], None]) -> list[ReadWriteLogRecord]:
    """Run ``emit`` (an SDK ``Logger.emit`` call); return the records the log pipeline received meanwhile.

    While it runs, :meth:`LogPipeline.on_emit` of this thread collects the record instead of filtering and
    queueing it: a held record was filtered (and counted) when it was offered.
    """
    out: list[ReadWriteLogRecord] = []
    previous = getattr(_capture, "out", None)
    _capture.out = out
    try:
        emit()
    finally:
        _capture.out = previous
    return out


def _records(record: Any) -> Sequence[Any]:
    materialize = getattr(record, "materialize", None)
    if materialize is None:
        return (record,)
    try:
        return materialize()  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        log_once(_log, "log-materialize", "otelward: building an OTLP log record failed", exc_info=True)
        return ()


def log_sink(queues: Sequence[BatchExporter[Any]]) -> LogSink:
    """Return the function that puts log records on ``queues`` (what filters release held records to).

    Held records (:class:`~otelward.logs._held.HeldLog`) become SDK records here, once each.
    """

    def put(records: Sequence[ReadWriteLogRecord]) -> None:
        for held in records:
            for record in _records(held):
                item = _readable(record)
                for queue in queues:
                    queue.put(item)

    return put


class LogPipeline(LogRecordProcessor):
    """The one log record processor otelward registers: filters, then the export queues.

    Args:
        filters: consulted in order; the first that returns False stops the record (dropped or held).
        queues: the export queues.
        shutdown_timeout_s: how long :meth:`shutdown` waits for each queue.
    """

    def __init__(
        self,
        filters: Sequence[LogFilter],
        queues: Sequence[BatchExporter[Any]],
        shutdown_timeout_s: float = 2.0,
    ) -> None:
        self.filters = tuple(filters)
        self.queues = tuple(queues)
        self._put = log_sink(self.queues)
        self._timeout = shutdown_timeout_s

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        """Queue the record unless a filter stops it."""
        out = getattr(_capture, "out", None)
        if out is not None:
            out.append(log_record)  # a held record being built (``emitted``): filtered already
            return
        self.offer(log_record)

    def offer(self, log_record: Any) -> None:
        """Queue a record (an SDK record or a held stdlib line, built only if queued) unless a filter stops it."""
        for keep in self.filters:
            try:
                if not keep(log_record):
                    return
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(
                    _log, "log-filter", "otelward: a log filter failed; keeping the record", exc_info=True
                )
        self._put((log_record,))

    def shutdown(self) -> None:
        """Flush and stop the queues within the shutdown timeout."""
        for queue in self.queues:
            queue.shutdown(self._timeout)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait until the queued records were handed to the exporters."""
        return all(queue.flush(timeout_millis / 1000.0) for queue in self.queues)
