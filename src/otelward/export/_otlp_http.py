"""OTLP/HTTP (protobuf) on the standard library: one keep-alive connection per signal, gzip, retries.

The SDK's HTTP exporters pull in ``requests`` and ``urllib3`` (about 5 MiB of resident memory per
worker) to send one POST at a time to one endpoint; ``http.client`` does that. The behaviour follows the
SDK exporters (1.45): up to six attempts within the export timeout, retrying 429, 502, 503 and 504 and
connection errors with exponential back-off (``Retry-After`` honoured), a stale keep-alive connection
retried once at once, and shutdown aborting a back-off. A 2xx answer's ``partial_success`` is counted
(``_partial.note``). Payloads are encoded by ``_proto`` on the standard library (the SDK's protobuf encoders
only for data it does not write), so a worker never imports ``google.protobuf`` (4.2 MiB) to export.

Differences from the SDK exporters: ``HTTP(S)_PROXY`` is not honoured (a collector is normally reached
directly), and ``http/json`` sends protobuf, as the SDK's HTTP exporters did here.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from otelward._version import __version__
from otelward.config import OtlpSignal
from otelward.export._partial import RESPONSES, guarded, note

__all__ = ["MAX_ATTEMPTS", "RETRYABLE", "HttpSender", "Outcome", "http_exporter"]

_log = logging.getLogger("otelward.export")

MAX_ATTEMPTS = 6
RETRYABLE = frozenset({429, 502, 503, 504})
_JITTER = 0.2
_CONNECTION_ERRORS = (ConnectionError, http.client.HTTPException, OSError)


class Outcome(NamedTuple):
    """What one export ended with."""

    ok: bool
    status: int | None
    attempts: int


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _ssl_context(cfg: OtlpSignal) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cfg.certificate)
    if cfg.client_certificate:
        context.load_cert_chain(cfg.client_certificate, cfg.client_key)
    return context


class HttpSender:
    """POST serialized OTLP requests of one signal to its endpoint, retrying like the SDK exporters.

    Args:
        cfg: the signal's endpoint, headers, timeout, compression and TLS files.
        backoff: the pause before retry ``n`` (0-based); the SDK's ``2**n`` with jitter by default.
    """

    def __init__(self, cfg: OtlpSignal, backoff: Callable[[int], float] | None = None) -> None:
        url = urlsplit(cfg.endpoint)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"OTLP/HTTP endpoint {cfg.endpoint!r} is not an http:// or https:// URL")
        self.signal = cfg.signal
        self._https = url.scheme == "https"
        self._host = url.hostname
        self._port = url.port or (443 if self._https else 80)
        self._path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        self._timeout = cfg.timeout_s
        self._compression = cfg.compression
        self._context = _ssl_context(cfg) if self._https else None
        self._headers = {
            "Content-Type": "application/x-protobuf",
            "User-Agent": f"otelward/{__version__}",
        }
        if self._compression in ("gzip", "deflate"):
            self._headers["Content-Encoding"] = self._compression
        self._headers.update(dict(cfg.headers))
        self._backoff = backoff or (lambda n: 2.0**n * random.uniform(1 - _JITTER, 1 + _JITTER))  # noqa: S311
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._stop.is_set():
            raise ConnectionAbortedError("the exporter is shut down")
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=timeout, context=self._context
                )
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        else:
            self._conn.timeout = timeout
            if self._conn.sock is not None:
                self._conn.sock.settimeout(timeout)
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _post(self, body: bytes, timeout: float) -> tuple[int, bytes, str | None]:
        conn = self._connection(timeout)
        try:
            conn.request("POST", self._path, body=body, headers=self._headers)
            response = conn.getresponse()
            data = response.read()  # always drained: the connection is reused
        except BaseException:
            self._close()
            raise
        if response.will_close:
            self._close()
        return response.status, data, response.getheader("Retry-After")

    def _submit(self, body: bytes, deadline: float) -> tuple[int, bytes, str | None]:
        try:
            return self._post(body, max(deadline - time.monotonic(), 0.001))
        except _CONNECTION_ERRORS:
            # A pooled connection the collector closed while idle: reconnect once, no back-off.
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stop.is_set():
                raise
            return self._post(body, remaining)

    def _compress(self, payload: bytes) -> bytes:
        if self._compression == "gzip":
            import gzip  # only when asked for: ~0.2 MiB a worker without compression does not load

            return gzip.compress(payload, compresslevel=6, mtime=0)
        if self._compression == "deflate":
            return zlib.compress(payload)
        return payload

    def send(self, payload: bytes) -> Outcome:
        """Send one serialized request; return whether the collector accepted it (never raises)."""
        body = self._compress(payload)
        deadline = time.monotonic() + self._timeout
        status: int | None = None
        for attempt in range(MAX_ATTEMPTS):
            if self._stop.is_set():
                return Outcome(False, status, attempt)
            retry_after: str | None = None
            try:
                with self._lock:
                    status, answer, retry_after = self._submit(body, deadline)
            except _CONNECTION_ERRORS as err:
                status, answer, retryable = None, b"", True
                _log.debug("otelward: %s export attempt failed: %r", self.signal, err)
            else:
                if 200 <= status < 300:
                    if answer:
                        guarded(self.signal, partial(self._read_partial, answer))
                    return Outcome(True, status, attempt + 1)
                retryable = status in RETRYABLE
            if not retryable:
                return Outcome(False, status, attempt + 1)
            pause = _retry_after(retry_after) if status is not None else None
            if pause is None:
                pause = self._backoff(attempt)
            if attempt + 1 == MAX_ATTEMPTS or pause > deadline - time.monotonic():
                return Outcome(False, status, attempt + 1)
            if self._stop.wait(pause):
                return Outcome(False, status, attempt + 1)
        return Outcome(False, status, MAX_ATTEMPTS)

    def _read_partial(self, answer: bytes) -> None:
        from types import SimpleNamespace

        from otelward.export._proto import decode_partial

        rejected, message = decode_partial(answer)
        note(self.signal, SimpleNamespace(**{RESPONSES[self.signal][2]: rejected, "error_message": message}))

    def shutdown(self) -> None:
        """Abort any back-off and any request in flight (a collector that never answers), then close."""
        self._stop.set()
        conn = self._conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            # Not under the lock, which the export thread holds while it waits for an answer: shutting
            # the socket down wakes that wait at once.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._lock.acquire(timeout=0.5):
            try:
                self._close()
            finally:
                self._lock.release()


class _Result(NamedTuple):
    # BatchExporter reads ``name`` (SUCCESS or FAILURE), like the SDK's result enums.
    name: str


_SUCCESS, _FAILURE = _Result("SUCCESS"), _Result("FAILURE")


class SpanOrLogExporter:
    """The exporter interface of :class:`otelward.export.BatchExporter` over an :class:`HttpSender`."""

    def __init__(self, sender: HttpSender, encode: Callable[[Sequence[Any]], bytes]) -> None:
        self.sender = sender
        self._encode = encode

    def export(self, batch: Sequence[Any], /) -> _Result:
        """Encode and send one batch."""
        payload = self._encode(batch)
        return _SUCCESS if self.sender.send(payload).ok else _FAILURE

    def shutdown(self) -> None:
        """Stop the sender."""
        self.sender.shutdown()

    def force_flush(self, timeout_millis: float = 30_000) -> bool:
        """Nothing is buffered here."""
        return True


class MetricsExporter:
    """The SDK ``MetricExporter`` calls the lazy metric exporter makes, over an :class:`HttpSender`."""

    def __init__(self, sender: HttpSender) -> None:
        self.sender = sender

    def export(self, metrics_data: Any, timeout_millis: float = 10_000, **_: Any) -> Any:
        """Encode and send one collection; return the SDK's ``MetricExportResult``."""
        from opentelemetry.sdk.metrics.export import MetricExportResult

        payload = _encoded(metrics_data, "encode_metrics", "metrics_encoder")
        ok = self.sender.send(payload).ok
        return MetricExportResult.SUCCESS if ok else MetricExportResult.FAILURE

    def shutdown(self, timeout_millis: float = 30_000, **_: Any) -> None:
        """Stop the sender."""
        self.sender.shutdown()

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Nothing is buffered here."""
        return True


def http_exporter(signal: str, cfg: OtlpSignal) -> Any:
    """Return the stdlib OTLP/HTTP exporter of ``signal`` (``traces``, ``logs`` or ``metrics``)."""
    sender = HttpSender(cfg)
    if signal == "metrics":
        return MetricsExporter(sender)
    if signal == "traces":
        return SpanOrLogExporter(sender, partial(_encoded, name="encode_spans", module="trace_encoder"))
    return SpanOrLogExporter(sender, partial(_encoded, name="encode_logs", module="_log_encoder"))


def _encoded(data: Any, name: str, module: str, sdk_name: str | None = None) -> bytes:
    """Return ``data`` encoded by otelward's stdlib encoder, or by the SDK's for data it does not write."""
    from otelward.export import _proto

    try:
        return getattr(_proto, name)(data)  # type: ignore[no-any-return]
    except _proto.UnsupportedError:
        # e.g. an exponential histogram a user's view asked for: the SDK's encoder (and protobuf) for it
        import importlib

        sdk = importlib.import_module(f"opentelemetry.exporter.otlp.proto.common.{module}")
        return getattr(sdk, sdk_name or name)(data).SerializeToString()  # type: ignore[no-any-return]
