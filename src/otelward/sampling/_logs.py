"""Logs follow traces: INFO/DEBUG OTLP records of dropped traces are not exported.

WARNING and above, and records outside any trace, always go. Records subject to the rule are counted in
``otelward.sampling.logs`` by decision. A record whose trace is still undecided
is held with the trace fragment (it counts against the buffer bound); the selector hands it to the log export
queues if the trace is kept (the filter subscribed them), and it is counted then.
"""

from __future__ import annotations

from typing import Any

from opentelemetry._logs import SeverityNumber

from otelward import _selfmetrics
from otelward.sampling._tail import TailSelector

__all__ = ["LogsFollowTraces"]


class LogsFollowTraces:
    """A log filter for :class:`otelward.export._pipelines.LogPipeline`.

    Args:
        selector: the tail selector, or None when tail sampling is off (then the W3C sampled flag
            of the record's trace decides).
    """

    def __init__(self, selector: TailSelector | None) -> None:
        self.selector = selector

    def __call__(self, record: Any) -> bool:
        """Return True to export the record now."""
        log = record.log_record
        severity = log.severity_number
        if severity is not None and severity.value >= SeverityNumber.WARN.value:
            return True
        trace_id = log.trace_id
        if not trace_id:
            return True
        if self.selector is None:
            flags = log.trace_flags
            sampled = bool(flags is not None and flags.sampled)
            _selfmetrics.add(
                "otelward.sampling.logs",
                1,
                {"decision": "kept" if sampled else "dropped", "reason": "parent"},
            )
            return sampled
        return self.selector.hold_log(trace_id, record, log.span_id or 0) is True
