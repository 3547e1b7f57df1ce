"""``otelward doctor`` masks secrets, reports problems and exits non-zero when something is wrong."""

from __future__ import annotations

import io
import json

import pytest

from otelward.cli._doctor import build_report, mask, run
from otelward.config._env_vars import BY_NAME

SECRET = "sk-live-8f2a9c1d"


@pytest.mark.parametrize(
    ("name", "raw", "shown"),
    [
        pytest.param(
            "OTEL_EXPORTER_OTLP_HEADERS", f"api-key={SECRET},x-team=a", "api-key=***,x-team=***", id="headers"
        ),
        pytest.param("OTEL_EXPORTER_OTLP_HEADERS", f"api-key {SECRET}", "***", id="malformed-headers"),
        pytest.param("OTELWARD_MANAGEMENT_TOKEN", SECRET, "***", id="token"),
        pytest.param("OTELWARD_REDACTION_HASH_KEY", SECRET, "***", id="hash-key"),
        pytest.param("OTELWARD_MANAGEMENT_TOKEN_FILE", "/run/token", "/run/token", id="path-is-not-secret"),
        pytest.param("OTEL_SERVICE_NAME", "shop", "shop", id="plain"),
    ],
)
def test_mask(name: str, raw: str, shown: str) -> None:
    assert mask(BY_NAME[name], raw) == shown


def _offline(endpoint: str, timeout: float) -> str:
    return "FAILED: cannot connect (test)"


def _online(endpoint: str, timeout: float) -> str:
    return "ok: accepts connections"


def test_report_never_contains_a_secret_and_flags_unreachable_endpoints() -> None:
    env = {
        "OTEL_EXPORTER_OTLP_HEADERS": f"api-key={SECRET}",
        "OTELWARD_MANAGEMENT_TOKEN": SECRET,
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS": f"authorization=Bearer {SECRET}",
    }
    report = build_report(env, probe=_offline)
    text = json.dumps(report.__dict__, default=str)
    assert SECRET not in text
    assert any("traces endpoint" in p for p in report.problems)


def test_healthy_environment_has_no_problems() -> None:
    report = build_report({"OTEL_SERVICE_NAME": "x"}, probe=_online)
    assert report.problems == []
    names = dict(report.instrumentations)
    assert names["logging"].startswith("skipped")
    assert names["flask"].startswith("active")


def test_run_exit_code_and_output(monkeypatch) -> None:
    monkeypatch.setattr("otelward.cli._doctor._probe", _online)
    out = io.StringIO()
    assert run({"OTEL_TRACES_SAMPLER_ARG": "abc"}, out) == 1
    assert "OTEL_TRACES_SAMPLER_ARG" in out.getvalue()


@pytest.mark.parametrize(
    ("env", "flask", "sqlite3"),
    [
        pytest.param(
            {}, "(otelward's native instrumentation)", "(otelward's native instrumentation)", id="native"
        ),
        pytest.param(
            {"OTELWARD_NATIVE_INSTRUMENTATION": "false"},
            "(upstream's: OTELWARD_NATIVE_INSTRUMENTATION=false)",
            "(upstream's: OTELWARD_NATIVE_INSTRUMENTATION=false)",
            id="turned-off",
        ),
    ],
)
def test_doctor_says_whose_instrumentation_runs(env: dict[str, str], flask: str, sqlite3: str) -> None:
    names = dict(build_report({"OTEL_SERVICE_NAME": "x", **env}, probe=_online).instrumentations)
    assert names["flask"].startswith("active")
    assert names["flask"].endswith(flask)
    assert names["sqlite3"].endswith(sqlite3)
    from otelward.instrumentation.native import NATIVE

    others = [name for name in names if name not in NATIVE]
    assert others  # the installed instrumentations include some without a native module
    assert not [name for name in others if "native" in names[name]]


def test_doctor_names_an_untested_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from otelward.instrumentation.native import NATIVE, Native

    monkeypatch.setitem(
        NATIVE, "flask", Native("otelward.instrumentation.native._flask", "flask", (99,), (100,))
    )
    names = dict(build_report({"OTEL_SERVICE_NAME": "x"}, probe=_online).instrumentations)
    assert names["flask"].endswith("not one otelward's native instrumentation was tested with)")
