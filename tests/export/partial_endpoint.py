"""A real OTLP/HTTP endpoint that accepts every request but rejects some of its items (partial success).

It answers ``200`` with the signal's ``Export*ServiceResponse`` carrying ``partial_success``, as a collector
does when a processor refuses part of a batch, and counts what it received and rejected so that tests can
compare otelward's self-metric with what the endpoint reported. The gRPC twin is in ``grpc_faults.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from harness.collector import free_port

__all__ = ["MESSAGES", "PartialEndpoint", "Rejecter", "partial_endpoint"]

# signal -> (request type, response type, partial_success field)
MESSAGES: dict[str, tuple[Any, Any, str]] = {
    "traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
        "rejected_spans",
    ),
    "logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
        "rejected_log_records",
    ),
    "metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
        "rejected_data_points",
    ),
}


def _items(signal: str, request: Any) -> int:
    if signal == "traces":
        return sum(len(ss.spans) for rs in request.resource_spans for ss in rs.scope_spans)
    if signal == "logs":
        return sum(len(sl.log_records) for rl in request.resource_logs for sl in rl.scope_logs)
    return sum(
        len(getattr(m, m.WhichOneof("data")).data_points)
        for rm in request.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    )


class Rejecter:
    """Reject up to ``per_request`` items of every request, with ``message`` as the collector's reason."""

    def __init__(self, per_request: int, message: str) -> None:
        self.per_request = per_request
        self.message = message
        self.requests = 0
        self.received = 0
        self.rejected = 0
        self._lock = threading.Lock()
        self.port = free_port()

    @property
    def endpoint(self) -> str:
        """The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT."""
        return f"http://127.0.0.1:{self.port}"

    def answer(self, signal: str, request: Any) -> Any:
        """Count ``request`` and return the response that rejects part of it."""
        items = _items(signal, request)
        rejected = min(items, self.per_request)
        with self._lock:
            self.requests += 1
            self.received += items
            self.rejected += rejected
        response = MESSAGES[signal][1]()
        if rejected or self.message:
            setattr(response.partial_success, MESSAGES[signal][2], rejected)
            response.partial_success.error_message = self.message
        return response


class PartialEndpoint(Rejecter):
    """The OTLP/HTTP face of a :class:`Rejecter`, on a free loopback port."""

    def __init__(self, per_request: int, message: str) -> None:
        super().__init__(per_request, message)
        self.body: bytes | None = None  # when set, answered verbatim instead of a response message


@contextmanager
def partial_endpoint(per_request: int = 3, message: str = "") -> Iterator[PartialEndpoint]:
    """Serve a :class:`PartialEndpoint` for the duration of the block."""
    endpoint = PartialEndpoint(per_request, message)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            signal = self.path.rsplit("/", 1)[-1]
            request = MESSAGES[signal][0]()
            request.ParseFromString(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            body = endpoint.answer(signal, request).SerializeToString()
            body = body if endpoint.body is None else endpoint.body
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", endpoint.port), Handler)
    thread = threading.Thread(target=server.serve_forever, name="partial-endpoint", daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)
