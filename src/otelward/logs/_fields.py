"""Correlation fields on every stdlib ``LogRecord``: trace and span ids, flags, service and request id.

The fields are added by wrapping ``logging.Logger.makeRecord`` rather than the record factory: the factory
runs *before* ``extra=`` is applied, so an app logging ``extra={"request_id": ...}`` (a common habit) would
get ``KeyError: Attempt to overwrite`` raised from its own logging call. After ``makeRecord`` the app's
extras are already on the record and simply win; otelward's own values are also kept in one private
attribute, :data:`CORRELATION_ATTR`, which is what otelward's formatters and OTLP bridge read.

Outside a span the trace fields are empty strings on the record (so ``%(trace_id)s`` format strings never
fail) and absent from otelward's output.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from opentelemetry import context as otel_context
from opentelemetry import trace

__all__ = [
    "CORRELATION_ATTR",
    "FIELD_NAMES",
    "REQUEST_KEY",
    "SAVED_KEY",
    "Correlation",
    "RequestScope",
    "correlation_of",
    "current_correlation",
    "install_fields",
    "uninstall_fields",
]

CORRELATION_ATTR = "_otelward"
"""The record attribute holding otelward's own :class:`Correlation` (never overwritten by extras)."""

FIELD_NAMES = ("trace_id", "span_id", "trace_flags", "service.name", "request_id")
"""Record attributes added for format strings such as ``%(trace_id)s %(request_id)s``."""

REQUEST_KEY = otel_context.create_key("otelward-request")

SAVED_KEY = "otelward.correlation"
"""WSGI environ / ASGI scope key where the server instrumentation saves ``(span_context, RequestScope)``."""
"""OTel context key under which the server hook stores the current :class:`RequestScope`."""


class RequestScope(NamedTuple):
    """The request being served in this context: its correlation id and the server span's id (hex)."""

    request_id: str
    server_span_id: str


class Correlation(NamedTuple):
    """Correlation of one record; trace fields are '' outside a span."""

    trace_id: str
    span_id: str
    trace_flags: str
    service_name: str
    request_id: str
    transaction_id: str


_EMPTY = Correlation("", "", "", "", "", "")
# The last context seen and its correlation: a request logs many lines under one (immutable) OTel context.
# Holding the context keeps it alive until the next line, so `is` cannot match a recycled address.
_last: tuple[object, str, Correlation] = (None, "", _EMPTY)


def current_correlation(service_name: str) -> Correlation:
    """Return the correlation of the active OTel context (thread or asyncio task)."""
    global _last
    ctx = otel_context.get_current()
    last_ctx, last_service, last = _last
    if last_ctx is ctx and last_service is service_name:
        return last
    span_ctx = trace.get_current_span(ctx).get_span_context()
    scope = ctx.get(REQUEST_KEY)
    request_id = transaction_id = ""
    if isinstance(scope, RequestScope):
        request_id, transaction_id = scope
    if span_ctx.is_valid:
        corr = Correlation(
            format(span_ctx.trace_id, "032x"),
            format(span_ctx.span_id, "016x"),
            format(span_ctx.trace_flags, "02x"),
            service_name,
            request_id,
            transaction_id,
        )
    else:
        corr = Correlation("", "", "", service_name, request_id, transaction_id)
    _last = (ctx, service_name, corr)
    return corr


def _of_finished_request(request: object, fallback: Correlation) -> Correlation:
    """Return the correlation saved on a request whose span already ended (Django logs 4xx/5xx after it)."""
    meta = getattr(request, "META", None)
    saved = meta.get(SAVED_KEY) if isinstance(meta, dict) else None
    if not isinstance(saved, tuple) or len(saved) != 2:
        return fallback
    span_ctx, scope = saved
    if not getattr(span_ctx, "is_valid", False):
        return fallback
    request_id, transaction_id = scope if isinstance(scope, RequestScope) else ("", "")
    return Correlation(
        format(span_ctx.trace_id, "032x"),
        format(span_ctx.span_id, "016x"),
        format(span_ctx.trace_flags, "02x"),
        fallback.service_name,
        request_id,
        transaction_id,
    )


def correlation_of(record: logging.LogRecord) -> Correlation:
    """Return otelward's correlation of ``record`` (empty when it was made before otelward started)."""
    value = record.__dict__.get(CORRELATION_ATTR)
    return value if isinstance(value, Correlation) else _EMPTY


_original_make_record: Callable[..., logging.LogRecord] | None = None


def install_fields(service_name: str) -> None:
    """Wrap ``Logger.makeRecord`` so every record gets the correlation fields (idempotent)."""
    global _original_make_record
    if _original_make_record is None:
        _original_make_record = logging.Logger.makeRecord
    original = _original_make_record

    def makeRecord(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:  # noqa: N802
        record = original(self, *args, **kwargs)
        fields = record.__dict__
        try:
            corr = current_correlation(service_name)
            if not corr.trace_id and "request" in fields:
                corr = _of_finished_request(fields["request"], corr)
        except Exception:  # noqa: BLE001 - a broken context must not cost the app its log line
            corr = _EMPTY
        fields[CORRELATION_ATTR] = corr
        # setdefault: a value the app passed in `extra=` wins on the record itself.
        fields.setdefault("trace_id", corr.trace_id)
        fields.setdefault("span_id", corr.span_id)
        fields.setdefault("trace_flags", corr.trace_flags)
        fields.setdefault("service.name", service_name)
        fields.setdefault("request_id", corr.request_id)
        return record

    makeRecord.__wrapped__ = original  # type: ignore[attr-defined]
    logging.Logger.makeRecord = makeRecord  # type: ignore[method-assign]


def uninstall_fields() -> None:
    """Restore the original ``Logger.makeRecord`` (tests)."""
    global _original_make_record
    if _original_make_record is not None:
        logging.Logger.makeRecord = _original_make_record  # type: ignore[method-assign]
        _original_make_record = None
