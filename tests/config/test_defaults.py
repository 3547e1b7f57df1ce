"""Every default lives in the declarations: the settings' defaults are the declared ones, parsed."""

from __future__ import annotations

import dataclasses

import pytest

from otelward.config import Settings, defaults
from otelward.config._env_vars import BY_NAME
from otelward.config._parsing import parse_value

# (section, field, variable, scale from the variable's unit to the field's)
DECLARED = [
    ("general", "shutdown_timeout_s", "OTELWARD_SHUTDOWN_TIMEOUT", 1),
    ("general", "lazy_instrumentation", "OTELWARD_LAZY_INSTRUMENTATION", None),
    ("general", "gc_freeze", "OTELWARD_GC_FREEZE", None),
    ("general", "strict", "OTELWARD_STRICT", None),
    ("general", "sdk_disabled", "OTEL_SDK_DISABLED", None),
    ("sampling", "mode", "OTELWARD_SAMPLING", None),
    ("sampling", "ratio", "OTELWARD_SAMPLING_RATIO", 1),
    ("sampling", "latency_threshold_s", "OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS", 1e-3),
    ("sampling", "keep_errors", "OTELWARD_SAMPLING_KEEP_ERRORS", None),
    ("sampling", "max_traces_per_second", "OTELWARD_SAMPLING_MAX_TRACES_PER_SECOND", 1),
    ("sampling", "max_error_traces_per_second", "OTELWARD_SAMPLING_MAX_ERROR_TRACES_PER_SECOND", 1),
    ("sampling", "max_buffered_spans", "OTELWARD_SAMPLING_MAX_BUFFERED_SPANS", 1),
    ("sampling", "max_buffered_traces", "OTELWARD_SAMPLING_MAX_BUFFERED_TRACES", 1),
    ("sampling", "max_trace_wait_s", "OTELWARD_SAMPLING_MAX_TRACE_WAIT_S", 1),
    ("sampling", "traceresponse", "OTELWARD_SAMPLING_TRACERESPONSE", None),
    ("sampling", "logs_follow_traces", "OTELWARD_LOGS_FOLLOW_TRACES", None),
    ("redaction", "enabled", "OTELWARD_REDACTION", None),
    ("redaction", "mode", "OTELWARD_REDACTION_MODE", None),
    ("redaction", "show_rule", "OTELWARD_REDACTION_SHOW_RULE", None),
    ("redaction", "max_scan_chars", "OTELWARD_REDACTION_MAX_SCAN_CHARS", 1),
    ("logs", "format", "OTELWARD_LOG_FORMAT", None),
    ("logs", "stream", "OTELWARD_LOG_STREAM", None),
    ("logs", "level", "OTELWARD_LOG_LEVEL", None),
    ("logs", "request_id_header", "OTELWARD_REQUEST_ID_HEADER", None),
    ("metrics", "cardinality_limit", "OTELWARD_METRICS_CARDINALITY_LIMIT", 1),
    ("metrics", "runtime_metrics", "OTELWARD_RUNTIME_METRICS", None),
    ("metrics", "export_interval_s", "OTEL_METRIC_EXPORT_INTERVAL", 1e-3),
    ("management", "enabled", "OTELWARD_MANAGEMENT_ENABLED", None),
    ("management", "host", "OTELWARD_MANAGEMENT_HOST", None),
    ("management", "port", "OTELWARD_MANAGEMENT_PORT", 1),
    ("management", "readiness_timeout_s", "OTELWARD_READINESS_TIMEOUT_MS", 1e-3),
    ("export", "queue_size", "OTELWARD_EXPORT_QUEUE_SIZE", 1),
    ("export", "batch_size", "OTELWARD_EXPORT_BATCH_SIZE", 1),
    ("export", "schedule_delay_s", "OTELWARD_EXPORT_SCHEDULE_DELAY_MS", 1e-3),
]


def test_settings_built_without_arguments_equal_an_empty_environment() -> None:
    # Settings() and Settings.from_env({}) used to differ on four fields (defaults repeated in two places).
    assert Settings() == Settings.from_env({}) == defaults()


def test_the_four_fields_that_used_to_drift() -> None:
    s = Settings()
    assert s.sampling.logs_follow_traces is True
    assert s.metrics.duration_buckets == tuple(
        float(x) for x in (BY_NAME["OTELWARD_METRICS_DURATION_BUCKETS"].default or "").split(",")
    )
    assert len(s.metrics.duration_buckets) == 15
    assert s.metrics_export.endpoint == "http://localhost:4318/v1/metrics"
    assert s.logs_export.endpoint == "http://localhost:4318/v1/logs"


@pytest.mark.parametrize(
    ("section", "name", "var", "scale"), DECLARED, ids=[f"{s}.{f}" for s, f, _, _ in DECLARED]
)
def test_each_default_is_its_declaration(section: str, name: str, var: str, scale: float | None) -> None:
    declared = BY_NAME[var]
    assert declared.default is not None, f"{var} declares no default"
    value = parse_value(declared, declared.default)
    actual = getattr(getattr(Settings(), section), name)
    if scale is None:
        assert actual == value
    else:
        assert isinstance(value, (int, float))
        assert actual == pytest.approx(value * scale)


def test_sections_have_no_defaults_of_their_own() -> None:
    for f in dataclasses.fields(Settings):
        if f.name == "problems":
            continue
        section_type = type(getattr(Settings(), f.name))
        for sf in dataclasses.fields(section_type):
            assert sf.default is dataclasses.MISSING, f"{section_type.__name__}.{sf.name} repeats a default"
            assert sf.default_factory is dataclasses.MISSING, f"{section_type.__name__}.{sf.name}"


def test_declared_but_unbuilt_features_are_gone() -> None:
    assert "OTELWARD_EXPORT_SPOOL_DIR" not in BY_NAME
    assert "OTELWARD_EXPORT_SPOOL_MAX_MB" not in BY_NAME
    assert not hasattr(Settings().redaction, "capture_headers")
