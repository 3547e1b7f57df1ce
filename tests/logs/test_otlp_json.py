"""OTLP-JSON console lines: each one parses into ``ExportLogsServiceRequest`` with opentelemetry-proto."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from otelward.logs._otlp_json import any_value
from tests.logs.conftest import Installed, install
from tests.logs.test_format import FakeRedactor

RESOURCE = {"service.version": "2.3.1", "deployment.environment.name": "staging", "process.pid": 4242}


def parse(line: str) -> ExportLogsServiceRequest:
    """Parse one console line as OTLP-JSON with protobuf's own JSON parser (unknown fields rejected).

    OTLP-JSON writes trace and span ids as hex, where the plain protobuf JSON mapping expects base64 (the
    one deviation the OTLP spec makes): the ids are converted before the strict parse.
    """
    doc = json.loads(line)
    for rl in doc["resourceLogs"]:
        for sl in rl["scopeLogs"]:
            for rec in sl["logRecords"]:
                for key in ("traceId", "spanId"):
                    if key in rec:
                        assert re.fullmatch(r"[0-9a-f]+", rec[key]), rec[key]
                        rec[key] = base64.b64encode(bytes.fromhex(rec[key])).decode()
    return json_format.Parse(json.dumps(doc), ExportLogsServiceRequest())


def value_of(v: AnyValue) -> Any:
    """Return the Python value an AnyValue holds."""
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [value_of(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value_of(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, kind)


def attributes_of(items: Any) -> dict[str, Any]:
    return {kv.key: value_of(kv.value) for kv in items}


@pytest.fixture
def otlp(logging_state: None) -> Installed:
    return install({"OTELWARD_LOG_FORMAT": "otlp-json"}, resource=RESOURCE)


@pytest.fixture
def otlp_unredacted(logging_state: None) -> Installed:
    # random keys and values would hit the engine's rules (a key `pan`, a card-like number)
    return install({"OTELWARD_LOG_FORMAT": "otlp-json", "OTELWARD_REDACTION": "false"}, resource=RESOURCE)


def test_a_line_is_one_export_request_with_resource_scope_and_record(otlp: Installed) -> None:
    log = otlp.logger()
    with otlp.tracer.start_as_current_span("work") as span:
        log.warning("charged %s", "card", extra={"order": 42, "tags": ["a", "b"], "ratio": 0.5})
    (line,) = otlp.lines()
    request = parse(line)
    (rl,) = request.resource_logs
    resource = attributes_of(rl.resource.attributes)
    assert resource == {"service.name": "svc", **RESOURCE}
    (sl,) = rl.scope_logs
    assert sl.scope.name == log.name
    (rec,) = sl.log_records
    ctx = span.get_span_context()
    assert rec.trace_id.hex() == format(ctx.trace_id, "032x")
    assert rec.span_id.hex() == format(ctx.span_id, "016x")
    assert rec.flags == ctx.trace_flags
    assert (rec.severity_number, rec.severity_text) == (13, "WARN")
    assert rec.body.string_value == "charged card"
    assert rec.time_unix_nano == otlp_time(line)
    assert rec.observed_time_unix_nano >= rec.time_unix_nano
    attrs = attributes_of(rec.attributes)
    assert attrs["code.function.name"] == "test_a_line_is_one_export_request_with_resource_scope_and_record"
    assert attrs["code.file.path"].endswith("test_otlp_json.py")
    assert attrs["thread.name"] == "MainThread"
    assert (attrs["order"], attrs["tags"], attrs["ratio"]) == (42, ["a", "b"], 0.5)


def otlp_time(line: str) -> int:
    """Return the record's timeUnixNano, which the line writes as a decimal string (int64 in OTLP-JSON)."""
    value = json.loads(line)["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["timeUnixNano"]
    assert isinstance(value, str)
    return int(value)


def test_the_request_id_is_under_otelwards_name_and_the_deprecated_one(otlp: Installed) -> None:
    from otelward.logs._request_id import RequestIdHooks

    with otlp.tracer.start_as_current_span("request") as span:
        RequestIdHooks().on_request(span, lambda name: "req-9" if name == "X-Request-ID" else None)
        otlp.logger().info("served")
    attrs = attributes_of(parse(otlp.lines()[0]).resource_logs[0].scope_logs[0].log_records[0].attributes)
    assert attrs["otelward.request.id"] == "req-9"
    assert attrs["http.request.id"] == "req-9"  # deprecated, written for one more release


def test_exception_and_stack_are_attributes_outside_a_span_no_ids(otlp: Installed) -> None:
    try:
        raise KeyError("missing")
    except KeyError:
        otlp.logger().exception("lookup failed", stack_info=True)
    (rec,) = parse(otlp.lines()[0]).resource_logs[0].scope_logs[0].log_records
    attrs = attributes_of(rec.attributes)
    assert (attrs["exception.type"], attrs["exception.message"]) == ("KeyError", "'missing'")
    assert attrs["exception.stacktrace"].startswith("Traceback (most recent call last):")
    assert attrs["code.stacktrace"].startswith("Stack (most recent call last):")
    assert (rec.trace_id, rec.span_id, rec.flags) == (b"", b"", 0)


@pytest.mark.parametrize(
    "message",
    ['ok\n{"resourceLogs":[]}', "ansi \x1b[2J", "nul \x00 sep \u2028 surrogate \udcff"],
    ids=["json-newline", "ansi", "nul-separator-surrogate"],
)
def test_control_characters_stay_inside_the_one_line(otlp: Installed, message: str) -> None:
    otlp.logger().info(message)
    (line,) = otlp.lines()
    assert "\x1b" not in line
    line.encode("ascii")
    assert (
        json.loads(line)["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["body"]["stringValue"] == message
    )


def test_message_extras_and_exception_are_redacted(logging_state: None) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": "otlp-json"}, redactor=FakeRedactor())
    try:
        raise RuntimeError("token secret-123")
    except RuntimeError:
        inst.logger().exception("user secret", extra={"password": "hunter2"})
    (line,) = inst.lines()
    assert "secret" not in line
    assert "hunter2" not in line
    parse(line)


class _BrokenMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("broken")

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return "<broken>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(2**63 - 1, {"intValue": str(2**63 - 1)}, id="int64-max"),
        pytest.param(2**63, {"stringValue": str(2**63)}, id="beyond-int64"),
        pytest.param(True, {"boolValue": True}, id="bool-not-int"),
        pytest.param(float("nan"), {"doubleValue": "NaN"}, id="nan"),
        pytest.param(float("-inf"), {"doubleValue": "-Infinity"}, id="-inf"),
        pytest.param(b"\x00\xff", {"bytesValue": "AP8="}, id="bytes"),
        pytest.param(None, {}, id="none-is-empty"),
        pytest.param(object, {"stringValue": "<class 'object'>"}, id="other-is-repr"),
        pytest.param(_BrokenMapping(), {"stringValue": "<broken>"}, id="broken-mapping-is-repr"),
        pytest.param(
            {1: "a"},
            {"kvlistValue": {"values": [{"key": "1", "value": {"stringValue": "a"}}]}},
            id="non-string-key",
        ),
    ],
)
def test_any_value_table(value: Any, expected: dict[str, Any]) -> None:
    assert any_value(value) == expected
    json_format.ParseDict(expected, AnyValue())


_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.binary(max_size=8)
)
_values = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(st.text(min_size=1, max_size=8).filter(str.isidentifier), _values, max_size=4))
def test_any_extra_round_trips_through_protobuf(otlp_unredacted: Installed, extra: dict[str, Any]) -> None:
    inst = otlp_unredacted
    inst.stream.seek(0)
    inst.stream.truncate()
    inst.logger().info("x", extra={f"x_{k}": v for k, v in extra.items()})
    (line,) = inst.lines()
    attrs = attributes_of(parse(line).resource_logs[0].scope_logs[0].log_records[0].attributes)
    for key, value in extra.items():
        assert attrs[f"x_{key}"] == value
