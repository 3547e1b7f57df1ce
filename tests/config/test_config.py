"""Configuration parsing: typed values, one clear line per bad variable, defaults kept."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otelward.config import Settings, StrictModeError, report_problems
from otelward.config._env_vars import BY_NAME, VARS
from otelward.config._parsing import ConfigValueError, Kind, parse_value

BAD_VALUES = [
    pytest.param("OTEL_TRACES_SAMPLER_ARG", "abc", "a number in [0, 1]", id="sampler-arg-not-a-number"),
    pytest.param("OTEL_EXPORTER_OTLP_PROTOCOL", "gprc", "grpc, http/protobuf, http/json", id="protocol-typo"),
    pytest.param("OTEL_EXPORTER_OTLP_TIMEOUT", "-5", "an integer in [1, 600000]", id="negative-timeout"),
    pytest.param("OTEL_TRACES_EXPORTER", "otlp,zipkin", "otlp, console, none", id="unknown-exporter"),
    pytest.param("OTELWARD_STRICT", "maybe", "true or false", id="bool"),
    pytest.param("OTELWARD_SAMPLING_RATIO", "1.5", "a number in [0, 1]", id="ratio-out-of-range"),
    pytest.param("OTELWARD_SAMPLING_RATIO", "nan", "a finite number", id="ratio-nan"),
    pytest.param("OTELWARD_LOG_FORMAT", "xml", "json, ecs, otlp-json, text, off", id="log-format"),
    pytest.param("OTELWARD_MANAGEMENT_PORT", "70000", "an integer in [0, 65535]", id="port"),
    pytest.param("OTEL_RESOURCE_ATTRIBUTES", "novalue", "key=value", id="resource-attrs"),
    pytest.param("OTELWARD_LOG_LEVELS", "app=loud", "level one of", id="logger-level"),
    pytest.param("OTELWARD_READINESS_CHECKS", "db=ftp://x", "scheme tcp", id="readiness-scheme"),
    pytest.param("OTELWARD_METRICS_DURATION_BUCKETS", "1,0.5", "increasing positive", id="buckets-order"),
    pytest.param(
        "OTELWARD_REDACTION_EXTRA_PATTERNS", "(unclosed", "not a valid regular expression", id="regex"
    ),
]


@pytest.mark.parametrize(("name", "value", "accepted"), BAD_VALUES)
def test_bad_value_is_one_line_naming_variable_value_and_accepted(
    name: str, value: str, accepted: str
) -> None:
    settings = Settings.from_env({name: value})
    assert len(settings.problems) == 1
    line = settings.problems[0]
    assert "\n" not in line
    assert name in line
    assert value in line
    assert accepted in line


def test_bad_value_keeps_everything_else_working() -> None:
    settings = Settings.from_env({"OTEL_EXPORTER_OTLP_PROTOCOL": "gprc", "OTEL_TRACES_EXPORTER": "otlp"})
    assert settings.traces.exporters == ("otlp",)
    assert settings.traces.protocol == "http/protobuf"
    assert settings.logs_export.exporters == ("otlp",)


def test_generic_variable_reported_once_although_three_signals_read_it() -> None:
    assert len(Settings.from_env({"OTEL_EXPORTER_OTLP_TIMEOUT": "x"}).problems) == 1


def test_defaults_without_environment() -> None:
    s = Settings.from_env({})
    assert s.problems == ()
    assert s.traces.endpoint == "http://localhost:4318/v1/traces"
    assert s.sampling.ratio == 0.01
    assert s.general.shutdown_timeout_s == 2.0
    assert s.management.host == "127.0.0.1"


ENDPOINTS = [
    pytest.param({}, "http://localhost:4318/v1/traces", id="default-http"),
    pytest.param({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http://localhost:4317", id="default-grpc"),
    pytest.param(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, "http://c:4318/v1/traces", id="base-appends-path"
    ),
    pytest.param(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t/x"},
        "http://t/x",
        id="specific-wins-verbatim",
    ),
    pytest.param(
        {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"},
        "http://localhost:4317",
        id="per-signal-protocol",
    ),
]


@pytest.mark.parametrize(("env", "expected"), ENDPOINTS)
def test_trace_endpoint_resolution(env: dict[str, str], expected: str) -> None:
    assert Settings.from_env(env).traces.endpoint == expected


def test_secret_values_are_not_echoed_in_messages() -> None:
    problems = Settings.from_env({"OTEL_EXPORTER_OTLP_HEADERS": "api-key s3cr3t-value"}).problems
    assert len(problems) == 1
    assert "s3cr3t-value" not in problems[0]


def test_settings_repr_hides_secrets() -> None:
    s = Settings.from_env(
        {"OTEL_EXPORTER_OTLP_HEADERS": "api-key=s3cr3t", "OTELWARD_MANAGEMENT_TOKEN": "t0ken"}
    )
    assert s.traces.headers == (("api-key", "s3cr3t"),)
    assert "s3cr3t" not in repr(s)
    assert "t0ken" not in repr(s)


def test_token_file_wins_and_unreadable_file_is_reported(tmp_path) -> None:
    token = tmp_path / "token"
    token.write_text("from-file\n")
    s = Settings.from_env({"OTELWARD_MANAGEMENT_TOKEN_FILE": str(token), "OTELWARD_MANAGEMENT_TOKEN": "env"})
    assert s.management.token == "from-file"
    s = Settings.from_env({"OTELWARD_MANAGEMENT_TOKEN_FILE": str(tmp_path / "missing")})
    assert s.management.token is None
    assert len(s.problems) == 1
    assert "OTELWARD_MANAGEMENT_TOKEN_FILE" in s.problems[0]


def test_report_problems_prints_and_strict_mode_exits() -> None:
    out = io.StringIO()
    report_problems(Settings.from_env({"OTELWARD_LOG_FORMAT": "xml"}), out)
    assert out.getvalue().count("\n") == 1
    with pytest.raises(StrictModeError) as exc:
        report_problems(
            Settings.from_env({"OTELWARD_LOG_FORMAT": "xml", "OTELWARD_STRICT": "true"}), io.StringIO()
        )
    assert exc.value.code == 2


@pytest.mark.parametrize("var", [v for v in VARS if v.default is not None], ids=lambda v: v.name)
def test_every_declared_default_parses(var) -> None:
    parse_value(var, var.default)


@pytest.mark.parametrize("var", VARS, ids=lambda v: v.name)
def test_every_declaration_is_documented_with_an_example(var) -> None:
    assert var.doc.strip()
    assert var.example.strip()


_key = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,20}", fullmatch=True)
_val = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=",=%"), max_size=20)


@given(st.lists(st.tuples(_key, _val), max_size=6))
def test_key_value_lists_round_trip(pairs: list[tuple[str, str]]) -> None:
    raw = ",".join(f"{k}={v}" for k, v in pairs)
    parsed = parse_value(BY_NAME["OTEL_RESOURCE_ATTRIBUTES"], raw)
    assert parsed == tuple((k, v.strip()) for k, v in pairs)


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_ratio_round_trips(value: float) -> None:
    assert Settings.from_env({"OTELWARD_SAMPLING_RATIO": repr(value)}).sampling.ratio == value


@given(st.text(max_size=30))
def test_parsing_never_raises_anything_but_config_errors(raw: str) -> None:
    for var in VARS:
        if var.kind in (Kind.STR, Kind.PATH, Kind.SECRET):
            continue
        try:
            parse_value(var, raw)
        except ConfigValueError as err:
            message = str(err)
        else:
            continue
        assert var.name in message


def test_a_secret_file_that_is_not_utf8_is_one_problem_not_a_traceback(tmp_path) -> None:
    # It used to raise UnicodeDecodeError out of from_env, before the configurator's guard: all telemetry off.
    path = tmp_path / "token"
    path.write_bytes(b"\xff\xfe\x00secret")
    s = Settings.from_env({"OTELWARD_MANAGEMENT_TOKEN_FILE": str(path)})
    assert s.management.token is None
    assert len(s.problems) == 1
    assert "OTELWARD_MANAGEMENT_TOKEN_FILE" in s.problems[0]
    assert "UTF-8" in s.problems[0]
