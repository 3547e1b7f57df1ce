"""What otelward's own WSGI and ASGI server instrumentations share: span names, attributes, the duration metric.

The names, kinds and attributes are upstream's at its stable semantic-convention setting, with the fixes
upstream lacks: a span is named ``GET /route/{template}`` when the app exposes its route template and just
``GET`` otherwise (never the raw path, which grows without bound and may carry secrets), ``server.address``
is the host without the port (the port goes to ``server.port``), and captured header keys keep their dashes
(``http.request.header.content-type``).

Everything that reads settings or creates SDK objects happens once, in :func:`state`, not per request.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from opentelemetry.trace import SpanKind, get_current_span

from otelward._ratelimit import log_once
from otelward.logs._fields import SAVED_KEY

__all__ = [
    "CORRELATION_KEY",
    "ServerState",
    "capture_headers",
    "in_server_span",
    "method_attributes",
    "reset",
    "span_name",
    "split_host",
    "state",
]

CORRELATION_KEY = SAVED_KEY
"""WSGI environ / ASGI scope key holding ``(span_context, request_scope)`` of the request's server span.

Servers write their access line after the span ended and its context was detached; they still hold the
environ (gunicorn) or the scope (uvicorn), which is where :mod:`otelward.instrumentation._access` finds it.
"""

_KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"))
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


def in_server_span() -> bool:
    """Return whether a SERVER span is current (a framework or outer layer already traces the request).

    Only SERVER spans count: a process-long CLI span that runs the server must not stop requests being traced.
    """
    span = get_current_span()
    return getattr(span, "kind", None) is SpanKind.SERVER and span.get_span_context().is_valid


def method_attributes(method: str) -> tuple[str, dict[str, str]]:
    """Return the method as semconv names it (``_OTHER`` for unknown ones) and the attributes to set."""
    if method in _KNOWN_METHODS:
        return method, {"http.request.method": method}
    upper = method.upper()
    if upper in _KNOWN_METHODS:
        return upper, {"http.request.method": upper, "http.request.method_original": method}
    return "_OTHER", {"http.request.method": "_OTHER", "http.request.method_original": method}


def span_name(method: str, route: str | None) -> str:
    """Return ``"GET /items/{id}"`` with a route template, ``"GET"`` without (``"HTTP"`` for unknown methods)."""
    if method == "_OTHER":
        method = "HTTP"
    return f"{method} {route}" if route else method


def split_host(host: str, default_port: int | None) -> tuple[str, int | None]:
    """Split a ``Host`` header value into address and port (IPv6 brackets removed)."""
    if host.startswith("["):
        end = host.find("]")
        if end > 0:
            rest = host[end + 1 :]
            port = rest[1:] if rest.startswith(":") else ""
            return host[1:end], int(port) if port.isdigit() else default_port
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        return name, int(port)
    return host, default_port


def capture_headers(
    prefix: str,
    wanted: Iterable[str],
    lookup: Callable[[str], list[str] | None],
    sanitize: re.Pattern[str] | None,
) -> dict[str, list[str]]:
    """Return ``{prefix + name: values}`` for each wanted (lower-case) header present; sanitized ones redacted."""
    found: dict[str, list[str]] = {}
    for name in wanted:
        values = lookup(name)
        if values:
            if sanitize is not None and sanitize.fullmatch(name):
                values = ["[REDACTED]"]
            found[prefix + name] = values
    return found


_log = logging.getLogger("otelward.instrumentation")


@dataclass
class ServerState:
    """The tracer, the duration histogram and the parsed settings, built once per process.

    ``duration`` is the runtime's bucket histogram, or an SDK histogram when no otelward runtime is running.
    """

    tracer: Any
    duration: Any
    excluded: re.Pattern[str] | None
    request_headers: tuple[str, ...]
    response_headers: tuple[str, ...]
    sanitize: re.Pattern[str] | None
    active: Any = None
    """The ``http.server.active_requests`` up-down counter, only with ``OTELWARD_METRICS_ACTIVE_REQUESTS``."""

    def is_excluded(self, url: str) -> bool:
        """Return whether ``url`` matches ``OTEL_PYTHON_EXCLUDED_URLS``."""
        return self.excluded is not None and self.excluded.search(url) is not None

    def record(self, seconds: float, attributes: Mapping[str, Any]) -> None:
        """Record one request in ``http.server.request.duration`` with the metric's attributes only."""
        keep = {k: attributes[k] for k in _METRIC_KEYS if k in attributes}
        record = getattr(self.duration, "record_attributes", None)
        if record is not None:
            # otelward's bucket histogram: ~1 µs where an SDK ``Histogram.record`` costs 13-22 µs.
            record(keep, seconds)
        else:
            self.duration.record(seconds, keep)

    def enter(self, attributes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Count one more request in flight (when the counter is kept); return what :meth:`leave` takes."""
        if self.active is None:
            return None
        keep = {k: attributes[k] for k in _ACTIVE_KEYS if k in attributes}
        try:
            self.active.add(1, keep)
        except Exception:  # noqa: BLE001 - a failing counter must not fail the request
            log_once(_log, "active-requests", "otelward: could not count an active request", exc_info=True)
            return None
        return keep

    def leave(self, entered: dict[str, Any] | None) -> None:
        """Count the request :meth:`enter` counted as no longer in flight."""
        if entered is not None:
            with contextlib.suppress(Exception):  # as enter: never fail the request
                self.active.add(-1, entered)


_ACTIVE_KEYS = ("http.request.method", "url.scheme")
"""The attributes semantic conventions require on ``http.server.active_requests``."""

_METRIC_KEYS = (
    "http.request.method",
    "url.scheme",
    "http.route",
    "http.response.status_code",
    "error.type",
    "network.protocol.version",
    "server.address",
    "server.port",
)

_lock = threading.Lock()
_state: ServerState | None = None


def _regex(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [p.strip() for p in patterns if p.strip()]
    if not parts:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
    except re.error:
        return None


def state() -> ServerState:
    """Return the process's server instrumentation state (built on first use, from the runtime's settings)."""
    global _state
    if _state is not None:
        return _state
    with _lock:
        if _state is None:
            _state = _build()
    return _state


def reset() -> None:
    """Forget the state (tests build a new one after changing providers or settings)."""
    global _state
    _state = None


def _build() -> ServerState:
    from opentelemetry import metrics

    from otelward._version import __version__
    from otelward.config import defaults
    from otelward.instrumentation._lean import lean_tracer
    from otelward.startup._state import runtime

    rt = runtime()
    settings = rt.settings if rt is not None else defaults()
    general = settings.general
    # The runtime's plain buckets (merged into every collection); an SDK instrument only without one.
    duration: Any = rt.red.histogram("http.server.request.duration") if rt and rt.red else None
    if duration is None:
        meter = metrics.get_meter("otelward.instrumentation.server", __version__)
        duration = meter.create_histogram(
            "http.server.request.duration",
            unit="s",
            description="Duration of HTTP server requests.",
            explicit_bucket_boundaries_advisory=list(_DURATION_BUCKETS),
        )
    active = None
    if settings.metrics.active_requests:
        active = metrics.get_meter("otelward.instrumentation.server", __version__).create_up_down_counter(
            "http.server.active_requests",
            unit="{request}",
            description="Number of active HTTP server requests.",
        )
    return ServerState(
        tracer=lean_tracer("otelward.instrumentation.server", __version__),
        active=active,
        duration=duration,
        excluded=_regex(general.excluded_urls.split(",")),
        request_headers=general.capture_request_headers,
        response_headers=general.capture_response_headers,
        sanitize=_regex(general.sanitize_headers),
    )
