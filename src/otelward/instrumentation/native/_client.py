"""What otelward's native HTTP-client instrumentations (requests, urllib3, httpx) share.

One CLIENT span per request, named and attributed as upstream's instrumentations do at the stable semantic-
convention setting, and upstream's suppression contract: the request runs with
``suppress_http_instrumentation`` set in the context, so a client built on another (requests on urllib3, a
redirect handled inside the call) makes no second span, whether the inner one is native or upstream's.

The span is current while the request hooks run and the headers are injected: ``TrustedBaggage`` and the
``client_request`` hooks read the called host from its attributes. Settings are read and SDK objects built once
per library, in :func:`state`, not per request.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import (
    _SUPPRESS_HTTP_INSTRUMENTATION_KEY,
    _SUPPRESS_INSTRUMENTATION_KEY,
)
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward._ratelimit import log_once
from otelward.instrumentation._lean import lean_tracer
from otelward.instrumentation._server import method_attributes
from otelward.instrumentation.hooks import HeaderGetter, run_get, run_set

__all__ = [
    "ClientState",
    "Exchange",
    "begin",
    "enabled",
    "header_attributes",
    "mapping_pairs",
    "redact_url",
    "request_attributes",
    "reset",
    "state",
]

# Query parameters upstream redacts (opentelemetry-util-http's PARAMS_TO_REDACT).
_REDACTED_PARAMS = ("AWSAccessKeyId=", "Signature=", "sig=", "X-Goog-Signature=")
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
_METRIC_KEYS = (
    "http.request.method",
    "http.response.status_code",
    "error.type",
    "network.protocol.version",
    "server.address",
    "server.port",
)
# What upstream's clients declare at the stable setting.
_SCHEMA_URL = "https://opentelemetry.io/schemas/1.21.0"
_log = logging.getLogger("otelward.instrumentation")


def _failed(where: str) -> None:
    log_once(_log, f"client-{where}", "otelward: an HTTP client span could not %s", where, exc_info=True)


def enabled() -> bool:
    """Return whether this request may be traced (no outer client call or caller suppressed instrumentation)."""
    ctx = otel_context.get_current()
    return not (
        ctx.get(_SUPPRESS_HTTP_INSTRUMENTATION_KEY)
        or ctx.get(_SUPPRESS_INSTRUMENTATION_KEY)
        or ctx.get("suppress_instrumentation")
    )


def redact_url(url: str) -> str:
    """Return ``url`` as upstream records it: userinfo replaced by ``REDACTED:REDACTED``, signatures redacted."""
    if "@" not in url and not any(p in url for p in _REDACTED_PARAMS):
        return url  # the common case, without parsing the URL twice as upstream does per request
    from opentelemetry.util.http import redact_url as upstream_redact

    return upstream_redact(url)


def request_attributes(
    method: str, url: str, host: str | None, port: int | None, *, peer: bool
) -> tuple[str, dict[str, Any]]:
    """Return the span name and the attributes known before the request is sent.

    Args:
        method: the request method as the app gave it.
        url: the full URL, already redacted.
        host: the host called (no port), if known.
        port: the port, when the URL names one.
        peer: also set ``network.peer.address``/``network.peer.port`` (requests and httpx do).
    """
    semconv_method, method_attrs = method_attributes(method.strip())
    attributes: dict[str, Any] = dict(method_attrs)
    attributes["url.full"] = url
    if host:
        attributes["server.address"] = host
        if peer:
            attributes["network.peer.address"] = host
    if port:
        attributes["server.port"] = port
        if peer:
            attributes["network.peer.port"] = port
    return ("HTTP" if semconv_method == "_OTHER" else semconv_method), attributes


def header_attributes(
    prefix: str,
    pairs: Iterable[tuple[str, list[str]]],
    wanted: re.Pattern[str],
    sanitize: re.Pattern[str] | None,
) -> dict[str, list[str]]:
    """Return ``{prefix + name: values}`` for the wanted headers among ``pairs``; sanitized ones redacted."""
    found: dict[str, list[str]] = {}
    for name, values in pairs:
        if wanted.fullmatch(name):
            key = name.lower()
            redact = sanitize is not None and sanitize.search(key)
            found[prefix + key] = ["[REDACTED]"] * len(values) if redact else values
    return found


@dataclass
class ClientState:
    """One library's tracer, duration histogram and parsed settings, built once per process."""

    tracer: Any
    duration: Any
    excluded: re.Pattern[str] | None
    request_headers: re.Pattern[str] | None
    response_headers: re.Pattern[str] | None
    sanitize: re.Pattern[str] | None

    def is_excluded(self, url: str) -> bool:
        """Return whether ``url`` matches ``OTEL_PYTHON_EXCLUDED_URLS``."""
        return self.excluded is not None and self.excluded.search(url) is not None


