from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pytest

from tests.logs.conftest import Installed, install

_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _ids(span: Any) -> tuple[str, str]:
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def test_json_line_uses_otel_names_and_the_active_span_ids(installed: Installed) -> None:
    log = installed.logger()
    with installed.tracer.start_as_current_span("work") as span:
        log.warning("charged %s", "card", extra={"order": 42})
    (rec,) = installed.records()
    trace_id, span_id = _ids(span)
    assert rec["trace_id"] == trace_id
    assert rec["span_id"] == span_id
    assert rec["trace_flags"] == format(span.get_span_context().trace_flags, "02x")
    assert _RFC3339.match(rec["timestamp"])
    assert (rec["severity_text"], rec["severity_number"], rec["body"]) == ("WARN", 13, "charged card")
    assert rec["resource"] == {"service.name": "svc"}
    attrs = rec["attributes"]
    assert attrs["logger.name"] == log.name
    assert attrs["code.function.name"] == "test_json_line_uses_otel_names_and_the_active_span_ids"
    assert attrs["code.file.path"].endswith("test_format.py")
    assert attrs["thread.name"] == "MainThread"
    assert attrs["order"] == 42


def test_outside_a_span_no_trace_field_is_written(installed: Installed) -> None:
    installed.logger().info("no span")
    (rec,) = installed.records()
    assert not {"trace_id", "span_id", "trace_flags"} & set(rec)


def test_exception_type_message_and_stacktrace_are_attributes(installed: Installed) -> None:
    log = installed.logger()
    try:
        raise KeyError("missing")
    except KeyError:
        log.exception("lookup failed")
    attrs = installed.records()[0]["attributes"]
    assert attrs["exception.type"] == "KeyError"
    assert attrs["exception.message"] == "'missing'"
    assert attrs["exception.stacktrace"].startswith("Traceback (most recent call last):")


class _NoJson:
    def __repr__(self) -> str:
        return "<NoJson>"


def test_non_serialisable_extras_degrade_to_repr(installed: Installed) -> None:
    installed.logger().info("x", extra={"obj": _NoJson(), "nan": float("nan"), "nested": {"b": b"\xff"}})
    attrs = installed.records()[0]["attributes"]
    assert attrs["obj"] == "<NoJson>"
    assert attrs["nan"] == "nan"
    assert attrs["nested"] == {"b": "b'\\xff'"}


@pytest.mark.parametrize(
    "message",
    [
        'ok\n{"severity_text":"ERROR","body":"forged"}',
        "ok\r\n2026-01-01T00:00:00.000000Z ERROR forged",
        "ansi \x1b[2J\x1b[31mred",
        "nul \x00 and sep \u2028 and surrogate \udcff",
    ],
    ids=["json-newline", "crlf-text", "ansi", "nul-separator-surrogate"],
)
@pytest.mark.parametrize("fmt", ["json", "ecs", "text"])
def test_control_characters_cannot_forge_a_second_line(logging_state: None, fmt: str, message: str) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": fmt})
    inst.logger().info(message)
    lines = inst.lines()
    assert len(lines) == 1
    assert "\x1b" not in lines[0]
    assert "\x00" not in lines[0]
    lines[0].encode("utf-8")  # no lone surrogate reaches the stream
    if fmt != "text":
        body = json.loads(lines[0])["body" if fmt == "json" else "message"]
        assert body == message


def test_ecs_line_uses_ecs_names(logging_state: None) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": "ecs"})
    log = inst.logger()
    with inst.tracer.start_as_current_span("work") as span:
        try:
            raise ValueError("bad")
        except ValueError:
            log.error("failed", exc_info=True, extra={"trace.id": "forged", "user": "ada"})
    (rec,) = inst.records()
    trace_id, span_id = _ids(span)
    assert rec["trace.id"] == trace_id
    assert rec["span.id"] == span_id
    assert rec["log.level"] == "error"
    assert rec["message"] == "failed"
    assert rec["service.name"] == "svc"
    assert rec["ecs.version"]
    assert _RFC3339.match(rec["@timestamp"])
    assert rec["error.type"] == "ValueError"
    assert rec["error.message"] == "bad"
    assert "Traceback" in rec["error.stack_trace"]
    assert rec["extra"] == {"trace.id": "forged", "user": "ada"}


def test_text_line_is_readable_with_ids_appended(logging_state: None) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": "text"})
    log = inst.logger()
    with inst.tracer.start_as_current_span("work") as span:
        try:
            raise ValueError("bad\nINJECTED")
        except ValueError:
            log.error("failed for %s", "ada", exc_info=True, extra={"order": 7})
    first, *rest = inst.lines()
    trace_id, span_id = _ids(span)
    assert first.endswith(f"failed for ada trace_id={trace_id} span_id={span_id} order=7")
    assert " ERROR " in first
    assert rest
    assert all(line.startswith("  | ") for line in rest)


class FakeRedactor:
    """Replaces the word 'secret' everywhere; values of keys named 'password' entirely."""

    def redact_text(self, text: str) -> str:
        return text.replace("secret", "[REDACTED]")

    def redact_value(self, key: str, value: Any) -> Any:
        if key == "password":
            return "[REDACTED]"
        return self.redact_text(value) if isinstance(value, str) else value

    def redact_attributes(self, attributes: Mapping[str, Any], signal: str) -> Mapping[str, Any]:
        return {k: self.redact_value(k, v) for k, v in attributes.items()}


class BrokenRedactor(FakeRedactor):
    def redact_text(self, text: str) -> str:
        raise RuntimeError("engine down")


@pytest.mark.parametrize("fmt", ["json", "ecs", "text"])
def test_message_extras_and_exception_text_are_redacted(logging_state: None, fmt: str) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": fmt}, redactor=FakeRedactor())
    try:
        raise RuntimeError("token secret-123 leaked")
    except RuntimeError:
        inst.logger().exception("user secret", extra={"password": "hunter2", "note": "a secret"})
    out = "\n".join(inst.lines())
    assert "secret" not in out
    assert "hunter2" not in out
    assert out.count("[REDACTED]") >= 4


def test_a_failing_redactor_fails_closed(logging_state: None) -> None:
    inst = install({}, redactor=BrokenRedactor())
    inst.logger().info("the secret is 42")
    (rec,) = inst.records()
    assert "42" not in rec["body"]


def test_unformattable_arguments_still_give_one_line(installed: Installed) -> None:
    installed.logger().info("%d items", "not a number")
    (rec,) = installed.records()
    assert "%d items" in rec["body"]
    assert "not a number" in rec["body"]
