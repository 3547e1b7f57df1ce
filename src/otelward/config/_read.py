"""Parse the declared variables of one mapping into the settings sections, collecting problems.

Pure: no I/O but reading the files that ``*_FILE`` variables name. A bad value never raises: it becomes one line
in the reader's ``problems`` and the declared default is used.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from pathlib import Path

from otelward.config._env_vars import BY_NAME, KUBERNETES_VARS
from otelward.config._parsing import ConfigValueError, EnvVar, parse_value
from otelward.config._settings import (
    ExportSettings,
    GeneralSettings,
    LogSettings,
    ManagementSettings,
    MetricsSettings,
    OtlpSignal,
    RedactionSettings,
    SamplingSettings,
)

__all__ = [
    "Reader",
    "read_export",
    "read_general",
    "read_logs",
    "read_management",
    "read_metrics",
    "read_redaction",
    "read_sampling",
    "read_signal",
]

_LEVELS = ("debug", "info", "warning", "error", "critical")
_CHECK_SCHEMES = ("tcp", "http", "https", "postgresql", "postgres")
_DEFAULT_PORTS = {"grpc": 4317, "http/protobuf": 4318, "http/json": 4318}


class Reader:
    """Parse declared variables from one mapping, collecting problems instead of raising."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []
        self._cache: dict[str, object] = {}

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return value if value is not None and value.strip() != "" else None

    def get(self, name: str) -> object:
        # Memoised so a generic variable consulted for three signals is reported once.
        if name not in self._cache:
            self._cache[name] = self._parse(BY_NAME[name])
        return self._cache[name]

    def _parse(self, var: EnvVar) -> object:
        raw = self.raw(var.name)
        if raw is not None:
            try:
                return parse_value(var, raw)
            except ConfigValueError as err:
                self.problems.append(str(err))
        return None if var.default is None else parse_value(var, var.default)

    def flag(self, name: str) -> bool:
        return bool(self.get(name))

    def integer(self, name: str) -> int:
        value = self.get(name)
        return int(value) if isinstance(value, (int, float)) else 0

    def number(self, name: str) -> float:
        value = self.get(name)
        return float(value) if isinstance(value, (int, float)) else 0.0

    def text(self, name: str) -> str | None:
        value = self.get(name)
        return str(value) if value not in (None, "") else None

    def items(self, name: str) -> tuple[str, ...]:
        value = self.get(name)
        return tuple(str(x) for x in value) if isinstance(value, tuple) else ()

    def pairs(self, name: str) -> tuple[tuple[str, str], ...]:
        value = self.get(name)
        return tuple((str(k), str(v)) for k, v in value) if isinstance(value, tuple) else ()

    def problem(self, var: EnvVar, raw: str, accepted: str) -> None:
        self.problems.append(str(ConfigValueError(var, raw, accepted)))

    def secret_from_file(self, file_var: str, value_var: str) -> str | None:
        path = self.get(file_var)
        if path:
            try:
                return Path(str(path)).read_text(encoding="utf-8").strip() or None
            except OSError as err:
                self.problems.append(
                    f"otelward: {file_var}={path!r} cannot be read ({err.strerror}); ignoring it"
                )
            except UnicodeDecodeError:
                self.problems.append(
                    f"otelward: {file_var}={path!r} is not UTF-8 text; accepted: a UTF-8 file holding the secret; "
                    "ignoring it"
                )
        value = self.get(value_var)
        return str(value) if value else None


