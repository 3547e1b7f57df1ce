"""The distro only sets defaults, never overrides, and hands instrumentation to the lazy loader."""

from __future__ import annotations

import os

import pytest

from otelward.startup import _environ, distro
from otelward.startup._environ import DEFAULTS, apply_defaults, user_environ


def test_defaults_fill_only_unset_variables() -> None:
    env = {"OTEL_PROPAGATORS": "b3"}
    apply_defaults(env)
    assert env["OTEL_PROPAGATORS"] == "b3"
    assert env["OTEL_SEMCONV_STABILITY_OPT_IN"] == "http,database"
    for name, value in DEFAULTS.items():
        if name != "OTEL_PROPAGATORS":
            assert env[name] == value


def test_probe_paths_are_excluded_from_tracing_but_not_lookalikes() -> None:
    import re

    pattern = re.compile(DEFAULTS["OTEL_PYTHON_EXCLUDED_URLS"])
    for url in (
        "http://h/health",
        "http://h/health/live",
        "http://h/health/ready",
        "http://h/healthz",
        "http://h/livez",
        "http://h/readyz",
        "http://h/metrics",
        "http://h/metrics?x=1",
    ):
        assert pattern.search(url), url
    for url in ("http://h/healthcare", "http://h/api/metrics-report", "http://h/users?next=/health"):
        assert not pattern.search(url), url


def test_user_environ_undoes_the_temporary_wildcard(monkeypatch) -> None:
    monkeypatch.setitem(_environ._hidden, "user", "requests")
    assert user_environ({"OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "*"}) == {
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "requests"
    }
    monkeypatch.setitem(_environ._hidden, "user", None)
    assert user_environ({"OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "*"}) == {}


def test_after_instrumentors_restores_the_users_value(monkeypatch) -> None:
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "*")
    monkeypatch.setitem(_environ._hidden, "user", "flask")
    monkeypatch.setattr(
        "otelward.instrumentation._lazy.arm_lazy", lambda eps, disabled, options, eager=False: None
    )
    distro.after_instrumentors()
    assert os.environ["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] == "flask"
    assert "user" not in _environ._hidden


@pytest.mark.parametrize(
    ("value", "lazy"),
    [
        ("off", False),
        ("no", False),
        ("0", False),
        ("FALSE", False),
        ("on", True),
        ("true", True),
        ("bogus", True),
    ],
    ids=["off", "no", "zero", "upper-false", "on", "true", "invalid-is-default"],
)
def test_the_distro_parses_the_lazy_flag_as_settings_do(monkeypatch, value: str, lazy: bool) -> None:
    # `off` used to give Settings False while the distro still went lazy (it had its own parser).
    from otelward.config import Settings

    monkeypatch.setenv("OTELWARD_LAZY_INSTRUMENTATION", value)
    monkeypatch.delenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", raising=False)
    distro.OtelwardDistro()._configure()
    try:
        hidden = os.environ.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS") == "*"
        assert hidden is lazy
        assert Settings.from_env(os.environ).general.lazy_instrumentation is lazy
    finally:
        _environ.restore_instrumentations(os.environ)
