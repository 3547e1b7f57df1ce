"""Every environment variable otelward reads or sets a default for, declared once.

``docs/configuration.md`` is generated from this table (``python scripts/gen_config_doc.py``) and a
test fails when the two drift apart. Only :mod:`otelward.config` reads the environment.
"""

from __future__ import annotations

from otelward._parsing import EnvVar, Kind

__all__ = ["BY_NAME", "CAPTURE_HEADER_VARS", "EXCLUDED_URLS_DEFAULT", "KUBERNETES_VARS", "SECTIONS", "VARS"]

_PROTOCOLS = ("grpc", "http/protobuf", "http/json")
_EXPORTERS_SPAN_LOG = ("otlp", "console", "none")
_EXPORTERS_METRIC = ("otlp", "console", "prometheus", "none")
_COMPRESSION = ("gzip", "deflate", "none")
# One regex (no commas: the variable is comma-separated) for probe and scrape paths, query string allowed.
EXCLUDED_URLS_DEFAULT = r"^[^?]*/(health(/live|/ready)?|healthz|livez|readyz|metrics)/?(\?.*)?$"
_LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
# Useful headers captured by default (OTELWARD_CAPTURE_HEADERS=true). Credentials are listed on purpose:
# seeing "[REDACTED]" (or a keyed hash) tells whether a failing request carried them at all.
_CAPTURE_HEADER_DEFAULTS = (
    (
        "SERVER_REQUEST",
        "accept,content-type,content-length,referer,x-request-id,x-correlation-id,x-forwarded-for,"
        "x-forwarded-proto,authorization,cookie,x-api-key",
    ),
    ("SERVER_RESPONSE", "content-type,content-length,cache-control,retry-after,x-request-id,set-cookie"),
    ("CLIENT_REQUEST", "content-type,x-request-id,authorization,x-api-key"),
    ("CLIENT_RESPONSE", "content-type,retry-after,x-request-id,set-cookie"),
)
_SANITIZE_DEFAULT = "authorization,proxy-authorization,cookie,set-cookie,x-api-key,x-auth-token"
CAPTURE_HEADER_VARS = frozenset(
    [f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{w}" for w, _ in _CAPTURE_HEADER_DEFAULTS]
    + ["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"]
)
"""Stock header-capture variables otelward sets defaults for only while OTELWARD_CAPTURE_HEADERS=true."""

SECTIONS: dict[str, str] = {
    "general": "Service identity, strict mode and process lifecycle",
    "exporters": "Exporters and the OTLP connection (standard OpenTelemetry variables)",
    "sampling": "Tail sampling",
    "redaction": "Redaction of secrets and personal data",
    "logs": "Logs",
    "metrics": "Metrics",
    "management": "Management server: /metrics and health probes",
    "export": "Export queues and fault handling",
    "kubernetes": "Kubernetes downward-API variables read into the resource (set them in the pod spec)",
}


def _v(
    name: str,
    kind: Kind,
    default: str | None,
    example: str,
    doc: str,
    section: str,
    **kw: object,
) -> EnvVar:
    return EnvVar(name, kind, default, example, doc, section, **kw)  # type: ignore[arg-type]


def _otlp_signal_vars(signal: str) -> list[EnvVar]:
    up = signal.upper()
    p = f"OTEL_EXPORTER_OTLP_{up}_"
    s = "exporters"
    return [
        _v(
            p + "ENDPOINT",
            Kind.STR,
            None,
            f"http://collector:4318/v1/{signal}",
            f"Endpoint for {signal} only; for HTTP this is the full URL including the path.",
            s,
        ),
        _v(
            p + "PROTOCOL",
            Kind.ENUM,
            None,
            "grpc",
            f"Protocol for {signal}; overrides the generic one.",
            s,
            choices=_PROTOCOLS,
        ),
        _v(
            p + "HEADERS",
            Kind.KEYVALUES,
            None,
            "api-key=secret",
            f"Headers sent with {signal} exports; never printed by `otelward doctor`.",
            s,
        ),
        _v(
            p + "TIMEOUT",
            Kind.INT,
            None,
            "5000",
            f"Export timeout for {signal} in milliseconds.",
            s,
            minimum=1,
            maximum=600_000,
        ),
        _v(p + "COMPRESSION", Kind.ENUM, None, "gzip", f"Compression for {signal}.", s, choices=_COMPRESSION),
        _v(p + "CERTIFICATE", Kind.PATH, None, "/etc/ssl/ca.pem", f"CA bundle for {signal}.", s),
        _v(p + "CLIENT_KEY", Kind.PATH, None, "/etc/ssl/client.key", f"mTLS client key for {signal}.", s),
        _v(
            p + "CLIENT_CERTIFICATE",
            Kind.PATH,
            None,
            "/etc/ssl/client.pem",
            f"mTLS client certificate for {signal}.",
            s,
        ),
    ]


VARS: tuple[EnvVar, ...] = (
    # -- general ----------------------------------------------------------------------------------
    _v(
        "OTEL_SERVICE_NAME",
        Kind.STR,
        None,
        "checkout",
        "Service name. When unset (and not in OTEL_RESOURCE_ATTRIBUTES) it is inferred from the script, module "
        "or WSGI/ASGI app and one warning says how to set it.",
        "general",
    ),
    _v(
        "OTEL_RESOURCE_ATTRIBUTES",
        Kind.KEYVALUES,
        None,
        "service.version=1.4.2,team=payments",
        "Extra resource attributes; they win over everything otelward detects.",
        "general",
    ),
    _v(
        "OTELWARD_ENVIRONMENT",
        Kind.STR,
        None,
        "production",
        "Sets `deployment.environment.name` on the resource.",
        "general",
    ),
    _v("OTEL_SDK_DISABLED", Kind.BOOL, "false", "true", "Turn all of otelward's telemetry off.", "general"),
    _v(
        "OTELWARD_STRICT",
        Kind.BOOL,
        "false",
        "true",
        "Abort start-up (exit code 2) on any invalid variable instead of warning and using the default.",
        "general",
    ),
    _v(
        "OTELWARD_SHUTDOWN_TIMEOUT",
        Kind.FLOAT,
        "2",
        "5",
        "Seconds the process may spend flushing telemetry on exit or SIGTERM, whatever the collector does.",
        "general",
        minimum=0,
        maximum=300,
    ),
    _v(
        "OTELWARD_LAZY_INSTRUMENTATION",
        Kind.BOOL,
        "true",
        "false",
        "Instrument a library when the app first imports it instead of importing every installed one at start.",
        "general",
    ),
    _v(
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS",
        Kind.LIST,
        None,
        "requests,sqlite3",
        "Instrumentations not to load (entry point names), as in the stock distro.",
        "general",
    ),
    _v(
        "OTEL_PROPAGATORS",
        Kind.LIST,
        "tracecontext,baggage",
        "tracecontext,baggage,b3",
        "Context propagators; otelward sets the default and the SDK reads it.",
        "general",
        passthrough=True,
    ),
    _v(
        "OTEL_SEMCONV_STABILITY_OPT_IN",
        Kind.LIST,
        "http,database",
        "http,database",
        "Semantic-convention names the instrumentations emit; stable names by default, no duplicates.",
        "general",
        passthrough=True,
    ),
    _v(
        "OTEL_PYTHON_EXCLUDED_URLS",
        Kind.STR,
        EXCLUDED_URLS_DEFAULT,
        "/internal/.*,/ping$",
        "Regular expressions (comma-separated) of URLs server instrumentations do not trace; the default skips "
        "probes and scrapes: /health, /health/live, /health/ready, /healthz, /livez, /readyz, /metrics.",
        "general",
        passthrough=True,
    ),
    _v(
        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
        Kind.INT,
        "16384",
        "4096",
        "Longest attribute value the SDK keeps; bounds memory and the text redaction has to scan.",
        "general",
        passthrough=True,
    ),
    # -- exporters --------------------------------------------------------------------------------
    _v(
        "OTEL_TRACES_EXPORTER",
        Kind.LIST,
        "otlp",
        "otlp,console",
        "Span exporters.",
        "exporters",
        choices=_EXPORTERS_SPAN_LOG,
    ),
    _v(
        "OTEL_METRICS_EXPORTER",
        Kind.LIST,
        "otlp",
        "otlp",
        "Metric exporters; `prometheus` is accepted as an alias for the management server's /metrics, which is "
        "on regardless (see OTELWARD_MANAGEMENT_ENABLED).",
        "exporters",
        choices=_EXPORTERS_METRIC,
    ),
    _v(
        "OTEL_LOGS_EXPORTER",
        Kind.LIST,
        "otlp",
        "none",
        "Log record exporters (OTLP log records).",
        "exporters",
        choices=_EXPORTERS_SPAN_LOG,
    ),
    _v(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        Kind.STR,
        None,
        "http://collector:4318",
        "Base endpoint for all signals; default http://localhost:4318 (HTTP) or http://localhost:4317 (gRPC).",
        "exporters",
    ),
    _v(
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        Kind.ENUM,
        "http/protobuf",
        "grpc",
        "OTLP transport. otelward defaults to http/protobuf, the specification's default, which avoids gRPC's "
        "fork problems under pre-fork servers.",
        "exporters",
        choices=_PROTOCOLS,
    ),
    _v(
        "OTEL_EXPORTER_OTLP_HEADERS",
        Kind.KEYVALUES,
        None,
        "api-key=secret",
        "Headers sent with every export; values never printed.",
        "exporters",
    ),
    _v(
        "OTEL_EXPORTER_OTLP_TIMEOUT",
        Kind.INT,
        "10000",
        "5000",
        "Export timeout in milliseconds.",
        "exporters",
        minimum=1,
        maximum=600_000,
    ),
    _v(
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        Kind.ENUM,
        "none",
        "gzip",
        "Compression of export requests.",
        "exporters",
        choices=_COMPRESSION,
    ),
    _v(
        "OTEL_EXPORTER_OTLP_INSECURE",
        Kind.BOOL,
        None,
        "true",
        "gRPC only: use a plaintext connection.",
        "exporters",
    ),
    _v(
        "OTEL_EXPORTER_OTLP_CERTIFICATE",
        Kind.PATH,
        None,
        "/etc/ssl/ca.pem",
        "CA bundle to verify the collector.",
        "exporters",
    ),
    _v(
        "OTEL_EXPORTER_OTLP_CLIENT_KEY",
        Kind.PATH,
        None,
        "/etc/ssl/client.key",
        "mTLS client key.",
        "exporters",
    ),
    _v(
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
    _v(
        "OTEL_METRIC_EXPORT_INTERVAL",
        Kind.INT,
        "60000",
        "10000",
        "Milliseconds between OTLP metric exports.",
        "exporters",
        minimum=100,
        maximum=86_400_000,
    ),
    # -- sampling ---------------------------------------------------------------------------------
    _v(
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
    _v(
        "OTEL_TRACES_SAMPLER_ARG",
        Kind.FLOAT,
        None,
        "0.25",
        "Argument of OTEL_TRACES_SAMPLER (a ratio).",
        "sampling",
        minimum=0,
        maximum=1,
    ),
    _v(
        "OTELWARD_SAMPLING",
        Kind.ENUM,
        "tail",
        "off",
        "`tail`: keep errors, slow traces and a consistent ratio of the rest; `off`: keep every trace.",
        "sampling",
        choices=("tail", "off"),
    ),
    _v(
        "OTELWARD_SAMPLING_RATIO",
        Kind.FLOAT,
        "0.01",
        "0.05",
        "Fraction of ordinary traces kept, chosen from the trace id so every service keeps the same ones.",
        "sampling",
        minimum=0,
        maximum=1,
    ),
    _v(
        "OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS",
        Kind.FLOAT,
        "1000",
        "500",
        "Keep a trace whose local root lasted at least this long (milliseconds); 0 turns the rule off.",
        "sampling",
        minimum=0,
    ),
    _v(
        "OTELWARD_SAMPLING_KEEP_ERRORS",
        Kind.BOOL,
        "true",
        "false",
        "Keep every trace with an error span or an exception event.",
        "sampling",
    ),
    _v(
        "OTELWARD_SAMPLING_MAX_TRACES_PER_SECOND",
        Kind.FLOAT,
        "100",
        "20",
        "Cap on ordinary (ratio and slow) traces kept per second per process; 0 means no cap.",
        "sampling",
        minimum=0,
    ),
    _v(
        "OTELWARD_SAMPLING_MAX_ERROR_TRACES_PER_SECOND",
        Kind.FLOAT,
        "100",
        "50",
        "Separate cap on error traces kept per second per process; 0 means no cap.",
        "sampling",
        minimum=0,
    ),
    _v(
        "OTELWARD_SAMPLING_MAX_BUFFERED_SPANS",
        Kind.INT,
        "20000",
        "5000",
        "Spans held while their trace is undecided; beyond it the oldest traces are decided early.",
        "sampling",
        minimum=1,
    ),
    _v(
        "OTELWARD_SAMPLING_MAX_BUFFERED_TRACES",
        Kind.INT,
        "5000",
        "1000",
        "Traces held undecided at once.",
        "sampling",
        minimum=1,
    ),
    _v(
        "OTELWARD_SAMPLING_MAX_TRACE_WAIT_S",
        Kind.FLOAT,
        "30",
        "60",
        "Decide a trace whose local root has not ended after this many seconds.",
        "sampling",
        minimum=0.1,
    ),
    _v(
        "OTELWARD_SAMPLING_TRACERESPONSE",
        Kind.BOOL,
        "true",
        "false",
        "Send and read the W3C `traceresponse` header so a downstream error rescues upstream spans.",
        "sampling",
    ),
    _v(
        "OTELWARD_LOGS_FOLLOW_TRACES",
        Kind.BOOL,
        "false",
        "true",
        "Export INFO/DEBUG OTLP log records only when their trace is kept (WARNING+ always go).",
        "sampling",
    ),
    # -- redaction --------------------------------------------------------------------------------
    _v(
        "OTELWARD_REDACTION",
        Kind.BOOL,
        "true",
        "false",
        "Redact secrets and personal data before export.",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_MODE",
        Kind.ENUM,
        "mask",
        "hash",
        "`mask` replaces with [REDACTED]; `hash` with a keyed hash so equal values can be correlated.",
        "redaction",
        choices=("mask", "hash"),
    ),
    _v(
        "OTELWARD_REDACTION_HASH_KEY",
        Kind.SECRET,
        None,
        "a-long-random-string",
        "Key for hash mode.",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_HASH_KEY_FILE",
        Kind.PATH,
        None,
        "/var/run/secrets/otelward/hash-key",
        "File holding the key for hash mode (wins over OTELWARD_REDACTION_HASH_KEY).",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_SHOW_RULE",
        Kind.BOOL,
        "false",
        "true",
        "Replace with [REDACTED:<rule>] instead of [REDACTED]; never shows the matched text.",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_EXTRA_KEYS",
        Kind.LIST,
        None,
        "customer_ref,internal_id",
        "More attribute-key patterns (regular expressions, case-insensitive) whose values are redacted.",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_EXTRA_PATTERNS",
        Kind.LIST,
        None,
        r"ACME-[0-9]{8}",
        "More value patterns (regular expressions) redacted wherever they appear.",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_SAFE_KEYS",
        Kind.LIST,
        None,
        "session_count,auth_method",
        "Attribute keys never redacted by key rules (value detectors still apply).",
        "redaction",
    ),
    _v(
        "OTELWARD_REDACTION_DISABLE",
        Kind.LIST,
        None,
        "email",
        "Detector classes to switch off.",
        "redaction",
        choices=(
            "keys",
            "jwt",
            "bearer",
            "pem",
            "aws",
            "vendor_tokens",
            "password_pairs",
            "url_credentials",
            "url_query",
            "credit_card",
            "ssn",
            "email",
            "sql",
            "headers",
        ),
    ),
    _v(
        "OTELWARD_REDACTION_MAX_SCAN_CHARS",
        Kind.INT,
        "16384",
        "65536",
        "Longest string scanned; the unscanned rest of a longer value is replaced.",
        "redaction",
        minimum=256,
    ),
    _v(
        "OTELWARD_CAPTURE_HEADERS",
        Kind.BOOL,
        "true",
        "false",
        "Capture common request/response headers on server spans (sensitive ones are redacted).",
        "redaction",
    ),
    *(
        _v(
            f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{which}",
            Kind.LIST,
            default,
            "content-type,x-request-id",
            f"Headers captured as span attributes ({which.lower().replace('_', ' ')}); otelward's default "
            "applies only while OTELWARD_CAPTURE_HEADERS=true. Empty string: capture none.",
            "redaction",
            passthrough=True,
        )
        for which, default in _CAPTURE_HEADER_DEFAULTS
    ),
    _v(
        "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS",
        Kind.LIST,
        _SANITIZE_DEFAULT,
        "authorization,cookie,.*session.*",
        "Captured headers the instrumentations replace with [REDACTED] at capture time (regexes, "
        "case-insensitive); otelward's redaction still applies to every captured header afterwards.",
        "redaction",
        passthrough=True,
    ),
    # -- logs ------------------------------------------------------------------------------------
    _v(
        "OTELWARD_LOG_FORMAT",
        Kind.ENUM,
        "json",
        "ecs",
        "Console log format: OTel-model JSON, ECS JSON, text with ids, or off (the app's own formatting).",
        "logs",
        choices=("json", "ecs", "text", "off"),
    ),
    _v(
        "OTELWARD_LOG_STREAM",
        Kind.ENUM,
        "stdout",
        "stderr",
        "Where console log lines go.",
        "logs",
        choices=("stdout", "stderr"),
    ),
    _v("OTELWARD_LOG_LEVEL", Kind.ENUM, "info", "warning", "Root logger level.", "logs", choices=_LOG_LEVELS),
    _v(
        "OTELWARD_LOG_LEVELS",
        Kind.KEYVALUES,
        None,
        "sqlalchemy.engine=warning,myapp.db=debug",
        "Per-logger levels.",
        "logs",
    ),
    _v(
        "OTELWARD_REQUEST_ID_HEADER",
        Kind.STR,
        "X-Request-ID",
        "X-Correlation-ID",
        "Incoming/outgoing header carrying the request correlation id.",
        "logs",
    ),
    # -- metrics ---------------------------------------------------------------------------------
    _v(
        "OTELWARD_METRICS_DURATION_BUCKETS",
        Kind.LIST,
        "0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.3,0.5,0.75,1,2.5,5,7.5,10",
        "0.05,0.1,0.3,1",
        "Histogram boundaries (seconds) for request durations; latency SLO thresholds must be one of them.",
        "metrics",
    ),
    _v(
        "OTELWARD_METRICS_CARDINALITY_LIMIT",
        Kind.INT,
        "2000",
        "500",
        "Distinct attribute sets per metric before new ones go to an overflow series.",
        "metrics",
        minimum=10,
    ),
    _v(
        "OTELWARD_RUNTIME_METRICS", Kind.BOOL, "true", "false", "Emit process and runtime metrics.", "metrics"
    ),
    # -- management ------------------------------------------------------------------------------
    _v(
        "OTELWARD_MANAGEMENT_ENABLED",
        Kind.BOOL,
        "true",
        "false",
        "Serve /metrics and /health*.",
        "management",
    ),
    _v(
        "OTELWARD_MANAGEMENT_HOST",
        Kind.STR,
        "127.0.0.1",
        "0.0.0.0",
        "Bind address; beyond loopback, /metrics and health details need the token.",
        "management",
    ),
    _v(
        "OTELWARD_MANAGEMENT_PORT",
        Kind.INT,
        "9464",
        "9464",
        "Port of the management server.",
        "management",
        minimum=0,
        maximum=65535,
    ),
    _v(
        "OTELWARD_MANAGEMENT_TOKEN",
        Kind.SECRET,
        None,
        "s3cr3t-token",
        "Bearer token (or basic-auth password) for /metrics and health details.",
        "management",
    ),
    _v(
        "OTELWARD_MANAGEMENT_TOKEN_FILE",
        Kind.PATH,
        None,
        "/var/run/secrets/otelward/token",
        "File holding the token (a mounted secret); wins over OTELWARD_MANAGEMENT_TOKEN.",
        "management",
    ),
    _v(
        "OTELWARD_READINESS_CHECKS",
        Kind.KEYVALUES,
        None,
        "db=tcp://localhost:5432,api=http://localhost:8080/ping",
        "Readiness checks: name=tcp://host:port | http(s)://url | postgresql://dsn.",
        "management",
    ),
    _v(
        "OTELWARD_READINESS_TIMEOUT_MS",
        Kind.INT,
        "1000",
        "500",
        "Timeout of each readiness check.",
        "management",
        minimum=1,
        maximum=60_000,
    ),
    # -- export ----------------------------------------------------------------------------------
    _v(
        "OTELWARD_EXPORT_QUEUE_SIZE",
        Kind.INT,
        "4096",
        "8192",
        "Spans (and, separately, log records) waiting for export; beyond it new items are dropped and counted.",
        "export",
        minimum=1,
    ),
    _v(
        "OTELWARD_EXPORT_BATCH_SIZE", Kind.INT, "512", "256", "Items per export request.", "export", minimum=1
    ),
    _v(
        "OTELWARD_EXPORT_SCHEDULE_DELAY_MS",
        Kind.INT,
        "1000",
        "500",
        "Longest wait before a partial batch is sent.",
        "export",
        minimum=1,
    ),
    _v(
        "OTELWARD_EXPORT_SPOOL_DIR",
        Kind.PATH,
        None,
        "/var/spool/otelward",
        "Directory for a size-capped on-disk buffer that carries telemetry over a short collector outage.",
        "export",
    ),
    _v(
        "OTELWARD_EXPORT_SPOOL_MAX_MB",
        Kind.FLOAT,
        "64",
        "256",
        "Size cap of the spool directory.",
        "export",
        minimum=1,
    ),
)

# Downward-API names: the k8s.* attribute each one fills. Both spellings seen in the wild are accepted.
KUBERNETES_VARS: dict[str, str] = {
    "K8S_POD_NAME": "k8s.pod.name",
    "POD_NAME": "k8s.pod.name",
    "K8S_POD_UID": "k8s.pod.uid",
    "POD_UID": "k8s.pod.uid",
    "K8S_NAMESPACE_NAME": "k8s.namespace.name",
    "POD_NAMESPACE": "k8s.namespace.name",
    "K8S_NODE_NAME": "k8s.node.name",
    "NODE_NAME": "k8s.node.name",
    "K8S_CONTAINER_NAME": "k8s.container.name",
    "K8S_DEPLOYMENT_NAME": "k8s.deployment.name",
}

VARS = VARS + tuple(
    _v(
        name,
        Kind.STR,
        None,
        "checkout-7d9f8b-xk2p" if "NAME" in name else "3f1c...",
        f"Fills `{attr}`.",
        "kubernetes",
    )
    for name, attr in KUBERNETES_VARS.items()
)

BY_NAME: dict[str, EnvVar] = {var.name: var for var in VARS}
