"""Request correlation ids: accept a well-formed incoming id or make one, and carry it everywhere.

For each incoming HTTP request (any framework whose adapter runs the ``server_request`` hooks):

1. the id is the ``X-Request-ID`` header (name from ``OTELWARD_REQUEST_ID_HEADER``) if well-formed, else
   the ``otelward.request.id`` (or, from an older otelward, ``http.request.id``) W3C baggage entry an
   upstream service sent, if well-formed, else new;
2. it is set on the server span (``otelward.request.id``), stored in the OTel context for every log record
   of the request, and put in the baggage of that context so every instrumented HTTP client propagates it;
3. the ``server_response`` hook sets it as the response header.

``http.request.id`` is not defined by the OpenTelemetry semantic conventions, so the id moved to otelward's
own namespace. The old name is still written beside the new one (span, baggage, log attributes) and read
from baggage for one release (deprecated; see CHANGELOG). ECS output keeps ``http.request.id``, which ECS
defines.

A malformed or oversized id is replaced, never logged. The context is attached inside the
instrumentation's own scope, whose detach at the end of the request restores the previous context.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from opentelemetry import baggage
from opentelemetry import context as otel_context

from otelward.logs._fields import REQUEST_KEY, RequestScope

__all__ = [
    "BAGGAGE_KEY",
    "LEGACY_REQUEST_ID_ATTRIBUTE",
    "MAX_REQUEST_ID_CHARS",
    "REQUEST_ID_ATTRIBUTE",
    "SPAN_ATTRIBUTE",
    "RequestIdHooks",
    "current_request_id",
    "new_request_id",
    "parse_request_id",
]

MAX_REQUEST_ID_CHARS = 128
"""Longest accepted incoming request id."""

REQUEST_ID_ATTRIBUTE = "otelward.request.id"
"""The attribute (span, log record) and baggage key of the request id."""
LEGACY_REQUEST_ID_ATTRIBUTE = "http.request.id"
"""The name earlier builds used: written beside :data:`REQUEST_ID_ATTRIBUTE` and read for one release (deprecated)."""
BAGGAGE_KEY = REQUEST_ID_ATTRIBUTE
SPAN_ATTRIBUTE = REQUEST_ID_ATTRIBUTE
# UUIDs, hex, base64 and the usual proxy formats (AWS `Root=1-...`); no spaces, quotes or controls.
_SAFE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:=+/@-]{{0,{MAX_REQUEST_ID_CHARS - 1}}}")


def parse_request_id(value: object) -> str | None:
    """Return ``value`` stripped if it is a well-formed request id, else None."""
    if not isinstance(value, str) or len(value) > MAX_REQUEST_ID_CHARS + 16:
        return None
    value = value.strip()
    return value if _SAFE.fullmatch(value) else None


def new_request_id() -> str:
    """Return a fresh random request id (32 lower-case hex digits, like nginx's ``$request_id``).

    From the ``random`` module's generator, as the SDK's trace ids: a correlation id needs uniqueness, not
    secrecy, and ``os.urandom`` is a system call on every request. CPython reseeds that generator in a
    forked child, so pre-fork workers do not repeat each other's ids.
    """
    return f"{random.getrandbits(128):032x}"


class RequestIdHooks:
    """The ``server_request``/``server_response`` hooks, bound to the configured header name."""

    def __init__(self, header: str = "X-Request-ID", generate: Callable[[], str] = new_request_id) -> None:
        self.header = header
        self._generate = generate

    def choose(self, get_header: Callable[[str], str | None]) -> str:
        """Return the request id for a request whose headers ``get_header`` reads."""
        found = parse_request_id(get_header(self.header))
        if found is None:
            found = parse_request_id(baggage.get_baggage(BAGGAGE_KEY))
        if found is None:
            found = parse_request_id(baggage.get_baggage(LEGACY_REQUEST_ID_ATTRIBUTE))
        return found if found is not None else self._generate()

    def on_request(self, span: Any, get_header: Callable[[str], str | None]) -> None:
        """Pick the id, record it on ``span`` and attach it (context + baggage) for the request."""
        request_id = self.choose(get_header)
        span_id = ""
        if span is not None:
            span_ctx = span.get_span_context()
            if span_ctx.is_valid:
                span_id = format(span_ctx.span_id, "016x")
            span.set_attribute(SPAN_ATTRIBUTE, request_id)
            span.set_attribute(LEGACY_REQUEST_ID_ATTRIBUTE, request_id)
        ctx = otel_context.set_value(REQUEST_KEY, RequestScope(request_id, span_id))
        ctx = baggage.set_baggage(BAGGAGE_KEY, request_id, context=ctx)
        ctx = baggage.set_baggage(LEGACY_REQUEST_ID_ATTRIBUTE, request_id, context=ctx)
        # Attach without detach on purpose: the instrumentation detaches its own earlier token when the
        # request ends, which restores the context from before this attach as well.
        otel_context.attach(ctx)

    def on_response(self, span: Any, set_header: Callable[[str, str], None]) -> None:
        """Set the response header to the request's id."""
        request_id = current_request_id()
        if not request_id and span is not None:
            attributes = getattr(span, "attributes", None) or {}
            value = attributes.get(SPAN_ATTRIBUTE) or attributes.get(LEGACY_REQUEST_ID_ATTRIBUTE)
            request_id = value if isinstance(value, str) else ""
        if request_id:
            set_header(self.header, request_id)


def current_request_id() -> str:
    """Return the id of the request being served in this context ('' outside a request)."""
    scope = otel_context.get_value(REQUEST_KEY)
    return scope.request_id if isinstance(scope, RequestScope) else ""
