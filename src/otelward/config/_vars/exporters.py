"""Declarations: exporters and the OTLP connection."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import (
    COMPRESSION,
    EXPORTERS_METRIC,
    EXPORTERS_SPAN_LOG,
    PROTOCOLS,
    Kind,
    declare,
)

__all__ = ["VARS"]


def _otlp_signal_vars(signal: str) -> list[EnvVar]:
    up = signal.upper()
    p = f"OTEL_EXPORTER_OTLP_{up}_"
    s = "exporters"
    return [
        declare(
            p + "ENDPOINT",
            Kind.STR,
            None,
            f"http://collector:4318/v1/{signal}",
            f"Endpoint for {signal} only; for HTTP this is the full URL including the path.",
            s,
        ),
        declare(
            p + "PROTOCOL",
            Kind.ENUM,
            None,
            "grpc",
            f"Protocol for {signal}; overrides the generic one.",
            s,
            choices=PROTOCOLS,
        ),
        declare(
            p + "HEADERS",
            Kind.KEYVALUES,
            None,
            "api-key=secret",
            f"Headers sent with {signal} exports; never printed by `otelward doctor`.",
            s,
        ),
        declare(
            p + "TIMEOUT",
            Kind.INT,
            None,
            "5000",
            f"Export timeout for {signal} in milliseconds.",
            s,
            minimum=1,
            maximum=600_000,
        ),
        declare(
            p + "COMPRESSION", Kind.ENUM, None, "gzip", f"Compression for {signal}.", s, choices=COMPRESSION
        ),
        declare(p + "CERTIFICATE", Kind.PATH, None, "/etc/ssl/ca.pem", f"CA bundle for {signal}.", s),
        declare(
            p + "CLIENT_KEY", Kind.PATH, None, "/etc/ssl/client.key", f"mTLS client key for {signal}.", s
        ),
        declare(
            p + "CLIENT_CERTIFICATE",
            Kind.PATH,
            None,
            "/etc/ssl/client.pem",
            f"mTLS client certificate for {signal}.",
            s,
        ),
    ]


VARS: tuple[EnvVar, ...] = (
    declare(
        "OTEL_TRACES_EXPORTER",
        Kind.LIST,
        "otlp",
        "otlp,console",
        "Span exporters.",
        "exporters",
        choices=EXPORTERS_SPAN_LOG,
    ),
    declare(
        "OTEL_METRICS_EXPORTER",
        Kind.LIST,
        "otlp",
        "otlp",
        "Metric exporters; `prometheus` is accepted as an alias for the management server's /metrics, which is "
        "on regardless (see OTELWARD_MANAGEMENT_ENABLED).",
        "exporters",
        choices=EXPORTERS_METRIC,
    ),
    declare(
        "OTEL_LOGS_EXPORTER",
        Kind.LIST,
        "otlp",
        "none",
        "Log record exporters (OTLP log records).",
        "exporters",
        choices=EXPORTERS_SPAN_LOG,
    ),
    declare(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        Kind.STR,
        None,
        "http://collector:4318",
        "Base endpoint for all signals; default http://localhost:4318 (HTTP) or http://localhost:4317 (gRPC).",
        "exporters",
    ),
    declare(
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        Kind.ENUM,
        "http/protobuf",
        "grpc",
        "OTLP transport. otelward defaults to http/protobuf, the specification's default, which avoids gRPC's "
        "fork problems under pre-fork servers.",
        "exporters",
        choices=PROTOCOLS,
    ),
    declare(
        "OTEL_EXPORTER_OTLP_HEADERS",
        Kind.KEYVALUES,
        None,
        "api-key=secret",
        "Headers sent with every export; values never printed.",
        "exporters",
    ),
    declare(
        "OTEL_EXPORTER_OTLP_TIMEOUT",
        Kind.INT,
        "10000",
        "5000",
        "Export timeout in milliseconds.",
        "exporters",
        minimum=1,
        maximum=600_000,
    ),
    declare(
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        Kind.ENUM,
        "none",
        "gzip",
        "Compression of export requests.",
        "exporters",
        choices=COMPRESSION,
    ),
    declare(
        "OTEL_EXPORTER_OTLP_INSECURE",
        Kind.BOOL,
        None,
        "true",
        "gRPC only: use a plaintext connection.",
        "exporters",
    ),
    declare(
        "OTEL_EXPORTER_OTLP_CERTIFICATE",
        Kind.PATH,
        None,
        "/etc/ssl/ca.pem",
        "CA bundle to verify the collector.",
        "exporters",
    ),
    declare(
        "OTEL_EXPORTER_OTLP_CLIENT_KEY",
        Kind.PATH,
        None,
        "/etc/ssl/client.key",
        "mTLS client key.",
        "exporters",
    ),
    declare(
        "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
        Kind.PATH,
        None,
        "/etc/ssl/client.pem",
        "mTLS client certificate.",
        "exporters",
    ),
    *_otlp_signal_vars("traces"),
    *_otlp_signal_vars("metrics"),
    *_otlp_signal_vars("logs"),
    declare(
        "OTEL_METRIC_EXPORT_INTERVAL",
        Kind.INT,
        "60000",
        "10000",
        "Milliseconds between OTLP metric exports.",
        "exporters",
        minimum=100,
        maximum=86_400_000,
    ),
)
