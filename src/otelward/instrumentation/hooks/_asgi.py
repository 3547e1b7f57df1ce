"""ASGI (FastAPI, Starlette): ``server_request_hook(span, scope)``, ``client_response_hook(span, scope, message)``.

The ASGI middleware calls the response hook with its short "send" span, not the server span, so the
server span seen by the request hook is kept in the scope and handed to the response callbacks: a
``traceresponse`` header must name the server span.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from otelward.instrumentation.hooks._header_access import getter
from otelward.instrumentation.hooks._registry import HeaderGetter, HeaderSetter, run_get, run_set

__all__ = ["kwargs", "message_setter", "scope_getter"]

_SPAN_KEY = "otelward.server_span"


def scope_getter(scope: MutableMapping[str, Any]) -> HeaderGetter:
    """Return a header getter over an ASGI scope's raw ``headers`` (case-insensitive, first wins)."""
    get = getter(list(scope.get("headers") or ()))
    return get if get is not None else (lambda name: None)


def message_setter(message: MutableMapping[str, Any]) -> HeaderSetter:
    """Return a header setter on an ``http.response.start`` message (replaces a header of the same name)."""

    def set_(name: str, value: str) -> None:
        low = name.lower().encode("latin-1")
        kept = [(k, v) for k, v in message.get("headers") or () if bytes(k).lower() != low]
        kept.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        message["headers"] = kept

    return set_


def _server_request_hook(span: Any, scope: MutableMapping[str, Any]) -> None:
    if scope.get("type") != "http":
        return
    scope[_SPAN_KEY] = span
    run_get("server_request", span, scope_getter(scope))


def _client_response_hook(
    span: Any, scope: MutableMapping[str, Any], message: MutableMapping[str, Any]
) -> None:
    if message.get("type") != "http.response.start":
        return
    run_set("server_response", scope.get(_SPAN_KEY, span), message_setter(message))


def kwargs() -> dict[str, Any]:
    """Return FastAPIInstrumentor / StarletteInstrumentor keyword arguments."""
    return {"server_request_hook": _server_request_hook, "client_response_hook": _client_response_hook}
