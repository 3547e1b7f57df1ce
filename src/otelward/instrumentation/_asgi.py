"""otelward's own ASGI server instrumentation: one SERVER span per HTTP request, the duration metric, the hooks.

No span per ``receive``/``send`` message (upstream makes two or more per request); the server span is current
while the app runs and while it sends, so a server that logs its access line inside ``send`` (uvicorn) logs it
correlated. WebSocket and lifespan scopes pass through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward._ratelimit import log_once
from otelward.instrumentation._access import remember
from otelward.instrumentation._server import (
    capture_headers,
    in_server_span,
    method_attributes,
    span_name,
    split_host,
    state,
)
from otelward.instrumentation.hooks._asgi import message_setter, scope_getter
from otelward.instrumentation.hooks._registry import run_get, run_set

__all__ = ["OtelwardASGIMiddleware", "route_of"]

_log = logging.getLogger("otelward.instrumentation")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
_ACTIVE_KEY = "otelward.asgi.active"


class _ScopeGetter(Getter[Scope]):
    """Propagator getter over an ASGI scope's raw headers."""

    def get(self, carrier: Scope, key: str) -> list[str] | None:
        low = key.lower().encode("latin-1")
        found = [
            bytes(v).decode("latin-1") for k, v in carrier.get("headers") or () if bytes(k).lower() == low
        ]
        return found or None

    def keys(self, carrier: Scope) -> list[str]:
        return [bytes(k).decode("latin-1").lower() for k, _ in carrier.get("headers") or ()]


_GETTER = _ScopeGetter()


def route_of(scope: Scope) -> str | None:
    """Return the route template the app matched, when its router leaves one in the scope (Starlette does)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None


def _headers(scope: Scope) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for k, v in scope.get("headers") or ():
        found.setdefault(bytes(k).decode("latin-1").lower(), []).append(bytes(v).decode("latin-1"))
    return found


def _text(value: Any) -> str:
    """Return an ASGI byte string as text; a ``str`` (some test clients send one against the spec) as is."""
    return value if isinstance(value, str) else bytes(value).decode("latin-1")


def _attributes(scope: Scope, headers: dict[str, list[str]], method_attrs: dict[str, str]) -> dict[str, Any]:
    scheme = scope.get("scheme") or "http"
    default_port = 443 if scheme in ("https", "wss") else 80
    host = headers.get("host")
    server = scope.get("server")
    if host:
        address, port = split_host(host[0], default_port)
    elif server:
        address, port = str(server[0]), server[1]
    else:
        address, port = "", None
    attrs: dict[str, Any] = {
        **method_attrs,
        "url.scheme": scheme,
        "url.path": (scope.get("root_path") or "") + (scope.get("path") or "") or "/",
        "server.address": address,
    }
    if isinstance(port, int):
        attrs["server.port"] = port
    query = scope.get("query_string")
    if query:
        attrs["url.query"] = _text(query)
    client = scope.get("client")
    if client:
        attrs["client.address"] = str(client[0])
        attrs["network.peer.address"] = str(client[0])
        if isinstance(client[1], int):
            attrs["network.peer.port"] = client[1]
    agent = headers.get("user-agent")
    if agent:
        attrs["user_agent.original"] = agent[0]
    version = scope.get("http_version")
    if version:
        attrs["network.protocol.version"] = str(version)
    return attrs


class OtelwardASGIMiddleware:
    """Trace an ASGI app: wrap it once where the server loads it."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.__wrapped__ = app

    def __getattr__(self, name: str) -> Any:
        if name == "app":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") != "http" or _ACTIVE_KEY in scope or in_server_span():
            await self.app(scope, receive, send)
            return
        st = state()
        if st.excluded is not None:
            host = next((bytes(v) for k, v in scope.get("headers") or () if bytes(k).lower() == b"host"), b"")
            url = f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}{scope.get('path', '')}"
            query = scope.get("query_string")
            if st.is_excluded(f"{url}?{_text(query)}" if query else url):
                await self.app(scope, receive, send)
                return
        await self._traced(st, scope, receive, send)

    async def _traced(
        self, st: Any, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        start = time.perf_counter()
        try:
            method, method_attrs = method_attributes(str(scope.get("method") or "GET"))
            headers = _headers(scope)
            attrs = _attributes(scope, headers, method_attrs)
            if st.request_headers:
                attrs.update(
                    capture_headers("http.request.header.", st.request_headers, headers.get, st.sanitize)
                )
            parent = propagate.extract(scope, getter=_GETTER)
            span = st.tracer.start_span(
                span_name(method, None), context=parent, kind=SpanKind.SERVER, attributes=attrs
            )
        except Exception:  # noqa: BLE001 - a request otelward cannot describe is served untraced
            log_once(_log, "asgi-start", "otelward: could not trace an ASGI request", exc_info=True)
            await self.app(scope, receive, send)
            return
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        scope[_ACTIVE_KEY] = True
        active = st.enter(attrs)
        error: BaseException | None = None
        status: list[int] = []
        try:
            run_get("server_request", span, scope_getter(scope))
            remember(scope, span)

            async def traced_send(message: Message) -> None:
                if message.get("type") == "http.response.start":
                    code = message.get("status")
                    if isinstance(code, int):
                        status[:] = [code]
                    run_set("server_response", span, message_setter(message))
                    if st.response_headers:
                        sent: dict[str, list[str]] = {}
                        for k, v in message.get("headers") or ():
                            sent.setdefault(bytes(k).decode("latin-1").lower(), []).append(
                                bytes(v).decode("latin-1")
                            )
                        span.set_attributes(
                            capture_headers(
                                "http.response.header.", st.response_headers, sent.get, st.sanitize
                            )
                        )
                await send(message)

            await self.app(scope, receive, traced_send)
        except BaseException as err:
            error = err
            raise
        finally:
            try:
                _finish(st, span, scope, attrs, status, error, start)
            except Exception:  # noqa: BLE001 - ending telemetry must not fail the response
                log_once(_log, "asgi-end", "otelward: could not end an ASGI request span", exc_info=True)
            st.leave(active)
            otel_context.detach(token)


def _finish(
    st: Any,
    span: Any,
    scope: Scope,
    attrs: dict[str, Any],
    status: list[int],
    error: BaseException | None,
    start: float,
) -> None:
    route = route_of(scope)
    if route:
        attrs["http.route"] = route
        span.set_attribute("http.route", route)
        span.update_name(span_name(attrs["http.request.method"], route))
    if status:
        code = status[0]
        attrs["http.response.status_code"] = code
        span.set_attribute("http.response.status_code", code)
        if code >= 500:
            attrs["error.type"] = str(code)
            span.set_attribute("error.type", str(code))
            span.set_status(Status(StatusCode.ERROR))
    if error is not None:
        attrs["error.type"] = type(error).__qualname__
        span.set_attribute("error.type", type(error).__qualname__)
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
    span.end()
    st.record(time.perf_counter() - start, attrs)
