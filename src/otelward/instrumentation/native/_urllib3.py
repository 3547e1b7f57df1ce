"""Native instrumentation of ``urllib3``: one CLIENT span per ``HTTPConnectionPool.urlopen``, as upstream's.

Retries and same-pool redirects recurse into ``urlopen`` inside the span with HTTP instrumentation
suppressed: one span, as upstream records it (a ``PoolManager`` following a redirect calls the pool once
per hop: one span each). Unlike upstream, the span names the host and port it called (``server.address``,
``server.port``, required by the semantic conventions, and what the trusted-baggage rules read) and a failed
call carries ``error.type`` (the exception's class), as requests' and httpx's spans do.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["instrument", "uninstrument"]

_MARK = "_otelward_native"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def instrument() -> None:
    """Wrap ``urllib3.connectionpool.HTTPConnectionPool.urlopen`` (idempotent)."""
    from urllib3.connectionpool import HTTPConnectionPool

    if getattr(HTTPConnectionPool.urlopen, _MARK, False):
        return
    HTTPConnectionPool.urlopen = _wrap(HTTPConnectionPool.urlopen)  # type: ignore[method-assign]


def uninstrument() -> None:
    """Restore ``HTTPConnectionPool.urlopen`` (tests); forget the tracer and settings."""
    from otelward.instrumentation.native._client import reset

    reset()
    from urllib3.connectionpool import HTTPConnectionPool

    if getattr(HTTPConnectionPool.urlopen, _MARK, False):
        HTTPConnectionPool.urlopen = HTTPConnectionPool.urlopen.__wrapped__  # type: ignore[attr-defined,method-assign]


def full_url(scheme: str, host: str, port: int | None, url: str) -> str:
    """Return the URL upstream records: a path is completed with the pool's scheme, host and non-default port."""
    if not url.startswith("/"):
        return url
    netloc = host if not port or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return f"{scheme}://{netloc}{url}"


def _wrap(urlopen: Any) -> Any:
    from otelward.instrumentation.hooks._header_access import getter
    from otelward.instrumentation.native import _client
    from otelward.instrumentation.native._client import Exchange, begin, enabled, mapping_pairs, state

    def start(pool: Any, method: str, url: str, sent: dict[str, Any]) -> Exchange | None:
        st = state("urllib3")
        scheme = getattr(pool, "scheme", None) or "http"
        host = getattr(pool, "host", None) or ""
        port = getattr(pool, "port", None)
        full = full_url(scheme, host, port, url)
        if st.is_excluded(full):
            return None
        name, attributes = _client.request_attributes(method.upper(), full, host, port, peer=False)
        exchange = Exchange(st, name, attributes)
        exchange.send_headers(sent.__setitem__, mapping_pairs(sent))
        return exchange

    @functools.wraps(urlopen)
    def traced_urlopen(
        self: Any, method: str, url: str, body: Any = None, headers: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if not enabled():
            return urlopen(self, method, url, body, headers, *args, **kwargs)
        sent = headers.copy() if headers is not None else {}
        exchange = begin(lambda: start(self, method, url, sent))
        if exchange is None:
            return urlopen(self, method, url, body, headers, *args, **kwargs)
        try:
            try:
                response = urlopen(self, method, url, body, sent, *args, **kwargs)
            except BaseException as exc:
                exchange.fail(exc)
                raise
            response_headers = getattr(response, "headers", None)
            number = getattr(response, "version", None)
            if number:  # upstream puts the protocol version on the duration metric only
                exchange.metric["network.protocol.version"] = "1.1" if number == 11 else "1.0"
            exchange.respond(
                response.status,
                None,
                getter(response_headers),
                mapping_pairs(response_headers) if response_headers is not None else None,
            )
            return response
        finally:
            exchange.end()

    setattr(traced_urlopen, _MARK, True)
    return traced_urlopen
