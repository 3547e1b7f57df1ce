"""``otelward doctor`` as a user runs it."""

from __future__ import annotations

import subprocess

import pytest

from harness.app import base_env, bin_path
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration
SECRET = "k3y-9c1d0e7f5a"


def _doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [bin_path("otelward"), "doctor"], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_doctor_never_prints_a_secret_and_passes_with_a_live_collector(collector: Collector) -> None:
    env = base_env(
        collector, OTEL_EXPORTER_OTLP_HEADERS=f"api-key={SECRET}", OTELWARD_MANAGEMENT_TOKEN=SECRET
    )
    result = _doctor(env)
    assert SECRET not in result.stdout + result.stderr
    assert "api-key=***" in result.stdout
    assert result.returncode == 0, result.stdout
    assert "accepts connections" in result.stdout


def test_doctor_fails_on_unreachable_endpoint_and_bad_values() -> None:
    env = base_env(
        None,
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{free_port()}",
        OTEL_EXPORTER_OTLP_PROTOCOL="gprc",
    )
    result = _doctor(env)
    assert result.returncode == 1
    assert "cannot connect" in result.stdout
    assert "OTEL_EXPORTER_OTLP_PROTOCOL" in result.stdout
