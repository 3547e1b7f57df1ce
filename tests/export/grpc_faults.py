"""Small real OTLP/gRPC servers for faults the TCP proxy cannot make (it does not speak HTTP/2).

- :func:`grpc_fault_server`: a trace endpoint that fails every call with a chosen status
  (RESOURCE_EXHAUSTED, UNAVAILABLE) and, when ``accept`` is set, accepts calls instead ("recovered").
- :func:`grpc_partial_server`: trace, logs and metrics endpoints that answer OK with ``partial_success``,
  rejecting part of every request (the gRPC twin of ``partial_endpoint.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc
from google.rpc.error_details_pb2 import RetryInfo
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from harness.collector import free_port
from tests.export.partial_endpoint import Rejecter

__all__ = ["GrpcFaultServer", "GrpcPartialServer", "grpc_fault_server", "grpc_partial_server"]


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
def _served(port: int, register: Callable[[grpc.Server], None]) -> Iterator[None]:
    """Run a gRPC server with the servicers ``register`` adds, on loopback ``port``, for the block."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    register(server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    try:
        yield
    finally:
        server.stop(0)


@contextmanager
def grpc_fault_server(code: grpc.StatusCode, retry_after_s: float | None = None) -> Iterator[GrpcFaultServer]:
    """Serve a :class:`GrpcFaultServer` on a free loopback port for the duration of the block."""
    servicer = GrpcFaultServer(code, retry_after_s)
    with _served(
        servicer.port, lambda s: trace_service_pb2_grpc.add_TraceServiceServicer_to_server(servicer, s)
    ):
        yield servicer


class GrpcPartialServer(Rejecter):
    """A :class:`Rejecter` served over OTLP/gRPC for traces, logs and metrics on one free loopback port.

    The first ``unavailable`` calls fail with ``UNAVAILABLE`` (the exporter then reconnects with a new stub).
    """

    unavailable = 0

    def servicer(self, signal: str, base: type) -> Any:
        """Return a servicer of ``base`` whose Export answers with this rejecter."""
        rejecter = self

        class Servicer(base):  # type: ignore[misc, valid-type]
            def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
                if rejecter.unavailable > 0:
                    rejecter.unavailable -= 1
                    context.abort(grpc.StatusCode.UNAVAILABLE, "injected fault")
                return rejecter.answer(signal, request)

        return Servicer()


@contextmanager
def grpc_partial_server(per_request: int = 3, message: str = "") -> Iterator[GrpcPartialServer]:
    """Serve a :class:`GrpcPartialServer` for the duration of the block."""
    partial = GrpcPartialServer(per_request, message)

    def register(server: grpc.Server) -> None:
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(
            partial.servicer("traces", trace_service_pb2_grpc.TraceServiceServicer), server
        )
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(
            partial.servicer("logs", logs_service_pb2_grpc.LogsServiceServicer), server
        )
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(
            partial.servicer("metrics", metrics_service_pb2_grpc.MetricsServiceServicer), server
        )

    with _served(partial.port, register):
        yield partial
