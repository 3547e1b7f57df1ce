"""Run export calls with instrumentation suppressed, so exporting never creates telemetry of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context

__all__ = ["suppressed"]

# Both spellings: instrumentations check one or the other (opentelemetry.instrumentation.utils sets both).
_KEYS = (context._SUPPRESS_INSTRUMENTATION_KEY, "suppress_instrumentation")


@contextmanager
def suppressed() -> Iterator[None]:
    """Suppress instrumentation (e.g. the requests/urllib3 spans of the OTLP/HTTP exporter) in the block."""
    ctx = context.get_current()
    for key in _KEYS:
        ctx = context.set_value(key, True, ctx)
    token = context.attach(ctx)
    try:
        yield
    finally:
        context.detach(token)
