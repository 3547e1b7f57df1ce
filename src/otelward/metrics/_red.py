"""RED metrics for entry spans that no instrumentation measures already (gRPC servers, consumers).

HTTP server spans are skipped: the HTTP instrumentations record ``http.server.request.duration``
themselves, for every request, sampled or not, so recording it here would count them twice.

The duration is counted in a plain bucket histogram (``_buckets.py``), not an SDK instrument: the
readers see it at collection, with the same name, unit, attributes and buckets as before.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, StatusCode

if TYPE_CHECKING:
    from otelward.metrics._buckets import BucketHistogram

__all__ = ["OPERATION_DESCRIPTION", "OPERATION_KEYS", "OPERATION_METRIC", "OperationObserver", "classify"]

OPERATION_METRIC = "otelward.operation.duration"
OPERATION_DESCRIPTION = "Duration of server and consumer spans not covered by an HTTP duration metric."
OPERATION_KEYS = ("otelward.operation", "otelward.span.kind", "otelward.outcome")
OTHER = "_OTHER"
_HTTP_KEYS = ("http.request.method", "http.method")
_KINDS = {SpanKind.SERVER: "server", SpanKind.CONSUMER: "consumer"}


def _operation(name: str, attrs: Mapping[str, Any]) -> str:
    service, method = attrs.get("rpc.service"), attrs.get("rpc.method")
    if service and method:
        return f"{service}/{method}"
    return name


def classify(name: str, kind: SpanKind, attrs: Mapping[str, Any], is_error: bool) -> dict[str, str] | None:
    """Return the metric attributes for an entry span, or None for spans this metric does not cover.

    Args:
        name: the span name (low-cardinality by convention: route or RPC method, never a raw path).
        kind: the span kind.
        attrs: the span attributes.
        is_error: whether the span status is ERROR.
    """
    span_kind = _KINDS.get(kind)
    if span_kind is None or any(k in attrs for k in _HTTP_KEYS):
        return None
    return {
        "otelward.operation": _operation(name, attrs),
        "otelward.span.kind": span_kind,
        "otelward.outcome": "error" if is_error else "ok",
    }


class OperationObserver:
    """Record ``otelward.operation.duration`` for every ended entry span, with a cap on operations.

    Operations beyond ``max_operations`` distinct names are recorded as ``_OTHER`` (the name the HTTP
    instrumentations use for unknown methods), so one bad span name cannot explode the series count.
    """

    def __init__(self, histogram: BucketHistogram, max_operations: int) -> None:
        self._histogram = histogram
        self._max = max_operations
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def _admit(self, operation: str) -> str:
        if operation in self._seen:
            return operation
        with self._lock:
            if len(self._seen) < self._max:
                self._seen.add(operation)
                return operation
        return OTHER

    def __call__(self, span: Any) -> None:
        """Record the span's duration if it is an entry span without an HTTP metric."""
        span_kind = _KINDS.get(span.kind)
        if span_kind is None or span.end_time is None or span.start_time is None:
            return  # most spans (internal, client) leave here
        attrs = span.attributes or {}
        if any(k in attrs for k in _HTTP_KEYS):
            return
        outcome = "error" if span.status.status_code is StatusCode.ERROR else "ok"
        values = (self._admit(_operation(span.name, attrs)), span_kind, outcome)
        ctx = span.context
        seconds = (span.end_time - span.start_time) / 1e9
        if ctx is None:
            self._histogram.record(values, seconds)
        else:
            self._histogram.record(values, seconds, ctx.trace_id, ctx.span_id, ctx.trace_flags.sampled)
