"""Wiring: transforms built from settings, self-metric declared, header-capture defaults."""

from __future__ import annotations

import logging

import pytest

from otelward import _selfmetrics
from otelward.config import Settings
from otelward.redaction import build_redactor
from otelward.startup._environ import apply_defaults


def test_the_engine_exists_by_default_and_vanishes_when_off() -> None:
    assert build_redactor(Settings.from_env({})) is not None
    assert build_redactor(Settings.from_env({"OTELWARD_REDACTION": "false"})) is None


def test_the_runtime_builds_one_engine_for_every_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Five engines were built at start-up (spans, logs, metrics export, /metrics, console), each with its memo.
    from otelward.redaction import _build
    from otelward.startup._runtime import build_runtime

    built: list[object] = []
    original = _build.RedactionEngine

    class Counting(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(_build, "RedactionEngine", Counting)
    runtime = build_runtime(Settings.from_env({"OTELWARD_MANAGEMENT_ENABLED": "false"}))
    try:
        assert len(built) == 1
        assert runtime.redactor is built[0]
    finally:
        runtime.shutdown(0.5)


def test_bad_user_pattern_is_reported_once_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({"OTELWARD_REDACTION_EXTRA_PATTERNS": r"(x+)+y"})
    with caplog.at_level(logging.WARNING, logger="otelward.redaction"):
        build_redactor(settings)
        build_redactor(settings)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "otelward: OTELWARD_REDACTION_EXTRA_PATTERNS: pattern '(x+)+y' has a nested quantifier (catastrophic backtracking); skipping it"
    ]


def test_redactions_counter_is_declared() -> None:
    assert "otelward.redactions" in _selfmetrics.DECLARED


def test_header_capture_defaults_are_set_only_when_enabled_and_never_override() -> None:
    env: dict[str, str] = {"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE": "x-mine"}
    apply_defaults(env)
    assert "authorization" in env["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST"].split(",")
    assert env["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE"] == "x-mine"
    assert "set-cookie" in env["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"]
    off: dict[str, str] = {"OTELWARD_CAPTURE_HEADERS": "false"}
    apply_defaults(off)
    assert not any(k.startswith("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS") for k in off)
