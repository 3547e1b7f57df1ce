"""otelward's own WSGI server instrumentation: one SERVER span per request, the duration metric, the hooks.

Leaner than upstream's middleware (attributes collected once, set at creation, no second context attach) and
with its naming fixes (see :mod:`otelward.instrumentation._server`). The span stays current until the response
body is closed, as the WSGI protocol ends a request there, not when the app returns its iterable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward._ratelimit import log_once
from otelward.instrumentation._access import learn_route_secrets, remember
from otelward.instrumentation._server import (
    capture_headers,
    in_server_span,
    method_attributes,
    span_name,
    split_host,
    state,
)
from otelward.instrumentation.hooks._flask import environ_getter, list_setter
from otelward.instrumentation.hooks._registry import run_get, run_set

__all__ = ["ACTIVE_KEY", "HANDLED_ERROR_KEY", "OtelwardWSGIMiddleware", "remember_flask_route", "route_of"]

_log = logging.getLogger("otelward.instrumentation")

ACTIVE_KEY = "otelward.wsgi.active"
"""Set in the environ of a request this middleware traces (a second wrapper passes through)."""

HANDLED_ERROR_KEY = "otelward.wsgi.error"
"""Environ key of an exception the framework turned into an error response (recorded on the span)."""


class _EnvironGetter(Getter[dict[str, Any]]):
    """Propagator getter over a WSGI environ."""

    def get(self, carrier: dict[str, Any], key: str) -> list[str] | None:
        value = carrier.get("HTTP_" + key.upper().replace("-", "_"))
        return [value] if isinstance(value, str) else None

    def keys(self, carrier: dict[str, Any]) -> list[str]:
        return [k[5:].lower().replace("_", "-") for k in carrier if k.startswith("HTTP_")]


_GETTER = _EnvironGetter()


_FLASK_ROUTE = "otelward.route"


def route_of(environ: dict[str, Any]) -> str | None:
    """Return the route template the app matched, when it leaves one in the environ (Bottle, Flask)."""
    rule = getattr(environ.get("bottle.route"), "rule", None) or environ.get(_FLASK_ROUTE)
    return rule if isinstance(rule, str) else None


def remember_flask_route(environ: dict[str, Any]) -> None:
    """Save the route template of the Flask request in ``environ`` for :func:`route_of`."""
    # Flask's request (with its matched url_rule) is in the environ only until its context pops, after the
    # response started: read it while the headers are being sent.
    request = environ.get("werkzeug.request")
    rule = getattr(getattr(request, "url_rule", None), "rule", None)
    if isinstance(rule, str):
        environ[_FLASK_ROUTE] = rule


def _attributes(environ: dict[str, Any], method_attrs: dict[str, str]) -> dict[str, Any]:
    scheme = environ.get("wsgi.url_scheme") or "http"
    default_port = 443 if scheme == "https" else 80
    host = environ.get("HTTP_HOST")
    if host:
        address, port = split_host(host, default_port)
    else:
        address = environ.get("SERVER_NAME") or ""
        port_text = str(environ.get("SERVER_PORT") or "")
        port = int(port_text) if port_text.isdigit() else default_port
    attrs: dict[str, Any] = {
        **method_attrs,
        "url.scheme": scheme,
        "url.path": (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "") or "/",
        "server.address": address,
    }
    if port is not None:
        attrs["server.port"] = port
    query = environ.get("QUERY_STRING")
    if query:
        attrs["url.query"] = query
    client = environ.get("REMOTE_ADDR")
    if client:
        attrs["client.address"] = client
        attrs["network.peer.address"] = client
    peer_port = str(environ.get("REMOTE_PORT") or "")
    if peer_port.isdigit():
        attrs["network.peer.port"] = attrs["client.port"] = int(peer_port)
    agent = environ.get("HTTP_USER_AGENT")
    if agent:
        attrs["user_agent.original"] = agent
    protocol = environ.get("SERVER_PROTOCOL") or ""
    if protocol.upper().startswith("HTTP/"):
        attrs["network.protocol.version"] = protocol[5:]
    return attrs


_ENVIRON_KEYS: dict[str, str] = {}  # captured header name -> its environ key; the names come from settings


def _environ_key(name: str) -> str:
    key = _ENVIRON_KEYS.get(name)
    if key is None:
        upper = name.upper().replace("-", "_")
        key = _ENVIRON_KEYS[name] = upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper
    return key


def _environ_values(environ: dict[str, Any]) -> Callable[[str], list[str] | None]:
    def lookup(name: str) -> list[str] | None:
        # Eleven names captured by default, every request: the key is built once per name, not per lookup.
        value = environ.get(_environ_key(name))
        return [value] if isinstance(value, str) and value else None

    return lookup


class OtelwardWSGIMiddleware:
    """Trace a WSGI app: wrap it once where the server loads it."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.__wrapped__ = app

    def __getattr__(self, name: str) -> Any:
        # Servers and frameworks look attributes up on the app they were given (Django's handler, Flask's config).
        if name == "app":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.app, name)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if ACTIVE_KEY in environ or in_server_span():
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        st = state()
        if st.excluded is not None:
            url = (
                f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
                f"{environ.get('PATH_INFO', '')}"
            )
            query = environ.get("QUERY_STRING")
            if st.is_excluded(f"{url}?{query}" if query else url):
                return self.app(environ, start_response)  # type: ignore[no-any-return]
        try:
            return self._traced(st, environ, start_response)
        except _UntracedError:
            return self.app(environ, start_response)  # type: ignore[no-any-return]

    def _traced(
        self, st: Any, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        start = time.perf_counter()
        try:
            method, method_attrs = method_attributes(str(environ.get("REQUEST_METHOD") or "GET"))
            attrs = _attributes(environ, method_attrs)
            if st.request_headers:
                attrs.update(
                    capture_headers(
                        "http.request.header.", st.request_headers, _environ_values(environ), st.sanitize
                    )
                )
            parent = propagate.extract(environ, getter=_GETTER)
            span = st.tracer.start_span(
                span_name(method, None), context=parent, kind=SpanKind.SERVER, attributes=attrs
            )
        except Exception as err:  # a request otelward cannot describe is served untraced
            log_once(_log, "wsgi-start", "otelward: could not trace a WSGI request", exc_info=True)
            raise _UntracedError from err
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        environ[ACTIVE_KEY] = True
        run_get("server_request", span, environ_getter(environ))
        remember(environ, span)
        status_box: list[int] = []

        def traced_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            code = status[:3]
            if code.isdigit():
                status_box[:] = [int(code)]
            remember_flask_route(environ)
            route = route_of(environ)
            if route:
                _set_route(span, attrs, route)
                learn_route_secrets(span)
            run_set("server_response", span, list_setter(headers))
            if st.response_headers:
                lowered: dict[str, list[str]] = {}
                for k, v in headers:
                    lowered.setdefault(k.lower(), []).append(v)
                span.set_attributes(
                    capture_headers("http.response.header.", st.response_headers, lowered.get, st.sanitize)
                )
            return start_response(status, headers, *args)

        ended = _Ender(st, span, token, environ, attrs, start, status_box, st.enter(attrs))
        try:
            body = self.app(environ, traced_start_response)
        except BaseException as err:
            ended.finish(err)
            raise
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            # The server sends a file wrapper with sendfile only when it gets that very object back: end the
            # span now (the file is the server's to send) rather than cost every download its zero-copy path.
            ended.finish()
            return body  # type: ignore[return-value]
        return _Body(body, ended)


def _set_route(span: Any, attrs: dict[str, Any], route: str) -> None:
    attrs["http.route"] = route
    span.set_attribute("http.route", route)
    span.update_name(span_name(attrs["http.request.method"], route))


class _UntracedError(Exception):
    """Starting the span failed: serve the request without it."""


class _Ender:
    """End the request's span and record its duration, exactly once."""

    def __init__(
        self,
        st: Any,
        span: Any,
        token: Any,
        environ: dict[str, Any],
        attrs: dict[str, Any],
        start: float,
        status_box: list[int],
        active: dict[str, Any] | None = None,
    ) -> None:
        self.st, self.span, self.token, self.environ = st, span, token, environ
        self.attrs, self.start, self.status_box, self.active = attrs, start, status_box, active
        self.done = False

    def finish(self, err: BaseException | None = None) -> None:
        if self.done:
            return
        self.done = True
        try:
            self._end(err)
        except Exception:  # noqa: BLE001 - ending telemetry must not fail the response
            log_once(_log, "wsgi-end", "otelward: could not end a WSGI request span", exc_info=True)
        finally:
            self.st.leave(self.active)
            otel_context.detach(self.token)

    def _end(self, err: BaseException | None) -> None:
        span, attrs = self.span, self.attrs
        route = route_of(self.environ)
        if route and attrs.get("http.route") != route:
            _set_route(span, attrs, route)
        if self.status_box:
            code = self.status_box[0]
            attrs["http.response.status_code"] = code
            span.set_attribute("http.response.status_code", code)
            if code >= 500:
                attrs["error.type"] = str(code)
                span.set_attribute("error.type", str(code))
                span.set_status(Status(StatusCode.ERROR))
        handled = self.environ.get(HANDLED_ERROR_KEY) if err is None else None
        if isinstance(handled, BaseException):
            # The response was sent (a 500): error.type stays the status code, as semconv and upstream say.
            span.record_exception(handled)
            span.set_status(Status(StatusCode.ERROR, f"{type(handled).__name__}: {handled}"))
        if err is not None and not isinstance(err, GeneratorExit):
            attrs["error.type"] = type(err).__qualname__
            span.set_attribute("error.type", type(err).__qualname__)
            span.record_exception(err)
            span.set_status(Status(StatusCode.ERROR, f"{type(err).__name__}: {err}"))
        span.end()
        self.st.record(time.perf_counter() - self.start, attrs)


class _Body:
    """The app's response iterable, ending the span when the last chunk is out, the server closes it, or
    iteration fails.

    Ending at exhaustion matters: uvicorn's WSGI interface iterates the body and never calls ``close()``
    (PEP 3333 says it must), so a span that waited for ``close()`` never ended there: no span, no RED point.
    """

    def __init__(self, body: Iterable[bytes], ender: _Ender) -> None:
        self.body = body
        self.ender = ender

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.body
        except BaseException as err:
            self.ender.finish(err)
            raise
        self.ender.finish()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.ender.finish()
