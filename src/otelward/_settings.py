"""The typed sections of otelward's settings: frozen dataclasses, no parsing and no I/O.

:class:`otelward.config.Settings` holds one of each; ``Settings.from_env`` fills them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ExportSettings",
    "GeneralSettings",
    "LogSettings",
    "ManagementSettings",
    "MetricsSettings",
    "OtlpSignal",
    "RedactionSettings",
    "SamplingSettings",
]


@dataclass(frozen=True)
class GeneralSettings:
    """Service identity, strictness and lifecycle."""

    service_name: str | None = None
    resource_attributes: tuple[tuple[str, str], ...] = ()
    environment: str | None = None
    sdk_disabled: bool = False
    strict: bool = False
    shutdown_timeout_s: float = 2.0
    lazy_instrumentation: bool = True
    gc_freeze: bool = True
    disabled_instrumentations: tuple[str, ...] = ()
    kubernetes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OtlpSignal:
    """Where and how one signal (traces, metrics or logs) is exported."""

    signal: str = "traces"
    exporters: tuple[str, ...] = ("otlp",)
    protocol: str = "http/protobuf"
    endpoint: str = "http://localhost:4318/v1/traces"
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    timeout_s: float = 10.0
    compression: str = "none"
    certificate: str | None = None
    client_key: str | None = None
    client_certificate: str | None = None
    insecure: bool | None = None


@dataclass(frozen=True)
class SamplingSettings:
    """The tail-sampling policy and its bounds."""

    mode: str = "tail"
    ratio: float = 0.01
    latency_threshold_s: float = 1.0
    keep_errors: bool = True
    max_traces_per_second: float = 100.0
    max_error_traces_per_second: float = 100.0
    max_buffered_spans: int = 20_000
    max_buffered_traces: int = 5_000
    max_trace_wait_s: float = 30.0
    traceresponse: bool = True
    logs_follow_traces: bool = False
    user_sampler: str | None = None
    user_sampler_arg: float | None = None


@dataclass(frozen=True)
class RedactionSettings:
    """What the redaction engine replaces and how."""

    enabled: bool = True
    mode: str = "mask"
    hash_key: str | None = field(default=None, repr=False)
    show_rule: bool = False
    extra_keys: tuple[str, ...] = ()
    extra_patterns: tuple[str, ...] = ()
    safe_keys: tuple[str, ...] = ()
    disabled: frozenset[str] = frozenset()
    max_scan_chars: int = 16_384
    capture_headers: bool = True


@dataclass(frozen=True)
class LogSettings:
    """Console log format, levels and request correlation."""

    format: str = "json"
    stream: str = "stdout"
    level: str = "info"
    levels: tuple[tuple[str, str], ...] = ()
    request_id_header: str = "X-Request-ID"


@dataclass(frozen=True)
class MetricsSettings:
    """Histogram buckets, cardinality guard and runtime metrics."""

    duration_buckets: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1.0)
    cardinality_limit: int = 2000
    runtime_metrics: bool = True
    export_interval_s: float = 60.0
    exemplar_filter: str = ""
    """``OTEL_METRICS_EXEMPLAR_FILTER``; empty: otelward's (any span, resolved at collection)."""


@dataclass(frozen=True)
class ManagementSettings:
    """The management HTTP server (/metrics, /health*)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 9464
    token: str | None = field(default=None, repr=False)
    readiness_checks: tuple[tuple[str, str], ...] = ()
    readiness_timeout_s: float = 1.0


@dataclass(frozen=True)
class ExportSettings:
    """Queue bounds and fault handling of the export path."""

    queue_size: int = 4096
    batch_size: int = 512
    schedule_delay_s: float = 1.0
    spool_dir: str | None = None
    spool_max_bytes: int = 64 * 1024 * 1024
