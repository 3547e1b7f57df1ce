"""A native HTTP client span that cannot be started, recorded or ended never fails the app's request."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otelward.instrumentation.native import _client


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/ok"
    httpd.shutdown()
    httpd.server_close()


def _requests(url: str) -> int:
    import requests

    return int(requests.get(url, timeout=5).status_code)


def _urllib3(url: str) -> int:
    import urllib3

    return int(urllib3.PoolManager().request("GET", url, timeout=5).status)


def _httpx(url: str) -> int:
    import httpx

    with httpx.Client(timeout=5) as client:
        return int(client.get(url).status_code)


CLIENTS = [("requests", _requests), ("urllib3", _urllib3), ("httpx", _httpx)]


class _Broken:
    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"broken {name}")


@pytest.mark.parametrize("broken", ["tracer", "duration"])
@pytest.mark.parametrize(("name", "call"), CLIENTS, ids=[c[0] for c in CLIENTS])
def test_request_succeeds_whatever_breaks(
    monkeypatch: pytest.MonkeyPatch, url: str, name: str, call: Callable[[str], int], broken: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    st = _client.ClientState(
        tracer=_Broken() if broken == "tracer" else provider.get_tracer("t"),
        duration=_Broken() if broken == "duration" else None,
        excluded=None,
        request_headers=None,
        response_headers=None,
        sanitize=None,
    )
    monkeypatch.setattr(_client, "state", lambda library: st)  # before instrument(): the wrappers bind it
    module = importlib.import_module(f"otelward.instrumentation.native._{name}")
    module.instrument()
    try:
        assert call(url) == 200
        assert call(url) == 200  # and again: no context left attached, nothing half-done
    finally:
        module.uninstrument()
    spans = exporter.get_finished_spans()
    # A tracer that cannot start spans: sent untraced. A broken metric: the span still ended.
    assert len(spans) == (0 if broken == "tracer" else 2)
    if broken == "tracer":
        assert _client.enabled()  # the failed start left no suppression behind
