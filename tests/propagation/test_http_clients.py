"""Outgoing HTTP carries the trace: each client makes a CLIENT span and sends its id in `traceparent`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry import trace

from otelward.instrumentation import _lazy as _instrumentation
from otelward.instrumentation import hooks
from tests.frameworks.memory import Spans, capture


class _Server:
    """A loopback HTTP server that remembers the `traceparent` header of every request."""

    def __init__(self) -> None:
        self.traceparents: list[str | None] = []
        seen = self.traceparents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.headers.get("traceparent"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/ping"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


def _requests(url: str) -> None:
    import requests

    requests.get(url, timeout=5).raise_for_status()


def _httpx_sync(url: str) -> None:
    import httpx

    with httpx.Client(timeout=5) as client:
        client.get(url).raise_for_status()


def _httpx_async(url: str) -> None:
    import httpx

    async def main() -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            (await client.get(url)).raise_for_status()

    asyncio.run(main())


def _urllib3(url: str) -> None:
    import urllib3

    with urllib3.PoolManager() as pool:
        assert pool.request("GET", url, timeout=5).status == 200


def _urllib(url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.status == 200


def _aiohttp(url: str) -> None:
    import aiohttp

    async def main() -> None:
        async with aiohttp.ClientSession() as session, session.get(url) as resp:
            assert resp.status == 200

    asyncio.run(main())


CLIENTS: list[tuple[str, Callable[[str], None]]] = [
    ("requests", _requests),
    ("httpx", _httpx_sync),
    ("httpx", _httpx_async),
    ("urllib3", _urllib3),
    ("urllib", _urllib),
    ("aiohttp-client", _aiohttp),
]


@pytest.mark.parametrize(
    ("entry_point", "call"),
    [(ep, fn) for ep, fn in CLIENTS],
    ids=["requests", "httpx-sync", "httpx-async", "urllib3", "urllib", "aiohttp"],
)
def test_client_span_is_a_child_and_its_id_is_sent(
    server: _Server, entry_point: str, call: Callable[[str], None]
) -> None:
    ep = _instrumentation.entry_points_by_name()[entry_point]
    with capture() as spans:
        # Loaded by otelward's loader with otelward's hook options, as under opentelemetry-instrument.
        assert _instrumentation.load_now(ep, hooks.instrumentor_kwargs), _instrumentation.STATUS[entry_point]
        try:
            server.traceparents.clear()
            with trace.get_tracer("test").start_as_current_span("parent"):
                call(server.url)
        finally:
            _uninstrument(entry_point, ep)
        _assert_linked(spans, server)


def _uninstrument(entry_point: str, ep: Any) -> None:
    """Undo what the loader did: the native module's patch (http clients are native by default) or upstream's."""
    import importlib

    from otelward.instrumentation.native import NATIVE

    if entry_point in _instrumentation.NATIVE_ACTIVE:
        importlib.import_module(NATIVE[entry_point].module).uninstrument()
        _instrumentation.NATIVE_ACTIVE.discard(entry_point)
    else:
        ep.load()().uninstrument()
    _instrumentation.STATUS.pop(entry_point, None)


def _assert_linked(spans: Spans, server: _Server) -> None:
    parent = spans.named("parent")
    clients = [s for s in spans.finished() if s.kind.name == "CLIENT"]
    assert len(clients) == 1, [(s.name, s.kind.name) for s in spans.finished()]
    (client,) = clients
    assert spans.parent_of(client) == parent
    (header,) = server.traceparents
    assert header is not None
    version, trace_id, span_id, _flags = header.split("-")
    assert version == "00"
    assert int(trace_id, 16) == parent.context.trace_id
    # The downstream server's parent is the client span, not the caller's span.
    assert int(span_id, 16) == client.context.span_id
