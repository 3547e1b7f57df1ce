"""Run one HTTP client through every parity scenario under one instrumentation; print the span shapes as JSON.

``python -m tests.instrumentation.native._client_run CLIENT MODE`` with CLIENT one of ``requests``, ``urllib3``,
``httpx``, ``httpx-async``, ``requests+urllib3`` (both instrumented) and MODE ``upstream`` (the upstream instrumentor with otelward's hook options, as
otelward loaded it before) or ``native`` (otelward's loader choosing the native module). A process per run:
upstream's semantic-convention mode is fixed on first use, and each mode must see the library unpatched.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SCENARIOS = ("ok", "not-found", "server-error", "refused", "redirect", "userinfo", "excluded")
# Client -> the entry points instrumented for it ("requests+urllib3": requests with urllib3 under it traced too).
_ENTRY_POINTS = {
    "requests": ("requests",),
    "requests+urllib3": ("requests", "urllib3"),
    "urllib3": ("urllib3",),
    "httpx": ("httpx",),
    "httpx-async": ("httpx",),
}


class _Server:
    """A loopback server: /ok 200, /missing 404, /boom 500, /redirect 302 to /ok; remembers what it received."""

    def __init__(self) -> None:
        self.received: list[dict[str, str | None]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                received.append(
                    {
                        "path": self.path,
                        "traceparent": self.headers.get("traceparent"),
                        "x-hooked": self.headers.get("x-hooked"),
                    }
                )
                status = {"/ok": 200, "/missing": 404, "/boom": 500, "/redirect": 302}.get(self.path, 200)
                body = b"ok"
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "/ok")
                self.send_header("Content-Type", "text/plain")
                self.send_header("X-Request-ID", "req-1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _caller(client: str) -> Callable[[str], None]:
    if client.startswith("requests"):
        import requests

        session = requests.Session()
        return lambda url: session.get(url, timeout=5).close()
    if client == "urllib3":
        import urllib3

        pool = urllib3.PoolManager(retries=urllib3.Retry(total=0, redirect=2, raise_on_redirect=False))
        return lambda url: pool.request("GET", url, timeout=5).release_conn()
    import httpx

    if client == "httpx":
        sync = httpx.Client(timeout=5, follow_redirects=True)
        return lambda url: sync.get(url).close()

    async def get(url: str) -> None:
        async with httpx.AsyncClient(timeout=5, follow_redirects=True) as c:
            await (await c.get(url)).aclose()

    return lambda url: asyncio.run(get(url))


def _instrument(client: str, mode: str) -> None:
    from otelward.instrumentation import _lazy, hooks

    for name in _ENTRY_POINTS[client]:
        ep = _lazy.entry_points_by_name()[name]
        if mode == "upstream":
            ep.load()().instrument(skip_dep_check=True, **hooks.instrumentor_kwargs(name))
            continue
        assert _lazy.load_now(ep, hooks.instrumentor_kwargs), _lazy.STATUS[name]
        assert name in _lazy.NATIVE_ACTIVE, f"{name} was not instrumented natively: {_lazy.STATUS[name]}"


def _install_hooks() -> None:
    from otelward.instrumentation import hooks

    def on_request(span: Any, set_header: Callable[[str, str], None]) -> None:
        set_header("x-hooked", "1")
        span.set_attribute("test.request_hook.server_address", str(span.attributes.get("server.address")))

    def on_response(span: Any, get_header: Callable[[str], str | None]) -> None:
        span.set_attribute("test.response_hook.request_id", str(get_header("x-request-id")))

    hooks.register("client_request", on_request)
    hooks.register("client_response", on_response)


_VOLATILE = (
    (re.compile(r"0x[0-9a-f]+"), "0xADDR"),
    (re.compile(r"python-requests/[\d.]+"), "python-requests/VERSION"),
)


def _normal(value: Any, ports: dict[int, str]) -> Any:
    if isinstance(value, (list, tuple)):
        return [_normal(v, ports) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value in ports:
        return ports[value]
    if isinstance(value, str):
        for port, label in ports.items():
            value = value.replace(str(port), label)
        for pattern, replacement in _VOLATILE:
            value = pattern.sub(replacement, value)
    return value


def _shape(span: ReadableSpan, ports: dict[int, str]) -> dict[str, Any]:
    attributes = {k: _normal(v, ports) for k, v in (span.attributes or {}).items()}
    events = []
    for event in span.events:
        ev = {
            k: _normal(v, ports) for k, v in (event.attributes or {}).items() if k != "exception.stacktrace"
        }
        ev["has_stacktrace"] = "exception.stacktrace" in (event.attributes or {})
        events.append({"name": event.name, "attributes": ev})
    return {
        "name": span.name,
        "kind": span.kind.name,
        "status": span.status.status_code.name,
        "description": _normal(span.status.description, ports),
        "attributes": attributes,
        "events": events,
        "span_id": format(span.context.span_id, "016x"),
        "trace_id": format(span.context.trace_id, "032x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
    }


def run(client: str, mode: str) -> dict[str, Any]:
    """Return, per scenario, the client spans, the requests the server saw and the duration points."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    _install_hooks()
    _instrument(client, mode)
    server = _Server()
    refused = _closed_port()
    ports = {server.port: "PORT", refused: "REFUSED_PORT"}
    base = f"http://127.0.0.1:{server.port}"
    urls = {
        "ok": f"{base}/ok",
        "not-found": f"{base}/missing",
        "server-error": f"{base}/boom",
        "refused": f"http://127.0.0.1:{refused}/ok",
        "redirect": f"{base}/redirect",
        "userinfo": f"http://user:secret@127.0.0.1:{server.port}/ok",
        "excluded": f"{base}/healthz",
    }
    call = _caller(client)
    tracer = trace.get_tracer("parity")
    out: dict[str, Any] = {}
    for scenario in SCENARIOS:
        exporter.clear()
        server.received.clear()
        error = None
        with tracer.start_as_current_span("parent") as parent:
            try:
                call(urls[scenario])
            except Exception as exc:  # noqa: BLE001 - the refused scenario raises by design
                error = type(exc).__name__
        clients = [s for s in exporter.get_finished_spans() if s is not None and s.name != "parent"]
        out[scenario] = {
            "parent_id": format(parent.get_span_context().span_id, "016x"),
            "error": error,
            "spans": [_shape(s, ports) for s in clients],
            "received": [dict(r) for r in server.received],
        }
    out["duration_points"] = _duration_points(reader, ports)
    return out


def _duration_points(reader: InMemoryMetricReader, ports: dict[int, str]) -> list[dict[str, Any]]:
    data = reader.get_metrics_data()
    points: list[dict[str, Any]] = []
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name != "http.client.request.duration":
                    continue
                for point in metric.data.data_points:
                    attrs = {k: _normal(v, ports) for k, v in (point.attributes or {}).items()}
                    points.append({"unit": metric.unit, "count": point.count, "attributes": attrs})
    return sorted(points, key=lambda p: json.dumps(p["attributes"], sort_keys=True))


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
