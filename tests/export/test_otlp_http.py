"""otelward's OTLP/HTTP sender on the standard library, against a real collector (rotel) and scripted endpoints.

The collector decodes what it receives, so a wrong Content-Encoding, a broken gzip stream or a bad
protobuf would show up as missing items. The scripted endpoint answers with chosen statuses to check the
retry rules the SDK exporters had (429/502/503/504 and connection errors retried, others not).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry._logs import LogRecord
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricExportResult
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from harness.collector import Collector, free_port
from otelward.config import Settings
from otelward.export import log_exporter, metric_exporter, span_exporter
from otelward.export._lazy_metrics import CUMULATIVE
from otelward.export._otlp_http import HttpSender

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _settings(endpoint: str, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "5000",
            **extra,
        }
    )


def _spans(name: str, n: int) -> list[Any]:
    tracer = TracerProvider(resource=Resource.create({"service.name": "stdlib-http"})).get_tracer("t")
    out = []
    for i in range(n):
        span = tracer.start_span(name, attributes={"i": i})
        span.end()
        out.append(span)
    return out


@pytest.mark.parametrize("compression", ["gzip", "none"])
def test_every_signal_reaches_a_real_collector(collector: Collector, compression: str) -> None:
    settings = _settings(collector.http_endpoint, OTEL_EXPORTER_OTLP_COMPRESSION=compression)
    spans = span_exporter(settings.traces, "otlp")
    logs = log_exporter(settings.logs_export, "otlp")
    metrics = metric_exporter(settings.metrics_export, "otlp", CUMULATIVE)
    resource = Resource.create({"service.name": "stdlib-http"})
    reader = InMemoryMetricReader()
    MeterProvider(metric_readers=[reader], resource=resource).get_meter("m").create_counter("hits").add(7)

    assert spans.export(_spans(f"span-{compression}", 5)).name == "SUCCESS"
    records = [
        ReadableLogRecord(LogRecord(body=f"line-{compression}-{i}"), resource=resource) for i in range(3)
    ]
    assert logs.export(records).name == "SUCCESS"
    assert metrics.export(reader.get_metrics_data()) is MetricExportResult.SUCCESS
    for exporter in (spans, logs, metrics):
        exporter.shutdown()

    got = collector.wait_for(
        lambda r: (
            len(r.spans_named(f"span-{compression}")) == 5
            and sum(1 for log in r.logs if str(log.get("body", "")).startswith(f"line-{compression}")) == 3
            and any(m["value"] == 7 for m in r.metric("hits"))
        )
    )
    assert sorted(s["attributes"]["i"] for s in got.spans_named(f"span-{compression}")) == list(range(5))


class _Scripted:
    """An OTLP/HTTP endpoint that answers each request with the next status of ``statuses`` (then 200)."""

    def __init__(self, statuses: list[int], retry_after: str | None = None) -> None:
        self.statuses = list(statuses)
        self.retry_after = retry_after
        self.requests: list[dict[str, Any]] = []
        self.connections: set[tuple[str, int]] = set()
        self.port = free_port()


@contextmanager
def _scripted(
    statuses: list[int], retry_after: str | None = None, tls: tuple[Path, Path] | None = None
) -> Iterator[_Scripted]:
    state = _Scripted(statuses, retry_after)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a collector does

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.connections.add(self.client_address)
            state.requests.append({"headers": dict(self.headers), "body": body, "at": time.monotonic()})
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            if status != 200 and state.retry_after is not None:
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _sender(port: int, **extra: str) -> HttpSender:
    return HttpSender(_settings(f"http://127.0.0.1:{port}", **extra).traces, backoff=lambda n: 0.01)


@pytest.mark.parametrize(
    ("statuses", "ok", "attempts"),
    [
        ([503, 503], True, 3),
        ([429, 502, 504], True, 4),
        ([503] * 6, False, 6),
        ([400], False, 1),
        ([500], False, 1),
    ],
    ids=["503-twice", "429-502-504", "503-exhausted", "400-not-retried", "500-not-retried"],
)
def test_retries_follow_the_sdk_rules(statuses: list[int], ok: bool, attempts: int) -> None:
    with _scripted(statuses) as endpoint:
        sender = _sender(endpoint.port)
        outcome = sender.send(b"payload")
        sender.shutdown()
    assert (outcome.ok, outcome.attempts) == (ok, attempts)
    assert len(endpoint.requests) == attempts


def test_retry_after_is_honoured() -> None:
    with _scripted([503], retry_after="1") as endpoint:
        sender = _sender(endpoint.port)
        assert sender.send(b"payload").ok
        sender.shutdown()
    first, second = endpoint.requests
    assert second["at"] - first["at"] >= 0.9


def test_one_keep_alive_connection_carries_every_export_with_the_configured_headers() -> None:
    with _scripted([]) as endpoint:
        sender = _sender(
            endpoint.port, OTEL_EXPORTER_OTLP_HEADERS="api-key=secret", OTEL_EXPORTER_OTLP_COMPRESSION="gzip"
        )
        for _ in range(5):
            assert sender.send(b"x" * 1000).ok
        sender.shutdown()
    assert len(endpoint.requests) == 5
    assert len(endpoint.connections) == 1
    headers = endpoint.requests[0]["headers"]
    assert headers["api-key"] == "secret"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"] == "application/x-protobuf"
    assert len(endpoint.requests[0]["body"]) < 100  # 1000 repeated bytes, compressed


def test_shutdown_aborts_a_back_off() -> None:
    with _scripted([503] * 6, retry_after="30") as endpoint:
        sender = HttpSender(_settings(f"http://127.0.0.1:{endpoint.port}").traces)
        result: list[Any] = []
        thread = threading.Thread(target=lambda: result.append(sender.send(b"p")))
        thread.start()
        deadline = time.monotonic() + 5
        while not endpoint.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
        sender.shutdown()
        thread.join(5)
    assert time.monotonic() - start < 1.0
    assert result
    assert not result[0].ok


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    args = ["-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            *args,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.mark.parametrize(("trusted", "ok"), [(True, True), (False, False)], ids=["ca-given", "ca-unknown"])
def test_https_verifies_the_collector_with_the_configured_ca(
    self_signed: tuple[Path, Path], trusted: bool, ok: bool
) -> None:
    cert, _ = self_signed
    with _scripted([], tls=self_signed) as endpoint:
        extra = {"OTEL_EXPORTER_OTLP_CERTIFICATE": str(cert)} if trusted else {}
        extra["OTEL_EXPORTER_OTLP_TIMEOUT"] = "500"
        sender = HttpSender(
            _settings(f"https://127.0.0.1:{endpoint.port}", **extra).traces, backoff=lambda n: 0.05
        )
        assert sender.send(b"payload").ok is ok
        sender.shutdown()
    assert len(endpoint.requests) == (1 if ok else 0)


def test_an_endpoint_that_is_not_http_is_named() -> None:
    with pytest.raises(ValueError, match="ftp://host/v1/traces"):
        HttpSender(_settings("ftp://host").traces)


def test_exporting_through_otelward_imports_neither_requests_nor_urllib3(collector: Collector) -> None:
    script = textwrap.dedent(
        """
        import os, sys
        from opentelemetry import trace
        from otelward.config import Settings
        from otelward.startup._runtime import build_runtime
        rt = build_runtime(Settings.from_env(dict(os.environ)))
        with trace.get_tracer("t").start_as_current_span("no-requests"):
            pass
        rt.shutdown(5)
        print(sorted(m for m in ("requests", "urllib3") if m in sys.modules))
        """
    )
    env = {
        **collector.env(),
        "OTEL_SERVICE_NAME": "no-requests",
        "OTELWARD_SAMPLING_RATIO": "1",
        "OTELWARD_MANAGEMENT_ENABLED": "false",
        "OTEL_LOGS_EXPORTER": "otlp",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    collector.wait_for(lambda r: bool(r.spans_named("no-requests")))
