"""Declarations: metrics."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTELWARD_METRICS_DURATION_BUCKETS",
        Kind.LIST,
        "0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.3,0.5,0.75,1,2.5,5,7.5,10",
        "0.05,0.1,0.3,1",
        "Histogram boundaries (seconds) for request durations; latency SLO thresholds must be one of them.",
        "metrics",
    ),
    declare(
        "OTELWARD_METRICS_CARDINALITY_LIMIT",
        Kind.INT,
        "2000",
        "500",
        "Distinct attribute sets per metric before new ones go to an overflow series.",
        "metrics",
        minimum=10,
    ),
    declare(
        "OTEL_METRICS_EXEMPLAR_FILTER",
        Kind.ENUM,
        None,
        "always_off",
        "Which measurements may become exemplars. Unset: any made under a span, of which only those whose "
        "trace was kept and exported are shown; trace_based: only under sampled spans.",
        "metrics",
        choices=("trace_based", "always_on", "always_off"),
    ),
    declare(
        "OTELWARD_METRICS_ACTIVE_REQUESTS",
        Kind.BOOL,
        "false",
        "true",
        "Keep the http.server.active_requests up-down counter (upstream HTTP instrumentations' and otelward's own "
        "server instrumentation's). Off by default: it costs two SDK measurements per request and the request "
        "rate and duration already tell the load.",
        "metrics",
    ),
    declare(
        "OTELWARD_RUNTIME_METRICS", Kind.BOOL, "true", "false", "Emit process and runtime metrics.", "metrics"
    ),
)
