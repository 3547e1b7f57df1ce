"""Build OTLP and console exporters from :class:`otelward.config.OtlpSignal`, importing them lazily.

Each function is called on an export worker thread the first time there is something to send, so the
exporter packages (and gRPC/protobuf) stay off the process start-up path. OTLP exporters are watched for
partial success (``_partial.py``): items a collector rejects are counted as ``otelward.dropped{reason=rejected}``.
"""

from __future__ import annotations

import logging
from typing import Any

from otelward.config import OtlpSignal
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


def _http_kwargs(cfg: OtlpSignal) -> dict[str, Any]:
    from opentelemetry.exporter.otlp.proto.http import Compression

    kw = _common_kwargs(cfg)
    kw["compression"] = Compression(cfg.compression if cfg.compression != "none" else "none")
    kw["certificate_file"] = cfg.certificate
    kw["client_key_file"] = cfg.client_key
    kw["client_certificate_file"] = cfg.client_certificate
    return kw


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


def span_exporter(cfg: OtlpSignal, kind: str) -> Any:
    """Return a span exporter for ``kind`` (``otlp`` or ``console``)."""
    _quiet_sdk_exporter_logs()
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if cfg.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as Grpc

        return watch(Grpc(**_grpc_kwargs(cfg)), "traces")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http

    return watch(Http(**_http_kwargs(cfg)), "traces")


def log_exporter(cfg: OtlpSignal, kind: str) -> Any:
    """Return a log record exporter for ``kind`` (``otlp`` or ``console``)."""
    _quiet_sdk_exporter_logs()
    if kind == "console":
        from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter

        return ConsoleLogRecordExporter()
    if cfg.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as Grpc

        return watch(Grpc(**_grpc_kwargs(cfg)), "logs")
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as Http

    return watch(Http(**_http_kwargs(cfg)), "logs")


def metric_exporter(cfg: OtlpSignal, kind: str, preferred_temporality: dict[type, Any] | None = None) -> Any:
    """Return a metric exporter for ``kind`` (``otlp`` or ``console``)."""
    _quiet_sdk_exporter_logs()
    if kind == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter(preferred_temporality=preferred_temporality)
    if cfg.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as Grpc

        return watch(Grpc(preferred_temporality=preferred_temporality, **_grpc_kwargs(cfg)), "metrics")
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as Http

    return watch(Http(preferred_temporality=preferred_temporality, **_http_kwargs(cfg)), "metrics")
