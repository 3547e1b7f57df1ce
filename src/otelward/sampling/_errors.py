"""What counts as a failure for sampling: pure predicates over spans.

"Error" means the request failed, not that an exception was seen somewhere: the local root (or an entry
span) answered 5xx or ended with an exception, or a client or database call failed. A handled exception
on an internal span (a template loader's ``TemplateNotFound`` fallback) or a 4xx answer whose exception
the framework turned into a response (Django's ``Http404``, ``SuspiciousOperation`` → 400) is not one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, StatusCode

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["ENTRY_KINDS", "answers_error", "is_error_span"]

_STATUS_ATTRS = ("http.response.status_code", "http.status_code")
ENTRY_KINDS = (SpanKind.SERVER, SpanKind.CONSUMER)
"""Span kinds that start work in this process: a request served, a message consumed."""
_CALLS = (SpanKind.CLIENT, SpanKind.PRODUCER)


def _has_exception_event(span: ReadableSpan) -> bool:
    # `span.events` copies the event list into a tuple; most spans have none, so look at the size first.
    raw = getattr(span, "_events", None)
    if raw is not None and not len(raw):
        return False
    return any(event.name == "exception" for event in span.events)


def _status_code(attributes: Any) -> int | None:
    for key in _STATUS_ATTRS:
        code = attributes.get(key)
        if isinstance(code, int):
            return code
    return None


def is_error_span(span: ReadableSpan, local_root: bool = True, *, internal: bool = False) -> bool:
    """Return True when ``span`` makes its trace an error trace.

    Args:
        span: an ended span.
        local_root: the span has no parent or a remote one.
        internal: count error status and exception events on internal spans too (the old rule).
    """
    failed = span.status.status_code is StatusCode.ERROR
    kind = span.kind
    if kind in _CALLS:
        return failed or _has_exception_event(span)
    if kind in ENTRY_KINDS or local_root:
        code = _status_code(span.attributes or {})
        if code is not None:
            # The answer is the verdict: a 404 whose Http404 the framework handled is not a failure.
            return code >= 500
        return failed or _has_exception_event(span)
    return internal and (failed or _has_exception_event(span))


def answers_error(span: Any) -> bool:
    """Return True when a still-open server span already has error status or a 5xx answer."""
    attributes = getattr(span, "attributes", None) or {}
    code = _status_code(attributes)
    if code is not None:
        return code >= 500
    status = getattr(span, "status", None)
    return status is not None and status.status_code is StatusCode.ERROR
