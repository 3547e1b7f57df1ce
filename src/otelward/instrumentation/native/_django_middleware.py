"""otelward's Django middleware: one SERVER span per request, named after the resolved URL pattern.

The attributes are those of otelward's WSGI and ASGI middlewares (read from ``request.META``, the WSGI environ,
or from ``request.scope`` under ASGI), so a Django span looks like any other otelward server span; the route is
``request.resolver_match.route`` once the view ran (upstream resolves the URL a second time before the request
to name the span up front). An exception from the view reaches ``process_exception`` before Django turns it
into a 500 response: it is recorded on the span, as upstream does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward._ratelimit import log_once
from otelward.instrumentation._server import (
    capture_headers,
    in_server_span,
    method_attributes,
    span_name,
    state,
)

__all__ = ["OtelwardDjangoMiddleware"]

_log = logging.getLogger("otelward.instrumentation")
_KEY = "otelward.django.request"


class _Request:
    """The span of one request and what ending it needs."""

    __slots__ = ("active", "attrs", "error", "span", "st", "start", "token")

    def __init__(self, st: Any, span: Any, token: Any, attrs: dict[str, Any]) -> None:
        self.st, self.span, self.token, self.attrs = st, span, token, attrs
        self.start = time.perf_counter()
        self.error: BaseException | None = None
        self.active = st.enter(attrs)


def _is_asgi(request: Any) -> bool:
    return isinstance(getattr(request, "scope", None), dict)


def _begin(request: Any) -> _Request | None:
    if in_server_span():
        return None
    st = state()
    meta = request.META
    try:
        if st.excluded is not None and st.is_excluded(_url(request)):
            return None
        method, method_attrs = method_attributes(str(request.method or "GET"))
        if _is_asgi(request):
            from otelward.instrumentation import _asgi

            scope = request.scope
            if isinstance(scope.get("query_string"), str):  # Django's AsyncClient; servers send bytes
                scope = {**scope, "query_string": scope["query_string"].encode("latin-1")}
            headers = _asgi._headers(scope)
            attrs = _asgi._attributes(scope, headers, method_attrs)
            parent = propagate.extract(scope, getter=_asgi._GETTER)
            lookup: Callable[[str], list[str] | None] = headers.get
        else:
            from otelward.instrumentation import _wsgi

            attrs = _wsgi._attributes(meta, method_attrs)
            parent = propagate.extract(meta, getter=_wsgi._GETTER)
            lookup = _wsgi._environ_values(meta)
        if st.request_headers:
            attrs.update(capture_headers("http.request.header.", st.request_headers, lookup, st.sanitize))
        span = st.tracer.start_span(
            span_name(method, None), context=parent, kind=SpanKind.SERVER, attributes=attrs
        )
    except Exception:  # noqa: BLE001 - a request otelward cannot describe is served untraced
        log_once(_log, "django-start", "otelward: could not trace a Django request", exc_info=True)
        return None
    token = otel_context.attach(trace.set_span_in_context(span, parent))
    traced = _Request(st, span, token, attrs)
    meta[_KEY] = traced
    from otelward.instrumentation.hooks._django import meta_getter
    from otelward.instrumentation.hooks._registry import run_get

    run_get("server_request", span, meta_getter(request))
    if not _is_asgi(request):
        from otelward.instrumentation._access import remember

        remember(meta, span)  # META is the environ gunicorn passes to its access line
    return traced


def _url(request: Any) -> str:
    meta = request.META
    query = meta.get("QUERY_STRING")
    url = f"{request.scheme}://{meta.get('HTTP_HOST', '')}{request.path}"
    return f"{url}?{query}" if query else url


def _end(traced: _Request, request: Any, response: Any, error: BaseException | None) -> None:
    try:
        _finish(traced, request, response, error)
    except Exception:  # noqa: BLE001 - ending telemetry must not fail the response
        log_once(_log, "django-end", "otelward: could not end a Django request span", exc_info=True)
    finally:
        traced.st.leave(traced.active)
        request.META.pop(_KEY, None)
        otel_context.detach(traced.token)


def _finish(traced: _Request, request: Any, response: Any, error: BaseException | None) -> None:
    span, attrs, st = traced.span, traced.attrs, traced.st
    route = getattr(getattr(request, "resolver_match", None), "route", None)
    if isinstance(route, str) and route:
        attrs["http.route"] = route
        span.set_attribute("http.route", route)
        span.update_name(span_name(attrs["http.request.method"], route))
    if response is not None:
        code = response.status_code
        attrs["http.response.status_code"] = code
        span.set_attribute("http.response.status_code", code)
        if code >= 500:
            attrs["error.type"] = str(code)
            span.set_attribute("error.type", str(code))
            span.set_status(Status(StatusCode.ERROR))
        if st.response_headers:
            sent: dict[str, list[str]] = {}
            for k, v in response.items():
                sent.setdefault(k.lower(), []).append(v)
            span.set_attributes(
                capture_headers("http.response.header.", st.response_headers, sent.get, st.sanitize)
            )
        from otelward.instrumentation.hooks._django import response_setter
        from otelward.instrumentation.hooks._registry import run_set

        run_set("server_response", span, response_setter(response))
    error = error or traced.error
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
    span.end()
    st.record(time.perf_counter() - traced.start, attrs)


class OtelwardDjangoMiddleware:
    """Trace each request Django serves (sync or async, as the chain below it is)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            from asgiref.sync import markcoroutinefunction

            markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        if self._async:
            return self._acall(request)
        traced = _begin(request)
        if traced is None:
            return self.get_response(request)
        try:
            response = self.get_response(request)
        except BaseException as err:
            _end(traced, request, None, err)
            raise
        _end(traced, request, response, None)
        return response

    async def _acall(self, request: Any) -> Any:
        traced = _begin(request)
        if traced is None:
            return await self.get_response(request)
        try:
            response = await self.get_response(request)
        except BaseException as err:
            _end(traced, request, None, err)
            raise
        _end(traced, request, response, None)
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        """Remember the view's exception for the span (Django answers it with a 500 response)."""
        traced = request.META.get(_KEY)
        if isinstance(traced, _Request):
            traced.error = exception