class Exchange:
    """One traced request: the span, current (with HTTP instrumentation suppressed) until :meth:`end`."""

    __slots__ = ("_start", "_state", "_token", "context", "metric", "span")

    def __init__(self, st: ClientState, name: str, attributes: dict[str, Any]) -> None:
        self._state = st
        self.span = st.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        self.metric = {k: attributes[k] for k in _METRIC_KEYS if k in attributes}
        # One attach for both: the span current for hooks and propagation, inner clients suppressed.
        ctx = trace.set_span_in_context(self.span)
        self.context = otel_context.set_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY, True, ctx)
        self._token = otel_context.attach(self.context)
        self._start = perf_counter()

    def send_headers(self, set_header: Callable[[str, str], None], request_headers: Any = None) -> None:
        """Run the ``client_request`` hooks, then inject the context (trusted-baggage rules apply)."""
        try:
            self._send_headers(set_header, request_headers)
        except Exception:  # noqa: BLE001 - the request goes out, without what could not be added
            _failed("inject its context")

    def _send_headers(self, set_header: Callable[[str, str], None], request_headers: Any) -> None:
        if request_headers is not None and self._state.request_headers is not None:
            self.span.set_attributes(
                header_attributes(
                    "http.request.header.", request_headers, self._state.request_headers, self._state.sanitize
                )
            )
        run_set("client_request", self.span, set_header)
        propagate.inject(_Carrier(set_header), self.context, setter=_SETTER)

    def respond(
        self,
        status: int,
        version: str | None,
        get_header: HeaderGetter | None,
        response_headers: Iterable[tuple[str, list[str]]] | None,
    ) -> None:
        """Record the response: status code (ERROR from 400), protocol version, captured headers, hooks."""
        try:
            self._respond(status, version, get_header, response_headers)
        except Exception:  # noqa: BLE001 - the app gets its response whatever the span could record
            _failed("record the response")

    def _respond(
        self,
        status: int,
        version: str | None,
        get_header: HeaderGetter | None,
        response_headers: Iterable[tuple[str, list[str]]] | None,
    ) -> None:
        span = self.span
        attributes: dict[str, Any] = {"http.response.status_code": status}
        error = status < 100 or status >= 400
        if error:
            attributes["error.type"] = str(status)
        if version:
            attributes["network.protocol.version"] = version
        self.metric.update(attributes)
        if response_headers is not None and self._state.response_headers is not None:
            attributes.update(
                header_attributes(
                    "http.response.header.",
                    response_headers,
                    self._state.response_headers,
                    self._state.sanitize,
                )
            )
        span.set_attributes(attributes)
        span.set_status(Status(StatusCode.ERROR if error else StatusCode.UNSET))
        if get_header is not None:
            run_get("client_response", span, get_header)

    def fail(self, exc: BaseException) -> None:
        """Record an exception raised by the call as upstream's span does (event, ERROR status, ``error.type``)."""
        if not isinstance(exc, Exception):
            return  # like the SDK's use_span: KeyboardInterrupt, CancelledError are not errors of the request
        try:
            span = self.span
            span.set_attribute("error.type", type(exc).__qualname__)
            self.metric["error.type"] = type(exc).__qualname__
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        except Exception:  # noqa: BLE001 - the app's own exception is what propagates
            _failed("record the exception")

    def end(self) -> None:
        """Detach the context, end the span and record ``http.client.request.duration``."""
        elapsed = max(perf_counter() - self._start, 0.0)
        otel_context.detach(self._token)
        try:
            self.span.end()
            if self._state.duration is not None:
                self._state.duration.record(elapsed, self.metric)
        except Exception:  # noqa: BLE001 - ending telemetry must not fail the request
            _failed("end")


def begin(start: Callable[[], Exchange | None]) -> Exchange | None:
    """Return ``start()``'s exchange, or None (the request then goes out untraced) if starting it failed."""
    try:
        return start()
    except Exception:  # noqa: BLE001 - a request otelward cannot describe is sent untraced
        _failed("start")
        return None


class _Carrier:
    """A write-only carrier over a header setter (the propagator only sets)."""

    __slots__ = ("set",)

    def __init__(self, set_header: Callable[[str, str], None]) -> None:
        self.set = set_header


class _CarrierSetter:
    def set(self, carrier: _Carrier, key: str, value: str) -> None:
        carrier.set(key, value)


_SETTER: Any = _CarrierSetter()

_lock = threading.Lock()
_states: dict[str, ClientState] = {}


def _regex(patterns: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    parts = [p.strip() for p in patterns if p.strip()]
    if not parts:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in parts), flags)
    except re.error:
        return None


def state(library: str) -> ClientState:
    """Return the state of the native instrumentation of ``library`` (built on first use, from the settings)."""
    found = _states.get(library)
    if found is not None:
        return found
    with _lock:
        if library not in _states:
            _states[library] = _build(library)
        return _states[library]


def reset() -> None:
    """Forget every library's state (tests build a new one after changing providers or settings)."""
    with _lock:
        _states.clear()


def _build(library: str) -> ClientState:
    from opentelemetry import metrics

    from otelward._version import __version__
    from otelward.config import defaults
    from otelward.startup._state import runtime

    rt = runtime()
    general = (rt.settings if rt is not None else defaults()).general
    scope = f"otelward.instrumentation.{library}"
    meter = metrics.get_meter(scope, __version__, schema_url=_SCHEMA_URL)
    duration = meter.create_histogram(
        "http.client.request.duration",
        unit="s",
        description="Duration of HTTP client requests.",
        explicit_bucket_boundaries_advisory=list(_DURATION_BUCKETS),
    )
    return ClientState(
        tracer=lean_tracer(scope, __version__, schema_url=_SCHEMA_URL),
        duration=duration,
        excluded=_regex(general.excluded_urls.split(","), 0),
        request_headers=_regex(general.capture_client_request_headers),
        response_headers=_regex(general.capture_client_response_headers),
        sanitize=_regex(general.sanitize_headers),
    )


def mapping_pairs(headers: Mapping[str, Any] | None) -> list[tuple[str, list[str]]]:
    """Return ``(name, [value])`` pairs of a str-valued header mapping (requests, urllib3)."""
    if not headers:
        return []
    return [(k, [v] if isinstance(v, str) else list(v)) for k, v in headers.items()]