def read_general(r: Reader) -> GeneralSettings:
    return GeneralSettings(
        service_name=r.text("OTEL_SERVICE_NAME"),
        resource_attributes=r.pairs("OTEL_RESOURCE_ATTRIBUTES"),
        environment=r.text("OTELWARD_ENVIRONMENT"),
        sdk_disabled=r.flag("OTEL_SDK_DISABLED"),
        strict=r.flag("OTELWARD_STRICT"),
        shutdown_timeout_s=r.number("OTELWARD_SHUTDOWN_TIMEOUT"),
        lazy_instrumentation=r.flag("OTELWARD_LAZY_INSTRUMENTATION"),
        gc_freeze=r.flag("OTELWARD_GC_FREEZE"),
        disabled_instrumentations=r.items("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"),
        kubernetes=_kubernetes(r),
        trusted_hosts=r.items("OTELWARD_TRUSTED_HOSTS"),
        server_instrumentation=r.flag("OTELWARD_SERVER_INSTRUMENTATION"),
        native_instrumentation=r.flag("OTELWARD_NATIVE_INSTRUMENTATION"),
        lean_spans=r.flag("OTELWARD_LEAN_SPANS"),
        excluded_urls=r.text("OTEL_PYTHON_EXCLUDED_URLS") or "",
        capture_request_headers=_captured(r, "SERVER_REQUEST"),
        capture_response_headers=_captured(r, "SERVER_RESPONSE"),
        sanitize_headers=r.items("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"),
        capture_client_request_headers=_captured(r, "CLIENT_REQUEST"),
        capture_client_response_headers=_captured(r, "CLIENT_RESPONSE"),
    )


def _captured(r: Reader, which: str) -> tuple[str, ...]:
    # otelward's default list applies only with OTELWARD_CAPTURE_HEADERS=true; a value the user set always does.
    name = f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{which}"
    if not r.flag("OTELWARD_CAPTURE_HEADERS") and r.raw(name) is None:
        return ()
    return tuple(h.lower() for h in r.items(name))


def _kubernetes(r: Reader) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for name, attribute in KUBERNETES_VARS.items():
        value = r.text(name)
        if value and attribute not in found:
            found[attribute] = value
    return tuple(found.items())


def _signal_name(r: Reader, signal: str, suffix: str) -> str:
    """Return the per-signal variable when it is set, else the generic one."""
    specific = f"OTEL_EXPORTER_OTLP_{signal.upper()}_{suffix}"
    return specific if r.raw(specific) is not None else f"OTEL_EXPORTER_OTLP_{suffix}"


