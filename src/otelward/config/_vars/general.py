"""Declarations: service identity, strict mode and lifecycle."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare
from otelward.config._vars._constants import EXCLUDED_URLS_DEFAULT

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTEL_SERVICE_NAME",
        Kind.STR,
        None,
        "checkout",
        "Service name. When unset (and not in OTEL_RESOURCE_ATTRIBUTES) it is inferred from the script, module "
        "or WSGI/ASGI app and one warning says how to set it.",
        "general",
    ),
    declare(
        "OTEL_RESOURCE_ATTRIBUTES",
        Kind.KEYVALUES,
        None,
        "service.version=1.4.2,team=payments",
        "Extra resource attributes; they win over everything otelward detects.",
        "general",
    ),
    declare(
        "OTELWARD_ENVIRONMENT",
        Kind.STR,
        None,
        "production",
        "Sets `deployment.environment.name` on the resource.",
        "general",
    ),
    declare(
        "OTEL_SDK_DISABLED", Kind.BOOL, "false", "true", "Turn all of otelward's telemetry off.", "general"
    ),
    declare(
        "OTELWARD_STRICT",
        Kind.BOOL,
        "false",
        "true",
        "Abort start-up (exit code 2) on any invalid variable instead of warning and using the default.",
        "general",
    ),
    declare(
        "OTELWARD_SHUTDOWN_TIMEOUT",
        Kind.FLOAT,
        "2",
        "5",
        "Seconds the process may spend flushing telemetry on exit or SIGTERM, whatever the collector does.",
        "general",
        minimum=0,
        maximum=300,
    ),
    declare(
        "OTELWARD_LAZY_INSTRUMENTATION",
        Kind.BOOL,
        "true",
        "false",
        "Instrument a library when the app first imports it instead of importing every installed one at start.",
        "general",
    ),
    declare(
        "OTELWARD_GC_FREEZE",
        Kind.BOOL,
        "true",
        "false",
        "Move the objects that exist once otelward has started (the standard library's, the SDK's, otelward's) "
        "to the garbage collector's permanent generation (`gc.freeze()`): full collections and the exit no "
        "longer walk them, and pre-fork workers share their pages. `false` leaves the collector alone.",
        "general",
    ),
    declare(
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS",
        Kind.LIST,
        None,
        "requests,sqlite3",
        "Instrumentations not to load (entry point names), as in the stock distro.",
        "general",
    ),
    declare(
        "OTELWARD_TRUSTED_HOSTS",
        Kind.LIST,
        None,
        "api.partner.example,*.corp.example,203.0.113.0/24",
        "Peers trusted to steer sampling (a caller's `ot=rv:`, a downstream's `traceresponse` rescue), besides "
        "loopback and private addresses, single-label names and `*.svc`, `*.cluster.local`, `*.internal`, "
        "`*.local`: exact names, `*.suffix` wildcards, IP addresses or CIDR networks.",
        "general",
    ),
    declare(
        "OTEL_PROPAGATORS",
        Kind.LIST,
        "tracecontext,baggage",
        "tracecontext,baggage,b3",
        "Context propagators; otelward sets the default and the SDK reads it.",
        "general",
        passthrough=True,
    ),
    declare(
        "OTEL_SEMCONV_STABILITY_OPT_IN",
        Kind.LIST,
        "http,database",
        "http,database",
        "Semantic-convention names the instrumentations emit; stable names by default, no duplicates.",
        "general",
        passthrough=True,
    ),
    declare(
        "OTELWARD_SERVER_INSTRUMENTATION",
        Kind.BOOL,
        "true",
        "false",
        "Trace every WSGI/ASGI app that gunicorn, uvicorn, hypercorn or waitress loads (server spans, RED "
        "metrics, request ids, correlated access lines) unless a framework instrumentation already does.",
        "general",
    ),
    declare(
        "OTELWARD_NATIVE_INSTRUMENTATION",
        Kind.BOOL,
        "true",
        "false",
        "Use otelward's own lean instrumentation for the libraries it covers (same spans as upstream's) "
        "instead of the upstream instrumentor; versions it was not tested with always use upstream's.",
        "general",
    ),
    declare(
        "OTELWARD_LEAN_SPANS",
        Kind.BOOL,
        "true",
        "false",
        "Record the spans of otelward's own instrumentations in a light structure and build SDK spans only "
        "for the traces the tail sampler keeps; SDK spans are used anyway when another span processor is "
        "registered.",
        "general",
    ),
    declare(
        "OTEL_PYTHON_EXCLUDED_URLS",
        Kind.STR,
        EXCLUDED_URLS_DEFAULT,
        "/internal/.*,/ping$",
        "Regular expressions (comma-separated) of URLs server instrumentations do not trace; the default skips "
        "probes and scrapes: /health, /health/live, /health/ready, /healthz, /livez, /readyz, /metrics.",
        "general",
        passthrough=True,
    ),
    declare(
        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
        Kind.INT,
        "16384",
        "4096",
        "Longest attribute value the SDK keeps; bounds memory and the text redaction has to scan.",
        "general",
        passthrough=True,
    ),
)
