"""RED metrics for entry spans that no instrumentation measures already (gRPC servers, consumers).

HTTP server spans are skipped: the HTTP instrumentations record ``http.server.request.duration``
themselves, for every request, sampled or not, so recording it here would count them twice.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from opentelemetry.trace import SpanKind, StatusCode

__all__ = ["OPERATION_METRIC", "OperationObserver", "classify"]

OPERATION_METRIC = "otelward.operation.duration"
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

    def __init__(self, meter_provider: Any, max_operations: int) -> None:
        meter = meter_provider.get_meter("otelward")
        self._histogram = meter.create_histogram(
            OPERATION_METRIC,
            unit="s",
            description="Duration of server and consumer spans not covered by an HTTP duration metric.",
        )
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
        if span.kind not in _KINDS or span.end_time is None or span.start_time is None:
            return  # most spans (internal, client) leave here
        attrs = classify(
            span.name, span.kind, span.attributes or {}, span.status.status_code is StatusCode.ERROR
        )
        if attrs is None:
            return
        attrs["otelward.operation"] = self._admit(attrs["otelward.operation"])
        self._histogram.record((span.end_time - span.start_time) / 1e9, attrs)
