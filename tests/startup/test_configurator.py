"""Start-up is idempotent: a second configure() in one process returns the runtime already built."""

from __future__ import annotations

import logging

import pytest
from opentelemetry import trace

from otelward.startup import _state
from otelward.startup.configurator import configure


def test_a_second_configure_builds_nothing(caplog: pytest.LogCaptureFixture) -> None:
    # `opentelemetry-instrument otelward run -- python app.py` used to build two runtimes (two span
    # pipelines, two management servers, every log line twice).
    env = {"OTELWARD_MANAGEMENT_ENABLED": "false", "OTELWARD_GC_FREEZE": "false"}
    first = configure(dict(env))
    runtime = _state.runtime()
    assert runtime is not None
    provider = trace.get_tracer_provider()
    try:
        with caplog.at_level(logging.DEBUG, logger="otelward"):
            second = configure(dict(env))
        assert _state.runtime() is runtime
        assert trace.get_tracer_provider() is provider
        assert second == first
        assert [r.getMessage() for r in caplog.records if "already started" in r.getMessage()]
    finally:
        runtime.shutdown(0.5)
