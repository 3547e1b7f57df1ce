"""Put a finished request's ids back in the context while its server writes the access line.

The server span has ended and its context was detached when gunicorn writes ``gunicorn.access``; the WSGI
environ it passes along still holds the ids the server instrumentation (or a framework hook) saved there.
Attaching a context with a non-recording span of those ids makes ``logs._fields`` correlate the record the
usual way, whatever handler or formatter the app configured.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context

from otelward.instrumentation._server import CORRELATION_KEY
from otelward.logs._fields import REQUEST_KEY
from otelward.startup._state import runtime

__all__ = ["correlated", "learn_route_secrets", "remember"]


def remember(carrier: Any, span: Any) -> None:
    """Save ``span``'s ids and the current request scope in a WSGI environ or ASGI scope."""
    # try/except, not contextlib.suppress: this runs on every request and suppress() costs a context manager.
    try:  # noqa: SIM105
        carrier[CORRELATION_KEY] = (span.get_span_context(), otel_context.get_value(REQUEST_KEY))
    except Exception:  # noqa: BLE001, S110 - a read-only carrier only costs the access line its ids
        pass


def learn_route_secrets(span: Any) -> None:
    """Let redaction learn the values of ``span``'s sensitive route parameters now, before the span ends.

    gunicorn writes its access line before it closes the response body, which is where a WSGI span ends:
    the span observer that learns them at the end would come too late for that line.
    """
    redactor = getattr(runtime(), "redactor", None)
    if redactor is not None:
        redactor.observe_route_params(span)


@contextmanager
def correlated(carrier: Any) -> Iterator[None]:
    """Attach the ids saved in ``carrier`` for the duration of the block (nothing when there are none)."""
    saved = carrier.get(CORRELATION_KEY) if isinstance(carrier, Mapping) else None
    if not isinstance(saved, tuple) or len(saved) != 2:
        yield
        return
    from opentelemetry import trace

    span_context, scope = saved
    ctx = trace.set_span_in_context(trace.NonRecordingSpan(span_context))
    if scope is not None:
        ctx = otel_context.set_value(REQUEST_KEY, scope, ctx)
    token = otel_context.attach(ctx)
    try:
        yield
    finally:
        otel_context.detach(token)