def _endpoint(r: Reader, signal: str, protocol: str) -> str:
    specific = r.text(f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT")
    if specific:
        return specific
    base = r.text("OTEL_EXPORTER_OTLP_ENDPOINT")
    base_url = base if base else f"http://localhost:{_DEFAULT_PORTS[protocol]}"
    if protocol == "grpc":
        return base_url
    # The spec appends the signal path to the generic HTTP endpoint, never to the specific one.
    return base_url.rstrip("/") + f"/v1/{signal}"


def read_signal(r: Reader, signal: str) -> OtlpSignal:
    protocol = r.text(_signal_name(r, signal, "PROTOCOL")) or "http/protobuf"
    if protocol == "http/json":
        r.problems.append(
            f"otelward: OTEL_EXPORTER_OTLP_PROTOCOL=http/json is not supported by the Python exporters; "
            f"using http/protobuf for {signal}"
        )
        protocol = "http/protobuf"
    exporter_var = {"traces": "OTEL_TRACES_EXPORTER", "metrics": "OTEL_METRICS_EXPORTER"}.get(
        signal, "OTEL_LOGS_EXPORTER"
    )
    exporters = r.items(exporter_var)
    # `prometheus` means the management server's /metrics, which is configured on its own.
    exporters = tuple(x for x in exporters if x not in ("none", "prometheus"))
    return OtlpSignal(
        signal=signal,
        exporters=exporters,
        protocol=protocol,
        endpoint=_endpoint(r, signal, protocol),
        headers=r.pairs(_signal_name(r, signal, "HEADERS")),
        timeout_s=r.number(_signal_name(r, signal, "TIMEOUT")) / 1000.0,
        compression=r.text(_signal_name(r, signal, "COMPRESSION")) or "none",
        certificate=r.text(_signal_name(r, signal, "CERTIFICATE")),
        client_key=r.text(_signal_name(r, signal, "CLIENT_KEY")),
        client_certificate=r.text(_signal_name(r, signal, "CLIENT_CERTIFICATE")),
        insecure=r.flag("OTEL_EXPORTER_OTLP_INSECURE") if r.raw("OTEL_EXPORTER_OTLP_INSECURE") else None,
    )


def read_sampling(r: Reader) -> SamplingSettings:
    return SamplingSettings(
        mode=(r.text("OTELWARD_SAMPLING") or ""),
        ratio=r.number("OTELWARD_SAMPLING_RATIO"),
        latency_threshold_s=r.number("OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS") / 1000.0,
        keep_errors=r.flag("OTELWARD_SAMPLING_KEEP_ERRORS"),
        keep_internal_errors=r.flag("OTELWARD_SAMPLING_KEEP_INTERNAL_ERRORS"),
        max_traces_per_second=r.number("OTELWARD_SAMPLING_MAX_TRACES_PER_SECOND"),
        max_error_traces_per_second=r.number("OTELWARD_SAMPLING_MAX_ERROR_TRACES_PER_SECOND"),
        max_rescued_traces_per_second=r.number("OTELWARD_SAMPLING_MAX_RESCUED_TRACES_PER_SECOND"),
        max_buffered_spans=r.integer("OTELWARD_SAMPLING_MAX_BUFFERED_SPANS"),
        max_buffered_traces=r.integer("OTELWARD_SAMPLING_MAX_BUFFERED_TRACES"),
        max_trace_wait_s=r.number("OTELWARD_SAMPLING_MAX_TRACE_WAIT_S"),
        traceresponse=r.flag("OTELWARD_SAMPLING_TRACERESPONSE"),
        traceresponse_to=r.text("OTELWARD_TRACERESPONSE_TO") or "traceparent",
        logs_follow_traces=r.flag("OTELWARD_LOGS_FOLLOW_TRACES"),
        user_sampler=r.text("OTEL_TRACES_SAMPLER"),
        user_sampler_arg=_optional_float(r.get("OTEL_TRACES_SAMPLER_ARG")),
    )


def _optional_float(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _patterns(r: Reader, name: str) -> tuple[str, ...]:
    good: list[str] = []
    for pattern in r.items(name):
        try:
            re.compile(pattern)
        except re.error as err:
            r.problems.append(
                f"otelward: {name}: pattern {pattern!r} is not a valid regular expression ({err}); "
                "skipping it"
            )
            continue
        good.append(pattern)
    return tuple(good)


_OPT_IN_DETECTORS = frozenset({"phone"})


def read_redaction(r: Reader) -> RedactionSettings:
    mode = r.text("OTELWARD_REDACTION_MODE") or ""
    key = r.secret_from_file("OTELWARD_REDACTION_HASH_KEY_FILE", "OTELWARD_REDACTION_HASH_KEY")
    if mode == "hash" and not key:
        r.problems.append(
            "otelward: OTELWARD_REDACTION_MODE=hash needs OTELWARD_REDACTION_HASH_KEY or "
            "OTELWARD_REDACTION_HASH_KEY_FILE; using mask mode"
        )
        mode = "mask"
    return RedactionSettings(
        enabled=r.flag("OTELWARD_REDACTION"),
        mode=mode,
        hash_key=key,
        show_rule=r.flag("OTELWARD_REDACTION_SHOW_RULE"),
        extra_keys=_patterns(r, "OTELWARD_REDACTION_EXTRA_KEYS"),
        extra_patterns=_patterns(r, "OTELWARD_REDACTION_EXTRA_PATTERNS"),
        safe_keys=r.items("OTELWARD_REDACTION_SAFE_KEYS"),
        # Opt-in detectors (phone) are off unless OTELWARD_REDACTION_ENABLE names them.
        disabled=frozenset(r.items("OTELWARD_REDACTION_DISABLE"))
        | (_OPT_IN_DETECTORS - frozenset(r.items("OTELWARD_REDACTION_ENABLE"))),
        max_scan_chars=r.integer("OTELWARD_REDACTION_MAX_SCAN_CHARS"),
    )


def read_logs(r: Reader) -> LogSettings:
    levels: list[tuple[str, str]] = []
    var = BY_NAME["OTELWARD_LOG_LEVELS"]
    for logger, level in r.pairs(var.name):
        if level.lower() not in _LEVELS:
            r.problem(var, f"{logger}={level}", "logger=level pairs with level one of " + ", ".join(_LEVELS))
            continue
        levels.append((logger, level.lower()))
    header = r.text("OTELWARD_REQUEST_ID_HEADER") or ""
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", header):
        r.problem(BY_NAME["OTELWARD_REQUEST_ID_HEADER"], header, "an HTTP header name (letters, digits, -)")
        header = "X-Request-ID"
    log_format = r.text("OTELWARD_LOG_FORMAT") or ""
    # Given and valid (an invalid value falls back to the default, like an unset one).
    given = r.raw("OTELWARD_LOG_FORMAT")
    return LogSettings(
        format=log_format,
        format_set=given is not None and given.strip().lower() == log_format,
        stream=(r.text("OTELWARD_LOG_STREAM") or ""),
        level=(r.text("OTELWARD_LOG_LEVEL") or ""),
        levels=tuple(levels),
        request_id_header=header,
    )


def _bucket_list(text: str) -> tuple[float, ...] | None:
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        return None
    if values and values[0] > 0 and all(b > a for a, b in itertools.pairwise(values)):
        return values
    return None


def _buckets(r: Reader) -> tuple[float, ...]:
    var = BY_NAME["OTELWARD_METRICS_DURATION_BUCKETS"]
    raw = r.raw(var.name)
    if raw is not None:
        values = _bucket_list(raw)
        if values is not None:
            return values
        r.problem(var, raw, "increasing positive numbers in seconds, comma-separated")
    # The declaration is checked by the test suite, so its default always parses.
    return _bucket_list(var.default or "") or ()


def read_metrics(r: Reader) -> MetricsSettings:
    return MetricsSettings(
        duration_buckets=_buckets(r),
        cardinality_limit=r.integer("OTELWARD_METRICS_CARDINALITY_LIMIT"),
        runtime_metrics=r.flag("OTELWARD_RUNTIME_METRICS"),
        export_interval_s=r.integer("OTEL_METRIC_EXPORT_INTERVAL") / 1000.0,
        exemplar_filter=r.text("OTEL_METRICS_EXEMPLAR_FILTER") or "",
        active_requests=r.flag("OTELWARD_METRICS_ACTIVE_REQUESTS"),
    )


def read_management(r: Reader) -> ManagementSettings:
    checks: list[tuple[str, str]] = []
    var = BY_NAME["OTELWARD_READINESS_CHECKS"]
    for name, target in r.pairs(var.name):
        scheme = target.partition("://")[0].lower()
        if scheme not in _CHECK_SCHEMES or "://" not in target:
            r.problem(var, f"{name}={target}", "name=URL with scheme " + ", ".join(_CHECK_SCHEMES))
            continue
        checks.append((name, target))
    return ManagementSettings(
        enabled=r.flag("OTELWARD_MANAGEMENT_ENABLED"),
        host=(r.text("OTELWARD_MANAGEMENT_HOST") or ""),
        port=r.integer("OTELWARD_MANAGEMENT_PORT"),
        token=r.secret_from_file("OTELWARD_MANAGEMENT_TOKEN_FILE", "OTELWARD_MANAGEMENT_TOKEN"),
        readiness_checks=tuple(checks),
        readiness_timeout_s=r.integer("OTELWARD_READINESS_TIMEOUT_MS") / 1000.0,
    )


def read_export(r: Reader) -> ExportSettings:
    return ExportSettings(
        queue_size=r.integer("OTELWARD_EXPORT_QUEUE_SIZE"),
        queue_bytes=r.integer("OTELWARD_EXPORT_QUEUE_BYTES"),
        batch_size=r.integer("OTELWARD_EXPORT_BATCH_SIZE"),
        schedule_delay_s=r.integer("OTELWARD_EXPORT_SCHEDULE_DELAY_MS") / 1000.0,
    )
