"""What counts as a failure for sampling: pure predicates over spans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry.trace import StatusCode

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["answers_error", "is_error_span"]

_STATUS_ATTRS = ("http.response.status_code", "http.status_code")


def is_error_span(span: ReadableSpan) -> bool:
    """Return True when the span has error status or an ``exception`` event."""
    if span.status.status_code is StatusCode.ERROR:
        return True
    # `span.events` copies the event list into a tuple; most spans have none, so look at the size first.
    raw = getattr(span, "_events", None)
    if raw is not None and not len(raw):
        return False
    return any(event.name == "exception" for event in span.events)


def answers_error(span: Any) -> bool:
    """Return True when a still-open server span already has error status or a 5xx answer."""
    status = getattr(span, "status", None)
    if status is not None and status.status_code is StatusCode.ERROR:
        return True
    attributes = getattr(span, "attributes", None) or {}
    for key in _STATUS_ATTRS:
        code = attributes.get(key)
        if isinstance(code, int) and code >= 500:
            return True
    return False
