"""A real OTLP collector (rotel) on free loopback ports, plus a sink that decodes what it forwards.

    app --OTLP--> rotel (debug log to a file) --OTLP/HTTP--> OtlpSink (decoded into dicts)

Tests assert on structured data from the sink and grep the collector's own debug log for raw text (for
example, that no secret appears anywhere in what the collector received).
"""

from __future__ import annotations

import base64
import gzip
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["Collector", "OtlpSink", "Received", "free_port", "rotel_binary", "rotel_command", "run_collector"]


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rotel_binary() -> str:
    """Return the path of the rotel-agent binary shipped in the `rotel` wheel."""
    import rotel

    path = Path(rotel.__file__).parent / "rotel-agent"
    if not path.exists():
        raise RuntimeError(f"rotel-agent not found at {path}; install test deps: pip install -e '.[test]'")
    return str(path)


def _hex(value: str | None) -> str:
    return base64.b64decode(value).hex() if value else ""


def _any_value(v: dict[str, Any]) -> Any:
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return int(v["intValue"])
    if "doubleValue" in v:
        return float(v["doubleValue"])
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "arrayValue" in v:
        return [_any_value(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return _attrs(v["kvlistValue"].get("values", []))
    if "bytesValue" in v:
        return base64.b64decode(v["bytesValue"])
    return None


def _attrs(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {kv["key"]: _any_value(kv.get("value", {})) for kv in items}


@dataclass
class Received:
    """Everything the sink decoded so far, flattened for assertions."""

    spans: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)

    def span_names(self) -> list[str]:
        """Return the names of all received spans."""
        return [s["name"] for s in self.spans]

    def spans_named(self, name: str) -> list[dict[str, Any]]:
        """Return received spans called ``name``."""
        return [s for s in self.spans if s["name"] == name]

    def traces(self) -> dict[str, list[dict[str, Any]]]:
        """Return spans grouped by trace id."""
        out: dict[str, list[dict[str, Any]]] = {}
        for s in self.spans:
            out.setdefault(s["trace_id"], []).append(s)
        return out

    def metric(self, name: str) -> list[dict[str, Any]]:
        """Return received data points of the metric ``name`` (all exports, in arrival order)."""
        return [m for m in self.metrics if m["name"] == name]


def _flatten_traces(msg: dict[str, Any], into: Received) -> None:
    for rs in msg.get("resourceSpans", []):
        resource = _attrs(rs.get("resource", {}).get("attributes", []))
        for ss in rs.get("scopeSpans", []):
            scope = ss.get("scope", {}).get("name", "")
            for sp in ss.get("spans", []):
                into.spans.append(
                    {
                        "trace_id": _hex(sp.get("traceId")),
                        "span_id": _hex(sp.get("spanId")),
                        "parent_span_id": _hex(sp.get("parentSpanId")),
                        "trace_state": sp.get("traceState", ""),
                        "flags": int(sp.get("flags", 0)),
                        "name": sp.get("name", ""),
                        "kind": sp.get("kind", "SPAN_KIND_UNSPECIFIED"),
                        "start": int(sp.get("startTimeUnixNano", 0)),
                        "end": int(sp.get("endTimeUnixNano", 0)),
                        "attributes": _attrs(sp.get("attributes", [])),
                        "events": [
                            {"name": e.get("name", ""), "attributes": _attrs(e.get("attributes", []))}
                            for e in sp.get("events", [])
                        ],
                        "links": [
                            {
                                "trace_id": _hex(lk.get("traceId")),
                                "attributes": _attrs(lk.get("attributes", [])),
                            }
                            for lk in sp.get("links", [])
                        ],
                        "status": sp.get("status", {}),
                        "resource": resource,
                        "scope": scope,
                    }
                )


def _flatten_logs(msg: dict[str, Any], into: Received) -> None:
    for rl in msg.get("resourceLogs", []):
        resource = _attrs(rl.get("resource", {}).get("attributes", []))
        for sl in rl.get("scopeLogs", []):
            for rec in sl.get("logRecords", []):
                into.logs.append(
                    {
                        "body": _any_value(rec.get("body", {})),
                        "severity_text": rec.get("severityText", ""),
                        "severity_number": rec.get("severityNumber", ""),
                        "trace_id": _hex(rec.get("traceId")),
                        "span_id": _hex(rec.get("spanId")),
                        "attributes": _attrs(rec.get("attributes", [])),
                        "resource": resource,
                        "scope": sl.get("scope", {}).get("name", ""),
                    }
                )


def _flatten_metrics(msg: dict[str, Any], into: Received) -> None:
    for rm in msg.get("resourceMetrics", []):
        resource = _attrs(rm.get("resource", {}).get("attributes", []))
        for sm in rm.get("scopeMetrics", []):
            for metric in sm.get("metrics", []):
                for kind in ("sum", "gauge", "histogram", "exponentialHistogram"):
                    if kind not in metric:
                        continue
                    for dp in metric[kind].get("dataPoints", []):
                        value: Any = dp.get("asInt", dp.get("asDouble"))
                        if kind == "histogram":
                            value = {
                                "count": int(dp.get("count", 0)),
                                "sum": dp.get("sum", 0.0),
                                "bucket_counts": [int(x) for x in dp.get("bucketCounts", [])],
                                "bounds": dp.get("explicitBounds", []),
                                "exemplars": [
                                    {"trace_id": _hex(e.get("traceId")), "span_id": _hex(e.get("spanId"))}
                                    for e in dp.get("exemplars", [])
                                ],
                            }
                        into.metrics.append(
                            {
                                "name": metric.get("name", ""),
                                "kind": kind,
                                "unit": metric.get("unit", ""),
                                "attributes": _attrs(dp.get("attributes", [])),
                                "value": int(value) if isinstance(value, str) else value,
                                "resource": resource,
                                "scope": sm.get("scope", {}).get("name", ""),
                            }
                        )


class OtlpSink:
    """A tiny OTLP/HTTP (protobuf) receiver that keeps decoded requests in memory."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received = Received()
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                sink._ingest(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _ingest(self, path: str, body: bytes) -> None:
        from google.protobuf.json_format import MessageToDict
        from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
        from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        table: dict[str, tuple[Any, Callable[[dict[str, Any], Received], None]]] = {
            "/v1/traces": (ExportTraceServiceRequest, _flatten_traces),
            "/v1/logs": (ExportLogsServiceRequest, _flatten_logs),
            "/v1/metrics": (ExportMetricsServiceRequest, _flatten_metrics),
        }
        if path not in table:
            return
        cls, flatten = table[path]
        msg = cls()
        msg.ParseFromString(body)
        with self._lock:
            flatten(MessageToDict(msg), self.received)

    def start(self) -> OtlpSink:
        """Start serving on the chosen port."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def clear(self) -> None:
        """Forget everything received so far."""
        with self._lock:
            self.received = Received()


@dataclass
class Collector:
    """A running rotel collector: where the app should send, and what arrived."""

    grpc_port: int
    http_port: int
    debug_log: Path
    sink: OtlpSink
    process: subprocess.Popen[bytes]

    @property
    def http_endpoint(self) -> str:
        """Base OTLP/HTTP endpoint for OTEL_EXPORTER_OTLP_ENDPOINT."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_endpoint(self) -> str:
        """OTLP/gRPC endpoint."""
        return f"http://127.0.0.1:{self.grpc_port}"

    def env(self, protocol: str = "http/protobuf") -> dict[str, str]:
        """Return the OTEL_* variables that point an app at this collector."""
        endpoint = self.grpc_endpoint if protocol == "grpc" else self.http_endpoint
        return {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": protocol}

    @property
    def received(self) -> Received:
        """What the sink decoded so far."""
        return self.sink.received

    def debug_text(self) -> str:
        """Return the collector's debug log (everything it received, as text)."""
        return self.debug_log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, predicate: Callable[[Received], bool], timeout_s: float = 15.0) -> Received:
        """Poll until ``predicate(received)`` holds; raise AssertionError with a summary on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate(self.received):
                return self.received
            time.sleep(0.05)
        r = self.received
        raise AssertionError(
            f"collector did not receive the expected data in {timeout_s}s: {len(r.spans)} spans "
            f"{sorted(set(r.span_names()))[:20]}, {len(r.logs)} logs, {len(r.metrics)} metric points"
        )


def rotel_command(workdir: Path, grpc_port: int, http_port: int, *args: str) -> list[str]:
    """Return the ``rotel-agent start`` command line on loopback ports, pid and log files in ``workdir``."""
    return [
        rotel_binary(),
        "start",
        "--otlp-grpc-endpoint",
        f"127.0.0.1:{grpc_port}",
        "--otlp-http-endpoint",
        f"127.0.0.1:{http_port}",
        "--pid-file",
        str(workdir / "rotel.pid"),
        "--log-file",
        str(workdir / "rotel.log"),
        *args,
    ]


@contextmanager
def run_collector(tmp_path: Path) -> Iterator[Collector]:
    """Start rotel (debug log on for all signals) forwarding to an :class:`OtlpSink`; stop both after."""
    sink = OtlpSink().start()
    grpc_port, http_port = free_port(), free_port()
    log = tmp_path / "collector-debug.log"
    cmd = rotel_command(
        tmp_path,
        grpc_port,
        http_port,
        "--exporter", "otlp",
        "--otlp-exporter-endpoint", f"http://127.0.0.1:{sink.port}",
        "--otlp-exporter-protocol", "http",
        "--debug-log", "traces", "--debug-log", "logs", "--debug-log", "metrics",
        "--debug-log-verbosity", "detailed",
        "--batch-timeout", "50ms",
    )  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(http_port, proc, log)
        yield Collector(grpc_port, http_port, log, sink, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        sink.stop()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"rotel exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}"
            )
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"rotel did not listen on {port} within {timeout_s}s")
