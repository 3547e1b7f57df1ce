"""An OTLP/gRPC trace endpoint that fails every call with a chosen status (RESOURCE_EXHAUSTED, UNAVAILABLE).

The TCP proxy cannot speak HTTP/2, so gRPC status faults are served by this small real gRPC server. It
counts the spans it refused and, when ``accept`` is set, accepts calls instead (the collector "recovered").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc
from google.rpc.error_details_pb2 import RetryInfo
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from tests.harness.collector import free_port

__all__ = ["GrpcFaultServer", "grpc_fault_server"]


class GrpcFaultServer(trace_service_pb2_grpc.TraceServiceServicer):  # type: ignore[misc]
    """Refuse every Export with ``code`` (plus RetryInfo when ``retry_after_s`` is set) until ``accept``."""

    def __init__(self, code: grpc.StatusCode, retry_after_s: float | None = None) -> None:
        self.code = code
        self.retry_after_s = retry_after_s
        self.accept = threading.Event()
        self.calls = 0
        self.accepted_spans = 0
        self.port = free_port()

    @property
    def endpoint(self) -> str:
        """The plaintext endpoint to export to."""
        return f"http://127.0.0.1:{self.port}"

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Fail with the configured status, or accept and count the spans."""
        self.calls += 1
        if self.accept.is_set():
            self.accepted_spans += sum(
                len(ss.spans) for rs in request.resource_spans for ss in rs.scope_spans
            )
            return trace_service_pb2.ExportTraceServiceResponse()
        if self.retry_after_s is not None:
            info = RetryInfo()
            info.retry_delay.FromNanoseconds(int(self.retry_after_s * 1e9))
            context.set_trailing_metadata((("google.rpc.retryinfo-bin", info.SerializeToString()),))
        context.abort(self.code, "injected fault")
        return None


@contextmanager
def grpc_fault_server(code: grpc.StatusCode, retry_after_s: float | None = None) -> Iterator[GrpcFaultServer]:
    """Serve a :class:`GrpcFaultServer` on a free loopback port for the duration of the block."""
    servicer = GrpcFaultServer(code, retry_after_s)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(servicer, server)
    server.add_insecure_port(f"127.0.0.1:{servicer.port}")
    server.start()
    try:
        yield servicer
    finally:
        server.stop(0)
