"""Build OTLP and console exporters from :class:`otelward.config.OtlpSignal`, importing them lazily.

Each function is called on an export worker thread the first time there is something to send, so the
exporter packages (and gRPC/protobuf) stay off the process start-up path. OTLP/HTTP is otelward's own
sender (``_otlp_http.py``); it and the gRPC exporters read partial success (``_partial.py``): items a
collector rejects are counted as ``otelward.dropped{reason=rejected}``.
"""

from __future__ import annotations

import logging
from typing import Any

from otelward.config import OtlpSignal
from otelward.export._health import MAX_BACKOFF_S
from otelward.export._partial import watch

__all__ = ["log_exporter", "metric_exporter", "span_exporter"]

_SDK_EXPORTER_LOGGER = "opentelemetry.exporter.otlp"


def _quiet_sdk_exporter_logs() -> None:
    # The SDK exporters log a warning per retry and an error per failed batch: hundreds of lines a
    # minute during an outage. otelward logs the transitions itself (export/_health.py) and counts the
    # rest, so their messages are shown only at debug level or when the user set a level for them
    # (OTELWARD_LOG_LEVELS=opentelemetry.exporter.otlp=warning).
    logger = logging.getLogger(_SDK_EXPORTER_LOGGER)
    if logger.level == logging.NOTSET and not logging.getLogger().isEnabledFor(logging.DEBUG):
        logger.setLevel(logging.CRITICAL)


def _common_kwargs(cfg: OtlpSignal) -> dict[str, Any]:
    return {
        "endpoint": cfg.endpoint,
        "headers": dict(cfg.headers) or None,
        "timeout": cfg.timeout_s,
    }


def _grpc_kwargs(cfg: OtlpSignal) -> dict[str, Any]:
    from grpc import Compression

    kw = _common_kwargs(cfg)
    kw["compression"] = {"gzip": Compression.Gzip, "deflate": Compression.Deflate}.get(
        cfg.compression, Compression.NoCompression
    )
    endpoint = cfg.endpoint
    insecure = cfg.insecure
    if insecure is None:
        insecure = endpoint.startswith("http://")
    kw["insecure"] = insecure
    # gRPC keeps reconnect back-off in subchannels shared by every channel to the same target and lets it grow
    # to 120 s: after a long collector outage export would stay down for minutes after the collector is back.
    # Cap it at the queue's own retry cap, so export resumes within seconds of the collector's return.
    kw["channel_options"] = (("grpc.max_reconnect_backoff_ms", int(MAX_BACKOFF_S * 1000)),)
    if cfg.certificate and not insecure:
        from grpc import ssl_channel_credentials

        def _read(path: str | None) -> bytes | None:
            if path is None:
                return None
            with open(path, "rb") as fh:
                return fh.read()

        kw["credentials"] = ssl_channel_credentials(
            _read(cfg.certificate), _read(cfg.client_key), _read(cfg.client_certificate)
        )
    return kw


# signal -> (console exporter, OTLP/gRPC exporter), as "module:class"; imported on first use. OTLP/HTTP is
# otelward's own sender on the standard library (_otlp_http.py): no requests/urllib3 in the process.
_CLASSES: dict[str, tuple[str, str]] = {
    "traces": (
        "opentelemetry.sdk.trace.export:ConsoleSpanExporter",
        "opentelemetry.exporter.otlp.proto.grpc.trace_exporter:OTLPSpanExporter",
    ),
    "logs": (
        "opentelemetry.sdk._logs.export:ConsoleLogRecordExporter",
        "opentelemetry.exporter.otlp.proto.grpc._log_exporter:OTLPLogExporter",
    ),
    "metrics": (
        "opentelemetry.sdk.metrics.export:ConsoleMetricExporter",
        "opentelemetry.exporter.otlp.proto.grpc.metric_exporter:OTLPMetricExporter",
    ),
}


def _load(ref: str) -> Any:
    import importlib

    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _exporter(signal: str, cfg: OtlpSignal, kind: str, **extra: Any) -> Any:
    _quiet_sdk_exporter_logs()
    console, grpc = _CLASSES[signal]
    if kind == "console":
        return _load(console)(**extra)
    if cfg.protocol == "grpc":
        return watch(_load(grpc)(**extra, **_grpc_kwargs(cfg)), signal)
    from otelward.export._otlp_http import http_exporter

    # Temporality is the reader's business (LazyMetricExporter prefers cumulative); no extra needed here.
    return http_exporter(signal, cfg)


def span_exporter(cfg: OtlpSignal, kind: str) -> Any:
    """Return a span exporter for ``kind`` (``otlp`` or ``console``)."""
    return _exporter("traces", cfg, kind)


def log_exporter(cfg: OtlpSignal, kind: str) -> Any:
    """Return a log record exporter for ``kind`` (``otlp`` or ``console``)."""
    return _exporter("logs", cfg, kind)


def metric_exporter(cfg: OtlpSignal, kind: str, preferred_temporality: dict[type, Any] | None = None) -> Any:
    """Return a metric exporter for ``kind`` (``otlp`` or ``console``)."""
    return _exporter("metrics", cfg, kind, preferred_temporality=preferred_temporality)
