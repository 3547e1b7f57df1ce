"""Native instrumentation of ``requests``: one CLIENT span per ``Session.send``, as upstream's.

Redirects and the urllib3 call underneath run inside the span with HTTP instrumentation suppressed, so a
redirect chain is one span (named after the first URL, with the final status), as upstream records it.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

__all__ = ["instrument", "uninstrument"]

_MARK = "_otelward_native"


def instrument() -> None:
    """Wrap ``requests.Session.send`` (idempotent)."""
    from requests.sessions import Session

    if getattr(Session.send, _MARK, False):
        return
    Session.send = _wrap(Session.send)  # type: ignore[method-assign]


def uninstrument() -> None:
    """Restore ``requests.Session.send`` (tests); forget the tracer and settings."""
    from otelward.instrumentation.native._client import reset

    reset()
    from requests.sessions import Session

    if getattr(Session.send, _MARK, False):
        Session.send = Session.send.__wrapped__  # type: ignore[attr-defined,method-assign]


def _wrap(send: Any) -> Any:
    from requests.models import Response
    from requests.structures import CaseInsensitiveDict

    from otelward.instrumentation.native import _client
    from otelward.instrumentation.native._client import (
        Exchange,
        begin,
        enabled,
        mapping_pairs,
        redact_url,
        state,
    )

    def start(request: Any) -> Exchange | None:
        st = state("requests")
        raw_url = request.url or ""
        if st.is_excluded(raw_url):
            return None
        url = redact_url(raw_url)
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            host = port = None
        name, attributes = _client.request_attributes(request.method or "", url, host, port, peer=True)
        if request.headers is None:
            request.headers = CaseInsensitiveDict()
        headers = request.headers
        agent = headers.get("User-Agent")
        if isinstance(agent, bytes):
            agent = agent.decode("latin-1")
        if agent:
            synthetic = _synthetic(agent)
            if synthetic:
                attributes["user_agent.synthetic.type"] = synthetic
            attributes["user_agent.original"] = agent
        exchange = Exchange(st, name, attributes)
        exchange.send_headers(headers.__setitem__, mapping_pairs(headers))
        return exchange

    @functools.wraps(send)
    def traced_send(self: Any, request: Any, **kwargs: Any) -> Any:
        exchange = begin(lambda: start(request)) if enabled() else None
        if exchange is None:
            return send(self, request, **kwargs)
        try:
            try:
                response = send(self, request, **kwargs)
            except Exception as exc:
                carried = getattr(exc, "response", None)
                if isinstance(carried, Response):
                    _respond(exchange, carried)
                exchange.fail(exc)
                raise
            if isinstance(response, Response):
                _respond(exchange, response)
            return response
        finally:
            exchange.end()

    setattr(traced_send, _MARK, True)
    return traced_send


def _respond(exchange: Any, response: Any) -> None:
    from otelward.instrumentation.hooks._header_access import getter
    from otelward.instrumentation.native._client import mapping_pairs

    raw = getattr(response, "raw", None)
    number = getattr(raw, "version", None) if raw is not None else None
    version = ("1.1" if number == 11 else "1.0") if number else None
    headers = getattr(response, "headers", None)
    exchange.respond(response.status_code, version, getter(headers), mapping_pairs(headers))


def _synthetic(agent: str) -> str | None:
    from opentelemetry.util.http import detect_synthetic_user_agent

    return detect_synthetic_user_agent(agent)
