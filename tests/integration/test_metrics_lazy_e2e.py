"""The Prometheus side loads on the first scrape, never at process start (start-up cost)."""

from __future__ import annotations

import pytest

from harness.app import base_env, run_script

pytestmark = pytest.mark.integration

CODE = """
import sys, urllib.request
heavy = ("prometheus_client", "opentelemetry.exporter.prometheus")
print("start", [m for m in heavy if m in sys.modules])
port = __import__("os").environ["OTELWARD_MANAGEMENT_PORT"]
body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
print("scraped", [m for m in heavy if m in sys.modules], "target_info" in body)
"""


def test_prometheus_client_and_the_exporter_load_on_first_scrape_only() -> None:
    env = base_env(None, OTEL_SERVICE_NAME="lazy", OTEL_TRACES_EXPORTER="none", OTEL_METRICS_EXPORTER="none")
    out = run_script(["python", "-c", CODE], env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "start []" in lines, out.stdout
    assert "scraped ['prometheus_client', 'opentelemetry.exporter.prometheus'] True" in lines, out.stdout
