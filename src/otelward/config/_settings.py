"""The typed sections of otelward's settings: frozen dataclasses, no parsing and no I/O.

:class:`otelward.config.Settings` holds one of each; ``Settings.from_env`` fills them. No field has a default of
its own: the declarations in :mod:`otelward.config._vars` are the only place a default lives, and ``Settings()``
is ``Settings.from_env({})``.
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


@dataclass(frozen=True, kw_only=True)
class GeneralSettings:
    """Service identity, strictness and lifecycle."""

    service_name: str | None
    resource_attributes: tuple[tuple[str, str], ...]
    environment: str | None
    sdk_disabled: bool
    strict: bool
    shutdown_timeout_s: float
    lazy_instrumentation: bool
    gc_freeze: bool
    disabled_instrumentations: tuple[str, ...]
    kubernetes: tuple[tuple[str, str], ...]
    trusted_hosts: tuple[str, ...]
    server_instrumentation: bool
    native_instrumentation: bool
    lean_spans: bool
    excluded_urls: str
    capture_request_headers: tuple[str, ...]
    capture_response_headers: tuple[str, ...]
    sanitize_headers: tuple[str, ...]
    capture_client_request_headers: tuple[str, ...]
    capture_client_response_headers: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class OtlpSignal:
    """Where and how one signal (traces, metrics or logs) is exported."""

    signal: str
    exporters: tuple[str, ...]
    protocol: str
    endpoint: str
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    timeout_s: float
    compression: str
    certificate: str | None
    client_key: str | None
    client_certificate: str | None
    insecure: bool | None


@dataclass(frozen=True, kw_only=True)
class SamplingSettings:
    """The tail-sampling policy and its bounds."""

    mode: str
    ratio: float
    latency_threshold_s: float
    keep_errors: bool
    keep_internal_errors: bool
    max_traces_per_second: float
    max_error_traces_per_second: float
    max_rescued_traces_per_second: float
    max_buffered_spans: int
    max_buffered_traces: int
    max_trace_wait_s: float
    traceresponse: bool
    traceresponse_to: str
    logs_follow_traces: bool
    user_sampler: str | None
    user_sampler_arg: float | None


@dataclass(frozen=True, kw_only=True)
class RedactionSettings:
    """What the redaction engine replaces and how."""

    enabled: bool
    mode: str
    hash_key: str | None = field(repr=False)
    show_rule: bool
    extra_keys: tuple[str, ...]
    extra_patterns: tuple[str, ...]
    safe_keys: tuple[str, ...]
    disabled: frozenset[str]
    max_scan_chars: int


@dataclass(frozen=True, kw_only=True)
class LogSettings:
    """Console log format, levels and request correlation."""

    format: str
    format_set: bool
    """``OTELWARD_LOG_FORMAT`` was given (valid): structlog/loguru output then uses otelward's renderer too."""
    stream: str
    level: str
    levels: tuple[tuple[str, str], ...]
    request_id_header: str


@dataclass(frozen=True, kw_only=True)
class MetricsSettings:
    """Histogram buckets, cardinality guard and runtime metrics."""

    duration_buckets: tuple[float, ...]
    cardinality_limit: int
    runtime_metrics: bool
    export_interval_s: float
    exemplar_filter: str
    """``OTEL_METRICS_EXEMPLAR_FILTER``; empty: otelward's (any span, resolved at collection)."""
    active_requests: bool
    """Keep the instrumentations' ``http.server.active_requests`` up-down counter (dropped by default)."""


@dataclass(frozen=True, kw_only=True)
class ManagementSettings:
    """The management HTTP server (/metrics, /health*)."""

    enabled: bool
    host: str
    port: int
    token: str | None = field(repr=False)
    readiness_checks: tuple[tuple[str, str], ...]
    readiness_timeout_s: float


@dataclass(frozen=True, kw_only=True)
class ExportSettings:
    """Queue bounds and fault handling of the export path."""

    queue_size: int
    queue_bytes: int
    batch_size: int
    schedule_delay_s: float
