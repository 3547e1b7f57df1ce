"""Native instrumentation of ``httpx``: one CLIENT span per transport request, sync and async, as upstream's.

Upstream wraps ``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request`` (so a
redirect followed by the client is one span per hop, and custom transports are not traced); so does this.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["instrument", "uninstrument"]

_MARK = "_otelward_native"


def instrument() -> None:
    """Wrap httpx's sync and async transports (idempotent)."""
    import httpx

    if not getattr(httpx.HTTPTransport.handle_request, _MARK, False):
        httpx.HTTPTransport.handle_request = _wrap_sync(httpx.HTTPTransport.handle_request)  # type: ignore[method-assign]
    if not getattr(httpx.AsyncHTTPTransport.handle_async_request, _MARK, False):
        httpx.AsyncHTTPTransport.handle_async_request = _wrap_async(  # type: ignore[method-assign]
            httpx.AsyncHTTPTransport.handle_async_request
        )


def uninstrument() -> None:
    """Restore httpx's transports (tests); forget the tracer and settings."""
    from otelward.instrumentation.native._client import reset

    reset()
    import httpx

    for cls, name in (
        (httpx.HTTPTransport, "handle_request"),
        (httpx.AsyncHTTPTransport, "handle_async_request"),
    ):
        method = getattr(cls, name)
        if getattr(method, _MARK, False):
            setattr(cls, name, method.__wrapped__)


def _pairs(headers: Any) -> list[tuple[str, list[str]]]:
    # As upstream: one attribute per name, comma-joined values split.
    return [(name, headers.get_list(name, split_commas=True)) for name in headers]


def _begin(request: Any) -> Any:
    from otelward.instrumentation.native._client import Exchange, redact_url, request_attributes, state

    st = state("httpx")
    url = request.url
    text = str(url)
    if st.is_excluded(text):
        return None
    name, attributes = request_attributes(
        request.method, redact_url(text), url.host or None, url.port, peer=True
    )
    exchange = Exchange(st, name, attributes)
    exchange.send_headers(request.headers.__setitem__, _pairs(request.headers))
    return exchange


def _respond(exchange: Any, response: Any) -> None:
    from otelward.instrumentation.hooks._header_access import getter

    version = getattr(response, "http_version", None)
    headers = response.headers
    exchange.respond(
        response.status_code,
        version.replace("HTTP/", "") if version else None,
        getter(headers),
        _pairs(headers),
    )


def _wrap_sync(handle: Any) -> Any:
    from otelward.instrumentation.native._client import begin, enabled

    @functools.wraps(handle)
    def traced_handle_request(self: Any, request: Any) -> Any:
        if not enabled():
            return handle(self, request)
        exchange = begin(lambda: _begin(request))
        if exchange is None:
            return handle(self, request)
        try:
            try:
                response = handle(self, request)
            except BaseException as exc:
                exchange.fail(exc)
                raise
            _respond(exchange, response)
            return response
        finally:
            exchange.end()

    setattr(traced_handle_request, _MARK, True)
    return traced_handle_request


def _wrap_async(handle: Any) -> Any:
    from otelward.instrumentation.native._client import begin, enabled

    @functools.wraps(handle)
    async def traced_handle_async_request(self: Any, request: Any) -> Any:
        if not enabled():
            return await handle(self, request)
        exchange = begin(lambda: _begin(request))
        if exchange is None:
            return await handle(self, request)
        try:
            try:
                response = await handle(self, request)
            except BaseException as exc:
                exchange.fail(exc)
                raise
            _respond(exchange, response)
            return response
        finally:
            exchange.end()

    setattr(traced_handle_async_request, _MARK, True)
    return traced_handle_async_request
