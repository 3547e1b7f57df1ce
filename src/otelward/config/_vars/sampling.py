"""Declarations: tail sampling."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTEL_TRACES_SAMPLER",
        Kind.ENUM,
        None,
        "parentbased_traceidratio",
        "A standard head sampler. When set, otelward honours it and the tail policy only sees what it samples "
        "(see docs/sampling.md).",
        "sampling",
        choices=(
            "always_on",
            "always_off",
            "traceidratio",
            "parentbased_always_on",
            "parentbased_always_off",
            "parentbased_traceidratio",
        ),
    ),
    declare(
        "OTEL_TRACES_SAMPLER_ARG",
        Kind.FLOAT,
        None,
        "0.25",
        "Argument of OTEL_TRACES_SAMPLER (a ratio).",
        "sampling",
        minimum=0,
        maximum=1,
    ),
    declare(
        "OTELWARD_SAMPLING",
        Kind.ENUM,
        "tail",
        "off",
        "`tail`: keep errors, slow traces and a consistent ratio of the rest; `off`: keep every trace.",
        "sampling",
        choices=("tail", "off"),
    ),
    declare(
        "OTELWARD_SAMPLING_RATIO",
        Kind.FLOAT,
        "0.01",
        "0.05",
        "Fraction of ordinary traces kept, chosen from the trace id so every service keeps the same ones.",
        "sampling",
        minimum=0,
        maximum=1,
    ),
    declare(
        "OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS",
        Kind.FLOAT,
        "1000",
        "500",
        "Keep a trace whose local root lasted at least this long (milliseconds); 0 turns the rule off.",
        "sampling",
        minimum=0,
    ),
    declare(
        "OTELWARD_SAMPLING_KEEP_ERRORS",
        Kind.BOOL,
        "true",
        "false",
        "Keep every trace that failed: its local root answered 5xx or ended with an exception, or a client or "
        'database call failed (see docs/sampling.md, "What counts as an error").',
        "sampling",
    ),
    declare(
        "OTELWARD_SAMPLING_KEEP_INTERNAL_ERRORS",
        Kind.BOOL,
        "false",
        "true",
        "Also count an error status or exception event on an internal span of a successful request as an "
        "error (a template loader's caught TemplateNotFound, a retried step).",
        "sampling",
    ),
    declare(
        "OTELWARD_SAMPLING_MAX_TRACES_PER_SECOND",
        Kind.FLOAT,
        "100",
        "20",
        "Cap on ordinary (ratio and slow) traces kept per second per process; 0 means no cap.",
        "sampling",
        minimum=0,
    ),
    declare(
        "OTELWARD_SAMPLING_MAX_ERROR_TRACES_PER_SECOND",
        Kind.FLOAT,
        "100",
        "50",
        "Separate cap on error traces kept per second per process; 0 means no cap.",
        "sampling",
        minimum=0,
    ),
    declare(
        "OTELWARD_SAMPLING_MAX_BUFFERED_SPANS",
        Kind.INT,
        "20000",
        "5000",
        "Spans held while their trace is undecided; beyond it the oldest traces are decided early.",
        "sampling",
        minimum=1,
    ),
    declare(
        "OTELWARD_SAMPLING_MAX_BUFFERED_TRACES",
        Kind.INT,
        "5000",
        "1000",
        "Traces held undecided at once.",
        "sampling",
        minimum=1,
    ),
    declare(
        "OTELWARD_SAMPLING_MAX_TRACE_WAIT_S",
        Kind.FLOAT,
        "30",
        "60",
        "Decide a trace whose local root has not ended after this many seconds.",
        "sampling",
        minimum=0.1,
    ),
    declare(
        "OTELWARD_SAMPLING_TRACERESPONSE",
        Kind.BOOL,
        "true",
        "false",
        "Send and read the W3C `traceresponse` header so a downstream error rescues upstream spans.",
        "sampling",
    ),
    declare(
        "OTELWARD_SAMPLING_MAX_RESCUED_TRACES_PER_SECOND",
        Kind.FLOAT,
        "20",
        "5",
        "Traces kept per second because a trusted downstream answered `traceresponse` with the sampled flag; a "
        "budget of its own, so a chatty downstream cannot displace local error traces (0 = no cap).",
        "sampling",
        minimum=0,
    ),
    declare(
        "OTELWARD_TRACERESPONSE_TO",
        Kind.ENUM,
        "traceparent",
        "all",
        "Which callers get a `traceresponse` header: `traceparent` (only those that sent one: other services, "
        "not browsers or public clients, which would learn internal trace and span ids) or `all`.",
        "sampling",
        choices=("traceparent", "all"),
    ),
    declare(
        "OTELWARD_LOGS_FOLLOW_TRACES",
        Kind.BOOL,
        "true",
        "false",
        "Export INFO/DEBUG OTLP log records only when their trace is kept (WARNING+ and records outside a "
        "trace always go; the console gets every record). `false` exports every record over OTLP.",
        "sampling",
    ),
)
