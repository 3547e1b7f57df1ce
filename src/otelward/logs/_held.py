"""A stdlib log record held by reference until its trace is decided; the OTel record is built only for export.

Building an SDK log record costs 25-33 µs per line (the API record, attribute limits, the processor chain);
under tail sampling most lines belong to traces that are dropped. The bridge hands the log pipeline a
:class:`HeldLog` instead: the logging record, the OTel context it was logged in, and what cannot wait (the
timestamps and the message, formatted now because the app may mutate its arguments afterwards). The logs
follow traces filter reads the trace fields straight from it and the tail selector holds it with the trace;
:meth:`HeldLog.materialize` emits it through the SDK logger — exactly the record the bridge used to emit at
once — only when it is exported: a kept trace, a record with no trace, WARNING and above.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from otelward.export._pipelines import emitted

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import ReadWriteLogRecord

__all__ = ["HeldLog"]


class HeldLog:
    """One log line on its way to the OTLP log exporters, not yet an SDK record.

    Duck-types what log filters read of an SDK record (``record.log_record.severity_number``, ``trace_id``,
    ``span_id``, ``trace_flags``).
    """

    __slots__ = (
        "body",
        "context",
        "logger",
        "observed_ns",
        "record",
        "severity_number",
        "severity_text",
        "span_id",
        "to_attributes",
        "trace_flags",
        "trace_id",
    )

    def __init__(
        self,
        logger: Any,
        context: Any,
        record: logging.LogRecord,
        severity_number: Any,
        severity_text: str,
        body: Any,
        observed_ns: int,
        to_attributes: Any,
    ) -> None:
        self.logger = logger
        self.context = context
        self.record = record
        self.severity_number = severity_number
        self.severity_text = severity_text
        self.body = body
        self.observed_ns = observed_ns
        self.to_attributes = to_attributes
        span_context = trace.get_current_span(context).get_span_context()
        self.trace_id = span_context.trace_id
        self.span_id = span_context.span_id
        self.trace_flags = span_context.trace_flags

    @property
    def log_record(self) -> HeldLog:
        """Return itself: filters read the trace fields where an SDK record has its API record."""
        return self

    def materialize(self) -> list[ReadWriteLogRecord]:
        """Emit the record through its SDK logger; return the SDK record(s) the log pipeline received."""
        record = self.record
        exc = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
        return emitted(
            lambda: self.logger.emit(
                timestamp=int(record.created * 1e9),
                observed_timestamp=self.observed_ns,
                context=self.context,
                severity_number=self.severity_number,
                severity_text=self.severity_text,
                body=self.body,
                attributes=self.to_attributes(record),
                exception=exc,
            )
        )
