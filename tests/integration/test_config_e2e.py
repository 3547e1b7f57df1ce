"""Bad configuration through the real entry point: one line per variable, telemetry stays on; strict aborts."""

from __future__ import annotations

import pytest

from harness.app import base_env, run_script
from harness.collector import Collector

pytestmark = pytest.mark.integration


def test_typos_are_reported_once_each_and_telemetry_keeps_flowing(collector: Collector) -> None:
    env = base_env(
        collector,
        OTELWARD_SAMPLING="off",
        OTEL_TRACES_EXPORTER="otlp,zipkin",
        OTEL_TRACES_SAMPLER_ARG="abc",
        OTELWARD_LOG_FORMAT="xml",
    )
    result = run_script(["python", "tests/integration/apps/job.py"], env)
    assert result.returncode == 0, result.stderr
    assert "DONE" in result.stdout
    lines = [
        ln
        for ln in result.stderr.splitlines()
        if ln.startswith("otelward: OTEL") or "OTELWARD_LOG_FORMAT" in ln
    ]
    assert len(lines) == 3, result.stderr
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER_ARG", "OTELWARD_LOG_FORMAT"):
        assert sum(name in ln for ln in lines) == 1
    collector.wait_for(lambda r: {"job.run", "job.step"} <= set(r.span_names()))


def test_strict_mode_aborts_before_the_app_runs(collector: Collector) -> None:
    env = base_env(collector, OTELWARD_STRICT="true", OTEL_EXPORTER_OTLP_PROTOCOL="gprc")
    result = run_script(["python", "tests/integration/apps/job.py"], env)
    assert result.returncode == 2
    assert "DONE" not in result.stdout
    assert "OTEL_EXPORTER_OTLP_PROTOCOL='gprc'" in result.stderr
    assert "OTELWARD_STRICT" in result.stderr
